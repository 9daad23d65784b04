"""A deep link as the very first request to a fresh server still goes through app.py."""

from __future__ import annotations

import pytest

from browser_support import assert_no_errors, start_server, wait_for_app, wait_healthy

pytestmark = pytest.mark.browser


def test_first_request_deep_link_opens_that_page_through_app(page):
    process, url = start_server()
    try:
        wait_healthy(url)
        page.goto(f"{url}/quiz?topic=mech-masks")
        wait_for_app(page)
        page.wait_for_selector("h1", timeout=60_000)
        assert "/quiz" in page.url
        nav = page.locator("[data-testid=stSidebarNav]").inner_text()
        assert "The analogy" in nav and "Quiz" in nav  # app.py's titles, not file names
        assert "_common" not in nav and "_site" not in nav
        assert page.title() == "Cellular Attention" or "Quiz" in page.title()
        assert_no_errors(page)
    finally:
        process.terminate()
        process.wait(timeout=20)
