"""Toy physical models of what the one-TF Boltzmann picture (softmax = occupancy) leaves out.

Each function is a small, exactly solvable model, chosen to make one limitation visible:

- concentration: with many copies at chemical potential mu = mu0 + kT ln(c/c0), each site
  fills along a Fermi-Dirac sigmoid (Bintu et al. 2005, Curr Opin Genet Dev 15:116;
  Phillips et al. 2012, Physical Biology of the Cell). Softmax has no such knob: adding a
  constant to every logit leaves the row unchanged.
- cooperativity: two neighbouring sites with a direct coupling omega (statistical weight
  omega * x^2 for both bound) and a nucleosome that covers both and must be evicted as a
  whole (weight L). Even with omega = 1 the nucleosome makes the sites cooperate
  (Mirny 2010, PNAS 107:22534, "Nucleosome-mediated cooperativity between transcription
  factors").
- non-equilibrium: a three-state cycle (closed -> open -> TF bound -> closed) whose rates
  obey detailed balance until an ATP-driven remodeller multiplies one rate by
  exp(drive/kT). A cycle with a non-zero affinity carries a net flux and its steady state
  is no longer Boltzmann (Schnakenberg 1976, Rev Mod Phys 48:571; Estrada et al. 2016,
  Cell 166:234, on energy expenditure in gene regulation).
- memory: a histone-mark level with positive feedback (marked nucleosomes recruit the
  writer that marks their neighbours) and dilution by half at each division. Strong
  feedback makes the locus bistable, so a brief signal is remembered for many divisions
  and a slow sweep of the signal shows hysteresis. This is a mean-field caricature of
  Dodd et al. 2007 (Cell 129:813, "Theoretical analysis of epigenetic cell memory by
  nucleosome modification"), not their stochastic model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.frozen import readonly


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    return value


def _non_negative(name: str, value: float) -> float:
    value = float(value)
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    return value


# ---------------------------------------------------------------------------------------
# Concentration
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ConcentrationOccupancy:
    occupancy: np.ndarray  # [n] each in [0, 1]
    mu: float  # chemical potential in kT units
    relative_concentration: float  # c / c0


def occupancy_at_concentration(
    energies: np.ndarray,
    *,
    relative_concentration: float,
    kT: float = 1.0,
    mu0: float | None = None,
) -> ConcentrationOccupancy:
    """Per-site occupancy 1/(1 + exp((eps_j - mu)/kT)) with mu = mu0 + kT ln(c/c0).

    mu0 defaults to the lowest (strongest) energy, so at c = c0 the best site is half full.
    Doubling c raises mu by kT ln 2 and lifts every site; the ranking of sites is unchanged.
    """
    eps = np.asarray(energies, dtype=np.float64)  # [n]
    if eps.ndim != 1 or eps.size == 0 or np.isnan(eps).any():
        raise ValueError("Energies must be a non-empty 1-D array without NaN (+inf = closed).")
    c = _positive("relative_concentration", relative_concentration)
    kT = _positive("kT", kT)
    finite = eps[np.isfinite(eps)]
    base = float(finite.min()) if mu0 is None and finite.size else float(mu0 or 0.0)
    mu = base + kT * np.log(c)
    occ = np.exp(-np.logaddexp(0.0, (eps - mu) / kT))  # [n], 0 on +inf
    return ConcentrationOccupancy(readonly(occ), float(mu), c)


def softmax(logits: np.ndarray) -> np.ndarray:
    """softmax over the last axis, shifted for stability; invariant to adding a constant."""
    s = np.asarray(logits, dtype=np.float64)
    z = np.exp(s - s.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------------------------
# Cooperativity (two sites, direct coupling and a shared nucleosome)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PairOccupancy:
    x: np.ndarray  # [k] relative concentration c/K_d of the factor (same for both sites)
    alone: np.ndarray  # [k] P(site A bound) when the partner site is absent
    with_partner: np.ndarray  # [k] P(site A bound) when site B is next to it
    both: np.ndarray  # [k] P(A and B bound together)
    open_fraction: np.ndarray  # [k] P(nucleosome evicted) with the partner present
    omega: float
    nucleosome: float


def pair_occupancy(x: np.ndarray, *, omega: float = 1.0, nucleosome: float = 0.0) -> PairOccupancy:
    """Occupancy of site A alone and beside a partner site B, from the partition functions

        alone:    Z1 = L + 1 + x                    P(A) = x / Z1
        partner:  Z2 = L + 1 + 2x + omega x^2       P(A) = (x + omega x^2) / Z2

    where x = c/K_d, omega is the direct interaction (omega = 1: none) and L is the
    weight of a nucleosome covering both sites, which no factor can bind (Mirny 2010).
    """
    xs = np.asarray(x, dtype=np.float64)  # [k]
    if xs.ndim != 1 or xs.size == 0 or (xs < 0).any() or not np.isfinite(xs).all():
        raise ValueError("The argument x must be a non-empty 1-D array of concentrations >= 0.")
    w = _positive("omega", omega)
    L = _non_negative("nucleosome", nucleosome)
    z1 = L + 1.0 + xs
    z2 = L + 1.0 + 2.0 * xs + w * xs**2
    return PairOccupancy(
        x=readonly(xs.copy()),
        alone=readonly(xs / z1),
        with_partner=readonly((xs + w * xs**2) / z2),
        both=readonly(w * xs**2 / z2),
        open_fraction=readonly((z2 - L) / z2),
        omega=w,
        nucleosome=L,
    )


def hill_coefficient(x: np.ndarray, p: np.ndarray, *, maximum: float = 1.0) -> float:
    """Effective Hill coefficient ln(81) / ln(x90/x10) of a rising curve p(x).

    x10 and x90 are where p reaches 10% and 90% of ``maximum``, the curve's true plateau
    (1 for an occupancy), not of the largest value in range, which a curve still rising at
    the end of the range would underestimate. Exactly 1 for a single independent site, up to
    2 for two perfectly cooperative sites. NaN if p does not cross both levels in the range.
    """
    xs = np.asarray(x, dtype=np.float64)
    ps = np.asarray(p, dtype=np.float64)
    top = _positive("maximum", maximum)
    if ps[0] > 0.1 * top or ps[-1] < 0.9 * top:
        return float("nan")
    lx = np.log(xs)
    x10 = np.interp(0.1 * top, ps, lx)
    x90 = np.interp(0.9 * top, ps, lx)
    return float(np.log(81.0) / (x90 - x10))


# ---------------------------------------------------------------------------------------
# Non-equilibrium: a driven three-state cycle
# ---------------------------------------------------------------------------------------

CYCLE_STATES: tuple[str, ...] = ("closed (nucleosome)", "open, empty", "open, TF bound")
CYCLE_ENERGIES: tuple[float, ...] = (0.0, 2.0, -1.0)  # kT; illustrative, not measured


@dataclass(frozen=True, eq=False)
class CycleSteadyState:
    states: tuple[str, ...]
    steady: np.ndarray  # [3] long-run occupancy of each state
    boltzmann: np.ndarray  # [3] exp(-E/kT)/Z, what equilibrium would give
    flux: float  # net probability current around closed -> open -> bound -> closed
    affinity: float  # ln(product of forward rates / product of backward rates) = drive/kT
    rates: np.ndarray  # [3, 3] rate i -> j (diagonal 0)


def cycle_rates(
    energies: np.ndarray, *, drive: float, kT: float = 1.0, k0: float = 1.0
) -> np.ndarray:
    """Rates [3, 3] of the ring 0 -> 1 -> 2 -> 0 and back.

    k_ij = k0 exp(-(E_j - E_i) / 2kT) satisfies detailed balance; the remodeller step
    0 -> 1 is then multiplied by exp(drive/kT), the free energy it spends per cycle.
    """
    e = np.asarray(energies, dtype=np.float64)
    if e.shape != (3,) or not np.isfinite(e).all():
        raise ValueError(f"Energies must be 3 finite numbers (one per state), got {e!r}.")
    kT = _positive("kT", kT)
    k0 = _positive("k0", k0)
    drive = float(drive)
    if not np.isfinite(drive):
        raise ValueError(f"Drive must be finite (in kT), got {drive!r}.")
    rates = np.zeros((3, 3))
    for i, j in ((0, 1), (1, 2), (2, 0), (1, 0), (2, 1), (0, 2)):
        rates[i, j] = k0 * np.exp(-(e[j] - e[i]) / (2.0 * kT))
    rates[0, 1] *= np.exp(drive / kT)
    return rates


def stationary(rates: np.ndarray) -> np.ndarray:
    """The stationary distribution p of a master equation with rates[i, j] (i -> j): p Q = 0."""
    r = np.asarray(rates, dtype=np.float64)
    q = r - np.diag(r.sum(axis=1))  # generator
    n = q.shape[0]
    a = np.vstack([q.T, np.ones(n)])
    b = np.append(np.zeros(n), 1.0)
    p, *_ = np.linalg.lstsq(a, b, rcond=None)
    p = np.clip(p, 0.0, None)
    return p / p.sum()


def driven_cycle(
    energies: np.ndarray = CYCLE_ENERGIES, *, drive: float, kT: float = 1.0
) -> CycleSteadyState:
    """Steady state of the three-state chromatin cycle with an ATP drive (in kT).

    drive = 0: detailed balance, steady = Boltzmann, flux = 0. drive > 0: a net flux runs
    closed -> open -> bound -> closed and the occupancies move away from Boltzmann.
    """
    e = np.asarray(energies, dtype=np.float64)
    rates = cycle_rates(e, drive=drive, kT=kT)
    p = stationary(rates)
    w = np.exp(-(e - e.min()) / kT)
    flux = p[0] * rates[0, 1] - p[1] * rates[1, 0]
    forward = rates[0, 1] * rates[1, 2] * rates[2, 0]
    backward = rates[1, 0] * rates[2, 1] * rates[0, 2]
    return CycleSteadyState(
        states=CYCLE_STATES,
        steady=readonly(p),
        boltzmann=readonly(w / w.sum()),
        flux=float(flux),
        affinity=float(np.log(forward / backward)),
        rates=readonly(rates),
    )


# ---------------------------------------------------------------------------------------
# Epigenetic memory: a bistable mark with dilution at division
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkParams:
    """Rates per cell cycle. Defaults are chosen to be bistable, not fitted to data."""

    feedback: float = 8.0  # max recruitment rate of the writer by marked nucleosomes
    half: float = 0.5  # mark level at half-maximal recruitment
    basal: float = 0.005  # spontaneous marking without signal or feedback
    erase: float = 2.0  # removal rate (demethylases, turnover)


def mark_rate(m: np.ndarray | float, signal: float, params: MarkParams) -> np.ndarray:
    """dm/dt = (basal + signal + feedback m^2/(half^2 + m^2)) (1 - m) - erase m."""
    m = np.asarray(m, dtype=np.float64)
    recruit = params.feedback * m**2 / (params.half**2 + m**2)
    return (params.basal + signal + recruit) * (1.0 - m) - params.erase * m


@dataclass(frozen=True, eq=False)
class MarkTrace:
    times: np.ndarray  # [k] in cell cycles
    mark: np.ndarray  # [k] fraction of marked nucleosomes at the locus
    signal: np.ndarray  # [k] the signal applied at each time
    divisions: np.ndarray  # [d] division times


def mark_memory(
    *,
    pulse: float,
    pulse_window: tuple[float, float] = (1.0, 1.25),
    cycles: int = 8,
    params: MarkParams = MarkParams(),
    steps_per_cycle: int = 200,
) -> MarkTrace:
    """Mark level over ``cycles`` cell cycles; a signal of strength ``pulse`` is on during
    ``pulse_window``. At each division (every whole cycle) the mark is halved, because new
    unmarked histones fill in; feedback either restores it (memory) or lets it fade.
    Forward Euler with a small step; the model is smooth and stiff only at huge rates.
    """
    strength = _non_negative("pulse", pulse)
    if int(cycles) != cycles or cycles < 1:
        raise ValueError(f"Cycles must be a positive integer, got {cycles!r}.")
    dt = 1.0 / steps_per_cycle
    k = int(cycles) * steps_per_cycle + 1
    times = np.arange(k) * dt  # [k]
    on = (times >= pulse_window[0]) & (times < pulse_window[1])
    signal = np.where(on, strength, 0.0)
    mark = np.empty(k)
    m = 0.0
    for i in range(k):
        if i > 0 and i % steps_per_cycle == 0:
            m *= 0.5  # division: marked histones are shared with unmarked new ones
        mark[i] = m
        m = float(np.clip(m + dt * mark_rate(m, signal[i], params), 0.0, 1.0))
    divisions = np.arange(1, int(cycles) + 1, dtype=np.float64)
    return MarkTrace(readonly(times), readonly(mark), readonly(signal), readonly(divisions))


def _settle(
    m: float, signal: float, params: MarkParams, *, steps: int = 4000, dt: float = 0.01
) -> float:
    for _ in range(steps):
        m = float(np.clip(m + dt * mark_rate(m, signal, params), 0.0, 1.0))
    return m


@dataclass(frozen=True, eq=False)
class Hysteresis:
    signals: np.ndarray  # [k] increasing
    rising: np.ndarray  # [k] steady mark when the signal is raised step by step from 0
    falling: np.ndarray  # [k] steady mark when it is lowered again from the top


def mark_hysteresis(signals: np.ndarray, *, params: MarkParams = MarkParams()) -> Hysteresis:
    """Steady mark level under a slow sweep of the signal, up and then down.

    Each step starts from the previous steady state, so a bistable locus stays on the
    branch it is on: the two sweeps differ (hysteresis). Without feedback they coincide.
    """
    s = np.asarray(signals, dtype=np.float64)
    if s.ndim != 1 or s.size < 2 or (np.diff(s) <= 0).any() or (s < 0).any():
        raise ValueError("Signals must be an increasing 1-D array of values >= 0.")
    rising = np.empty(s.size)
    m = 0.0
    for i, value in enumerate(s):
        m = _settle(m, value, params)
        rising[i] = m
    falling = np.empty(s.size)
    for i in range(s.size - 1, -1, -1):
        m = _settle(m, s[i], params)
        falling[i] = m
    return Hysteresis(readonly(s.copy()), readonly(rising), readonly(falling))
