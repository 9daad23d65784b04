"""Sessions at once against one server sharing the cached model and its caches: no errors,
and no session ever sees another's prompt, settings or quiz. (How fast they are served is
measured in bench/load, with many more sessions.)"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from browser_support import assert_no_errors, open_page, rerun_after, wait_for_app

pytestmark = pytest.mark.browser
SESSIONS = 8
CHART = "[data-testid=stVegaLiteChart]"


def prompt_for(i: int) -> str:
    return f"Session {i} asks about gene number {i} in cell type {i}"


@pytest.fixture(scope="module")
def sessions(browser, server):
    contexts, pages = [], []
    for i in range(SESSIONS):
        context, page = open_page(browser, viewport={"width": 1200, "height": 900})
        page.goto(f"{server}/?prompt={quote(prompt_for(i))}")
        contexts.append(context)
        pages.append(page)
    for page in pages:
        page.wait_for_selector(f"{CHART} svg", timeout=120_000)
        wait_for_app(page)
    yield pages
    for context in contexts:
        context.close()


def _layer(page) -> str:
    return page.get_by_role("slider", name="Layer").input_value()


def test_sessions_keep_their_own_prompt_and_settings(sessions):
    for i, page in enumerate(sessions):
        assert page.get_by_label("Prompt", exact=True).input_value() == prompt_for(i)
    for i, page in enumerate(sessions):  # every session moves its layer slider at once
        slider = page.get_by_role("slider", name="Layer")
        slider.focus()
        slider.press("ArrowRight" if i % 2 else "ArrowLeft")
    for i, page in enumerate(sessions):
        wait_for_app(page)
        assert _layer(page) == ("3" if i % 2 else "1")
        assert page.get_by_label("Prompt", exact=True).input_value() == prompt_for(i)
        assert_no_errors(page)


def test_sessions_keep_their_own_quiz(sessions):
    for i, page in enumerate(sessions):
        with rerun_after(page):
            page.get_by_role("link", name="Quiz").click()
        questions = page.get_by_label("Questions", exact=True)
        questions.fill(str(3 + i % 5))
        with rerun_after(page):
            questions.press("Enter")
        page.get_by_role("button", name="Start a new quiz").click()
    for i, page in enumerate(sessions):
        wait_for_app(page)
        page.get_by_text(f"Question 1 of {3 + i % 5}").wait_for(timeout=60_000)
    for i, page in enumerate(sessions):
        page.get_by_role("link", name="Explore").click()
        wait_for_app(page)
        assert page.get_by_label("Prompt", exact=True).input_value() == prompt_for(i)
        assert _layer(page) == ("3" if i % 2 else "1")
        body = page.inner_text("body")
        others = [prompt_for(j) for j in range(SESSIONS) if j != i]
        assert not any(other in body for other in others)
        page.get_by_role("link", name="Quiz").click()
        wait_for_app(page)
        page.get_by_text(f"Question 1 of {3 + i % 5}").wait_for(timeout=60_000)
        assert_no_errors(page)
