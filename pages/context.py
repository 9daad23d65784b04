"""Context: one word in two prompts, as the TF it sends in two cell states."""

import streamlit as st

from lib.charts import attention as attention_charts
from lib.pipeline.views import context_scenes, context_view, context_words
from ui import controls, state
from ui.cache import cached_view, prompt_facts
from ui.charts import show
from ui.scene import show_scene
from ui.site import require_entry
from ui.text import caption, help_for, say

require_entry()

controls.explore_sidebar(show_level=False)
st.title("Context: the same gene in two cell types")
caption("context")
left, right = st.columns(2)
left.text_input("Prompt A (cell type A)", **state.bind(state.CONTEXT_A), max_chars=2000,
                help=help_for("context_a"))
right.text_input("Prompt B (cell type B)", **state.bind(state.CONTEXT_B), max_chars=2000,
                 help=help_for("context_b"))

prompts = (state.CONTEXT_A.get(), state.CONTEXT_B.get())
facts = [prompt_facts(p) for p in prompts]
if any(f is None for f in facts):
    st.stop()
common = cached_view("context_words", prompts, context_words)
if not common:
    say("no_shared_word", st.info)
    st.stop()
if state.CONTEXT_WORD.get() not in common:
    state.CONTEXT_WORD.set(common[0])
word = st.selectbox("Shared word (the gene)", common, **state.bind(state.CONTEXT_WORD),
                    help=help_for("shared_word"))
view = cached_view("context", prompts, context_view, word=word,
                   settings=state.row_settings(level="word"))
if view is None:
    st.stop()

st.metric("How differently the word attends (total-variation distance, 0 = same, 1 = disjoint)",
          f"{view.comparison.tv_distance:.2f}")
comparison = view.comparison
show(attention_charts.context_bars(
    comparison.keys, comparison.weights_a, comparison.weights_b, name_a="A", name_b="B",
    alt_text=f"Attention of '{word}' in prompt A and prompt B, and their difference; "
             f"total-variation distance {comparison.tv_distance:.2f}."))
scenes = cached_view("context_scenes", prompts, context_scenes, word=word,
                     settings=state.row_settings(level="word"))
for column, scene, name in zip(st.columns(2), scenes or (), ("A", "B"), strict=True):
    with column:
        st.subheader(f"Cell type {name}")
        show_scene(scene, key=f"context_scene_{name}")
