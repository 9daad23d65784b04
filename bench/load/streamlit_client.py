"""One browser tab without the browser: a client for Streamlit 1.67's websocket protocol.

It does what the Streamlit frontend does on the wire, read from the frontend bundled with
Streamlit 1.67 (``streamlit/static``: App, WidgetStateManager, ForwardMsgCache,
WebsocketConnection, useBasicWidgetState) and from the server (``runtime/app_session.py``,
``web/server/starlette/starlette_websocket.py``):

- HTTP first, as the page does: the page HTML, ``/_stcore/health`` (which sets the
  ``_streamlit_xsrf`` cookie) and ``/_stcore/host-config``; then a websocket to
  ``/_stcore/stream`` with subprotocols ``["streamlit", <xsrf cookie>]``.
- The first ``rerun_script`` names the page by its URL path (``page_name``, no script hash
  yet) and carries the URL's query string and the browser's context (timezone, locale, URL).
  Later reruns name the page by the script hash the server sent (``new_session``, then
  ``navigation``) and carry the query string as the server last set it (``page_info_changed``).
- Widget state is kept as WidgetStateManager keeps it: a widget that appears reports its
  default (or the server's value when ``set_value`` is on) without a rerun; a change sends
  every widget's state; buttons are triggers, sent once and dropped; a widget inside a form
  changes the form's pending state until the form's submit button is pressed; a widget
  inside ``st.fragment`` sends that fragment's id, so only the fragment reruns.
- At ``script_finished`` elements the run did not touch are dropped (for a fragment run,
  only that fragment's) and the state of widgets no longer shown is forgotten.
- Large elements are cached by hash (``metadata.cacheable``) and their hashes reported on
  each rerun, so the server may answer with a ``ref_hash``, as it does to a browser.

It keeps no deltas: per element only its position, run, fragment and, for widgets, a small
record, so a load generator can run many sessions in one process. Timing is from sending a
rerun to its ``script_finished``. Plain blocking sockets (websocket-client, urllib): with
threads in tests, and cooperative under Locust after gevent's monkey patching.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode, urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Checkbox_pb2 import Checkbox
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

XSRF_COOKIE = "_streamlit_xsrf"
PLACEHOLDER_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend sends without a cookie
FINAL = {
    ForwardMsg.FINISHED_SUCCESSFULLY: "success",
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment success",
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile error",
}
# The statuses after which the frontend drops stale elements and ages its message cache.
SETTLING = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


class ProtocolError(RuntimeError):
    """The server said something a browser would not accept, or did not answer in time."""


@dataclass(frozen=True)
class Widget:
    """One widget as the page shows it. ``options`` are the formatted option labels the wire
    carries (selectbox, radio, multiselect, pills, select_slider); ``value`` is the state the
    browser reports for it when it appears."""

    id: str
    kind: str
    label: str
    value_type: str
    value: object = None
    set_value: bool = False
    options: tuple[str, ...] = ()
    form_id: str = ""
    fragment_id: str = ""
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    is_form_submitter: bool = False
    disabled: bool = False
    params: tuple[str, ...] = ()  # a chart's selection parameters
    max_chars: int = 0  # a text box's limit (0: none)
    ignore_rerun: bool = False  # on_change="ignore": a change is kept but sends no rerun


@dataclass(frozen=True)
class ElementInfo:
    """What the client keeps of one element: enough to find widgets and count outcomes."""

    widget: Widget | None = None
    chart: bool = False
    exception: str | None = None
    error: str | None = None


@dataclass
class RunResult:
    """One rerun, from the request to its ``script_finished``."""

    seconds: float = 0.0
    status: str = ""
    deltas: int = 0
    bytes: int = 0
    charts: int = 0  # Vega-Lite charts in the run, sent anew or by reference
    fresh_charts: int = 0  # of which sent anew: their spec or data changed
    cached_refs: int = 0
    chart_seconds: list[float] = field(default_factory=list)  # when each chart arrived
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fragment_ids: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in ("success", "fragment success") and not self.exceptions


@dataclass
class _Record:
    info: ElementInfo
    run_id: str
    fragment_id: str
    script_hash: str


@dataclass
class _CacheEntry:
    info: ElementInfo
    fragment_id: str
    run_count: int


# ----------------------------------------------------------------------------- elements


def _labelled(options: Iterable[str], indices: Iterable[int]) -> list[str]:
    options = list(options)
    return [options[i] for i in indices if 0 <= i < len(options)]


def _slider(el) -> Widget:
    common = dict(id=el.id, label=el.label, form_id=el.form_id, disabled=el.disabled,
                  set_value=el.set_value)
    if el.type == Slider.SELECT_SLIDER:
        # State is the formatted options (string_array_value); default holds indices.
        default = _labelled(el.options, (int(i) for i in el.default))
        current = list(el.raw_value) if len(el.raw_value) else default
        return Widget(kind="select_slider", value_type="string_array_value",
                      value=current if el.set_value else default, options=tuple(el.options),
                      **common)
    return Widget(kind="slider", value_type="double_array_value",
                  value=list(el.value) if el.set_value else list(el.default),
                  minimum=el.min, maximum=el.max, step=el.step, **common)


def _choice(el, kind: str) -> Widget:
    """selectbox and radio: one formatted option as string_value (None when nothing chosen)."""
    default = (el.options[el.default] if el.HasField("default") and 0 <= el.default
               < len(el.options) else None)
    current = el.raw_value if el.HasField("raw_value") else None
    return Widget(id=el.id, kind=kind, label=el.label, value_type="string_value",
                  value=current if el.set_value else default, set_value=el.set_value,
                  options=tuple(el.options), form_id=el.form_id, disabled=el.disabled)


def _multiselect(el) -> Widget:
    default = _labelled(el.options, el.default)
    return Widget(id=el.id, kind="multiselect", label=el.label, value_type="string_array_value",
                  value=list(el.raw_values) if el.set_value else default, set_value=el.set_value,
                  options=tuple(el.options), form_id=el.form_id, disabled=el.disabled)


def _option_label(option) -> str:
    return f"{option.content_icon} {option.content}".strip() if option.content_icon \
        else option.content


def _button_group(el) -> Widget:
    options = tuple(_option_label(o) for o in el.options)
    default = _labelled(options, el.default)
    return Widget(id=el.id, kind="button_group", label=el.label, value_type="string_array_value",
                  value=list(el.raw_values) if el.set_value else default, set_value=el.set_value,
                  options=options, form_id=el.form_id, disabled=el.disabled)


def _number_input(el) -> Widget:
    is_int = el.data_type == NumberInput.INT
    default = el.default if el.HasField("default") else None
    current = el.value if el.HasField("value") else default
    value = current if el.set_value else default
    if is_int and value is not None:
        value = int(value)
    return Widget(id=el.id, kind="number_input", label=el.label,
                  value_type="int_value" if is_int else "double_value", value=value,
                  set_value=el.set_value, form_id=el.form_id, disabled=el.disabled,
                  minimum=el.min if el.has_min else None, maximum=el.max if el.has_max else None,
                  step=el.step)


def _checkbox(el) -> Widget:
    return Widget(id=el.id, kind="toggle" if el.type == Checkbox.TOGGLE else "checkbox",
                  label=el.label, value_type="bool_value",
                  value=el.value if el.set_value else el.default, set_value=el.set_value,
                  form_id=el.form_id, disabled=el.disabled)


def _text(el, kind: str) -> Widget:
    default = el.default if el.HasField("default") else None
    current = el.value if el.HasField("value") else None
    return Widget(id=el.id, kind=kind, label=el.label, value_type="string_value",
                  value=current if el.set_value else default, set_value=el.set_value,
                  form_id=el.form_id, disabled=el.disabled, max_chars=el.max_chars)


def _button(el, kind: str) -> Widget:
    # A trigger: it has no state until pressed (value None means "report nothing").
    return Widget(id=el.id, kind="form_submit_button" if getattr(el, "is_form_submitter", False)
                  else kind, label=el.label, value_type="trigger_value", form_id=el.form_id,
                  is_form_submitter=getattr(el, "is_form_submitter", False),
                  disabled=el.disabled)


def _chart(el) -> Widget:
    # A chart with on_select is a widget: its state is a JSON selection, set only by the user.
    return Widget(id=el.id, kind="chart", label=el.alt if el.HasField("alt") else "",
                  value_type="string_value", form_id=el.form_id, params=tuple(el.selection_mode))


def _component(el) -> Widget:
    return Widget(id=el.id, kind="component", label=el.component_name, value_type="json_value",
                  form_id=el.form_id)


WIDGET_READERS = {
    "slider": _slider,
    "selectbox": lambda el: _choice(el, "selectbox"),
    "radio": lambda el: _choice(el, "radio"),
    "multiselect": _multiselect,
    "button_group": _button_group,
    "number_input": _number_input,
    "checkbox": _checkbox,
    "text_input": lambda el: _text(el, "text_input"),
    "text_area": lambda el: _text(el, "text_area"),
    "button": lambda el: _button(el, "button"),
    "download_button": lambda el: _button(el, "download_button"),
    "bidi_component": _component,
}


def element_info(element) -> ElementInfo:
    """The little the client keeps of an Element proto."""
    kind = element.WhichOneof("type")
    if kind == "vega_lite_chart":
        chart = element.vega_lite_chart
        return ElementInfo(widget=_chart(chart) if chart.id else None, chart=True)
    if kind == "exception":
        return ElementInfo(exception=f"{element.exception.type}: {element.exception.message}")
    if kind == "alert" and element.alert.format == Alert.ERROR:
        return ElementInfo(error=element.alert.body)
    reader = WIDGET_READERS.get(kind)
    if reader is None:
        return ElementInfo()
    proto = getattr(element, kind)
    widget = reader(proto)
    if getattr(proto, "ignore_rerun", False):
        widget = replace(widget, ignore_rerun=True)
    return ElementInfo(widget=widget)


# ------------------------------------------------------------------------- wire values


def widget_state(widget_id: str, value_type: str, value) -> WidgetState:
    """A WidgetState proto; ``value`` None leaves it empty, as the frontend does for 'nothing
    chosen'."""
    state = WidgetState(id=widget_id)
    if value is None:
        return state
    if value_type.endswith("_array_value"):
        getattr(state, value_type).data.extend(value)
    elif value_type == "string_trigger_value":
        state.string_trigger_value.data = value
    else:
        setattr(state, value_type, value)
    return state


def wire_value(widget: Widget, value):
    """Check ``value`` against the widget and convert it to what the frontend would send."""
    kind = widget.kind
    if kind == "slider":
        values = [float(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        for v in values:
            if not widget.minimum <= v <= widget.maximum:
                raise ValueError(f"{widget.label!r}: {v} is outside "
                                 f"[{widget.minimum}, {widget.maximum}]")
        return values
    if kind in ("select_slider", "multiselect", "button_group"):
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        return [_option(widget, v) for v in values]
    if kind in ("selectbox", "radio"):
        return None if value is None else _option(widget, value)
    if kind == "number_input":
        number = int(value) if widget.value_type == "int_value" else float(value)
        if (widget.minimum is not None and number < widget.minimum) or (
                widget.maximum is not None and number > widget.maximum):
            raise ValueError(f"{widget.label!r}: {number} is outside "
                             f"[{widget.minimum}, {widget.maximum}]")
        return number
    if kind in ("checkbox", "toggle"):
        return bool(value)
    if kind in ("text_input", "text_area"):
        if widget.max_chars and len(str(value)) > widget.max_chars:
            raise ValueError(f"{widget.label!r} takes at most {widget.max_chars} characters; "
                             f"the browser would not let {len(str(value))} be typed")
        return str(value)
    if kind == "chart":
        return json.dumps({"selection": value})
    if kind == "component":
        return json.dumps(value)
    raise ValueError(f"{widget.label!r} is a {kind}: press it with click(), do not set it")


def _option(widget: Widget, value) -> str:
    text = value if isinstance(value, str) else str(value)
    if text not in widget.options:
        raise ValueError(f"{widget.label!r} has no option {text!r}; its options are "
                         f"{list(widget.options)[:20]}")
    return text


# ------------------------------------------------------------------------------ the page


class PageState:
    """Everything the frontend remembers about one session, fed ForwardMsgs; no I/O.

    ``handle`` applies one message; ``rerun_request`` builds the next BackMsg; ``stage`` and
    ``press`` change widget state the way a user's input does.
    """

    def __init__(self, *, page_name: str = "", query_string: str = "", url: str = "") -> None:
        self.page_name = page_name
        self.query_string = query_string
        self.url = url
        self.page_hash = ""  # unknown until the server names it
        self.main_script_hash = ""
        self.app_pages: dict[str, str] = {}  # url path -> page script hash
        self.run_id = ""
        self.max_cache_age = 2
        self.states: dict[str, tuple[str, object]] = {}  # widget id -> (value type, value)
        self.form_states: dict[str, dict[str, tuple[str, object]]] = {}
        self.records: dict[tuple[int, ...], _Record] = {}
        self.cache: dict[str, _CacheEntry] = {}
        self.cache_runs = 0
        self.new_session_seen = False

    # ----------------------------------------------------------------- reading messages

    def handle(self, msg: ForwardMsg, result: RunResult) -> int | None:
        """Apply one message; count it in ``result``; return its status if it finishes a run."""
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._delta(msg, result)
        elif kind == "ref_hash":
            self._reference(msg, result)
        elif kind == "new_session":
            self._new_session(msg)
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash
            self.app_pages = {p.url_pathname: p.page_script_hash
                              for p in msg.navigation.app_pages}
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            result.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event" and msg.session_event.HasField(
                "script_compilation_exception"):
            error = msg.session_event.script_compilation_exception
            result.exceptions.append(f"{error.type}: {error.message}")
        elif kind == "script_finished":
            self._finished(msg)
            return msg.script_finished
        return None

    def _new_session(self, msg: ForwardMsg) -> None:
        session = msg.new_session
        self.new_session_seen = True
        self.run_id = msg.metadata.run.script_run_id
        self.max_cache_age = session.config.max_cached_message_age or self.max_cache_age
        self.main_script_hash = session.main_script_hash
        if msg.metadata.run.fragment_ids:
            return  # a fragment run keeps the page as it is
        if session.page_script_hash != self.page_hash:
            self.page_hash = session.page_script_hash
            self.records.clear()  # another page: the frontend clears the app's elements
            self._forget_inactive()

    def _delta(self, msg: ForwardMsg, result: RunResult) -> None:
        delta = msg.delta
        result.deltas += 1
        if delta.WhichOneof("type") == "new_element":
            info = element_info(delta.new_element)
        else:
            info = ElementInfo()
        if msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = _CacheEntry(info, delta.fragment_id, self.cache_runs)
        result.fresh_charts += info.chart
        self._place(info, msg, delta.fragment_id, result)

    def _reference(self, msg: ForwardMsg, result: RunResult) -> None:
        entry = self.cache.get(msg.ref_hash)
        if entry is None:
            raise ProtocolError(f"the server referred to a message this client never cached "
                                f"({msg.ref_hash}); a browser would fail the same way")
        entry.run_count = self.cache_runs
        result.deltas += 1
        result.cached_refs += 1
        self._place(entry.info, msg, entry.fragment_id, result)

    def _place(self, info: ElementInfo, msg: ForwardMsg, fragment_id: str,
               result: RunResult) -> None:
        widget = info.widget
        if widget is not None and fragment_id != widget.fragment_id:
            info = replace(info, widget=replace(widget, fragment_id=fragment_id))
            widget = info.widget
        path = tuple(msg.metadata.delta_path)
        self.records[path] = _Record(info, self.run_id, fragment_id,
                                     msg.metadata.active_script_hash)
        result.charts += info.chart
        if info.exception:
            result.exceptions.append(info.exception)
        if info.error:
            result.errors.append(info.error)
        if widget is not None and widget.value_type != "trigger_value" and (
                widget.set_value or widget.id not in self.states) and widget.kind not in (
                "chart", "component"):
            # Mounting reports the widget's value without a rerun (useBasicWidgetState).
            self.states[widget.id] = (widget.value_type, widget.value)

    def _finished(self, msg: ForwardMsg) -> None:
        if not msg.metadata.HasField("run"):
            return  # the server failed a request; the frontend then keeps what it has
        run = msg.metadata.run
        fragments = set(run.fragment_ids)
        if msg.script_finished in SETTLING and (fragments or run.script_run_id == self.run_id):
            self.records = {
                path: record for path, record in self.records.items()
                if record.run_id == run.script_run_id
                or (fragments and record.fragment_id not in fragments)
            }
            self._forget_inactive()
        if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN and self.new_session_seen:
            self._age_cache(fragments)

    def _age_cache(self, fragments: set[str]) -> None:
        self.cache_runs += 1
        for digest, entry in list(self.cache.items()):
            if fragments and entry.fragment_id not in fragments:
                continue
            if self.cache_runs - entry.run_count > self.max_cache_age:
                del self.cache[digest]

    def _forget_inactive(self) -> None:
        active = {r.info.widget.id for r in self.records.values() if r.info.widget}
        self.states = {k: v for k, v in self.states.items() if k in active}
        for pending in self.form_states.values():
            for key in [k for k in pending if k not in active]:
                del pending[key]

    # --------------------------------------------------------------------- widgets

    def widgets(self) -> list[Widget]:
        """The widgets shown now, in the order the page sent them."""
        return [r.info.widget for r in self.records.values() if r.info.widget is not None]

    def widget(self, label: str | re.Pattern, kind: str | None = None) -> Widget:
        """The one widget whose label is ``label`` (or matches the pattern) and, if given,
        whose kind is ``kind`` (slider, select_slider, selectbox, radio, multiselect,
        button_group, number_input, checkbox, toggle, text_input, text_area, button,
        form_submit_button, download_button, chart (label = its alt text), component)."""
        def matches(w: Widget) -> bool:
            named = label.search(w.label) if isinstance(label, re.Pattern) else w.label == label
            return bool(named) and (kind is None or w.kind == kind)

        found = {w.id: w for w in self.widgets() if matches(w)}
        if len(found) != 1:
            shown = sorted({f"{w.kind}: {w.label[:60]}" for w in self.widgets()})
            raise LookupError(f"{len(found)} widgets match {label!r} (kind {kind}); the page "
                              f"shows: {shown}")
        return next(iter(found.values()))

    def stage(self, widget: Widget, value) -> bool:
        """Set a widget's value as a user's input does; True if that sends a rerun (a widget
        in a form waits for the form's submit button; one with on_change="ignore" never
        sends one)."""
        wire = wire_value(widget, value)
        if widget.form_id:
            self.form_states.setdefault(widget.form_id, {})[widget.id] = (
                widget.value_type, wire)
            return False
        self.states[widget.id] = (widget.value_type, wire)
        return not widget.ignore_rerun

    def press(self, button: Widget) -> list[str]:
        """Press a button (or a form's submit button); returns the trigger ids to drop once
        the rerun is sent."""
        if button.value_type != "trigger_value":
            raise ValueError(f"{button.label!r} is a {button.kind}, not a button")
        if button.is_form_submitter:
            self.states.update(self.form_states.pop(button.form_id, {}))
        self.states[button.id] = ("trigger_value", True)
        return [button.id]

    def drop(self, ids: Iterable[str]) -> None:
        for widget_id in ids:
            self.states.pop(widget_id, None)

    # --------------------------------------------------------------------- requests

    def rerun_request(self, *, fragment_id: str = "", page_hash: str | None = None,
                      only: set[str] | None = None) -> BackMsg:
        """The rerun_script BackMsg the frontend would send now (App.sendRerunBackMsg)."""
        self.new_session_seen = False  # the cache ages only once the server starts this run
        back = BackMsg()
        request = back.rerun_script
        request.query_string = self.query_string
        if page_hash is not None:
            request.page_script_hash = page_hash
        elif self.page_hash:
            request.page_script_hash = self.page_hash
        else:
            request.page_name = self.page_name  # the first run: only the URL names the page
        if fragment_id:
            request.fragment_id = fragment_id
        for widget_id, (value_type, value) in self.states.items():
            if only is None or widget_id in only:
                request.widget_states.widgets.append(widget_state(widget_id, value_type, value))
        request.cached_message_hashes.extend(self.cache)
        request.context_info.CopyFrom(ContextInfo(
            timezone="UTC", timezone_offset=0, locale="en-US", url=self.url, is_embedded=False,
            color_scheme="light"))
        return back

    def navigation_request(self, url_path: str) -> BackMsg:
        """Switching page in the sidebar: only widgets made by the main script keep state."""
        page_hash = self.app_pages.get(url_path)
        if page_hash is None:
            raise LookupError(f"no page {url_path!r}; pages: {sorted(self.app_pages)}")
        kept = {r.info.widget.id for r in self.records.values()
                if r.info.widget and r.script_hash == self.main_script_hash}
        return self.rerun_request(page_hash=page_hash, only=kept)


# ---------------------------------------------------------------------------- a session


def split_page(path: str) -> tuple[str, str]:
    """'/limitations?x=1' -> ('limitations', 'x=1'): the page name the frontend derives from
    the URL path, and the query string."""
    parts = urlsplit(path)
    return parts.path.strip("/"), parts.query


class StreamlitSession:
    """One session of a Streamlit app over its websocket, timed per rerun.

    >>> session = StreamlitSession("http://127.0.0.1:8501", "/?prompt=Hello")
    >>> session.open().ok
    >>> session.change(session.widget("Layer", "slider"), 3).seconds
    """

    def __init__(self, base_url: str, path: str = "/", *, query: dict | None = None,
                 timeout: float = 120.0, fetch_page: bool = True) -> None:
        self.base_url = base_url.rstrip("/")
        page_name, query_string = split_page(path)
        if query:
            query_string = "&".join(filter(None, (query_string, urlencode(query))))
        url = f"{self.base_url}/{page_name}" + (f"?{query_string}" if query_string else "")
        self.page = PageState(page_name=page_name, query_string=query_string, url=url)
        self.timeout = timeout
        self.fetch_page = fetch_page
        self._ws = None
        self.bytes_received = 0

    # ------------------------------------------------------------------ connection

    def _get(self, path: str, cookie: str | None = None):
        request = urllib.request.Request(f"{self.base_url}{path}")
        if cookie:
            request.add_header("Cookie", f"{XSRF_COOKIE}={cookie}")
        return urllib.request.urlopen(request, timeout=self.timeout)

    def _preflight(self) -> str | None:
        """The page's own requests before the websocket; returns the XSRF cookie, if any."""
        if self.fetch_page:
            with self._get(urlsplit(self.page.url).path or "/") as page:
                page.read()
        with self._get("/_stcore/health") as health:
            health.read()
            cookie = next((c.split(";")[0].split("=", 1)[1]
                           for c in health.headers.get_all("Set-Cookie") or ()
                           if c.startswith(f"{XSRF_COOKIE}=")), None)
        with self._get("/_stcore/host-config", cookie) as config:
            config.read()
        return cookie

    def open(self) -> RunResult:
        """Load the page as a browser does and wait for its first run to finish."""
        import websocket  # websocket-client; gevent-cooperative once Locust has patched

        started = time.perf_counter()
        cookie = self._preflight()
        ws_url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        ws = websocket.create_connection(
            ws_url, timeout=self.timeout, subprotocols=["streamlit", cookie or PLACEHOLDER_TOKEN],
            origin=self.base_url, cookie=f"{XSRF_COOKIE}={cookie}" if cookie else None,
        )
        ws.settimeout(None)  # the reader waits for as long as the page is open
        self._attach(ws)
        return self._send_and_wait(self.page.rerun_request(), started=started)

    def _attach(self, ws) -> None:
        """Read ``ws`` from now on, for as long as it is open. A browser answers the server's
        pings (every 30 s, 30 s to answer) even while its student does nothing; a client
        that reads only while it waits for a run is dropped while it idles."""
        self._ws = ws
        self._frames = queue.Queue()
        threading.Thread(target=_read_frames, args=(ws, self._frames), daemon=True,
                         name="streamlit-ws-reader").start()

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None

    def __enter__(self) -> StreamlitSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ actions

    def widget(self, label: str | re.Pattern, kind: str | None = None) -> Widget:
        return self.page.widget(label, kind)

    def widgets(self) -> list[Widget]:
        return self.page.widgets()

    def change(self, widget: Widget, value) -> RunResult:
        """Give a widget a new value as a user does, and time the rerun it causes. A widget
        in a form only stages the value (returns an empty result): submit the form."""
        if not self.page.stage(widget, value):
            return RunResult(status="staged")  # in a form, or a widget that ignores changes
        return self.rerun(fragment_id=widget.fragment_id)

    def click(self, button: Widget) -> RunResult:
        """Press a button or a form's submit button, and time the rerun."""
        triggers = self.page.press(button)
        return self.rerun(fragment_id=button.fragment_id, drop=triggers)

    def select(self, chart: Widget, points: dict) -> RunResult:
        """Make a selection on a chart with on_select, e.g. ``{"pick": [{"pos": 3}]}``."""
        return self.change(chart, points)

    def rerun(self, *, fragment_id: str = "", drop: Iterable[str] = ()) -> RunResult:
        self._catch_up()
        request = self.page.rerun_request(fragment_id=fragment_id)
        self.page.drop(drop)  # triggers go once (WidgetStateManager drops them after sending)
        return self._send_and_wait(request)

    def navigate(self, url_path: str) -> RunResult:
        """Open another page of an st.navigation app, as a click in the sidebar does."""
        self._catch_up()
        return self._send_and_wait(self.page.navigation_request(url_path))

    # ------------------------------------------------------------------ the wire

    def _next_frame(self, timeout: float) -> tuple[float, bytes]:
        """The next frame and when it arrived."""
        try:
            arrived, frame = self._frames.get(timeout=max(timeout, 0))
        except queue.Empty:
            raise ProtocolError(f"no script_finished within {self.timeout} s") from None
        if isinstance(frame, Exception) or not frame:
            raise ProtocolError(f"the websocket closed: {frame!r}")
        return arrived, frame

    def _catch_up(self) -> None:
        """Apply what arrived after the last run finished, as a browser does on arrival,
        before the next request is built."""
        late = RunResult()
        while not self._frames.empty():
            _, frame = self._next_frame(0)
            late.bytes += len(frame)
            self.page.handle(ForwardMsg.FromString(frame), late)
        self.bytes_received += late.bytes

    def _send_and_wait(self, request: BackMsg, *, started: float | None = None) -> RunResult:
        if self._ws is None:
            raise ProtocolError("the session is not open: call open() first")
        result = RunResult(fragment_ids=(request.rerun_script.fragment_id,)
                           if request.rerun_script.fragment_id else ())
        start = time.perf_counter() if started is None else started
        self._ws.send_binary(request.SerializeToString())
        deadline = start + self.timeout
        while True:
            arrived, frame = self._next_frame(deadline - time.perf_counter())
            result.bytes += len(frame)
            charts = result.charts
            status = self.page.handle(ForwardMsg.FromString(frame), result)
            if result.charts > charts:
                result.chart_seconds.append(arrived - start)
            if status in FINAL:
                result.seconds = arrived - start
                result.status = FINAL[status]
                self.bytes_received += result.bytes
                return result


def _read_frames(ws, frames: queue.Queue) -> None:
    """A session's reader: every frame, with its arrival time, until the socket closes."""
    try:
        while True:
            frame = ws.recv()
            frames.put((time.perf_counter(), frame))
            if not frame:
                return
    except Exception as error:  # closed or broken: the waiting side raises it
        frames.put((time.perf_counter(), error))


def all_at_once(sessions: list[StreamlitSession],
                act: Callable[[StreamlitSession, int], RunResult], *,
                rounds: int = 1) -> list[RunResult]:
    """Each session acts at the same moment (one thread each, a barrier before each round),
    ``rounds`` times: N students changing a control at once. Returns every rerun's result."""
    barrier = threading.Barrier(len(sessions))
    results: list[RunResult] = []
    failures: list[BaseException] = []

    def drive(session: StreamlitSession) -> None:
        try:
            for round_number in range(rounds):
                barrier.wait(timeout=600)
                results.append(act(session, round_number))
        except BaseException as error:  # re-raised below, once every thread has stopped
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=drive, args=(s,), daemon=True) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return results
