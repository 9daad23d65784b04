"""Run every benchmark, print one table, and write bench/results.csv and bench/results.md.

Usage: `make bench` (or `python -m bench`). Figures are medians over repeats; these
machines are noisy, so compare ratios and medians, not single runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench import (
    bench_chromatin,
    bench_cluster,
    bench_heap,
    bench_load,
    bench_pages,
    bench_pipeline,
    bench_scene,
)
from bench.load import run as load_protocol
from bench.report import print_table, write

SUITES = {
    "pipeline": bench_pipeline.run,
    "heap": bench_heap.run,
    "chromatin": bench_chromatin.run,
    "pages": bench_pages.run,
    "load": bench_load.run,
    "scene": bench_scene.run,
    "load_protocol": load_protocol.run,
    "cluster": bench_cluster.run,
}


def main(names: list[str]) -> None:
    rows = []
    for name in names or list(SUITES):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += [{**r, "benchmark": r["benchmark"]} for r in SUITES[name]()]
    print_table(rows)
    write(rows, Path(__file__).resolve().parent)


if __name__ == "__main__":
    main(sys.argv[1:])
