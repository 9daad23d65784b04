"""What only the cell side can do, live on the student's own attention row.

Equilibrium occupancy equals attention by an identity (Shea & Ackers 1985; Bintu et al. 2005),
so the first thing Explore shows is two equal bar charts. These experiments show where a cell
parts from that arithmetic, each on the query row the student chose:
- one molecule: a Gillespie run (Gillespie 1977) sits on one locus at a time and only its
  long-run average reaches the row;
- copies: several molecules fill strong sites until they saturate (a finite pool; the
  Fermi-Dirac picture of Bintu et al. 2005), so occupancies no longer sum to one;
- a pioneer: it binds a nucleosome-wrapped locus at an energy cost and can open it
  (Zaret & Carroll 2011; site exposure, Polach & Widom 1995);
- time to converge: the running average needs many dwell times to settle (total-variation
  distance, Levin, Peres & Wilmer 2009).
Each figure ends with one sentence on what attention would do instead.
"""

from __future__ import annotations

import numpy as np

from lib.attention.extract import AttentionResult
from lib.charts.learn import curves_chart
from lib.charts.occupancy import attention_vs_occupancy_bars
from lib.chromatin import binding_energies, equilibrium_occupancy, running_tv_distance, simulate
from lib.chromatin.scene_model import SCENE_EVENTS, SEARCH_SHARE, scene_from_attention
from lib.learn.figure import Figure, Message, Metric, Row, Scene
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
HOLD_OPEN = 5.0  # mean time (1/k0) an opened nucleosome stays open once the locus is free


def _window_row(result: AttentionResult, *, query: object, settings: RowSettings):
    """The Explore row at T = 1 in its window: labels [w], weights [w], closed [w]."""
    view = explore_view(result, query=query, settings=settings)
    part = view.row_window.as_slice()
    relevance = view.row.relevance
    reference = np.exp(-view.row.chromatin.energies[part])  # the row at T = 1, up to a constant
    return relevance.labels[part], reference / reference.sum(), relevance.closed[part]


def one_molecule_figure(result: AttentionResult, *, query: object, settings: RowSettings,
                        seed: int) -> Figure:
    labels, weights, _ = _window_row(result, query=query, settings=settings)
    traces = seed_traces(weights, seeds=(seed,), events=600, frames=160)
    top = labels[traces.locus]
    return Figure((
        curves_chart(traces.times, {"one molecule, running share of its bound time":
                                    traces.traces[0]},
                     x_title="simulated time (1/k0)", y_title=f"share of time on '{top}'",
                     title=f"Seed {seed}: one molecule on the strongest locus, '{top}'",
                     reference=traces.target, reference_label="attention weight",
                     y_domain=(0, 1),
                     alt_text=(f"The running share of time one molecule spends on '{top}' "
                               f"wanders, then settles near its attention weight "
                               f"{traces.target:.2f}.")),
        Message("cell_one_molecule"),
    ))


def copies_figure(result: AttentionResult, *, query: object, settings: RowSettings,
                  copies: int) -> Figure:
    labels, weights, closed = _window_row(result, query=query, settings=settings)
    copies = int(min(copies, max(1, int((~closed).sum()) - 1)))
    scene = scene_from_attention(weights, labels, species=("TF",), copies=copies,
                                 unbound=SEARCH_SHARE, closed=closed, kT=settings.temperature,
                                 events=SCENE_EVENTS)
    occupancy = scene.equilibrium[0]
    tempered = equilibrium_occupancy(binding_energies(weights), kT=settings.temperature,
                                     closed=closed).occupancy
    return Figure((
        Scene(scene, key="explore_copies_scene"),
        attention_vs_occupancy_bars(labels, tempered, occupancy,
                                    occupancy_title=f"occupancy, {copies} copies",
                                    title=f"{copies} copies: strong sites saturate near 1"),
        Row((Metric("Sum of the attention row", f"{tempered.sum():.2f}"),
             Metric("Sum of the occupancies", f"{occupancy.sum():.2f}"))),
        Message("cell_copies"),
    ))


def pioneer_figure(result: AttentionResult, *, query: object, settings: RowSettings,
                   penalty: float) -> Figure:
    labels, weights, closed = _window_row(result, query=query, settings=settings)
    wrapped = closed.copy()
    if not wrapped.any():  # an encoder hides nothing: wrap the strongest locus instead
        wrapped[int(np.argmax(weights))] = True
    scene = scene_from_attention(weights, labels, species=("pioneer TF",), closed=wrapped,
                                 pioneer=True, pioneer_penalty=penalty, hold_open=HOLD_OPEN,
                                 unbound=SEARCH_SHARE, kT=settings.temperature,
                                 events=SCENE_EVENTS)
    return Figure((
        Scene(scene, key="explore_pioneer_scene"),
        Metric("Time the pioneer spends on wrapped loci",
               f"{scene.equilibrium[0][wrapped].sum():.1%}"),
        Message("cell_pioneer", {"penalty": penalty}),
    ))


def convergence_figure(result: AttentionResult, *, query: object, settings: RowSettings,
                       seed: int) -> Figure:
    _, weights, _ = _window_row(result, query=query, settings=settings)
    energies = binding_energies(weights)
    run = simulate(energies, events=20_000, rng=seed)
    times, tv = running_tv_distance(run, equilibrium_occupancy(energies).occupancy)
    settled = np.flatnonzero(tv < CONVERGED)
    when = f"{times[settled[0]]:,.0f}" if settled.size else f"more than {times[-1]:,.0f}"
    keep = times > 0
    return Figure((
        curves_chart(times[keep], {"distance from the attention row": tv[keep]},
                     x_title="simulated time (1/k0)", y_title="total-variation distance",
                     title="How long one molecule's average takes to match the row",
                     log_x=True, reference=CONVERGED, reference_label="settled (0.01)",
                     alt_text=(f"The distance between the running average and the attention "
                               f"row falls from {tv[0]:.2f} to {tv[-1]:.3f}; it first drops "
                               f"below {CONVERGED} at simulated time {when}.")),
        Metric("Time until the average is within 0.01 of the row", f"{when} × 1/k0"),
        Message("cell_convergence"),
    ))


BUILDERS = {
    "one_molecule": one_molecule_figure,
    "copies": copies_figure,
    "pioneer": pioneer_figure,
    "convergence": convergence_figure,
}
