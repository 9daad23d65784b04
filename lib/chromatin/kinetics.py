"""Kinetic Monte Carlo of one TF molecule binding and leaving gene loci.

Gillespie's stochastic simulation algorithm (Gillespie 1977, J Phys Chem 81:2340): each
state is left after an exponential waiting time whose rate is the sum of its exits.

Model (states: unbound U, or bound at locus j):
    U -> j     at rate k_on for every reachable locus (total k_on * n_reachable)
    j -> U     at rate k_off_j = k0 * exp(eps_j / kT)
Detailed balance pi_U k_on = pi_j k_off_j gives pi_j / pi_U = (k_on / k0) exp(-eps_j/kT):
the Boltzmann weights of Shea & Ackers (1985) and Bintu et al. (2005), with the unbound
state acting as a reservoir of weight w0 = k0 / k_on (Miller 2023, "Attention is off by
one"). So the time-averaged occupancy, normalised over bound time, converges to the
softmax row, and the fraction of total time converges to
equilibrium_occupancy(eps, reservoir_weight=k0/k_on).

Because the molecule always returns to U after unbinding, bound and unbound states
alternate; every choice and waiting time is drawn in bulk with numpy (no per-event loop).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.chromatin.energies import _check_kT, effective_energies
from lib.frozen import readonly

UNBOUND = -1


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One molecule's history. Event i happens at times[i]; the molecule then sits in
    state locus[i] (-1 = unbound) for dwell[i]. Before event 0 it is unbound for
    initial_dwell, from time 0."""

    times: np.ndarray  # [events] time of each event
    locus: np.ndarray  # [events] int, state after each event (-1 = unbound)
    dwell: np.ndarray  # [events] time spent in that state (all complete)
    initial_dwell: float  # unbound time before the first event
    total_time: float  # times[-1] + dwell[-1]
    time_averaged_occupancy: np.ndarray  # [n] fraction of total time on each locus
    unbound_fraction: float  # fraction of total time unbound
    bound_occupancy: np.ndarray  # [n] fraction of bound time on each locus (sums to 1)
    k_off: np.ndarray  # [n] unbinding rates (0 where unreachable: never bound)
    k_on: float
    k0: float
    kT: float

    @property
    def n_loci(self) -> int:
        return int(self.k_off.size)

    @property
    def reservoir_weight(self) -> float:
        """w0 = k0 / k_on: the equilibrium weight of the unbound state in this model."""
        return self.k0 / self.k_on


def simulate(
    energies: np.ndarray,
    *,
    events: int,
    rng: np.random.Generator | int,
    kT: float = 1.0,
    k_on: float = 1.0,
    k0: float = 1.0,
    closed: np.ndarray | None = None,
    pioneer_penalty: float | None = None,
) -> Trajectory:
    """Simulate `events` binding/unbinding events of one TF, starting unbound at t = 0.

    Even-numbered events are bindings (to a reachable locus chosen uniformly), odd ones
    unbindings. Closed loci are never bound unless `pioneer_penalty` is given (same
    effective energies as equilibrium_occupancy). Same seed, same trajectory.
    """
    kT = _check_kT(kT)
    if int(events) != events or events < 1:
        raise ValueError(f"The argument events must be a positive integer, got {events!r}.")
    events = int(events)
    for name, rate in (("k_on", k_on), ("k0", k0)):
        if not (np.isfinite(rate) and rate > 0):
            raise ValueError(f"{name} must be a positive finite rate, got {rate!r}.")
    eps = effective_energies(energies, closed=closed, pioneer_penalty=pioneer_penalty)  # [n]
    reachable = np.flatnonzero(np.isfinite(eps))  # [m]
    if reachable.size == 0:
        raise ValueError(
            "No locus can be bound: every locus is closed or has zero attention. "
            "Open some chromatin, pass a pioneer_penalty, or choose another query."
        )
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    n = eps.size
    with np.errstate(over="ignore"):
        k_off = np.where(
            np.isfinite(eps), k0 * np.exp(np.where(np.isfinite(eps), eps, 0) / kT), 0.0
        )

    n_bind = (events + 1) // 2  # events 0, 2, 4, ...
    bound_at = reachable[rng.integers(0, reachable.size, size=n_bind)]  # [n_bind]
    unit = rng.standard_exponential(events + 1)  # [events + 1] unit-rate waiting times

    locus = np.full(events, UNBOUND, dtype=np.int64)  # [events]
    locus[0::2] = bound_at
    rates = np.full(events + 1, k_on * reachable.size)  # [events + 1] exit rate of each state
    rates[1::2] = k_off[bound_at][: rates[1::2].size]  # states after bindings
    waits = unit / rates  # waits[0] initial unbound period; waits[i+1] = dwell after event i
    times = np.cumsum(waits[:-1])  # [events]
    dwell = waits[1:]  # [events]
    total = float(times[-1] + dwell[-1])

    on_locus = locus >= 0
    occ_time = np.bincount(locus[on_locus], weights=dwell[on_locus], minlength=n)  # [n]
    bound_time = occ_time.sum()
    traj = Trajectory(
        times=readonly(times),
        locus=readonly(locus),
        dwell=readonly(dwell),
        initial_dwell=float(waits[0]),
        total_time=total,
        time_averaged_occupancy=readonly(occ_time / total),
        unbound_fraction=float((waits[0] + dwell[~on_locus].sum()) / total),
        bound_occupancy=readonly(occ_time / bound_time),
        k_off=readonly(k_off),
        k_on=float(k_on),
        k0=float(k0),
        kT=kT,
    )
    return traj


def _segments(traj: Trajectory) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Piecewise-constant history: segment i starts at starts[i] in state states[i]."""
    starts = np.concatenate(([0.0], traj.times))  # [events + 1]
    states = np.concatenate(([UNBOUND], traj.locus))  # [events + 1]
    durations = np.concatenate(([traj.initial_dwell], traj.dwell))  # [events + 1]
    return starts, states, durations


def _cumulative_time(
    states: np.ndarray, durations: np.ndarray, cuts: np.ndarray, n: int
) -> np.ndarray:
    """Time in each state over segments [0, cut) for each sorted cut: [len(cuts), n + 1].

    Column 0 is unbound, column j + 1 is locus j. One 2-D bincount plus a cumsum, so the
    cost is O(events + len(cuts) * n) rather than a pass per cut.
    """
    seg = np.arange(states.size)
    bucket = np.searchsorted(cuts, seg, side="right")  # first cut that includes segment
    flat = bucket * (n + 1) + (states + 1)
    table = np.bincount(flat, weights=durations, minlength=(cuts.size + 1) * (n + 1))
    return np.cumsum(table.reshape(cuts.size + 1, n + 1), axis=0)[: cuts.size]


def _check_target(target: np.ndarray, n: int) -> np.ndarray:
    t = np.asarray(target, dtype=np.float64)
    if t.shape != (n,) or np.any(~np.isfinite(t)) or np.any(t < 0) or t.sum() <= 0:
        raise ValueError(
            f"Target must be a non-negative occupancy of shape ({n},), got shape {t.shape}; "
            "pass equilibrium_occupancy(...).occupancy."
        )
    return t


def running_tv_distance(
    trajectory: Trajectory,
    target: np.ndarray,
    *,
    points: int = 200,
    over: str = "bound",
) -> tuple[np.ndarray, np.ndarray]:
    """Total-variation distance between the running time average and `target`.

    Returns (times [k], tv [k]) at up to `points` log-spaced event counts, for a log-x
    convergence chart. Compare like with like:
    - over="bound": occupancy normalised over bound time vs target / sum(target)
      (the attention row itself; target = equilibrium_occupancy(eps).occupancy).
    - over="total": fractions of total time, unbound included, vs target with
      1 - sum(target) unbound (target = equilibrium_occupancy(eps,
      reservoir_weight=trajectory.reservoir_weight).occupancy).
    """
    n = trajectory.n_loci
    t = _check_target(target, n)
    if over not in ("bound", "total"):
        raise ValueError(f"Over must be 'bound' or 'total', got {over!r}.")
    starts, states, durations = _segments(trajectory)
    n_seg = states.size
    if n_seg < 2:
        raise ValueError("Trajectory too short: simulate at least 1 event.")
    cuts = np.unique(np.geomspace(2, n_seg, num=max(int(points), 2)).astype(np.int64))  # [k]
    cum = _cumulative_time(states, durations, cuts, n)  # [k, n + 1]
    if over == "bound":
        bound = cum[:, 1:].sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            running = np.where(bound > 0, cum[:, 1:] / bound, 0.0)
        tv = 0.5 * np.abs(running - t / t.sum()).sum(axis=1)
    else:
        full = np.concatenate(([max(0.0, 1.0 - t.sum())], t))  # [n + 1]
        running = cum / cum.sum(axis=1, keepdims=True)
        tv = 0.5 * np.abs(running - full).sum(axis=1)
    cut_times = np.append(starts, trajectory.total_time)[cuts]  # end of segment cut - 1
    return cut_times, tv


@dataclass(frozen=True, eq=False)
class KineticFrames:
    """Snapshots of a trajectory at evenly spaced times, for a time slider."""

    times: np.ndarray  # [frames]
    locus: np.ndarray  # [frames] int, bound locus at that time (-1 = unbound)
    occupancy: np.ndarray  # [frames, n] running average over bound time so far (0 before any)
    unbound: np.ndarray  # [frames] running fraction of elapsed time spent unbound


def kinetic_frames(
    trajectory: Trajectory,
    *,
    frames: int = 100,
    t_max: float | None = None,
) -> KineticFrames:
    """Which locus is bound, and the running occupancy, at `frames` times in [0, t_max]."""
    if int(frames) != frames or frames < 1:
        raise ValueError(f"Frames must be a positive integer, got {frames!r}.")
    end = trajectory.total_time if t_max is None else min(float(t_max), trajectory.total_time)
    if not end > 0:
        raise ValueError(f"The argument t_max must be positive, got {t_max!r}.")
    n = trajectory.n_loci
    starts, states, durations = _segments(trajectory)
    at = np.linspace(0.0, end, int(frames))  # [frames]
    current = np.clip(np.searchsorted(starts, at, side="right") - 1, 0, states.size - 1)
    cum = _cumulative_time(states, durations, current, n)  # [frames, n + 1] complete segments
    cum[np.arange(at.size), states[current] + 1] += at - starts[current]  # partial segment
    bound = cum[:, 1:].sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        occ = np.where(bound > 0, cum[:, 1:] / bound, 0.0)
        unbound = np.where(at > 0, cum[:, 0] / np.where(at > 0, at, 1.0), 1.0)
    return KineticFrames(
        times=readonly(at),
        locus=readonly(states[current].copy()),
        occupancy=readonly(occ),
        unbound=readonly(unbound),
    )
