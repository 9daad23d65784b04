"""Binding energies from an attention row: the inverse of the Boltzmann distribution.

One TF molecule on N loci with energies eps_j occupies locus j with probability
exp(-eps_j/kT) / sum_k exp(-eps_k/kT) (Shea & Ackers 1985, J Mol Biol 181:211;
Bintu et al. 2005, Curr Opin Genet Dev 15:116). That is softmax(-eps/kT), so an
attention row a is reproduced exactly by eps_j = -kT_ref ln a_j + const.

Temperature convention: energies are built at the reference kT_ref = 1. Evaluating the
occupancy at kT = T then gives p_j proportional to a_j^(1/T), which is softmax(logits / T):
one slider drives both the attention side and the chromatin side.

A zero weight (a masked key) is an infinite energy: that locus is never occupied.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Reference = Literal["max", "none"] | float


def _check_weights(weights: np.ndarray) -> np.ndarray:
    a = np.asarray(weights, dtype=np.float64)  # [n]
    if a.ndim != 1 or a.size == 0:
        raise ValueError(
            f"Weights must be a non-empty 1-D attention row, got shape {a.shape}; "
            "pass one query's row, e.g. attentions[layer, head, query]."
        )
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(
            "Weights must be finite and >= 0 (they are softmax outputs); "
            "check for NaN from the model or pass probabilities, not logits."
        )
    if not np.any(a > 0):
        raise ValueError(
            "Weights are all zero, so no locus can ever be bound; "
            "pick a query that can see at least one key."
        )
    return a


def binding_energies(
    weights: np.ndarray,
    *,
    kT: float = 1.0,
    reference: Reference = "max",
) -> np.ndarray:
    """Energies eps [n] (in units of kT_ref) whose Boltzmann occupancy at kT is `weights`.

    eps_j = -kT ln a_j + c. The constant c only shifts every energy and cancels in any
    occupancy without an unbound state. It is chosen by `reference`:

    - "max" (default): c = kT ln max(a), so the strongest locus has eps = 0 and every
      other locus sits eps_j = kT ln(a_max / a_j) >= 0 above it ("kT above the best site").
    - "none": c = 0, eps_j = -kT ln a_j. The Boltzmann weights are then a_j themselves,
      so the partition sum equals sum(a) (= 1 - reservoir for an attention row).
    - a float E: the strongest locus gets energy E (e.g. -15.3 to echo the LacI O1
      operator); every other locus keeps its gap above it.

    Zero weights give +inf (never occupied) without warnings. `kT` is the reference
    temperature at which the energies reproduce `weights`; keep it at 1 and vary the
    temperature in the occupancy functions instead.
    """
    a = _check_weights(weights)
    if not (np.isfinite(kT) and kT > 0):
        raise ValueError(f"The argument kT must be a positive finite number, got {kT!r}.")
    with np.errstate(divide="ignore"):
        eps = -kT * np.log(a)  # [n], +inf where a == 0
    if isinstance(reference, str):
        if reference == "max":
            return eps + kT * np.log(a.max())
        if reference == "none":
            return eps
        raise ValueError(f"Reference must be 'max', 'none' or a float, got {reference!r}.")
    offset = float(reference)
    if not np.isfinite(offset):
        raise ValueError(f"Reference energy must be finite, got {reference!r}.")
    return eps + kT * np.log(a.max()) + offset


def _check_energies(energies: np.ndarray) -> np.ndarray:
    eps = np.asarray(energies, dtype=np.float64)  # [n]
    if eps.ndim != 1 or eps.size == 0:
        raise ValueError(
            f"Energies must be a non-empty 1-D array (one per locus), got shape {eps.shape}; "
            "build them with binding_energies(weights)."
        )
    if np.any(np.isnan(eps)) or np.any(eps == -np.inf):
        raise ValueError(
            "Energies contain NaN or -inf; use +inf for a locus that can never be bound."
        )
    return eps


def _check_closed(closed: np.ndarray | None, n: int) -> np.ndarray:
    if closed is None:
        return np.zeros(n, dtype=bool)
    mask = np.asarray(closed)
    if mask.shape != (n,):
        raise ValueError(
            f"Closed must be a bool mask of shape ({n},) like the energies, got {mask.shape}."
        )
    return mask.astype(bool)


def _check_kT(kT: float) -> float:
    if not (np.isfinite(kT) and kT > 0):
        raise ValueError(
            f"The argument kT must be a positive finite number, got {kT!r}; "
            "use e.g. 1e-3 for a cold TF."
        )
    return float(kT)


def effective_energies(
    energies: np.ndarray,
    *,
    closed: np.ndarray | None = None,
    pioneer_penalty: float | None = None,
) -> np.ndarray:
    """Energies [n] the TF actually sees once chromatin gates access.

    Closed loci (a causal mask's hidden keys) are +inf: never bound. A pioneer factor
    (Zaret & Carroll 2011) reaches them at a cost: eps_j + pioneer_penalty. Under a causal
    mask the attention weight of a hidden key is exactly 0, so its own energy is +inf and
    carries no affinity; such a locus is then priced as the best open site plus the
    penalty (min finite open energy + penalty), a modelling choice that keeps the
    pioneer visible on decoder models.
    """
    eps = _check_energies(energies)
    mask = _check_closed(closed, eps.size)
    out = eps.copy()
    if not mask.any():
        return out
    if pioneer_penalty is None:
        out[mask] = np.inf
        return out
    penalty = float(pioneer_penalty)
    if not np.isfinite(penalty):
        raise ValueError(
            f"The argument pioneer_penalty must be finite (in kT), got {pioneer_penalty!r}."
        )
    open_finite = eps[~mask & np.isfinite(eps)]
    base = open_finite.min() if open_finite.size else 0.0
    out[mask] = np.where(np.isfinite(eps[mask]), eps[mask], base) + penalty
    return out
