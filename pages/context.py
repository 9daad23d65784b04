"""Context: one word in two prompts, like one locus in two cell states. The word can be read
two ways, and the page says which it shows: its row (where the TF it sends spends its time)
or its column (how much the other words' TFs bind it, as a locus)."""

import streamlit as st

from lib.charts import attention as attention_charts
from lib.pipeline.views import (
    RowSettings,
    context_scenes,
    context_view,
    context_words,
    received_view,
)
from ui import controls, state
from ui.cache import cached_view, prompt_facts
from ui.charts import show
from ui.links import sync_url
from ui.scene import show_scene
from ui.site import require_entry
from ui.text import caption, help_for, message, say

require_entry()

READINGS = {"row": "Its row: where the TF it sends binds",
            "column": "Its column: how much it is bound, as a locus"}

controls.model_picker()
st.title("Context: one word, two prompts")
caption("context")
left, right = st.columns(2)
left.text_input("Prompt A (one cell state)", **state.bind(state.CONTEXT_A),
                help=help_for("context_a"))
right.text_input("Prompt B (another cell state)", **state.bind(state.CONTEXT_B),
                 help=help_for("context_b"))


@st.fragment
def one_word_in_two_prompts(prompts: tuple[str, str]) -> None:
    """The sidebar's controls, the word and the reading, and all they act on, as one
    fragment: a change reruns these panels alone, not the menu and the prompt boxes."""
    controls.attention_controls(show_level=False)
    if any(prompt_facts(p) is None for p in prompts):
        return
    common = cached_view("context_words", prompts, context_words)
    if not common:
        say("no_shared_word", st.info)
        return
    if state.CONTEXT_WORD.get() not in common:
        state.CONTEXT_WORD.set(common[0])
    word_column, reading_column = st.columns(2)
    word = word_column.selectbox("Shared word", common, **state.bind(state.CONTEXT_WORD),
                                 help=help_for("shared_word"))
    reading = reading_column.radio("Show the word as", list(READINGS),
                                   format_func=READINGS.get, **state.bind(state.CONTEXT_READING))
    settings = state.row_settings(level="word")
    if reading == "row":
        the_row(prompts, word, settings)
    else:
        the_column(prompts, word, settings)
    sync_url()  # a fragment rerun skips the site's end of run, which writes the address


def the_row(prompts: tuple[str, str], word: str, settings: RowSettings) -> None:
    view = cached_view("context", prompts, context_view, word=word, settings=settings)
    if view is None:
        return
    comparison = view.comparison
    st.metric("How differently the word's TF binds (0 = the same, 1 = no overlap)",
              f"{comparison.tv_distance:.2f}", help=message("tv_help"))
    show(attention_charts.context_bars(
        comparison.keys, comparison.weights_a, comparison.weights_b, name_a="A", name_b="B",
        alt_text=f"Attention of '{word}' in prompt A and prompt B, and their difference; "
                 f"total-variation distance {comparison.tv_distance:.2f}."))
    scenes = cached_view("context_scenes", prompts, context_scenes, word=word, settings=settings)
    for column, scene, name in zip(st.columns(2), scenes or (), ("A", "B"), strict=True):
        with column:
            st.subheader(f"Where the TF sent by '{word}' binds, prompt {name}")
            show_scene(scene, key=f"context_scene_{name}")


def the_column(prompts: tuple[str, str], word: str, settings: RowSettings) -> None:
    view = cached_view("received", prompts, received_view, word=word, settings=settings)
    if view is None:
        return
    comparison = view.comparison
    a, b = st.columns(2)
    a.metric(f"Average attention '{word}' receives in prompt A", f"{view.mean_received[0]:.3f}")
    b.metric(f"Average attention '{word}' receives in prompt B", f"{view.mean_received[1]:.3f}",
             delta=f"{view.mean_received[1] - view.mean_received[0]:+.3f}")
    show(attention_charts.context_bars(
        comparison.keys, comparison.weights_a, comparison.weights_b, name_a="A", name_b="B",
        alt_text=(f"How much each word of prompts A and B attends to '{word}': its occupancy "
                  f"as a locus, {view.mean_received[0]:.3f} on average in A and "
                  f"{view.mean_received[1]:.3f} in B.")))
    say("context_column")


one_word_in_two_prompts((state.CONTEXT_A.get(), state.CONTEXT_B.get()))
