"""What the server's heap policy (lib/models/memory.py) saves and costs on a 512-token prompt
going through the serving path (extraction, the disk-backed attention store, a view).

Pinning glibc's mmap threshold returns freed tensors to the OS at once, which lowers the
peak; the price is fresh page faults for every large buffer of each forward pass. Each
figure comes from a fresh interpreter (the policy is process-wide and must be set before
torch allocates), alternating off and on, and is the median over ``runs`` interpreters.
Run: `python -m bench.bench_heap`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.common import row

ROOT = Path(__file__).resolve().parent.parent


def probe(*, policy: bool, repeats: int = 0) -> dict:
    """Figures from bench/heap_probe.py, run in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.heap_probe", *(["--policy"] if policy else []),
         "--repeats", str(repeats)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(*, runs: int = 3) -> list[dict]:
    """The policy stays only if it lowers the peak and leaves less behind; its price is time."""
    figures: dict[bool, list[dict]] = {False: [], True: []}
    for _ in range(runs):
        for policy in (False, True):
            figures[policy].append(probe(policy=policy, repeats=7))

    def median(policy: bool, field: str) -> float:
        return statistics.median(f[field] for f in figures[policy])

    growth = {policy: median(policy, "growth") for policy in (False, True)}
    left = {policy: median(policy, "after") - median(policy, "before") for policy in (False, True)}
    ms = {policy: median(policy, "ms") for policy in (False, True)}
    size = f"{runs} processes"
    return [
        row("peak growth, one 512-token prompt served", f"glibc default, {size}", growth[False],
            "MB", "(the baseline for the row below)", None),
        row("peak growth, one 512-token prompt served", f"mmap threshold pinned, {size}",
            growth[True], "MB", f"< {growth[False]:.0f} MB (the default's)",
            growth[True] < growth[False]),
        row("memory left after the prompt is dropped", f"glibc default, {size}", left[False],
            "MB", "(the baseline for the row below)", None),
        row("memory left after the prompt is dropped", f"mmap threshold pinned, {size}",
            left[True], "MB", "< 25 MB", left[True] < 25),
        row("512-token extraction time, policy cost", f"pinned / default, {size}",
            ms[True] / ms[False], "x", "<= 1.5x", ms[True] / ms[False] <= 1.5),
    ]


if __name__ == "__main__":
    from bench.report import print_table

    print_table(run())
