"""The analogy, parallel by parallel: both sides in words, a live figure from the real model
and the chromatin model, a link into Explore and a quiz link; then the mapping and the maths."""

import streamlit as st

from lib.charts.learn import tempered_pair_chart
from lib.learn import analogy as figures
from lib.pipeline.views import RowSettings
from ui import learn, state
from ui.cache import cached_view
from ui.charts import show
from ui.controls import model_picker
from ui.links import explore_link
from ui.site import require_entry
from ui.text import say

require_entry()

DEFAULT_LAYER = 2  # a middle layer: past the positional patterns of layer 0, before the last
CONTEXT_PROMPT = state.CONTEXT_A.default  # the essay's other "Paris" prompt


def _settings(section) -> dict:
    try_it = section.try_it
    return {"word": try_it.query,
            "layer": try_it.layer if try_it.layer is not None else DEFAULT_LAYER,
            "head": try_it.head if try_it.head is not None else "mean"}


WORD_LEVEL = {"context_two_prompts", "dynamics_recompute"}  # figures drawn with whole words
# Figures whose [CLS]/[SEP] share is the unbound reservoir; the others drop it.
RESERVOIR = {"input_tokens_loci", "teamwork_heads_species"}


def explore_params(section) -> dict[str, str]:
    """A link that opens Explore with every setting this section's figure used."""
    settings = _settings(section)
    row = RowSettings(layer=settings["layer"], head=settings["head"],
                      level="word" if section.figure in WORD_LEVEL else "token",
                      special="reservoir" if section.figure in RESERVOIR else "drop",
                      temperature=float(section.try_it.temperature or 1.0))
    return explore_link(section.try_it.prompt, word=settings["word"], settings=row)


def fig_input(section):
    learn.show_figure(cached_view("an_input", section.try_it.prompt, figures.input_figure,
                                  layer=_settings(section)["layer"]))


def fig_decision(section):
    learn.show_figure(cached_view("an_decision", section.try_it.prompt,
                                  figures.decision_figure, **_settings(section)))


def fig_context(section):
    learn.show_figure(cached_view("an_context", (CONTEXT_PROMPT, section.try_it.prompt),
                                  figures.context_figure, **_settings(section)))


def fig_teamwork(section):
    settings = _settings(section)
    learn.show_figure(cached_view("an_teamwork", section.try_it.prompt,
                                  figures.teamwork_figure, word=settings["word"],
                                  layer=settings["layer"]))


@st.fragment
def fig_dynamics(section):
    """A fragment: editing the prompt recomputes this figure alone."""
    word = section.try_it.query
    edited = st.text_input(f"Edit the prompt (keep the word '{word}') to recompute everything",
                           key="an_dynamics", value=f"{section.try_it.prompt} in the spring")
    learn.show_figure(cached_view("an_dynamics", (section.try_it.prompt, edited),
                                  figures.dynamics_figure, **_settings(section)))


def fig_instructions(section):
    learn.show_figure(cached_view("an_instructions", section.try_it.prompt,
                                  figures.instructions_figure, word=_settings(section)["word"]))


def fig_why(section):
    """The temperature slider lives in the chart: the browser re-tempers, with no rerun."""
    row = cached_view("an_why", section.try_it.prompt, figures.temperature_row,
                      **_settings(section))
    if row is None:
        learn.no_model_note()
        return
    show(tempered_pair_chart(row.labels, row.weights,
                             temperature=float(section.try_it.temperature or 1.0)))
    say("entropy_help")


# The function that draws each figure id named in content/analogy.yaml.
FIGURES = {
    "input_tokens_loci": fig_input,
    "decision_row_occupancy": fig_decision,
    "context_two_prompts": fig_context,
    "teamwork_heads_species": fig_teamwork,
    "dynamics_recompute": fig_dynamics,
    "instructions_weights_genome": fig_instructions,
    "temperature_boltzmann": fig_why,
}

model_picker()
st.title("The analogy: transcription factors as cellular attention")
say("analogy_intro")
site = learn.content()
analogy = site.analogy
if analogy is None:
    st.error("The analogy text could not be loaded (see the warning above), so this page "
             "can only show the glossary and references.")
else:
    for section in analogy.sections:
        learn.section_header(section.title, anchor=section.id,
                             texts=[section.cell_side, section.model_side])
        cell, model = st.columns(2, gap="large")
        cell.markdown("**In the cell**")
        cell.write(section.cell_side)
        model.markdown("**In the transformer**")
        model.write(section.model_side)
        st.markdown(f"**In short:** {section.takeaway}")
        with learn.live_figure(section.title):
            FIGURES[section.figure](section)
        learn.links(topic=section.quiz_topic, explore=explore_params(section))
        learn.sources(section.sources)

    learn.section_header("The full mapping", anchor="mapping",
                         texts=[f"{r.transformer} {r.chromatin}" for r in analogy.mapping])
    st.table(  # a static table wraps its text: the notes are read in full, never cut off
        {"transformer": [r.transformer for r in analogy.mapping],
         "chromatin": [r.chromatin for r in analogy.mapping],
         "why it fits (or where it strains)": [r.note for r in analogy.mapping],
         "from": [", ".join(r.origin) for r in analogy.mapping]},
    )
    learn.section_header("Derivation: softmax is a Boltzmann distribution", anchor="derivation",
                         texts=[step.text for step in analogy.derivation])
    for number, step in enumerate(analogy.derivation, start=1):
        st.markdown(f"**{number}.** {step.text}")
        st.latex(step.latex)
        learn.sources(step.sources)

learn.glossary_expander()
learn.references_expander()
