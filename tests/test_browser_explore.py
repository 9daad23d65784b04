"""The real app in Debian chromium: Explore, Context and Teamwork, driven like a student would."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import IDLE, assert_no_errors, rerun_after, wait_for_app

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHART = "[data-testid=stVegaLiteChart]"


SCENE_LOCI = "[data-testid=stBidiComponentIsolated] >> .ca-locus"


def screenshot(page, name: str) -> None:
    """README screenshots: Streamlit scrolls inside the app, so grow the viewport instead."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 2000})
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def scene_loci(page) -> list[str]:
    """What the chromatin scene says about each locus (its accessible labels)."""
    return page.locator(SCENE_LOCI).evaluate_all("gs => gs.map(g => g.getAttribute('aria-label'))")


def chart_svg(page, index: int) -> str:
    return page.locator(CHART).nth(index).inner_html()


def set_prompt(page, text: str) -> None:
    box = page.get_by_label("Prompt", exact=True)
    box.fill(text)
    with rerun_after(page):
        box.press("Control+Enter")


def open_page(page, server: str, path: str = "") -> None:
    page.goto(f"{server}/{path}")
    wait_for_app(page)
    page.wait_for_selector(CHART, timeout=60_000)


def test_explore_prompt_click_token_and_change_head(server, page):
    open_page(page, server)
    assert_no_errors(page)
    set_prompt(page, "Tell me about Paris")
    page.wait_for_selector(f'{CHART} [aria-label*="token: Paris"]', timeout=30_000)
    heatmap = page.locator(CHART).nth(1)
    assert heatmap.locator('[aria-label*="Paris"]').count() > 0

    scene_before = scene_loci(page)
    assert any("Paris" in label for label in scene_before)  # one locus per token
    with rerun_after(page):
        page.locator(CHART).first.locator('path[aria-label*="token: about"]').last.click()
    strip = page.locator(CHART).first
    assert strip.locator('path[aria-label*="token: about"]').first.get_attribute("fill") == "#0072B2"
    assert strip.locator('path[aria-label*="token: Paris"]').first.get_attribute("fill") != "#0072B2"
    assert "3: about" in page.locator("[data-testid=stSelectbox]").first.inner_html()
    assert scene_loci(page) != scene_before  # the chromatin scene follows the clicked query

    with rerun_after(page):
        page.get_by_text("One head", exact=True).click()
    heat_before = chart_svg(page, 1)
    head_slider = page.get_by_role("slider", name="Head (TF species)")
    head_slider.focus()
    with rerun_after(page):
        head_slider.press("ArrowRight")
    assert chart_svg(page, 1) != heat_before
    assert_no_errors(page)
    screenshot(page, "explore")


@pytest.mark.parametrize("path, name, scenes", [("context", "context", 2),
                                                ("teamwork", "teamwork", 1)])
def test_context_and_teamwork_pages_render(server, page, path, name, scenes):
    open_page(page, server, path)
    assert page.locator(CHART).count() >= 1
    page.locator(SCENE_LOCI).first.wait_for(timeout=60_000)
    assert page.locator("[data-testid=stMain] [data-testid=stBidiComponentIsolated]").count() == scenes
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


def test_the_first_visit_guide_is_put_away_and_remembered_by_this_browser(server, page):
    open_page(page, server)
    guide = page.get_by_text("Pick a word in the token row")
    assert guide.is_visible()
    with rerun_after(page):
        page.get_by_role("button", name="Got it").click()
    assert guide.count() == 0
    page.reload()  # a new session: only this browser's storage remembers
    wait_for_app(page)
    page.get_by_role("heading", name="Real attention").wait_for()
    page.wait_for_function(  # the browser told the new session; that session reran without it
        "() => !document.body.innerText.includes('Pick a word in the token row')", timeout=30_000)
    # ... and that rerun is over: until then the elements it moved up (no guide above them)
    # are shown twice, the new copy and the last run's, which it clears when it finishes.
    page.wait_for_function(IDLE, timeout=30_000)
    page.get_by_text("More detail: where the numbers come from").click()
    with rerun_after(page):
        page.get_by_role("button", name="Show the three-step guide again").click()
    assert page.get_by_text("Pick a word in the token row").is_visible()
