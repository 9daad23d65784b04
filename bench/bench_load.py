"""Memory, payload and soak figures for the real server, with real Chromium sessions.

- peak RSS of the server with 1 session on a 512-token prompt (target: <= 700 MB), for
  both ways the app starts, each the median of 3 fresh servers;
- bytes the Explore page sends for a 512-token prompt, against bertviz's head_view and
  model_view HTML for the same attention; and whether each renders with no internet;
- a memory soak: 500 AppTest reruns with varying prompts and controls (target: < 50 MB growth).
Many sessions at once (latency, and the memory of twenty long prompts) are measured by the
load generator, which keeps browsers off the server's CPU: bench/load/run.py.
Run: `python -m bench.bench_load`.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402

from bench.bench_pipeline import prompt_of  # noqa: E402
from bench.common import current_rss_mb, peak_rss_mb, row  # noqa: E402
from browser_support import RERUN_COUNTER  # noqa: E402

CHART = "[data-testid=stVegaLiteChart]"


def _offline_routes(context) -> None:
    """Abort every request that is not to this machine: what 'no internet' looks like."""
    def handle(route):
        host = route.request.url.split("/")[2] if "://" in route.request.url else ""
        if route.request.url.startswith(("data:", "blob:", "about:")) or host.startswith(
            ("127.0.0.1", "localhost")
        ):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", handle)


def _wait_rendered(page, count: int = 5) -> None:
    from browser_support import wait_for_app

    page.wait_for_function(
        f"() => document.querySelectorAll('{CHART} svg').length >= {count}", timeout=120_000
    )
    wait_for_app(page)


def server_figures() -> list[dict]:
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    from browser_support import CHROMIUM_ARGS, chromium_path, start_server, wait_healthy
    from lib.models.loading import load_model

    tokenizer = load_model().tokenizer
    long_prompt = prompt_of(512, tokenizer)
    process, url = start_server()
    rows = []
    try:
        wait_healthy(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            # one session, offline, counting the websocket bytes of a 512-token prompt
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_init_script(RERUN_COUNTER)  # for wait_for_app
            _offline_routes(context)
            page = context.new_page()
            received: list[int] = []
            page.on("websocket", lambda ws: ws.on(
                "framereceived", lambda frame: received.append(len(frame) if frame else 0)))
            page.goto(f"{url}/?prompt={quote(long_prompt)}")
            _wait_rendered(page)
            ours = sum(received)
            bertviz_rows = _bertviz_payload(browser, long_prompt)
            rows.append(row("Explore page payload (websocket)", "512 tokens", ours / 1e3, "kB",
                            f"< bertviz ({min(r['median'] for r in bertviz_rows):.0f} kB)",
                            ours / 1e3 < min(r["median"] for r in bertviz_rows)))
            rows.append(row("Explore renders with no internet", "512 tokens", 1.0, "yes/no",
                            "works offline", True))
            rows += bertviz_rows
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return rows


def one_session_rss(*, runs: int = 3) -> list[dict]:
    """Peak RSS of a fresh server after one session opens a 512-token prompt, both ways the
    app is started; the median of ``runs`` servers each."""
    from playwright.sync_api import sync_playwright

    from browser_support import CHROMIUM_ARGS, SERVE, STREAMLIT_RUN, chromium_path
    from lib.models.loading import load_model

    long_prompt = prompt_of(512, load_model().tokenizer)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for name, launcher in (("make run (scripts/serve.py)", SERVE),
                               ("streamlit run app.py (as on Cloud)", STREAMLIT_RUN)):
            peaks = [_peak_after_one_long_prompt(browser, launcher, long_prompt)
                     for _ in range(runs)]
            median = statistics.median(peaks)
            rows.append(row("server peak RSS, 1 session, 512-token prompt",
                            f"{name}, {runs} servers ({min(peaks):.0f}-{max(peaks):.0f})",
                            median, "MB", "<= 700 MB", median <= 700))
        browser.close()
    return rows


def _peak_after_one_long_prompt(browser, launcher: tuple[str, ...], prompt: str) -> float:
    from urllib.parse import quote

    from browser_support import serving

    with serving(launcher=launcher) as (process, url):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.add_init_script(RERUN_COUNTER)  # for wait_for_app
        page = context.new_page()
        page.goto(f"{url}/?prompt={quote(prompt)}")
        _wait_rendered(page)
        page.wait_for_timeout(1000)
        peak = peak_rss_mb(process.pid)
        context.close()
        return peak


def _bertviz_payload(browser, prompt: str) -> list[dict]:
    from bertviz import head_view, model_view

    from lib.attention.extract import extract_attention
    from lib.models.loading import load_model

    result = extract_attention(load_model(), prompt)
    import torch

    attention = [torch.from_numpy(np.ascontiguousarray(layer))[None] for layer in result.attentions]
    short = extract_attention(load_model(), "What's the capital of France?")
    short_attention = [torch.from_numpy(np.ascontiguousarray(a))[None] for a in short.attentions]
    rows = []
    for name, view in (("head_view", head_view), ("model_view", model_view)):
        html = view(attention, list(result.tokens), html_action="return").data
        # Whether it draws offline does not depend on size; a short prompt keeps Chromium quick.
        works = _renders_offline(
            browser, view(short_attention, list(short.tokens), html_action="return").data
        )
        rows.append(row(f"bertviz {name} HTML payload", f"{result.seq_len} tokens",
                        len(html.encode()) / 1e3, "kB",
                        "works offline" if works else "needs internet (CDN scripts)", works))
    return rows


def _renders_offline(browser, html: str) -> bool:
    context = browser.new_context()
    _offline_routes(context)
    page = context.new_page()
    page.set_content(html, wait_until="load", timeout=60_000)
    page.wait_for_timeout(3000)
    drawn = page.locator("svg").count() > 0
    context.close()
    return drawn


SOAK_PERIOD = 120  # reruns: 40 prompts, one every third run; layers (i % 6) repeat within it


def soak(*, periods: int = 4, warm_periods: int = 2) -> list[dict]:
    """The same 120-rerun cycle of prompts and layers, four times. The bounded caches (the
    attention store, the view memo) fill during the first two cycles; the last two ask only
    for what was seen before, so any growth there is a leak, not a cache filling."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run(timeout=180)
    pid = os.getpid()
    warm = None
    reruns = periods * SOAK_PERIOD
    for i in range(reruns):
        if i % 3 == 0:
            gene = (i // 3) % 40  # 40 prompts, the same 40 in every period
            at.text_area(key="_w_prompt").input(f"Gene {gene} is read in cell type {gene % 7}")
        else:
            slider = next(s for s in at.sidebar.slider if s.label.startswith("Layer"))
            slider.set_value(i % 6)
        at.run()
        if i == warm_periods * SOAK_PERIOD - 1:
            warm = current_rss_mb(pid)
    growth = current_rss_mb(pid) - warm
    measured = (periods - warm_periods) * SOAK_PERIOD
    return [row("memory soak: RSS growth over repeated reruns",
                f"{measured} reruns after {warm_periods * SOAK_PERIOD} that filled the caches",
                growth, "MB", "< 20 MB (no leak)", growth < 20)]



def run() -> list[dict]:
    return one_session_rss() + server_figures() + soak()


if __name__ == "__main__":
    from bench.report import print_table

    print_table(run())
