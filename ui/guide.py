"""Explore's three-step guide for a first visit: short, put away with one click, and
remembered in the student's own browser (ui/components/browser_store), so it does not come
back on the next visit. The student can bring it back from "More detail"."""

from __future__ import annotations

import secrets

import streamlit as st

from ui import state
from ui.components.browser_store import browser_store
from ui.links import rerun_with_settings
from ui.text import message

STORE_NAME = "explore-guide"
HIDDEN = "hidden"  # what the browser keeps once the guide is put away
GUIDE_HIDDEN = state.Setting("guide_hidden", False)
GUIDE_REQUEST: state.Setting[str | None] = state.Setting("guide_request", None)
GUIDE_SAVE: state.Setting[tuple | None] = state.Setting("guide_save", None)  # (revision, text)


def _token() -> str:
    token = GUIDE_REQUEST.get()
    if token is None:
        token = secrets.token_hex(8)
        GUIDE_REQUEST.set(token)
    return token


def _remember(hidden: bool) -> None:
    GUIDE_HIDDEN.set(hidden)
    GUIDE_SAVE.set((secrets.token_hex(4), HIDDEN if hidden else None))


def _sync_with_browser() -> None:
    """Hear once per session whether this browser put the guide away; tell it of changes."""
    wanted = GUIDE_SAVE.get()
    options = {"save": wanted[1], "revision": wanted[0]} if wanted else {"revision": None}
    events = browser_store(key="guide_store", name=STORE_NAME, request=_token(), **options)
    loaded = events.loaded or {}
    put_away = loaded.get("request") == _token() and loaded.get("text") == HIDDEN
    if put_away and not GUIDE_HIDDEN.get():
        GUIDE_HIDDEN.set(True)
        st.rerun()


def beginner_guide() -> None:
    """The three steps, unless this browser put them away."""
    _sync_with_browser()
    if GUIDE_HIDDEN.get():
        return
    with st.container(border=True):
        steps = st.columns([4, 4, 4, 1.6], vertical_alignment="center")
        names = ("guide_step_1", "guide_step_2", "guide_step_3")
        for number, (column, step) in enumerate(zip(steps, names, strict=False), start=1):
            text = message(step)
            if text is not None:
                column.markdown(f"**{number} ·** {text}")
        steps[3].button("Got it", key="guide_hide", help=message("guide_hide_help"),
                        on_click=_remember, args=(True,))


def bring_back_button() -> None:
    """In "More detail": show the guide again (it forgets it was put away). The button sits
    in Explore's fragment and the guide above it, so a click reruns the whole page."""
    if GUIDE_HIDDEN.get() and st.button("Show the three-step guide again", key="guide_show"):
        _remember(False)
        rerun_with_settings()
