"""What the server's heap policy (lib/models/memory.py) saves and costs on a 512-token prompt.

Pinning glibc's mmap threshold returns freed tensors to the OS at once, which lowers the
peak; the price is fresh page faults for every large buffer of each forward pass. Each
figure comes from a fresh interpreter (the policy is process-wide and must be set before
torch allocates), alternating off and on, and is the median over ``runs`` interpreters.
Run: `python -m bench.bench_heap`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench.common import row

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, statistics, sys, time
sys.path.insert(0, {root!r})
from lib.models.memory import return_large_blocks_promptly
if {policy}:
    return_large_blocks_promptly()
from bench.bench_pipeline import prompt_of
from lib.attention.extract import extract_attention
from lib.models.loading import load_model

def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) / 1024 for l in status if l.startswith("VmHWM"))

model = load_model()
extract_attention(model, "A short warm-up prompt.")
before = peak_mb()
prompt = prompt_of(512, model.tokenizer)
extract_attention(model, prompt)
growth = peak_mb() - before
times = []
for _ in range(7):
    start = time.perf_counter()
    extract_attention(model, prompt)
    times.append(time.perf_counter() - start)
print(json.dumps({{"growth": growth, "ms": statistics.median(times) * 1e3}}))
"""


def _probe(policy: bool) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(root=str(ROOT), policy=policy)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(*, runs: int = 3) -> list[dict]:
    figures: dict[bool, list[dict]] = {False: [], True: []}
    for _ in range(runs):
        for policy in (False, True):
            figures[policy].append(_probe(policy))
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
