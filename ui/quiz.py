"""The Quiz page's glue: it wires widgets to the pure quiz state machine in ``lib.quiz``.

The quiz in progress is one frozen ``QuizState`` in the session (ui.state.QUIZ_STATE), with
every earlier attempt in its history. The quiz itself (question or results, then save and
resume) is a fragment: answering a question reruns it alone, not the sidebar and the page
around it. The fragment also keeps a copy of the quiz in the student's own browser
(ui/components/browser_store), as the same JSON a progress file holds, so a reload or a new tab
carries on; the server keeps no per-student store, so any server process can serve the next
run. What comes back from the browser is validated exactly like an uploaded file.
"""

from __future__ import annotations

import hashlib
import re
import secrets

import pandas as pd
import streamlit as st

from lib.charts.quiz import mastery_chart
from lib.quiz import (
    MatchingAnswer,
    MultiAnswer,
    ProgressError,
    QuizError,
    SingleAnswer,
    TrueFalseAnswer,
    display_order,
    feedback,
    is_live,
    mistakes,
    new_quiz,
    progress_from_json,
    progress_to_json,
    results_to_csv,
    retry_missed,
    submit,
    topic_scores,
)
from lib.quiz.grading import certainty_thresholds
from lib.quiz.live import (
    ExploreQuestions,
    LiveError,
    LiveSpec,
    build_live,
    questions_for_explore,
    quoted_prompt,
)
from lib.quiz.session import attempt_scores, plan_quiz, setup_of
from ui import state
from ui.cache import attention, cached_view
from ui.charts import show
from ui.classroom import follow_retry, send_panel
from ui.components.browser_store import UNCHANGED, browser_store
from ui.links import rerun_with_settings
from ui.text import message, site_content

CBM_SOURCE = "gardner_medwin_2006"  # the reference behind certainty-based marking
STORE_NAME = "quiz-progress"  # the quiz's name in the browser store (localStorage)
MAX_LENGTH = 50  # the setup's number inputs (pages/quiz.py)
MAX_SEED = 2**31 - 1
STATUS = {"right": ("✅", "your choice, correct"), "wrong": ("❌", "your choice, not correct"),
          "missed": ("☑️", "correct, not chosen"), "left_out": ("▫️", "not chosen, rightly")}


def bank():
    """The quiz bank (always present; empty if no file could be read)."""
    return site_content().quiz


def plain(value: str) -> str:
    """Escape Markdown (and Streamlit's $ maths) so text, including prompt tokens, shows as typed."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|$~])", r"\\\1", value)


def say(name: str, show_with=st.caption) -> None:
    text = message(name)
    if text is not None:
        show_with(text)


def fill(name: str, fallback: str = "", **values) -> str:
    """The message ``name`` filled in with ``values`` (``fallback`` without ui.yaml)."""
    text = message(name, **values)
    return fallback if text is None else text


def cite(ref_id: str) -> str:
    """An in-text citation ("Gardner-Medwin 2006") from content/references.yaml."""
    refs = site_content().references
    return refs.short(ref_id) if refs is not None else ref_id


def notice(kind: str, name: str, **values) -> None:
    """A message for the top of the page on its next full run (``kind``: success or warning)."""
    state.QUIZ_NOTICES.set((*state.QUIZ_NOTICES.get(), (kind, name, values)))


def show_notices() -> None:
    """Confirmations and warnings about a restored quiz, at the top of the page, once each."""
    shows = {"success": st.success, "warning": st.warning}
    for kind, name, values in state.QUIZ_NOTICES.get():
        text = message(name, **values)
        if text is not None:
            shows[kind](text)
    state.QUIZ_NOTICES.reset()


# ------------------------------------------------------------------------------------ setup

def prompt_questions() -> ExploreQuestions | None:
    """The questions about the student's prompt for their Explore settings, memoised for every
    session; None (after saying why) when the model cannot run on the prompt."""
    prompt = state.PROMPT.get()
    return cached_view("quiz_live", prompt, _explore_questions, typed=prompt,
                       level=state.LEVEL.get(), query=state.QUERY.get(),
                       layer=int(state.LAYER.get()), head=state.head_choice(),
                       temperature=float(state.TEMPERATURE.get()))


def _explore_questions(result, *, typed: str, **settings) -> ExploreQuestions:
    # the prompt as typed goes into each question's spec, so a saved quiz rebuilds from it
    return questions_for_explore(result, prompt=typed, **settings)


def plan_note() -> None:
    """Under the setup, before the quiz starts: how many questions it will hold, and how many
    of them are about the prompt (with the prompt and query they use)."""
    length = int(state.QUIZ_LENGTH.get())
    live = prompt_questions() if state.QUIZ_LIVE.get() else None
    try:
        plan = plan_quiz(bank(), topics=state.QUIZ_TOPICS.get(), length=length,
                         live_available=len(live.questions) if live else 0)
    except QuizError:
        return
    if state.QUIZ_LIVE.get():
        if live is None:
            say("quiz_live_unavailable")
        elif not plan.from_prompt:
            say("quiz_live_none")
        else:
            st.caption(fill("quiz_plan_live", total=plan.total, from_bank=plan.from_bank,
                            from_prompt=plan.from_prompt,
                            prompt=plain(quoted_prompt(state.PROMPT.get())),
                            query=plain(live.query_text)))
    if plan.total < length:
        st.caption(fill("quiz_plan_short", available=plan.bank_available, total=plan.total))


# ------------------------------------------------------------------------------ state changes

def start_quiz() -> None:
    """Build a new quiz from the sidebar settings (and, if asked, the student's prompt)."""
    state.QUIZ_LIVE_NOTE.reset()
    live = ()
    if state.QUIZ_LIVE.get():
        made = prompt_questions()
        if made is None:
            state.QUIZ_LIVE_NOTE.set("quiz_live_unavailable")
        elif not made.questions:
            state.QUIZ_LIVE_NOTE.set("quiz_live_none")
        else:
            live = made.questions
    try:
        quiz = new_quiz(bank(), topics=state.QUIZ_TOPICS.get(),
                        length=int(state.QUIZ_LENGTH.get()), seed=int(state.QUIZ_SEED.get()),
                        cbm=bool(state.QUIZ_CBM.get()), live=live)
    except QuizError as error:
        st.error(str(error))
        return
    replace_quiz(quiz)


def replace_quiz(quiz) -> None:
    state.QUIZ_STATE.set(quiz)
    state.QUIZ_CURRENT.reset()
    state.QUIZ_STORE_CLEAR.reset()  # a new quiz replaces the browser's copy
    state.QUIZ_ROUND.set(state.QUIZ_ROUND.get() + 1)  # fresh widget keys: no answer carries over


def match_setup(quiz) -> None:
    """Set the sidebar to the setup that started ``quiz``, so what it shows is what runs.
    (Kept inside the widgets' ranges: only a hand-edited file goes beyond them.)"""
    setup = setup_of(quiz, bank())
    state.QUIZ_TOPICS.set(list(setup.topics))
    state.QUIZ_LENGTH.set(min(max(setup.length, 1), MAX_LENGTH))
    state.QUIZ_SEED.set(min(max(setup.seed, 0), MAX_SEED))
    state.QUIZ_CBM.set(setup.cbm)
    state.QUIZ_LIVE.set(setup.live)


def restore(quiz, confirmation: str) -> None:
    """Carry on with a saved quiz: it replaces the current one and sets the sidebar to match;
    ``confirmation`` (a message name) shows at the top of the page."""
    replace_quiz(quiz)
    match_setup(quiz)
    state.QUIZ_LIVE_NOTE.reset()
    notice("success", confirmation)


def rebuild_live(spec: LiveSpec):
    """Recompute a saved live question from the real model (used when resuming from a file)."""
    result = attention(spec.prompt)
    if result is None:
        raise LiveError("the model could not run on the saved prompt")
    return build_live(spec, result)


def restored_from(text: str | bytes):
    """The quiz a progress file's text holds, checked like every file this app reads (the
    model recomputes questions about a prompt). Raises ProgressError with what is wrong."""
    return progress_from_json(text, bank(), rebuild_live=rebuild_live)


def apply_uploaded(data: bytes) -> str | None:
    """Resume from an uploaded progress file. On any problem return the message and change
    nothing; on success replace the quiz, set the sidebar to match, and return None."""
    try:
        restored = restored_from(data)
    except ProgressError as error:
        return str(error)
    restore(restored, "quiz_resume_success")
    return None


def on_clear() -> None:
    """End the quiz here and remove the browser's copy (a new quiz would replace it too)."""
    state.QUIZ_STATE.reset()
    state.QUIZ_CURRENT.reset()
    state.QUIZ_STORE_CLEAR.set(True)
    state.QUIZ_STORE_REFUSED.reset()
    state.QUIZ_STORE_CLEARED.set(True)


def _answer_from_widgets(question, key: str):
    s = st.session_state
    if question.type == "single":
        choice = s.get(f"{key}_choice")
        return None if choice is None else SingleAnswer(choice)
    if question.type == "multi":
        chosen = {o.id for o in question.options if s.get(f"{key}_{o.id}")}
        return MultiAnswer(chosen) if chosen else None
    if question.type == "matching":
        matches = {p.id: s.get(f"{key}_{p.id}") for p in question.pairs}
        return None if None in matches.values() else MatchingAnswer.from_mapping(matches)
    verdict, why = s.get(f"{key}_verdict"), s.get(f"{key}_why")
    return None if verdict is None or why is None else TrueFalseAnswer(verdict, why)


def on_submit(question_id: str, key: str) -> None:
    quiz = state.QUIZ_STATE.get()
    question = quiz.question(question_id)
    answer = _answer_from_widgets(question, key)
    confidence = st.session_state.get(f"{key}_confidence") if quiz.cbm else None
    state.QUIZ_INCOMPLETE.reset()
    if answer is None or (quiz.cbm and confidence is None):
        state.QUIZ_INCOMPLETE.set((question_id, None))
        return
    try:
        state.QUIZ_STATE.set(submit(quiz, question_id, answer, confidence=confidence))
    except QuizError as error:  # e.g. a match that uses one answer twice: say so, change nothing
        state.QUIZ_INCOMPLETE.set((question_id, str(error)))


def go_to(question_id: str | None) -> None:
    state.QUIZ_CURRENT.set(question_id)


def on_retry() -> None:
    quiz, old_round = state.QUIZ_STATE.get(), state.QUIZ_ROUND.get()
    replace_quiz(retry_missed(quiz, seed=quiz.seed + 1))
    follow_retry(old_round, state.QUIZ_ROUND.get())


# ---------------------------------------------------------------------------------- rendering

def answer_widgets(quiz, question, key: str, response) -> None:
    """Inputs for one question: nothing pre-selected; once answered, locked on the answer."""
    locked = response is not None
    answer = response.answer if locked else None
    if locked:
        key = f"{key}_locked"
    order = display_order(quiz, question)
    if question.type in ("single", "multi"):
        texts = {o.id: plain(o.text) for o in question.options}
        if question.type == "single":
            st.radio("Your answer", order, format_func=texts.get, key=f"{key}_choice",
                     index=order.index(answer.option) if locked else None, disabled=locked)
        else:
            say("quiz_multi_hint")
            for oid in order:
                st.checkbox(texts[oid], key=f"{key}_{oid}", disabled=locked,
                            value=locked and oid in answer.options)
    elif question.type == "matching":
        rights = {p.id: plain(p.right) for p in question.pairs}
        chosen = answer.as_dict() if locked else {}
        for pair in question.pairs:
            st.selectbox(plain(pair.left), order, format_func=rights.get, key=f"{key}_{pair.id}",
                         index=order.index(chosen[pair.id]) if locked else None,
                         placeholder="Choose the match", disabled=locked)
    else:
        texts = {o.id: plain(o.text) for o in question.why}
        st.radio("True or false?", [True, False], format_func=lambda v: "True" if v else "False",
                 key=f"{key}_verdict", index=(0 if answer.verdict else 1) if locked else None,
                 horizontal=True, disabled=locked)
        st.radio("Why?", order, format_func=texts.get, key=f"{key}_why",
                 index=order.index(answer.why) if locked else None, disabled=locked)
    if quiz.cbm:
        labels = (fill("quiz_confidence_1", "1"), fill("quiz_confidence_2", "2"),
                  fill("quiz_confidence_3", "3"))
        st.radio(fill("quiz_confidence_question", "Certainty"), [1, 2, 3],
                 format_func=lambda c: labels[c - 1], key=f"{key}_confidence",
                 index=response.confidence - 1 if locked else None, disabled=locked)


def show_feedback(question, response) -> None:
    unit = "quiz_marks_one" if abs(response.marks) == 1 else "quiz_marks_many"
    marks = fill(unit, f"{response.marks:+d}", marks=response.marks)
    if response.correct:
        st.success(fill("quiz_feedback_right", marks, marks=marks), icon="✅")
    else:
        st.warning(fill("quiz_feedback_wrong", marks, marks=marks), icon="❌")
    say("quiz_locked_note")
    for item in feedback(question, response.answer):
        icon, status = STATUS[item.status]
        expected = ""
        if item.expected and item.status == "wrong":
            expected = " " + fill("quiz_belongs_with", f"({plain(item.expected)})",
                                  expected=plain(item.expected))
        st.markdown(f"{icon} **{plain(item.text)}**{expected} · _{status}_  \n"
                    f"{plain(item.feedback)}")
    if question.explanation:
        st.info(plain(question.explanation))


@st.fragment
def quiz_body() -> None:
    """The quiz as it stands (a question, or the results), then save and resume."""
    quiz = state.QUIZ_STATE.get()
    if quiz is None:
        say("quiz_start_hint", st.info)
    else:
        if state.QUIZ_CURRENT.get() not in quiz.question_ids:
            state.QUIZ_CURRENT.set(quiz.next_question.id if quiz.next_question else None)
        if state.QUIZ_CURRENT.get() is not None:
            question_panel(quiz, state.QUIZ_CURRENT.get())
        else:
            show_results(quiz)
    st.divider()
    save_and_resume(state.QUIZ_STATE.get())
    keep_in_browser(state.QUIZ_STATE.get())  # last: it draws nothing, so no gap shows


def question_panel(quiz, current: str) -> None:
    """The current question, its answer form and its feedback."""
    question = quiz.question(current)
    number = quiz.question_ids.index(current) + 1
    total = len(quiz.questions)
    st.progress(len(quiz.responses) / total,
                text=fill("quiz_progress", f"{number} / {total}", number=number, total=total,
                          answered=len(quiz.responses)))
    st.subheader(f"Question {number}" + (f" · attempt {len(quiz.earlier) + 1}"
                                          if quiz.earlier else ""))
    st.caption(f"Topic: {bank().topic(question.topic).title}" if bank().has_topic(question.topic)
               else question.topic)
    if is_live(question):
        say("quiz_live_note", st.info)
    if quiz.cbm:
        say("quiz_cbm_help")
    st.markdown(plain(question.text))
    response = quiz.response(current)
    key = f"quiz_{state.QUIZ_ROUND.get()}_{current}"
    with st.form(f"quiz_form_{key}"):
        answer_widgets(quiz, question, key, response)
        st.form_submit_button("Submit answer", disabled=response is not None,
                              on_click=on_submit, args=(current, key))
    if response is None:
        incomplete = state.QUIZ_INCOMPLETE.get()
        if incomplete and incomplete[0] == current:
            if incomplete[1]:
                st.warning(incomplete[1])
            else:
                say("quiz_incomplete_answer", st.warning)
        return
    show_feedback(question, response)
    following = quiz.next_question
    if following is not None:
        st.button("Next question", on_click=go_to, args=(following.id,))
    else:
        st.button("See your results", on_click=go_to, args=(None,))


def show_results(quiz) -> None:
    st.subheader("Results")
    show_score(quiz)
    say("quiz_results_intro")
    if quiz.earlier:
        show_attempts(quiz)
        st.markdown("**By topic, over every attempt**")
    scores = topic_scores(quiz, bank())
    st.dataframe(pd.DataFrame(
        [{"Topic": t.title, "Questions": t.total, "Answered": t.answered, "Right": t.correct,
          "Marks": t.marks, "Right (%)": round(t.percent, 1), "Mastery": t.level}
         for t in scores]), hide_index=True, width="stretch")
    show(mastery_chart(scores))
    missed = mistakes(quiz, bank())
    st.subheader("Review your mistakes")
    if not missed:
        say("quiz_no_mistakes")
    for m in missed:
        with st.expander(plain(f"{m.topic_title}: {m.question.text[:90]}")):
            st.markdown(plain(m.question.text))
            show_feedback(m.question, m.response)
    st.button("Retry what I missed", on_click=on_retry, disabled=not missed)
    send_panel(quiz)


def show_score(quiz) -> None:
    """The latest attempt's score as a share of the most it could earn, and how the marks work."""
    latest = attempt_scores(quiz)[-1]
    left, right = st.columns(2)
    left.metric("Score (% of the maximum)" if not quiz.earlier else "Score, this attempt",
                f"{latest.percent:.0f}%")
    left.caption(fill("quiz_score_marks", f"{latest.score} of {latest.max_score} marks",
                      score=latest.score, max_score=latest.max_score))
    right.metric("Right answers", f"{latest.correct} of {latest.questions}")
    if quiz.cbm:
        fairly, very = certainty_thresholds()
        line = fill("quiz_cbm_score", fairly=fairly, very=very, source=cite(CBM_SOURCE))
        if line:
            st.caption(line)


def show_attempts(quiz) -> None:
    """Every attempt, first to latest: a retry adds a row, it never replaces the first try."""
    st.markdown("**Every attempt**")
    st.dataframe(pd.DataFrame(
        [{"Attempt": a.number, "Questions": a.questions, "Right": a.correct,
          "Marks": f"{a.score} of {a.max_score}", "Score (% of max)": round(a.percent)}
         for a in attempt_scores(quiz)]), hide_index=True, width="stretch")


def save_and_resume(quiz) -> None:
    st.subheader("Save or resume")
    say("quiz_save_help")
    if quiz is not None:
        try:
            progress = progress_to_json(quiz)
        except ProgressError as error:
            st.info(str(error))
        else:
            st.download_button("Download progress (JSON)", progress, key="quiz_dl_progress",
                               file_name="cellular-attention-quiz-progress.json",
                               mime="application/json", on_click="ignore")
        st.download_button("Download results (CSV)", results_to_csv(quiz, bank(), references=site_content().references),
                           key="quiz_dl_results", file_name="cellular-attention-quiz-results.csv",
                           mime="text/csv", on_click="ignore")
    uploaded = st.file_uploader("Resume from a progress file", type=["json"],
                                key=f"quiz_upload_{state.QUIZ_UPLOAD_ROUND.get()}")
    if uploaded is not None:
        state.QUIZ_UPLOAD_MESSAGE.set(apply_uploaded(uploaded.getvalue()))
        state.QUIZ_UPLOAD_ROUND.set(state.QUIZ_UPLOAD_ROUND.get() + 1)  # each file applied once
        rerun_with_settings()  # the whole page: the sidebar, the note at the top
    problem = state.QUIZ_UPLOAD_MESSAGE.get()
    if problem is not None:  # a refused file: said here, by the uploader the student used
        state.QUIZ_UPLOAD_MESSAGE.reset()
        st.error(problem)
    blocked = state.QUIZ_STORE_BLOCKED.get()
    say(blocked or "quiz_store_help", st.warning if blocked else st.caption)
    if quiz is not None or state.QUIZ_STORE_REFUSED.get():
        st.button("End this quiz and clear it from this browser", on_click=on_clear)
    if state.QUIZ_STORE_CLEARED.get():
        state.QUIZ_STORE_CLEARED.reset()
        say("quiz_store_cleared", st.success)


# ------------------------------------------------------------------- the copy in the browser

def _request_token() -> str:
    """The session's own token: the browser hands back its copy once per token."""
    token = state.QUIZ_STORE_REQUEST.get()
    if token is None:
        token = secrets.token_hex(8)
        state.QUIZ_STORE_REQUEST.set(token)
    return token


def _stored(quiz) -> tuple[str, str] | None:
    """(revision, text): the quiz as a progress file, made once per quiz state rather than once
    per rerun; None for a quiz that no file can hold (it is not kept either)."""
    made = state.QUIZ_STORE_TEXT.get()
    if made is not None and made[0] is quiz:
        return made[1]
    try:
        text = progress_to_json(quiz)
    except ProgressError:
        stored = None
    else:
        stored = (hashlib.sha256(text.encode()).hexdigest()[:16], text)
    state.QUIZ_STORE_TEXT.set((quiz, stored))
    return stored


def _wanted(quiz) -> tuple[str, str | None] | None:
    """(revision, text) the browser should hold: the quiz, nothing once the student cleared it,
    or None to leave the browser's copy alone (no quiz here yet, or a browser that refuses)."""
    if state.QUIZ_STORE_BLOCKED.get():
        return None  # this browser refuses: asking again would only fail again
    if quiz is not None:
        return _stored(quiz)
    return ("cleared", None) if state.QUIZ_STORE_CLEAR.get() else None


def keep_in_browser(quiz) -> None:
    """Ask the browser for its copy (once per session), and send it the quiz only when it
    changed: an unchanged rerun sends a 16-character token and revision, nothing more."""
    wanted = _wanted(quiz)
    revision, save = wanted if wanted is not None else (None, UNCHANGED)
    if revision is not None and revision == state.QUIZ_STORE_SENT.get():
        save = UNCHANGED
    events = browser_store(key="quiz_store", name=STORE_NAME, request=_request_token(),
                           revision=revision, save=save)
    if save is not UNCHANGED:
        state.QUIZ_STORE_SENT.set(revision)
    if events.failed is not None:
        state.QUIZ_STORE_BLOCKED.set("quiz_store_write_failed")
    if events.loaded is not None and took_browser_copy(events.loaded):
        rerun_with_settings()  # the whole page: the restored setup, the note at the top
    heard = events.failed is not None or events.loaded is not None
    if heard and state.QUIZ_STORE_BLOCKED.get():
        rerun_with_settings()  # once, so the save section above says the browser refuses


def took_browser_copy(payload) -> bool:
    """Handle the browser's copy: restore it, or note why not. True when the page must be
    drawn again (a quiz was restored, or there is something to say)."""
    if not isinstance(payload, dict) or payload.get("request") != state.QUIZ_STORE_REQUEST.get():
        return False  # not an answer to this session
    text, problem = payload.get("text"), payload.get("problem")
    if problem is not None:
        state.QUIZ_STORE_BLOCKED.set("quiz_store_unavailable")  # said by the save section
        return False
    if state.QUIZ_STATE.get() is not None:
        return False  # a quiz started here since the page opened is newer: it replaces the copy
    try:
        if not isinstance(text, str):
            raise ProgressError("The saved copy is not text.")
        restored = restored_from(text)
    except ProgressError as error:
        state.QUIZ_STORE_REFUSED.set(True)
        notice("warning", "quiz_store_refused", problem=plain(str(error)))
        return True
    restore(restored, "quiz_store_restored")
    return True
