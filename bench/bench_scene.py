"""The chromatin scene (issue 13): components v2 against a timer-animated Vega-Lite chart.

- payload: the scene's JSON for 12, 64 and 512 loci with 10^4 events (target <= 300 kB at
  512 loci), the component's static JS+CSS, and the Vega design's precomputed frames;
- server CPU per rerun (AppTest, process CPU time) of a small page without a scene, with
  the v2 scene, and with the Vega scene; the v2 scene's share of an Explore rerun (target:
  the scene adds <= 20% to a page's rerun CPU);
- bytes the server sends per rerun that changes nothing, with the real server and Chromium
  (Streamlit's message cache should send the unchanged scene as a reference);
- the browser during playback: drawn frames per second (capped at 30) and main-thread CPU
  (Chrome DevTools Performance metrics), for 12 molecules on 12 loci and 7 species on 64;
- whether the Vega-Lite timer animation draws at all in st.vega_lite_chart.
Run: `python -m bench.bench_scene`.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "apps"))

import numpy as np  # noqa: E402

from bench.common import explore_rerun_times, row  # noqa: E402

APP = "bench/scene_compare_app.py"
KB = 1000


def payload_rows() -> list[dict]:
    from scene_cases import build

    from bench.vega_scene import frame_tables
    from lib.chromatin.scene_model import scene_from_attention, scene_payload

    rows = []
    rng = np.random.default_rng(0)
    for n, species, copies in ((12, 3, 4), (64, 7, 1), (512, 1, 1), (512, 7, 2)):
        scene = scene_from_attention(rng.dirichlet(np.full(n, 0.5), size=species),
                                     [f"token{j}" for j in range(n)], copies=copies,
                                     events=10_000)
        size = len(json.dumps(scene_payload(scene)).encode()) / KB
        rows.append(row("scene payload (v2 data)", f"{n} loci, {species}x{copies} TFs, 1e4 events",
                        size, "kB", "<= 300 kB", size <= 300))
    assets = ROOT / "ui" / "components" / "chromatin_scene"
    static = sum(len((assets / name).read_bytes()) for name in ("scene.js", "scene.css")) / KB
    rows.append(row("scene JS + CSS (sent with the element)", "inline, no build", static, "kB",
                    "<= 60 kB", static <= 60))
    play = build("play")
    tf, shares = frame_tables(play, frames=600)
    vega = sum(len(t.to_json(orient="records").encode()) for t in (tf, shares)) / KB
    small = next(r["median"] for r in rows if r["size"].startswith("12 loci"))
    rows.append(row("Vega frames payload (inline values), the design not taken",
                    "12 loci, 600 frames", vega, "kB", f"> v2's {small:.0f} kB (why v2)",
                    vega > small))
    return rows


def _apptest_cpu(mode: str, case: str, repeats: int) -> float:
    """Median process CPU time of one rerun of the benchmark page, in ms."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / APP), default_timeout=120)
    at.query_params.update({"mode": mode, "case": case, "autoplay": "0"})
    at.run()
    assert not at.exception, at.exception
    times = []
    for i in range(repeats):
        start = time.process_time()
        at.slider(key="unrelated").set_value(i % 10).run()
        times.append(time.process_time() - start)
        assert not at.exception, at.exception
    return statistics.median(times) * 1e3


def _explore_rerun_cpu(repeats: int) -> float:
    """Median process CPU time of an Explore rerun after a control change, in ms."""
    return statistics.median(explore_rerun_times(repeats=repeats, clock=time.process_time)) * 1e3


def rerun_rows(*, repeats: int = 15) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    rows = []
    bare = _apptest_cpu("none", "play", repeats)
    rows.append(row("page rerun CPU, no scene (AppTest)", "slider change", bare, "ms",
                    "(reference)", None))
    explore = _explore_rerun_cpu(repeats)
    rows.append(row("Explore rerun CPU (AppTest)", "12 tokens, layer change", explore, "ms",
                    "(reference)", None))
    for case, size in (("play", "12 loci, 12 TFs"), ("many", "64 loci, 7 species"),
                       ("long", "512 loci, 1e4 events")):
        v2 = _apptest_cpu("v2", case, repeats)
        added = (v2 - bare) / explore * 100
        rows.append(row("page rerun CPU with the v2 scene (AppTest)", size, v2, "ms",
                        "(reference for the row below)", None))
        rows.append(row("v2 scene's added rerun CPU, share of an Explore rerun", size, added, "%",
                        "<= 20%", added <= 20))
    vega = _apptest_cpu("vega", "play", repeats)
    v2_play = rows[2]["median"]
    rows.append(row("page rerun CPU with the Vega timer scene (AppTest), the design not taken",
                    "12 loci, 600 frames", vega, "ms", f"> v2's {v2_play:.0f} ms (why v2)",
                    vega > v2_play))
    return rows


def _quiet(page, before: int, *, settle: float = 0.4, timeout: float = 60.0) -> None:
    """Wait until frames arrived after `before` and none for `settle` s: the rerun is over.

    (The app's script-state attribute is not a reliable signal: React may never show
    'running' for a rerun this short.)"""
    start = time.perf_counter()
    last, changed = len(page.received), time.perf_counter()
    while time.perf_counter() - start < timeout:
        page.wait_for_timeout(50)
        if len(page.received) != last:
            last, changed = len(page.received), time.perf_counter()
        elif last > before and time.perf_counter() - changed >= settle:
            return
    raise TimeoutError("the rerun did not finish")


def browser_rows(*, reruns: int = 10, seconds: float = 5.0) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from browser_support import CHROMIUM_ARGS, chromium_path, start_server, wait_healthy

    process, url = start_server(launcher=("-m", "streamlit", "run", APP),
                                env={"PYTHONPATH": f"{ROOT}:{ROOT / 'tests' / 'apps'}"})
    rows = []
    try:
        wait_healthy(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                 args=CHROMIUM_ARGS)
            bare = _bytes_per_rerun(browser, url, "none", reruns)
            rows.append(row("bytes received per unchanged rerun (Chromium)", "page without a scene",
                            bare, "B", "(reference)", None))
            with_scene = _bytes_per_rerun(browser, url, "v2", reruns)
            budget = bare + _payload_bytes("play") + 2000  # its own data again, nothing more
            rows.append(row("bytes received per unchanged rerun (Chromium)",
                            "page with the v2 scene (12 loci)", with_scene, "B",
                            f"<= {budget:,.0f} B (the page's, plus the scene's data once)",
                            with_scene <= budget))
            for case, size in (("play", "12 loci, 12 TFs"), ("many", "64 loci, 7 species")):
                rows += _playback(browser, url, case, size, seconds)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    return rows


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.received = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda p: page.received.append(len(p) if p else 0)))
    page.goto(url)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]",
                           timeout=120_000)
    return page


def _payload_bytes(case: str) -> int:
    """The JSON the scene element carries for a benchmark case."""
    from scene_cases import build

    from lib.chromatin.scene_model import scene_payload

    return len(json.dumps(scene_payload(build(case))).encode())


def _bytes_per_rerun(browser, url: str, mode: str, reruns: int) -> float:
    page = _open(browser, f"{url}/?mode={mode}&autoplay=0")
    if mode == "v2":
        page.wait_for_selector(".ca-scene[data-time]")
    _quiet(page, 0)
    sizes = []
    for _ in range(reruns):
        before = len(page.received)
        page.get_by_role("button", name="Rerun").click()
        _quiet(page, before)
        sizes.append(sum(page.received[before:]))
    page.close()
    return statistics.median(sizes)


def _playback(browser, url: str, case: str, size: str, seconds: float) -> list[dict]:
    page = _open(browser, f"{url}/?mode=v2&case={case}&autoplay=0")
    page.wait_for_selector(".ca-scene[data-time]")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def busy() -> float:
        """CPU seconds of the page's main thread (ThreadTime), not wall time: the machine is
        shared, and a busy neighbour would otherwise count against the scene."""
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return metrics["ThreadTime"]

    frames0 = int(page.eval_on_selector(".ca-scene", "e => e.dataset.frames"))
    task0, wall0 = busy(), time.perf_counter()
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(seconds * 1000)  # a measurement window, not a wait for state
    task1, wall1 = busy(), time.perf_counter()
    frames1 = int(page.eval_on_selector(".ca-scene", "e => e.dataset.frames"))
    page.close()
    wall = wall1 - wall0
    return [
        row("v2 playback frame rate (Chromium)", size, (frames1 - frames0) / wall, "frames/s",
            ">= 24 frames/s", (frames1 - frames0) / wall >= 24),
        row("v2 playback main-thread CPU (Chromium, software raster)", size,
            (task1 - task0) / wall * 100, "% of a core", "<= 50% (a student's laptop)",
            (task1 - task0) / wall <= 0.5),
    ]


def run() -> list[dict]:
    return payload_rows() + rerun_rows() + browser_rows()


if __name__ == "__main__":
    from bench.report import print_table

    print_table(run())
