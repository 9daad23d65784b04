"""Kinetic Monte Carlo of many TF molecules: copy number, several species, pioneers.

Gillespie's stochastic simulation algorithm (Gillespie 1977, J Phys Chem 81:2340): the
time to the next event is exponential with the total rate of every possible event, and
which event happens is drawn in proportion to its rate.

Model. Species s has copies c_s; each locus has one binding site per species (a gene
locus is a regulatory region with a motif for each factor), so two copies of one species
exclude each other at a locus while different species bind independently (no
cooperativity or competition; Mirny 2010, PNAS 107:22534, discusses what that leaves out).

    free copy of s -> free site (s, j)   at rate k_on, the same for every accessible site
    copy of s on j -> reservoir          at rate k_off_sj = k0 exp(eps_sj / kT)

Detailed balance then gives each configuration the weight prod (k_on/k0) exp(-eps/kT)
over its bound copies, so each species' time-averaged occupancy converges to
finite_pool_occupancy (one copy: the softmax row with an unbound state, Shea & Ackers
1985; many copies: sites saturate, Bintu et al. 2005).

Closed chromatin. A closed locus is wrapped in a nucleosome. Ordinary factors cannot
bind it. A pioneer factor binds nucleosomal DNA (Zaret & Carroll 2011, Genes Dev 25:2227)
at an energy penalty, the cost of the transient unwrapping that exposes a site (Polach &
Widom 1995, J Mol Biol 254:130, measured site-exposure equilibria of 1e-2 to 1e-5,
i.e. penalties of about 5 to 12 kT). With `hold_open` set, a pioneer that binds a
wrapped locus also opens it: the nucleosome stays off while any factor is bound and
re-wraps at rate 1/hold_open once the locus is empty, and meanwhile every species binds
there at its own energy. Opening is only ever caused by a pioneer, so this cycle breaks
detailed balance on purpose: remodelling spends ATP, and the occupancy of the opened loci
departs from any Boltzmann row. Without `hold_open` the model is at equilibrium.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.chromatin import kinetics
from lib.chromatin.energies import _check_closed, _check_energies, _check_kT, effective_energies
from lib.frozen import readonly

BIND, UNBIND, OPEN, CLOSE = 0, 1, 2, 3  # event kinds
NUCLEOSOME = -1  # the molecule index of OPEN and CLOSE events


@dataclass(frozen=True, eq=False)
class MoleculeTrajectory:
    """The history of every molecule and nucleosome. Event i happens at times[i]: kind[i]
    (BIND, UNBIND, OPEN or CLOSE) of molecule[i] (NUCLEOSOME for OPEN/CLOSE) at locus[i].
    All molecules start unbound and every closed locus wrapped, at time 0."""

    times: np.ndarray  # [events] float, non-decreasing
    kind: np.ndarray  # [events] int8
    molecule: np.ndarray  # [events] int32 (NUCLEOSOME for OPEN/CLOSE)
    locus: np.ndarray  # [events] int32
    species_of: np.ndarray  # [molecules] int, the species of each molecule
    total_time: float  # times[-1] plus the wait that would end the final state
    time_averaged_occupancy: np.ndarray  # [species, n] fraction of time site (s, j) is held
    unbound_fraction: np.ndarray  # [species] time-averaged fraction of copies in the reservoir
    open_fraction: np.ndarray  # [n] fraction of time each closed locus is unwrapped
    closed: np.ndarray  # [n] bool, loci that start wrapped
    energies: np.ndarray  # [species, n] intrinsic energies (kT_ref), as passed
    k_on: np.ndarray  # [species] binding rate per free copy and free site
    k0: float
    kT: float

    @property
    def n_loci(self) -> int:
        return int(self.energies.shape[1])

    @property
    def n_species(self) -> int:
        return int(self.energies.shape[0])

    @property
    def reservoir_weight(self) -> np.ndarray:
        """[species] w0 = k0 / k_on: each species' unbound weight (finite_pool_occupancy)."""
        return self.k0 / self.k_on


class _IndexSet:
    """A set of small ints with O(1) add, remove and uniform choice (swap-remove)."""

    def __init__(self, size: int) -> None:
        self.items: list[int] = []
        self.where = [-1] * size

    def add(self, x: int) -> None:
        if self.where[x] < 0:
            self.where[x] = len(self.items)
            self.items.append(x)

    def remove(self, x: int) -> None:
        i = self.where[x]
        if i >= 0:
            last = self.items.pop()
            if last != x:
                self.items[i] = last
                self.where[last] = i
            self.where[x] = -1

    def pick(self, u: float) -> int:
        return self.items[min(int(u * len(self.items)), len(self.items) - 1)]


def _as_species_rows(energies: np.ndarray) -> np.ndarray:
    eps = np.asarray(energies, dtype=np.float64)
    if eps.ndim == 1:
        eps = eps[None, :]
    if eps.ndim != 2 or eps.shape[0] == 0:
        raise ValueError(
            f"energies must be [n] or [species, n], got shape {eps.shape}; stack one row of "
            "binding_energies(...) per species."
        )
    for row in eps:
        _check_energies(row)
    return eps


def _per_species(value, n_species: int, name: str, dtype) -> np.ndarray:
    try:
        return np.broadcast_to(np.asarray(value, dtype=dtype), (n_species,)).copy()
    except ValueError:
        raise ValueError(
            f"{name} must be one value or one per species ({n_species}), got {value!r}."
        ) from None


def _check_options(copies, pioneer, pioneer_penalty, hold_open, k_on, k0, n_species):
    copies = _per_species(copies, n_species, "copies", np.int64)
    if np.any(copies < 1):
        raise ValueError(f"copies must be at least 1 per species, got {copies.tolist()}.")
    pioneer = _per_species(False if pioneer is None else pioneer, n_species, "pioneer", bool)
    if pioneer.any() and pioneer_penalty is None:
        raise ValueError(
            "A pioneer species needs a pioneer_penalty (kT): the cost of binding a "
            "nucleosome-wrapped site, about 5 to 12 kT (Polach & Widom 1995)."
        )
    if hold_open is not None and not (np.isfinite(hold_open) and hold_open >= 0):
        raise ValueError(f"hold_open must be a time >= 0 or None, got {hold_open!r}.")
    k_on = _per_species(k_on, n_species, "k_on", np.float64)
    for name, rate in (("k_on", k_on), ("k0", np.array([k0], dtype=np.float64))):
        if not np.all(np.isfinite(rate) & (rate > 0)):
            raise ValueError(f"{name} must be a positive finite rate, got {rate.tolist()}.")
    return copies, pioneer, k_on


def _off_rates(energies: np.ndarray, k0: float, kT: float) -> np.ndarray:
    """k_off = k0 exp(eps/kT); +inf marks a site that is never bound (its energy is +inf)."""
    finite = np.isfinite(energies)
    with np.errstate(over="ignore"):
        return np.where(finite, k0 * np.exp(np.where(finite, energies, 0.0) / kT), np.inf)


def _unbinding_rates(eps, closed, pioneer, pioneer_penalty, k0, kT):
    """k_off [species, n] of each site while its locus is wrapped, and while it is open."""
    wrapped = np.empty_like(eps)
    opened = np.empty_like(eps)
    for s, row in enumerate(eps):
        penalty = pioneer_penalty if pioneer[s] else None
        wrapped[s] = effective_energies(row, closed=closed, pioneer_penalty=penalty)
        # Once open, a pioneer pays no penalty (a key hidden by a causal mask keeps the
        # pioneer's price of the best open site); ordinary factors see their own energy.
        opened[s] = (effective_energies(row, closed=closed, pioneer_penalty=0.0) if pioneer[s]
                     else row)
    return _off_rates(wrapped, k0, kT), _off_rates(opened, k0, kT)


def simulate_molecules(
    energies: np.ndarray,
    *,
    events: int,
    rng: np.random.Generator | int,
    copies: int | np.ndarray = 1,
    kT: float = 1.0,
    k_on: float | np.ndarray = 1.0,
    k0: float = 1.0,
    closed: np.ndarray | None = None,
    pioneer: bool | np.ndarray | None = None,
    pioneer_penalty: float | None = None,
    hold_open: float | None = None,
) -> MoleculeTrajectory:
    """Simulate every species' copies at once ([species, n] energies) for `events` events.

    `copies`, `pioneer` and `k_on` are one value or one per species (k0 / k_on is each
    species' reservoir weight). A site whose energy is +inf (zero attention, or closed to a
    non-pioneer) is never bound. Same seed, same history. The log holds `events` events, or
    one more when the last step both opens a nucleosome and binds. With one copy per species
    and no opening the species are independent and are drawn in bulk (well over 1e6
    events/s); otherwise each event changes the next one's rates, and the event loop runs
    at about 1e5 events/s.
    """
    kT = _check_kT(kT)
    if int(events) != events or events < 1:
        raise ValueError(f"events must be a positive integer, got {events!r}.")
    eps = _as_species_rows(energies)  # [S, n]
    n_species, n = eps.shape
    mask = _check_closed(closed, n)
    copies, pioneer, k_on = _check_options(copies, pioneer, pioneer_penalty, hold_open, k_on,
                                           k0, n_species)
    off_wrapped, off_open = _unbinding_rates(eps, mask, pioneer, pioneer_penalty, k0, kT)
    if not np.any(np.isfinite(off_wrapped)):
        raise ValueError(
            "No locus can be bound: every locus is closed or has zero attention. "
            "Open some chromatin, make a species a pioneer, or choose another query."
        )
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    if hold_open is None and np.all(copies == 1):
        return _independent_molecules(eps, off_wrapped, events=int(events), rng=rng,
                                      closed=mask, pioneer=pioneer,
                                      pioneer_penalty=pioneer_penalty, kT=kT, k_on=k_on,
                                      k0=float(k0))
    run = _Run(off_wrapped, off_open, mask, copies, pioneer, k_on,
               None if hold_open is None else float(hold_open))
    return run.simulate(int(events), rng, eps, kT=kT, k_on=k_on, k0=float(k0))


def _independent_molecules(eps, off_rates, *, events, rng, closed, pioneer, pioneer_penalty,
                           kT, k_on, k0) -> MoleculeTrajectory:
    """One copy per species and no opening: the species never interact, so the joint chain
    is the superposition of one single-molecule chain per species. Each is drawn in bulk
    (kinetics.simulate) and the histories are merged in time: the same process as the
    event loop, without a Python step per event. The next merged event ends the record
    (memorylessness makes its time the wait that would end the final state)."""
    n_species, n = eps.shape
    times, species, state, before, dwell = [], [], [], [], []
    for s in range(n_species):
        if not np.isfinite(off_rates[s]).any():
            continue  # this species can bind nowhere (every k_off is inf): it never moves
        penalty = pioneer_penalty if pioneer[s] else None
        one = kinetics.simulate(eps[s], events=events + 1, rng=rng, kT=kT, k_on=float(k_on[s]),
                                k0=k0, closed=closed, pioneer_penalty=penalty)
        times.append(one.times)  # [events + 1]
        species.append(np.full(one.times.size, s))
        state.append(one.locus)  # [events + 1] the locus after each event (-1: unbound)
        before.append(np.concatenate(([kinetics.UNBOUND], one.locus[:-1])))
        dwell.append(one.dwell)  # [events + 1] time in that state
    times, species, dwell = np.concatenate(times), np.concatenate(species), np.concatenate(dwell)
    state, before = np.concatenate(state), np.concatenate(before)
    order = np.argsort(times, kind="stable")  # [all events] merged in time
    total = float(times[order[events]])
    logged = order[:events]
    binds = state[logged] >= 0
    occupancy = np.zeros((n_species, n))  # [S, n] time each site is held, up to total
    bound = state >= 0
    held = np.clip(np.minimum(times + dwell, total) - times, 0.0, None)  # [all events]
    np.add.at(occupancy, (species[bound], state[bound]), held[bound])
    return MoleculeTrajectory(
        times=readonly(times[logged]), kind=readonly(np.where(binds, BIND, UNBIND).astype(np.int8)),
        molecule=readonly(species[logged].astype(np.int32)),
        locus=readonly(np.where(binds, state[logged], before[logged]).astype(np.int32)),
        species_of=readonly(np.arange(n_species)), total_time=total,
        time_averaged_occupancy=readonly(occupancy / total),
        unbound_fraction=readonly(1.0 - occupancy.sum(axis=1) / total),
        open_fraction=readonly(np.zeros(n)), closed=readonly(closed.copy()),
        energies=readonly(eps.copy()), k_on=readonly(k_on), k0=k0, kT=kT,
    )


class _Log:
    """Preallocated event columns, trimmed to what was logged."""

    def __init__(self, capacity: int) -> None:
        self.times = np.empty(capacity)
        self.kind = np.empty(capacity, dtype=np.int8)
        self.molecule = np.empty(capacity, dtype=np.int32)
        self.locus = np.empty(capacity, dtype=np.int32)
        self.size = 0

    def add(self, t: float, kind: int, molecule: int, locus: int) -> None:
        i = self.size
        self.times[i], self.kind[i], self.molecule[i], self.locus[i] = t, kind, molecule, locus
        self.size = i + 1

    def arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(readonly(a[: self.size].copy())
                     for a in (self.times, self.kind, self.molecule, self.locus))


class _Run:
    """Mutable state of one simulation; plain Python lists, since the loop is per event."""

    def __init__(self, off_wrapped, off_open, closed, copies, pioneer, k_on, hold_open):
        self.n_species, self.n = off_wrapped.shape
        self.off_wrapped = off_wrapped.tolist()
        self.off_open = off_open.tolist()
        self.closed = closed.tolist()
        self.pioneer = pioneer.tolist()
        self.k_on = k_on.tolist()
        # None: nucleosomes never open; inf: they re-wrap the moment the locus empties.
        self.rewrap_rate = (None if hold_open is None
                            else np.inf if hold_open == 0 else 1.0 / hold_open)
        self.species_of = np.repeat(np.arange(self.n_species), copies)  # [molecules]
        self.free = [_IndexSet(self.species_of.size) for _ in range(self.n_species)]
        for m, s in enumerate(self.species_of.tolist()):
            self.free[s].add(m)
        self.wrapped = list(self.closed)
        self.holder = [[-1] * self.n for _ in range(self.n_species)]  # molecule on (s, j)
        self.sites = [_IndexSet(self.n) for _ in range(self.n_species)]  # free, accessible
        for s in range(self.n_species):
            for j in range(self.n):
                if self._accessible(s, j):
                    self.sites[s].add(j)
        self.crowd = [0] * self.n  # molecules bound at each locus
        self.bound = _IndexSet(self.species_of.size)  # bound molecules
        self.place = [-1] * self.species_of.size
        self.k_off = [0.0] * self.species_of.size  # fixed when the molecule binds
        self.since = [0.0] * self.species_of.size
        self.to_rewrap = _IndexSet(self.n)  # opened, now empty, waiting to re-wrap
        self.occ = np.zeros((self.n_species, self.n))
        self.opened_at = [0.0] * self.n
        self.open_time = np.zeros(self.n)

    def _accessible(self, s: int, j: int) -> bool:
        rates = self.off_wrapped if self.wrapped[j] else self.off_open
        return self.holder[s][j] < 0 and rates[s][j] != np.inf

    def _refresh(self, j: int) -> None:
        for s in range(self.n_species):
            if self._accessible(s, j):
                self.sites[s].add(j)
            else:
                self.sites[s].remove(j)

    def simulate(self, events, rng, eps, *, kT, k_on, k0) -> MoleculeTrajectory:
        waits = rng.standard_exponential(events + 1).tolist()  # unit-rate waiting times
        picks = rng.random((events, 2)).tolist()  # [events, 2] which event, which target
        log = _Log(events + 1)  # an opening and its binding are logged together
        t = 0.0
        for step in range(events):
            if log.size >= events:
                break
            rates = self._rates_now()
            t += waits[step] / sum(rates[0] + rates[1] + rates[2])
            self._fire(t, picks[step], rates, log)
        rates = self._rates_now()
        total = t + waits[events] / sum(rates[0] + rates[1] + rates[2])
        self._finish(total)
        per_species = np.bincount(self.species_of, minlength=self.n_species)  # [S] copies
        closed = np.asarray(self.closed, dtype=bool)
        times, kind, molecule, locus = log.arrays()
        return MoleculeTrajectory(
            times=times, kind=kind, molecule=molecule, locus=locus,
            species_of=readonly(self.species_of), total_time=total,
            time_averaged_occupancy=readonly(self.occ / total),
            unbound_fraction=readonly(1.0 - self.occ.sum(axis=1) / total / per_species),
            open_fraction=readonly(np.where(closed, self.open_time / total, 0.0)),
            closed=readonly(closed), energies=readonly(eps.copy()), k_on=readonly(k_on),
            k0=k0, kT=kT,
        )

    def _rates_now(self) -> tuple[list[float], list[float], list[float]]:
        """Rates of every possible event: binding per species, unbinding per bound
        molecule (in self.bound.items order), re-wrapping of all waiting loci."""
        binding = [self.k_on[s] * len(self.free[s].items) * len(self.sites[s].items)
                   for s in range(self.n_species)]
        unbinding = [self.k_off[m] for m in self.bound.items]
        waiting = len(self.to_rewrap.items)
        return binding, unbinding, [self.rewrap_rate * waiting] if waiting else []

    def _fire(self, t: float, pick: list[float], rates, log: _Log) -> None:
        """Draw one event in proportion to its rate and apply it at time t."""
        binding, unbinding, rewrap = rates
        target = pick[0] * sum(binding + unbinding + rewrap)
        for s, rate in enumerate(binding):
            if target < rate:
                self._bind(t, s, pick[1], log)
                return
            target -= rate
        for m, rate in zip(list(self.bound.items), unbinding, strict=True):
            if target < rate:
                self._unbind(t, m, log)
                return
            target -= rate
        if rewrap:
            self._close(self.to_rewrap.pick(pick[1]), t, log)
            return
        # Rounding left target a hair above the last rate: take the last event instead.
        self._unbind(t, self.bound.items[-1], log)

    def _bind(self, t: float, s: int, u: float, log: _Log) -> None:
        j = self.sites[s].pick(u)
        m = self.free[s].pick((u * len(self.sites[s].items)) % 1.0)  # the fraction is uniform
        self.k_off[m] = (self.off_wrapped if self.wrapped[j] else self.off_open)[s][j]
        if self.wrapped[j] and self.rewrap_rate is not None and self.pioneer[s]:
            log.add(t, OPEN, NUCLEOSOME, j)
            self.wrapped[j] = False
            self.opened_at[j] = t
            self._refresh(j)
        self.free[s].remove(m)
        self.bound.add(m)
        self.place[m] = j
        self.since[m] = t
        self.holder[s][j] = m
        self.crowd[j] += 1
        self.to_rewrap.remove(j)
        self.sites[s].remove(j)
        log.add(t, BIND, m, j)

    def _unbind(self, t: float, m: int, log: _Log) -> None:
        s, j = int(self.species_of[m]), self.place[m]
        self.occ[s, j] += t - self.since[m]
        self.bound.remove(m)
        self.free[s].add(m)
        self.place[m] = -1
        self.holder[s][j] = -1
        self.crowd[j] -= 1
        if self._accessible(s, j):
            self.sites[s].add(j)
        log.add(t, UNBIND, m, j)
        if self.closed[j] and not self.wrapped[j] and self.crowd[j] == 0:
            if self.rewrap_rate == np.inf:
                self._close(j, t, log)
            else:
                self.to_rewrap.add(j)

    def _close(self, j: int, t: float, log: _Log) -> None:
        self.to_rewrap.remove(j)
        self.wrapped[j] = True
        self.open_time[j] += t - self.opened_at[j]
        self._refresh(j)
        log.add(t, CLOSE, NUCLEOSOME, j)

    def _finish(self, total: float) -> None:
        """Credit the time from each state's start to the end of the observation."""
        for m in self.bound.items:
            self.occ[int(self.species_of[m]), self.place[m]] += total - self.since[m]
        for j in range(self.n):
            if self.closed[j] and not self.wrapped[j]:
                self.open_time[j] += total - self.opened_at[j]
