"""Speed of the chromatin model and its charts (medians over repeats).

Kinetic Monte Carlo after Gillespie (1977); the target row's convergence is measured as the
total-variation distance between the running time average and the Boltzmann occupancy
(Shea & Ackers 1985; Bintu et al. 2005). Run: `python -m bench.bench_chromatin`.
"""

from __future__ import annotations

import statistics

import numpy as np

from bench.common import median_seconds
from lib.charts.occupancy import attention_vs_occupancy_bars
from lib.chromatin import (
    binding_energies,
    equilibrium_occupancy,
    running_tv_distance,
    simulate,
)
from lib.chromatin.scene_model import SCENE_EVENTS, scene_from_attention, scene_payload

TV_TARGET = 0.01
# Event budgets large enough that every seed gets (and stays) below TV_TARGET.
TV_BUDGET = {16: 2_000_000, 64: 5_000_000, 256: 20_000_000}


def _row(n: int, seed: int = 0) -> np.ndarray:
    """A peaked attention-like row: softmax of Gaussian logits (sd 1.5)."""
    z = np.random.default_rng(seed).normal(0.0, 1.5, n)
    a = np.exp(z - z.max())
    return a / a.sum()


def _median_time(fn, repeats: int) -> float:
    return median_seconds(fn, repeats=repeats, warmup=0)


def _bench_events_per_second(repeats: int = 7) -> list[dict]:
    eps = binding_energies(_row(16))
    simulate(eps, events=10_000, rng=0)  # warm-up: first large allocations
    seconds = _median_time(lambda: simulate(eps, events=1_000_000, rng=1), repeats)
    return [
        {
            "benchmark": "kmc simulate",
            "size": "1e6 events, 16 loci",
            "median": seconds,
            "unit": "s",
            "target": "< 0.5 s",
            "ok": seconds < 0.5,
        },
        {
            "benchmark": "kmc throughput",
            "size": "1e6 events, 16 loci",
            "median": 1_000_000 / seconds,
            "unit": "events/s",
            "target": ">= 2e6 events/s",
            "ok": 1_000_000 / seconds >= 2e6,
        },
    ]


def _events_to_tv(n: int, seed: int) -> int:
    """Events after which the running TV distance stays below TV_TARGET."""
    a = _row(n)
    traj = simulate(binding_energies(a), events=TV_BUDGET[n], rng=seed)
    times, tv = running_tv_distance(traj, a, points=400)
    above = np.flatnonzero(tv >= TV_TARGET)
    k = 0 if above.size == 0 else above[-1] + 1
    if k >= tv.size:
        raise RuntimeError(f"{n} loci: TV {tv[-1]:.4f} still >= {TV_TARGET} at the budget.")
    return int(np.searchsorted(traj.times, times[k])) + 1


def _bench_convergence(seeds: tuple[int, ...] = (1, 2, 3)) -> list[dict]:
    rows = []
    for n in TV_BUDGET:
        events = int(statistics.median(_events_to_tv(n, s) for s in seeds))
        eps = binding_energies(_row(n))
        wall = _median_time(lambda e=eps, k=events: simulate(e, events=k, rng=9), 5)
        size = f"{n} loci"
        rows.append(
            {
                "benchmark": f"events to TV < {TV_TARGET}",
                "size": size,
                "median": float(events),
                "unit": "events",
                "target": "(reference for the wall-time row)",
                "ok": None,
            }
        )
        rows.append(
            {
                "benchmark": f"wall time to TV < {TV_TARGET}",
                "size": size,
                "median": wall,
                "unit": "s",
                "target": "< 0.5 s",
                "ok": wall < 0.5,
            }
        )
    return rows


def _bench_charts(repeats: int = 9) -> list[dict]:
    """What a page pays per view: the animated scene (built once per view, then cached) and
    the paired bars filled into their template (every rerun)."""
    rows = []
    for n in (16, 64):
        a = _row(n)
        labels = tuple(f"tok{i}" for i in range(n))
        occ = equilibrium_occupancy(binding_energies(a)).occupancy

        def scene(a=a, labels=labels):
            scene_payload(scene_from_attention(a, labels, events=SCENE_EVENTS))

        def bars(a=a, labels=labels, occ=occ):
            attention_vs_occupancy_bars(labels, a, occ).vega_lite()

        for name, fn, target in (("scene: simulate and encode", scene, 0.150),
                                 ("paired bars: fill the template", bars, 0.002)):
            fn()  # warm-up
            seconds = _median_time(fn, repeats)
            rows.append({
                "benchmark": name,
                "size": f"{n} loci" + (f", {SCENE_EVENTS:,} events" if fn is scene else ""),
                "median": seconds * 1e3,
                "unit": "ms",
                "target": f"< {target * 1e3:g} ms",
                "ok": seconds < target,
            })
    return rows


def run() -> list[dict]:
    """All benchmark rows: {benchmark, size, median, unit, target, ok}."""
    return _bench_events_per_second() + _bench_convergence() + _bench_charts()


def _format(rows: list[dict]) -> str:
    header = f"{'benchmark':<32} {'size':<22} {'median':>12} {'unit':<9} {'target':<16} ok"
    lines = [header, "-" * len(header)]
    for r in rows:
        ok = "-" if r["ok"] is None else ("yes" if r["ok"] else "NO")
        lines.append(
            f"{r['benchmark']:<32} {r['size']:<22} {r['median']:>12.4g} {r['unit']:<9} "
            f"{r['target']:<16} {ok}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(_format(run()))
