"""What only the cell side can do, live on the student's own attention row.

Equilibrium occupancy equals attention by an identity (Shea & Ackers 1985; Bintu et al. 2005),
so the first thing Explore shows is two equal bar charts. These experiments show where a cell
parts from that arithmetic, each on the query row the student chose:
- one molecule: a Gillespie run (Gillespie 1977) sits on one locus at a time and only its
  long-run average reaches the row;
- copies: several molecules fill strong sites until they saturate (a finite pool; the
  Fermi-Dirac picture of Bintu et al. 2005), so occupancies no longer sum to one;
- a pioneer: it binds a nucleosome-wrapped locus at an energy cost and can open it
  (Zaret & Carroll 2011; site exposure, Polach & Widom 1995). Opening and re-wrapping form a
  one-way cycle (a stand-in for ATP-driven remodelling), so that run is not at equilibrium
  and its share on the wrapped locus is read from the trajectory, not from a formula;
- time to converge: the running average needs many dwell times to settle (total-variation
  distance, Levin, Peres & Wilmer 2009).
Each figure ends with one sentence on what attention would do instead. Every experiment uses
the row the page shows: tempered to T, special tokens as asked, in the page's window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.attention.extract import AttentionResult
from lib.charts.learn import curves_chart
from lib.charts.occupancy import attention_vs_occupancy_bars
from lib.chromatin import binding_energies, equilibrium_occupancy, running_tv_distance, simulate
from lib.chromatin.scene_model import (
    SCENE_EVENTS,
    SEARCH_SHARE,
    ChromatinScene,
    scene_from_attention,
)
from lib.learn.figure import Expander, Figure, Message, Metric, Row, Scene
from lib.learn.figures import seed_traces
from lib.pipeline.views import RowSettings, explore_view

EXPERIMENTS = {
    "one_molecule": "One molecule vs the average",
    "copies": "Many copies",
    "pioneer": "A pioneer opens a nucleosome",
    "convergence": "Time to converge",
}
COPIES_MAX = 8
CONVERGED = 0.01  # total-variation distance counted as "settled"
TIME_AXIS = "simulated time (dwell times on the strongest locus)"
# The jargon behind the simple labels, for whoever opens it.
MORE_DETAIL = Expander("More detail: time units and the distance",
                       (Message("cell_time_detail", kind="markdown"),))
HOLD_OPEN = 5.0  # mean time (1/k0) an opened nucleosome stays open once the locus is free


@dataclass(frozen=True, eq=False)
class WindowRow:
    """The Explore row in its window, as the experiments use it."""

    labels: tuple[str, ...]  # [w]
    numbers: tuple[int, ...]  # [w] each key's number in the page's charts and pickers
    reference: np.ndarray  # [w] the row at T = 1, renormalised over the window's loci
    shown: np.ndarray  # [w] the row as shown (tempered to T), as a share of the bound time
    closed: np.ndarray  # [w] bool


def window_row(result: AttentionResult, *, query: object, settings: RowSettings) -> WindowRow:
    """The Explore row in its window: at T = 1 (energies, evaluated at kT = T) and as shown.

    Both are renormalised over the window's loci: a molecule's share of its bound time, which
    is the shown weight itself unless special tokens are held as a reservoir.
    """
    view = explore_view(result, query=query, settings=settings)
    part = view.row_window.as_slice()
    relevance = view.row.relevance
    reference = np.exp(-view.row.chromatin.energies[part])  # the row at T = 1, up to a constant
    shown = relevance.weights[part]
    return WindowRow(relevance.labels[part], relevance.keys[part], reference / reference.sum(),
                     shown / shown.sum(), relevance.closed[part])


def one_molecule_figure(result: AttentionResult, *, query: object, settings: RowSettings,
                        seed: int) -> Figure:
    """One molecule on the shown row: its running share of bound time on the top locus."""
    row = window_row(result, query=query, settings=settings)
    # Energies -ln(shown) at kT = 1 are the T = 1 energies at kT = T (shown is a^(1/T)).
    traces = seed_traces(row.shown, seeds=(seed,), events=600, frames=160)
    top = row.labels[traces.locus]
    return Figure((
        curves_chart(traces.times, {"one molecule, running share of its bound time":
                                    traces.traces[0]},
                     x_title=TIME_AXIS, y_title=f"share of time on '{top}'",
                     title=f"Seed {seed}: one molecule on the strongest locus, '{top}'",
                     reference=traces.target,
                     reference_label=_reference_label(settings.temperature),
                     y_domain=(0, 1),
                     alt_text=(f"The running share of time one molecule spends on '{top}' "
                               f"wanders, then settles near its attention weight "
                               f"{traces.target:.2f}.")),
        Message("cell_one_molecule"),
        MORE_DETAIL,
    ))


def _reference_label(temperature: float) -> str:
    return f"attention weight at T = {temperature:g}, as a share of the bound time"


def copies_figure(result: AttentionResult, *, query: object, settings: RowSettings,
                  copies: int) -> Figure:
    row = window_row(result, query=query, settings=settings)
    copies = int(min(copies, max(1, int((~row.closed).sum()) - 1)))
    scene = scene_from_attention(row.reference, row.labels, species=("TF",), copies=copies,
                                 unbound=SEARCH_SHARE, closed=row.closed,
                                 kT=settings.temperature, events=SCENE_EVENTS,
                                 shown_attention=row.shown, numbers=row.numbers)
    occupancy = scene.equilibrium[0]
    return Figure((
        Scene(scene, key="explore_copies_scene"),
        attention_vs_occupancy_bars(row.labels, row.shown, occupancy, keys=row.numbers,
                                    occupancy_title=f"occupancy, {copies} copies",
                                    title=f"{copies} copies: strong sites fill toward 1"),
        Row((Metric("Sum of the attention row", f"{row.shown.sum():.2f}"),
             Metric("Sum of the occupancies", f"{occupancy.sum():.2f}"))),
        Message("cell_copies"),
    ))


def pioneer_figure(result: AttentionResult, *, query: object, settings: RowSettings,
                   penalty: float) -> Figure:
    """A pioneer binds a wrapped locus and opens it: a driven run, so its share there is
    measured on the trajectory (the scene's outlines stay the equilibrium without opening)."""
    row = window_row(result, query=query, settings=settings)
    wrapped = row.closed.copy()
    if not wrapped.any():  # an encoder hides nothing: wrap the strongest locus instead
        wrapped[int(np.argmax(row.reference))] = True
    scene = scene_from_attention(row.reference, row.labels, species=("pioneer TF",),
                                 closed=wrapped, pioneer=True, pioneer_penalty=penalty,
                                 hold_open=HOLD_OPEN, unbound=SEARCH_SHARE,
                                 kT=settings.temperature, events=SCENE_EVENTS,
                                 shown_attention=row.shown, numbers=row.numbers)
    where = "locus" if int(wrapped.sum()) == 1 else "loci"
    return Figure((
        Scene(scene, key="explore_pioneer_scene"),
        Metric(f"Share of this run spent on the wrapped {where}",
               f"{wrapped_share(scene, wrapped):.1%}"),
        Message("cell_pioneer", {"penalty": penalty}),
    ))


def wrapped_share(scene: ChromatinScene, wrapped: np.ndarray) -> float:
    """The fraction of the run's time the (single) species spent on the wrapped loci."""
    return float(scene.trajectory.time_averaged_occupancy[0][wrapped].sum())


def convergence_figure(result: AttentionResult, *, query: object, settings: RowSettings,
                       seed: int) -> Figure:
    row = window_row(result, query=query, settings=settings)
    energies = binding_energies(row.shown)  # at kT = 1: the T = 1 energies at kT = T
    run = simulate(energies, events=20_000, rng=seed)
    times, tv = running_tv_distance(run, equilibrium_occupancy(energies).occupancy)
    settled = np.flatnonzero(tv < CONVERGED)
    when = f"{times[settled[0]]:,.0f}" if settled.size else f"more than {times[-1]:,.0f}"
    keep = times > 0
    return Figure((
        curves_chart(times[keep], {"distance from the attention row": tv[keep]},
                     x_title=TIME_AXIS, y_title="distance from the row (0 = the same)",
                     title=(f"How long one molecule's average takes to match the row "
                            f"(T = {settings.temperature:g}, as shown)"),
                     log_x=True, reference=CONVERGED, reference_label="settled (0.01)",
                     alt_text=(f"The distance between the running average and the attention "
                               f"row falls from {tv[0]:.2f} to {tv[-1]:.3f}; it first drops "
                               f"below {CONVERGED} at simulated time {when}.")),
        Metric("Time until the average is within 0.01 of the row", f"{when} dwell times"),
        Message("cell_convergence"),
        MORE_DETAIL,
    ))


BUILDERS = {
    "one_molecule": one_molecule_figure,
    "copies": copies_figure,
    "pioneer": pioneer_figure,
    "convergence": convergence_figure,
}
