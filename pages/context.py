"""Context: one word in two prompts, like one gene in two cell types."""

import streamlit as st

from lib.attention.context import compare_contexts, shared_words
from lib.attention.relevance import level_groups, select_relevance
from lib.charts import attention as attention_charts
from lib.charts import scene as scene_charts
from lib.chromatin.from_attention import chromatin_from_attention
from pages import _common as ui
from pages._site import require_entry

require_entry()

ui.model_picker()
model = ui.current_model()
if model is not None:
    ui.attention_controls(model.num_layers, model.num_heads, show_level=False)
st.title("Context: the same gene in two cell types")
ui.caption("context")
left, right = st.columns(2)
left.text_input("Prompt A (cell type A)", **ui.bind("context_a"), max_chars=2000,
                help="The first context. It must share a word with prompt B.")
right.text_input("Prompt B (cell type B)", **ui.bind("context_b"), max_chars=2000,
                 help="The second context, sharing a word with prompt A.")

results = [ui.attention_for(st.session_state[k]) for k in ("context_a", "context_b")]
if any(r is None for r in results):
    st.stop()
labels = [level_groups(r, level="word")[0] for r in results]
common = shared_words(*labels)
if not common:
    st.info("The two prompts share no word. Use a word in both, like 'Paris' in the examples.")
    st.stop()
ui.normalise_choice("context_word", common, common[0])
word = st.selectbox("Shared word (the gene)", common, **ui.bind("context_word"),
                    help="The word whose attention row is compared across the two contexts.")

rows = []
for result, words in zip(results, labels, strict=False):
    query = [w.casefold() for w in words].index(word.casefold())
    settings = dict(query=query, layer=st.session_state["layer"], head=ui.head_choice(),
                    level="word", special=st.session_state["special"])
    reference = select_relevance(result, **settings)
    shown = select_relevance(result, **settings, temperature=float(st.session_state["temperature"]))
    rows.append((shown, chromatin_from_attention(
        reference.weights, temperature=float(st.session_state["temperature"]),
        reservoir=shown.reservoir, closed=shown.closed)))

(a, chrom_a), (b, chrom_b) = rows
comparison = compare_contexts(a.labels, a.weights, b.labels, b.weights)
st.metric("How differently the word attends (total-variation distance, 0 = same, 1 = disjoint)",
          f"{comparison.tv_distance:.2f}")
st.altair_chart(
    attention_charts.context_bars(comparison.keys, comparison.weights_a, comparison.weights_b,
                                  name_a="A", name_b="B"),
    alt=f"Attention of '{word}' in prompt A and prompt B, and their difference.",
)
scene_cols = st.columns(2)
for column, (shown, chromatin), name in zip(scene_cols, rows, ("A", "B"), strict=False):
    with column:
        st.subheader(f"Cell type {name}")
        st.altair_chart(
            scene_charts.chromatin_scene(list(shown.labels), shown.weights,
                                         chromatin.equilibrium.occupancy, chromatin.energies,
                                         closed=chromatin.closed,
                                         unbound=chromatin.equilibrium.unbound,
                                         title=f"'{word}' as a gene in cell type {name}"),
            alt=scene_charts.scene_description(list(shown.labels), chromatin.equilibrium.occupancy,
                                               closed=chromatin.closed),
        )
