"""The class store's tables and their versioned migrations, portable across SQLite and PostgreSQL.

Tables (no column can identify a student: no name, session, address or time of submission):

- ``classes``: code (unique), the teacher key's salt, scrypt digest and parameters, and the
  creation and expiry times (Unix seconds).
- ``submissions``: one row per submission UUID (the primary key makes replays collide), its
  class and the SHA-256 digest of its content.
- ``answers``: one row per answered item (submission, position, question, topic, certainty,
  right or not). ``answer_options``: one row per option token chosen in an answer.

Migrations are a short ordered list of steps, each applied once and recorded in
``schema_migrations`` in the same transaction as its changes (both engines have
transactional DDL), so a crash leaves either the old schema or the new one. ``migrate``
runs at start-up and is safe when several processes start at once: on PostgreSQL the
transaction first takes a transaction-level advisory lock; on SQLite every write
transaction is ``BEGIN IMMEDIATE`` (``store.py``), which takes the database's write lock
before reading the version, so the second process waits, then finds nothing left to do.
Alembic would add autogeneration and a CLI that one table list does not need.

When a later migration changes a table, the Table objects below become its new shape and
the steps before it must keep creating the shape of their own version.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Engine,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    insert,
    select,
    text,
)

METADATA = MetaData()

classes = Table(
    "classes",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(60), nullable=False, unique=True),
    Column("key_kdf", String(40), nullable=False),
    Column("key_salt", LargeBinary(32), nullable=False),
    Column("key_digest", LargeBinary(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)

submissions = Table(
    "submissions",
    METADATA,
    Column("submission_id", String(36), primary_key=True),
    Column("class_id", Integer, ForeignKey("classes.id"), nullable=False, index=True),
    Column("digest", String(64), nullable=False),
)

answers = Table(
    "answers",
    METADATA,
    Column("submission_id", String(36), ForeignKey("submissions.submission_id"),
           primary_key=True),
    Column("position", SmallInteger, primary_key=True),
    Column("question_id", String(80), nullable=False),
    Column("topic", String(80), nullable=False),
    Column("certainty", SmallInteger, nullable=True),
    Column("correct", Boolean, nullable=False),
    CheckConstraint("certainty IN (1, 2, 3)", name="answers_certainty_1_to_3"),
)

answer_options = Table(
    "answer_options",
    METADATA,
    Column("submission_id", String(36), primary_key=True),
    Column("position", SmallInteger, primary_key=True),
    Column("option", String(80), primary_key=True),
    ForeignKeyConstraint(
        ["submission_id", "position"], ["answers.submission_id", "answers.position"]
    ),
)

schema_migrations = Table(
    "schema_migrations",
    MetaData(),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _create_v1(conn: Connection) -> None:
    for table in (classes, submissions, answers, answer_options):
        table.create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "classes, submissions, answers and chosen options", _create_v1),
)

# Any fixed 64-bit number: the advisory lock that serialises migrations on PostgreSQL.
_PG_MIGRATION_LOCK = 0x4341_4C41_5353  # "CACLASS"


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer version of the app than this one."""


def migrate(engine: Engine, *, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the missing migrations in order, in one transaction; return the schema version."""
    steps = sorted(migrations, key=lambda m: m.version)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        schema_migrations.create(conn, checkfirst=True)
        applied = set(conn.scalars(select(schema_migrations.c.version)))
        unknown = applied - {m.version for m in steps}
        if unknown:
            raise SchemaTooNew(
                f"the class database has schema version(s) {sorted(unknown)}, newer than this "
                f"app knows ({steps[-1].version}); run the newer app version, or restore a "
                "backup made before it upgraded the database"
            )
        for step in steps:
            if step.version in applied:
                continue
            step.apply(conn)
            conn.execute(
                insert(schema_migrations).values(
                    version=step.version, name=step.name, applied_at=int(time.time())
                )
            )
    return steps[-1].version
