"""Twenty sessions at once against one server sharing the cached model: no errors, and no
session ever sees another's prompt, settings or quiz."""

from __future__ import annotations

import statistics
import time
from urllib.parse import quote

import pytest

from browser_support import assert_no_errors, wait_chart_changed, wait_for_app

pytestmark = pytest.mark.browser
SESSIONS = 20
CHART = "[data-testid=stVegaLiteChart]"


def prompt_for(i: int) -> str:
    return f"Session {i} asks about gene number {i} in cell type {i}"


@pytest.fixture(scope="module")
def sessions(browser, server):
    contexts, pages = [], []
    for i in range(SESSIONS):
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        page.dialogs = []
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


def test_sessions_keep_their_own_prompt_and_settings(sessions, capsys):
    for i, page in enumerate(sessions):
        assert page.get_by_label("Prompt", exact=True).input_value() == prompt_for(i)
    latencies = []
    befores = [p.locator(CHART).nth(1).inner_html() for p in sessions]
    starts = []
    for i, page in enumerate(sessions):  # every session moves its layer slider at once
        slider = page.get_by_role("slider", name="Layer")
        slider.focus()
        starts.append(time.perf_counter())
        slider.press("ArrowRight" if i % 2 else "ArrowLeft")
    for page, before, start in zip(sessions, befores, starts, strict=True):
        wait_chart_changed(page, 1, before)
        latencies.append(time.perf_counter() - start)
    for i, page in enumerate(sessions):
        assert _layer(page) == ("3" if i % 2 else "1")
        assert page.get_by_label("Prompt", exact=True).input_value() == prompt_for(i)
        assert_no_errors(page)
    p95 = statistics.quantiles(latencies, n=20)[-1]
    with capsys.disabled():
        print(f"\n{SESSIONS} concurrent sessions: control-change p95 {p95 * 1e3:.0f} ms, "
              f"median {statistics.median(latencies) * 1e3:.0f} ms")


def test_sessions_keep_their_own_quiz(sessions):
    for i, page in enumerate(sessions):
        page.get_by_role("link", name="Quiz").click()
        wait_for_app(page)
        questions = page.get_by_label("Questions", exact=True)
        questions.fill(str(3 + i % 5))
        questions.press("Enter")
        wait_for_app(page)
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
