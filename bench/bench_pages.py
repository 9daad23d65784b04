"""Page-level timings.

- AppTest: a full Explore rerun after a control change, 12-token prompt (target: median
  < 300 ms). This is the server-side cost of one interaction.
- Chromium: time from starting `streamlit run app.py` to the Explore page fully rendered
  (target: within 8 s), and from a control change to the browser showing it (target: < 1 s).
Run: `python -m bench.bench_pages`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bench.common import explore_rerun_times, row  # noqa: E402

CHART = "[data-testid=stVegaLiteChart]"


def apptest_rerun(*, repeats: int = 15) -> list[dict]:
    times = explore_rerun_times(repeats=repeats, clock=time.perf_counter)
    median = statistics.median(times)
    return [row("Explore rerun after a control change (AppTest)", "12 tokens", median * 1e3, "ms",
                "< 150 ms", median < 0.15)]


def _rendered(page) -> None:
    """All Explore charts drawn and the script finished (no fixed sleeps: they would count)."""
    page.wait_for_function(
        f"() => document.querySelectorAll('{CHART} svg').length >= 5"
        " && !document.querySelector('[data-testid=stStatusWidget]')",
        timeout=60_000, polling=50,
    )


def browser_timings(*, cold_runs: int = 5, changes: int = 8) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from browser_support import CHROMIUM_ARGS, chromium_path, start_server, wait_healthy

    cold, change = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for run in range(cold_runs):
            start = time.perf_counter()
            process, url = start_server()
            try:
                wait_healthy(url)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url)
                _rendered(page)
                cold.append(time.perf_counter() - start)
                if run == 0:
                    change = _control_changes(page, changes)
                page.close()
            finally:
                process.terminate()
                process.wait(timeout=20)
        browser.close()
    return [
        row("cold start to Explore fully rendered (Chromium)",
            f"{cold_runs} runs ({min(cold):.1f}-{max(cold):.1f} s)",
            statistics.median(cold), "s", "<= 8 s", statistics.median(cold) <= 8),
        row("control change shown in the browser (Chromium)", f"{len(change)} changes",
            statistics.median(change) * 1e3, "ms", "< 1000 ms", statistics.median(change) < 1),
    ]


def _control_changes(page, count: int) -> list[float]:
    """Press an arrow key on the layer slider and time until the heatmap's SVG changes."""
    from browser_support import wait_chart_changed

    slider = page.get_by_role("slider", name="Layer")
    times = []
    for i in range(count):
        before = page.locator(CHART).nth(1).inner_html()
        slider.focus()
        start = time.perf_counter()
        slider.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        wait_chart_changed(page, 1, before)
        times.append(time.perf_counter() - start)
        page.wait_for_timeout(300)
    return times


def run() -> list[dict]:
    return apptest_rerun() + browser_timings()


if __name__ == "__main__":
    from bench.report import print_table

    print_table(run())
