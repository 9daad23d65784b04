"""Where the analogy breaks: each limitation with a control that changes a live figure, a
caption, its sources and a quiz link. Every demonstration is a fragment: its control reruns
that demonstration alone."""

import numpy as np
import streamlit as st

from lib.learn import limitations as demos
from lib.learn.figures import INSTRUCTION_SOURCES
from lib.pipeline.views import limitation_row
from ui import learn, state
from ui.cache import cached_view, current_model
from ui.controls import model_picker
from ui.site import require_entry
from ui.text import message, say

require_entry()

LAYER = 2
OTHER_PROMPT = "Paris Hilton news"  # run first, to show a forward pass keeps no memory


def demo_biological(row):
    chosen = st.multiselect("Physical ingredients to add to the scene", demos.INGREDIENTS,
                            key="lim_bio", help=message("biology_help"))
    return demos.biological_figure(row, ingredients=frozenset(chosen))


def demo_instructions(row):
    names = [name for name, _ in INSTRUCTION_SOURCES]
    chosen = st.multiselect("Sources of instructions switched on", names, default=names,
                            key="lim_sources")
    return demos.instructions_figure(row, sources=frozenset(chosen))


def demo_timescale(row):
    model = current_model()
    if model is None:
        return None
    tokens = st.select_slider("Prompt length to time (words)", options=[8, 32, 128, 400],
                              value=8, key="lim_tokens")
    words = (state.LIMITS_PROMPT.default.split() * (tokens // 10 + 1))[:tokens]
    timing = learn.timed_forward_pass(model, model.model_id, " ".join(words))
    return demos.timescale_figure(timing, learn.content().limitations.timescales)


def demo_normalization(row):
    n = len(row.labels)
    top = min(demos.COPIES_MAX, n - 1)
    if top < 2:
        say("too_few_loci", st.info, loci=n)
        return None
    copies = st.slider("TF copies in this toy nucleus", 1, top, value=1, key="lim_copies",
                       help=message("copies_help", loci=n))
    return demos.normalization_figure(row, copies=copies)


def demo_concentration(row):
    level = st.select_slider("Free TF concentration (relative to c₀)",
                             options=demos.CONCENTRATIONS, value=1.0, key="lim_concentration")
    return demos.concentration_figure(row, level=level)


def demo_gating(row):
    strongest = int(np.argmax(row.weights))
    closed = st.multiselect("Close these loci (a nucleosome over each site)",
                            list(range(len(row.labels))), default=[strongest],
                            format_func=lambda i: f"{i}: {row.labels[i]}", key="lim_closed")
    pioneer = st.toggle("Add a pioneer factor", key="lim_pioneer")
    penalty = st.slider("Pioneer energy penalty Δ (kT)", 0.0, 10.0, value=3.0, step=0.5,
                        key="lim_penalty", disabled=not pioneer)
    return demos.gating_figure(row, closed=tuple(closed),
                               pioneer_penalty=penalty if pioneer else None)


def demo_cooperativity(row):
    left, right = st.columns(2)
    log_l = left.slider("Nucleosome stability log₁₀ L (0 = no nucleosome)", 0.0, 4.0,
                        value=2.0, step=0.5, key="lim_nucleosome")
    omega = right.select_slider("Direct contact between the factors ω", demos.OMEGAS, value=1,
                                key="lim_omega")
    return demos.cooperativity_figure(log_nucleosome=log_l, omega=omega)


def demo_nonequilibrium(row):
    drive = st.slider("ATP drive of the remodeller (kT per cycle)", 0.0, 10.0, value=0.0,
                      step=0.5, key="lim_drive")
    return demos.nonequilibrium_figure(drive=drive)


def demo_stochastic(row):
    model = current_model()
    if model is None:
        return None
    first = st.number_input("First random seed", 0, 10_000, value=0, key="lim_seed",
                            help=message("seed_help"))
    gap = learn.repeat_gap(model, model.model_id, state.LIMITS_PROMPT.get())
    return demos.stochastic_figure(row, first_seed=int(first), repeat_gap=gap)


def demo_memory(row):
    model = current_model()
    if model is None:
        return None
    pulse = st.slider("Strength of a brief signal (at cycle 1)", 0.0, 3.0, value=1.0, step=0.1,
                      key="lim_pulse")
    gap = learn.memory_gap(model, model.model_id, OTHER_PROMPT, state.LIMITS_PROMPT.get())
    return demos.memory_figure(pulse=pulse, memory_gap=gap)


def demo_explanation(row):
    model = current_model()
    if model is None:
        return None
    layer = st.slider("Layer whose heads are switched off one at a time", 0,
                      model.num_layers - 1, value=LAYER, key="lim_ablate_layer")
    effect = learn.ablation(model, model.model_id, state.LIMITS_PROMPT.get(), layer)
    return demos.explanation_figure(effect, layer=layer)


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
NEEDS_ROW = {"biological_vs_computational", "instruction_sources", "copies_slider",
             "concentration_slider", "gating_pioneer", "seeds_vs_forward"}


@st.fragment
def demonstration(limitation, row) -> None:
    """One limitation's control and figure: a fragment, so its control reruns it alone."""
    with learn.live_figure(limitation.title):
        if limitation.demo in NEEDS_ROW and row is None:
            learn.no_model_note()
            return
        figure = DEMOS[limitation.demo](row)
        if figure is not None:
            learn.show_figure(figure)


model_picker()
st.title("Where the analogy breaks")
say("limitations_intro")
site = learn.content()
st.text_input("Prompt used by the live demonstrations", **state.bind(state.LIMITS_PROMPT),
              help=message("limits_prompt_help", layer=LAYER))
demo_row = cached_view("limits_row", state.LIMITS_PROMPT.get(), limitation_row, layer=LAYER)
if demo_row is not None:
    say("limits_query", word=demo_row.labels[demo_row.query], loci=len(demo_row.labels))

if site.limitations is None:
    st.error("The limitations text could not be loaded (see the warning above).")
else:
    for limitation in site.limitations.limitations:
        learn.section_header(limitation.title, anchor=limitation.id,
                             texts=[limitation.claim, limitation.demo_caption])
        st.write(limitation.claim)
        demonstration(limitation, demo_row)
        st.caption(limitation.demo_caption)
        learn.sources(limitation.sources)
        learn.links(topic=limitation.quiz_topic)

learn.glossary_expander()
learn.references_expander()
