"""Quiz: one question at a time, locked answers with explained feedback, results, save and resume.

Thin page: the quiz itself is the pure state machine in ``lib.quiz``; this file lays it out and
wires widgets to it. Quiz state lives in ``st.session_state`` under ``quiz_*`` keys, so it
survives switching pages.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st

from lib.charts.palette import OKABE_ITO
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
from pages import _common as ui
from pages._site import require_entry

require_entry()

SETTINGS = {"quiz_topics": [], "quiz_length": 10, "quiz_cbm": False, "quiz_live": False,
            "quiz_seed": 1}
STATUS = {"right": ("✅", "your choice, correct"), "wrong": ("❌", "your choice, not correct"),
          "missed": ("☑️", "correct, not chosen"), "left_out": ("▫️", "not chosen, rightly")}
LEVELS = ["not started", "attempted", "familiar", "proficient"]
LEVEL_COLOURS = [OKABE_ITO[7], OKABE_ITO[5], OKABE_ITO[1], OKABE_ITO[2]]


def plain(text: str) -> str:
    """Escape Markdown (and Streamlit's $ maths) so text, including prompt tokens, shows as typed."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|$~])", r"\\\1", text)


def say(name: str, show=st.caption) -> None:
    ui.say(name, show)


def fill(name: str, fallback: str = "", **values) -> str:
    """The message ``name`` filled in with ``values`` (``fallback`` without ui.yaml)."""
    text = ui.message(name, **values)
    return fallback if text is None else text


# ------------------------------------------------------------------------------ state changes


def start_quiz() -> None:
    """Build a new quiz from the sidebar settings (and, if asked, the student's prompt)."""
    s = st.session_state
    try:
        state = new_quiz(BANK, topics=s["quiz_topics"], length=int(s["quiz_length"]),
                         seed=int(s["quiz_seed"]), cbm=bool(s["quiz_cbm"]))
    except QuizError as error:
        st.error(str(error))
        return
    s["quiz_live_note"] = None
    if s["quiz_live"]:
        state = add_prompt_questions(state)
    replace_quiz(state)


def add_prompt_questions(state):
    s = st.session_state
    result = ui.attention_for(s["prompt"])
    if result is None:
        s["quiz_live_note"] = "quiz_live_unavailable"
        return state
    query = live_query(result, level=s["level"], query=s.get("query"))
    made = live_questions(result, prompt=s["prompt"], layer=int(s["layer"]),
                          head=ui.head_choice(), temperature=float(s["temperature"]), query=query)
    if not made:
        s["quiz_live_note"] = "quiz_live_none"
    for question in made:
        if question.id not in state.question_ids:
            state = add_live(state, question)
    return state


def replace_quiz(state) -> None:
    s = st.session_state
    s["quiz_state"], s["quiz_current"] = state, None
    s["quiz_round"] = s.get("quiz_round", 0) + 1  # fresh widget keys: no answer carries over


def rebuild_live(spec: LiveSpec):
    """Recompute a saved live question from the real model (used when resuming from a file)."""
    result = ui.attention_for(spec.prompt)
    if result is None:
        raise LiveError("the model could not run on the saved prompt")
    return build_live(spec, result)


def apply_uploaded(data: bytes) -> str | None:
    """Resume from an uploaded progress file. On any problem return the message and change
    nothing; on success replace the quiz and return None."""
    try:
        restored = progress_from_json(data, BANK, rebuild_live=rebuild_live)
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
    s = st.session_state
    state = s["quiz_state"]
    question = state.question(question_id)
    answer = _answer_from_widgets(question, key)
    confidence = s.get(f"{key}_confidence") if state.cbm else None
    s["quiz_incomplete"] = None
    if answer is None or (state.cbm and confidence is None):
        s["quiz_incomplete"] = (question_id, None)
        return
    try:
        s["quiz_state"] = submit(state, question_id, answer, confidence=confidence)
    except QuizError as error:  # e.g. a match that uses one answer twice: say so, change nothing
        s["quiz_incomplete"] = (question_id, str(error))


def go_to(question_id: str | None) -> None:
    st.session_state["quiz_current"] = question_id


def on_retry() -> None:
    state = st.session_state["quiz_state"]
    replace_quiz(retry_missed(state, seed=state.seed + 1))


# ---------------------------------------------------------------------------------- rendering


def answer_widgets(state, question, key: str, response) -> None:
    """Inputs for one question: nothing pre-selected; once answered, locked on the answer."""
    locked = response is not None
    answer = response.answer if locked else None
    if locked:
        key = f"{key}_locked"
    order = display_order(state, question)
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
    if state.cbm:
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
        st.markdown(f"{icon} **{plain(item.text)}**{expected} · _{status}_  \n{plain(item.feedback)}")
    if question.explanation:
        st.info(plain(question.explanation))


def show_question(state, question_id: str) -> None:
    question = state.question(question_id)
    number = state.question_ids.index(question_id) + 1
    total = len(state.questions)
    st.progress(len(state.responses) / total,
                text=fill("quiz_progress", f"{number} / {total}", number=number, total=total,
                          answered=len(state.responses)))
    st.subheader(f"Question {number}")
    st.caption(f"Topic: {BANK.topic(question.topic).title}" if BANK.has_topic(question.topic)
               else question.topic)
    if is_live(question):
        say("quiz_live_note", st.info)
    if state.cbm:
        say("quiz_cbm_help")
    st.markdown(plain(question.text))
    response = state.response(question_id)
    key = f"quiz_{st.session_state['quiz_round']}_{question_id}"
    with st.form(f"quiz_form_{key}"):
        answer_widgets(state, question, key, response)
        st.form_submit_button("Submit answer", type="primary", disabled=response is not None,
                              on_click=on_submit, args=(question_id, key))
    if response is None:
        incomplete = st.session_state.get("quiz_incomplete")
        if incomplete and incomplete[0] == question_id:
            if incomplete[1]:
                st.warning(incomplete[1])
            else:
                say("quiz_incomplete_answer", st.warning)
        return
    show_feedback(question, response)
    following = state.next_question
    if following is not None:
        st.button("Next question", type="primary", on_click=go_to, args=(following.id,))
    else:
        st.button("See your results", type="primary", on_click=go_to, args=(None,))


def show_results(state) -> None:
    st.subheader("Results")
    left, right = st.columns(2)
    left.metric("Score", f"{state.score} / {state.max_score}")
    right.metric("Right answers", f"{state.n_correct} of {len(state.questions)}")
    say("quiz_results_intro")
    scores = topic_scores(state, BANK)
    table = pd.DataFrame(
        [{"Topic": t.title, "Questions": t.total, "Answered": t.answered, "Right": t.correct,
          "Marks": t.marks, "Right (%)": round(t.percent, 1), "Mastery": t.level} for t in scores]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    chart = alt.Chart(table).mark_bar().encode(
        x=alt.X("Right (%):Q", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("Topic:N", sort=None, title=None, axis=alt.Axis(labelLimit=280)),
        color=alt.Color("Mastery:N", scale=alt.Scale(domain=LEVELS, range=LEVEL_COLOURS)),
        tooltip=["Topic", "Right", "Questions", "Marks", "Mastery"],
    )
    ui.altair_chart(chart, alt="Bar chart of the share of right answers per topic, coloured by "
                    "mastery level.")
    missed = mistakes(state, BANK)
    st.subheader("Review your mistakes")
    if not missed:
        say("quiz_no_mistakes")
    for m in missed:
        with st.expander(plain(f"{m.topic_title}: {m.question.text[:90]}")):
            st.markdown(plain(m.question.text))
            show_feedback(m.question, m.response)
    st.button("Retry what I missed", on_click=on_retry, disabled=not missed)


def save_and_resume(state) -> None:
    st.subheader("Save or resume")
    say("quiz_save_help")
    if state is not None:
        try:
            progress = progress_to_json(state)
        except ProgressError as error:
            st.info(str(error))
        else:
            st.download_button("Download progress (JSON)", progress, key="quiz_dl_progress",
                               file_name="cellular-attention-quiz-progress.json",
                               mime="application/json", on_click="ignore")
        st.download_button("Download results (CSV)", results_to_csv(state, BANK, references=SITE.references),
                           key="quiz_dl_results", file_name="cellular-attention-quiz-results.csv",
                           mime="text/csv", on_click="ignore")
    s = st.session_state
    uploaded = st.file_uploader("Resume from a progress file", type=["json"],
                                key=f"quiz_upload_{s['quiz_upload_round']}")
    if uploaded is not None:
        error = apply_uploaded(uploaded.getvalue())
        s["quiz_upload_message"] = error
        s["quiz_upload_round"] += 1  # a fresh, empty uploader: each file is applied once
        st.rerun()  # show the restored quiz above
    if "quiz_upload_message" in s:
        error = s.pop("quiz_upload_message")
        if error:
            st.error(error)
        else:
            say("quiz_resume_success", st.success)


# ------------------------------------------------------------------------------------ the page

SITE = ui.site_content()
BANK = SITE.quiz
for key, value in SETTINGS.items():
    st.session_state.setdefault(key, value)
st.session_state.setdefault("quiz_state", None)
st.session_state.setdefault("quiz_round", 0)
st.session_state.setdefault("quiz_upload_round", 0)

wanted = st.query_params.get("topic")
if wanted and wanted != st.session_state.get("quiz_topic_param"):
    st.session_state["quiz_topic_param"] = wanted
    if BANK.has_topic(wanted):
        st.session_state["quiz_topics"] = [wanted]

bar = st.sidebar
bar.header("Quiz setup")
titles = {t.id: t.title for t in BANK.topics}
st.session_state["quiz_topics"] = [t for t in st.session_state["quiz_topics"] if t in titles]
bar.multiselect("Topics", list(titles), format_func=titles.get, placeholder="All topics",
                **ui.bind("quiz_topics"))
bar.number_input("Questions", 1, 50, step=1, help=ui.message("quiz_length_help"),
                 **ui.bind("quiz_length"))
bar.toggle("Certainty-based marking", help=ui.message("quiz_cbm_help"), **ui.bind("quiz_cbm"))
bar.toggle("Include questions about my prompt", help=ui.message("quiz_live_help"),
           **ui.bind("quiz_live"))
bar.number_input("Seed", 0, 2**31 - 1, step=1, help=ui.message("quiz_seed_help"),
                 **ui.bind("quiz_seed"))
start = bar.button("Start a new quiz", type="primary")

st.title("Quiz: test yourself")
if wanted and not BANK.has_topic(wanted):
    st.warning(fill("quiz_unknown_topic", wanted[:60], topic=wanted[:60]))
for problem in SITE.problems_in("quiz/", "ui.yaml"):
    st.warning(f"Part of the quiz content is broken and was skipped. {problem}")
if not BANK.questions:
    st.error("No quiz questions could be loaded; see the problems above.")
    st.stop()
say("quiz_intro", st.markdown)
if start:
    start_quiz()
if st.session_state.get("quiz_live_note"):
    say(st.session_state["quiz_live_note"], st.info)

state = st.session_state["quiz_state"]
if state is None:
    say("quiz_start_hint", st.info)
else:
    current = st.session_state.get("quiz_current")
    if current not in state.question_ids:
        current = state.next_question.id if state.next_question else None
    if current is not None:
        st.session_state["quiz_current"] = current
        show_question(state, current)
    else:
        show_results(state)
st.divider()
save_and_resume(st.session_state["quiz_state"])
