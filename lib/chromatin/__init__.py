"""Pure-numpy chromatin model: TF binding energies, equilibrium, kinetics, species.

Softmax is a Boltzmann distribution (Shea & Ackers 1985; Bintu et al. 2005), so an
attention row maps to binding energies whose occupancy reproduces it exactly.
"""

from lib.chromatin.energies import binding_energies, effective_energies
from lib.chromatin.equilibrium import (
    ManyCopies,
    Occupancy,
    PoolOccupancy,
    equilibrium_occupancy,
    finite_pool_occupancy,
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
from lib.chromatin.molecules import MoleculeTrajectory, simulate_molecules
from lib.chromatin.species import SpeciesOccupancy, species_occupancy

__all__ = [
    "UNBOUND",
    "KineticFrames",
    "ManyCopies",
    "MoleculeTrajectory",
    "Occupancy",
    "PoolOccupancy",
    "SpeciesOccupancy",
    "Trajectory",
    "binding_energies",
    "effective_energies",
    "equilibrium_occupancy",
    "finite_pool_occupancy",
    "kinetic_frames",
    "many_copies_occupancy",
    "reservoir_weight_for",
    "running_tv_distance",
    "simulate",
    "simulate_molecules",
    "species_occupancy",
]
