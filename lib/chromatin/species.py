"""Several TF species at once: one species per selected attention head.

Each head's row defines its own binding energies (Shea & Ackers 1985; Bintu et al. 2005,
Curr Opin Genet Dev 15:116), so each species has its own Boltzmann occupancy. Species are
treated as independent (no cooperativity; Mirny 2010 discusses what that leaves out), so
the combined picture is the mean occupancy over species, which equals the head-mean
attention row at the reference temperature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.chromatin.energies import binding_energies
from lib.chromatin.equilibrium import equilibrium_occupancy, reservoir_weight_for
from lib.frozen import readonly


@dataclass(frozen=True, eq=False)
class SpeciesOccupancy:
    """Per-species energies and occupancies, plus their combined (mean) view."""

    energies: np.ndarray  # [species, n] in kT_ref; +inf where a species never binds
    occupancy: np.ndarray  # [species, n]
    unbound: np.ndarray  # [species] probability each species is in its reservoir
    combined: np.ndarray  # [n] mean occupancy over species
    combined_unbound: float  # mean unbound probability over species
    kT: float


def species_occupancy(
    rows: np.ndarray,
    *,
    kT: float = 1.0,
    closed: np.ndarray | None = None,
    reservoirs: np.ndarray | None = None,
    pioneer_penalty: float | None = None,
) -> SpeciesOccupancy:
    """Occupancy of one TF species per attention row (rows: [species, n]).

    `reservoirs` ([species], optional) is each head's attention mass on special tokens at
    this kT; each species then gets the unbound weight that reproduces it exactly
    (reservoir_weight_for). Energies use reference="max" per species.
    """
    a = np.asarray(rows, dtype=np.float64)  # [species, n]
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(
            f"Rows must be a 2-D array [species, n] (one attention row per head), got {a.shape}; "
            "stack the selected heads' rows, e.g. attentions[layer, heads, query]."
        )
    if reservoirs is None:
        res = np.zeros(a.shape[0])
    else:
        res = np.asarray(reservoirs, dtype=np.float64)
        if res.shape != (a.shape[0],):
            raise ValueError(
                f"Reservoirs must have one entry per species ({a.shape[0]}), got {res.shape}."
            )
    energies = np.empty_like(a)
    occ = np.empty_like(a)
    unbound = np.empty(a.shape[0])
    for s in range(a.shape[0]):  # a handful of heads: the loop is not the hot path
        energies[s] = binding_energies(a[s])
        w0 = reservoir_weight_for(
            res[s], energies[s], kT=kT, closed=closed, pioneer_penalty=pioneer_penalty
        )
        eq = equilibrium_occupancy(
            energies[s], kT=kT, reservoir_weight=w0, closed=closed, pioneer_penalty=pioneer_penalty
        )
        occ[s] = eq.occupancy
        unbound[s] = eq.unbound
    return SpeciesOccupancy(
        energies=readonly(energies),
        occupancy=readonly(occ),
        unbound=readonly(unbound),
        combined=readonly(occ.mean(axis=0)),
        combined_unbound=float(unbound.mean()),
        kT=float(kT),
    )
