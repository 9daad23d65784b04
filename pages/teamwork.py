"""Teamwork: every head of a layer as a TF species, binding together in one scene."""

import numpy as np
import streamlit as st

from lib.attention.heads import one_head_per_pattern, profile_heads
from lib.attention.relevance import (
    default_query,
    level_groups,
    select_relevance,
    special_groups,
    view_matrix,
)
from lib.charts import attention as attention_charts
from lib.charts import scene as scene_charts
from lib.charts.window import window_around
from lib.chromatin import species_occupancy
from pages import _common as ui
from pages._site import require_entry

require_entry()

ui.explore_sidebar(show_level=False, show_heads=False)
st.title("Teamwork: heads as TF species")
ui.caption("teamwork")
st.text_area("Prompt", **ui.bind("prompt"), max_chars=ui.PROMPT_MAX_CHARS, height=68,
             help=ui.help_for("prompt"))
result = ui.attention_for(st.session_state["prompt"])
if result is None:
    st.stop()
layer = int(st.session_state["layer"])
profiles = profile_heads(result, layer=layer)
titles = [f"TF {p.head}: {p.pattern}, {p.entropy_bits:.1f} bits" for p in profiles]

st.subheader(f"All {result.num_heads} heads of layer {layer}")
window = window_around(result.seq_len, result.seq_len // 2, size=32)
matrices = np.stack([view_matrix(result, layer=layer, head=h)[0] for h in range(result.num_heads)])
ui.altair_chart(
    attention_charts.head_grid(matrices, list(result.tokens), titles, window=window),
    alt="Small heatmaps, one per head, each labelled with its pattern and entropy.",
)
st.dataframe(
    {"TF species (head)": [p.head for p in profiles], "pattern": [p.pattern for p in profiles],
     "entropy (bits)": [round(p.entropy_bits, 2) for p in profiles],
     **{f"mass on {k}": [round(p.scores[k], 2) for p in profiles] for k in profiles[0].scores}},
    hide_index=True,
)

st.subheader("Bind together")
labels, _ = level_groups(result, level="token")
ui.normalise_choice("query", list(range(len(labels))),
                    default_query(labels, special_groups(result, level="token")))
ui.query_picker(labels, key_prefix="teamwork")
default_heads = one_head_per_pattern(profiles)
if not st.session_state.get("team_heads") or max(st.session_state["team_heads"]) >= result.num_heads:
    st.session_state["team_heads"] = default_heads
heads = st.multiselect("Heads to bind together (one colour each)", list(range(result.num_heads)),
                       **ui.bind("team_heads"), format_func=lambda h: titles[h], max_selections=7,
                       help=ui.help_for("team_heads"))
if not heads:
    ui.say("no_heads", st.info)
    st.stop()
rows = np.stack([
    select_relevance(result, query=st.session_state["query"], layer=layer, head=h,
                     temperature=1.0).weights for h in heads
])  # [species, n]
team = species_occupancy(rows, kT=float(st.session_state["temperature"]))
names = [f"TF {h}" for h in heads]
part = window_around(len(labels), st.session_state["query"]).as_slice()
ui.altair_chart(
    scene_charts.chromatin_scene(labels[part], rows[:, part], team.occupancy[:, part],
                                 team.energies[:, part], species=names,
                                 title="Several TF species on one stretch of chromatin"),
    alt=scene_charts.scene_description(labels[part], team.occupancy[:, part], species=names),
)
ui.caption("team_combined")
