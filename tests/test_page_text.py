"""Pages ask for text by name; every name they use exists in content/ and every template gets
exactly the placeholders the page passes. Read from the pages' source (ast), so a renamed
message or a forgotten keyword fails here, not in front of a student."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lib.content import MESSAGE_SAMPLES, ControlHelp, ExploreCaptions, UiText, load_content

ROOT = Path(__file__).resolve().parents[1]
# Where page text is asked for: the pages, their glue, and the Learn figures (Message parts).
PAGES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"),
                *(ROOT / "lib" / "learn").glob("*.py")])
UI = load_content(ROOT / "content").ui


def _calls(path: Path, names: set[str]):
    """(function name, first-argument strings, keyword names) of each call to ``names``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if called not in names:
            continue
        first = node.args[0]
        options = [first] if isinstance(first, ast.Constant) else []
        if isinstance(first, ast.IfExp):  # caption("a" if ... else ("b" if ... else "c"))
            stack = [first]
            while stack:
                e = stack.pop()
                if isinstance(e, ast.IfExp):
                    stack += [e.body, e.orelse]
                elif isinstance(e, ast.Constant):
                    options.append(e)
        keywords = frozenset(k.arg for k in node.keywords if k.arg is not None)
        if called == "Message":  # Message("name", {"placeholder": value, ...})
            values = node.args[1] if len(node.args) > 1 else None
            keywords = frozenset(k.value for k in getattr(values, "keys", []))
        yield called, [o.value for o in options if isinstance(o.value, str)], keywords


def _all_calls(names: set[str]):
    return [call for page in PAGES for call in _calls(page, names)]


def _string_literals() -> set[str]:
    """Every string constant in the pages: message names a page picks at run time (a
    variable, e.g. quiz_marks_one or quiz_marks_many) appear here as literals."""
    return {
        node.value
        for page in PAGES
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_pages_ask_only_for_messages_that_exist_with_exactly_their_placeholders():
    calls = _all_calls({"say", "message", "fill", "Message"})
    assert len(calls) > 50  # the scan found the pages' messages, the quiz page's included
    for _, names, keywords in calls:
        for name in names:
            assert name in MESSAGE_SAMPLES, f"pages use message {name!r}, missing in ui.yaml"
            assert keywords == set(MESSAGE_SAMPLES[name]), (name, sorted(keywords))


def test_every_message_in_ui_yaml_is_used_by_a_page():
    unused = set(MESSAGE_SAMPLES) - _string_literals()
    assert unused == set(), f"messages no page shows: {sorted(unused)}"


def test_pages_ask_only_for_captions_and_help_that_exist():
    captions = {n for _, names, _ in _all_calls({"caption"}) for n in names}
    helps = {n for _, names, _ in _all_calls({"help_for"}) for n in names}
    assert captions and captions <= set(ExploreCaptions.model_fields), captions
    assert helps == set(ControlHelp.model_fields)


@pytest.mark.parametrize("name", sorted(n for n, values in MESSAGE_SAMPLES.items() if values))
def test_a_template_typo_is_rejected(name):
    data = UI.model_dump()
    data["messages"][name] = data["messages"][name].replace("{", "{x", 1)
    with pytest.raises(ValueError, match=f"{name}: unknown placeholder"):
        UiText.model_validate(data)
