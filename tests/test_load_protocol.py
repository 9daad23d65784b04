"""The load generator's protocol client drives the real app (a smoke test of bench/load).

Three protocol sessions open Explore on a real server, each with its own prompt, and move
the layer slider at the same moment: every rerun must finish successfully as a fragment
run (the menu, guide and prompt box are not sent again), send new charts and show no
exception, and each session must see its own prompt. The page writes
its settings back to its URL (page_info_changed), so the URL each session ends with shows
what the server did with its change.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from bench.load.scenarios import SCENARIOS, open_page
from bench.load.streamlit_client import StreamlitSession, all_at_once

pytestmark = pytest.mark.load


def test_three_sessions_change_the_layer_at_once(server):
    prompts = [f"Session {i} asks what Paris means for gene {i}" for i in range(3)]
    sessions = [StreamlitSession(server, "/", query={"prompt": p}, timeout=90) for p in prompts]
    try:
        for session, prompt in zip(sessions, prompts, strict=True):
            first = session.open()
            assert first.ok and first.charts > 0, first
            assert session.widget("Prompt", "text_area").value == prompt
            assert parse_qs(session.page.query_string)["prompt"] == [prompt]
        results = all_at_once(sessions, SCENARIOS["explore"].steps[0].act)
        for session, result in zip(sessions, results, strict=True):
            assert result.status == "fragment success", result  # see the test below
            assert result.fresh_charts > 0, result  # the heatmap for the new layer
            assert (result.exceptions, result.errors) == ([], [])
            layer = session.widget("Layer", "slider")
            assert session.page.states[layer.id] == ("double_array_value", [3.0])
            assert parse_qs(session.page.query_string)["layer"] == ["3"]  # the server's view
    finally:
        for session in sessions:
            session.close()


@pytest.mark.parametrize("key", [k for k in SCENARIOS if k != "floor"])
def test_every_page_scenario_finds_its_controls_and_reruns(server, key):
    """Each page's scenario, once, as the bench runs it: the page opens with the student's
    prompt and every timed step finds its control (by label) and reruns without error."""
    session, runs = open_page(server, SCENARIOS[key], "Paris is where the student gene sits")
    try:
        assert all(run.ok for _, run in runs), runs
        for step in SCENARIOS[key].steps:
            result = step.act(session, 0)
            assert result.ok and result.errors == [], (step.name, result)
    finally:
        session.close()


@pytest.mark.parametrize(("key", "outside"), [("explore", "Prompt"), ("teamwork", "Prompt"),
                                              ("context", "Prompt A (one cell state)")])
def test_the_sidebar_controls_rerun_only_the_panels_they_act_on(server, key, outside):
    """On a shared server every element a rerun sends costs every student: the layer slider
    reruns its page's fragment, and the prompt box above it is not sent again."""
    session, _ = open_page(server, SCENARIOS[key], "Paris is where the student gene sits")
    try:
        result = SCENARIOS[key].steps[0].act(session, 0)
        assert result.status == "fragment success", result
        assert session.widget("Layer", "slider").fragment_id in result.fragment_ids
        assert session.widget(outside).fragment_id == ""
    finally:
        session.close()


@pytest.mark.parametrize("page", ["quiz"])
def test_locust_drives_a_page_with_its_user_class(page):
    """The bench's Locust run, small: two users of the quiz's user class (two steps), one
    round, against a fresh server; every change is a successful RERUN in Locust's statistics."""
    from bench.load.run import locust, serve

    with serve() as (process, url):
        run = locust(url, process.pid, page, users=2, rounds=1)
    reruns = {name: s for name, s in run.stats.items() if s["type"] == "RERUN"}
    steps = SCENARIOS[page].steps
    assert sorted(reruns) == sorted(f"{SCENARIOS[page].title}/{step.name}" for step in steps)
    assert all(s["count"] == 2 and s["failures"] == 0 for s in reruns.values()), reruns
    assert run.failures == ()
    assert run.server_cpu_s > 0 and run.locust_cpu_s > 0


@pytest.mark.browser
def test_the_wire_clock_times_a_tab_rerun_as_the_protocol_client_does(browser, server):
    """The Chromium check of bench/load/run.py, once: a tab served through the relay works as
    usual, and the relay sees the slider's rerun request and, after it, its script_finished."""
    from urllib.parse import urlsplit

    from bench.load.wire_clock import WireClock
    from browser_support import open_page as open_tab
    from browser_support import rerun_after, wait_for_app

    context, page = open_tab(browser)
    try:
        with WireClock(upstream=urlsplit(server).port) as clock:
            page.goto(f"{clock.url}/?prompt=Tell+me+about+Paris")
            wait_for_app(page, timeout=120_000)
            assert len(clock.sockets) == 1  # the page's one websocket went through the relay
            mark = clock.mark()
            slider = page.get_by_role("slider", name="Layer")
            slider.focus()
            with rerun_after(page):
                slider.press("ArrowRight")
            [seconds] = clock.rerun_seconds(mark)
            assert 0 < seconds < 60
            assert [what for _, what in clock.sockets[0][mark[0]:]] == ["rerun", "finished"]
            assert "layer=3" in page.url  # the change reached the server and came back
    finally:
        context.close()
