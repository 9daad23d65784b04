"""Hostile input to the class store, on SQLite and PostgreSQL: every attempt gets a clear
refusal from content/classroom.yaml and leaves every table exactly as it was.

Also: even with validation switched off, SQL-looking text is stored verbatim (queries bind
their parameters), and no module of lib/classroom builds SQL from strings.
"""

from __future__ import annotations

import ast
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import inspect

from classroom_db import snapshot
from lib.classroom import store as store_module
from lib.classroom.codes import new_code, new_teacher_key
from lib.classroom.errors import Refused
from lib.classroom.submission import Submission, SubmissionItem, new_submission
from lib.classroom.text import classroom_text

TEXT = classroom_text()
SQL_LIKE = (
    "'; DROP TABLE classes; --",
    "\" OR 1=1 --",
    "x' OR 'x'='x",
    "1; DELETE FROM submissions",
    "' UNION SELECT key_digest FROM classes --",
    "Robert'); DROP TABLE answers;--",
    "%s %(code)s :code ? $1",
    "ana-001'--",
    "ana-001\x00",
    "<script>alert(1)</script>",
    "=HYPERLINK(\"http://example.invalid\")",
)
HUGE = "a" * 1_000_000
ITEM = SubmissionItem("ana-001", "analogy", ("b",), 2, True)


@pytest.fixture
def classroom(store):
    """A store with two classes and some results; after the test, every table is unchanged
    (a hostile call that wrote something and a later one that undid it is not a concern)."""
    first, second = store.create_class(session_id="t"), store.create_class(session_id="t")
    for code in (first.code, second.code):
        store.submit(code, new_submission([ITEM]), session_id="s")
    before = snapshot(store)
    yield store, first, second
    assert snapshot(store) == before


def refused_without_change(store, call) -> Refused:
    """The call's refusal (the ``classroom`` fixture checks afterwards that nothing changed)."""
    with pytest.raises(Refused) as caught:
        call()
    return caught.value


def with_item(**changes) -> Submission:
    return new_submission([replace(ITEM, **changes)])


def test_sql_looking_text_in_every_submission_field_is_refused(classroom):
    store, first, _ = classroom
    for hostile in SQL_LIKE:
        for field, part in (("question_id", "question_id"), ("topic", "topic")):
            problem = refused_without_change(store, lambda f=field, h=hostile: store.submit(
                first.code, with_item(**{f: h}), session_id="s"))
            assert problem.message == TEXT.message(
                "unreadable_answer", position=1, part=getattr(TEXT.answer_parts, part))
        problem = refused_without_change(store, lambda h=hostile: store.submit(
            first.code, with_item(chosen=("b", h)), session_id="s"))
        assert problem.key == "unreadable_answer"
        problem = refused_without_change(store, lambda h=hostile: store.submit(
            first.code, Submission(h, (ITEM,)), session_id="s"))
        assert problem.message == TEXT.message("unreadable_submission")


def test_sql_looking_codes_and_keys_are_refused(classroom):
    store, first, _ = classroom
    code_format = TEXT.message("code_format", example="maple-otter-river-47")
    for hostile in SQL_LIKE:
        for code in (hostile, first.code + hostile):
            problem = refused_without_change(
                store, lambda c=code: store.submit(c, new_submission([ITEM]), session_id="s"))
            assert problem.message == code_format
            problem = refused_without_change(
                store, lambda c=code: store.check_open(c, session_id="s"))
            assert problem.message == code_format
            problem = refused_without_change(
                store, lambda c=code: store.class_report(c, first.teacher_key, session_id="t"))
            assert problem.message == TEXT.message("teacher_refused")
        problem = refused_without_change(
            store, lambda h=hostile: store.class_report(first.code, h, session_id="t"))
        assert problem.message == TEXT.message("teacher_refused")


def test_sql_looking_session_ids_are_only_keys_of_a_rate_limiter(classroom):
    store, first, _ = classroom
    for hostile in SQL_LIKE:
        assert store.check_open(first.code, session_id=hostile).code == first.code


def test_huge_payloads_are_refused(classroom):
    store, first, _ = classroom
    many = new_submission(replace(ITEM, question_id=f"q-{i:05d}") for i in range(10_000))
    problem = refused_without_change(store, lambda: store.submit(first.code, many,
                                                                 session_id="s"))
    assert problem.message == TEXT.message("too_many_answers", count=10_000, limit=200)
    for changes in ({"question_id": HUGE}, {"topic": HUGE}, {"chosen": (HUGE,)},
                    {"chosen": tuple(f"o{i}" for i in range(100_000))}):
        problem = refused_without_change(store, lambda c=changes: store.submit(
            first.code, with_item(**c), session_id="s"))
        assert problem.key == "unreadable_answer"
    problem = refused_without_change(store, lambda: store.submit(
        first.code, Submission(HUGE, (ITEM,)), session_id="s"))
    assert problem.key == "unreadable_submission"
    problem = refused_without_change(store, lambda: store.submit(
        HUGE, new_submission([ITEM]), session_id="s"))
    assert problem.key == "code_format"
    problem = refused_without_change(store, lambda: store.class_report(
        HUGE, HUGE, session_id="t"))
    assert problem.key == "teacher_refused"


def test_forged_codes_and_random_keys_open_nothing(classroom):
    store, first, _ = classroom
    for _ in range(20):
        forged = new_code()  # well formed, never created
        if forged == first.code:
            continue
        problem = refused_without_change(
            store, lambda c=forged: store.submit(c, new_submission([ITEM]), session_id="s"))
        assert problem.message == TEXT.message("class_not_open")
        problem = refused_without_change(
            store, lambda c=forged: store.class_report(c, first.teacher_key, session_id="t"))
        assert problem.message == TEXT.message("teacher_refused")
    for _ in range(3):
        problem = refused_without_change(store, lambda: store.class_report(
            first.code, new_teacher_key(), session_id="t"))
        assert problem.message == TEXT.message("teacher_refused")


def test_replays_with_changed_content_are_refused(store):
    first, second = store.create_class(session_id="t"), store.create_class(session_id="t")
    sent = new_submission([ITEM, replace(ITEM, question_id="ana-002", chosen=("a", "c"))])
    store.submit(first.code, sent, session_id="s")
    before = snapshot(store)
    for changed in (
        replace(sent, items=sent.items[:1]),
        replace(sent, items=(*sent.items, replace(ITEM, question_id="ana-003"))),
        replace(sent, items=(replace(ITEM, correct=False), sent.items[1])),
        replace(sent, items=(replace(ITEM, certainty=3), sent.items[1])),
        replace(sent, items=(ITEM, replace(sent.items[1], chosen=("a",)))),
        replace(sent, items=tuple(reversed(sent.items))),
    ):
        problem = refused_without_change(
            store, lambda s=changed: store.submit(first.code, s, session_id="s"))
        assert problem.message == TEXT.message("replay_conflict")
    problem = refused_without_change(
        store, lambda: store.submit(second.code, sent, session_id="s"))
    assert problem.message == TEXT.message("replay_conflict")
    assert snapshot(store) == before


def test_with_validation_off_sql_text_is_stored_verbatim(store, monkeypatch):
    """Defence in depth: bound parameters keep even unvalidated text as plain data."""
    monkeypatch.setattr(store_module, "check_submission", lambda sub, limits: sub)
    new = store.create_class(session_id="t")
    items = tuple(
        SubmissionItem(hostile, hostile, (hostile, "b"), None, False) for hostile in SQL_LIKE
        if "\x00" not in hostile  # PostgreSQL text cannot hold NUL; validation refuses it
    )
    store.submit(new.code, Submission(str(uuid.uuid4()), items), session_id="s")
    report = store.class_report(new.code, new.teacher_key, session_id="t")
    assert {i.question_id for i in report.items} == {i.question_id for i in items}
    assert {o.option for i in report.items for o in i.options} == {
        i.question_id for i in items} | {"b"}
    assert set(inspect(store.engine).get_table_names()) == {
        "answer_options", "answers", "classes", "schema_migrations", "submissions"}


SQL_CALLS = {"text", "exec_driver_sql", "execute", "executescript", "scalar", "CheckConstraint"}


def _builds_a_string(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return True
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("format", "join"))


def test_no_sql_is_built_from_strings_in_lib_classroom():
    found = []
    for path in sorted((Path(__file__).resolve().parents[1] / "lib" / "classroom").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in SQL_CALLS and _builds_a_string(node.args[0]):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
