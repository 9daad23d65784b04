"""One chromatin scene, as numbers: loci, TF species, equilibrium and a seeded trajectory.

The scene is what the browser draws and animates: a stretch of DNA with one locus per token,
nucleosomes on closed loci, and TF molecules binding and leaving. Every number it shows
comes from lib.chromatin: energies eps = -kT ln a (Shea & Ackers 1985; Bintu et al. 2005),
the equilibrium each species' time average converges to (finite_pool_occupancy), and a
Gillespie trajectory (Gillespie 1977) from simulate_molecules. Pioneers bind nucleosomal
DNA at a penalty (Zaret & Carroll 2011; Polach & Widom 1995); with hold_open they also open
it, a driven cycle whose time average leaves that equilibrium.

scene_payload encodes a scene compactly for the browser (arrays as little-endian
float32/uint16 in base64, event times as float32 differences); decode_scene_payload is
the reference decoder that the browser's scene.js mirrors.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lib.charts.palette import NUCLEOSOME_COLOUR, species_colour
from lib.chromatin.energies import binding_energies, effective_energies
from lib.chromatin.equilibrium import finite_pool_occupancy, reservoir_weight_for
from lib.chromatin.molecules import NUCLEOSOME, MoleculeTrajectory, simulate_molecules
from lib.frozen import readonly

# One silhouette per species, so species differ by shape as well as colour.
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "hexagon", "pentagon",
                           "star")
MAX_SPECIES = len(SHAPES)  # also the number of distinct Okabe-Ito species colours
PAYLOAD_VERSION = 1
SCENE_EVENTS = 4_000  # binding events a page's scene animates: about a minute at speed 1
SEARCH_SHARE = 0.05  # unbound share of a molecule with no reservoir: time to move between loci
_NONE16 = 0xFFFF  # uint16 code for "no molecule" (a nucleosome event)


def _private(x: np.ndarray) -> np.ndarray:
    """A frozen private copy: the scene never aliases the caller's arrays."""
    return readonly(np.array(x))


def _rows(x, n_species: int, n: int, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.shape != (n_species, n):
        raise ValueError(
            f"{name} must have shape ({n_species}, {n}) (one row per species, one column per "
            f"locus), got {np.shape(x)}."
        )
    return arr


@dataclass(frozen=True, eq=False)
class ChromatinScene:
    """Everything the scene shows. Build it with scene_from_attention, or directly."""

    labels: tuple[str, ...]  # [n] the token text of each locus (user text: never markup)
    closed: np.ndarray  # [n] bool, loci wrapped in a nucleosome
    species: tuple[str, ...]  # [S] species names
    attention: np.ndarray  # [S, n] each species' attention as the page shows it
    equilibrium: np.ndarray  # [S, n] fraction of time each site is held, at equilibrium
    energies: np.ndarray  # [S, n] binding energies in kT (+inf where never bound)
    unbound: np.ndarray  # [S] equilibrium fraction of each species' copies in the reservoir
    copies: np.ndarray  # [S] int, molecules per species
    pioneer: np.ndarray  # [S] bool, species that bind closed loci
    kT: float = 1.0
    k0: float = 1.0  # unbinding rate scale: mean dwell on locus j is exp(-eps_j/kT) / k0
    trajectory: MoleculeTrajectory | None = None
    numbers: tuple[int, ...] | None = None  # [n] the number the page's charts and pickers
    # give each locus (0-based); None: 0 to n - 1

    def __post_init__(self) -> None:
        n, n_species = len(self.labels), len(self.species)
        if n == 0:
            raise ValueError("A scene needs at least one locus (one token).")
        if not 1 <= n_species <= MAX_SPECIES:
            raise ValueError(
                f"A scene shows 1 to {MAX_SPECIES} TF species (one colour and shape each), "
                f"got {n_species}; pick fewer heads."
            )
        object.__setattr__(self, "labels", tuple(str(x) for x in self.labels))
        object.__setattr__(self, "species", tuple(str(x) for x in self.species))
        closed = np.asarray(self.closed, dtype=bool)
        if closed.shape != (n,):
            raise ValueError(f"closed must be a bool mask of shape ({n},), got {closed.shape}.")
        object.__setattr__(self, "closed", _private(closed))
        numbers = tuple(range(n)) if self.numbers is None else tuple(int(k) for k in self.numbers)
        if len(numbers) != n:
            raise ValueError(f"numbers must give one number per locus ({n}), got {len(numbers)}.")
        object.__setattr__(self, "numbers", numbers)
        for name in ("attention", "equilibrium", "energies"):
            object.__setattr__(self, name, _private(_rows(getattr(self, name), n_species, n,
                                                           name)))
        for name, dtype in (("unbound", np.float64), ("copies", np.int64), ("pioneer", bool)):
            arr = np.broadcast_to(np.asarray(getattr(self, name), dtype=dtype), (n_species,))
            object.__setattr__(self, name, _private(arr))
        if np.any(self.copies < 1):
            raise ValueError(f"copies must be at least 1 per species, got {self.copies.tolist()}.")
        traj = self.trajectory
        if traj is not None and (traj.n_loci != n or traj.n_species != n_species):
            raise ValueError(
                f"The trajectory has {traj.n_species} species on {traj.n_loci} loci but the "
                f"scene has {n_species} on {n}; simulate the same energies."
            )
        if traj is not None and not np.array_equal(
            np.bincount(traj.species_of, minlength=n_species), self.copies
        ):
            raise ValueError("The trajectory's copy numbers differ from the scene's copies.")

    @property
    def colours(self) -> tuple[str, ...]:
        """Okabe-Ito, one per species (distinct for up to 7)."""
        return tuple(species_colour(s) for s in range(len(self.species)))

    @property
    def shapes(self) -> tuple[str, ...]:
        return SHAPES[: len(self.species)]


def scene_from_attention(
    rows: np.ndarray,
    labels: Sequence[str],
    *,
    species: Sequence[str] | None = None,
    closed: np.ndarray | None = None,
    unbound: float | Sequence[float] = 0.2,
    copies: int | Sequence[int] = 1,
    pioneer: bool | Sequence[bool] = False,
    pioneer_penalty: float | None = None,
    hold_open: float | None = None,
    kT: float = 1.0,
    events: int | None = 10_000,
    seed: int = 0,
    shown_attention: np.ndarray | None = None,
    numbers: Sequence[int] | None = None,
) -> ChromatinScene:
    """The scene for attention rows [S, n] (one per species), with a seeded trajectory.

    The energies come from `rows` (eps = -ln(a / a_max)) and are evaluated at `kT`.
    `shown_attention` [S, n] is the attention the page shows beside the scene (say the row
    tempered to T, with special tokens as the page has them), which the tooltips call
    "attention"; without it they show `rows`. `numbers` [n] numbers the loci as the page's
    charts and pickers do (0-based; default 0 to n - 1).

    `unbound` is the share of time one copy of each species spends in the reservoir: pass
    a head's attention mass on special tokens to map it onto the unbound state exactly
    (reservoir_weight_for); the default keeps a fifth of the time free, so that molecules
    visibly come and go. With one copy the equilibrium is then the attention row times
    (1 - unbound); with more copies strong sites saturate (finite_pool_occupancy).
    `events=None` skips the trajectory (then unbound may be 0: a static scene).
    """
    a = np.atleast_2d(np.asarray(rows, dtype=np.float64))  # [S, n]
    n_species, n = a.shape
    names = tuple(species) if species is not None else tuple(f"TF {s}" for s in range(n_species))
    mask = np.zeros(n, bool) if closed is None else np.asarray(closed, dtype=bool)
    copies_s = np.broadcast_to(np.asarray(copies, dtype=np.int64), (n_species,))
    pioneer_s = np.broadcast_to(np.asarray(pioneer, dtype=bool), (n_species,))
    free_s = np.broadcast_to(np.asarray(unbound, dtype=np.float64), (n_species,))
    eps = np.stack([binding_energies(row) for row in a])  # [S, n], strongest locus at 0
    reachable = np.empty_like(eps)  # [S, n] energies each species actually sees
    w0 = np.empty(n_species)
    equilibrium = np.empty_like(eps)
    for s in range(n_species):
        penalty = pioneer_penalty if pioneer_s[s] else None
        reachable[s] = effective_energies(eps[s], closed=mask, pioneer_penalty=penalty)
        w0[s] = reservoir_weight_for(free_s[s], eps[s], kT=kT, closed=mask,
                                     pioneer_penalty=penalty)
        equilibrium[s] = finite_pool_occupancy(
            eps[s], copies=int(copies_s[s]), reservoir_weight=w0[s], kT=kT, closed=mask,
            pioneer_penalty=penalty,
        ).occupancy
    if events is not None and np.any(w0 <= 0):
        raise ValueError(
            f"unbound must be in (0, 1) for every species, got {free_s.tolist()}: a molecule "
            "that never leaves the DNA cannot be animated coming and going."
        )
    k0 = 1.0
    trajectory = None if events is None else simulate_molecules(
        eps, events=events, rng=seed, copies=copies_s, kT=kT, k_on=k0 / w0, k0=k0,
        closed=mask, pioneer=pioneer_s, pioneer_penalty=pioneer_penalty, hold_open=hold_open,
    )
    unbound_eq = 1.0 - equilibrium.sum(axis=1) / copies_s
    shown = a if shown_attention is None else np.atleast_2d(
        np.asarray(shown_attention, dtype=np.float64))  # [S, n]
    return ChromatinScene(
        labels=tuple(labels), closed=mask, species=names, attention=shown,
        equilibrium=equilibrium, energies=reachable, unbound=unbound_eq, copies=copies_s,
        pioneer=pioneer_s, kT=float(kT), k0=k0, trajectory=trajectory,
        numbers=None if numbers is None else tuple(numbers),
    )


def _b64(arr: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(arr, dtype=dtype).tobytes()).decode("ascii")


def _unb64(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def _trajectory_payload(traj: MoleculeTrajectory) -> dict:
    if traj.species_of.size >= _NONE16 or traj.n_loci >= _NONE16:
        raise ValueError("A scene trajectory holds fewer than 65535 molecules and loci.")
    molecule = np.where(traj.molecule == NUCLEOSOME, _NONE16, traj.molecule)
    return {
        "events": int(traj.times.size),
        "dt": _b64(np.diff(traj.times, prepend=0.0), "<f4"),  # times as float32 steps
        "kind": _b64(traj.kind, "u1"),
        "molecule": _b64(molecule, "<u2"),
        "locus": _b64(traj.locus, "<u2"),
        "species_of": traj.species_of.tolist(),
        "total_time": float(traj.total_time),
        "occupancy": _b64(traj.time_averaged_occupancy, "<f4"),  # [S * n] at the end
    }


def scene_payload(scene: ChromatinScene, *, description: str = "",
                  time_unit: str = "1/k0") -> dict:
    """A JSON-ready dict for the browser; about 12 bytes per event in the JSON text.

    Arrays of the scene's [S, n] are flattened row-major to float32 (7 significant
    digits: tooltips show 4); +inf energies stay +inf in float32. `id` digests the
    content, so the browser keeps its playback state across reruns that change nothing.
    """
    payload = {
        "v": PAYLOAD_VERSION,
        "n": len(scene.labels),
        "labels": list(scene.labels),
        "numbers": list(scene.numbers),
        "closed": np.flatnonzero(scene.closed).tolist(),
        "species": [
            {"name": name, "colour": colour, "shape": shape, "copies": int(c),
             "pioneer": bool(p), "unbound": float(u)}
            for name, colour, shape, c, p, u in zip(
                scene.species, scene.colours, scene.shapes, scene.copies, scene.pioneer,
                scene.unbound, strict=True)
        ],
        "attention": _b64(scene.attention, "<f4"),
        "equilibrium": _b64(scene.equilibrium, "<f4"),
        "energy": _b64(scene.energies, "<f4"),
        "histone_colour": NUCLEOSOME_COLOUR,
        "kT": scene.kT,
        "k0": scene.k0,
        "time_unit": time_unit,
        "description": description,
        "trajectory": None if scene.trajectory is None else _trajectory_payload(scene.trajectory),
    }
    digest = hashlib.blake2b(json.dumps(payload, sort_keys=True).encode(), digest_size=8)
    payload["id"] = digest.hexdigest()
    return payload


@dataclass(frozen=True, eq=False)
class DecodedScene:
    """What the browser reads from a payload (the reference decoder's output)."""

    labels: tuple[str, ...]
    numbers: tuple[int, ...]  # [n] each locus's number on the page
    closed: np.ndarray  # [n] bool
    species: tuple[dict, ...]
    attention: np.ndarray  # [S, n] float32
    equilibrium: np.ndarray  # [S, n] float32
    energies: np.ndarray  # [S, n] float32
    times: np.ndarray | None  # [events] float64, running sum of the float32 steps
    kind: np.ndarray | None  # [events]
    molecule: np.ndarray | None  # [events], -1 for nucleosome events
    locus: np.ndarray | None  # [events]
    final_occupancy: np.ndarray | None  # [S, n] float32


def decode_scene_payload(payload: dict) -> DecodedScene:
    """Decode scene_payload's output as scene.js does (sums the steps in float64)."""
    if payload.get("v") != PAYLOAD_VERSION:
        raise ValueError(f"Unknown scene payload version {payload.get('v')!r}.")
    n, n_species = payload["n"], len(payload["species"])
    closed = np.zeros(n, dtype=bool)
    closed[payload["closed"]] = True
    grid = (n_species, n)
    traj = payload["trajectory"]
    decoded = {}
    if traj is not None:
        molecule = _unb64(traj["molecule"], "<u2").astype(np.int64)
        decoded = {
            "times": np.cumsum(_unb64(traj["dt"], "<f4").astype(np.float64)),
            "kind": _unb64(traj["kind"], "u1"),
            "molecule": np.where(molecule == _NONE16, NUCLEOSOME, molecule),
            "locus": _unb64(traj["locus"], "<u2"),
            "final_occupancy": _unb64(traj["occupancy"], "<f4").reshape(grid),
        }
    return DecodedScene(
        labels=tuple(payload["labels"]),
        numbers=tuple(payload["numbers"]),
        closed=closed,
        species=tuple(payload["species"]),
        attention=_unb64(payload["attention"], "<f4").reshape(grid),
        equilibrium=_unb64(payload["equilibrium"], "<f4").reshape(grid),
        energies=_unb64(payload["energy"], "<f4").reshape(grid),
        times=decoded.get("times"),
        kind=decoded.get("kind"),
        molecule=decoded.get("molecule"),
        locus=decoded.get("locus"),
        final_occupancy=decoded.get("final_occupancy"),
    )


def describe_scene(scene: ChromatinScene) -> str:
    """A one-paragraph text alternative: the scene's main finding, in numbers.

    Loci carry the numbers the page's charts and pickers give them (0-based)."""
    n, n_closed = len(scene.labels), int(scene.closed.sum())
    parts = [
        f"Chromatin scene: {n} loci along one stretch of DNA, one per token (or word)"
        + (f", {n_closed} closed (wrapped in nucleosomes)" if n_closed else "")
        + f"; {len(scene.species)} TF species."
    ]
    for s, name in enumerate(scene.species):
        j = int(np.argmax(scene.equilibrium[s]))
        share = scene.equilibrium[s, j]
        copies = int(scene.copies[s])
        where = f"locus {scene.numbers[j]}, '{scene.labels[j]}',"
        if copies > 1:
            parts.append(f"With {copies} copies of {name}, {where} is held by one of them "
                         f"{share:.1%} of the time at equilibrium, more than any other locus.")
        else:
            parts.append(f"{name} is most often on {where} {share:.1%} of the time at "
                         "equilibrium.")
    return " ".join(parts)
