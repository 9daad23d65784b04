"""Explore: a prompt's real attention beside a TF-chromatin scene driven by the same numbers."""

import streamlit as st

from lib.charts import attention as attention_charts
from lib.charts.occupancy import attention_vs_occupancy_bars
from lib.learn import cell_only
from lib.pipeline.views import ExploreView, explore_scene, explore_view
from ui import controls, state
from ui.cache import cached_view, prompt_facts
from ui.charts import on_pick, show
from ui.guide import beginner_guide, bring_back_button
from ui.learn import show_figure
from ui.links import sync_url
from ui.scene import show_scene
from ui.site import require_entry
from ui.text import caption, explore_text, message, say

require_entry()

SINK_NOTE = 0.3  # explain the sink once [CLS]/[SEP] take this share of the query's row

controls.model_picker()
st.title("Explore: attention beside chromatin")
beginner_guide()
typed, examples = st.columns([3, 1], vertical_alignment="bottom")
with typed:
    controls.prompt_box()
with examples:
    controls.preset_picker(explore_text())


@st.fragment
def attention_beside_chromatin(prompt: str) -> None:
    """Everything the sidebar's controls act on, as one fragment: moving the layer reruns
    these panels alone, not the menu, the guide and the prompt box above them (on a shared
    server, every element a rerun sends costs every student)."""
    controls.attention_controls()
    if prompt_facts(prompt) is None:
        return
    view = cached_view("explore", prompt, explore_view, query=state.QUERY.get(),
                       word=state.PENDING_QUERY_WORD.get(), settings=state.row_settings())
    if view is None:
        return
    state.PENDING_QUERY_WORD.reset()
    controls.query_picker(view.options, view.query, key_prefix="explore")
    notes_on_the_row(view)
    left, right = st.columns(2, gap="large")
    with left:
        real_attention(view)
    with right:
        simulated_chromatin(prompt, view)
    what_only_the_cell_can_do(prompt, view)
    with st.expander("More detail: where the numbers come from"):
        bring_back_button()
        caption("dynamics")
        say("numbers_source", st.markdown, model=view.model_name, kind=view.model_kind,
            layers=view.num_layers, heads=view.num_heads,
            temperature=state.TEMPERATURE.get(), gap=view.row.largest_gap)
        caption("weights")
    sync_url()  # a fragment rerun skips the site's end of run, which writes the address


def notes_on_the_row(view: ExploreView) -> None:
    """Short notes on what makes this row unusual: a partial window, a sink, split words."""
    if view.row_window.is_partial:
        say("window_partial", shown=view.row_window.stop - view.row_window.start,
            total=view.row_window.total)
    if view.sink_share >= SINK_NOTE:
        say("sink_note", share=view.sink_share)
    if view.split_words and state.LEVEL.get() == "token":
        word, pieces = view.split_words[0]
        say("pieces_note", word=word, pieces=" + ".join(pieces))


def real_attention(view: ExploreView) -> None:
    st.subheader("Real attention")
    show(attention_charts.attention_heatmap(view.heatmap, view.options.labels, query=view.query),
         key="explore_heatmap",
         on_select=on_pick("explore_heatmap", "query_pos", state.QUERY.set))
    caption("rollout" if state.HEAD_MODE.get() == "rollout" else "heatmap")
    show(attention_charts.relevance_bars(view.row.relevance, window=view.row_window))
    caption("relevance_bars")


def simulated_chromatin(prompt: str, view: ExploreView) -> None:
    row, chromatin = view.row.relevance, view.row.chromatin
    st.subheader("Simulated chromatin")
    scene = cached_view("explore_scene", prompt, explore_scene, query=view.query,
                        settings=state.row_settings())
    if scene is not None:
        show_scene(scene, key="explore_scene")
    caption("scene")
    if not row.reservoir:
        say("scene_unbound_share", share=float(scene.unbound[0]) if scene is not None else 0.0)
    part = view.row_window.as_slice()
    show(attention_vs_occupancy_bars(
        row.labels[part], row.weights[part], chromatin.equilibrium.occupancy[part],
        keys=row.keys[part],
        unbound=(row.reservoir, chromatin.equilibrium.unbound) if row.reservoir else None))
    caption("reservoir" if row.reservoir else ("closed_chromatin" if row.closed.any()
                                               else "temperature"))


@st.fragment
def what_only_the_cell_can_do(prompt: str, view: ExploreView) -> None:
    """Experiments on the query's own row; a fragment inside the page's, so they rerun alone."""
    st.subheader("What only the cell can do")
    say("cell_only_intro")
    chosen = st.segmented_control("Experiment", options=list(cell_only.EXPERIMENTS),
                                  format_func=cell_only.EXPERIMENTS.get,
                                  **state.bind(state.CELL_EXPERIMENT))
    options = {"query": view.query, "settings": state.row_settings()}
    if chosen in ("one_molecule", "convergence"):
        options["seed"] = int(st.number_input("Random seed", 0, 10_000,
                                              **state.bind(state.CELL_SEED),
                                              help=message("seed_one_run_help")))
    elif chosen == "copies":
        options["copies"] = st.slider("TF copies in this toy nucleus", 1, cell_only.COPIES_MAX,
                                      **state.bind(state.CELL_COPIES))
    elif chosen == "pioneer":
        options["penalty"] = st.slider("Pioneer energy penalty Δ (kT)", 0.0, 10.0, step=0.5,
                                       **state.bind(state.CELL_PENALTY))
    show_figure(cached_view(f"cell_{chosen}", prompt, cell_only.BUILDERS[chosen], **options))
    sync_url()


attention_beside_chromatin(state.PROMPT.get())
