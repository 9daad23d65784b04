"""The class store: create classes, take anonymous submissions, report counts to the teacher.

Storage is SQLAlchemy Core over SQLite (default: one file under ``CA_DATA_DIR``) or
PostgreSQL through psycopg 3 (when ``CA_DATABASE_URL`` is set, for several replicas).
Core gives one query builder for both engines, always with bound parameters, a connection
pool, and each dialect's ``INSERT ... ON CONFLICT DO NOTHING``; psycopg alone would need a
second code path with its own SQL and parameter style for sqlite3.

Engine set-up, and why:

- SQLite: WAL journal (readers never block the writer), a busy timeout (writers queue up
  instead of failing), foreign keys on, and every write transaction opened with
  ``BEGIN IMMEDIATE``. pysqlite's own lazy ``BEGIN`` would let two transactions both read,
  then deadlock on upgrading to write; taking the write lock first makes writers wait their
  turn within the timeout (the recipe in SQLAlchemy's pysqlite docs, "Serializable
  isolation / Savepoints / Transactional DDL").
- PostgreSQL: a small pool with ``pool_pre_ping`` (a restarted server costs one reconnect,
  not one failed request), a connect timeout, and REPEATABLE READ for reports so the
  counts of one report come from one snapshot.

Concurrency: a submission is one transaction. Its row is inserted with ON CONFLICT DO
NOTHING on the submission UUID (the primary key), so two copies racing on two replicas
store one: the loser sees zero rows inserted and compares digests instead.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import URL, Connection, Engine, case, create_engine, event, func, insert, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from lib.classroom.codes import (
    CODE_EXAMPLE,
    DEFAULT_KDF,
    KeyHash,
    Scrypt,
    hash_key,
    key_matches,
    new_code,
    new_teacher_key,
    normalize_code,
    normalize_key,
)
from lib.classroom.errors import RateLimited, Refused, StoreUnavailable
from lib.classroom.limits import Limits, RateLimiter
from lib.classroom.report import ClassReport, format_date, summarize, utc
from lib.classroom.schema import (
    SchemaTooNew,
    answer_options,
    answers,
    classes,
    migrate,
    submissions,
)
from lib.classroom.submission import Submission, check_submission, content_digest
from lib.classroom.text import classroom_text

log = logging.getLogger(__name__)

DATABASE_URL_ENV = "CA_DATABASE_URL"
DATA_DIR_ENV = "CA_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / ".data"
SQLITE_FILE = "classroom.sqlite3"
SQLITE_BUSY_MS = 15_000
PG_CONNECT_TIMEOUT_S = 5
DAY_SECONDS = 86_400
MAX_SESSION_ID_CHARS = 200
_CODE_ATTEMPTS = 8  # 2^30 codes: a second draw is already rare


@dataclass(frozen=True)
class NewClass:
    code: str
    teacher_key: str  # shown once; only its hash is stored
    created_at: datetime  # UTC
    expires_at: datetime  # UTC

    @property
    def message(self) -> str:
        return classroom_text().message(
            "class_created", code=self.code, date=format_date(self.expires_at)
        )


@dataclass(frozen=True)
class OpenClass:
    code: str  # canonical form: show this one back to the student
    expires_at: datetime

    @property
    def message(self) -> str:
        return classroom_text().message("joined", code=self.code)


@dataclass(frozen=True)
class Receipt:
    submission_id: str
    items: int
    already_sent: bool  # True: this exact result was stored before (a retry or replay)

    @property
    def message(self) -> str:
        if self.already_sent:
            return classroom_text().message("already_sent")
        return classroom_text().message("sent", count=self.items)


# --- engines ------------------------------------------------------------------------------


def database_url(environ: Mapping[str, str] = os.environ) -> URL:
    """``CA_DATABASE_URL`` if set, else an SQLite file in ``CA_DATA_DIR`` (default ``.data/``)."""
    configured = environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return _normalize_url(configured)
    folder = Path(environ.get(DATA_DIR_ENV, "").strip() or DEFAULT_DATA_DIR)
    return URL.create("sqlite", database=str(folder.resolve() / SQLITE_FILE))


def _normalize_url(url: str | URL) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        # psycopg 3 is the installed driver, whatever the URL names (postgres://, +psycopg2)
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return parsed.set(drivername="sqlite")
    raise ValueError(
        f"{DATABASE_URL_ENV} must be a postgresql:// URL or an sqlite:/// file URL, not "
        f"{backend!r} (an in-memory SQLite database would be a different one per connection); "
        f"fix it, or unset it to use an SQLite file in {DATA_DIR_ENV}"
    )


def _use_wal(cursor) -> None:
    """Put the database file in WAL mode (once per file: the mode is stored in it).

    Switching needs an exclusive lock, and SQLite answers "database is locked" at once,
    without waiting out the busy timeout, while another process holds a lock it would have
    to upgrade (deadlock avoidance) - as when several replicas open a new file together. So
    the switch is retried until the busy timeout; a file already in WAL mode needs none.
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite_engine(url: URL) -> Engine:
    # Owner-only: the file holds teacher-key hashes. Parents get the usual mode.
    Path(url.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # pysqlite's timeout is SQLite's busy timeout: a writer waits this long for the lock
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_MS / 1000}, pool_size=5, max_overflow=10
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("classroom_read_only"):
            conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: URL) -> Engine:
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=30,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S},
    )


def create_store_engine(url: str | URL) -> Engine:
    """An engine set up for the class store (see the module docstring); does not connect."""
    parsed = _normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return _postgres_engine(parsed)


@contextmanager
def _reachable() -> Iterator[None]:
    """Turn "the database cannot be reached or is busy" into ``StoreUnavailable``."""
    try:
        yield
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
            SchemaTooNew, OSError) as exc:
        reason = f"{type(exc).__name__}: {getattr(exc, 'orig', None) or exc}"
        log.warning("class store unavailable: %s", reason)
        raise StoreUnavailable(reason) from exc


def open_store(
    url: str | URL | None = None,
    *,
    limits: Limits | None = None,
    clock: Callable[[], float] = time.time,
    monotonic: Callable[[], float] = time.monotonic,
    kdf: Scrypt = DEFAULT_KDF,
) -> ClassStore:
    """Connect (``url``, or ``database_url()`` from the environment), migrate, return the store.

    Raises ``StoreUnavailable`` if the database cannot be reached (try again later) and
    ValueError for a URL of an unsupported kind (fix the setting).
    """
    with _reachable():
        engine = create_store_engine(url if url is not None else database_url())
        try:
            migrate(engine)
        except BaseException:
            engine.dispose()
            raise
    return ClassStore(engine, limits=limits, clock=clock, monotonic=monotonic, kdf=kdf)


def _insert_unless_taken(conn: Connection, table, key: str, row: dict) -> bool:
    """INSERT ... ON CONFLICT (key) DO NOTHING; True if this call inserted the row.

    RETURNING tells, not rowcount: on PostgreSQL SQLAlchemy adds an implicit RETURNING of
    the primary key and then reports rowcount -1, which would read as "inserted".
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(table)
        .values(row)
        .on_conflict_do_nothing(index_elements=[key])
        .returning(table.c[key])
    )
    return conn.execute(stmt).first() is not None


# --- the store ----------------------------------------------------------------------------


class ClassStore:
    """Thread-safe; make one per process (e.g. a cached resource) and share it."""

    def __init__(
        self,
        engine: Engine,
        *,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        kdf: Scrypt = DEFAULT_KDF,
    ) -> None:
        self.engine = engine
        self.limits = limits or Limits()
        self._clock = clock
        self._kdf = kdf
        self._limiters = {
            action: RateLimiter(
                getattr(self.limits, action), clock=monotonic, max_keys=self.limits.max_sessions
            )
            for action in ("student", "teacher", "create")
        }

    def close(self) -> None:
        self.engine.dispose()

    def _now(self) -> int:
        return int(self._clock())

    def _throttle(self, action: str, session_id: str) -> None:
        if not isinstance(session_id, str) or not 0 < len(session_id) <= MAX_SESSION_ID_CHARS:
            raise ValueError(
                f"session_id must be a non-empty string of at most {MAX_SESSION_ID_CHARS} "
                "characters; pass the page's own session id"
            )
        wait = self._limiters[action].take(session_id)
        if wait:
            raise RateLimited(wait)

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A read-only transaction that sees one snapshot on either engine."""
        options = (
            {"isolation_level": "REPEATABLE READ"}
            if self.engine.dialect.name == "postgresql"
            else {"classroom_read_only": True}
        )
        with self.engine.connect().execution_options(**options) as conn, conn.begin():
            yield conn

    # --- teachers ---------------------------------------------------------------------

    def create_class(self, *, session_id: str, lifetime_days: int | None = None) -> NewClass:
        """A new class open for ``lifetime_days`` (default ``limits.lifetime_days``).

        The returned ``teacher_key`` is the only copy: show it once.
        """
        self._throttle("create", session_id)
        days = self.limits.lifetime_days if lifetime_days is None else lifetime_days
        if type(days) is not int or not 1 <= days <= self.limits.max_lifetime_days:
            raise Refused("lifetime_invalid", max_days=self.limits.max_lifetime_days)
        key = new_teacher_key()
        stored = hash_key(normalize_key(key), kdf=self._kdf)
        now = self._now()
        expires = now + days * DAY_SECONDS
        with _reachable(), self.engine.begin() as conn:
            for _ in range(_CODE_ATTEMPTS):
                code = new_code()
                row = dict(code=code, key_kdf=stored.kdf, key_salt=stored.salt,
                           key_digest=stored.digest, created_at=now, expires_at=expires)
                if _insert_unless_taken(conn, classes, "code", row):
                    return NewClass(code, key, utc(now), utc(expires))
        raise RuntimeError(
            f"{_CODE_ATTEMPTS} random class codes in a row were taken; the code space is "
            "nearly full: add words to lib/classroom/words.py"
        )

    def class_report(self, code: str, teacher_key: str, *, session_id: str) -> ClassReport:
        """The class's aggregate results; ``Refused("teacher_refused")`` for any wrong pair.

        A malformed code, an unknown code and a wrong key all get the same refusal after the
        same work (one scrypt hash), so the answer tells a guesser nothing.
        """
        self._throttle("teacher", session_id)
        canonical = normalize_code(code)
        with _reachable(), self._reading() as conn:
            row = None
            if canonical is not None:
                row = conn.execute(
                    select(classes).where(classes.c.code == canonical)
                ).first()
            stored = None if row is None else KeyHash(row.key_kdf, row.key_salt, row.key_digest)
            if not key_matches(teacher_key, stored, kdf=self._kdf):
                raise Refused("teacher_refused")
            return self._report(conn, row)

    def _report(self, conn: Connection, row) -> ClassReport:
        joined = answers.join(submissions, answers.c.submission_id == submissions.c.submission_id)
        in_class = submissions.c.class_id == row.id
        n_submissions = conn.scalar(
            select(func.count()).select_from(submissions).where(in_class)
        )
        item_rows = conn.execute(
            select(answers.c.question_id, answers.c.topic, func.count(),
                   func.sum(case((answers.c.correct, 1), else_=0)))
            .select_from(joined).where(in_class)
            .group_by(answers.c.question_id, answers.c.topic)
        ).all()
        option_rows = conn.execute(
            select(answers.c.question_id, answers.c.topic, answer_options.c.option, func.count())
            .select_from(
                joined.join(
                    answer_options,
                    (answer_options.c.submission_id == answers.c.submission_id)
                    & (answer_options.c.position == answers.c.position),
                )
            )
            .where(in_class)
            .group_by(answers.c.question_id, answers.c.topic, answer_options.c.option)
        ).all()
        certainty_rows = conn.execute(
            select(answers.c.question_id, answers.c.topic, answers.c.certainty,
                   answers.c.correct, func.count())
            .select_from(joined).where(in_class)
            .group_by(answers.c.question_id, answers.c.topic, answers.c.certainty,
                      answers.c.correct)
        ).all()
        items, topics = summarize(
            [(q, t, n, int(right)) for q, t, n, right in item_rows],
            [tuple(r) for r in option_rows],
            [(q, t, c, bool(right), n) for q, t, c, right, n in certainty_rows],
        )
        return ClassReport(
            code=row.code,
            status="open" if row.expires_at > self._now() else "expired",
            created_at=utc(row.created_at),
            expires_at=utc(row.expires_at),
            submissions=n_submissions,
            items=items,
            topics=topics,
        )

    # --- students ---------------------------------------------------------------------

    def _canonical_code(self, code: str) -> str:
        canonical = normalize_code(code)
        if canonical is None:
            raise Refused("code_format", example=CODE_EXAMPLE)
        return canonical

    def check_open(self, code: str, *, session_id: str) -> OpenClass:
        """The class if it is open for results; ``Refused`` for a malformed, unknown or closed
        code (unknown and closed get the same message)."""
        self._throttle("student", session_id)
        canonical = self._canonical_code(code)
        with _reachable(), self._reading() as conn:
            expires = conn.scalar(select(classes.c.expires_at).where(classes.c.code == canonical))
        if expires is None or expires <= self._now():
            raise Refused("class_not_open")
        return OpenClass(canonical, utc(expires))

    def submit(self, code: str, submission: Submission, *, session_id: str) -> Receipt:
        """Store ``submission`` in the class once. Retrying the same one is always safe.

        Raises ``Refused`` (final: show and drop), ``RateLimited`` or ``StoreUnavailable``
        (keep the submission and retry later). Nothing is written unless it returns.
        """
        self._throttle("student", session_id)
        canonical = self._canonical_code(code)
        checked = check_submission(submission, limits=self.limits)
        digest = content_digest(canonical, checked)
        with _reachable(), self.engine.begin() as conn:
            return self._store(conn, canonical, checked, digest)

    def _store(self, conn: Connection, code: str, sub: Submission, digest: str) -> Receipt:
        found = conn.execute(
            select(classes.c.id, classes.c.expires_at).where(classes.c.code == code)
        ).first()
        if found is None:
            raise Refused("class_not_open")
        earlier = self._earlier_digest(conn, sub.submission_id)
        if earlier is None:
            # a result already stored still gets its receipt after the class closes
            if found.expires_at <= self._now():
                raise Refused("class_not_open")
            row = dict(submission_id=sub.submission_id, class_id=found.id, digest=digest)
            if _insert_unless_taken(conn, submissions, "submission_id", row):
                self._store_items(conn, sub)
                return Receipt(sub.submission_id, len(sub.items), already_sent=False)
            earlier = self._earlier_digest(conn, sub.submission_id)  # a concurrent copy won
        if earlier != digest:
            raise Refused("replay_conflict")
        return Receipt(sub.submission_id, len(sub.items), already_sent=True)

    @staticmethod
    def _earlier_digest(conn: Connection, submission_id: str) -> str | None:
        return conn.scalar(
            select(submissions.c.digest).where(submissions.c.submission_id == submission_id)
        )

    @staticmethod
    def _store_items(conn: Connection, sub: Submission) -> None:
        conn.execute(
            insert(answers),
            [
                dict(submission_id=sub.submission_id, position=i, question_id=item.question_id,
                     topic=item.topic, certainty=item.certainty, correct=item.correct)
                for i, item in enumerate(sub.items, 1)
            ],
        )
        conn.execute(
            insert(answer_options),
            [
                dict(submission_id=sub.submission_id, position=i, option=option)
                for i, item in enumerate(sub.items, 1)
                for option in item.chosen
            ],
        )

