"""Run every benchmark, print one table, and write bench/results.csv and bench/results.md.

Usage: `make bench` (or `python -m bench`). `python -m bench pages load` reruns two suites
and keeps the other suites' rows from the last run, in suite order. The README's table is
replaced by the new one. Figures are medians over repeats; these
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
from bench.report import earlier_rows, print_table, update_readme, write

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
    folder = Path(__file__).resolve().parent
    chosen = names or list(SUITES)
    rows = earlier_rows(folder, except_suites=set(chosen))
    for name in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += [{**r, "suite": name} for r in SUITES[name]()]
    order = list(SUITES)
    rows.sort(key=lambda r: order.index(r["suite"]))  # stable: each suite keeps its own order
    print_table(rows)
    write(rows, folder)
    update_readme(rows, folder.parent / "README.md")


if __name__ == "__main__":
    main(sys.argv[1:])
