"""Streamlit glue shared by the pages: cached model and attention, settings that persist.

This is the thin app layer the design asks for: ``lib/`` stays pure, and caching,
session state and error display live here.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from lib.attention.extract import AttentionError, AttentionResult, PromptError, extract_attention
from lib.models.loading import BUNDLED_MODEL_ID, LoadedModel, ModelLoadError, load_model

# Shared controls: the same keys are used on every page, so a value set on one page is
# the value on the next. app.py re-assigns them on every run so Streamlit does not
# discard a widget's value while its page is not shown.
DEFAULTS: dict[str, object] = {
    "prompt": "What's the capital of France?",
    "level": "token",
    "layer": 2,
    "head_mode": "mean",
    "head": 0,
    "temperature": 1.0,
    "special": "keep",
    "query": 7,
    "model_id": BUNDLED_MODEL_ID,
}
PROMPT_MAX_CHARS = 20_000  # the text box refuses more; lib caps again before tokenising


def keep_state() -> None:
    """Initialise defaults once and keep every shared control's value across pages."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value
        else:
            st.session_state[key] = st.session_state[key]


def _setting(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None:
        try:
            value = st.secrets.get(name)
        except (FileNotFoundError, KeyError, AttributeError, Exception):  # no secrets file
            value = None
    return None if value is None else str(value)


def custom_models_allowed() -> bool:
    """Off by default (public deployments); on with CA_ALLOW_CUSTOM_MODELS=1 (env or secret)."""
    return (_setting("CA_ALLOW_CUSTOM_MODELS") or "").strip().lower() in {"1", "true", "yes", "on"}


def local_model_root() -> Path | None:
    folder = _setting("CA_MODEL_DIR")
    return Path(folder) if folder else None


@st.cache_resource(show_spinner=False, max_entries=3)
def cached_model(model_id: str, local_root: str | None) -> LoadedModel:
    return load_model(model_id, local_root=Path(local_root) if local_root else None)


@st.cache_resource(show_spinner=False, max_entries=24)
def cached_attention(model_id: str, local_root: str | None, prompt: str) -> AttentionResult:
    # cache_resource, not cache_data: results are read-only and large (up to 75 MB at
    # 512 tokens), so sessions share them instead of unpickling a copy per rerun.
    result = extract_attention(cached_model(model_id, local_root), prompt)
    result.attentions.flags.writeable = False
    return result


def current_model() -> LoadedModel | None:
    """The active model, loading it with a spinner; falls back to the bundled one on error."""
    root = local_model_root()
    root_key = str(root) if root else None
    model_id = str(st.session_state.get("model_id", BUNDLED_MODEL_ID))
    try:
        with st.spinner(f"Loading the model ({model_id}) … the first load takes a few seconds."):
            return cached_model(model_id, root_key)
    except ModelLoadError as error:
        st.error(str(error))
        if model_id == BUNDLED_MODEL_ID:
            return None
        st.session_state["model_id"] = BUNDLED_MODEL_ID
        return current_model()


def attention_for(prompt: str) -> AttentionResult | None:
    """Real attention for ``prompt`` on the active model, or a clear message and None."""
    model = current_model()
    if model is None:
        return None
    root = local_model_root()
    try:
        with st.spinner("Running the model on your prompt …"):
            result = cached_attention(model.model_id, str(root) if root else None, prompt)
    except PromptError as error:
        st.info(str(error))
        return None
    except AttentionError as error:
        st.error(str(error))
        return None
    if result.truncated:
        st.warning(
            f"Your prompt was long ({result.original_chars:,} characters), so only the first "
            f"{result.seq_len} tokens are analysed. Shorten it to see all of it."
        )
    return result


def model_picker() -> None:
    """Sidebar box for another model id or folder, shown only where the setting allows it."""
    if not custom_models_allowed():
        st.sidebar.caption("Model: all-MiniLM-L6-v2 (bundled, 6 layers × 12 heads).")
        return
    with st.sidebar.form("model_form", border=False):
        wanted = st.text_input(
            "Model id or local folder",
            value=str(st.session_state.get("model_id", BUNDLED_MODEL_ID)),
            help="A Hugging Face id such as 'gpt2' or 'bert-base-uncased', or a folder under "
            "CA_MODEL_DIR. Leave as is for the bundled model.",
        )
        submitted = st.form_submit_button("Load model")
    if submitted and wanted.strip() != st.session_state.get("model_id"):
        _try_switch_model(wanted.strip() or BUNDLED_MODEL_ID)


def _try_switch_model(model_id: str) -> None:
    root = local_model_root()
    try:
        with st.spinner(f"Loading {model_id} …"):
            cached_model(model_id, str(root) if root else None)
    except ModelLoadError as error:
        st.sidebar.error(f"{error} The current model stays loaded.")
        return
    st.session_state["model_id"] = model_id
