"""Hostile and odd prompts through the real app in Chromium: a clear message or a correct
render, no traceback, no script run, and no setting lost."""

from __future__ import annotations

import pytest

from browser_support import assert_no_errors, wait_for_app
from hostile_inputs import HOSTILE_PROMPTS

pytestmark = pytest.mark.browser
CHART = "[data-testid=stVegaLiteChart]"
INJECTED = 'img[src="x"], iframe, svg[onload], style:has-text("display:none"), a[href^="javascript"]'


@pytest.fixture(scope="module")
def app_page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
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
    box.press("Control+Enter")
    wait_for_app(page)
    assert_no_errors(page)
    assert page.locator(INJECTED).count() == 0
    body = page.inner_text("body")
    shown_chart = page.locator(f"{CHART} svg").count() > 0
    told = page.locator("[data-testid=stAlertContentInfo], [data-testid=stAlertContentWarning]")
    assert shown_chart or told.count() > 0, body[:500]
    assert page.get_by_role("slider", name="Layer").input_value() == "3"


def test_app_still_works_after_all_hostile_input(app_page):
    page = app_page
    box = page.get_by_label("Prompt", exact=True)
    box.fill("Tell me about Paris")
    box.press("Control+Enter")
    page.wait_for_selector(f'{CHART} [aria-label*="token: Paris"]', timeout=30_000)
    assert_no_errors(page)
