"""The controls the Explore pages share: model box, sidebar controls, prompt and query.

Each control shows a setting from ui.state and writes changes back to it (``bind``), so
one choice holds on every page.
"""

from __future__ import annotations

import streamlit as st

from lib.charts.attention import token_strip
from lib.charts.window import window_around
from lib.models.loading import BUNDLED_MODEL_ID, ModelLoadError
from lib.pipeline.views import QueryOptions
from ui import state
from ui.cache import cached_model, current_model, custom_models_allowed, local_model_root
from ui.charts import on_pick, show
from ui.text import help_for, message, say

HEAD_MODES = {"mean": "Mean over heads", "head": "One head", "rollout": "Rollout (layers so far)"}
SPECIAL_MODES = {"keep": "Keep them", "drop": "Drop & renormalise",
                 "reservoir": "Unbound reservoir"}
STRIP_WINDOW = 24  # tokens the query strip shows around the query
# content/explore.yaml lists the essay's three examples first (tests/test_content.py checks it).
PRESETS_LABEL = "Example prompts (the first three come from the essay)"


def model_picker() -> None:
    """Sidebar box for another model id or folder, shown only where the setting allows it."""
    if not custom_models_allowed():
        say("bundled_model", st.sidebar.caption)
        return
    with st.sidebar.form("model_form", border=False):
        wanted = st.text_input("Model id or local folder", value=str(state.MODEL_ID.get()),
                               help=help_for("model_id"))
        submitted = st.form_submit_button("Load model")
    if submitted and wanted.strip() != state.MODEL_ID.get():
        _try_switch_model(wanted.strip() or BUNDLED_MODEL_ID)


def _try_switch_model(model_id: str) -> None:
    try:
        with st.spinner(message("switching_model", model_id=model_id) or ""):
            cached_model(model_id, local_model_root())
    except ModelLoadError as error:
        st.sidebar.error(message("switch_failed", error=error) or str(error))
        return
    state.MODEL_ID.set(model_id)


def _reset_query() -> None:
    state.QUERY.reset()


def attention_controls(*, show_level: bool = True, show_heads: bool = True) -> None:
    """The sidebar's layer, head, temperature and token controls for the active model, drawn
    before any prompt is analysed (so they stay usable while a prompt is empty or wrong). A
    page shows only the controls that act on it (Teamwork picks its own heads; Context
    always works with words).

    The Explore pages call this first inside a fragment, so these controls rerun only that
    fragment: its sidebar writes land in a block Streamlit keeps for it, below the model box."""
    model = current_model()
    if model is None:
        return
    num_layers, num_heads = model.num_layers, model.num_heads
    bar = st.sidebar
    bar.header("Controls")
    state.clamp_to_model(num_layers, num_heads)
    if show_level:
        bar.segmented_control(
            "View", options=["token", "word"], **state.bind(state.LEVEL, then=_reset_query),
            help=help_for("token_view"),
            format_func=lambda v: "Tokens" if v == "token" else "Words (subwords merged)",
        )
    bar.slider("Layer", 0, num_layers - 1, **state.bind(state.LAYER),
               help=help_for("layer"))
    if show_heads:
        bar.radio("Heads", options=list(HEAD_MODES), **state.bind(state.HEAD_MODE),
                  format_func=HEAD_MODES.get, help=help_for("head_mode"))
        if state.HEAD_MODE.get() == "head":  # shown only when it acts on the page
            bar.slider("Head (TF species)", 0, num_heads - 1, **state.bind(state.HEAD),
                       help=help_for("head"))
    bar.slider("Temperature (kT)", 0.1, 5.0, step=0.1, **state.bind(state.TEMPERATURE),
               help=help_for("temperature"))
    if show_heads:
        bar.radio("Special tokens ([CLS], [SEP])", options=list(SPECIAL_MODES),
                  **state.bind(state.SPECIAL), format_func=SPECIAL_MODES.get,
                  help=help_for("special_tokens"))


def _apply_preset() -> None:
    chosen = st.session_state.get("preset")
    if chosen:
        state.PROMPT.set(chosen)
        state.QUERY.reset()
    st.session_state["preset"] = None


def preset_picker(text) -> None:
    """A compact list of example prompts; choosing one fills the prompt box."""
    if text is None:
        return
    st.selectbox(PRESETS_LABEL, options=[p.prompt for p in text.presets],
                 index=None, placeholder="Pick an example", key="preset",
                 on_change=_apply_preset, help=help_for("presets"))


def prompt_box(*, height: int = 68) -> None:
    st.text_area("Prompt", **state.bind(state.PROMPT, then=_reset_query),
                 height=height, help=help_for("prompt"),
                 placeholder="Type any sentence, then press Ctrl+Enter")


def query_picker(options: QueryOptions, query: int, *, key_prefix: str) -> None:
    """Pick the query by clicking a token in the strip, or with the keyboard from the select
    box in the sidebar (the strip shows a window of long prompts; the box lists them all)."""
    strip_key = f"{key_prefix}_strip"
    window = window_around(len(options.labels), query, size=STRIP_WINDOW)
    show(token_strip(options.labels, query=query, window=window), key=strip_key,
         on_select=on_pick(strip_key, "pos", state.QUERY.set))
    labels = options.labels
    state.QUERY.set(query)
    st.sidebar.selectbox("Query token (or click one in the strip)", options=range(len(labels)),
                         **state.bind(state.QUERY), format_func=lambda i: f"{i}: {labels[i]}",
                         help=help_for("query_token"))
