"""One app replica for the concurrency tests: starts, migrates, then sends results from threads.

Run by tests/test_classroom_concurrency.py as a separate process, several at once, all on
one database. File barriers line them up: each writes ``ready-<n>`` and waits for ``go``
(so all migrate at the same moment), writes ``migrated-<n>``, then waits for ``code``
(the class the test opened) and sends ``sessions`` submissions from as many threads at
once, printing one JSON line: the receipts' submission ids and already_sent flags.

    python tests/classroom_replica.py URL FOLDER N SESSIONS
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from pathlib import Path

from lib.classroom.store import open_store
from lib.classroom.submission import SubmissionItem, new_submission

WAIT_LIMIT_S = 120.0


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT_LIMIT_S
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"replica gave up waiting for {path.name}")
        time.sleep(0.01)


def items(replica: int, session: int) -> list[SubmissionItem]:
    return [
        SubmissionItem(f"q-{q:03d}", "analogy", (f"o{(replica + session + q) % 4}",),
                       1 + q % 3, (replica + session + q) % 4 == 0)
        for q in range(10)
    ]


def main(url: str, folder: Path, replica: int, sessions: int) -> None:
    (folder / f"ready-{replica}").touch()
    wait_for(folder / "go")
    store = open_store(url)
    (folder / f"migrated-{replica}").touch()
    wait_for(folder / "code")
    code = (folder / "code").read_text()
    results: list[tuple[str, bool]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(sessions)

    failures: list[str] = []

    def student(session: int) -> None:
        pending = new_submission(items(replica, session))
        barrier.wait()
        try:
            for _ in range(2):  # every result is sent twice, as a retry would
                receipt = store.submit(code, pending, session_id=f"r{replica}-s{session}")
                with lock:
                    results.append((receipt.submission_id, receipt.already_sent))
        except BaseException:  # a thread's error must fail the replica, not vanish
            with lock:
                failures.append(traceback.format_exc())

    threads = [threading.Thread(target=student, args=(s,)) for s in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    if failures:
        raise SystemExit("\n".join(failures))
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
