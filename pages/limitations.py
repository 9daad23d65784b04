"""Where the analogy breaks: each limitation with a control that changes a live figure,
a caption, its sources and a quiz link."""

import numpy as np
import streamlit as st

from lib.attention.relevance import default_query, level_groups, select_relevance, special_groups
from lib.charts import attention as attention_charts
from lib.charts import learn as learn_charts
from lib.charts import scene as scene_charts
from lib.charts.window import window_around
from lib.chromatin import binding_energies
from lib.learn import figures, toys
from lib.learn.probes import memory_difference, repeat_difference
from pages import _common as ui
from pages import _learn as learn
from pages._site import require_entry

require_entry()

LAYER = 2
DEFAULT_PROMPT = (
    "The pioneer factor opened the closed chromatin so that other factors could bind the enhancer"
)
COPIES_MAX = 12


def _bars(row, occupancy, *, occupancy_title: str, title: str, attention_title="attention"):
    labels = list(row.labels)
    ui.altair_chart(
        scene_charts.attention_vs_occupancy_bars(
            labels,
            row.weights,
            occupancy,
            attention_title=attention_title,
            occupancy_title=occupancy_title,
            title=title,
        ),
        alt=scene_charts.bars_description(labels, row.weights, occupancy),
    )


def demo_biological(row, result) -> None:
    ingredients = st.multiselect(
        "Physical ingredients to add to the scene",
        ["nucleosomes on some loci", "a pool of free factor", "time (one moment of a kinetic run)"],
        key="lim_bio",
        help=ui.message("biology_help"),
    )
    scene = figures.physical_scene(
        row.weights,
        nucleosomes="nucleosomes on some loci" in ingredients,
        free_pool="a pool of free factor" in ingredients,
        time="time (one moment of a kinetic run)" in ingredients,
    )
    energies = binding_energies(row.weights)
    left, right = st.columns(2)
    with left:
        ui.altair_chart(
            attention_charts.relevance_bars(
                row.labels,
                row.weights,
                reservoir=0.0,
                query=row.query,
                window=window_around(len(row.labels), row.query),
                title="Attention: the same arithmetic whatever you add",
            ),
            alt=attention_charts.describe_relevance(row.labels, row.weights, row.labels[row.query]),
        )
    with right:
        ui.altair_chart(
            scene_charts.chromatin_scene(
                list(row.labels),
                row.weights,
                scene.occupancy,
                energies,
                closed=scene.closed,
                bound=scene.bound,
                unbound=scene.unbound if ingredients else None,
                title=f"Chromatin: {scene.note}",
            ),
            alt=scene_charts.scene_description(
                list(row.labels), scene.occupancy, closed=scene.closed
            ),
        )


def demo_instructions(row, result) -> None:
    names = [name for name, _ in figures.INSTRUCTION_SOURCES]
    chosen = st.multiselect(
        "Sources of instructions switched on", names, default=names, key="lim_sources"
    )
    occupancy = figures.instruction_occupancy(
        row.weights, sources=set(chosen), closed=figures.demo_closed(len(row.labels))
    )
    _bars(
        row,
        occupancy,
        occupancy_title="TF occupancy with these sources",
        title="Only sequence and accessibility reach the simulation",
    )
    st.dataframe(
        {
            "source of instructions": names,
            "represented in this app as": [
                what or "nothing (no variable for it)" for _, what in figures.INSTRUCTION_SOURCES
            ],
        },
        hide_index=True,
    )


def demo_timescale(row, result, *, timescales) -> None:
    model = ui.current_model()
    if model is None:
        learn.no_model_note()
        return
    tokens = st.select_slider(
        "Prompt length to time (words)", options=[8, 32, 128, 400], value=8, key="lim_tokens"
    )
    words = (DEFAULT_PROMPT.split() * (tokens // 10 + 1))[:tokens]
    timing = learn.timed_forward_pass(model, model.model_id, " ".join(words))
    rows = [
        {
            "label": f"one forward pass, {timing.tokens} tokens (measured now)",
            "side": "model",
            "low": timing.seconds,
            "high": timing.seconds * 1.05,
        }
    ]
    rows += [
        {"label": t.label, "side": t.side, "low": t.seconds_low, "high": t.seconds_high}
        for t in timescales
    ]
    ui.altair_chart(
        learn_charts.timescale_chart(rows, title="From a forward pass to a lifetime"),
        alt="Time ranges on a log axis: " + "; ".join(r["label"] for r in rows),
    )
    specific = next((t for t in timescales if "specific binding" in t.label), None)
    left, right = st.columns(2)
    left.metric("Forward pass on this machine", f"{timing.seconds * 1000:.1f} ms")
    if specific is not None:
        right.metric(
            "A specific TF binding event lasts about",
            f"{specific.seconds_low / timing.seconds:,.0f}× longer",
        )


def demo_normalization(row, result) -> None:
    n = len(row.labels)
    top = min(COPIES_MAX, n - 1)
    if top < 2:
        ui.say("too_few_loci", st.info, loci=n)
        return
    copies = st.slider(
        "TF copies in the nucleus",
        1,
        top,
        value=1,
        key="lim_copies",
        help=ui.message("copies_help", loci=n),
    )
    many = figures.copies_comparison(row.weights, copies=copies)
    _bars(
        row,
        many.occupancy,
        occupancy_title=f"TF occupancy, {copies} cop{'y' if copies == 1 else 'ies'}",
        title=f"{many.model}: occupancies add up to {many.total:.2f}",
    )
    left, right = st.columns(2)
    left.metric("Sum of the attention row", f"{row.weights.sum():.2f}")
    right.metric("Sum of the occupancies", f"{many.total:.2f}")


def demo_concentration(row, result) -> None:
    level = st.select_slider(
        "Free TF concentration (relative to c₀)",
        options=[0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0],
        value=1.0,
        key="lim_concentration",
    )
    occ = toys.occupancy_at_concentration(
        binding_energies(row.weights), relative_concentration=level
    )
    _bars(
        row,
        occ.occupancy,
        occupancy_title=f"TF occupancy at {level:g} c₀",
        title=f"μ = {occ.mu:+.2f} kT: every site rises together; attention does not move",
    )


def demo_gating(row, result) -> None:
    options = list(range(len(row.labels)))
    strongest = int(np.argsort(row.weights)[::-1][0])
    closed_ids = st.multiselect(
        "Close these loci (wrap them in nucleosomes)",
        options,
        default=[strongest],
        format_func=lambda i: f"{i}: {row.labels[i]}",
        key="lim_closed",
    )
    pioneer = st.toggle("Add a pioneer factor", key="lim_pioneer")
    penalty = st.slider(
        "Pioneer energy penalty Δ (kT)",
        0.0,
        10.0,
        value=3.0,
        step=0.5,
        key="lim_penalty",
        disabled=not pioneer,
    )
    closed = np.isin(np.arange(len(row.labels)), closed_ids)
    if closed.all() and not pioneer:
        ui.say("all_closed", st.info)
        return
    gated = figures.gated_occupancy(
        row.weights, closed=closed, pioneer_penalty=penalty if pioneer else None
    )
    _bars(
        row,
        gated.occupancy,
        occupancy_title="TF occupancy with closed loci",
        title=f"Occupancy on closed loci: {gated.closed_share:.3f}",
    )


def demo_cooperativity(row, result) -> None:
    left, right = st.columns(2)
    log_l = left.slider(
        "Nucleosome stability log₁₀ L (0 = no nucleosome)",
        0.0,
        4.0,
        value=2.0,
        step=0.5,
        key="lim_nucleosome",
    )
    omega = right.select_slider(
        "Direct contact between the factors ω", [1, 3, 10, 30, 100], value=1, key="lim_omega"
    )
    nucleosome = 0.0 if log_l == 0 else 10.0**log_l
    x = np.geomspace(1e-3, 1e5, 240)
    pair = toys.pair_occupancy(x, omega=float(omega), nucleosome=nucleosome)
    ui.altair_chart(
        learn_charts.curves_chart(
            x,
            {"site A alone": pair.alone, "site A next to partner site B": pair.with_partner},
            x_title="TF concentration (c / K_d)",
            y_title="P(site A bound)",
            title="Two nearby sites",
            log_x=True,
            y_domain=(0, 1),
        ),
        alt="Occupancy of site A against concentration, alone and next to a partner site.",
    )
    a, b = st.columns(2)
    a.metric("Steepness alone (Hill coefficient)", f"{toys.hill_coefficient(x, pair.alone):.2f}")
    b.metric("Steepness with the partner", f"{toys.hill_coefficient(x, pair.with_partner):.2f}")


def demo_nonequilibrium(row, result) -> None:
    drive = st.slider(
        "ATP drive of the remodeller (kT per cycle)",
        0.0,
        10.0,
        value=0.0,
        step=0.5,
        key="lim_drive",
    )
    cycle = toys.driven_cycle(drive=drive)
    ui.altair_chart(
        learn_charts.grouped_bars(
            cycle.states,
            {"long-run occupancy": cycle.steady, "Boltzmann prediction": cycle.boltzmann},
            y_title="probability",
            title="Closed → open → bound → closed",
            y_domain=(0, 1),
        ),
        alt="Long-run occupancy of the three chromatin states beside the Boltzmann prediction.",
    )
    a, b = st.columns(2)
    a.metric("Net flux around the cycle", f"{cycle.flux:.3f}")
    b.metric("Largest gap from Boltzmann", f"{np.abs(cycle.steady - cycle.boltzmann).max():.3f}")


def demo_stochastic(row, result) -> None:
    first = st.number_input(
        "First random seed",
        0,
        10_000,
        value=0,
        key="lim_seed",
        help=ui.message("seed_help"),
    )
    seeds = (int(first), int(first) + 1, int(first) + 2)
    traces = figures.seed_traces(row.weights, seeds=seeds)
    ui.altair_chart(
        learn_charts.curves_chart(
            traces.times,
            {f"seed {s}": t for s, t in zip(traces.seeds, traces.traces, strict=True)},
            x_title="simulated time (1/k0)",
            y_title=f"running occupancy of '{row.labels[traces.locus]}'",
            title="Three runs of the same binding landscape",
            reference=traces.target,
            reference_label="attention weight (equilibrium)",
        ),
        alt=f"Running occupancy of one locus in kinetic runs with seeds {seeds}.",
    )
    model = ui.current_model()
    if model is None:
        learn.no_model_note()
        return
    st.metric(
        "Largest difference between two forward passes on this prompt",
        learn.fmt_difference(repeat_difference(model, row_prompt())),
    )


def demo_memory(row, result) -> None:
    pulse = st.slider(
        "Strength of a brief signal (at cycle 1)", 0.0, 3.0, value=1.0, step=0.1, key="lim_pulse"
    )
    with_feedback = toys.mark_memory(pulse=pulse)
    without = toys.mark_memory(pulse=pulse, params=toys.MarkParams(feedback=0.0))
    ui.altair_chart(
        learn_charts.curves_chart(
            with_feedback.times,
            {"with mark feedback": with_feedback.mark, "without feedback": without.mark},
            x_title="cell cycles (a division at each whole number)",
            y_title="marked fraction of the locus",
            title="A brief signal, then divisions",
            y_domain=(0, 1),
        ),
        alt="Mark level over eight cell cycles after a brief signal, with and without feedback.",
    )
    sweep = toys.mark_hysteresis(np.linspace(0.0, 0.1, 11))
    with st.expander("Hysteresis: raise the signal slowly, then lower it"):
        ui.altair_chart(
            learn_charts.curves_chart(
                sweep.signals,
                {"signal rising": sweep.rising, "signal falling": sweep.falling},
                x_title="constant signal",
                y_title="steady mark",
                title="The path up is not the path down",
                y_domain=(0, 1),
            ),
            alt="Steady mark level for a rising and then falling signal.",
        )
    model = ui.current_model()
    if model is None:
        learn.no_model_note()
        return
    st.metric(
        "Change in this prompt's attention after running another prompt first",
        learn.fmt_difference(memory_difference(model, "Paris Hilton news", row_prompt())),
    )


def demo_explanation(row, result) -> None:
    model = ui.current_model()
    if model is None:
        learn.no_model_note()
        return
    layer = st.slider(
        "Layer whose heads are switched off one at a time",
        0,
        result.num_layers - 1,
        value=LAYER,
        key="lim_ablate_layer",
    )
    effect = learn.ablation(model, model.model_id, row_prompt(), layer)
    ui.altair_chart(
        learn_charts.head_scatter(
            effect.special_mass,
            effect.change,
            x_title="attention on [CLS]/[SEP]",
            y_title="embedding change when removed (1 − cosine)",
            title=f"Layer {layer}: where a head looks vs what it does",
        ),
        alt="One point per head: attention on special tokens against the effect of removing it.",
    )
    most = int(np.argmax(effect.change))
    sink = int(np.argmax(effect.special_mass))
    ui.say(
        "ablation_summary",
        sink=sink,
        sink_share=float(effect.special_mass[sink]),
        sink_change=float(effect.change[sink]),
        most=most,
        most_change=float(effect.change[most]),
    )


DEMOS = {
    "biological_vs_computational": demo_biological,
    "instruction_sources": demo_instructions,
    "timescale_log": demo_timescale,
    "copies_slider": demo_normalization,
    "concentration_slider": demo_concentration,
    "gating_pioneer": demo_gating,
    "cooperativity_figure": demo_cooperativity,
    "nonequilibrium_figure": demo_nonequilibrium,
    "seeds_vs_forward": demo_stochastic,
    "memory_figure": demo_memory,
    "attention_not_explanation": demo_explanation,
}
NEEDS_MODEL_ROW = {
    "biological_vs_computational",
    "instruction_sources",
    "copies_slider",
    "concentration_slider",
    "gating_pioneer",
    "seeds_vs_forward",
    "attention_not_explanation",
}


def row_prompt() -> str:
    return st.session_state.get("limits_prompt") or DEFAULT_PROMPT


ui.model_picker()
st.title("Where the analogy breaks")
ui.say("limitations_intro")
site = learn.content()
if "limits_prompt" not in st.session_state:
    st.session_state["limits_prompt"] = DEFAULT_PROMPT
st.text_input(
    "Prompt used by the live demonstrations",
    key="limits_prompt",
    max_chars=2000,
    help=ui.message("limits_prompt_help", layer=LAYER),
)
result = ui.attention_for(row_prompt())
row = None
if result is not None:
    labels, _ = level_groups(result, level="word")
    query = default_query(labels, special_groups(result, level="word"))
    row = select_relevance(
        result, query=query, layer=min(LAYER, result.num_layers - 1), level="word", special="drop"
    )
    ui.say("limits_query", word=labels[query], loci=len(row.labels))

if site.limitations is None:
    st.error("The limitations text could not be loaded (see the warning above).")
else:
    for limitation in site.limitations.limitations:
        learn.section_header(
            limitation.title,
            anchor=limitation.id,
            texts=[limitation.claim, limitation.demo_caption],
        )
        st.write(limitation.claim)
        with learn.live_figure(limitation.title):
            demo = DEMOS[limitation.demo]
            if limitation.demo in NEEDS_MODEL_ROW and row is None:
                learn.no_model_note()
            elif limitation.demo == "timescale_log":
                demo(row, result, timescales=site.limitations.timescales)
            else:
                demo(row, result)
        st.caption(limitation.demo_caption)
        learn.sources(limitation.sources)
        learn.links(topic=limitation.quiz_topic)

learn.glossary_expander()
learn.references_expander()
