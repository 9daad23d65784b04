"""The Quiz page's glue: it wires widgets to the pure quiz state machine in ``lib.quiz``.

The quiz in progress is one frozen ``QuizState`` in the session (ui.state.QUIZ_STATE). The
quiz itself (question or results, then save and resume) is a fragment: answering a question
reruns it alone, not the sidebar and the page around it.
"""

from __future__ import annotations

import re

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
from lib.quiz.live import LiveError, LiveSpec, build_live, live_query, live_questions
from lib.quiz.session import add_live
from ui import state
from ui.cache import attention
from ui.charts import show
from ui.classroom import send_panel
from ui.text import message, site_content

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


# ------------------------------------------------------------------------------ state changes

def start_quiz() -> None:
    """Build a new quiz from the sidebar settings (and, if asked, the student's prompt)."""
    try:
        quiz = new_quiz(bank(), topics=state.QUIZ_TOPICS.get(),
                        length=int(state.QUIZ_LENGTH.get()), seed=int(state.QUIZ_SEED.get()),
                        cbm=bool(state.QUIZ_CBM.get()))
    except QuizError as error:
        st.error(str(error))
        return
    state.QUIZ_LIVE_NOTE.reset()
    if state.QUIZ_LIVE.get():
        quiz = add_prompt_questions(quiz)
    replace_quiz(quiz)


def add_prompt_questions(quiz):
    prompt = state.PROMPT.get()
    result = attention(prompt)
    if result is None:
        state.QUIZ_LIVE_NOTE.set("quiz_live_unavailable")
        return quiz
    query = live_query(result, level=state.LEVEL.get(), query=state.QUERY.get())
    made = live_questions(result, prompt=prompt, layer=int(state.LAYER.get()),
                          head=state.head_choice(), temperature=float(state.TEMPERATURE.get()),
                          query=query)
    if not made:
        state.QUIZ_LIVE_NOTE.set("quiz_live_none")
    for question in made:
        if question.id not in quiz.question_ids:
            quiz = add_live(quiz, question)
    return quiz


def replace_quiz(quiz) -> None:
    state.QUIZ_STATE.set(quiz)
    state.QUIZ_CURRENT.reset()
    state.QUIZ_ROUND.set(state.QUIZ_ROUND.get() + 1)  # fresh widget keys: no answer carries over


def rebuild_live(spec: LiveSpec):
    """Recompute a saved live question from the real model (used when resuming from a file)."""
    result = attention(spec.prompt)
    if result is None:
        raise LiveError("the model could not run on the saved prompt")
    return build_live(spec, result)


def apply_uploaded(data: bytes) -> str | None:
    """Resume from an uploaded progress file. On any problem return the message and change
    nothing; on success replace the quiz and return None."""
    try:
        restored = progress_from_json(data, bank(), rebuild_live=rebuild_live)
    except ProgressError as error:
        return str(error)
    replace_quiz(restored)
    return None


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
    quiz = state.QUIZ_STATE.get()
    replace_quiz(retry_missed(quiz, seed=quiz.seed + 1))


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


def question_panel(quiz, current: str) -> None:
    """The current question, its answer form and its feedback."""
    question = quiz.question(current)
    number = quiz.question_ids.index(current) + 1
    total = len(quiz.questions)
    st.progress(len(quiz.responses) / total,
                text=fill("quiz_progress", f"{number} / {total}", number=number, total=total,
                          answered=len(quiz.responses)))
    st.subheader(f"Question {number}")
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
    left, right = st.columns(2)
    left.metric("Score", f"{quiz.score} / {quiz.max_score}")
    right.metric("Right answers", f"{quiz.n_correct} of {len(quiz.questions)}")
    say("quiz_results_intro")
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
        state.QUIZ_UPLOAD_MESSAGE.set(("done", apply_uploaded(uploaded.getvalue())))
        state.QUIZ_UPLOAD_ROUND.set(state.QUIZ_UPLOAD_ROUND.get() + 1)  # each file applied once
        st.rerun()  # show the restored quiz above
    outcome = state.QUIZ_UPLOAD_MESSAGE.get()
    if outcome is not None:
        state.QUIZ_UPLOAD_MESSAGE.reset()
        if outcome[1]:
            st.error(outcome[1])
        else:
            say("quiz_resume_success", st.success)
