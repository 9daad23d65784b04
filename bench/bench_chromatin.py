"""Speed of the chromatin model and its charts (medians over repeats).

Kinetic Monte Carlo after Gillespie (1977); the target row's convergence is measured as the
total-variation distance between the running time average and the Boltzmann occupancy
(Shea & Ackers 1985; Bintu et al. 2005). Run: `python -m bench.bench_chromatin`.
"""

from __future__ import annotations

import statistics

import numpy as np

from bench.common import median_seconds
from lib.charts.scene import attention_vs_occupancy_bars, chromatin_scene, convergence_chart
from lib.chromatin import (
    binding_energies,
    equilibrium_occupancy,
    running_tv_distance,
    simulate,
)

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
                "target": "info",
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
    rows = []
    for n in (16, 64):
        a = _row(n)
        closed = np.zeros(n, bool)
        closed[-n // 4 :] = True
        a_open = np.where(closed, 0.0, a) / a[~closed].sum()
        eps = binding_energies(a_open)
        occ = equilibrium_occupancy(eps, closed=closed).occupancy
        labels = [f"tok{i}" for i in range(n)]

        def scene(labels=labels, a_open=a_open, occ=occ, eps=eps, closed=closed):
            chromatin_scene(labels, a_open, occ, eps, closed=closed, unbound=0.1).to_dict()
            attention_vs_occupancy_bars(labels, a_open, occ).to_dict()

        scene()  # warm-up: altair schema loading
        seconds = _median_time(scene, repeats)
        rows.append(
            {
                "benchmark": "scene + bars build & to_dict",
                "size": f"{n} loci",
                "median": seconds * 1e3,
                "unit": "ms",
                "target": "< 150 ms",
                "ok": seconds < 0.150,
            }
        )
    traj = simulate(binding_energies(_row(64)), events=1_000_000, rng=0)
    target = _row(64)
    seconds = _median_time(
        lambda: convergence_chart(*running_tv_distance(traj, target)).to_dict(), repeats
    )
    rows.append(
        {
            "benchmark": "running TV + convergence chart",
            "size": "1e6 events, 64 loci",
            "median": seconds * 1e3,
            "unit": "ms",
            "target": "< 150 ms",
            "ok": seconds < 0.150,
        }
    )
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
