"""The Quiz page in Debian chromium: take a short quiz, download results, resume and refuse files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from browser_support import ERROR_SELECTORS, assert_no_errors, rerun_after, wait_for_app
from lib.content import load_content
from lib.quiz.session import new_quiz

pytestmark = pytest.mark.browser
CONTENT = load_content(Path(__file__).resolve().parents[1] / "content")
BANK, TEXT = CONTENT.quiz, CONTENT.ui
TOPIC = "mech-masks"


def click_option(form, text: str) -> None:
    form.get_by_text(text, exact=True).first.click()


def answer(page, question, *, right: bool) -> None:
    """Click the options a student would, using the bank's own `correct` flags."""
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
    with rerun_after(page):  # choices inside a form start no run; submitting does
        form.get_by_role("button", name="Submit answer").click()


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
    assert "2 / 3" in page.locator("[data-testid=stMetric]").first.inner_text()
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
    assert "2 / 3" in page.locator("[data-testid=stMetric]").first.inner_text()
    assert page.locator("[data-testid=stException]").count() == 0 and not page.dialogs

    # a fresh session resumes from the file it downloaded
    page.goto(f"{server}/quiz")
    wait_for_app(page)
    file = tmp_path / "progress.json"
    file.write_text(saved, encoding="utf-8")
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(file))
    page.get_by_text("Progress restored from the file.").wait_for(timeout=30_000)
    wait_for_app(page)
    assert "2 / 3" in page.locator("[data-testid=stMetric]").first.inner_text()
    assert_no_errors(page)
