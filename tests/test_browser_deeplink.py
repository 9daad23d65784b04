"""A deep link as the very first request to a fresh server still goes through app.py."""

from __future__ import annotations

import pytest

from browser_support import assert_no_errors, serving, wait_for_app

pytestmark = pytest.mark.browser


def test_first_request_deep_link_opens_that_page_through_app(page):
    with serving() as (_, url):  # a fresh server: the deep link is its first request
        page.goto(f"{url}/quiz?topic=mech-masks")
        wait_for_app(page)
        page.wait_for_selector("h1", timeout=60_000)
        assert "/quiz" in page.url
        links = page.locator("[data-testid=stSidebar] [data-testid=stPageLink]").all()
        menu = [link.inner_text().splitlines()[-1].strip() for link in links]  # after its icon
        # the site's own menu, with app.py's page titles (not file names), in its order
        assert menu[:6] == ["Explore", "Context", "Teamwork", "The analogy", "Limitations",
                            "Quiz"]
        assert page.title() == "Cellular Attention"
        assert page.get_by_role("heading", name="Quiz: test yourself").is_visible()
        assert_no_errors(page)
