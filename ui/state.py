"""Every setting and piece of session state, in one typed place.

A ``Setting`` names one value kept in ``st.session_state`` for the whole session, with
its default. Widgets never own a setting: Streamlit deletes a widget's state once a page
that does not show it runs, so each widget gets its own key ("_w_" + name, see ``bind``)
and writes changes back to the plain key, which survives page switches. Nothing else in
the app writes ``st.session_state`` by a string of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import streamlit as st

from lib.models.loading import BUNDLED_MODEL_ID
from lib.pipeline.views import RowSettings

T = TypeVar("T")
WIDGET_PREFIX = "_w_"


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    default: T

    def get(self) -> T:
        return st.session_state.get(self.key, self.default)

    def set(self, value: T) -> None:
        st.session_state[self.key] = value

    def reset(self) -> None:
        st.session_state.pop(self.key, None)

    @property
    def widget_key(self) -> str:
        return WIDGET_PREFIX + self.key


# ---- Explore, Context, Teamwork: one set of controls shared by the three pages
PROMPT = Setting("prompt", "What's the capital of France?")
LEVEL = Setting("level", "token")  # "token" or "word"
LAYER = Setting("layer", 2)
HEAD_MODE = Setting("head_mode", "mean")  # "mean", "head" or "rollout"
HEAD = Setting("head", 0)
TEMPERATURE = Setting("temperature", 1.0)
SPECIAL = Setting("special", "keep")  # "keep", "drop" or "reservoir"
QUERY: Setting[int | None] = Setting("query", None)  # None: the prompt's default query
PENDING_QUERY_WORD: Setting[str | None] = Setting("pending_query_word", None)  # from a link
MODEL_ID = Setting("model_id", BUNDLED_MODEL_ID)
CONTEXT_A = Setting("context_a", "Tell me about Paris")
CONTEXT_B = Setting("context_b", "Paris Hilton news")
CONTEXT_WORD: Setting[str | None] = Setting("context_word", None)
CONTEXT_READING = Setting("context_reading", "row")  # "row" (the TF it sends) or "column"
TEAM_HEADS: Setting[tuple[int, ...]] = Setting("team_heads", ())
CELL_EXPERIMENT = Setting("cell_experiment", "one_molecule")  # lib.learn.cell_only.EXPERIMENTS
CELL_SEED = Setting("cell_seed", 0)
CELL_COPIES = Setting("cell_copies", 3)
CELL_PENALTY = Setting("cell_penalty", 3.0)

# ---- Learn pages
LIMITS_PROMPT = Setting(
    "limits_prompt",
    "The pioneer factor opened the closed chromatin so that other factors could bind the "
    "enhancer",
)

# ---- Quiz: the setup in the sidebar, then the quiz in progress
QUIZ_TOPICS: Setting[list[str]] = Setting("quiz_topics", [])
QUIZ_LENGTH = Setting("quiz_length", 10)
QUIZ_CBM = Setting("quiz_cbm", False)
QUIZ_LIVE = Setting("quiz_live", False)
QUIZ_SEED = Setting("quiz_seed", 1)
QUIZ_STATE: Setting[Any] = Setting("quiz_state", None)  # lib.quiz.QuizState or None
QUIZ_ROUND = Setting("quiz_round", 0)  # bumped per new quiz: fresh widget keys
QUIZ_UPLOAD_ROUND = Setting("quiz_upload_round", 0)  # bumped per upload: a fresh uploader
QUIZ_CURRENT: Setting[str | None] = Setting("quiz_current", None)  # question shown
QUIZ_INCOMPLETE: Setting[Any] = Setting("quiz_incomplete", None)  # (question id, message)
QUIZ_LIVE_NOTE: Setting[str | None] = Setting("quiz_live_note", None)
QUIZ_UPLOAD_MESSAGE: Setting[Any] = Setting("quiz_upload_message", None)
QUIZ_NOTICES: Setting[tuple] = Setting("quiz_notices", ())  # (kind, message, values) for the top
# The copy of the quiz in the student's browser (ui/components/browser_store)
QUIZ_STORE_REQUEST: Setting[str | None] = Setting("quiz_store_request", None)  # session token
QUIZ_STORE_SENT: Setting[str | None] = Setting("quiz_store_sent", None)  # revision sent last
QUIZ_STORE_TEXT: Setting[Any] = Setting("quiz_store_text", None)  # (quiz, (revision, JSON))
QUIZ_STORE_CLEAR = Setting("quiz_store_clear", False)  # the student asked to forget it
QUIZ_STORE_REFUSED = Setting("quiz_store_refused", False)  # the browser's copy was unusable
QUIZ_STORE_CLEARED = Setting("quiz_store_cleared", False)  # say so once, by the button
QUIZ_STORE_BLOCKED: Setting[str | None] = Setting("quiz_store_blocked", None)  # why it cannot

# ---- For teachers: the guide's view, and anonymous class results (ui/classroom.py)
TEACHER_VIEW = Setting("teacher_view", "guide")  # "guide" or "worksheet"
CLASS_CODE: Setting[str | None] = Setting("class_code", None)  # a student's class, canonical
CLASS_CLIENT: Setting[str | None] = Setting("class_client", None)  # this session's rate-limit id
CLASS_PENDING: Setting[tuple] = Setting("class_pending", ())  # results not yet stored
CLASS_SENT: Setting[tuple] = Setting("class_sent", ())  # (quiz round, code) already stored
CLASS_NOTE: Setting[Any] = Setting("class_note", None)  # (kind, message) of the last send
CLASS_CREATED: Setting[Any] = Setting("class_created", None)  # lib.classroom.NewClass, once
CLASS_OPENED: Setting[Any] = Setting("class_opened", None)  # (code, key) the teacher opened
CLASS_REPORT: Setting[Any] = Setting("class_report", None)  # lib.classroom.ClassReport

# ---- per run
RUN = Setting("_run", 0)  # counts runs, so a message shown once per run knows its run

SHARED = (PROMPT, LEVEL, LAYER, HEAD_MODE, HEAD, TEMPERATURE, SPECIAL, MODEL_ID, CONTEXT_A,
          CONTEXT_B, CONTEXT_READING, CELL_EXPERIMENT, CELL_SEED, CELL_COPIES, CELL_PENALTY, LIMITS_PROMPT,
          QUIZ_TOPICS, QUIZ_LENGTH, QUIZ_CBM, QUIZ_LIVE, QUIZ_SEED, TEACHER_VIEW)


def start_run() -> None:
    """Initialise every shared setting once per session, and count the run."""
    for setting in SHARED:
        if setting.key not in st.session_state:
            setting.set(setting.default)
    RUN.set(RUN.get() + 1)


def _store(setting: Setting, then: Callable[[], None] | None) -> None:
    value = st.session_state[setting.widget_key]
    if value is None and setting.default is not None:
        return  # a deselected segmented control keeps the last choice
    setting.set(value)
    if then is not None:
        then()


def bind(setting: Setting, *, then: Callable[[], None] | None = None) -> dict:
    """Widget kwargs that show ``setting`` and write changes back to it."""
    st.session_state[setting.widget_key] = setting.get()
    return {"key": setting.widget_key, "on_change": _store, "args": (setting, then)}


def head_choice() -> int | str:
    """The head setting as lib takes it: a head number, "mean" or "rollout"."""
    mode = HEAD_MODE.get()
    return int(HEAD.get()) if mode == "head" else mode


def set_head_choice(value: int | str) -> None:
    """Set the head controls from a head number, "mean" or "rollout"."""
    if value in ("mean", "rollout"):
        HEAD_MODE.set(value)
    else:
        HEAD_MODE.set("head")
        HEAD.set(int(value))


def row_settings(*, level: str | None = None) -> RowSettings:
    """The shared controls as one hashable value (a view cache key)."""
    return RowSettings(layer=int(LAYER.get()), head=head_choice(), level=level or LEVEL.get(),
                       special=SPECIAL.get(), temperature=float(TEMPERATURE.get()))


def clamp_to_model(num_layers: int, num_heads: int) -> None:
    """Keep the layer and head within the active model (another model may have fewer)."""
    LAYER.set(min(int(LAYER.get()), num_layers - 1))
    HEAD.set(min(int(HEAD.get()), num_heads - 1))
