"""The Learn pages in a real browser: a real `streamlit run app.py` server and Debian chromium.

Opens both pages, uses two demonstrations, follows a "Try it in Explore" link and checks
Explore opens on that section's prompt, and finds no error elements anywhere.
"""

from __future__ import annotations

import re

import pytest

from browser_support import assert_no_errors, wait_for_app

pytestmark = pytest.mark.browser


def metric_text(view, label: str) -> str:
    return view.locator("[data-testid=stMetric]").filter(has_text=label).first.inner_text()


def slider(view, label: str):
    return view.locator("[data-testid=stSlider]").filter(has_text=label).get_by_role("slider")


def test_limitations_demos_respond_in_the_browser(server, page):
    page.goto(f"{server}/limitations")
    wait_for_app(page)
    # The first visit loads the model; wait for the last demonstration to be drawn.
    page.get_by_role("heading", name="Attention is not an explanation").wait_for(timeout=90_000)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=stVegaLiteChart]').length >= 11",
        timeout=90_000,
    )
    wait_for_app(page)
    assert page.get_by_role("heading", name="Where the analogy breaks").count() == 1
    assert page.locator("[data-testid=stVegaLiteChart]").count() >= 11
    assert_no_errors(page)

    assert "1.00" in metric_text(page, "Sum of the occupancies")
    copies = slider(page, "TF copies in this toy nucleus")
    copies.focus()
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetric]')].some("
        "m => m.innerText.includes('Sum of the occupancies') && m.innerText.includes('10.00'))",
        timeout=30_000,
    )
    wait_for_app(page)

    assert "0.000" in metric_text(page, "Net flux around the cycle")
    drive = slider(page, "ATP drive of the remodeller")
    drive.focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetric]')].some("
        "m => m.innerText.includes('Net flux') && !m.innerText.includes('0.000'))",
        timeout=30_000,
    )
    wait_for_app(page)
    assert "0 (identical)" in metric_text(page, "Largest difference between two forward passes")
    assert_no_errors(page)


def test_analogy_try_it_link_opens_explore_on_that_prompt(server, page):
    page.goto(f"{server}/analogy")
    wait_for_app(page)
    page.get_by_role("heading", name=re.compile("Derivation")).wait_for(timeout=90_000)
    wait_for_app(page)
    assert page.get_by_role("heading", name=re.compile("The analogy")).count() >= 1
    # one live figure per section, charts and chromatin scenes, drawn once the run's elements
    # have reached the browser (a busy machine draws them a little after the run ends)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=stMain] [data-testid=stVegaLiteChart],"
        " [data-testid=stMain] [data-testid=stBidiComponentIsolated]').length >= 7",
        timeout=60_000)
    assert page.locator("[data-testid=stPageLink]").filter(has_text="Quiz yourself").count() >= 7
    assert_no_errors(page)

    page.get_by_role("link", name=re.compile("Try it in Explore")).nth(2).click()  # context
    wait_for_app(page)
    page.wait_for_selector("[data-testid=stTextArea] textarea", timeout=60_000)
    assert page.locator("[data-testid=stTextArea] textarea").first.input_value() == (
        "Paris Hilton news"
    )
    assert page.get_by_role("heading", name=re.compile("Explore")).count() >= 1
    assert_no_errors(page)
