"""Small texts kept in the student's own browser (localStorage), each under its own name (the
quiz in progress; whether the Explore guide was put away): a components-v2 element with
inline JS from store.js, no build step and nothing fetched.

The element draws nothing. The first time the page sees a session's ``request`` token, it
hands the stored text back to Python (the ``loaded`` event), if there is one; it reads before
it writes the text Python sends when it changed (``save`` with a new ``revision``; ``None``
removes it). A write the browser refuses (storage full or blocked) comes back as ``failed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

_HERE = Path(__file__).resolve().parent
UNCHANGED = object()  # ``save`` value meaning: the browser already holds this revision

_mount = st.components.v2.component(
    "browser_store", js=(_HERE / "store.js").read_text(encoding="utf-8")
)


@dataclass(frozen=True)
class StoreEvents:
    """What the browser sent in this run (None when it sent nothing)."""

    loaded: Any
    failed: Any


def _registers_the_event() -> None:
    """A callback is what makes Streamlit report an event; the value is read from the result."""


def browser_store(*, key: str, name: str, request: str | None, revision: str | None,
                  save: str | None | object = UNCHANGED) -> StoreEvents:
    """Mount the store of the text called ``name``. ``request``: the session's token, asking
    for the stored text. ``revision`` and ``save``: the text to keep (None to remove it), sent
    only when it is new."""
    data: dict[str, Any] = {"name": name, "request": request, "revision": revision}
    if save is not UNCHANGED:
        data["save"] = save
    result = _mount(key=key, data=data, width="stretch", height="content",
                    on_loaded_change=_registers_the_event, on_failed_change=_registers_the_event)
    return StoreEvents(loaded=result.get("loaded"), failed=result.get("failed"))
