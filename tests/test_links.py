"""Settings in the URL: every page's settings are written to its address and read back
exactly; a value that does not parse gets a clear message and the usual setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from chart_data import page_errors
from lib import linking
from ui.links import page_params

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LAYERS, HEADS = 6, 12


def explore_values():
    return st.fixed_dictionaries({
        "prompt": st.text(min_size=1, max_size=60).filter(str.strip),
        "query": st.one_of(st.integers(0, 40), st.sampled_from(["Paris", "capital"])),
        "level": st.sampled_from(["token", "word"]),
        "layer": st.integers(0, LAYERS - 1),
        "head_choice": st.one_of(st.sampled_from(["mean", "rollout"]), st.integers(0, HEADS - 1)),
        "temperature": st.integers(1, 50).map(lambda t: round(t / 10, 1)),
        "special": st.sampled_from(["keep", "drop", "reservoir"]),
    })


@settings(max_examples=80, deadline=None)
@given(explore_values())
def test_explore_settings_survive_a_trip_through_the_address_bar(values):
    params = page_params("", layers=LAYERS, heads=HEADS)
    written = linking.write_link(values, params)
    read = linking.read_link(written, params)
    assert read.problems == ()
    assert read.values == values


@pytest.mark.parametrize("name, raw, says", [
    ("layer", "two", "is not a whole number from 0 to 5"),
    ("layer", "9", "is outside 0 to 5"),
    ("head", "thirteen", "is not mean, rollout or a head from 0 to 11"),
    ("temperature", "hot", "is not a number from 0.1 to 5"),
    ("special", "hide", "is not one of keep, drop, reservoir"),
    ("prompt", "   ", "is empty"),
])
def test_a_value_that_does_not_parse_is_refused_with_what_it_should_be(name, raw, says):
    read = linking.read_link({name: raw, "level": "word"},
                             page_params("", layers=LAYERS, heads=HEADS))
    assert read.values == {"level": "word"}  # the rest of the link still applies
    [problem] = read.problems
    assert problem.startswith(f"The link's {name} '") and says in problem


def test_a_quiz_link_sets_topics_length_seed_marking_and_live_questions():
    params = page_params("quiz", layers=LAYERS, heads=HEADS)
    read = linking.read_link({"topics": "input,mech-masks", "length": "7", "seed": "42",
                              "cbm": "1", "live": "0"}, params)
    assert read.problems == ()
    assert read.values == {"quiz_topics": ["input", "mech-masks"], "quiz_length": 7,
                           "quiz_seed": 42, "quiz_cbm": True, "quiz_live": False}
    refused = linking.read_link({"topics": "input,no-such-topic"}, params)
    assert refused.values == {} and "no-such-topic" in refused.problems[0]


def run(path: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    if path:
        at.switch_page(f"pages/{path}.py")
    at.run(timeout=180)
    return at


def test_an_explore_link_sets_every_control_and_the_address_keeps_them():
    at = run("", prompt="Paris Hilton news", query="Hilton", layer="4", head="7",
             temperature="0.5", special="drop", level="word")
    assert page_errors(at) == []
    state = at.session_state
    assert (state["prompt"], state["layer"], state["head_mode"], state["head"]) == (
        "Paris Hilton news", 4, "head", 7)
    assert (state["temperature"], state["special"], state["level"]) == (0.5, "drop", "word")
    selected = at.selectbox(key="_w_query")
    assert selected.format_func(selected.value).endswith("Hilton")
    # the address now holds the whole setup, with the query as its index
    assert at.query_params["layer"] == "4" and at.query_params["special"] == "drop"
    assert at.query_params["query"] == str(selected.value)


def test_a_control_change_is_written_to_the_address():
    at = run("")
    next(s for s in at.sidebar.slider if s.label.startswith("Layer")).set_value(5).run()
    assert at.query_params["layer"] == "5"
    assert at.query_params["prompt"] == at.session_state["prompt"]


def test_a_bad_link_value_gets_a_message_and_the_usual_setting():
    at = run("", layer="eleven", temperature="0.7")
    assert page_errors(at) == []
    warnings = [w.value for w in at.warning]
    assert any("The link's layer 'eleven' is not a whole number" in w for w in warnings)
    assert at.session_state["layer"] == 2 and at.session_state["temperature"] == 0.7


def test_a_quiz_link_configures_the_quiz_setup():
    at = run("quiz", topics="mech-masks", length="3", seed="9", cbm="1")
    assert page_errors(at) == []
    assert at.sidebar.multiselect[0].value == ["mech-masks"]
    assert [n.value for n in at.sidebar.number_input] == [3, 9]
    assert [t.value for t in at.sidebar.toggle] == [True, False]
