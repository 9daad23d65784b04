"""What a student does on each page, for the load generator (issue 11).

A scenario opens its page with the student's prompt (``open_page``: the one place that
knows how each page takes a prompt today) and then repeats its steps, each a realistic
control change timed to ``script_finished``. Widgets are found by label and kind, never by
position or by the app's module names, so the scenarios survive the app's refactoring.
No Locust here: bench/load/run.py also uses these with plain threads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bench.load.streamlit_client import RunResult, StreamlitSession, Widget

PRESET = "What's the capital of France?"  # the app's own first prompt, for "same preset"


@dataclass(frozen=True)
class Step:
    """One timed action; ``act(session, round)`` performs it and returns its rerun."""

    name: str
    act: Callable[[StreamlitSession, int], RunResult]


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str  # the page's name in reports
    steps: tuple[Step, ...]


def current(session: StreamlitSession, widget: Widget):
    """The value the session would send for ``widget`` now (the wire form)."""
    return session.page.states.get(widget.id, (None, widget.value))[1]


def move_slider(label: str | re.Pattern, values: tuple[float, float]) -> Step:
    """Move a slider to the first of two values it is not at, as a student drags it back and
    forth; a value equal to the current one would not rerun in a browser."""
    name = label if isinstance(label, str) else label.pattern.strip("^")

    def act(session: StreamlitSession, _round: int) -> RunResult:
        slider = session.widget(label, "slider")
        now = current(session, slider)
        value = values[0] if [float(values[0])] != now else values[1]
        return session.change(slider, value)

    return Step(f"{name} slider", act)


def edit_text(label: re.Pattern, addition: str) -> Step:
    """Edit a text box back and forth: add ``addition`` to its text, then take it away."""
    def act(session: StreamlitSession, _round: int) -> RunResult:
        box = session.widget(label, "text_input")
        text = current(session, box) or ""
        edited = text[:-len(addition)] if text.endswith(addition) else text + addition
        return session.change(box, edited)

    return Step(f"{label.pattern.strip('^')} text", act)


def start_quiz(session: StreamlitSession, _round: int) -> RunResult:
    return session.click(session.widget("Start a new quiz", "button"))


def answer_question(session: StreamlitSession, _round: int) -> RunResult:
    """Choose the first option of every input in the question's form, then submit it."""
    submit = session.widget("Submit answer", "form_submit_button")
    first_box = True
    for widget in session.widgets():
        if widget.form_id != submit.form_id or widget.disabled:
            continue
        if widget.kind in ("radio", "selectbox"):
            session.change(widget, widget.options[0])
        elif widget.kind == "checkbox" and first_box:
            session.change(widget, True)
            first_box = False
    return session.click(submit)


LAYER = move_slider("Layer", (3, 2))
SCENARIOS = {
    "explore": Scenario("explore", "Explore", (LAYER,)),
    "context": Scenario("context", "Context", (LAYER,)),
    "teamwork": Scenario("teamwork", "Teamwork", (LAYER,)),
    # Its temperature slider re-tempers in the browser; the prompt box of "dynamics" reruns.
    "analogy": Scenario("analogy", "The analogy",
                        (edit_text(re.compile(r"^Edit the prompt"), " again"),)),
    "limitations": Scenario("limitations", "Limitations",
                            (move_slider("TF copies in this toy nucleus", (3, 2)),)),
    "quiz": Scenario("quiz", "Quiz", (Step("start quiz", start_quiz),
                                      Step("submit answer", answer_question))),
    "floor": Scenario("floor", "Floor page", (LAYER,)),
}


PAGE_PATHS = {"explore": "/", "context": "/context", "teamwork": "/teamwork",
              "analogy": "/analogy", "limitations": "/limitations", "quiz": "/quiz",
              "floor": "/"}
PROMPT_PARAMS = {"explore": "prompt", "teamwork": "prompt", "limitations": "prompt",
                 "context": "a"}  # the query parameter each page reads its prompt from


def open_page(base_url: str, scenario: Scenario, prompt: str, *,
              timeout: float = 300.0) -> tuple[StreamlitSession, list[tuple[str, RunResult]]]:
    """Open the scenario's page as a student with ``prompt`` would, up to its first analysis.

    How each page takes a prompt today (adapt here when the pages change): Explore,
    Teamwork and Limitations read ``?prompt=`` from their URL, Context ``?a=`` (its prompt
    A; prompt B stays "Paris Hilton news", so prompts should share a word with it); The
    analogy's figures use the essay's own prompts (its timed step edits the prompt box of its
    "dynamics" figure); the Quiz asks about the prompt a student explored, so the student
    explores first, then opens the quiz and switches on "Include questions about my prompt".
    Returns the session and the timed runs so far.
    """
    key = scenario.key
    if key == "quiz":
        session = StreamlitSession(base_url, "/", query={"prompt": prompt}, timeout=timeout)
    elif key in PROMPT_PARAMS:
        session = StreamlitSession(base_url, PAGE_PATHS[key], timeout=timeout,
                                   query={PROMPT_PARAMS[key]: prompt})
    else:
        session = StreamlitSession(base_url, PAGE_PATHS[key], timeout=timeout)
    runs = [("first load", session.open())]
    if key == "quiz":
        runs.append(("open quiz", session.navigate("quiz")))
        live = session.widget("Include questions about my prompt", "toggle")
        runs.append(("set prompt", session.change(live, True)))
    return session, runs
