"""The numbers behind each Learn-page figure, computed from real attention and lib.chromatin.

Every figure that says "chromatin" uses the identity of Shea & Ackers (1985) and Bintu et
al. (2005): an attention row a gives energies eps_j = -ln a_j, whose Boltzmann occupancy is
a again. Kinetics follow Gillespie (1977) as implemented in lib.chromatin.kinetics; the
many-copies and concentration views use the Fermi-Dirac occupancy of Bintu et al. (2005).
Attention rows come from lib.attention.relevance (Vaswani et al. 2017 attention; rollout of
Abnar & Zuidema 2020 where asked for).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.attention.extract import AttentionResult
from lib.attention.relevance import HeadChoice, Level, SpecialMode, label_index, select_relevance
from lib.chromatin import (
    binding_energies,
    equilibrium_occupancy,
    kinetic_frames,
    many_copies_occupancy,
    simulate,
)
from lib.chromatin.scene_model import (
    SCENE_EVENTS,
    SEARCH_SHARE,
    ChromatinScene,
    scene_from_attention,
)
from lib.frozen import readonly


def find_label(labels: list[str] | tuple[str, ...], word: str | None, *, fallback: int) -> int:
    """Index of the first label equal to ``word`` (case-insensitive), else ``fallback``."""
    found = label_index(labels, word)
    return fallback if found is None else found


# ---------------------------------------------------------------------------------------
# Analogy figures
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ReceivedShare:
    labels: tuple[str, ...]  # [n] tokens (loci)
    share: np.ndarray  # [n] fraction of all attention (mean of heads, word queries) received
    special: np.ndarray  # bool [n]


def received_share(result: AttentionResult, *, layer: int) -> ReceivedShare:
    """How much attention each token receives, averaged over heads and over word queries.

    Columns of the head-mean matrix summed over the non-special query rows, normalised to
    one: a few tokens (often [CLS]/[SEP] and content words) take most of it.
    """
    matrix = result.attentions[layer].mean(axis=0, dtype=np.float64)  # [seq, seq]
    queries = (
        ~result.special_mask if (~result.special_mask).any() else np.ones(result.seq_len, bool)
    )
    received = matrix[queries].sum(axis=0)  # [seq]
    return ReceivedShare(
        tuple(result.tokens),
        readonly(received / received.sum()),
        readonly(result.special_mask.copy()),
    )


def rows_across_layers(
    result: AttentionResult,
    *,
    query: int,
    head: HeadChoice = "mean",
    level: Level = "token",
    special: SpecialMode = "keep",
) -> tuple[tuple[str, ...], np.ndarray]:
    """One query's attention row at every layer: labels [n] and rows [layers, n].

    Each layer has its own trained query and key projections, so the same prompt and the
    same query get a different row at each layer: fixed rules applied to one context.
    """
    rows = []
    labels: tuple[str, ...] = ()
    for layer in range(result.num_layers):
        rel = select_relevance(
            result, query=query, layer=layer, head=head, level=level, special=special
        )
        rows.append(rel.weights)
        labels = rel.labels
    return labels, readonly(np.stack(rows))


@dataclass(frozen=True, eq=False)
class TemperatureComparison:
    tempered_attention: np.ndarray  # [n] softmax(s/T), computed as a^(1/T) renormalised
    occupancy: np.ndarray  # [n] Boltzmann occupancy at kT = T of energies -ln a
    max_difference: float
    entropy_bits: float  # of the tempered row: high = spread out, low = picky


def temperature_comparison(weights: np.ndarray, *, temperature: float) -> TemperatureComparison:
    """softmax(s/T) beside the Boltzmann occupancy at kT = T: the same numbers, two formulas."""
    a = np.asarray(weights, dtype=np.float64)  # [n]
    with np.errstate(divide="ignore"):
        logs = np.where(a > 0, np.log(np.where(a > 0, a, 1.0)), -np.inf) / temperature
    tempered = np.exp(logs - logs.max())
    tempered /= tempered.sum()
    occupancy = equilibrium_occupancy(binding_energies(a), kT=temperature).occupancy
    positive = tempered[tempered > 0]
    return TemperatureComparison(
        readonly(tempered),
        occupancy,
        float(np.abs(tempered - occupancy).max()),
        float(-(positive * np.log2(positive)).sum()),
    )


# ---------------------------------------------------------------------------------------
# Limitation figures
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CopiesComparison:
    occupancy: np.ndarray  # [n] per-locus occupancy
    total: float  # sum of occupancy: 1 for one molecule, n for n copies
    model: str  # "Boltzmann (one molecule)" or "Fermi-Dirac (n copies)"
    mu: float | None  # chemical potential for many copies (kT units)


def copies_comparison(weights: np.ndarray, *, copies: int, kT: float = 1.0) -> CopiesComparison:
    """Occupancy of the loci by ``copies`` TF molecules, from one attention row.

    copies = 1: the exact one-molecule Boltzmann occupancy, which equals the row (sum 1).
    copies > 1: each locus fills on its own, 1/(1 + exp((eps_j - mu)/kT)) with mu set so
    the occupancies add up to ``copies`` (grand-canonical; needs fewer copies than loci).
    """
    a = np.asarray(weights, dtype=np.float64)
    energies = binding_energies(a)
    if int(copies) != copies or copies < 1:
        raise ValueError(f"Copies must be a whole number >= 1, got {copies!r}.")
    if copies == 1:
        occ = equilibrium_occupancy(energies, kT=kT).occupancy
        return CopiesComparison(occ, float(occ.sum()), "Boltzmann (one molecule)", None)
    many = many_copies_occupancy(energies, copies=float(copies), kT=kT)
    return CopiesComparison(
        many.occupancy, float(many.occupancy.sum()), f"Fermi-Dirac ({copies} copies)", many.mu
    )


@dataclass(frozen=True, eq=False)
class SeedTraces:
    times: np.ndarray  # [frames] shared simulated time axis
    traces: np.ndarray  # [seeds, frames] running occupancy of the tracked locus
    seeds: tuple[int, ...]
    locus: int
    target: float  # the attention weight (equilibrium occupancy) of that locus


def seed_traces(
    weights: np.ndarray,
    *,
    seeds: tuple[int, ...] | list[int],
    events: int = 400,
    frames: int = 80,
    locus: int | None = None,
) -> SeedTraces:
    """Kinetic runs from different seeds: the running occupancy of one locus over time.

    Each run is an exact Gillespie simulation of the same energies; only the random
    numbers differ, so the histories differ while all approach the same equilibrium.
    The time axis is cut at the shortest run so every trace covers it.
    """
    a = np.asarray(weights, dtype=np.float64)
    energies = binding_energies(a)
    tracked = int(np.argmax(a)) if locus is None else int(locus)
    runs = [simulate(energies, events=events, rng=int(seed)) for seed in seeds]
    t_max = min(run.total_time for run in runs)
    snaps = [kinetic_frames(run, frames=frames, t_max=t_max) for run in runs]
    traces = np.stack([snap.occupancy[:, tracked] for snap in snaps])  # [seeds, frames]
    return SeedTraces(
        snaps[0].times,
        readonly(traces),
        tuple(int(s) for s in seeds),
        tracked,
        float(a[tracked] / a.sum()),
    )


@dataclass(frozen=True, eq=False)
class GatedOccupancy:
    occupancy: np.ndarray  # [n]
    closed: np.ndarray  # bool [n]
    closed_share: float  # occupancy that lands on closed loci (0 without a pioneer)


def gated_occupancy(
    weights: np.ndarray, *, closed: np.ndarray, pioneer_penalty: float | None = None
) -> GatedOccupancy:
    """Occupancy when some loci are closed; a pioneer reaches them at +penalty kT.

    Raises ValueError (with what to do) when every locus is closed and there is no pioneer.
    """
    a = np.asarray(weights, dtype=np.float64)
    mask = np.asarray(closed, dtype=bool)
    eq = equilibrium_occupancy(binding_energies(a), closed=mask, pioneer_penalty=pioneer_penalty)
    return GatedOccupancy(eq.occupancy, readonly(mask.copy()), float(eq.occupancy[mask].sum()))


INSTRUCTION_SOURCES: tuple[tuple[str, str | None], ...] = (
    ("DNA sequence (motif fit)", "binding energies, from the attention row"),
    ("chromatin accessibility", "the open / closed mask on loci"),
    ("histone marks", None),
    ("signalling pathways", None),
    ("regulatory RNAs", None),
    ("3D folding of the genome", None),
)


def instruction_occupancy(
    weights: np.ndarray, *, sources: set[str] | frozenset[str], closed: np.ndarray
) -> np.ndarray:
    """Occupancy [n] with only the chosen instruction sources switched on.

    Only the first two sources exist in the simulation: without sequence every locus has the
    same energy; without accessibility nothing is closed. The others change nothing, which
    is the point: the app has no variable for them.
    """
    a = np.asarray(weights, dtype=np.float64)
    energies = binding_energies(a) if INSTRUCTION_SOURCES[0][0] in sources else np.zeros(a.size)
    mask = np.asarray(closed, dtype=bool)
    if INSTRUCTION_SOURCES[1][0] not in sources or mask.all():
        mask = np.zeros(a.size, dtype=bool)
    return equilibrium_occupancy(energies, closed=mask).occupancy


def demo_closed(n: int) -> np.ndarray:
    """The closed pattern the demos share: every third locus from the second (bool [n])."""
    closed = np.zeros(n, dtype=bool)
    if n > 1:
        closed[1::3] = True
    return closed


FREE_POOL_SHARE = 0.5  # with a pool of free factor, each molecule is unbound half the time


def physical_scene(
    weights: np.ndarray,
    labels: tuple[str, ...],
    *,
    nucleosomes: bool,
    free_pool: bool,
    time: bool,
    seed: int = 0,
) -> ChromatinScene:
    """The chromatin scene with physical ingredients the attention row has no slot for.

    nucleosomes: every third locus, starting from the second, is wrapped (closed).
    free_pool: the molecule spends half its time unbound (the "softmax +1" reservoir).
    time: a seeded kinetic run to play, instead of the still equilibrium average.
    Without any ingredient the scene is the row itself: its occupancy equals the attention.
    """
    a = np.asarray(weights, dtype=np.float64)
    closed = demo_closed(a.size) if nucleosomes else np.zeros(a.size, dtype=bool)
    unbound = FREE_POOL_SHARE if free_pool else (SEARCH_SHARE if time else 0.0)
    return scene_from_attention(a, labels, species=("TF",), closed=closed, unbound=unbound,
                                events=SCENE_EVENTS if time else None, seed=seed)
