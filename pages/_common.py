"""Streamlit glue shared by the pages: cached model and attention, settings that persist.

This is the thin app layer the design asks for: ``lib/`` stays pure, and caching,
session state and error display live here.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import streamlit as st

from lib.attention.cache import AttentionCache
from lib.attention.extract import AttentionError, AttentionResult, PromptError, extract_attention
from lib.models.loading import BUNDLED_MODEL_ID, LoadedModel, ModelLoadError, load_model

# Shared settings live under these plain keys. Widgets use their own keys ("_w_" + name,
# see ``bind``) because Streamlit deletes a widget's state once a page that does not show
# it runs; the plain keys survive page switches.
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
    "kinetic_on": False,
    "kinetic_seed": 0,
    "kinetic_events": 10_000,
    "kinetic_frame": 30,
    "context_a": "Tell me about Paris",
    "context_b": "Paris Hilton news",
}
PROMPT_MAX_CHARS = 20_000  # the text box refuses more; lib caps again before tokenising


def keep_state() -> None:
    """Initialise every shared setting once per session."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value


def _store(name: str, then) -> None:
    value = st.session_state[f"_w_{name}"]
    if value is None and DEFAULTS.get(name) is not None:
        return  # a deselected segmented control keeps the last choice
    st.session_state[name] = value
    if then is not None:
        then()


def bind(name: str, *, then=None) -> dict:
    """Widget kwargs that show the stored setting ``name`` and write changes back to it."""
    st.session_state[f"_w_{name}"] = st.session_state[name]
    return {"key": f"_w_{name}", "on_change": _store, "args": (name, then)}


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


# Two 512-token results on the bundled model, or thousands of short ones. With the model
# and libraries (about 560 MB) and one forward pass in flight, this keeps the server within
# the smallest Streamlit Cloud tier (bench/bench_load.py measures it).
ATTENTION_CACHE_BYTES = 160 * 2**20


@st.cache_resource(show_spinner=False)
def attention_cache() -> AttentionCache:
    # One per server, shared by every session, so a class typing the same prompt runs the
    # model once. Results are read-only, so sharing them is safe.
    return AttentionCache(max_bytes=ATTENTION_CACHE_BYTES)


def cached_attention(model_id: str, local_root: str | None, prompt: str) -> AttentionResult:
    def compute() -> AttentionResult:
        result = extract_attention(cached_model(model_id, local_root), prompt)
        result.attentions.flags.writeable = False
        return result

    return attention_cache().get_or_compute((model_id, local_root, prompt), compute)


# Tests set CA_VALIDATE_CHARTS=1 (tests/conftest.py), so every chart any test draws is
# checked against the Vega-Lite schema; a served app skips that check, see altair_chart.
VALIDATE_CHARTS = os.environ.get("CA_VALIDATE_CHARTS") == "1"


def altair_chart(chart, **kwargs):
    """``st.altair_chart`` without re-validating the chart's spec on every rerun.

    Altair checks each spec against the Vega-Lite JSON schema when Streamlit serialises it:
    about a third of an Explore rerun, and Streamlit serialises every session's charts
    under one global lock, so in a full classroom that check is a queue for everyone. The
    specs come from lib/charts, never from users, and the test suite validates them all.
    """
    if not VALIDATE_CHARTS:
        # Altair routes attribute writes into the spec, hence object.__setattr__.
        object.__setattr__(chart, "to_dict", partial(chart.to_dict, validate=False))
    return st.altair_chart(chart, **kwargs)


def current_model() -> LoadedModel | None:
    """The active model, loading it with a spinner; falls back to the bundled one on error.

    A load error is shown once per run, however many figures on the page ask for the model.
    """
    root = local_model_root()
    root_key = str(root) if root else None
    model_id = str(st.session_state.get("model_id", BUNDLED_MODEL_ID))
    try:
        with st.spinner(message("loading_model", model_id=model_id) or ""):
            return cached_model(model_id, root_key)
    except ModelLoadError as error:
        if st.session_state.get("_model_error_run") != st.session_state.get("_run"):
            st.session_state["_model_error_run"] = st.session_state.get("_run")
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
        with st.spinner(message("running_model") or ""):
            result = cached_attention(model.model_id, str(root) if root else None, prompt)
    except PromptError as error:
        st.info(str(error))
        return None
    except AttentionError as error:
        st.error(str(error))
        return None
    if result.truncated:
        say("truncated_prompt", st.warning, chars=result.original_chars, tokens=result.seq_len)
    return result


def model_picker() -> None:
    """Sidebar box for another model id or folder, shown only where the setting allows it."""
    if not custom_models_allowed():
        say("bundled_model", st.sidebar.caption)
        return
    with st.sidebar.form("model_form", border=False):
        wanted = st.text_input(
            "Model id or local folder",
            value=str(st.session_state.get("model_id", BUNDLED_MODEL_ID)),
            help=help_for("model_id"),
        )
        submitted = st.form_submit_button("Load model")
    if submitted and wanted.strip() != st.session_state.get("model_id"):
        _try_switch_model(wanted.strip() or BUNDLED_MODEL_ID)


def _try_switch_model(model_id: str) -> None:
    root = local_model_root()
    try:
        with st.spinner(message("switching_model", model_id=model_id) or ""):
            cached_model(model_id, str(root) if root else None)
    except ModelLoadError as error:
        st.sidebar.error(message("switch_failed", error=error) or str(error))
        return
    st.session_state["model_id"] = model_id


# ---------------------------------------------------------------------------------------
# Content and shared controls
# ---------------------------------------------------------------------------------------

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
HEAD_MODES = {"mean": "Mean over heads", "head": "One head", "rollout": "Rollout (all layers so far)"}
SPECIAL_MODES = {
    "keep": "Keep them",
    "drop": "Drop & renormalise",
    "reservoir": "Unbound reservoir",
}


@st.cache_resource(show_spinner=False)
def _content_from(folder: str):
    from lib.content import load_content

    return load_content(folder)


def site_content():
    """All content (teaching text, messages, quiz bank), validated once per process and
    folder; broken files are reported, not fatal. CA_CONTENT_DIR points at another folder."""
    return _content_from(str(os.environ.get("CA_CONTENT_DIR") or CONTENT_DIR))


def _warn_once(file: str) -> None:
    """Say once per run that ``file`` is broken (many captions and tooltips read it)."""
    marker = f"_content_warned_{file}"
    if marker in st.session_state and st.session_state[marker] == st.session_state.get("_run"):
        return
    for problem in site_content().problems:
        if problem.file == file:
            st.session_state[marker] = st.session_state.get("_run")
            st.warning(f"Some explanatory text is unavailable. {problem}")


def explore_text():
    """Captions, presets and help for the Explore pages (None if that file is broken)."""
    _warn_once("explore.yaml")
    return site_content().explore


def ui_text():
    """The pages' named message templates (None if ui.yaml is broken)."""
    _warn_once("ui.yaml")
    return site_content().ui


def message(name: str, **values) -> str | None:
    """The message ``name`` from content/ui.yaml filled in with ``values``, or None."""
    text = ui_text()
    return text.format(name, **values) if text else None


def say(name: str, show=st.caption, **values) -> None:
    """Show the message ``name`` (with ``values``) through ``show``, if ui.yaml loaded."""
    text = message(name, **values)
    if text is not None:
        show(text)


def help_for(name: str) -> str | None:
    text = explore_text()
    return getattr(text.help, name) if text else None


def caption(name: str) -> None:
    text = explore_text()
    if text:
        st.caption(getattr(text.captions, name))


def head_choice() -> int | str:
    mode = st.session_state["head_mode"]
    return int(st.session_state["head"]) if mode == "head" else mode


def attention_controls(num_layers: int, num_heads: int, *, show_level: bool = True,
                       show_heads: bool = True) -> None:
    """Sidebar controls shared by the Explore pages; values live in session state.

    A page shows only the controls that act on it (Teamwork picks its own heads).
    """
    bar = st.sidebar
    bar.header("Controls")
    if show_level:
        bar.segmented_control(
            "View", options=["token", "word"], **bind("level", then=_reset_query), help=help_for("token_view"),
            format_func=lambda v: "Tokens" if v == "token" else "Words (subwords merged)",
        )
    st.session_state["layer"] = min(int(st.session_state["layer"]), num_layers - 1)
    bar.slider("Layer", 0, num_layers - 1, **bind("layer"), help=help_for("layer"))
    if show_heads:
        bar.radio(
            "Heads", options=list(HEAD_MODES), **bind("head_mode"), format_func=HEAD_MODES.get,
            help=help_for("head_mode"),
        )
        st.session_state["head"] = min(int(st.session_state["head"]), num_heads - 1)
        bar.slider(
            "Head (TF species)", 0, num_heads - 1, **bind("head"), help=help_for("head"),
            disabled=st.session_state["head_mode"] != "head",
        )
    bar.slider(
        "Temperature (kT)", 0.1, 5.0, step=0.1, **bind("temperature"), help=help_for("temperature"),
    )
    if show_heads:
        bar.radio(
            "Special tokens ([CLS], [SEP])", options=list(SPECIAL_MODES), **bind("special"),
            format_func=SPECIAL_MODES.get, help=help_for("special_tokens"),
        )


def explore_sidebar(*, show_level: bool = True, show_heads: bool = True) -> None:
    """What every Explore page's sidebar opens with: the model picker, then the controls."""
    model_picker()
    model = current_model()
    if model is not None:
        attention_controls(model.num_layers, model.num_heads, show_level=show_level,
                           show_heads=show_heads)


def relevance_and_chromatin(result: AttentionResult, **settings):
    """One attention row at the stored temperature and the chromatin it drives.

    Energies come from the row at T = 1 and are evaluated at kT = T, so both sides share
    one temperature (lib/chromatin/from_attention.py).
    """
    from lib.attention.relevance import select_relevance
    from lib.chromatin.from_attention import chromatin_from_attention

    temperature = float(st.session_state["temperature"])
    reference = select_relevance(result, **settings)
    shown = select_relevance(result, **settings, temperature=temperature)
    chromatin = chromatin_from_attention(
        reference.weights, temperature=temperature, reservoir=shown.reservoir, closed=shown.closed
    )
    return shown, chromatin


def _reset_query() -> None:
    st.session_state.pop("query", None)


def normalise_choice(key: str, options: list, fallback) -> None:
    """Keep a stored choice valid when its options change (a new prompt, another level)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = fallback


# ---------------------------------------------------------------------------------------
# Prompt, presets, links and query picking
# ---------------------------------------------------------------------------------------

LINK_KEYS = ("prompt", "query", "layer", "head", "temperature", "level")


def try_it_params(try_it) -> dict[str, str]:
    """Query parameters for a link that opens Explore with a content file's settings."""
    params = {"prompt": try_it.prompt}
    for name in ("query", "layer", "head", "temperature"):
        value = getattr(try_it, name)
        if value is not None:
            params[name] = str(value)
    return params


def apply_link_settings() -> None:
    """Apply settings passed in the URL (a "try it" link) once, then clear them."""
    params = {k: st.query_params.get(k) for k in LINK_KEYS if st.query_params.get(k)}
    if not params:
        return
    if "prompt" in params:
        st.session_state["prompt"] = params["prompt"][:PROMPT_MAX_CHARS]
        st.session_state.pop("query", None)
    if "query" in params:
        st.session_state["pending_query_word"] = params["query"]
    head = params.get("head")
    if head in ("mean", "rollout"):
        st.session_state["head_mode"] = head
    elif head is not None and head.isdigit():
        st.session_state["head_mode"], st.session_state["head"] = "head", int(head)
    for name, convert in (("layer", int), ("temperature", float)):
        try:
            if name in params:
                st.session_state[name] = convert(params[name])
        except ValueError:
            say("link_not_a_number", st.warning, setting=name, value=params[name][:20])
    if params.get("level") in ("token", "word"):
        st.session_state["level"] = params["level"]
    st.query_params.clear()


def resolve_pending_query(labels: list[str]) -> None:
    """Turn a word named in a link into the query index, once the tokens are known."""
    word = st.session_state.pop("pending_query_word", None)
    if word is None:
        return
    lowered = [label.lower() for label in labels]
    if word.lower() in lowered:
        st.session_state["query"] = lowered.index(word.lower())


def _apply_preset() -> None:
    chosen = st.session_state.get("preset")
    if chosen:
        st.session_state["prompt"] = chosen
        st.session_state.pop("query", None)
    st.session_state["preset"] = None


def preset_pills(text) -> None:
    if text is None:
        return
    st.pills(
        "Examples from the analogy essay", options=[p.prompt for p in text.presets],
        key="preset", on_change=_apply_preset,
        help=help_for("presets"),
    )


def on_query_click(chart_key: str, field: str):
    """Callback for a chart click: the clicked token becomes the query."""

    def handle() -> None:
        state = st.session_state.get(chart_key)
        points = (state or {}).get("selection", {}).get("pick") or []
        if points and field in points[0]:
            st.session_state["query"] = int(points[0][field])

    return handle


def query_picker(labels: list[str], *, key_prefix: str) -> None:
    """Pick the query by clicking a token in the strip, or from the select box."""
    resolve_pending_query(labels)
    options = list(range(len(labels)))
    normalise_choice("query", options, 0)
    strip_key = f"{key_prefix}_strip"
    from lib.charts.attention import token_strip
    from lib.charts.window import window_around

    window = window_around(len(labels), st.session_state["query"], size=24)
    shown = labels[window.as_slice()]
    altair_chart(
        token_strip(shown, query=st.session_state["query"] - window.start, offset=window.start),
        key=strip_key, on_select=on_query_click(strip_key, "pos"),
        alt="The prompt's tokens in a row; the highlighted one is the query.",
    )
    st.selectbox(
        "Query token (click one above, or pick here)", options=options, **bind("query"),
        format_func=lambda i: f"{i}: {labels[i]}", help=help_for("query_token"),
    )
