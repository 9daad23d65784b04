"""Anonymous class results in the app, wired to lib/classroom.

- ``store``: one class store per server process (a cached resource): SQLite under
  CA_DATA_DIR by default, PostgreSQL when CA_DATABASE_URL is set, from the environment or
  .streamlit/secrets.toml;
- ``send_panel``: on the quiz results, a student sends their answers to a class by its code,
  with no name;
- ``create_section`` and ``report_section``: the Class results page, where a teacher creates a
  class (its key shown once) and opens it with the key: counts per option with each option's
  feedback, mastery per topic, a CSV file.

The store's retry contract (lib/classroom/__init__.py): a result the store could not take
(``StoreUnavailable``, ``RateLimited``) stays in the session as the same ``Submission``, with
the same id, until it is stored or finally refused; it is listed in the sidebar on every page
with a "Send again" button, so it is never lost silently and never counted twice. Every
message shown comes from content/classroom.yaml, never from an exception's text.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace

import streamlit as st

from lib.charts.classroom import class_mastery_chart
from lib.classroom import (
    CODE_EXAMPLE,
    ClassReport,
    ClassroomError,
    ClassStore,
    Limits,
    Submission,
    classroom_text,
    database_url,
    items_from_quiz,
    new_submission,
    normalize_code,
    open_store,
    report_to_csv,
)
from lib.classroom.codes import MAX_TYPED_CODE_CHARS
from lib.classroom.review import ItemReview, review_items
from lib.classroom.store import DATA_DIR_ENV, DATABASE_URL_ENV
from ui import state
from ui.cache import configured
from ui.charts import show
from ui.links import activity_link, copy_button, sync_url
from ui.text import site_content


@dataclass(frozen=True)
class Pending:
    """A result the class has not confirmed yet: sent again as the very same submission."""

    quiz_round: int  # ui.state.QUIZ_ROUND of the quiz it came from
    code: str  # canonical class code
    submission: Submission


def class_message(name: str, **values) -> str:
    """A message of content/classroom.yaml, filled in with our own values."""
    return classroom_text().message(name, **values)


def plain(text: str) -> str:
    """Markdown (and Streamlit's $ maths) escaped, so bank text shows exactly as written."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|$~])", r"\\\1", text)


# ---- the store: one per process

@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> ClassStore:
    return open_store(url)


def store() -> ClassStore:
    """The process's class store (connected and migrated on first use).

    Raises ``StoreUnavailable`` while the database cannot be reached (not cached: the next
    call tries again) and ValueError for a database setting of the wrong kind.
    """
    settings = {name: value for name in (DATABASE_URL_ENV, DATA_DIR_ENV)
                if (value := configured(name)) is not None}
    return _store_for(database_url(settings).render_as_string(hide_password=False))


def _client() -> str:
    """This session's id for the store's rate limits (random, never shown, never stored)."""
    if state.CLASS_CLIENT.get() is None:
        state.CLASS_CLIENT.set(uuid.uuid4().hex)
    return state.CLASS_CLIENT.get()


def _note(quiz_round: int, kind: str, text: str) -> None:
    """The outcome of the last try for the quiz of ``quiz_round``, to show under its results."""
    state.CLASS_NOTE.set((quiz_round, kind, text))


def _show_note(quiz_round: int) -> None:
    note = state.CLASS_NOTE.get()
    if note is not None and note[0] == quiz_round:
        {"success": st.success, "warning": st.warning, "error": st.error}[note[1]](note[2])


# ---- students: send the results of a finished quiz

def send_panel(quiz) -> None:
    """Under a quiz's results: the class code box and the button that sends the answers."""
    st.subheader("Send your answers to your class")
    st.caption(class_message("send_intro"))
    quiz_round = state.QUIZ_ROUND.get()
    box = state.CLASS_CODE.widget_key  # the raw text typed; the setting keeps it canonical
    if box not in st.session_state:
        st.session_state[box] = state.CLASS_CODE.get() or ""
    st.text_input("Class code (from your teacher)", key=box, on_change=_code_typed,
                  args=(quiz_round,), max_chars=MAX_TYPED_CODE_CHARS, placeholder=CODE_EXAMPLE)
    code = state.CLASS_CODE.get()
    sent = code is not None and (quiz_round, code) in state.CLASS_SENT.get()
    waiting = _pending_for(quiz_round, code) is not None
    st.button("Send again" if waiting else "Send my answers (no name)",
              disabled=code is None or sent, on_click=_send, args=(quiz, quiz_round))
    if sent:
        st.success(class_message("sent_here", code=code))
    else:
        _show_note(quiz_round)
    sync_url()  # the code is part of the quiz's link; this runs in the quiz's fragment


def follow_retry(old_round: int, new_round: int) -> None:
    """A retry starts a new quiz round, but the class counts the first attempt once: what was
    sent, or is waiting to be sent, for the old round belongs to the new one too."""
    sent = state.CLASS_SENT.get()
    state.CLASS_SENT.set((*sent, *((new_round, code) for r, code in sent if r == old_round)))
    state.CLASS_PENDING.set(tuple(replace(p, quiz_round=new_round) if p.quiz_round == old_round
                                  else p for p in state.CLASS_PENDING.get()))


def _code_typed(quiz_round: int) -> None:
    """Keep the code canonical (or None) in the setting, and say at once if it is malformed."""
    typed = str(st.session_state.get(state.CLASS_CODE.widget_key) or "")
    code = normalize_code(typed)
    state.CLASS_CODE.set(code)
    state.CLASS_NOTE.reset()
    if typed.strip() and code is None:
        _note(quiz_round, "error", class_message("code_format", example=CODE_EXAMPLE))


def _pending_for(quiz_round: int, code: str | None) -> Pending | None:
    return next((p for p in state.CLASS_PENDING.get()
                 if p.quiz_round == quiz_round and p.code == code), None)


def _send(quiz, quiz_round: int) -> None:
    """Send this quiz's answers to the class; a second press resends the same submission."""
    code = state.CLASS_CODE.get()
    pending = _pending_for(quiz_round, code)
    if pending is None:
        pending = Pending(quiz_round, code, new_submission(items_from_quiz(quiz)))
        state.CLASS_PENDING.set((*state.CLASS_PENDING.get(), pending))
    _try(pending)


def _try(pending: Pending) -> None:
    """One attempt: stored or finally refused -> forget it; otherwise keep it for later."""
    try:
        receipt = store().submit(pending.code, pending.submission, session_id=_client())
    except ClassroomError as error:
        if not error.retryable:
            _forget(pending)
        _note(pending.quiz_round, "warning" if error.retryable else "error", error.message)
        return
    except ValueError:  # a database setting of the wrong kind: keep the result, say who can fix it
        _note(pending.quiz_round, "error", class_message("store_misconfigured"))
        return
    _forget(pending)
    state.CLASS_SENT.set((*state.CLASS_SENT.get(), (pending.quiz_round, pending.code)))
    _note(pending.quiz_round, "success", receipt.message)


def _forget(pending: Pending) -> None:
    state.CLASS_PENDING.set(tuple(p for p in state.CLASS_PENDING.get() if p is not pending))


def _retry_all() -> None:
    for pending in state.CLASS_PENDING.get():
        _try(pending)


def pending_notice() -> None:
    """In the sidebar of every page: results not yet stored, and a button to send them again."""
    waiting = state.CLASS_PENDING.get()
    if not waiting:
        return
    bar = st.sidebar
    for pending in waiting:
        bar.warning(class_message("pending_waiting", code=pending.code))
    bar.button("Send again", key="class_send_again", on_click=_retry_all)
    note = state.CLASS_NOTE.get()
    if note is not None and note[1] != "success":
        bar.caption(note[2])


# ---- teachers: create a class, then open it with its key

def create_section(*, shape: tuple[int, int] | None) -> None:
    st.header("Create a class")
    limits = Limits()
    with st.form("class_create", border=False):
        days = st.number_input("Days the class accepts results", 1, limits.max_lifetime_days,
                               value=limits.lifetime_days, step=1)
        create = st.form_submit_button("Create a class")
    if create:
        _create(int(days))
    created = state.CLASS_CREATED.get()
    if created is not None:
        _show_created(created, shape=shape)


def _create(days: int) -> None:
    try:
        state.CLASS_CREATED.set(store().create_class(session_id=_client(), lifetime_days=days))
    except ClassroomError as error:
        st.error(error.message)
    except ValueError:
        st.error(class_message("store_misconfigured"))


def _show_created(created, *, shape: tuple[int, int] | None) -> None:
    st.success(created.message)
    code, key = st.columns(2)
    with code:
        st.markdown("**Class code** (give it to the students)")
        st.code(created.code, language=None)
    with key:
        st.markdown("**Teacher key** (secret: for you only)")
        st.code(created.teacher_key, language=None)
    st.warning(class_message("key_once"))
    link = students_link(created.code, shape=shape)
    st.markdown(f"**Students' link:** [{plain(link)}]({link})  \n"
                f"{class_message('students_link')}")
    copy_button(path=link, label="Copy the students' link", key="copy_students_link",
                sidebar=False)
    st.button("I have written the key down: hide it", on_click=state.CLASS_CREATED.reset)


def students_link(code: str, *, shape: tuple[int, int] | None) -> str:
    """The lesson plan's quiz, set up as the plan sets it, with the class code filled in."""
    guide = site_content().teachers
    quiz = next((a for a in guide.lesson.activities if a.page == "quiz"), None) if guide else None
    given = {**(quiz.link if quiz else {}), "class": code}
    layers, heads = shape or (1, 1)  # the quiz's parameters do not depend on the model
    return activity_link("quiz", given, layers=layers, heads=heads)[0]


def report_section() -> None:
    st.header("See a class's results")
    with st.form("class_open", border=False):
        code = st.text_input("Class code", max_chars=MAX_TYPED_CODE_CHARS,
                             placeholder=CODE_EXAMPLE, key="class_open_code")
        key = st.text_input("Teacher key", type="password", max_chars=MAX_TYPED_CODE_CHARS,
                            key="class_open_key")
        opened = st.form_submit_button("Show the results")
    if opened:
        _open(code, key)
    elif state.CLASS_OPENED.get() is not None and st.button("Refresh the results"):
        _open(*state.CLASS_OPENED.get())
    report = state.CLASS_REPORT.get()
    if report is not None:
        show_report(report)


def _open(code: str, key: str) -> None:
    """Fetch the report. A refusal (a wrong key, an unknown code) leaves nothing of any class on
    the page; a database that cannot be reached now keeps what was shown, with a warning."""
    try:
        report = store().class_report(code, key, session_id=_client())
    except ClassroomError as error:
        if not error.retryable:
            state.CLASS_OPENED.reset()
            state.CLASS_REPORT.reset()
        (st.warning if error.retryable else st.error)(error.message)
        return
    except ValueError:
        st.error(class_message("store_misconfigured"))
        return
    state.CLASS_OPENED.set((report.code, key))
    state.CLASS_REPORT.set(report)


def show_report(report: ClassReport) -> None:
    bank = site_content().quiz
    titles = {t.id: t.title for t in bank.topics}
    st.subheader(f"Class {report.code}")
    st.caption(report.status_message)
    sent, answered = st.columns(2)
    sent.metric("Results sent", report.submissions)
    answered.metric("Questions answered", len(report.items))
    if report.submissions == 0:
        st.info(class_message("no_results_yet"))
        return
    st.subheader("Mastery by topic")
    show(class_mastery_chart(report.topics, titles))
    st.subheader("Each question, most-missed first")
    st.caption(class_message("report_intro"))
    for review in review_items(report, bank):
        _item(review, titles)
    st.download_button("Download the class results (CSV)", report_to_csv(report),
                       file_name=f"class-{report.code}.csv", mime="text/csv",
                       key="class_csv", on_click="ignore")


def _item(review: ItemReview, titles: dict[str, str]) -> None:
    topic = titles.get(review.topic, review.topic)
    sure = (f", {review.high_and_wrong} of them wrong with high certainty"
            if review.high_and_wrong else "")
    st.markdown(f"**{plain(review.text or review.question_id)}**  \n"
                f"{plain(topic)} · {review.correct} of {review.responses} right{sure}")
    lines = []
    for option in review.options:
        mark = {True: "✅ right", False: "❌ wrong", None: "❔ no longer in the quiz"}
        lines.append(f"- **{option.count}** × {plain(option.label)} · *{mark[option.correct]}*"
                     + (f"  \n  {plain(option.feedback)}" if option.feedback else ""))
    st.markdown("\n".join(lines))
