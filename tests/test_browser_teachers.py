"""The teacher kit in Debian chromium: "Copy a link to this setup" copies a link that restores
every setting in a fresh browser (Explore and the quiz), or shows it to copy by hand; the print
view of the guide and of the worksheet is clean (Chromium's page.pdf, read back with pypdf);
a teacher creates a class, five students send their quiz answers and the teacher sees the
counts; a wrong key sees nothing."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from browser_support import (
    assert_no_errors,
    open_page,
    rerun_after,
    serving,
    wait_for_app,
)
from lib.classroom import classroom_text
from lib.content import load_content
from lib.quiz import new_quiz
from lib.quiz.grading import correct_answer

pytestmark = pytest.mark.browser
CONTENT = load_content(Path(__file__).resolve().parents[1] / "content")
BANK, UI = CONTENT.quiz, CONTENT.ui
TEXT = classroom_text()
COPY = "Copy a link to this setup"
TOPIC = "mech-softmax"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app as `make run` starts it, keeping class results in a folder of its own."""
    data = tmp_path_factory.mktemp("class-data")
    with serving(env={"CA_DATA_DIR": str(data)}) as (_, url):
        yield url


def visit(browser, url: str, *, clipboard: bool = True, origin: str | None = None):
    context, page = open_page(browser)
    if clipboard:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page.goto(url)
    wait_for_app(page)
    assert_no_errors(page)
    return context, page


def copy_link(page) -> str:
    """Click the sidebar's copy button (no rerun: it runs in the browser) and read the
    clipboard once the button confirms."""
    page.locator("[data-testid=stSidebar]").get_by_role("button", name=COPY).click()
    status = page.locator("[data-testid=stSidebar] .ca-copy-status")
    status.filter(has_text=UI.messages["copy_link_done"]).wait_for()
    assert status.get_attribute("role") == "status"  # announced by screen readers
    return page.evaluate("navigator.clipboard.readText()")


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


# --- configured links ---------------------------------------------------------------------------


def test_a_copied_explore_link_restores_every_setting_in_a_fresh_browser(app, browser):
    link = ("/?prompt=Paris+Hilton+news&query=Hilton&level=word&layer=4&head=7&temperature=0.5"
            "&special=reservoir&experiment=copies&seed=12&copies=5&penalty=2.5")
    context, page = visit(browser, app + link, origin=app)
    layer = page.get_by_role("slider", name="Layer")
    layer.focus()
    with rerun_after(page):
        layer.press("ArrowLeft")  # a change made on the page, after the link was opened
    with rerun_after(page):  # and one inside a fragment, whose rerun skips the site's end
        page.get_by_text("Time to converge", exact=True).click()
    copied = copy_link(page)
    assert copied == page.url
    settings = query(copied)
    assert settings == {"prompt": "Paris Hilton news", "query": settings["query"],
                        "level": "word", "layer": "3", "head": "7", "temperature": "0.5",
                        "special": "reservoir", "experiment": "convergence", "seed": "12",
                        "copies": "5", "penalty": "2.5"}
    context.close()

    context, fresh = visit(browser, copied, clipboard=False)
    assert query(fresh.url) == settings  # the new session holds exactly the copied setup
    # the browser draws a finished run's elements a moment later: expect() waits for them
    expect(fresh.get_by_label("Prompt", exact=True)).to_have_value("Paris Hilton news")
    for name, value in (("Layer", "3"), ("Head (TF species)", "7"), ("Temperature (kT)", "0.5")):
        expect(fresh.get_by_role("slider", name=name)).to_have_value(value)
    expect(fresh.get_by_label("Random seed", exact=True)).to_have_value("12")
    expect(fresh.get_by_role("radio", name="One head")).to_be_checked()
    expect(fresh.get_by_role("radio", name="Unbound reservoir")).to_be_checked()
    expect(fresh.get_by_role("combobox", name=re.compile("^Query token"))).to_have_value(
        re.compile(r": Hilton$"))
    assert_no_errors(fresh)
    context.close()


def test_a_copied_quiz_link_restores_topics_length_seed_marking_live_and_class(app, browser):
    link = ("/quiz?topics=mech-softmax,lim-normalization&length=4&seed=9&cbm=1&live=1"
            "&class=maple-otter-river-47")
    context, page = visit(browser, app + link, origin=app)
    copied = copy_link(page)
    settings = query(copied)
    assert settings == {"topics": "mech-softmax,lim-normalization", "length": "4", "seed": "9",
                        "cbm": "1", "live": "1", "class": "maple-otter-river-47"}
    context.close()

    context, fresh = visit(browser, copied, clipboard=False)
    assert query(fresh.url) == settings
    sidebar = fresh.locator("[data-testid=stSidebar]")
    titles = {t.id: t.title for t in BANK.topics}
    chosen = sidebar.locator("[data-testid=stMultiSelect]")
    expect(chosen).to_contain_text(titles["mech-softmax"])
    expect(chosen).to_contain_text(titles["lim-normalization"])
    expect(sidebar.get_by_label("Questions", exact=True)).to_have_value("4")
    expect(sidebar.get_by_label("Seed", exact=True)).to_have_value("9")
    expect(sidebar.get_by_role("switch", name="Certainty-based marking")).to_be_checked()
    expect(sidebar.get_by_role("switch", name="Include questions about my prompt")
           ).to_be_checked()
    assert_no_errors(fresh)
    context.close()


def test_without_a_clipboard_the_link_is_shown_selected_to_copy_by_hand(app, browser):
    context, page = open_page(browser)
    context.add_init_script("delete Navigator.prototype.clipboard;")
    page.goto(f"{app}/context?layer=1&reading=column")
    wait_for_app(page)
    page.locator("[data-testid=stSidebar]").get_by_role("button", name=COPY).click()
    field = page.locator("[data-testid=stSidebar] .ca-copy-field")
    field.wait_for()
    assert field.input_value() == page.url and "reading=column" in page.url
    assert field.get_attribute("readonly") is not None
    status = page.locator("[data-testid=stSidebar] .ca-copy-status").inner_text()
    assert status == UI.messages["copy_link_fallback"]
    assert page.evaluate("() => { const f = document.activeElement?.shadowRoot?.activeElement;"
                         " return f ? f.value.slice(f.selectionStart, f.selectionEnd) : ''; }"
                         ) == page.url  # selected, ready for Ctrl+C
    assert_no_errors(page)
    context.close()


# --- print view -------------------------------------------------------------------------------


def pdf_text(page) -> tuple[str, int]:
    """The PDF's text (ligatures such as "ﬀ" unfolded, whitespace as single spaces) and its
    page count."""
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=False)))
    text = " ".join(p.extract_text() for p in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)), len(reader.pages)


SCREEN_ONLY = ("Test yourself", "For teachers", COPY, "View to print", "Guide for the teacher",
               "Worksheet for students", UI.messages["copy_link_field"])


def test_the_print_view_of_the_guide_is_clean_and_complete(app, browser):
    guide = CONTENT.teachers
    context, page = visit(browser, f"{app}/teachers", clipboard=False)
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()  # drawn to the end
    flat, pages = pdf_text(page)
    assert pages > 3  # the whole guide, not the first screenful
    for heading in ("Teacher guide", "Learning objectives by page", "Pre-reading",
                    guide.lesson.title, "Anonymous class results", "Link parameters", "Sources"):
        assert heading in flat, heading
    for activity in guide.lesson.activities:
        assert activity.title in flat, activity.title
    assert "teachers?view=worksheet" in flat  # the last row of the parameter table
    for widget in SCREEN_ONLY:
        assert widget not in flat, widget
    context.close()


def test_the_print_view_of_the_worksheet_has_objectives_tasks_and_lines_only(app, browser):
    sheet = CONTENT.teachers.worksheet
    context, page = visit(browser, f"{app}/teachers?view=worksheet", clipboard=False)
    expect(page.locator(".ca-line")).to_have_count(sum(t.lines for t in sheet.tasks))
    flat, _ = pdf_text(page)
    assert sheet.title in flat and "Objectives" in flat and "Tasks" in flat
    for task in sheet.tasks:
        assert re.sub(r"\s+", " ", task.text)[:60] in flat
    for widget in SCREEN_ONLY:
        assert widget not in flat, widget
    assert "Learning objectives by page" not in flat  # the worksheet alone
    context.close()


# --- anonymous class results ----------------------------------------------------------------------


def no_matching_seed(length: int) -> int:
    return next(seed for seed in range(1, 200) if all(
        q.type != "matching"
        for q in new_quiz(BANK, topics=[TOPIC], length=length, seed=seed, cbm=False).questions))


def answer(page, question, *, right: bool) -> None:
    form = page.locator("[data-testid=stForm]").first
    if question.type == "true_false":
        verdict = question.verdict.correct if right else not question.verdict.correct
        form.get_by_text("True" if verdict else "False", exact=True).first.click()
        form.get_by_text(next(o.text for o in question.why if o.correct), exact=True).first.click()
    else:
        chosen = correct_answer(question)
        wanted = ([o for o in question.options if o.id in chosen.options] if question.type ==
                  "multi" else [o for o in question.options if o.id == chosen.option])
        if not right:
            wanted = [next(o for o in question.options if not o.correct)]
        for option in wanted:
            form.get_by_text(option.text, exact=True).first.click()
    with rerun_after(page):  # a form: only its submit button runs the script
        form.get_by_role("button", name="Submit answer").click()


def take_quiz(browser, app: str, code: str, plan: list[bool], seed: int, *, typed: str) -> None:
    """One student: open the class's quiz link, answer, type the code, send; check the result."""
    context, page = visit(browser, f"{app}/quiz?topics={TOPIC}&length={len(plan)}&seed={seed}"
                                   "&cbm=0&live=0", clipboard=False)
    with rerun_after(page):
        page.get_by_role("button", name="Start a new quiz").click()
    questions = new_quiz(BANK, topics=[TOPIC], length=len(plan), seed=seed, cbm=False).questions
    for number, (question, right) in enumerate(zip(questions, plan, strict=True), start=1):
        answer(page, question, right=right)
        label = "Next question" if number < len(plan) else "See your results"
        with rerun_after(page):
            page.get_by_role("button", name=label).click()
    box = page.get_by_label("Class code (from your teacher)")
    box.fill(typed)
    with rerun_after(page):
        box.press("Enter")
    if typed != code:  # hostile first: refused, nothing can be sent
        expected = TEXT.message("code_format", example="maple-otter-river-47")
        page.get_by_text(expected).wait_for()
        assert page.get_by_role("button", name="Send my answers (no name)").is_disabled()
        box.fill(code)
        with rerun_after(page):
            box.press("Enter")
    with rerun_after(page):
        page.get_by_role("button", name="Send my answers (no name)").click()
    page.get_by_text(TEXT.message("sent_here", code=code)).wait_for()
    assert_no_errors(page)
    context.close()


def open_class(page, code: str, key: str) -> None:
    page.get_by_label("Class code", exact=True).fill(code)
    page.get_by_label("Teacher key", exact=True).fill(key)
    with rerun_after(page):
        page.get_by_role("button", name="Show the results").click()


def test_a_teacher_creates_a_class_five_students_send_and_the_teacher_sees_the_counts(
        app, browser):
    context, teacher = visit(browser, f"{app}/class", clipboard=False)
    with rerun_after(teacher):
        teacher.get_by_role("button", name="Create a class").click()
    blocks = teacher.locator("[data-testid=stMain] [data-testid=stCode]")
    blocks.nth(1).wait_for()  # drawn just after the run that made them
    code, key = (block.inner_text().strip() for block in blocks.all())
    assert re.fullmatch(r"[a-z]+-[a-z]+-[a-z]+-[2-9]{2}", code)
    assert teacher.get_by_text(TEXT.message("key_once")).is_visible()  # "write it down"

    length = 3
    seed = no_matching_seed(length)
    plans = [[True, True, False], [True, False, False], [False, True, True],
             [True, True, True], [False, False, True]]
    hostile = ["x'); DROP TABLE submissions; --", "maple-otter-river-47" * 5, code, code, code]
    for plan, typed in zip(plans, hostile, strict=True):
        take_quiz(browser, app, code, plan, seed, typed=typed)

    open_class(teacher, code, key)
    assert_no_errors(teacher)
    sent = teacher.locator("[data-testid=stMetric]").filter(has_text="Results sent")
    expect(sent).to_have_text(re.compile(r"^\s*Results sent\s*5\s*$"))
    expect(teacher.get_by_role("button", name="Download the class results (CSV)")).to_be_visible()
    expect(teacher.get_by_text("Mastery by topic")).to_be_visible()
    body = re.sub(r"\s+", " ", teacher.inner_text("[data-testid=stMain]"))
    for number in range(length):
        right = sum(plan[number] for plan in plans)
        assert f"{right} of 5 right" in body, number
    context.close()

    # a wrong key, in another browser, sees nothing of the class
    context, other = visit(browser, f"{app}/class", clipboard=False)
    open_class(other, code, key[:-1] + ("a" if key[-1] != "a" else "b"))
    expect(other.get_by_text(TEXT.message("teacher_refused"))).to_be_visible()
    assert other.locator("[data-testid=stMetric]").count() == 0
    assert other.get_by_text("Mastery by topic").count() == 0
    assert code not in other.inner_text("[data-testid=stMain]")  # typed values are not text
    context.close()
