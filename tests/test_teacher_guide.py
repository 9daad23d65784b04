"""The teacher guide's content (content/teachers.yaml) and what it shares with the running app:
its lesson plan's links open each page exactly as the activity needs, and the link parameters
it documents, in the app and in the README, are exactly the ones the pages read."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import yaml
from pydantic import ValidationError

from lib import linking
from lib.content import TEACHERS_FILE, TeacherGuide, load_content, load_file
from ui import state
from ui.links import LINKED_PAGES, activity_link, page_params, param_docs, param_table

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
sys.path.insert(0, str(ROOT / "scripts"))
import link_docs  # noqa: E402

LAYERS, HEADS = link_docs.bundled_shape()


@pytest.fixture(scope="module")
def content():
    return load_content(CONTENT)


@pytest.fixture(scope="module")
def guide(content):
    return content.teachers


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def edit(folder: Path, change) -> list:
    """Change teachers.yaml in ``folder``; the problems the loader then reports for it."""
    path = folder / TEACHERS_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [p for p in load_content(folder).problems if p.file == TEACHERS_FILE]


# --- the file ----------------------------------------------------------------------------------


def test_the_guide_loads_through_the_one_content_loader_without_problems(content):
    assert content.problems == (), [str(p) for p in content.problems]
    assert isinstance(content.teachers, TeacherGuide)
    with pytest.raises(ValidationError):
        content.teachers.intro = "changed"  # frozen


def test_the_lesson_fills_fifty_minutes_in_the_order_the_issue_asks(guide):
    lesson = guide.lesson
    assert lesson.minutes == 50 == sum(a.minutes for a in lesson.activities)
    steps = [(a.page, a.link) for a in lesson.activities if a.page != "analogy"]
    pages = [page for page, _ in steps]
    assert pages == ["explore", "explore", "explore", "context", "limitations", "quiz"]
    words, temperature, kinetics = (link for _, link in steps[:3])
    assert (words["special"], words["level"]) == ("drop", "word")
    assert float(temperature["temperature"]) != 1.0
    assert kinetics["experiment"] in ("one_molecule", "convergence")
    quiz = steps[-1][1]
    assert int(quiz["length"]) <= 10 and quiz["cbm"] == "1"
    limits = next(a for a in lesson.activities if a.page == "limitations")
    asked = " ".join(q.ask for q in limits.questions).lower()
    for idea in ("copies", "concentration", "pioneer", "seeds"):
        assert idea in asked, idea
    assert all(a.questions for a in lesson.activities)


def test_every_objective_and_expected_answer_cites_known_sources(guide, content):
    cited = [o.sources for p in guide.pages for o in p.objectives]
    cited += [q.sources for a in guide.lesson.activities for q in a.questions]
    cited += [o.sources for o in guide.worksheet.objectives]
    assert cited and all(cited)
    assert {s for ids in cited for s in ids} <= content.references.ids


def test_each_page_says_what_comes_first_and_which_suit_pre_reading(guide):
    described = {p.page for p in guide.pages}
    assert {"explore", "context", "teamwork", "analogy", "limitations", "quiz"} <= described
    assert {p.page for p in guide.pre_reading} == {"analogy", "limitations"}
    assert guide.page("context").prerequisites == ("explore",)
    assert all(p.objectives for p in guide.pages)


@pytest.mark.parametrize(("change", "says"), [
    (lambda d: d["lesson"]["activities"][0].update(minutes=9), "not the lesson's 50"),
    (lambda d: d["pages"][1].update(prerequisites=["context"]), "form a loop"),
    (lambda d: d["pages"][0].update(prerequisites=["analogy"]), "itself as a prerequisite"),
    (lambda d: d["worksheet"]["tasks"][0].update(activity="nowhere"), "'nowhere'"),
    (lambda d: d["lesson"]["activities"][1]["questions"][0].update(ask="Say why."),
     "question mark"),
    (lambda d: d["pages"][0]["objectives"][0].pop("sources"), "sources"),
    (lambda d: d["pages"][0].update(page="homework"), "pages.0.page: Input should be 'explore'"),
])
def test_a_broken_guide_is_a_loading_problem_that_says_what_to_fix(content_copy, change, says):
    [problem] = edit(content_copy, change)
    assert says in problem.what
    assert load_content(content_copy).quiz.questions  # the rest of the content still loads


def test_an_unknown_source_in_the_guide_is_reported(content_copy):
    [problem] = edit(content_copy, lambda d: d["lesson"]["activities"][1]["questions"][0]
                     .update(sources=["no_such_paper"]))
    assert "no_such_paper" in problem.what


def test_the_schema_refuses_unknown_fields():
    data = yaml.safe_load((CONTENT / TEACHERS_FILE).read_text(encoding="utf-8"))
    data["lesson"]["activities"][0]["colour"] = "red"
    with pytest.raises(ValidationError, match="colour"):
        TeacherGuide.model_validate(data)
    assert load_file(CONTENT / TEACHERS_FILE, TeacherGuide).lesson.minutes == 50


# --- configured links ---------------------------------------------------------------------------


def test_every_activity_link_parses_and_sets_the_activitys_settings(guide):
    set_by_default = {s.key for s in state.SHARED if s.default is not None} | {"head_choice"}
    for activity in guide.lesson.activities:
        link, problems = activity_link(activity.page, activity.link, layers=LAYERS, heads=HEADS)
        assert problems == (), (activity.id, problems)
        path, _, query = link.partition("?")
        page = LINKED_PAGES.get(activity.page, activity.page)
        assert path == (page or "./")
        params = page_params(page, layers=LAYERS, heads=HEADS)
        written = dict(parse_qsl(query))
        read = linking.read_link(written, params)
        assert read.problems == ()
        given = linking.read_link(activity.link, params).values
        assert {k: read.values[k] for k in given} == given  # the activity's own settings
        # and every other setting of the page, so it opens exactly so whatever came before
        assert set(written) == set(activity.link) | {
            p.name for p in params if not p.alias and p.setting in set_by_default}


def test_an_activity_link_that_names_a_setting_the_page_lacks_is_reported():
    _, problems = activity_link("explore", {"layer": "9", "colour": "red"}, layers=LAYERS,
                                heads=HEADS)
    assert any("layer '9' is outside 0 to 5" in p for p in problems)
    assert any("colour is not a setting of this page" in p for p in problems)


# --- the link parameters, documented once ---------------------------------------------------------


def test_the_guide_documents_exactly_the_parameters_the_pages_read(guide):
    documented = {page: set(params) for page, params in guide.link_parameters.pages.items()}
    read = {page: {p.name for p in page_params(path, layers=LAYERS, heads=HEADS)}
            for page, path in LINKED_PAGES.items()}
    assert documented == {page: names for page, names in read.items() if names}


def test_every_documented_example_is_a_value_its_page_accepts(guide):
    for page, params in guide.link_parameters.pages.items():
        parsers = page_params(LINKED_PAGES[page], layers=LAYERS, heads=HEADS)
        for name, text in params.items():
            read = linking.read_link({name: text.example}, parsers)
            assert read.problems == (), (page, name, read.problems)
            assert read.values, (page, name)


def test_allowed_values_come_from_the_parameters_themselves(guide):
    docs = {page: {n: (t.meaning, t.example) for n, t in params.items()}
            for page, params in guide.link_parameters.pages.items()}
    rows = {(r.page, r.name): r for r in param_docs(docs, layers=4, heads=3)}
    assert rows["explore", "layer"].allowed == "a whole number from 0 to 3"
    assert rows["explore", "head"].allowed == "mean, rollout, or one head from 0 to 2"
    assert rows["quiz", "topic"].allowed == "the same values as topics"
    assert "mech-softmax" in rows["quiz", "topics"].allowed
    assert rows["teachers", "view"].example == "teachers?view=worksheet"
    assert rows["explore", "special"].example == "./?special=drop"


def test_the_readme_table_is_the_one_made_from_the_parameters():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = link_docs.table()
    assert f"{link_docs.START}\n{table}\n{link_docs.END}" in readme, (
        "README.md's link parameters are out of date: run python scripts/link_docs.py --write")
    assert table.count("\n") + 1 == 2 + sum(
        len(page_params(path, layers=LAYERS, heads=HEADS)) for path in LINKED_PAGES.values())


def test_a_pipe_in_a_meaning_cannot_break_the_table(guide):
    docs = {page: {n: ("a | b", t.example) for n, t in params.items()}
            for page, params in guide.link_parameters.pages.items()}
    table = param_table(param_docs(docs, layers=LAYERS, heads=HEADS))
    assert all(line.count(" | ") == 4 for line in table.splitlines()[2:])


@pytest.mark.parametrize(("raw", "read"), [
    ("Maple Otter River 47", "maple-otter-river-47"),  # typed any way: kept canonical
    ("maple_otter_river_47", "maple-otter-river-47"),
])
def test_a_quiz_link_carries_a_class_code_in_its_canonical_form(raw, read):
    params = page_params("quiz", layers=LAYERS, heads=HEADS)
    assert linking.read_link({"class": raw}, params).values == {"class_code": read}


@pytest.mark.parametrize("raw", ["x'; DROP TABLE classes; --", "maple-otter-river-10",
                                 "maple-otter-river-47" * 10])
def test_a_link_with_a_malformed_class_code_says_what_a_code_looks_like(raw):
    read = linking.read_link({"class": raw, "length": "5"},
                             page_params("quiz", layers=LAYERS, heads=HEADS))
    assert read.values == {"quiz_length": 5}  # the rest of the link still applies
    [problem] = read.problems
    assert "is not a class code (three words and two digits, like maple-otter-river-47)" in problem
