"""The "Copy a link to this setup" button: a components-v2 element, inline JS and CSS, no build.

The page's address already holds its settings (ui/links.py writes them back after every
run), so the browser copies ``window.location.href`` itself when clicked: nothing goes back
to the server, and the link is current even when the element was drawn before the last
change. Where the Clipboard API is unavailable or refused, the link is shown selected in a
read-only text field. ``path`` copies another link instead, resolved against the page's
address (a relative link such as ``quiz?class=...``), so it works under any base URL.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).resolve().parent

_mount = st.components.v2.component(
    "copy_link",
    css=(_HERE / "copy_link.css").read_text(encoding="utf-8"),
    js=(_HERE / "copy_link.js").read_text(encoding="utf-8"),
)


def copy_link(*, key: str, label: str, done: str, fallback: str, fallback_label: str,
              path: str | None = None) -> None:
    """A button that copies the page's address (or ``path`` resolved against it).

    ``done`` confirms a copy; ``fallback`` says to copy the link by hand from the field
    labelled ``fallback_label``. All texts are shown as text, never as markup.
    """
    _mount(key=key, data={"label": label, "done": done, "fallback": fallback,
                          "fallback_label": fallback_label, "path": path},
           width="stretch", height="content")
