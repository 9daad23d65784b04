"""Pages ask for text by name; every name they use exists in content/ and every template gets
exactly the placeholders the page passes. Read from the pages' source (ast), so a renamed
message or a forgotten keyword fails here, not in front of a student."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lib.content import MESSAGE_SAMPLES, ControlHelp, ExploreCaptions
from lib.quiz.ui import TEMPLATE_SAMPLES, QuizUiText

ROOT = Path(__file__).resolve().parents[1]
# Where page text is asked for: the pages, their glue, and the Learn figures (Message parts).
SOURCES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"),
                  *(ROOT / "lib" / "learn").glob("*.py")])
QUIZ_SOURCES = (ROOT / "pages" / "quiz.py", ROOT / "ui" / "quiz.py")


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


def _site_calls(names: set[str]):
    return [call for source in SOURCES if source not in QUIZ_SOURCES
            for call in _calls(source, names)]


def test_pages_ask_only_for_messages_that_exist_with_exactly_their_placeholders():
    calls = _site_calls({"say", "message", "Message"})
    assert len(calls) > 30  # the scan found the pages' messages
    used = set()
    for _, names, keywords in calls:
        for name in names:
            used.add(name)
            assert name in MESSAGE_SAMPLES, f"pages use message {name!r}, missing in ui.yaml"
            assert keywords == set(MESSAGE_SAMPLES[name]), (name, sorted(keywords))
    assert used == set(MESSAGE_SAMPLES), f"unused messages: {set(MESSAGE_SAMPLES) - used}"


def test_pages_ask_only_for_captions_and_help_that_exist():
    captions = {n for _, names, _ in _site_calls({"caption"}) for n in names}
    helps = {n for _, names, _ in _site_calls({"help_for"}) for n in names}
    assert captions and captions <= set(ExploreCaptions.model_fields), captions
    assert helps == set(ControlHelp.model_fields)


def test_quiz_page_fills_its_templates_with_exactly_their_placeholders():
    calls = [call for source in QUIZ_SOURCES for call in _calls(source, {"fill"})]
    filled = set()
    for _, names, keywords in calls:
        for name in names:
            filled.add(name)
            assert keywords == set(TEMPLATE_SAMPLES[name]), (name, sorted(keywords))
    # marks_one / marks_many are chosen at run time (a variable, not a literal)
    assert filled | {"marks_one", "marks_many"} == set(TEMPLATE_SAMPLES)
    said = {n for source in QUIZ_SOURCES for _, names, _ in _calls(source, {"say"}) for n in names}
    assert said <= set(QuizUiText.model_fields)


@pytest.mark.parametrize("name", sorted(TEMPLATE_SAMPLES))
def test_a_quiz_template_typo_is_rejected(name):
    from lib.quiz.ui import load_ui_text

    text = load_ui_text(ROOT / "content" / "quiz").text
    data = text.model_dump()
    data[name] = data[name].replace("{", "{x", 1)
    with pytest.raises(ValueError, match=f"{name}: unknown placeholder"):
        QuizUiText.model_validate(data)
