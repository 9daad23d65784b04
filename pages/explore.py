"""Explore: a prompt's real attention beside a TF-chromatin scene driven by the same numbers."""

import streamlit as st

from lib.charts import attention as attention_charts
from lib.charts import scene as scene_charts
from lib.charts.occupancy import attention_vs_occupancy_bars
from lib.pipeline.views import explore_view
from ui import controls, links, state
from ui.cache import cached_view, prompt_facts
from ui.charts import altair_chart, on_pick, show
from ui.kinetics import kinetic_panel
from ui.site import require_entry
from ui.text import caption, explore_text, say

require_entry()

links.apply_link_settings()
controls.explore_sidebar()
st.title("Explore: attention beside chromatin")
controls.preset_pills(explore_text())
controls.prompt_box()
caption("dynamics")

prompt = state.PROMPT.get()
facts = prompt_facts(prompt)
if facts is None:
    st.stop()
view = cached_view("explore", prompt, explore_view, query=state.QUERY.get(),
                   word=state.PENDING_QUERY_WORD.get(), settings=state.row_settings())
if view is None:
    st.stop()
state.PENDING_QUERY_WORD.reset()
controls.query_picker(view.options, view.query, key_prefix="explore")
row, chromatin = view.row.relevance, view.row.chromatin
if view.row_window.is_partial:
    say("window_partial", shown=view.row_window.stop - view.row_window.start,
        total=view.row_window.total)

left, right = st.columns(2, gap="large")
with left:
    st.subheader("Real attention")
    show(attention_charts.attention_heatmap(view.heatmap, view.options.labels, query=view.query),
         key="explore_heatmap", width="content",
         on_select=on_pick("explore_heatmap", "query_pos", state.QUERY.set))
    caption("rollout" if state.HEAD_MODE.get() == "rollout" else "heatmap")
    show(attention_charts.relevance_bars(row, window=view.row_window))
    caption("relevance_bars")
with right:
    st.subheader("Simulated chromatin")
    part = view.row_window.as_slice()
    scene_args = (list(row.labels[part]), row.weights[part],
                  chromatin.equilibrium.occupancy[part], chromatin.energies[part])
    altair_chart(
        scene_charts.chromatin_scene(*scene_args, closed=chromatin.closed[part],
                                     unbound=chromatin.equilibrium.unbound or None),
        alt=scene_charts.scene_description(scene_args[0], scene_args[2],
                                           closed=chromatin.closed[part]),
    )
    caption("scene")
    show(attention_vs_occupancy_bars(
        scene_args[0], scene_args[1], scene_args[2], keys=row.keys[part],
        unbound=(row.reservoir, chromatin.equilibrium.unbound) if row.reservoir else None))
    caption("reservoir" if row.reservoir else ("closed_chromatin" if row.closed.any()
                                               else "temperature"))
    kinetic_panel(row.labels, row.weights, chromatin, window=view.row_window)

with st.expander("Where the numbers come from"):
    say("numbers_source", st.markdown, model=view.model_name, kind=view.model_kind,
        layers=view.num_layers, heads=view.num_heads, temperature=state.TEMPERATURE.get(),
        gap=view.row.largest_gap)
    caption("weights")
