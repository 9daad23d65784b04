"""Per-server caches shared by every session: the model, the attention store, the views.

Sessions run their scripts in threads of one process, so one model, one store of analysed
prompts and one memo of computed views serve a whole class: the second student to move a
slider to a setting someone already used gets the view without any computation. The
objects shared are frozen, with read-only arrays. A spinner (which costs a thread) is shown
only when something is actually computed.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import streamlit as st

from lib.attention.extract import AttentionError, AttentionResult, PromptError, extract_attention
from lib.models.loading import BUNDLED_MODEL_ID, LoadedModel, ModelLoadError, load_model
from lib.pipeline.memo import SharedMemo
from lib.pipeline.store import MB, AttentionStore, StoreLimits
from lib.pipeline.views import PromptFacts, facts_of
from ui.state import MODEL_ID, RUN
from ui.text import message, say

V = TypeVar("V")
VIEW_MEMO_BYTES = 64 * MB  # views are small (windows and rows): thousands fit


def configured(name: str) -> str | None:
    """A setting from the environment, else from .streamlit/secrets.toml; None if unset."""
    value = os.environ.get(name)
    if value is None:
        value = _secrets().get(name)
    return None if value is None else str(value)


@st.cache_resource(show_spinner=False)
def _secrets() -> dict:
    """The secrets file, read once per process: without a file, st.secrets looks for one
    (and fails) on every read, a cost each rerun would pay. A changed secret needs a restart,
    as Community Cloud does when secrets are edited."""
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets file is the normal case
        return {}


def custom_models_allowed() -> bool:
    """Off by default (public deployments); on with CA_ALLOW_CUSTOM_MODELS=1 (env or secret)."""
    return (configured("CA_ALLOW_CUSTOM_MODELS") or "").strip().lower() in {"1", "true", "yes", "on"}


def local_model_root() -> str | None:
    return configured("CA_MODEL_DIR")


@st.cache_resource(show_spinner=False, max_entries=3)
def cached_model(model_id: str, local_root: str | None) -> LoadedModel:
    loaded = load_model(model_id, local_root=Path(local_root) if local_root else None)
    gc.collect()
    gc.freeze()
    return loaded


@st.cache_resource(show_spinner=False)
def attention_store() -> AttentionStore:
    """One per server process: small results in memory, long ones memory-mapped on disk."""
    return AttentionStore(limits=StoreLimits())


def approx_bytes(value: object) -> int:
    """Bytes a view holds: its arrays, plus a little per field and per label."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if is_dataclass(value):
        return 64 + sum(approx_bytes(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, (tuple, list)):
        return 56 + sum(approx_bytes(item) for item in value)
    if isinstance(value, str):
        return 49 + len(value)
    return 32


@st.cache_resource(show_spinner=False)
def view_memo() -> SharedMemo:
    return SharedMemo(max_bytes=VIEW_MEMO_BYTES, size_of=approx_bytes)


_LOADED: set[tuple[str, str | None]] = set()  # models this process has loaded


def current_model() -> LoadedModel | None:
    """The active model, loading it with a spinner; falls back to the bundled one on error.

    A load error is shown once per run, however many figures on the page ask for the model.
    """
    root = local_model_root()
    model_id = str(MODEL_ID.get())
    try:
        if (model_id, root) in _LOADED:  # every rerun: no spinner, whose timer is a thread
            return cached_model(model_id, root)
        with st.spinner(message("loading_model", model_id=model_id) or ""):
            model = cached_model(model_id, root)
        _LOADED.add((model_id, root))
        return model
    except ModelLoadError as error:
        if st.session_state.get("_model_error_run") != RUN.get():
            st.session_state["_model_error_run"] = RUN.get()
            st.error(str(error))
        if model_id == BUNDLED_MODEL_ID:
            return None
        MODEL_ID.set(BUNDLED_MODEL_ID)
        return current_model()


def _stored(model: LoadedModel, prompt: str) -> AttentionResult:
    key = (model.model_id, local_model_root(), prompt)

    def analyse() -> AttentionResult:
        # The spinner only around the forward pass: a view costs milliseconds, less than
        # the thread a spinner starts.
        with st.spinner(message("running_model") or ""):
            return extract_attention(model, prompt)

    return attention_store().get_or_compute(key, analyse)


def cached_view(name: str, prompt: str | tuple[str, ...], build: Callable[..., V],
                **options: Hashable) -> V | None:
    """``build(result(s), **options)`` for the active model, memoised for every session.

    ``prompt`` may be one prompt or a tuple of them (build then gets one result each).
    Returns None after showing why (no model, an empty prompt, a model without attention).
    """
    model = current_model()
    if model is None:
        return None
    prompts = prompt if isinstance(prompt, tuple) else (prompt,)
    key = (name, model.model_id, local_model_root(), prompts, tuple(sorted(options.items())))

    def compute() -> V:
        return build(*(_stored(model, p) for p in prompts), **options)

    try:
        return view_memo().get_or_compute(key, compute)
    except PromptError as error:
        st.info(str(error))
    except AttentionError as error:
        st.error(str(error))
    return None


def attention(prompt: str) -> AttentionResult | None:
    """The stored result for ``prompt`` (for figures that need more than a view), or None."""
    model = current_model()
    if model is None:
        return None
    try:
        return _stored(model, prompt)
    except PromptError as error:
        st.info(str(error))
    except AttentionError as error:
        st.error(str(error))
    return None


def prompt_facts(prompt: str) -> PromptFacts | None:
    """What every Explore page needs to know first: the model's shape, and any truncation
    (said once here, so pages need not repeat it)."""
    facts = cached_view("facts", prompt, facts_of)
    if facts is not None and facts.truncated:
        say("truncated_prompt", st.warning, chars=facts.original_chars, tokens=facts.seq_len)
    return facts
