"""Settings carried in a URL: a "try it" link from a Learn page opens Explore set up.

A link's parameters are applied once, then cleared from the address bar. A value that does
not parse gets a clear message, and the setting keeps its current value.
"""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.controls import PROMPT_MAX_CHARS
from ui.text import say

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
        state.PROMPT.set(params["prompt"][:PROMPT_MAX_CHARS])
        state.QUERY.reset()
    if "query" in params:
        state.PENDING_QUERY_WORD.set(params["query"])
    head = params.get("head")
    if head in ("mean", "rollout"):
        state.HEAD_MODE.set(head)
    elif head is not None and head.isdigit():
        state.HEAD_MODE.set("head")
        state.HEAD.set(int(head))
    for setting, convert in ((state.LAYER, int), (state.TEMPERATURE, float)):
        if setting.key in params:
            try:
                setting.set(convert(params[setting.key]))
            except ValueError:
                say("link_not_a_number", st.warning, setting=setting.key,
                    value=params[setting.key][:20])
    if params.get("level") in ("token", "word"):
        state.LEVEL.set(params["level"])
    st.query_params.clear()
