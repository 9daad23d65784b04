"""Each page's settings live in its URL, so a reload, a new tab or a shared link restores them.

At the start of a run, parameters the session has not seen yet (a link just opened, a reload,
a new tab) are applied to the settings, with a clear message for any value that does not
parse (lib/linking.py); at the end of the run, the page's current settings are written back.
The server keeps no per-student store: the browser's address bar is the store, so any
replica behind a load balancer can restore a session.
"""

from __future__ import annotations

import streamlit as st

from lib import linking
from lib.linking import Param
from lib.pipeline.views import RowSettings
from ui import state
from ui.text import site_content

PROMPT_CHARS = 4_000  # as many characters as a prompt is analysed with (lib.attention.extract)
WRITTEN = state.Setting("_url_written", None)  # the parameters this session last wrote


def _query(raw: str) -> int | str:
    """A query given as its index ('7') or as a word of the prompt ('Hilton')."""
    return int(raw) if raw.isdigit() else linking.text(max_chars=100)(raw)


def page_params(page: str, *, layers: int, heads: int) -> tuple[Param, ...]:
    """The parameters of one page (its url path; '' is Explore), for a model of this shape."""
    prompt = Param("prompt", "prompt", linking.text(max_chars=PROMPT_CHARS))
    layer = Param("layer", "layer", linking.whole(0, layers - 1))
    head = Param("head", "head_choice", linking.head_choice(heads))
    temperature = Param("temperature", "temperature", linking.number(0.1, 5.0, step=0.1))
    special = Param("special", "special", linking.choice("keep", "drop", "reservoir"))
    query = Param("query", "query", _query)
    if page == "":
        return (prompt, query, Param("level", "level", linking.choice("token", "word")), layer,
                head, temperature, special)
    if page == "context":
        return (Param("a", "context_a", linking.text(max_chars=PROMPT_CHARS)),
                Param("b", "context_b", linking.text(max_chars=PROMPT_CHARS)),
                Param("word", "context_word", linking.text(max_chars=100)),
                Param("reading", "context_reading", linking.choice("row", "column")),
                layer, head, temperature, special)
    if page == "teamwork":
        return (prompt, query, layer, temperature,
                Param("heads", "team_heads", linking.whole_list(0, heads - 1, most=7),
                      linking.show_list))
    if page == "limitations":
        return (Param("prompt", "limits_prompt", linking.text(max_chars=PROMPT_CHARS)),)
    if page == "quiz":
        topics = [t.id for t in site_content().quiz.topics]
        return (Param("topics", "quiz_topics", linking.id_list(topics), linking.show_list),
                Param("topic", "quiz_topics", linking.id_list(topics), linking.show_list),
                Param("length", "quiz_length", linking.whole(1, 50)),
                Param("seed", "quiz_seed", linking.whole(0, 2**31 - 1)),
                Param("cbm", "quiz_cbm", linking.flag, linking.show_flag),
                Param("live", "quiz_live", linking.flag, linking.show_flag))
    return ()


def _get(setting: str) -> object:
    if setting == "head_choice":
        return state.head_choice()
    return st.session_state.get(setting)


def _set(setting: str, value: object) -> None:
    if setting == "head_choice":
        state.set_head_choice(value)
    elif setting == "query" and isinstance(value, str):
        state.PENDING_QUERY_WORD.set(value)  # a word: resolved once the tokens are known
    else:
        st.session_state[setting] = value
        if setting == "prompt":
            state.QUERY.reset()


def read_url(page: str, *, layers: int, heads: int) -> None:
    """Apply parameters this session has not seen yet; say which ones were refused."""
    current = st.query_params.to_dict()
    if current == WRITTEN.get() or not current:
        return
    read = linking.read_link(current, page_params(page, layers=layers, heads=heads))
    for setting, value in read.values.items():
        _set(setting, value)
    for problem in read.problems:
        st.warning(problem)
    WRITTEN.set(current)


def write_url(page: str, *, layers: int, heads: int) -> None:
    """Put the page's current settings in the address bar (only when they changed)."""
    params = [p for p in page_params(page, layers=layers, heads=heads) if p.name != "topic"]
    wanted = linking.write_link({p.setting: _get(p.setting) for p in params}, params)
    if wanted != st.query_params.to_dict():
        st.query_params.from_dict(wanted)
    WRITTEN.set(wanted)


def rerun_with_settings(page: str) -> None:
    """``st.rerun()`` that keeps settings this run changed (e.g. a restored quiz's setup).

    A rerun starts from the query string as it was when ``st.rerun`` was called, so without
    writing the URL first the next run would read the old one back and undo the change."""
    write_url(page, layers=1, heads=1)  # writing checks no ranges: any model shape will do
    st.rerun()


def explore_link(prompt: str, *, word: str | None, settings: RowSettings) -> dict[str, str]:
    """Query parameters that open Explore exactly as a Learn figure was drawn."""
    values = {"prompt": prompt, "query": word, "level": settings.level,
              "layer": settings.layer, "head_choice": settings.head,
              "temperature": settings.temperature, "special": settings.special}
    # Writing needs no ranges (only reading checks them), so any model shape will do.
    return linking.write_link(values, page_params("", layers=1, heads=1))
