"""Shared helpers for the benchmarks: medians over repeats and one row format."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], *, repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``fn`` over ``repeats`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_median_seconds(first: Callable[[], object], second: Callable[[], object], *,
                          repeats: int, warmup: int = 1) -> tuple[float, float]:
    """Medians of two functions timed in alternation, so that drift in a noisy machine's
    speed falls on both alike and their ratio stays fair."""
    for _ in range(warmup):
        first()
        second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for fn, bucket in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def explore_rerun_times(*, repeats: int, clock: Callable[[], float]) -> list[float]:
    """Explore in AppTest (the real app and model), its layer slider moved ``repeats``
    times; the ``clock`` difference around each rerun (wall or process CPU time), in s."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = Path(__file__).resolve().parent.parent / "app.py"
    at = AppTest.from_file(str(app), default_timeout=120)
    at.run(timeout=180)
    times = []
    for i in range(repeats):
        slider = next(s for s in at.sidebar.slider if s.label.startswith("Layer"))
        start = clock()
        slider.set_value(i % 6).run()
        times.append(clock() - start)
        assert not at.exception, at.exception
    return times


def row(benchmark: str, size: str, median: float, unit: str, target: str, ok: bool | None) -> dict:
    return {"benchmark": benchmark, "size": size, "median": median, "unit": unit,
            "target": target, "ok": ok}


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of a live process, in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def current_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")
