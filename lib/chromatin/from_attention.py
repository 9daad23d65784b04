"""The bridge: one attention row drives the chromatin model, so both sides share numbers.

Energies come from the row at the reference temperature (kT = 1):
eps_j = -ln a_j + const (Shea & Ackers 1985; Bintu et al. 2005). The occupancy is then
evaluated at kT = T, which gives entries proportional to a_j^(1/T): exactly the attention
re-tempered by the same slider. Attention mass on special tokens becomes an unbound
reservoir of weight w0 ("softmax +1", Miller 2023), sized so both sides show the same
unbound mass at every temperature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.chromatin.energies import binding_energies
from lib.chromatin.equilibrium import Occupancy, equilibrium_occupancy, reservoir_weight_for


@dataclass(frozen=True)
class ChromatinState:
    energies: np.ndarray  # [n] binding energies in kT_ref (+inf on closed loci)
    closed: np.ndarray  # bool [n]
    reservoir_weight: float  # w0 of the unbound state
    equilibrium: Occupancy  # at kT = temperature
    temperature: float


def chromatin_from_attention(
    reference_weights: np.ndarray,
    *,
    temperature: float = 1.0,
    reservoir: float = 0.0,
    closed: np.ndarray | None = None,
    pioneer_penalty: float | None = None,
) -> ChromatinState:
    """Loci for one attention row at T=1 ``reference_weights`` [n], evaluated at kT=T.

    ``reservoir`` is the attention mass on special tokens at temperature T (0 if none).
    """
    weights = np.asarray(reference_weights, dtype=np.float64)  # [n]
    closed = np.zeros(weights.size, dtype=bool) if closed is None else np.asarray(closed, bool)
    energies = binding_energies(weights)
    w0 = reservoir_weight_for(
        reservoir, energies, kT=temperature, closed=closed, pioneer_penalty=pioneer_penalty
    )
    occupancy = equilibrium_occupancy(
        energies, kT=temperature, reservoir_weight=w0, closed=closed,
        pioneer_penalty=pioneer_penalty,
    )
    return ChromatinState(energies, closed, w0, occupancy, float(temperature))


def frames_in_window(frames, start: int, stop: int):
    """The same kinetic frames restricted to loci [start, stop) for a windowed scene.

    A TF bound outside the window shows as unbound there (it is off-screen).
    """
    from dataclasses import replace

    locus = np.where((frames.locus >= start) & (frames.locus < stop), frames.locus - start, -1)
    return replace(frames, locus=locus, occupancy=frames.occupancy[:, start:stop])
