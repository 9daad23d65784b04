"""The load generator's protocol client keeps widget state as Streamlit's frontend does.

Fed hand-built ForwardMsgs (the server's side of the wire), ``PageState`` must build the
rerun requests a browser would: every widget's state, the right value types, triggers once,
form values only on submit, fragment ids, the page's hash and query string, and the hashes
of the messages it has cached. These are the rules of Streamlit 1.67's WidgetStateManager,
App and ForwardMsgCache (see bench/load/streamlit_client.py).
"""

from __future__ import annotations

import json

import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.Checkbox_pb2 import Checkbox
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider

from bench.load.streamlit_client import PageState, ProtocolError, RunResult, split_page

MAIN, PAGE = "main-hash", "page-hash"


def new_session(run_id: str, *, page: str = PAGE, fragments: tuple[str, ...] = (),
                max_age: int = 2) -> ForwardMsg:
    msg = ForwardMsg()
    msg.new_session.page_script_hash = page
    msg.new_session.main_script_hash = MAIN
    msg.new_session.config.max_cached_message_age = max_age
    msg.metadata.run.script_run_id = run_id
    msg.metadata.run.fragment_ids.extend(fragments)
    return msg


def finished(run_id: str, *, fragments: tuple[str, ...] = ()) -> ForwardMsg:
    msg = ForwardMsg()
    msg.script_finished = (ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY if fragments
                           else ForwardMsg.FINISHED_SUCCESSFULLY)
    msg.metadata.run.script_run_id = run_id
    msg.metadata.run.fragment_ids.extend(fragments)
    return msg


def element(path: tuple[int, ...], kind: str, *, fragment: str = "", script: str = PAGE,
            cache_hash: str = "", **fields) -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path.extend(path)
    msg.metadata.active_script_hash = script
    msg.delta.fragment_id = fragment
    proto = getattr(msg.delta.new_element, kind)
    for name, value in fields.items():
        if isinstance(value, list):
            getattr(proto, name).extend(value)
        else:
            setattr(proto, name, value)
    if cache_hash:
        msg.hash, msg.metadata.cacheable = cache_hash, True
    return msg


def slider(path, wid, label, default, *, value=None, **extra) -> ForwardMsg:
    fields = dict(id=wid, label=label, min=0, max=5, step=1, default=[float(default)], **extra)
    if value is not None:
        fields.update(value=[float(value)], set_value=True)
    return element(path, "slider", **fields)


def feed(page: PageState, *messages: ForwardMsg) -> RunResult:
    result = RunResult()
    for msg in messages:
        page.handle(msg, result)
    return result


def sent(page: PageState, **kwargs) -> dict:
    """The widget states of the next rerun request, as {id: (value field, value)}."""
    states = {}
    for state in page.rerun_request(**kwargs).rerun_script.widget_states.widgets:
        field = state.WhichOneof("value")
        value = getattr(state, field) if field else None
        if field and field.endswith("_array_value"):
            value = list(value.data)
        states[state.id] = (field, value)
    return states


def loaded(*elements: ForwardMsg, run: str = "r1") -> PageState:
    page = PageState(page_name="", query_string="prompt=Hi", url="http://x/?prompt=Hi")
    feed(page, new_session(run), *elements, finished(run))
    return page


def test_a_widget_reports_its_default_when_it_appears_and_a_change_sends_every_state():
    page = loaded(slider((0, 0), "layer", "Layer", 2), slider((0, 1), "head", "Head", 0))
    assert sent(page) == {"layer": ("double_array_value", [2.0]),
                          "head": ("double_array_value", [0.0])}
    assert page.stage(page.widget("Layer", "slider"), 4) is True
    assert sent(page) == {"layer": ("double_array_value", [4.0]),
                          "head": ("double_array_value", [0.0])}


def test_a_user_value_survives_reruns_unless_the_server_sets_the_value():
    page = loaded(slider((0, 0), "layer", "Layer", 2))
    page.stage(page.widget("Layer"), 4)
    feed(page, new_session("r2"), slider((0, 0), "layer", "Layer", 2), finished("r2"))
    assert sent(page)["layer"] == ("double_array_value", [4.0])
    feed(page, new_session("r3"), slider((0, 0), "layer", "Layer", 2, value=1), finished("r3"))
    assert sent(page)["layer"] == ("double_array_value", [1.0])


def test_a_widget_the_run_did_not_show_is_forgotten_when_the_run_finishes():
    page = loaded(slider((0, 0), "layer", "Layer", 2), slider((0, 1), "head", "Head", 0))
    feed(page, new_session("r2"), slider((0, 0), "layer", "Layer", 2))
    assert set(sent(page)) == {"layer", "head"}  # the frontend drops stale ones at the end
    feed(page, finished("r2"))
    assert set(sent(page)) == {"layer"}
    with pytest.raises(LookupError, match="Layer"):
        page.widget("Head")


def test_a_fragment_widget_sends_its_fragment_and_a_fragment_run_keeps_the_rest_of_the_page():
    page = loaded(slider((0, 0), "layer", "Layer", 2),
                  slider((0, 1, 0), "frame", "Frame", 3, fragment="frag"),
                  slider((0, 1, 1), "seed", "Seed", 0, fragment="frag"))
    frame = page.widget("Frame")
    assert frame.fragment_id == "frag"
    page.stage(frame, 5)
    request = page.rerun_request(fragment_id=frame.fragment_id).rerun_script
    assert request.fragment_id == "frag"
    feed(page, new_session("r2", fragments=("frag",)),
         slider((0, 1, 0), "frame", "Frame", 3, fragment="frag"),
         finished("r2", fragments=("frag",)))
    # Outside the fragment nothing was resent and nothing is dropped; inside, "seed" was not.
    assert set(sent(page)) == {"layer", "frame"}
    assert sent(page)["frame"] == ("double_array_value", [5.0])


def test_a_widget_that_ignores_changes_keeps_the_value_without_a_rerun():
    page = loaded(slider((0, 0), "layer", "Layer", 2, ignore_rerun=True))
    assert page.stage(page.widget("Layer"), 4) is False
    assert sent(page)["layer"] == ("double_array_value", [4.0])


def test_a_button_is_a_trigger_sent_once():
    page = loaded(element((0, 0), "button", id="go", label="Start a new quiz"))
    button = page.widget("Start a new quiz", "button")
    assert sent(page) == {}
    dropped = page.press(button)
    assert sent(page) == {"go": ("trigger_value", True)}
    page.drop(dropped)
    assert sent(page) == {}


def test_form_values_wait_for_the_submit_button():
    page = loaded(
        element((0, 0, 0), "radio", id="answer", label="Your answer", form_id="f",
                options=["A", "B"]),
        element((0, 0, 1), "button", id="submit", label="Submit answer", form_id="f",
                is_form_submitter=True),
    )
    assert sent(page) == {"answer": (None, None)}  # reported, but nothing chosen yet
    answer = page.widget("Your answer", "radio")
    assert page.stage(answer, "B") is False
    assert sent(page) == {"answer": (None, None)}
    page.press(page.widget("Submit answer", "form_submit_button"))
    assert sent(page) == {"answer": ("string_value", "B"), "submit": ("trigger_value", True)}


def test_the_first_request_names_the_page_by_url_later_ones_by_hash_and_current_query():
    page = PageState(page_name="limitations", query_string="prompt=Hi", url="http://x/limitations")
    first = page.rerun_request().rerun_script
    assert (first.page_name, first.page_script_hash, first.query_string) == (
        "limitations", "", "prompt=Hi")
    assert first.context_info.url == "http://x/limitations"
    cleared = ForwardMsg()
    cleared.page_info_changed.query_string = ""
    navigation = ForwardMsg()
    navigation.navigation.page_script_hash = PAGE
    page_proto = navigation.navigation.app_pages.add()
    page_proto.url_pathname, page_proto.page_script_hash = "limitations", PAGE
    feed(page, new_session("r1", page=MAIN), navigation, cleared, finished("r1"))
    later = page.rerun_request().rerun_script
    assert (later.page_name, later.page_script_hash, later.query_string) == ("", PAGE, "")


def test_navigation_keeps_only_the_main_scripts_widgets():
    navigation = ForwardMsg()
    for path, digest in (("", PAGE), ("quiz", "quiz-hash")):
        app_page = navigation.navigation.app_pages.add()
        app_page.url_pathname, app_page.page_script_hash = path, digest
    page = loaded(slider((1, 0), "shared", "Shared", 1, script=MAIN),
                  slider((0, 0), "layer", "Layer", 2), navigation)
    request = page.navigation_request("quiz").rerun_script
    assert request.page_script_hash == "quiz-hash"
    assert [w.id for w in request.widget_states.widgets] == ["shared"]
    with pytest.raises(LookupError, match="quiz"):
        page.navigation_request("nowhere")


def test_cached_messages_are_reported_resolved_by_reference_and_expire():
    chart = dict(id="chart-1", alt="Heatmap", selection_mode=["pick"])
    page = loaded(element((0, 0), "vega_lite_chart", cache_hash="h1", **chart))
    assert list(page.rerun_request().rerun_script.cached_message_hashes) == ["h1"]
    reference = ForwardMsg(ref_hash="h1")
    reference.metadata.delta_path.extend([0, 0])
    result = feed(page, new_session("r2", max_age=1), reference, finished("r2"))
    assert (result.charts, result.cached_refs) == (1, 1)
    assert page.widget("Heatmap", "chart").params == ("pick",)
    for run in ("r3", "r4"):  # two runs without it: older than max age 1, dropped
        feed(page, new_session(run, max_age=1), finished(run))
    assert list(page.rerun_request().rerun_script.cached_message_hashes) == []
    with pytest.raises(ProtocolError, match="never cached"):
        feed(page, reference)


def test_a_chart_selection_is_sent_as_the_frontends_json():
    page = loaded(element((0, 0), "vega_lite_chart", id="c", alt="Tokens",
                          selection_mode=["pick"]))
    assert sent(page) == {}  # no state until the user selects
    page.stage(page.widget("Tokens", "chart"), {"pick": [{"pos": 3}]})
    field, value = sent(page)["c"]
    assert (field, json.loads(value)) == ("string_value", {"selection": {"pick": [{"pos": 3}]}})


def test_each_widget_kind_sends_its_own_value_type():
    select_slider = element((0, 0), "slider", id="ss", label="Events", type=Slider.SELECT_SLIDER,
                            options=["1000", "10000"], default=[1.0], min=0, max=1, step=1)
    number = element((0, 1), "number_input", id="n", label="Seed", data_type=NumberInput.INT,
                     default=7, has_min=True, min=0, has_max=True, max=9, step=1)
    toggle = element((0, 2), "checkbox", id="t", label="Kinetics", type=Checkbox.TOGGLE)
    selectbox = element((0, 3), "selectbox", id="s", label="Word", options=["a", "b"], default=1)
    multiselect = element((0, 4), "multiselect", id="m", label="Heads", options=["0", "1", "2"],
                          default=[0, 2])
    pills = element((0, 5), "button_group", id="p", label="View", default=[1])
    for content in ("Tokens", "Words"):
        pills.delta.new_element.button_group.options.add(content=content)
    text = element((0, 6), "text_area", id="x", label="Prompt", default="Hello")
    page = loaded(select_slider, number, toggle, selectbox, multiselect, pills, text)
    assert sent(page) == {
        "ss": ("string_array_value", ["10000"]), "n": ("int_value", 7),
        "t": ("bool_value", False), "s": ("string_value", "b"),
        "m": ("string_array_value", ["0", "2"]), "p": ("string_array_value", ["Words"]),
        "x": ("string_value", "Hello"),
    }
    assert page.widget("Kinetics").kind == "toggle"
    for label, value in (("Events", "1000"), ("Seed", 3), ("Kinetics", True), ("Word", "a"),
                         ("Heads", ["1"]), ("View", "Tokens"), ("Prompt", "Bye")):
        page.stage(page.widget(label), value)
    assert sent(page) == {
        "ss": ("string_array_value", ["1000"]), "n": ("int_value", 3),
        "t": ("bool_value", True), "s": ("string_value", "a"),
        "m": ("string_array_value", ["1"]), "p": ("string_array_value", ["Tokens"]),
        "x": ("string_value", "Bye"),
    }


def test_values_the_widget_would_refuse_are_refused():
    page = loaded(slider((0, 0), "layer", "Layer", 2),
                  element((0, 1), "selectbox", id="s", label="Word", options=["a", "b"]),
                  element((0, 2), "text_input", id="t", label="Prompt A", max_chars=5))
    with pytest.raises(ValueError, match="at most 5 characters"):
        page.stage(page.widget("Prompt A"), "too long")
    with pytest.raises(ValueError, match="outside"):
        page.stage(page.widget("Layer"), 9)
    with pytest.raises(ValueError, match="no option 'c'"):
        page.stage(page.widget("Word"), "c")
    with pytest.raises(ValueError, match="not a button"):
        page.press(page.widget("Word"))


def test_finding_a_widget_by_label_and_kind():
    page = loaded(slider((0, 0), "a", "Layer", 2),
                  element((0, 1), "text_input", id="b", label="Layer"))
    assert page.widget("Layer", "slider").id == "a"
    with pytest.raises(LookupError, match="2 widgets match"):
        page.widget("Layer")


def test_exceptions_and_error_alerts_are_counted():
    exception = element((0, 0), "exception", type="ValueError", message="boom")
    alert = element((0, 1), "alert", body="Model failed", format=Alert.ERROR)
    warning = element((0, 2), "alert", body="Just a warning", format=Alert.WARNING)
    page = PageState()
    result = feed(page, new_session("r1"), exception, alert, warning, finished("r1"))
    assert result.exceptions == ["ValueError: boom"]
    assert result.errors == ["Model failed"]


def test_split_page():
    assert split_page("/limitations?topic=x") == ("limitations", "topic=x")
    assert split_page("/") == ("", "")


class ScriptedSocket:
    """Stands in for the websocket: records what is sent, answers with a scripted run."""

    def __init__(self, answer: list[ForwardMsg]) -> None:
        import queue

        self.sent: list = []
        self.answer = answer
        self.frames: queue.Queue = queue.Queue()

    def send_binary(self, data: bytes) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        self.sent.append(BackMsg.FromString(data).rerun_script)
        for message in self.answer:
            self.frames.put(message.SerializeToString())

    def recv(self) -> bytes:
        return self.frames.get()

    def close(self) -> None:
        self.frames.put(b"")


def test_a_session_sends_a_click_once_and_times_the_run_to_its_finish():
    from bench.load.streamlit_client import StreamlitSession

    button = element((0, 0), "button", id="go", label="Go", fragment="frag")
    session = StreamlitSession("http://127.0.0.1:1", "/quiz")
    session.page = loaded(button)
    socket = ScriptedSocket([new_session("r2", fragments=("frag",)), button,
                             finished("r2", fragments=("frag",))])
    session._attach(socket)
    result = session.click(session.widget("Go"))
    assert (result.status, result.deltas, result.fragment_ids) == (
        "fragment success", 1, ("frag",))
    assert result.bytes == sum(len(m.SerializeToString()) for m in socket.answer)
    session.rerun()
    session.close()
    first, second = socket.sent
    assert (first.fragment_id, [w.id for w in first.widget_states.widgets]) == ("frag", ["go"])
    assert [w.id for w in second.widget_states.widgets] == []  # the trigger went once


def test_a_session_keeps_reading_while_its_student_idles():
    """The server pings every 30 s and drops a client that does not answer; the socket
    answers pings only while it is read, so an idle session must still be reading."""
    import time

    from bench.load.streamlit_client import StreamlitSession

    session = StreamlitSession("http://127.0.0.1:1", "/")
    session.page = loaded()
    socket = ScriptedSocket([])
    session._attach(socket)
    socket.frames.put(new_session("r2").SerializeToString())  # arrives while nobody waits
    deadline = time.monotonic() + 10
    while not socket.frames.empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert socket.frames.empty()
    session.close()
