"""Thirty sessions sending at once, on SQLite and PostgreSQL: 0 lost, 0 duplicated.

Threads share one store, as the sessions of one Streamlit server do; separate processes
share one database, as replicas do, and also migrate a fresh database at the same moment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from classroom_replica import items
from sqlalchemy import func, select

from lib.classroom.schema import answer_options, answers, schema_migrations, submissions
from lib.classroom.store import open_store
from lib.classroom.submission import SubmissionItem, new_submission

SESSIONS = 30
REPO = Path(__file__).resolve().parents[1]


def run_at_once(n: int, work) -> list:
    """``work(i)`` in ``n`` threads released together; results in thread order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def stored(store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table))
            for table in (submissions, answers, answer_options)
        }


def test_thirty_sessions_sending_at_once_each_twice_store_thirty(store):
    new = store.create_class(session_id="t")
    pending = [new_submission(items(0, s)) for s in range(SESSIONS)]

    def send_twice(i: int):
        return [store.submit(new.code, pending[i], session_id=f"s{i}") for _ in range(2)]

    receipts = run_at_once(SESSIONS, send_twice)
    assert [[r.already_sent for r in pair] for pair in receipts] == [[False, True]] * SESSIONS
    assert stored(store) == {"submissions": 30, "answers": 300, "answer_options": 300}
    report = store.class_report(new.code, new.teacher_key, session_id="t")
    assert report.submissions == 30
    assert all(item.responses == 30 for item in report.items) and len(report.items) == 10
    expected_right = sum(i.correct for s in range(SESSIONS) for i in items(0, s))
    assert sum(item.correct for item in report.items) == expected_right


def test_thirty_copies_of_one_submission_racing_store_one(store):
    code = store.create_class(session_id="t").code
    pending = new_submission([SubmissionItem("ana-001", "analogy", ("b",), 3, True)])
    receipts = run_at_once(SESSIONS, lambda i: store.submit(code, pending, session_id=f"s{i}"))
    assert sorted(r.already_sent for r in receipts) == [False] + [True] * (SESSIONS - 1)
    assert stored(store) == {"submissions": 1, "answers": 1, "answer_options": 1}


def wait_for_files(folder: Path, prefix: str, n: int, procs) -> None:
    deadline = time.monotonic() + 120
    while len(list(folder.glob(f"{prefix}-*"))) < n:
        failed = [p for p in procs if p.poll() not in (None, 0)]
        assert not failed, failed[0].communicate()[1]
        assert time.monotonic() < deadline, f"replicas did not all reach {prefix}"
        time.sleep(0.01)


def test_three_replicas_start_on_a_fresh_database_and_send_at_once(db_url, tmp_path):
    replicas, per_replica = 3, SESSIONS // 3
    url = db_url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "classroom_replica.py"), url, str(tmp_path),
             str(n), str(per_replica)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for n in range(replicas)
    ]
    try:
        wait_for_files(tmp_path, "ready", replicas, procs)
        (tmp_path / "go").touch()  # all migrate the empty database at once
        wait_for_files(tmp_path, "migrated", replicas, procs)
        store = open_store(db_url)
        new = store.create_class(session_id="t")
        (tmp_path / "code.tmp").write_text(new.code)  # renamed: a replica never reads half
        (tmp_path / "code.tmp").rename(tmp_path / "code")
        outputs = [p.communicate(timeout=180) for p in procs]
    finally:
        for p in procs:
            p.kill() if p.poll() is None else None
    assert [p.returncode for p in procs] == [0] * replicas, [err for _, err in outputs]
    results = [tuple(r) for out, _ in outputs for r in json.loads(out)]
    ids = {sid for sid, _ in results}
    assert len(results) == 2 * SESSIONS and len(ids) == SESSIONS
    assert sorted(flag for _, flag in results) == [False] * SESSIONS + [True] * SESSIONS
    try:
        with store.engine.connect() as conn:
            versions = conn.scalars(select(schema_migrations.c.version)).all()
        assert versions == [1]  # migrated once, however many started together
        assert stored(store) == {"submissions": 30, "answers": 300, "answer_options": 300}
        report = store.class_report(new.code, new.teacher_key, session_id="t")
        assert report.submissions == SESSIONS
    finally:
        store.close()
