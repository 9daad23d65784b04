"""The chromatin scene component in Debian chromium, on a tiny app of its own.

The app (tests/apps/scene_app.py) mounts one scene; these tests check that playback runs in
the browser without talking to the server, honours reduced motion, draws nucleosomes on
exactly the closed loci, shows markup as text and needs no network.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from browser_support import ROOT, serving

sys.path.insert(0, str(ROOT / "tests" / "apps"))
from scene_cases import MARKUP, build  # noqa: E402

pytestmark = pytest.mark.browser
SCENE = ".ca-scene"
TF = ".ca-tf"


@pytest.fixture(scope="module")
def scene_server():
    with serving(launcher=("-m", "streamlit", "run", "tests/apps/scene_app.py"),
                 env={"PYTHONPATH": str(ROOT)}) as (_, url):
        yield url


def open_scene(browser, url: str, *, reduced: bool = False, offline: bool = False):
    """A fresh page on the scene app; records websocket frames sent, alerts and requests."""
    context = browser.new_context(viewport={"width": 1200, "height": 1000},
                                  reduced_motion="reduce" if reduced else "no-preference")
    page = context.new_page()
    page.sent = []
    page.dialogs = []
    page.foreign = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: page.sent.append(payload)))
    if offline:
        def guard(route):
            if route.request.url.startswith(url):
                route.continue_()
            else:
                page.foreign.append(route.request.url)
                route.abort()
        context.route("**/*", guard)
    page.goto(url)
    page.wait_for_selector(f"{SCENE}[data-time]", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')",
                           timeout=60_000)
    return context, page


def state(page) -> dict:
    return page.eval_on_selector(SCENE, "e => ({...e.dataset})")


def positions(page) -> list[str]:
    return page.eval_on_selector_all(TF, "gs => gs.map(g => g.getAttribute('transform'))")


def wait_frames(page, frames: int) -> None:
    """Let the browser draw `frames` animation frames (the page's own clock, no sleep)."""
    page.evaluate(
        "n => new Promise(done => { const f = k => k ? requestAnimationFrame(() => f(k - 1))"
        " : done(); f(n); })", frames)


def test_play_moves_ten_factors_without_a_single_websocket_frame(browser, scene_server):
    context, page = open_scene(browser, f"{scene_server}/?autoplay=0")
    try:
        assert state(page)["time"] == "0.0000" and len(positions(page)) == 12
        before = positions(page)
        sent_before = len(page.sent)
        page.get_by_role("button", name="Play").click()
        page.wait_for_function(
            "([sel, old]) => [...document.querySelector('[data-testid=stBidiComponentIsolated]')"
            ".shadowRoot.querySelectorAll(sel)].filter((g, i) => g.getAttribute('transform')"
            " !== old[i]).length >= 10",
            arg=[TF, before], timeout=3_000, polling="raf")
        wait_frames(page, 30)
        playing = state(page)
        assert playing["playing"] == "true" and float(playing["time"]) > 0
        assert int(playing["events"]) > 0
        assert len(page.sent) == sent_before, "playback sent websocket frames (a rerun)"

        page.get_by_role("button", name="Pause").click()
        paused = state(page)
        frozen = positions(page)
        wait_frames(page, 20)
        assert state(page)["time"] == paused["time"] and positions(page) == frozen
        assert paused["playing"] == "false"
        assert len(page.sent) == sent_before
    finally:
        context.close()


def test_a_rerun_that_changes_nothing_keeps_playback_going(browser, scene_server):
    context, page = open_scene(browser, f"{scene_server}/?autoplay=0")
    try:
        page.get_by_role("button", name="Play").click()
        page.wait_for_function(
            "() => Number(document.querySelector('[data-testid=stBidiComponentIsolated]')"
            ".shadowRoot.querySelector('.ca-scene').dataset.time) > 0.5", polling="raf")
        page.get_by_role("button", name="Rerun").click()
        page.get_by_text("script runs: 2").wait_for()
        before = float(state(page)["time"])
        wait_frames(page, 10)
        after = state(page)
        assert after["playing"] == "true" and float(after["time"]) > before > 0.5
    finally:
        context.close()


def test_reduced_motion_offers_step_and_never_autoplays(browser, scene_server):
    context, page = open_scene(browser, scene_server, reduced=True)  # autoplay requested
    try:
        step = page.get_by_role("button", name="Step")
        assert step.is_visible() and "ca-primary" in step.get_attribute("class")
        wait_frames(page, 20)
        assert state(page)["time"] == "0.0000" and state(page).get("playing") != "true"
        step.click()
        after = state(page)
        assert int(after["events"]) >= 1 and float(after["time"]) > 0
        assert after.get("playing") != "true"
        assert "binds" in page.locator(f"{SCENE} [aria-live=polite]").inner_text()
    finally:
        context.close()


def test_nucleosomes_sit_exactly_on_the_closed_loci(browser, scene_server):
    scene = build("play")
    context, page = open_scene(browser, f"{scene_server}/?autoplay=0")
    try:
        drawn = page.eval_on_selector_all(
            ".ca-nucleosome", "gs => gs.map(g => [Number(g.dataset.locus), g.dataset.state])")
        assert sorted(j for j, _ in drawn) == np.flatnonzero(scene.closed).tolist()
        assert all(s == "wrapped" for _, s in drawn)
        labels = page.eval_on_selector_all(".ca-locus", "gs => gs.map(g => g.textContent)")
        assert labels == list(scene.labels)
    finally:
        context.close()


def test_markup_in_labels_is_text_and_never_runs(browser, scene_server):
    context, page = open_scene(browser, f"{scene_server}/?case=markup&autoplay=0")
    try:
        shown = page.eval_on_selector_all(".ca-label", "ts => ts.map(t => t.textContent)")
        cut = [label if len(label) <= 14 else label[:13] + "\u2026" for label in MARKUP]
        assert shown == [label if label.strip() else "\u2423" for label in cut]  # blank: ␣
        names = page.eval_on_selector_all(".ca-locus", "gs => gs.map(g => g.ariaLabel)")
        assert all(label in name for label, name in zip(MARKUP[:4], names, strict=False))
        injected = page.evaluate(
            "() => document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot"
            ".querySelectorAll('img, script, b, foreignObject').length")
        assert injected == 0
        page.locator(".ca-locus").first.focus()
        tip = page.locator(".ca-tooltip")
        assert MARKUP[0] in tip.inner_text()
        page.get_by_role("button", name="Play").click()
        wait_frames(page, 30)
        assert not page.dialogs
    finally:
        context.close()


def test_tooltip_on_keyboard_focus_shows_exact_numbers(browser, scene_server):
    scene = build("play")
    context, page = open_scene(browser, f"{scene_server}/?autoplay=0")
    try:
        page.locator(".ca-locus").first.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        focused = page.evaluate(
            "() => document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot"
            ".activeElement.dataset.locus")
        assert focused == "3"
        text = page.locator(".ca-tooltip").inner_text()
        assert scene.labels[3] in text
        assert text.startswith(f"Locus {scene.numbers[3]}: ")  # 0-based, as charts and pickers
        for s in range(len(scene.species)):
            assert f"{float(np.float32(scene.attention[s, 3])):.4g}" in text
            assert f"{float(np.float32(scene.equilibrium[s, 3])):.4g}" in text
    finally:
        context.close()


def test_the_running_tally_at_the_end_is_the_simulated_time_average(browser, scene_server):
    """The browser's own bookkeeping of the trajectory reproduces lib's time average."""
    scene = build("play")
    context, page = open_scene(browser, f"{scene_server}/?autoplay=0")
    try:
        page.locator(".ca-speed").select_option("100")
        page.get_by_role("button", name="Play").click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot"
            ".querySelector('.ca-scene').dataset.playing === 'false'", timeout=10_000)
        assert float(state(page)["time"]) == pytest.approx(scene.trajectory.total_time, rel=1e-4)
        for j in (0, 3, 6):  # an open locus, another, and a closed one the pioneer opens
            page.locator(".ca-locus").nth(j).focus()
            cells = page.eval_on_selector_all(
                ".ca-tooltip tbody tr", "rows => rows.map(r => r.cells[3].textContent)")
            expected = scene.trajectory.time_averaged_occupancy[:, j]
            np.testing.assert_allclose([float(c) for c in cells], expected, rtol=2e-3, atol=1e-6)
    finally:
        context.close()


def test_works_with_the_network_blocked(browser, scene_server):
    context, page = open_scene(browser, scene_server, offline=True)
    try:
        page.wait_for_function(
            "() => Number(document.querySelector('[data-testid=stBidiComponentIsolated]')"
            ".shadowRoot.querySelector('.ca-scene').dataset.events) > 5", timeout=5_000)
        assert page.foreign == []
    finally:
        context.close()


def test_a_single_locus_and_species_still_plays(browser, scene_server):
    context, page = open_scene(browser, f"{scene_server}/?case=one")
    try:
        assert page.locator(".ca-locus").count() == 1 and page.locator(TF).count() == 1
        page.wait_for_function(
            "() => Number(document.querySelector('[data-testid=stBidiComponentIsolated]')"
            ".shadowRoot.querySelector('.ca-scene').dataset.events) > 3", timeout=5_000)
    finally:
        context.close()


def test_sixty_four_loci_and_seven_species_degrade_gracefully(browser, scene_server):
    context, page = open_scene(browser, f"{scene_server}/?case=many&autoplay=0")
    try:
        assert page.locator(".ca-locus").count() == 64
        assert page.locator(".ca-tally-bar").count() == 64 * 7
        assert len(set(page.eval_on_selector_all(
            ".ca-legend-item path.ca-tf-body", "ps => ps.map(p => p.getAttribute('d'))"))) == 7
        width = page.eval_on_selector(".ca-svg", "s => s.getBoundingClientRect().width")
        assert width <= page.viewport_size["width"]
    finally:
        context.close()
