"""Context: one word in two prompts, like one locus in two cell states. The page shows the word's
attention row, that is, where the TF it sends spends its time in each prompt."""

import streamlit as st

from lib.attention.context import compare_contexts, shared_words
from lib.attention.relevance import level_groups
from lib.charts import attention as attention_charts
from lib.charts import scene as scene_charts
from pages import _common as ui
from pages._site import require_entry

require_entry()

ui.explore_sidebar(show_level=False)
st.title("Context: one word, two prompts")
ui.caption("context")
left, right = st.columns(2)
left.text_input("Prompt A (one cell state)", **ui.bind("context_a"), max_chars=2000,
                help=ui.help_for("context_a"))
right.text_input("Prompt B (another cell state)", **ui.bind("context_b"), max_chars=2000,
                 help=ui.help_for("context_b"))

results = [ui.attention_for(st.session_state[k]) for k in ("context_a", "context_b")]
if any(r is None for r in results):
    st.stop()
labels = [level_groups(r, level="word")[0] for r in results]
common = shared_words(*labels)
if not common:
    ui.say("no_shared_word", st.info)
    st.stop()
ui.normalise_choice("context_word", common, common[0])
word = st.selectbox("Shared word (its row: where the TF it sends binds)", common, **ui.bind("context_word"),
                    help=ui.help_for("shared_word"))

rows = []
for result, words in zip(results, labels, strict=False):
    query = [w.casefold() for w in words].index(word.casefold())
    settings = dict(query=query, layer=st.session_state["layer"], head=ui.head_choice(),
                    level="word", special=st.session_state["special"])
    rows.append(ui.relevance_and_chromatin(result, **settings))

(a, chrom_a), (b, chrom_b) = rows
comparison = compare_contexts(a.labels, a.weights, b.labels, b.weights)
st.metric("How differently the word's TF binds (total-variation distance of its attention rows, "
          "0 = same, 1 = disjoint)",
          f"{comparison.tv_distance:.2f}")
ui.altair_chart(
    attention_charts.context_bars(comparison.keys, comparison.weights_a, comparison.weights_b,
                                  name_a="A", name_b="B"),
    alt=f"Attention of '{word}' in prompt A and prompt B, and their difference.",
)
scene_cols = st.columns(2)
for column, (shown, chromatin), name in zip(scene_cols, rows, ("A", "B"), strict=False):
    with column:
        st.subheader(f"Prompt {name}")
        ui.altair_chart(
            scene_charts.chromatin_scene(list(shown.labels), shown.weights,
                                         chromatin.equilibrium.occupancy, chromatin.energies,
                                         closed=chromatin.closed,
                                         unbound=chromatin.equilibrium.unbound,
                                         title=f"Where the TF sent by '{word}' binds, prompt {name}"),
            alt=scene_charts.scene_description(list(shown.labels), chromatin.equilibrium.occupancy,
                                               closed=chromatin.closed),
        )
