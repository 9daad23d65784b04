"""One 512-token prompt through the serving path (extraction, the attention store, which
writes it to disk, and the Explore view) in a fresh interpreter, with or without the server's
heap policy.

Prints JSON: resident memory before, while the result is held and after it is dropped;
the peak's growth; and the median time of ``--repeats`` more extractions. The policy is
process-wide and must be set before torch allocates, hence a process per measurement.
Used by bench/bench_heap.py and tests/test_models_memory.py.
Run: `python -m bench.heap_probe [--policy] [--repeats N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith(field))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--policy", action="store_true", help="pin the mmap threshold first")
    parser.add_argument("--repeats", type=int, default=0, help="timed extractions after")
    args = parser.parse_args()
    from lib.models.memory import return_large_blocks_promptly

    if args.policy and not return_large_blocks_promptly().applied:
        raise SystemExit("the heap policy could not be applied on this platform")
    from bench.bench_pipeline import prompt_of
    from lib.attention.extract import extract_attention
    from lib.models.loading import load_model
    from lib.pipeline.store import AttentionStore
    from lib.pipeline.views import RowSettings, explore_view

    model = load_model()
    extract_attention(model, "A short warm-up prompt.")
    store = AttentionStore()
    before, peak_before = _status_mb("VmRSS"), _status_mb("VmHWM")
    prompt = prompt_of(512, model.tokenizer)
    result = store.get_or_compute(prompt, lambda: extract_attention(model, prompt))
    view = explore_view(result, query=None, settings=RowSettings(layer=2, head="mean"))
    held = _status_mb("VmRSS")
    figures = {"tokens": result.seq_len, "before": before, "held": held}
    del result, view
    figures |= {"after": _status_mb("VmRSS"), "growth": _status_mb("VmHWM") - peak_before}
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        extract_attention(model, prompt)
        times.append(time.perf_counter() - start)
    figures["ms"] = statistics.median(times) * 1e3 if times else None
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
