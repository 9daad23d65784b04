"""Anonymous class results through the app's pages (AppTest on the full app, SQLite store):
a teacher creates a class, students send finished quizzes from the results view, the teacher
sees the counts; a wrong key sees nothing; hostile codes get clear refusals; a result sent
during an outage is kept in the session, sent again, and counted once."""

from __future__ import annotations

from pathlib import Path

import pytest
from quiz_answers import wrong_answer
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from chart_data import charts, page_errors
from classroom_db import outage
from lib.classroom import classroom_text, new_code
from lib.classroom.schema import classes, submissions
from lib.content import load_content
from lib.quiz import new_quiz, submit
from lib.quiz.grading import correct_answer
from ui.classroom import plain, store

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
BANK = load_content(ROOT / "content").quiz
TEXT = classroom_text()
TOPIC, LENGTH, SEED = "mech-softmax", 3, 4
CODE_BOX = "_w_class_code"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """A fresh SQLite class store per test (the app's store is one per database URL)."""
    monkeypatch.setenv("CA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CA_DATABASE_URL", raising=False)
    return tmp_path / "data"


def finished_quiz(plan: list[bool]):
    """The class quiz, answered right or wrong per ``plan``, every answer with certainty 3."""
    quiz = new_quiz(BANK, topics=[TOPIC], length=LENGTH, seed=SEED, cbm=True)
    for question, right in zip(quiz.questions, plan, strict=True):
        answer = correct_answer(question) if right else wrong_answer(question)
        quiz = submit(quiz, question.id, answer, confidence=3)
    return quiz


def open_app(page: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    at.run(timeout=180)  # the first run in this process loads the model
    assert page_errors(at) == []
    return at


def student_with_results(plan: list[bool], **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["quiz_state"] = finished_quiz(plan)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/quiz.py")
    at.run(timeout=180)
    assert page_errors(at) == []
    assert any(h.value == "Send your answers to your class" for h in at.subheader)
    return at


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}: {[b.label for b in at.button]}"
    return found[0]


def send(at: AppTest, code: str) -> AppTest:
    at.text_input(key=CODE_BOX).set_value(code).run()  # as any client may send it
    if not button(at, "Send my answers (no name)").disabled:
        button(at, "Send my answers (no name)").click().run()
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def create_class(at: AppTest) -> tuple[str, str]:
    button(at, "Create a class").click().run()
    assert page_errors(at) == []
    code, key = (block.value for block in at.code)
    assert any("Write down the teacher key now" in s for s in texts(at, "success"))
    assert TEXT.message("key_once") in texts(at, "warning")
    return code, key


def open_class(at: AppTest, code: str, key: str) -> AppTest:
    at.text_input(key="class_open_code").input(code)
    at.text_input(key="class_open_key").input(key)
    button(at, "Show the results").click().run()
    return at


def count(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


# --- the whole flow ---------------------------------------------------------------------------


def test_a_teacher_creates_a_class_five_students_send_and_the_teacher_sees_the_counts():
    teacher = open_app("class")
    code, key = create_class(teacher)
    plans = [[True, True, False], [True, False, False], [False, True, True],
             [True, True, True], [False, False, False]]
    for plan in plans:
        student = send(student_with_results(plan), code)
        assert TEXT.message("sent_here", code=code) in texts(student, "success")
        assert button(student, "Send my answers (no name)").disabled  # sent once, not twice

    open_class(teacher, code, key)
    assert page_errors(teacher) == []
    metrics = {m.label: m.value for m in teacher.metric}
    assert metrics["Results sent"] == "5"
    quiz = finished_quiz(plans[0])
    shown = "\n".join(texts(teacher, "markdown"))
    for number, question in enumerate(quiz.questions):
        right = sum(plan[number] for plan in plans)
        sure_wrong = f", {5 - right} of them wrong with high certainty" if right < 5 else ""
        assert f"{right} of 5 right{sure_wrong}" in shown, question.id
        for option in getattr(question, "options", ()):  # single and multi: every option listed
            assert plain(option.feedback) in shown, (question.id, option.id)
        if question.type == "single":
            option = next(o for o in question.options if o.correct)
            assert f"- **{right}** × {plain(option.text)} · *✅ right*" in shown
    [mastery] = [c for c in charts(teacher) if "topics" in c.datasets]
    rows = mastery.frame()
    assert rows["answers"].tolist() == [5 * LENGTH]
    assert rows["right"].tolist() == [sum(sum(plan) for plan in plans)]
    [csv] = teacher.get("download_button")
    assert csv.proto.label == "Download the class results (CSV)"


def test_a_retry_after_sending_sends_nothing_more_and_the_class_counts_the_first_attempt():
    teacher = open_app("class")
    code, key = create_class(teacher)
    student = send(student_with_results([True, False, False]), code)
    button(student, "Retry what I missed").click().run()
    quiz = student.session_state["quiz_state"]
    assert len(quiz.earlier) == 1  # the retry is under way, the first attempt kept
    for question in quiz.questions:  # answer the two missed questions right this time
        quiz = submit(quiz, question.id, correct_answer(question), confidence=3)
    student.session_state["quiz_state"] = quiz
    button(student.run(), "See your results").click().run()
    assert button(student, "Send my answers (no name)").disabled  # already sent
    student.text_input(key=CODE_BOX).set_value(code.upper()).run()  # the same class, retyped
    assert button(student, "Send my answers (no name)").disabled
    with store().engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(submissions)) == 1
    open_class(teacher, code, key)
    assert {m.label: m.value for m in teacher.metric}["Results sent"] == "1"
    shown = "\n".join(texts(teacher, "markdown"))
    assert shown.count("0 of 1 right") == 2 and "1 of 1 right" in shown  # the first attempt


def test_a_wrong_key_sees_nothing_the_same_as_an_unknown_class():
    teacher = open_app("class")
    code, key = create_class(teacher)
    send(student_with_results([True, False, True]), code)
    refusal = TEXT.message("teacher_refused")
    for typed_code, typed_key in ((code, key[:-1] + ("a" if key[-1] != "a" else "b")),
                                  (new_code(), key), ("x' OR '1'='1", key), (code, "")):
        other = open_app("class")
        open_class(other, typed_code, typed_key)
        assert texts(other, "error") == [refusal]
        assert other.metric == [] and charts(other) == []
        assert "Each question, most-missed first" not in texts(other, "subheader")
        assert "class_report" not in other.session_state  # nothing fetched, nothing kept


def test_a_wrong_key_after_a_right_one_leaves_nothing_on_the_page():
    teacher = open_app("class")
    code, key = create_class(teacher)
    open_class(teacher, code, key)
    assert {m.label for m in teacher.metric} == {"Results sent", "Questions answered"}
    open_class(teacher, code, "aaaa-bbbb-cccc-dddd-eeee-ffff-gggg-hhhh")
    assert texts(teacher, "error") == [TEXT.message("teacher_refused")]
    assert teacher.metric == []


# --- students: hostile input, links, outages --------------------------------------------------


@pytest.mark.parametrize("typed", [
    "maple'; DROP TABLE classes; --",
    "' OR 1=1 --",
    "maple-otter-river-47" * 5_000,
    "<script>alert(1)</script>",
])
def test_malformed_codes_are_refused_with_the_code_format_and_never_reach_the_database(typed):
    teacher = open_app("class")
    create_class(teacher)
    before = (count(store(), classes), count(store(), submissions))
    student = send(student_with_results([True, True, True]), typed)
    assert texts(student, "error") == [TEXT.message("code_format",
                                                    example="maple-otter-river-47")]
    assert button(student, "Send my answers (no name)").disabled
    assert (count(store(), classes), count(store(), submissions)) == before
    assert "class" not in student.query_params  # the address keeps only a canonical code


def test_a_forged_code_is_refused_as_no_open_class():
    teacher = open_app("class")
    code, _ = create_class(teacher)
    forged = new_code()
    while forged == code:
        forged = new_code()
    student = send(student_with_results([True, False, True]), forged)
    assert texts(student, "error") == [TEXT.message("class_not_open")]
    assert student.session_state["class_pending"] == ()  # refused for good: nothing kept


def test_a_code_typed_any_way_is_kept_canonical_and_a_link_fills_it_in():
    teacher = open_app("class")
    code, _ = create_class(teacher)
    typed = code.replace("-", " ").upper()
    student = send(student_with_results([True, True, False]), typed)
    assert TEXT.message("sent_here", code=code) in texts(student, "success")
    assert student.query_params["class"] == code
    linked = student_with_results([True, True, False], **{"class": code})
    assert linked.text_input(key=CODE_BOX).value == code
    assert not button(linked, "Send my answers (no name)").disabled


def test_the_students_link_opens_the_lesson_quiz_with_the_code_filled_in():
    teacher = open_app("class")
    code, _ = create_class(teacher)
    links = [m.value for m in teacher.markdown if "Students' link" in m.value]
    assert links and f"class={code}" in links[0] and "cbm=1" in links[0]
    [copy] = [e for e in teacher.get("bidi_component") if '"path"' in e.proto.json
              and code in e.proto.json]
    assert "Copy the students' link" in copy.proto.json


def test_a_result_sent_during_an_outage_is_kept_sent_again_and_counted_once(request):
    teacher = open_app("class")
    code, key = create_class(teacher)
    student = student_with_results([True, False, True])
    with outage(store(), request):
        send(student, code)
        assert TEXT.message("store_unavailable") in texts(student, "warning")
        [pending] = student.session_state["class_pending"]
        sidebar = [w.value for w in student.sidebar.warning]
        assert sidebar == [TEXT.message("pending_waiting", code=code)]  # on every page
        button(student, "Send again").click().run()  # still down: kept, the same submission
        [again] = student.session_state["class_pending"]
        assert again.submission.submission_id == pending.submission.submission_id
    # back up: the sidebar's "Send again" sends it, once
    [retry] = [b for b in student.sidebar.button if b.label == "Send again"]
    retry.click().run()
    assert student.session_state["class_pending"] == ()
    assert TEXT.message("sent_here", code=code) in texts(student, "success")
    assert count(store(), submissions) == 1
    open_class(teacher, code, key)
    assert {m.label: m.value for m in teacher.metric}["Results sent"] == "1"
