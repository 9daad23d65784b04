"""Versioned migrations and engine set-up of the class store, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, inspect, select, text

from classroom_db import BINDIR_ENV
from lib.classroom.errors import StoreUnavailable
from lib.classroom.schema import (
    MIGRATIONS,
    Migration,
    SchemaTooNew,
    answers,
    migrate,
    schema_migrations,
)
from lib.classroom.store import SQLITE_BUSY_MS, create_store_engine, open_store
from lib.classroom.submission import SubmissionItem, new_submission

REPO = Path(__file__).resolve().parents[1]
TABLES = {"answer_options", "answers", "classes", "schema_migrations", "submissions"}


def versions(engine) -> list[int]:
    with engine.connect() as conn:
        return conn.scalars(select(schema_migrations.c.version).order_by("version")).all()


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


@pytest.fixture
def engine(db_url):
    made = create_store_engine(db_url)
    yield made
    made.dispose()


def test_a_fresh_database_gets_every_table_and_its_version_once(engine):
    assert migrate(engine) == 1
    assert tables(engine) == TABLES
    assert versions(engine) == [1]
    assert migrate(engine) == 1
    assert versions(engine) == [1]


def test_a_later_step_applies_once_and_keeps_the_data(store):
    code = store.create_class(session_id="t").code
    store.submit(code, new_submission([SubmissionItem("ana-001", "analogy", ("b",), 1, True)]),
                 session_id="s")
    applied = []

    def add_index(conn):  # plain DDL: an Index() object would attach to the shared table
        applied.append(True)
        conn.execute(text("CREATE INDEX answers_by_topic ON answers (topic)"))

    later = (*MIGRATIONS, Migration(2, "index answers by topic", add_index))
    assert migrate(store.engine, migrations=later) == 2
    assert migrate(store.engine, migrations=later) == 2
    assert applied == [True] and versions(store.engine) == [1, 2]
    indexes = {i["name"] for i in inspect(store.engine).get_indexes("answers")}
    assert "answers_by_topic" in indexes
    assert store.check_open(code, session_id="s").code == code
    with pytest.raises(SchemaTooNew, match=r"schema version\(s\) \[2\], newer than this app"):
        migrate(store.engine)  # an older app on the upgraded database
    with pytest.raises(StoreUnavailable) as caught:
        open_store(store.engine.url)
    assert "newer" in caught.value.reason and "newer" not in caught.value.message


def test_a_failing_step_leaves_no_trace(engine):
    migrate(engine)

    def half_done(conn):
        conn.execute(text("CREATE TABLE half_done (x INTEGER)"))
        raise RuntimeError("step failed after creating a table")

    with pytest.raises(RuntimeError, match="step failed"):
        migrate(engine, migrations=(*MIGRATIONS, Migration(2, "breaks", half_done)))
    assert tables(engine) == TABLES  # the CREATE TABLE was rolled back with it
    assert versions(engine) == [1]


def test_many_starting_at_once_migrate_once(db_url):
    engines = [create_store_engine(db_url) for _ in range(6)]
    barrier = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def start(engine):
        barrier.wait()
        try:
            migrate(engine)
        except BaseException as exc:  # collected and shown below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert versions(engines[0]) == [1] and tables(engines[0]) == TABLES
    finally:
        for e in engines:
            e.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path}/d/classroom.sqlite3")
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o700  # made for its owner only
    try:
        migrate(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_MS
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_the_database_refuses_rows_that_break_its_constraints(engine):
    migrate(engine)
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:  # no such submission
        conn.execute(insert(answers).values(submission_id="x", position=1, question_id="q",
                                            topic="t", certainty=2, correct=True))
    with engine.connect() as conn:
        assert conn.scalar(select(answers.c.position)) is None


def test_postgres_tests_fail_with_a_fix_when_postgres_cannot_start(tmp_path):
    """They must never pass by skipping: a missing server is a failure that says what to do."""
    env = {**os.environ, BINDIR_ENV: str(tmp_path)}  # a folder with no initdb in it
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_classroom_migrations.py", "-k", "fresh_database and postgres"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1, done.stdout
    assert "1 error" in done.stdout and "skipped" not in done.stdout
    assert "scripts/ensure-postgres" in done.stdout


def test_sqlite_switches_to_wal_even_while_another_process_holds_the_file(tmp_path):
    """SQLite refuses the switch at once (no busy wait) while another connection holds a
    write lock, as when replicas open a new file together; the store waits it out."""
    path = tmp_path / "classroom.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE held (x INTEGER)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO held VALUES (1)")
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        store = open_store(f"sqlite:///{path}")
        store.close()
    finally:
        release.join()
        other.close()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
