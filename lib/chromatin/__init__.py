"""Pure-numpy chromatin model: TF binding energies, equilibrium, kinetics, species.

Softmax is a Boltzmann distribution (Shea & Ackers 1985; Bintu et al. 2005), so an
attention row maps to binding energies whose occupancy reproduces it exactly.
"""

from lib.chromatin.energies import binding_energies, effective_energies
from lib.chromatin.equilibrium import (
    ManyCopies,
    Occupancy,
    equilibrium_occupancy,
    many_copies_occupancy,
    reservoir_weight_for,
)
from lib.chromatin.kinetics import (
    UNBOUND,
    KineticFrames,
    Trajectory,
    kinetic_frames,
    running_tv_distance,
    simulate,
)
from lib.chromatin.species import SpeciesOccupancy, species_occupancy

__all__ = [
    "UNBOUND",
    "KineticFrames",
    "ManyCopies",
    "Occupancy",
    "SpeciesOccupancy",
    "Trajectory",
    "binding_energies",
    "effective_energies",
    "equilibrium_occupancy",
    "kinetic_frames",
    "many_copies_occupancy",
    "reservoir_weight_for",
    "running_tv_distance",
    "simulate",
    "species_occupancy",
]
