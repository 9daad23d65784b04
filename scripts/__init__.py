"""Command-line tools run from the repository root (serve, cluster); cluster is also imported
by the cluster tests and benchmarks."""
