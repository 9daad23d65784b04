"""Teamwork: every head of a layer as a TF species, binding together in one scene."""

import streamlit as st

from lib.charts import attention as attention_charts
from lib.pipeline.views import HeadsView, heads_view, query_options, resolve_query, team_scene
from ui import controls, state
from ui.cache import cached_view, prompt_facts
from ui.charts import show
from ui.links import sync_url
from ui.scene import show_scene
from ui.site import require_entry
from ui.text import caption, help_for, message, say

require_entry()

TABLE_ROW_PX = 35  # Streamlit's data-grid row height

controls.model_picker()
st.title("Teamwork: heads as TF species")
caption("teamwork")
controls.prompt_box(height=68)


@st.fragment
def heads_of_a_layer(prompt: str) -> None:
    """The layer and temperature controls and all they act on, as one fragment: a change
    reruns these panels alone, not the menu and the prompt box above them."""
    controls.attention_controls(show_level=False, show_heads=False)
    facts = prompt_facts(prompt)
    if facts is None:
        return
    layer = int(state.LAYER.get())
    heads = cached_view("heads", prompt, heads_view, layer=layer)
    if heads is None:
        return
    head_table(heads, layer=layer, num_heads=facts.num_heads)
    bind_together(prompt, heads, layer=layer, num_heads=facts.num_heads)
    sync_url()  # a fragment rerun skips the site's end of run, which writes the address


def head_table(heads: HeadsView, *, layer: int, num_heads: int) -> None:
    st.subheader(f"All {num_heads} heads of layer {layer}")
    show(attention_charts.head_grid(heads.grid, heads.grid_labels, heads.titles,
                                    window=heads.grid_window), width="content")
    profiles = heads.profiles
    st.dataframe(
        {"TF species (head)": [p.head for p in profiles], "pattern": [p.pattern for p in profiles],
         "spread (bits)": [round(p.entropy_bits, 2) for p in profiles],
         **{f"mass on {k}": [round(p.scores[k], 2) for p in profiles]
            for k in profiles[0].scores}},
        hide_index=True, height=TABLE_ROW_PX * (len(profiles) + 1) + 3,  # every head shown
        column_config={"spread (bits)": st.column_config.NumberColumn(help=message("bits_help")),
                       "pattern": st.column_config.TextColumn(help=message("pattern_help"))},
    )


def bind_together(prompt: str, heads: HeadsView, *, layer: int, num_heads: int) -> None:
    st.subheader("Bind together")
    options = cached_view("options", prompt, query_options, level="token")
    if options is None:
        return
    query = resolve_query(options, state.QUERY.get())
    controls.query_picker(options, query, key_prefix="teamwork")
    chosen = tuple(h for h in state.TEAM_HEADS.get() if h < num_heads) or heads.default_team
    state.TEAM_HEADS.set(list(chosen))
    team_heads = st.multiselect(
        "Heads to bind together (each one a TF species)", list(range(num_heads)),
        **state.bind(state.TEAM_HEADS), format_func=lambda h: heads.titles[h], max_selections=7,
        help=help_for("team_heads"))
    if not team_heads:
        say("no_heads", st.info)
        return
    scene = cached_view("team_scene", prompt, team_scene, query=query, layer=layer,
                        heads=tuple(team_heads), temperature=float(state.TEMPERATURE.get()))
    if scene is not None:
        show_scene(scene, key="teamwork_scene")
    caption("team_combined")


heads_of_a_layer(state.PROMPT.get())
