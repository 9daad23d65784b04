"""Teaching text and messages from content/, for the pages to show.

All prose lives in content/*.yaml, validated once per process. A broken file never
blanks a page: its problem is shown once per run, and the text it would have given is
simply left out.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import streamlit as st

from ui.state import RUN

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


@functools.lru_cache(maxsize=8)  # a plain memo: pages read text dozens of times per rerun
def _content_from(folder: str):
    from lib.content import load_content

    return load_content(folder)


def site_content():
    """All content (teaching text, messages, quiz bank), validated once per process and
    folder; broken files are reported, not fatal. CA_CONTENT_DIR points at another folder."""
    return _content_from(str(os.environ.get("CA_CONTENT_DIR") or CONTENT_DIR))


def warn_once(file: str, *, intro: str = "Some explanatory text is unavailable.") -> None:
    """Say once per run that ``file`` is broken (many captions and tooltips read it)."""
    problems = site_content().problems_in(file)
    marker = f"_content_warned_{file}"
    if not problems or st.session_state.get(marker) == RUN.get():
        return
    for problem in problems:
        st.session_state[marker] = RUN.get()
        st.warning(f"{intro} {problem}")


def explore_text():
    """Captions, presets and help for the Explore pages (None if that file is broken)."""
    warn_once("explore.yaml")
    return site_content().explore


def ui_text():
    """The pages' named message templates (None if ui.yaml is broken)."""
    warn_once("ui.yaml")
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
