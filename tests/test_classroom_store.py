"""The class store on SQLite and PostgreSQL: classes, submissions, the teacher view, outages.

Every test here runs on both engines (the ``db_url`` fixture in classroom_db.py); the
PostgreSQL runs use a throwaway cluster and fail, never skip, if it cannot start.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select

from classroom_db import outage, snapshot
from lib.classroom import store as store_module
from lib.classroom.errors import RateLimited, Refused, StoreUnavailable
from lib.classroom.limits import Limits, Rate
from lib.classroom.report import report_to_csv
from lib.classroom.schema import answers, submissions
from lib.classroom.store import DAY_SECONDS, ClassStore, database_url, open_store
from lib.classroom.submission import Submission, SubmissionItem, new_submission
from lib.classroom.text import classroom_text

TEXT = classroom_text()


def answer(qid, chosen, *, certainty=None, correct=False, topic="analogy") -> SubmissionItem:
    return SubmissionItem(qid, topic, tuple(chosen), certainty, correct)


def refused(call, *args, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    return caught.value


def count_rows(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


# --- classes --------------------------------------------------------------------------------


def test_a_new_class_has_a_word_code_a_key_shown_once_and_an_expiry(store, clock):
    new = store.create_class(session_id="teacher")
    assert re.fullmatch(r"[a-z]+-[a-z]+-[a-z]+-[2-9]{2}", new.code)
    assert re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){7}", new.teacher_key)
    assert new.created_at.timestamp() == clock.now
    assert new.expires_at.timestamp() == clock.now + 30 * DAY_SECONDS
    assert new.code in new.message and "shown only once" in new.message
    stored = snapshot(store)["classes"]
    assert len(stored) == 1
    flat = repr(stored)
    key = new.teacher_key.replace("-", "")
    assert key not in flat and new.teacher_key not in flat  # only a hash is kept


def test_the_app_store_hashes_keys_with_the_full_scrypt_cost(db_url):
    store = open_store(db_url)
    try:
        new = store.create_class(session_id="t")
        [row] = snapshot(store)["classes"]
        assert "scrypt:16384:8:1" in row
        assert store.class_report(new.code, new.teacher_key, session_id="t").code == new.code
    finally:
        store.close()


def test_lifetime_can_be_chosen_within_limits(store, clock):
    new = store.create_class(session_id="t", lifetime_days=7)
    assert new.expires_at.timestamp() == clock.now + 7 * DAY_SECONDS
    for bad in (0, -1, 366, True, "30", 2.5):
        problem = refused(store.create_class, session_id="t2", lifetime_days=bad)
        assert problem.message == TEXT.message("lifetime_invalid", max_days=365)
    assert count_rows(store, store_module.classes) == 1


def test_students_join_with_the_code_typed_any_way(store):
    code = store.create_class(session_id="t").code
    typed = code.upper().replace("-", " ")
    joined = store.check_open(typed, session_id="s")
    assert joined.code == code and code in joined.message


def test_unknown_and_closed_codes_get_one_message_and_bad_shapes_another(store, clock):
    code = store.create_class(session_id="t", lifetime_days=1).code
    unknown = "maple-otter-river-47" if code != "maple-otter-river-47" else "maple-otter-river-48"
    not_open = TEXT.message("class_not_open")
    assert refused(store.check_open, unknown, session_id="s").message == not_open
    assert refused(store.check_open, "hello", session_id="s").message == TEXT.message(
        "code_format", example="maple-otter-river-47"
    )
    clock.advance(DAY_SECONDS)
    assert refused(store.check_open, code, session_id="s").message == not_open


# --- submissions and the teacher view -------------------------------------------------------

# Five students, two questions: ana-001 (single, right answer "b") and ana-002 (multi, "a"+"c").
CLASS_ANSWERS = [
    [answer("ana-001", "b", certainty=3, correct=True), answer("ana-002", "ac", correct=True)],
    [answer("ana-001", "a", certainty=3), answer("ana-002", "a")],
    [answer("ana-001", "a", certainty=1), answer("ana-002", "ac", correct=True)],
    [answer("ana-001", "b", certainty=2, correct=True)],
    [answer("ana-001", "c", certainty=None),
     answer("lim-001", ["verdict:true", "why:b"], topic="limits")],
]


def send_class(store, code):
    receipts = [
        store.submit(code, new_submission(items), session_id=f"student-{i}")
        for i, items in enumerate(CLASS_ANSWERS)
    ]
    assert [r.already_sent for r in receipts] == [False] * 5
    assert receipts[0].message == TEXT.message("sent", count=2)
    return receipts


def test_the_teacher_sees_counts_per_option_and_mastery_per_topic(store):
    new = store.create_class(session_id="t")
    send_class(store, new.code)
    report = store.class_report(new.code, new.teacher_key, session_id="t")
    assert report.code == new.code and report.status == "open" and report.submissions == 5
    by_id = {item.question_id: item for item in report.items}
    assert [i.question_id for i in report.items] == ["ana-001", "ana-002", "lim-001"]
    first = by_id["ana-001"]
    assert (first.responses, first.correct) == (5, 2)
    assert [(o.option, o.count) for o in first.options] == [("a", 2), ("b", 2), ("c", 1)]
    sure = first.certainty
    assert (sure.unmarked, sure.low, sure.medium, sure.high, sure.high_and_wrong) == (1, 1, 1, 2, 1)
    second = by_id["ana-002"]
    assert (second.responses, second.correct) == (3, 2)
    assert [(o.option, o.count) for o in second.options] == [("a", 3), ("c", 2)]
    assert [(o.option, o.count) for o in by_id["lim-001"].options] == [
        ("verdict:true", 1), ("why:b", 1)]
    mastery = {t.topic: (t.answers, t.correct) for t in report.topics}
    assert mastery == {"analogy": (8, 4), "limits": (1, 0)}
    assert report.topics[0].share_right == 0.5
    assert report.status_message == TEXT.message(
        "class_open_until", date=f"{report.expires_at.day} {report.expires_at:%B %Y}")


def test_the_csv_export_has_one_row_per_question_and_option(store):
    new = store.create_class(session_id="t")
    send_class(store, new.code)
    rows = list(csv.DictReader(io.StringIO(
        report_to_csv(store.class_report(new.code, new.teacher_key, session_id="t")))))
    assert len(rows) == 3 + 2 + 2
    first = rows[0]
    assert first == {"topic": "analogy", "topic_share_right": "0.500", "question_id": "ana-001",
                     "responses": "5", "right": "2", "high_certainty_wrong": "1",
                     "option": "a", "times_chosen": "2"}
    assert sum(int(r["times_chosen"]) for r in rows if r["question_id"] == "ana-001") == 5


def test_a_class_report_counts_only_its_own_class(store):
    first, second = store.create_class(session_id="t"), store.create_class(session_id="t")
    send_class(store, first.code)
    store.submit(second.code, new_submission([answer("ana-001", "c")]), session_id="x")
    report = store.class_report(second.code, second.teacher_key, session_id="t")
    assert report.submissions == 1
    assert [(i.question_id, i.responses) for i in report.items] == [("ana-001", 1)]
    empty = store.create_class(session_id="t")
    nothing = store.class_report(empty.code, empty.teacher_key, session_id="t")
    assert (nothing.submissions, nothing.items, nothing.topics) == (0, (), ())


def test_a_wrong_key_an_unknown_code_and_a_bad_shape_get_the_same_refusal(store):
    first, second = store.create_class(session_id="t"), store.create_class(session_id="t")
    send_class(store, first.code)
    before = snapshot(store)
    same = TEXT.message("teacher_refused")
    attempts = [
        (first.code, second.teacher_key),  # a real key of another class
        (first.code, first.teacher_key[:-1] + ("a" if first.teacher_key[-1] != "a" else "b")),
        (first.code, ""),
        ("maple-otter-river-47" if first.code != "maple-otter-river-47" else "maple-otter-river-48",
         first.teacher_key),
        ("not a code", first.teacher_key),
        (second.code, first.teacher_key),
    ]
    for code, key in attempts:
        problem = refused(store.class_report, code, key, session_id="t")
        assert problem.key == "teacher_refused" and problem.message == same
    assert snapshot(store) == before


def test_a_retried_submission_is_stored_once(store):
    code = store.create_class(session_id="t").code
    pending = new_submission([answer("ana-001", "b", correct=True)])
    assert not store.submit(code, pending, session_id="s").already_sent
    again = store.submit(code, pending, session_id="s")
    assert again.already_sent and again.message == TEXT.message("already_sent")
    upper = replace(pending, submission_id=pending.submission_id.upper())
    assert store.submit(code, upper, session_id="s").already_sent  # same UUID, other spelling
    assert count_rows(store, submissions) == 1 and count_rows(store, answers) == 1


def test_a_replay_with_different_content_is_refused_and_changes_nothing(store):
    first, second = store.create_class(session_id="t"), store.create_class(session_id="t")
    pending = new_submission([answer("ana-001", "b", correct=True)])
    store.submit(first.code, pending, session_id="s")
    before = snapshot(store)
    changed = replace(pending, items=(answer("ana-001", "a"),))
    for code, sub in ((first.code, changed), (second.code, pending)):
        problem = refused(store.submit, code, sub, session_id="s")
        assert problem.message == TEXT.message("replay_conflict")
    assert snapshot(store) == before


def test_a_closed_class_refuses_new_results_but_acknowledges_stored_ones(store, clock):
    new = store.create_class(session_id="t", lifetime_days=2)
    stored = new_submission([answer("ana-001", "b", correct=True)])
    store.submit(new.code, stored, session_id="s")
    clock.advance(2 * DAY_SECONDS)
    before = snapshot(store)
    late = refused(store.submit, new.code, new_submission([answer("ana-001", "a")]),
                   session_id="s2")
    assert late.message == TEXT.message("class_not_open")
    assert store.submit(new.code, stored, session_id="s").already_sent
    assert snapshot(store) == before
    report = store.class_report(new.code, new.teacher_key, session_id="t")
    assert report.status == "expired" and report.submissions == 1
    assert report.status_message.startswith("This class closed on ")


# --- limits ---------------------------------------------------------------------------------


def test_each_kind_of_action_is_rate_limited_per_session(db_url, clock):
    limits = Limits(student=Rate(2, 5.0), teacher=Rate(1, 4.0), create=Rate(1, 60.0))
    store = open_store(db_url, limits=limits, clock=clock, monotonic=clock)
    try:
        new = store.create_class(session_id="t")
        with pytest.raises(RateLimited) as caught:
            store.create_class(session_id="t")
        assert caught.value.retry_after == 60
        store.class_report(new.code, new.teacher_key, session_id="t")  # its own bucket
        with pytest.raises(RateLimited):
            store.class_report(new.code, new.teacher_key, session_id="t")
        pending = new_submission([answer("ana-001", "b")])
        store.check_open(new.code, session_id="s")
        store.submit(new.code, pending, session_id="s")
        before = snapshot(store)
        with pytest.raises(RateLimited) as caught:
            store.submit(new.code, new_submission([answer("ana-001", "a")]), session_id="s")
        assert caught.value.message == TEXT.message("rate_limited", seconds=5)
        assert snapshot(store) == before
        store.submit(new.code, new_submission([answer("ana-001", "a")]), session_id="other")
        clock.advance(5)
        store.submit(new.code, new_submission([answer("ana-001", "c")]), session_id="s")
        assert count_rows(store, submissions) == 3
    finally:
        store.close()


def test_a_session_id_is_required(store):
    for bad in ("", None, "x" * 201):
        with pytest.raises(ValueError, match="session_id"):
            store.create_class(session_id=bad)


def test_no_method_returns_individual_answers():
    public = {name for name in dir(ClassStore) if not name.startswith("_")}
    # Adding a method here needs a review: the only read of answers must stay class_report,
    # which needs the teacher key and returns counts.
    assert public == {"check_open", "class_report", "close", "create_class", "submit"}


# --- outages --------------------------------------------------------------------------------


def test_a_submission_during_an_outage_is_kept_and_sent_once_afterwards(store, request):
    code = store.create_class(session_id="t").code
    pending = new_submission([answer("ana-001", "b", correct=True)])
    with outage(store, request), pytest.raises(StoreUnavailable) as caught:
        store.submit(code, pending, session_id="s")
    assert caught.value.retryable
    assert caught.value.message == TEXT.message("store_unavailable")
    assert caught.value.reason  # what failed, for the log
    receipt = store.submit(code, pending, session_id="s")
    assert not receipt.already_sent
    assert store.submit(code, pending, session_id="s").already_sent
    assert count_rows(store, submissions) == 1


def test_every_call_reports_an_outage_as_store_unavailable(store, request):
    new = store.create_class(session_id="t")
    with outage(store, request):
        for call in (
            lambda: store.create_class(session_id="t"),
            lambda: store.check_open(new.code, session_id="s"),
            lambda: store.class_report(new.code, new.teacher_key, session_id="t"),
        ):
            with pytest.raises(StoreUnavailable):
                call()


def test_a_failure_mid_submission_stores_nothing(store, monkeypatch):
    code = store.create_class(session_id="t").code
    pending = new_submission([answer("ana-001", "b"), answer("ana-002", "a")])
    before = snapshot(store)
    real = ClassStore._store_items

    def dies_after_the_answers(conn, sub):
        real(conn, sub)
        raise sa_exc.OperationalError("INSERT", {}, RuntimeError("server closed the connection"))

    monkeypatch.setattr(ClassStore, "_store_items", staticmethod(dies_after_the_answers))
    with pytest.raises(StoreUnavailable):
        store.submit(code, pending, session_id="s")
    assert snapshot(store) == before
    monkeypatch.setattr(ClassStore, "_store_items", staticmethod(real))
    assert not store.submit(code, pending, session_id="s").already_sent
    assert count_rows(store, answers) == 2


def test_an_unreachable_database_at_start_up_is_store_unavailable(tmp_path, pg_cluster):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(StoreUnavailable):
        open_store(f"sqlite:///{blocker}/classroom.sqlite3")
    closed_port = pg_cluster.url("postgres").set(port=1, password="wrong")
    with pytest.raises(StoreUnavailable) as caught:
        open_store(closed_port)
    assert "wrong" not in caught.value.message


def test_the_database_url_comes_from_the_environment(tmp_path):
    url = database_url({"CA_DATA_DIR": str(tmp_path / "d")})
    assert url.get_backend_name() == "sqlite"
    assert url.database == str(tmp_path / "d" / "classroom.sqlite3")
    assert database_url({}).database.endswith("/.data/classroom.sqlite3")
    for given in ("postgres://u:p@h/db", "postgresql://u:p@h/db", "postgresql+psycopg2://u:p@h/db"):
        parsed = database_url({"CA_DATABASE_URL": given, "CA_DATA_DIR": "/ignored"})
        assert parsed.drivername == "postgresql+psycopg" and parsed.database == "db"
        assert parsed.password == "p"
    for bad in ("mysql://u:p@h/db", "sqlite://", "sqlite:///:memory:"):
        with pytest.raises(ValueError, match="CA_DATABASE_URL"):
            database_url({"CA_DATABASE_URL": bad})


def test_a_submission_object_is_never_changed_by_the_store(store):
    code = store.create_class(session_id="t").code
    pending = Submission("6F9619FF-8B86-D011-B42D-00C04FC964FF",
                         (answer("ana-002", "ca"),))
    kept = replace(pending)
    store.submit(code, pending, session_id="s")
    assert pending == kept
