""""Copy a link to this setup": drawn in the sidebar of every page with the page's own messages,
and its script copies the page's address without the network and never writes markup."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chart_data import page_errors, walk
from lib.content import load_content

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
UI = load_content(ROOT / "content").ui
SCRIPT = (ROOT / "ui" / "components" / "copy_link" / "copy_link.js").read_text(encoding="utf-8")


def copy_buttons(tree) -> list[dict]:
    return [json.loads(e.proto.json) for e in walk(tree)
            if getattr(e, "type", "") == "bidi_component"
            and e.proto.component_name == "copy_link"]


@pytest.fixture(scope="module")
def at():
    app = AppTest.from_file(APP, default_timeout=60)
    app.run(timeout=180)  # the first run loads the model
    return app


@pytest.mark.parametrize("page", ["explore", "context", "quiz", "teachers", "class"])
def test_every_page_has_the_copy_button_in_its_sidebar(at, page):
    at.switch_page(f"pages/{page}.py").run()
    assert page_errors(at) == []
    [data] = copy_buttons(at.sidebar)
    assert data == {"label": "Copy a link to this setup", "path": None,
                    "done": UI.messages["copy_link_done"],
                    "fallback": UI.messages["copy_link_fallback"],
                    "fallback_label": UI.messages["copy_link_field"]}
    assert copy_buttons(at.main) == []


def test_the_script_copies_the_pages_address_offline_and_writes_text_only():
    assert "window.location.href" in SCRIPT
    assert "navigator.clipboard" in SCRIPT and "writeText" in SCRIPT
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "fetch(", "XMLHttpRequest",
                   "import ", "http://", "https://", "eval("):
        assert banned not in SCRIPT, banned
    assert re.search(r'setAttribute\("aria-live", "polite"\)', SCRIPT)
    assert re.search(r'setAttribute\("role", "status"\)', SCRIPT)
