"""Equilibrium occupancy of gene loci: one TF (Boltzmann = softmax) and many TFs (Fermi-Dirac).

Statistical-mechanical model of TF binding (Shea & Ackers 1985, J Mol Biol 181:211;
Bintu et al. 2005, "Transcriptional regulation by the numbers: models",
Curr Opin Genet Dev 15:116). One molecule on N loci with energies eps_j:

    p_j = exp(-eps_j/kT) / (w0 + sum_k exp(-eps_k/kT))

which is softmax(-eps/kT); the optional unbound state of weight w0 is "softmax plus one"
(E. Miller 2023, "Attention is off by one"), the way a head can attend to nothing.

With many copies at chemical potential mu each locus fills independently,
p_j = 1 / (1 + exp((eps_j - mu)/kT)): a per-site sigmoid, not a softmax. Occupancies then
no longer sum to one and sites saturate, where attention cannot (Mirny 2010, PNAS 107:22534,
discusses such independent and cooperative occupancy of sites by many TF copies).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.chromatin.energies import _check_kT, effective_energies
from lib.frozen import readonly


def _logsumexp(x: np.ndarray) -> float:
    """log(sum(exp(x))) without overflow; -inf for an empty or all -inf input."""
    if x.size == 0:
        return -np.inf
    m = float(np.max(x))
    if not np.isfinite(m):
        return m
    return m + float(np.log(np.sum(np.exp(x - m))))


@dataclass(frozen=True, eq=False)
class Occupancy:
    """Equilibrium of one TF molecule over n loci plus an optional unbound state."""

    occupancy: np.ndarray  # [n] probability the TF sits on each locus
    unbound: float  # probability it is in the unbound reservoir (0 when w0 == 0)
    partition: float  # Z = w0 + sum_k exp(-eps_k/kT); may be inf/0 for extreme energies
    log_partition: float  # ln Z, always finite
    energies: np.ndarray  # [n] effective energies used (+inf = unreachable)
    kT: float


@dataclass(frozen=True, eq=False)
class ManyCopies:
    """Equilibrium of many TF copies held at chemical potential mu (grand canonical)."""

    occupancy: np.ndarray  # [n] each in [0, 1]; sums to `copies`
    mu: float  # chemical potential in kT_ref units
    copies: float
    residual: float  # sum(occupancy) - copies after the root find
    energies: np.ndarray  # [n] effective energies used
    kT: float


def equilibrium_occupancy(
    energies: np.ndarray,
    *,
    kT: float = 1.0,
    reservoir_weight: float = 0.0,
    closed: np.ndarray | None = None,
    pioneer_penalty: float | None = None,
) -> Occupancy:
    """Boltzmann occupancy of one TF: p_j = exp(-eps_j/kT) / (w0 + sum_k exp(-eps_k/kT)).

    Closed loci are never occupied unless `pioneer_penalty` (kT) is given; then they bind
    with eps_j + penalty (see effective_energies). Computed in log space, so energies of
    any size are safe. With energies from binding_energies(a) and kT=1 the occupancy is a
    (normalised) to machine precision.
    """
    kT = _check_kT(kT)
    eps = effective_energies(energies, closed=closed, pioneer_penalty=pioneer_penalty)  # [n]
    w0 = float(reservoir_weight)
    if not (np.isfinite(w0) and w0 >= 0):
        raise ValueError(
            f"The argument reservoir_weight must be finite and >= 0, got {reservoir_weight!r}; "
            "build it with reservoir_weight_for(reservoir, energies)."
        )
    log_w = -eps / kT  # [n], -inf where unreachable
    log_w0 = np.log(w0) if w0 > 0 else -np.inf
    log_z = _logsumexp(np.append(log_w, log_w0))
    if not np.isfinite(log_z):
        raise ValueError(
            "No locus can be bound: every locus is closed or has zero attention. "
            "Open some chromatin, pass a pioneer_penalty, or choose another query."
        )
    occ = np.exp(log_w - log_z)  # [n]
    unbound = float(np.exp(log_w0 - log_z))
    with np.errstate(over="ignore"):
        partition = float(np.exp(log_z))
    return Occupancy(
        occupancy=readonly(occ),
        unbound=unbound,
        partition=partition,
        log_partition=float(log_z),
        energies=readonly(eps),
        kT=kT,
    )


def reservoir_weight_for(
    reservoir: float,
    energies: np.ndarray,
    *,
    kT: float = 1.0,
    closed: np.ndarray | None = None,
    pioneer_penalty: float | None = None,
) -> float:
    """Weight w0 of the unbound state that makes the chromatin side unbound with mass r.

    Derivation: with S = sum_k exp(-eps_k/kT) over reachable loci, the unbound probability
    is w0 / (w0 + S). Setting it to r and solving gives

        w0 = r / (1 - r) * S.

    For energies from binding_energies(a) at kT=1, S = sum(a) / a_max with reference="max"
    and S = sum(a) = 1 - r with reference="none" (then w0 = r exactly: Miller's "+1" term
    scaled by the reservoir). Pass the reservoir mass measured at the same temperature
    as `kT`, so both sides show the same unbound mass at every slider position.
    """
    r = float(reservoir)
    if not (0.0 <= r < 1.0):
        raise ValueError(
            f"Reservoir must be in [0, 1), got {reservoir!r}; a reservoir of 1 means the "
            "head attends only to special tokens, so there is nothing to bind."
        )
    if r == 0.0:
        return 0.0
    kT = _check_kT(kT)
    eps = effective_energies(energies, closed=closed, pioneer_penalty=pioneer_penalty)
    log_s = _logsumexp(-eps / kT)
    if not np.isfinite(log_s):
        raise ValueError("No reachable locus: cannot size the reservoir against zero binding.")
    with np.errstate(over="ignore"):
        return float(np.exp(np.log(r) - np.log1p(-r) + log_s))


def _fermi(eps: np.ndarray, mu: float, kT: float) -> np.ndarray:
    """1 / (1 + exp((eps - mu)/kT)) without overflow; 0 for eps = +inf."""
    return np.exp(-np.logaddexp(0.0, (eps - mu) / kT))


def many_copies_occupancy(
    energies: np.ndarray,
    *,
    copies: float,
    kT: float = 1.0,
    closed: np.ndarray | None = None,
    pioneer_penalty: float | None = None,
) -> ManyCopies:
    """Occupancy with `copies` TF molecules: p_j = 1 / (1 + exp((eps_j - mu)/kT)).

    Each locus holds at most one TF and fills independently (Fermi-Dirac statistics);
    mu is solved so that sum_j p_j = copies (bracketed bisection, no scipy).

    Limit: as copies -> 0, mu -> -inf and exp((eps_j - mu)/kT) >> 1, so
    p_j ~= exp((mu - eps_j)/kT) = copies * softmax(-eps/kT)_j: the single-molecule
    Boltzmann row scaled by the copy number. Away from that limit strong sites saturate
    at 1 and the shape departs from softmax. Attention is always the single-molecule
    case: a row is normalised to one, it has no copy number and no saturation.
    """
    kT = _check_kT(kT)
    eps = effective_energies(energies, closed=closed, pioneer_penalty=pioneer_penalty)  # [n]
    reachable = np.isfinite(eps)
    n_acc = int(reachable.sum())
    c = float(copies)
    if not (np.isfinite(c) and 0 < c < n_acc):
        raise ValueError(
            f"The argument copies={copies!r} must be > 0 and below the {n_acc} accessible loci: "
            f"each locus holds at most one TF, so {n_acc} copies would fill every site (mu -> +inf). "
            "Lower the copy number or open more chromatin."
        )
    e = eps[reachable]
    # Bracket: sum p <= exp(mu/kT) * sum exp(-e/kT), and sum (1-p) <= exp(-mu/kT) * sum exp(e/kT).
    lo = kT * (np.log(c) - _logsumexp(-e / kT))
    hi = kT * (_logsumexp(e / kT) - np.log(n_acc - c))
    for _ in range(2000):
        mid = 0.5 * (lo + hi)
        if not (lo < mid < hi):
            break  # the bracket is as tight as float64 allows
        if _fermi(e, mid, kT).sum() < c:
            lo = mid
        else:
            hi = mid
    candidates = (lo, hi)
    residuals = [abs(_fermi(e, m, kT).sum() - c) for m in candidates]
    mu = float(candidates[int(np.argmin(residuals))])
    occ = _fermi(eps, mu, kT)  # [n]
    return ManyCopies(
        occupancy=readonly(occ),
        mu=mu,
        copies=c,
        residual=float(occ.sum() - c),
        energies=readonly(eps),
        kT=kT,
    )


@dataclass(frozen=True, eq=False)
class PoolOccupancy:
    """Equilibrium of a fixed pool of TF copies, one site per locus (site exclusion)."""

    occupancy: np.ndarray  # [n] probability each locus's site is held by a copy
    bound: np.ndarray  # [min(copies, reachable) + 1] probability that exactly b copies are bound
    mean_bound: float  # expected number of bound copies, sum(occupancy)
    unbound: float  # expected fraction of the copies in the reservoir
    copies: int
    energies: np.ndarray  # [n] effective energies used
    kT: float


def _elementary_symmetric(v: np.ndarray, order: int) -> np.ndarray:
    """e_0..e_order of v ([order + 1]): the coefficients of prod_j (1 + v_j t)."""
    e = np.zeros(order + 1)
    e[0] = 1.0
    for x in v:  # e_k <- e_k + x e_{k-1}, highest k first so each x is used once
        e[1:] += x * e[:-1]
    return e


def _leave_one_out_symmetric(v: np.ndarray, order: int) -> np.ndarray:
    """e_k of v without v_j, for every j: [n, order + 1], from prefix and suffix products.

    Avoids the subtraction e_k(v) - v_j e_{k-1}(v without j), which cancels badly when v_j
    dominates.
    """
    n = v.size
    prefix = np.zeros((n + 1, order + 1))  # prefix[j] = e(v[:j])
    suffix = np.zeros((n + 1, order + 1))  # suffix[j] = e(v[j:])
    prefix[0, 0] = suffix[n, 0] = 1.0
    for j in range(n):
        prefix[j + 1] = prefix[j]
        prefix[j + 1, 1:] += v[j] * prefix[j, :-1]
        k = n - 1 - j
        suffix[k] = suffix[k + 1]
        suffix[k, 1:] += v[k] * suffix[k + 1, :-1]
    out = np.zeros((n, order + 1))
    for k in range(order + 1):  # convolution of the two halves, vectorised over j
        out[:, k] = np.einsum("ji,ji->j", prefix[:n, : k + 1], suffix[1:, k::-1])
    return out


def finite_pool_occupancy(
    energies: np.ndarray,
    *,
    copies: int,
    reservoir_weight: float,
    kT: float = 1.0,
    closed: np.ndarray | None = None,
    pioneer_penalty: float | None = None,
) -> PoolOccupancy:
    """Exact occupancy of `copies` identical TFs sharing n loci, at most one per locus.

    This is the equilibrium of simulate_molecules: a copy binds a free locus at rate k_on
    and leaves at k_off_j = k0 exp(eps_j/kT). Detailed balance gives each configuration
    with a set B of bound loci the weight c!/(c-|B|)! prod_{j in B} u_j, where
    u_j = exp(-eps_j/kT) / w0 and w0 = k0/k_on (the falling factorial counts which of
    the c distinguishable copies are bound). Summing over B with |B| = b gives the
    elementary symmetric polynomial e_b(u), so

        Z = sum_b c!/(c-b)! e_b(u),    p_j = u_j sum_b c!/(c-b)! e_{b-1}(u without j) / Z.

    Limits: one copy gives equilibrium_occupancy(eps, reservoir_weight=w0), the softmax
    with the "+1" unbound state (Miller 2023); w0 -> 0 binds every copy (fixed number,
    canonical); many copies with c/w0 fixed gives independent Fermi-Dirac sites,
    many_copies_occupancy, at exp(mu/kT) = c/w0 (Bintu et al. 2005).
    """
    kT = _check_kT(kT)
    if int(copies) != copies or copies < 1:
        raise ValueError(f"copies must be a positive whole number of molecules, got {copies!r}.")
    copies = int(copies)
    w0 = float(reservoir_weight)
    if not (np.isfinite(w0) and w0 >= 0):
        raise ValueError(
            f"reservoir_weight must be finite and >= 0, got {reservoir_weight!r}; "
            "it is k0 / k_on, the weight of the unbound state."
        )
    eps = effective_energies(energies, closed=closed, pioneer_penalty=pioneer_penalty)  # [n]
    reachable = np.isfinite(eps)
    order = min(copies, int(reachable.sum()))
    if order == 0:
        raise ValueError(
            "No locus can be bound: every locus is closed or has zero attention. "
            "Open some chromatin, pass a pioneer_penalty, or choose another query."
        )
    log_w = -eps[reachable] / kT  # [m]
    log_scale = float(log_w.max())
    v = np.exp(log_w - log_scale)  # [m] in (0, 1]: e_b(u) = (s / w0)^b e_b(v), s = max weight
    b = np.arange(order + 1)
    log_falling = np.cumsum(np.log(np.concatenate(([1.0], copies - b[:-1]))))  # ln c!/(c-b)!
    if w0 > 0:
        log_coef = log_falling + b * (log_scale - np.log(w0))  # [order + 1]
    else:  # no reservoir: only the largest number of bound copies has weight
        log_coef = np.where(b == order, 0.0, -np.inf)
    with np.errstate(divide="ignore"):
        log_terms = log_coef + np.log(_elementary_symmetric(v, order))  # [order + 1]
    log_z = _logsumexp(log_terms)
    excl = _leave_one_out_symmetric(v, order)  # [m, order + 1]
    with np.errstate(divide="ignore"):
        log_num = _logsumexp_rows(log_coef[1:] + np.log(excl[:, :-1]))  # [m]
    occ = np.zeros(eps.size)
    occ[reachable] = v * np.exp(log_num - log_z)
    bound = np.exp(log_terms - log_z)
    mean_bound = float(occ.sum())
    return PoolOccupancy(
        occupancy=readonly(occ),
        bound=readonly(bound),
        mean_bound=mean_bound,
        unbound=1.0 - mean_bound / copies,
        copies=copies,
        energies=readonly(eps),
        kT=kT,
    )


def _logsumexp_rows(x: np.ndarray) -> np.ndarray:
    """Row-wise log(sum(exp(x))) of a 2-D array; -inf for an all -inf row."""
    m = np.max(x, axis=1)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.sum(np.exp(x - safe[:, None]), axis=1))
