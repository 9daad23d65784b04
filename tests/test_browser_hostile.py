"""Hostile and odd prompts through the real app in Chromium: a clear message or a correct
render, no traceback, no script run, and no setting lost."""

from __future__ import annotations

import pytest

from browser_support import assert_no_errors, open_page, rerun_after, wait_for_app
from hostile_inputs import HOSTILE_PROMPTS, NOTHING_TO_ANALYSE, TRUNCATED, hostile_progress_files

pytestmark = pytest.mark.browser
CHART = "[data-testid=stVegaLiteChart]"
INJECTED = 'img[src="x"], iframe, svg[onload], style:has-text("display:none"), a[href^="javascript"]'


@pytest.fixture(scope="module")
def app_page(browser, server):
    context, page = open_page(browser)
    page.goto(server)
    page.wait_for_selector(CHART, timeout=60_000)
    wait_for_app(page)
    slider = page.get_by_role("slider", name="Layer")
    slider.focus()
    slider.press("ArrowRight")  # layer 2 -> 3: a setting that must survive every input
    wait_for_app(page)
    yield page
    context.close()


@pytest.mark.parametrize("name", list(HOSTILE_PROMPTS))
def test_hostile_prompt(app_page, name):
    page = app_page
    box = page.get_by_label("Prompt", exact=True)
    box.fill(HOSTILE_PROMPTS[name])
    with rerun_after(page):
        box.press("Control+Enter")
    assert_no_errors(page)
    assert page.locator(INJECTED).count() == 0
    charts = page.locator(f"{CHART} svg").count()
    if name in NOTHING_TO_ANALYSE:
        assert charts == 0
        assert "empty" in page.locator("[data-testid=stAlertContentInfo]").first.inner_text()
    else:
        assert charts >= 4, page.inner_text("body")[:500]  # strip, heatmap and both bar charts
    warned = page.locator("[data-testid=stAlertContentWarning]").filter(has_text="only the first")
    assert warned.count() == (1 if name in TRUNCATED else 0)
    assert page.get_by_role("slider", name="Layer").input_value() == "3"


def test_app_still_works_after_all_hostile_input(app_page):
    page = app_page
    box = page.get_by_label("Prompt", exact=True)
    box.fill("Tell me about Paris")
    box.press("Control+Enter")
    page.wait_for_selector(f'{CHART} [aria-label*="token: Paris"]', timeout=30_000)
    assert_no_errors(page)


@pytest.fixture(scope="module")
def quiz_page(browser, server):
    context, page = open_page(browser)
    page.goto(f"{server}/quiz?topic=mech-masks")
    wait_for_app(page)
    page.get_by_role("button", name="Start a new quiz").click()
    wait_for_app(page)
    page.get_by_text("Question 1 of").wait_for()
    yield page
    context.close()


def _progress_text(page) -> str:
    return page.get_by_text("Question 1 of").first.inner_text()


@pytest.mark.parametrize("name", list(hostile_progress_files("x")))
def test_hostile_progress_upload_is_refused_and_nothing_changes(quiz_page, name):
    from pathlib import Path

    from lib.content import load_content

    bank = load_content(Path(__file__).resolve().parents[1] / "content").quiz
    payload = hostile_progress_files(bank.questions[0].id)[name]
    page = quiz_page
    before = _progress_text(page)
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
        {"name": "progress.json", "mimeType": "application/json", "buffer": payload}
    )
    page.wait_for_selector(
        "[data-testid=stAlertContentError], [data-testid=stFileUploaderFileErrorMessage], "
        "[data-testid=stFileUploaderFile] :text('File must be')",
        timeout=30_000,
    )
    wait_for_app(page)
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Traceback" not in page.inner_text("body")
    assert not page.dialogs
    assert _progress_text(page) == before  # the quiz in progress is untouched
