"""The Quiz page in Debian chromium: take a short quiz, download results, resume and refuse files;
a reload or a new tab carries on from the copy in the browser; a retry keeps the history; an
upload sets the sidebar to the restored quiz and confirms it at the top of the page."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_support import (
    ERROR_SELECTORS,
    IDLE,
    assert_no_errors,
    open_page,
    rerun_after,
    wait_for_app,
)
from lib.content import load_content
from lib.quiz.grading import CBM_MARKS_RIGHT, CBM_MARKS_WRONG, correct_answer
from lib.quiz.progress import progress_to_json
from lib.quiz.session import new_quiz, submit

pytestmark = pytest.mark.browser
CONTENT = load_content(Path(__file__).resolve().parents[1] / "content")
BANK, TEXT = CONTENT.quiz, CONTENT.ui
TOPIC = "mech-masks"


def click_option(form, text: str) -> None:
    form.get_by_text(text, exact=True).first.click()


def answer(page, question, *, right: bool, confidence: int | None = None) -> None:
    """Click the options a student would, using the bank's own `correct` flags (and, with
    certainty-based marking, the certainty)."""
    form = page.locator("[data-testid=stForm]").first
    if question.type in ("single", "multi"):
        wanted = [o for o in question.options if o.correct == right]
        for option in wanted if question.type == "multi" else wanted[:1]:
            click_option(form, option.text)
    elif question.type == "true_false":
        verdict = question.verdict.correct if right else not question.verdict.correct
        click_option(form, "True" if verdict else "False")
        click_option(form, next(o.text for o in question.why if o.correct))
    else:
        pytest.fail("this quiz was chosen to have no matching question")
    if confidence is not None:
        click_option(form, TEXT.format(f"quiz_confidence_{confidence}"))
    with rerun_after(page):  # choices inside a form start no run; submitting does
        form.get_by_role("button", name="Submit answer").click()


def assert_score(page, *, percent: str, right: str) -> None:
    """The results' two figures: the score as a share of the maximum, and the right answers."""
    page.get_by_text("Review your mistakes").wait_for()  # the results are drawn
    values = "[data-testid=stMetricValue]"
    # the figures are drawn with the results: wait for them (on a timeout, say what shows)
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "([sel, want]) => { const v = [...document.querySelectorAll(sel)].map("
            "e => e.innerText.trim()); return v.length >= 2 && v[0] === want[0]"
            " && v[1] === want[1]; }", arg=[values, [percent, right]], polling=25,
            timeout=10_000)
    metrics = page.locator(values).all_inner_texts()
    assert metrics[:2] == [percent, right], metrics


def errors(page) -> list[str]:
    return page.locator(ERROR_SELECTORS).all_inner_texts()


def test_take_a_short_quiz_download_results_and_resume(server, page, tmp_path):
    expected = new_quiz(BANK, topics=[TOPIC], length=3, seed=1, cbm=False).questions
    assert {q.type for q in expected} <= {"single", "multi", "true_false"}
    page.goto(f"{server}/quiz?topic={TOPIC}")
    wait_for_app(page)
    assert_no_errors(page)
    questions = page.get_by_label("Questions", exact=True)
    questions.fill("3")
    questions.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Start a new quiz").click()
    wait_for_app(page)

    plan = [True, False, True]
    for number, (question, right) in enumerate(zip(expected, plan, strict=True), start=1):
        page.get_by_text(TEXT.format("quiz_progress", number=number, total=3,
                                     answered=number - 1)).wait_for()
        radios = page.locator("[data-testid=stForm] input[type=radio]:checked")
        assert radios.count() == 0  # nothing pre-selected
        answer(page, question, right=right)
        verdict = TEXT.messages["quiz_feedback_right" if right else "quiz_feedback_wrong"]
        page.get_by_text(verdict.split("{")[0], exact=False).first.wait_for()
        body = page.inner_text("body")
        options = question.options if question.type != "true_false" else question.why
        assert all(o.feedback[:50] in body for o in options)  # every option explained
        assert page.locator("[data-testid=stForm] button").first.is_disabled()
        assert_no_errors(page)
        label = "Next question" if number < 3 else "See your results"
        page.get_by_role("button", name=label).click()
        wait_for_app(page)

    page.get_by_text("Review your mistakes").wait_for()
    assert_score(page, percent="67%", right="2 of 3")
    assert_no_errors(page)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download results (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert [r["question_id"] for r in rows] == [q.id for q in expected]
    assert [r["correct"] for r in rows] == ["yes", "no", "yes"]
    assert [r["marks"] for r in rows] == ["1", "0", "1"]
    with page.expect_download() as download:
        page.get_by_role("button", name="Download progress (JSON)").click()
    saved = Path(download.value.path()).read_text("utf-8")
    doc = json.loads(saved)
    assert doc["questions"] == [q.id for q in expected] and len(doc["responses"]) == 3

    # a corrupt file: a clear error, and the results stay as they were
    uploader = page.locator("[data-testid=stFileUploader] input[type=file]")
    uploader.set_input_files(
        {"name": "progress.json", "mimeType": "application/json", "buffer": b"{broken"}
    )
    page.get_by_text("not valid JSON").wait_for(timeout=30_000)
    wait_for_app(page)
    (message,) = errors(page)
    assert "left untouched" in message
    assert_score(page, percent="67%", right="2 of 3")
    assert page.locator("[data-testid=stException]").count() == 0 and not page.dialogs

    # a fresh session (this browser kept the quiz, so it carries on) resumes from the file
    page.goto(f"{server}/quiz")
    page.get_by_text(TEXT.format("quiz_store_restored")).wait_for(timeout=30_000)
    wait_idle(page)
    file = tmp_path / "progress.json"
    file.write_text(saved, encoding="utf-8")
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(file))
    page.get_by_text("Progress restored from the file.").wait_for(timeout=30_000)
    wait_for_app(page)
    assert_score(page, percent="67%", right="2 of 3")
    assert_no_errors(page)


# ------------------------------------------------------------------ the copy in the browser

STORE = "cellular-attention:quiz-progress"  # the localStorage key of ui/components/browser_store


def stored(page) -> dict | None:
    text = page.evaluate("key => window.localStorage.getItem(key)", STORE)
    return None if text is None else json.loads(text)


def wait_stored(page, *, answers: int) -> None:
    """Until the browser's copy of the quiz holds ``answers`` answers (the app writes it)."""
    page.wait_for_function(
        "([key, n]) => { const t = window.localStorage.getItem(key);"
        " return t !== null && JSON.parse(t).responses.length === n; }",
        arg=[STORE, answers], polling=25, timeout=30_000)


def wait_idle(page) -> None:
    page.wait_for_function(IDLE, polling=25, timeout=60_000)


def begin(page, server: str, *, length: int, seed: int, cbm: bool) -> None:
    """Open the quiz with this setup (from the link) and start it."""
    page.goto(f"{server}/quiz?topic={TOPIC}&length={length}&seed={seed}&cbm={int(cbm)}")
    wait_for_app(page)
    page.get_by_role("button", name="Start a new quiz").click()
    wait_for_app(page)


def next_question(page, label: str = "Next question") -> None:
    page.get_by_role("button", name=label).click()
    wait_for_app(page)


def test_a_reload_or_a_new_tab_keeps_the_answers_and_certainty(server, browser):
    expected = new_quiz(BANK, topics=[TOPIC], length=3, seed=1, cbm=True).questions
    context, page = open_page(browser)
    try:
        begin(page, server, length=3, seed=1, cbm=True)
        answer(page, expected[0], right=True, confidence=3)
        next_question(page)
        answer(page, expected[1], right=False, confidence=2)
        wait_stored(page, answers=2)
        assert stored(page)["questions"] == [q.id for q in expected]

        page.reload()
        page.get_by_text(TEXT.format("quiz_store_restored")).wait_for(timeout=30_000)
        wait_idle(page)
        assert_no_errors(page)
        page.get_by_text(TEXT.format("quiz_progress", number=3, total=3, answered=2)).wait_for()

        tab = context.new_page()  # a new tab of the same browser carries on too
        tab.goto(f"{server}/quiz")
        tab.get_by_text(TEXT.format("quiz_store_restored")).wait_for(timeout=30_000)
        wait_idle(tab)
        tab.get_by_text(TEXT.format("quiz_progress", number=3, total=3, answered=2)).wait_for()
        tab.close()

        answer(page, expected[2], right=True, confidence=1)
        next_question(page, "See your results")
        marks = CBM_MARKS_RIGHT[3] + CBM_MARKS_WRONG[2] + CBM_MARKS_RIGHT[1]
        assert_score(page, percent=f"{round(100 * marks / 9)}%", right="2 of 3")
        # the sidebar shows the quiz's setup after the reload
        assert page.get_by_role("switch", name="Certainty-based marking").is_checked()
        assert page.get_by_label("Questions", exact=True).input_value() == "3"

        # "Start a new quiz" replaces the browser's copy
        page.get_by_label("Seed", exact=True).fill("7")
        page.get_by_label("Seed", exact=True).press("Enter")
        wait_for_app(page)
        page.get_by_role("button", name="Start a new quiz").click()
        wait_for_app(page)
        page.wait_for_function(
            "key => { const t = window.localStorage.getItem(key);"
            " return t !== null && JSON.parse(t).seed === 7; }", arg=STORE, polling=25)
        assert stored(page)["responses"] == [] and stored(page)["earlier"] == []
        assert_no_errors(page)
    finally:
        context.close()


def test_a_corrupted_copy_in_the_browser_is_explained_ignored_and_can_be_cleared(server, page):
    page.goto(f"{server}/quiz")
    wait_for_app(page)
    page.evaluate("key => window.localStorage.setItem(key, '{\"format\": \"cellular-att')",
                  STORE)
    page.reload()
    note = page.get_by_text("A quiz kept in this browser could not be restored")
    note.wait_for(timeout=30_000)
    wait_idle(page)
    assert "cut off" in note.inner_text()  # the same plain words an uploaded file gets
    assert page.locator("[data-testid=stException]").count() == 0 and not page.dialogs
    page.get_by_text(TEXT.format("quiz_start_hint").split(".")[0]).wait_for()  # no quiz

    page.get_by_role("button", name="End this quiz and clear it from this browser").click()
    wait_for_app(page)
    page.get_by_text(TEXT.format("quiz_store_cleared")).wait_for()
    page.wait_for_function("key => window.localStorage.getItem(key) === null", arg=STORE,
                           polling=25)
    page.reload()
    wait_for_app(page)
    assert page.get_by_text("could not be restored").count() == 0
    assert_no_errors(page)


BLOCKED_STORAGE = """
Object.defineProperty(window, "localStorage", {
  get() { throw new DOMException("The site's storage is blocked.", "SecurityError"); },
});
"""


def test_a_browser_that_blocks_storage_gets_a_note_and_a_working_quiz(server, browser):
    context, page = open_page(browser)
    context.add_init_script(BLOCKED_STORAGE)  # as with cookies and site data blocked
    try:
        page.goto(f"{server}/quiz?topic={TOPIC}&length=2&seed=1")
        page.get_by_text(TEXT.format("quiz_store_unavailable")[:40]).wait_for(timeout=30_000)
        wait_idle(page)
        page.get_by_role("button", name="Start a new quiz").click()
        wait_for_app(page)
        question = new_quiz(BANK, topics=[TOPIC], length=2, seed=1, cbm=False).questions[0]
        answer(page, question, right=True)
        page.get_by_text(TEXT.format("quiz_progress", number=1, total=2, answered=1)).wait_for()
        assert page.get_by_text(TEXT.format("quiz_store_unavailable")[:40]).count() == 1
        assert_no_errors(page)
    finally:
        context.close()


# ------------------------------------------------------------------------ a retry's history


def test_a_retry_keeps_the_first_attempt_in_the_results_and_the_files(server, page, tmp_path):
    expected = new_quiz(BANK, topics=[TOPIC], length=3, seed=1, cbm=False).questions
    begin(page, server, length=3, seed=1, cbm=False)
    for number, (question, right) in enumerate(zip(expected, [True, False, True],
                                                   strict=True), start=1):
        answer(page, question, right=right)
        next_question(page, "Next question" if number < 3 else "See your results")
    page.get_by_role("button", name="Retry what I missed").click()
    wait_for_app(page)
    page.get_by_text(TEXT.format("quiz_progress", number=1, total=1, answered=0)).wait_for()
    answer(page, expected[1], right=True)
    next_question(page, "See your results")

    assert_score(page, percent="100%", right="1 of 1")  # the retry itself
    assert page.get_by_text("Score, this attempt").count() == 1
    # the chart counts both attempts: 3 of 4 answers right in this one topic
    chart = page.locator("[data-testid=stVegaLiteChart]").first
    chart.get_by_text("75%", exact=True).wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download results (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert [(r["attempt"], r["question_id"], r["correct"]) for r in rows] == [
        ("1", expected[0].id, "yes"), ("1", expected[1].id, "no"), ("1", expected[2].id, "yes"),
        ("2", expected[1].id, "yes")]
    # the browser's copy holds the whole history too, and a reload shows it again
    wait_stored(page, answers=1)
    assert len(stored(page)["earlier"]) == 1
    page.reload()
    page.get_by_text(TEXT.format("quiz_store_restored")).wait_for(timeout=30_000)
    wait_idle(page)
    page.locator("[data-testid=stVegaLiteChart]").first.get_by_text("75%", exact=True).wait_for()
    assert_no_errors(page)


# ------------------------------------------------------------------------------ an upload


def test_an_upload_sets_the_controls_and_confirms_at_the_top(server, page, tmp_path):
    saved = new_quiz(BANK, topics=[TOPIC], length=3, seed=2, cbm=True)
    first = saved.questions[0]
    saved = submit(saved, first.id, correct_answer(first), confidence=2)
    file = tmp_path / "progress.json"
    file.write_text(progress_to_json(saved), encoding="utf-8")

    page.goto(f"{server}/quiz")  # the default setup: all topics, 10 questions, seed 1, plain
    wait_for_app(page)
    assert not page.get_by_role("switch", name="Certainty-based marking").is_checked()
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(file))
    confirmation = page.locator("[data-testid=stAlert]", has_text=TEXT.format(
        "quiz_resume_success"))
    confirmation.wait_for(timeout=30_000)
    wait_idle(page)
    assert_no_errors(page)

    assert page.get_by_role("switch", name="Certainty-based marking").is_checked()
    assert not page.get_by_role("switch", name="Include questions about my prompt").is_checked()
    assert page.get_by_label("Seed", exact=True).input_value() == "2"
    assert page.get_by_label("Questions", exact=True).input_value() == "3"
    topics = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]")
    assert BANK.topic(TOPIC).title in topics.inner_text()
    assert "seed=2" in page.url and "cbm=1" in page.url  # and the link says the same

    # at the top: right under the title, above the intro and the restored question
    title = page.locator("h1", has_text="Quiz: test yourself").bounding_box()
    top = confirmation.bounding_box()
    question = page.get_by_text(TEXT.format("quiz_progress", number=2, total=3,
                                            answered=1)).bounding_box()
    intro = page.get_by_text(TEXT.format("quiz_intro")[:40]).bounding_box()
    assert title["y"] < top["y"] < intro["y"] < question["y"]
