"""The live demonstration of each limitation: where the one-TF Boltzmann picture, and so the
analogy, stops holding. Each builder takes the demo's row and control values and returns a
:class:`~lib.learn.figure.Figure`.

The physics: many copies fill sites independently (Fermi-Dirac occupancy, Bintu et al.
2005), so occupancies need not sum to one; concentration moves every site together;
nucleosomes gate access and pioneers pay a penalty to bind anyway (Zaret & Carroll 2011;
Polach & Widom 1995); cooperativity steepens binding (Mirny 2010); energy-driven remodelling
breaks detailed balance (lib.learn.toys); kinetic runs are stochastic (Gillespie 1977) where a
forward pass is deterministic; chromatin marks remember a signal (Dodd et al. 2007); and
where a head looks is not what it does (Jain & Wallace 2019; Wiegreffe & Pinter 2019).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lib.attention.relevance import Relevance
from lib.charts.attention import relevance_bars
from lib.charts.learn import curves_chart, grouped_bars, head_scatter, timescale_chart
from lib.charts.occupancy import attention_vs_occupancy_bars
from lib.charts.window import window_around
from lib.chromatin import binding_energies
from lib.learn import figures, toys
from lib.learn.figure import Expander, Figure, Message, Metric, Row, Scene, Table
from lib.learn.probes import ForwardTiming, HeadAblation

INGREDIENTS = ("nucleosomes on some loci", "a pool of free factor",
               "time (one moment of a kinetic run)")
CONCENTRATIONS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
OMEGAS = (1, 3, 10, 30, 100)
# Concentrations c / K_d of the cooperativity demo: wide enough that site A reaches 90% of its
# plateau even behind the most stable nucleosome the slider offers (L = 10^4).
COOPERATIVITY_X = np.geomspace(1e-3, 1e7, 400)
COPIES_MAX = 12


def _paired(row: Relevance, occupancy: np.ndarray, *, occupancy_title: str,
            title: str) -> object:
    return attention_vs_occupancy_bars(row.labels, row.weights, occupancy,
                                       occupancy_title=occupancy_title, title=title)


def biological_figure(row: Relevance, *, ingredients: frozenset[str]) -> Figure:
    """Physical ingredients change the cell's picture; the attention row stays arithmetic."""
    scene = figures.physical_scene(
        row.weights, row.labels, nucleosomes=INGREDIENTS[0] in ingredients,
        free_pool=INGREDIENTS[1] in ingredients, time=INGREDIENTS[2] in ingredients)
    bars = relevance_bars(row, window=window_around(len(row.labels), row.query),
                          title="Attention: the same arithmetic whatever you add")
    return Figure((Row((bars, Scene(scene, key="lim_bio_scene"))),))


def instructions_figure(row: Relevance, *, sources: frozenset[str]) -> Figure:
    """Only sequence and accessibility reach the simulation; the other sources have no slot."""
    closed = figures.demo_closed(len(row.labels))
    occupancy = figures.instruction_occupancy(row.weights, sources=set(sources), closed=closed)
    names = [name for name, _ in figures.INSTRUCTION_SOURCES]
    return Figure((
        _paired(row, occupancy, occupancy_title="TF occupancy with these sources",
                title="Only sequence and accessibility reach the simulation"),
        Message("closed_every_third", {"closed": int(closed.sum())}),
        Table({"source of instructions": tuple(names),
               "represented in this app as": tuple(
                   what or "nothing (no variable for it)"
                   for _, what in figures.INSTRUCTION_SOURCES)}),
    ))


def timescale_figure(timing: ForwardTiming, timescales: Sequence) -> Figure:
    """A measured forward pass beside the cell's timescales, on one log axis."""
    rows = [{"label": f"one forward pass, {timing.tokens} tokens (measured now)",
             "side": "model", "low": timing.seconds, "high": timing.seconds * 1.05}]
    rows += [{"label": t.label, "side": t.side, "low": t.seconds_low, "high": t.seconds_high}
             for t in timescales]
    chart = timescale_chart(
        rows, title="From a forward pass to a lifetime",
        alt_text="Time ranges on a log axis: " + "; ".join(r["label"] for r in rows) + ".")
    metrics = [Metric("Forward pass on this machine", f"{timing.seconds * 1000:.1f} ms")]
    specific = next((t for t in timescales if "specific binding" in t.label), None)
    if specific is not None:
        metrics.append(Metric("A specific TF binding event lasts about",
                              f"{specific.seconds_low / timing.seconds:,.0f}× longer"))
    return Figure((chart, Row(tuple(metrics))))


def normalization_figure(row: Relevance, *, copies: int) -> Figure:
    """n copies fill sites independently: occupancies add up to n, not to one."""
    many = figures.copies_comparison(row.weights, copies=copies)
    return Figure((
        _paired(row, many.occupancy,
                occupancy_title=f"TF occupancy, {copies} cop{'y' if copies == 1 else 'ies'}",
                title=f"{many.model}: occupancies add up to {many.total:.2f}"),
        Row((Metric("Sum of the attention row", f"{row.weights.sum():.2f}"),
             Metric("Sum of the occupancies", f"{many.total:.2f}"))),
    ))


def concentration_figure(row: Relevance, *, level: float) -> Figure:
    """More free factor raises every site together; attention has no concentration."""
    occ = toys.occupancy_at_concentration(binding_energies(row.weights),
                                          relative_concentration=level)
    return Figure((_paired(
        row, occ.occupancy, occupancy_title=f"TF occupancy at {level:g} c₀",
        title=f"μ = {occ.mu:+.2f} kT: every site rises together; attention does not move"),))


def gating_figure(row: Relevance, *, closed: tuple[int, ...], pioneer_penalty: float | None
                  ) -> Figure:
    """Closed loci get nothing, unless a pioneer pays the penalty to bind them."""
    mask = np.isin(np.arange(len(row.labels)), closed)
    if mask.all() and pioneer_penalty is None:
        return Figure((Message("all_closed", kind="info"),))
    gated = figures.gated_occupancy(row.weights, closed=mask, pioneer_penalty=pioneer_penalty)
    return Figure((_paired(row, gated.occupancy, occupancy_title="TF occupancy with closed loci",
                           title=f"Occupancy on closed loci: {gated.closed_share:.3f}"),))


def cooperativity_figure(*, log_nucleosome: float, omega: float) -> Figure:
    """Two nearby sites: a shared nucleosome or direct contact makes binding steeper."""
    nucleosome = 0.0 if log_nucleosome == 0 else 10.0**log_nucleosome
    x = COOPERATIVITY_X
    pair = toys.pair_occupancy(x, omega=float(omega), nucleosome=nucleosome)
    return Figure((
        curves_chart(x, {"site A alone": pair.alone,
                         "site A next to partner site B": pair.with_partner},
                     x_title="TF concentration (c / K_d)", y_title="P(site A bound)",
                     title="Two nearby sites", log_x=True, y_domain=(0, 1),
                     alt_text=("Occupancy of site A against concentration, alone and next to a "
                               "partner site.")),
        Row((Metric("Steepness alone (Hill coefficient)",
                    f"{toys.hill_coefficient(x, pair.alone):.2f}"),
             Metric("Steepness with the partner",
                    f"{toys.hill_coefficient(x, pair.with_partner):.2f}"))),
    ))


def nonequilibrium_figure(*, drive: float) -> Figure:
    """An ATP-driven remodelling cycle: the long-run occupancy leaves the Boltzmann value."""
    cycle = toys.driven_cycle(drive=drive)
    return Figure((
        grouped_bars(cycle.states, {"long-run occupancy": cycle.steady,
                                    "Boltzmann prediction": cycle.boltzmann},
                     y_title="probability", title="Closed → open → bound → closed",
                     y_domain=(0, 1),
                     alt_text=("Long-run occupancy of the three chromatin states beside the "
                               "Boltzmann prediction.")),
        Row((Metric("Net flux around the cycle", f"{cycle.flux:.3f}"),
             Metric("Largest gap from Boltzmann",
                    f"{np.abs(cycle.steady - cycle.boltzmann).max():.3f}"))),
    ))


def stochastic_figure(row: Relevance, *, first_seed: int, repeat_gap: float) -> Figure:
    """Three kinetic runs wander; two forward passes on one prompt agree exactly."""
    seeds = (first_seed, first_seed + 1, first_seed + 2)
    traces = figures.seed_traces(row.weights, seeds=seeds)
    return Figure((
        curves_chart(traces.times,
                     {f"seed {s}": t for s, t in zip(traces.seeds, traces.traces, strict=True)},
                     x_title="simulated time (1/k0)",
                     y_title=f"running occupancy of '{row.labels[traces.locus]}'",
                     title="Three runs of the same binding landscape",
                     reference=traces.target, reference_label="attention weight (equilibrium)",
                     alt_text=f"Running occupancy of one locus in kinetic runs with seeds "
                              f"{seeds}."),
        Metric("Largest difference between two forward passes on this prompt",
               _difference(repeat_gap)),
    ))


def memory_figure(*, pulse: float, memory_gap: float) -> Figure:
    """A brief signal leaves a mark that feedback keeps; a forward pass keeps nothing."""
    with_feedback = toys.mark_memory(pulse=pulse)
    without = toys.mark_memory(pulse=pulse, params=toys.MarkParams(feedback=0.0))
    sweep = toys.mark_hysteresis(np.linspace(0.0, 0.1, 11))
    return Figure((
        curves_chart(with_feedback.times, {"with mark feedback": with_feedback.mark,
                                           "without feedback": without.mark},
                     x_title="cell cycles (a division at each whole number)",
                     y_title="marked fraction of the locus", title="A brief signal, then divisions",
                     y_domain=(0, 1),
                     alt_text=("Mark level over eight cell cycles after a brief signal, with and "
                               "without feedback.")),
        Expander("Hysteresis: raise the signal slowly, then lower it", (
            curves_chart(sweep.signals, {"signal rising": sweep.rising,
                                         "signal falling": sweep.falling},
                         x_title="constant signal", y_title="steady mark",
                         title="The path up is not the path down", y_domain=(0, 1),
                         alt_text="Steady mark level for a rising and then falling signal."),
        )),
        Metric("Change in this prompt's attention after running another prompt first",
               _difference(memory_gap)),
    ))


def explanation_figure(effect: HeadAblation, *, layer: int) -> Figure:
    """Where a head looks (its mass on [CLS]/[SEP]) against what removing it changes."""
    most = int(np.argmax(effect.change))
    sink = int(np.argmax(effect.special_mass))
    return Figure((
        head_scatter(effect.special_mass, effect.change, x_title="attention on [CLS]/[SEP]",
                     y_title="embedding change (1 − cos)",
                     title=f"Layer {layer}: where a head looks vs what it does",
                     alt_text=("One point per head: attention on special tokens against the "
                               "effect of removing it.")),
        Message("ablation_summary", {
            "sink": sink, "sink_share": float(effect.special_mass[sink]),
            "sink_change": float(effect.change[sink]), "most": most,
            "most_change": float(effect.change[most])}),
    ))


def _difference(value: float) -> str:
    return "0 (identical)" if value == 0.0 else f"{value:.1e}"
