"""Explore: a prompt's real attention beside a TF-chromatin scene driven by the same numbers."""

import numpy as np
import streamlit as st

from lib.attention.relevance import default_query, level_groups, special_groups, view_matrix
from lib.charts import attention as attention_charts
from lib.charts import scene as scene_charts
from lib.charts.window import window_around
from pages import _common as ui
from pages._kinetics import kinetic_panel
from pages._site import require_entry

require_entry()

ui.apply_link_settings()
ui.explore_sidebar()
st.title("Explore: attention beside chromatin")
text = ui.explore_text()
ui.preset_pills(text)
st.text_area(
    "Prompt", **ui.bind("prompt"), max_chars=ui.PROMPT_MAX_CHARS, height=80, help=ui.help_for("prompt"),
    placeholder="Type any sentence, then press Ctrl+Enter",
)
ui.caption("dynamics")

result = ui.attention_for(st.session_state["prompt"])
if result is None:
    st.stop()
level, head = st.session_state["level"], ui.head_choice()
labels, _ = level_groups(result, level=level)
is_special = special_groups(result, level=level)
ui.normalise_choice("query", list(range(len(labels))), default_query(labels, is_special))

ui.query_picker(labels, key_prefix="explore")
settings = dict(query=st.session_state["query"], layer=st.session_state["layer"], head=head,
                level=level, special=st.session_state["special"])
temperature = float(st.session_state["temperature"])
shown, chromatin = ui.relevance_and_chromatin(result, **settings)
window = window_around(len(shown.labels), max(shown.query, 0))
part = window.as_slice()
if window.is_partial:
    ui.say("window_partial", shown=window.stop - window.start, total=window.total)

matrix, matrix_labels = view_matrix(result, layer=settings["layer"], head=head, level=level,
                                    temperature=temperature)
model_name, model_kind = result.model_name, result.model_kind
num_layers, num_heads = result.num_layers, result.num_heads
# Everything below draws from these small views. Letting go of the full tensor here (75 MB
# at 512 tokens) frees it while the charts render, if the shared cache has dropped it: in a
# class where many long prompts run at once, that is what bounds the server's memory.
del result

left, right = st.columns(2, gap="large")
with left:
    st.subheader("Real attention")
    heat_window = window_around(len(matrix_labels), st.session_state["query"])
    ui.altair_chart(
        attention_charts.attention_heatmap(matrix, matrix_labels, query=st.session_state["query"],
                                           window=heat_window),
        key="explore_heatmap", on_select=ui.on_query_click("explore_heatmap", "query_pos"),
        alt="Heatmap of attention weights: rows are query tokens, columns the tokens they weigh.",
    )
    ui.caption("rollout" if head == "rollout" else "heatmap")
    ui.altair_chart(
        attention_charts.relevance_bars(shown.labels, shown.weights, reservoir=shown.reservoir,
                                        query=shown.query, window=window),
        alt=attention_charts.describe_relevance(shown.labels, shown.weights,
                                                labels[st.session_state["query"]]),
    )
    ui.caption("relevance_bars")
with right:
    st.subheader("Simulated chromatin")
    scene_args = (list(shown.labels[part]), shown.weights[part],
                  chromatin.equilibrium.occupancy[part], chromatin.energies[part])
    ui.altair_chart(
        scene_charts.chromatin_scene(*scene_args, closed=chromatin.closed[part],
                                     unbound=chromatin.equilibrium.unbound or None),
        alt=scene_charts.scene_description(scene_args[0], scene_args[2], closed=chromatin.closed[part]),
    )
    ui.caption("scene")
    ui.altair_chart(
        scene_charts.attention_vs_occupancy_bars(
            *scene_args[:3], reservoir=shown.reservoir or None,
            unbound=chromatin.equilibrium.unbound or None),
        alt=scene_charts.bars_description(*scene_args[:3]),
    )
    ui.caption("reservoir" if shown.reservoir else ("closed_chromatin" if shown.closed.any()
                                                    else "temperature"))
    kinetic_panel(shown.labels, shown.weights, chromatin, window=window)

with st.expander("Where the numbers come from"):
    ui.say(
        "numbers_source", st.markdown, model=model_name, kind=model_kind, layers=num_layers,
        heads=num_heads, temperature=temperature,
        gap=float(np.abs(chromatin.equilibrium.occupancy - shown.weights).max()),
    )
    ui.caption("weights")
