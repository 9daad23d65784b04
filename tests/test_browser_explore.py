"""The real app in Debian chromium: Explore, Context and Teamwork, driven like a student would."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import assert_no_errors, wait_for_app

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHART = "[data-testid=stVegaLiteChart]"


def screenshot(page, name: str) -> None:
    """README screenshots: Streamlit scrolls inside the app, so grow the viewport instead."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 2000})
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def chart_svg(page, index: int) -> str:
    return page.locator(CHART).nth(index).inner_html()


def set_prompt(page, text: str) -> None:
    box = page.get_by_label("Prompt", exact=True)
    box.fill(text)
    box.press("Control+Enter")
    wait_for_app(page)


def open_page(page, server: str, path: str = "") -> None:
    page.goto(f"{server}/{path}")
    wait_for_app(page)
    page.wait_for_selector(CHART, timeout=60_000)
    wait_for_app(page)


def test_explore_prompt_click_token_and_change_head(server, page):
    open_page(page, server)
    assert_no_errors(page)
    set_prompt(page, "Tell me about Paris")
    page.wait_for_selector(f'{CHART} [aria-label*="token: Paris"]', timeout=30_000)
    heatmap = page.locator(CHART).nth(1)
    assert heatmap.locator('[aria-label*="Paris"]').count() > 0

    scene_before = chart_svg(page, 3)
    page.locator(CHART).first.locator('path[aria-label*="token: about"]').last.click()
    wait_for_app(page)
    strip = page.locator(CHART).first
    assert strip.locator('path[aria-label*="token: about"]').first.get_attribute("fill") == "#0072B2"
    assert strip.locator('path[aria-label*="token: Paris"]').first.get_attribute("fill") != "#0072B2"
    assert "3: about" in page.locator("[data-testid=stSelectbox]").first.inner_html()
    assert chart_svg(page, 3) != scene_before  # the chromatin scene follows the clicked query

    page.get_by_text("One head", exact=True).click()
    wait_for_app(page)
    heat_before = chart_svg(page, 1)
    head_slider = page.get_by_role("slider", name="Head (TF species)")
    head_slider.focus()
    head_slider.press("ArrowRight")
    head_slider.press("ArrowRight")
    wait_for_app(page)
    assert chart_svg(page, 1) != heat_before
    assert_no_errors(page)
    screenshot(page, "explore")


@pytest.mark.parametrize("path, name", [("context", "context"), ("teamwork", "teamwork")])
def test_context_and_teamwork_pages_render(server, page, path, name):
    open_page(page, server, path)
    assert page.locator(CHART).count() >= 2
    assert_no_errors(page)
    screenshot(page, name)


def test_markup_in_a_prompt_is_shown_as_text_and_never_runs(server, page):
    open_page(page, server)
    set_prompt(page, "<img src=x onerror=alert(1)> and <script>alert(2)</script>")
    page.wait_for_selector(f'{CHART} [aria-label*="token: script"]', timeout=30_000)
    assert page.locator('img[src="x"]').count() == 0
    strip = page.locator(CHART).first
    assert strip.locator('[aria-label*="token: <"]').count() > 0  # the markup is data
    assert page.locator("script:has-text('alert(2)')").count() == 0
    assert_no_errors(page)  # includes: no alert() dialog fired
