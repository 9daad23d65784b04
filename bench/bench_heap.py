"""What the server's heap policy (lib/models/memory.py) saves and costs on a 512-token prompt.

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
    figures: dict[bool, list[dict]] = {False: [], True: []}
    for _ in range(runs):
        for policy in (False, True):
            figures[policy].append(probe(policy=policy, repeats=7))
    rows = []
    for policy, name in ((False, "glibc default"), (True, "mmap threshold pinned (as served)")):
        growth = statistics.median(f["growth"] for f in figures[policy])
        rows.append(row("peak growth, one 512-token extraction", f"{name}, {runs} processes",
                        growth, "MB", "(reported)", None))
    for policy, name in ((False, "glibc default"), (True, "mmap threshold pinned (as served)")):
        ms = statistics.median(f["ms"] for f in figures[policy])
        rows.append(row("512-token extraction time", f"{name}, {runs} processes", ms, "ms",
                        "(reported)", None))
    return rows


if __name__ == "__main__":
    from bench.report import print_table

    print_table(run())
