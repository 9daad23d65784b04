"""Database fixtures for the class-store tests: SQLite files, and a throwaway PostgreSQL cluster.

The cluster is made with Debian's ``initdb`` in a fresh temp folder and started by ``pg_ctl``
on a free loopback port with password (scram) authentication, once per test session; it is
stopped and deleted at the end, and every test gets a database of its own in it. initdb
refuses to run as root, so as root (as CI runs here) the server runs as the ``postgres``
system user that Debian's package creates (or ``nobody``), in a folder it owns.

The PostgreSQL tests never skip: when the server cannot start, they fail with what went
wrong and how to fix it (``scripts/ensure-postgres`` installs the package).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import URL, inspect, select

from lib.classroom.codes import Scrypt
from lib.classroom.limits import Limits, Rate
from lib.classroom.schema import METADATA, schema_migrations
from lib.classroom.store import ClassStore, open_store

FIX = (
    "Install PostgreSQL with scripts/ensure-postgres (as root; it runs "
    "'apt-get install -y postgresql'), then run the tests again."
)


class PostgresUnavailable(RuntimeError):
    pass


BINDIR_ENV = "CA_TEST_PG_BINDIR"


def postgres_bindir() -> Path:
    """``CA_TEST_PG_BINDIR`` if set, else the newest Debian PostgreSQL's bin folder
    (``/usr/lib/postgresql/<version>/bin``), else the folder of ``initdb`` on the PATH."""
    chosen = os.environ.get(BINDIR_ENV)
    if chosen:
        if not (Path(chosen) / "initdb").is_file():
            raise PostgresUnavailable(f"{BINDIR_ENV}={chosen} has no initdb. {FIX}")
        return Path(chosen)
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if found:
        newest = max(found, key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)))
        return Path(newest).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise PostgresUnavailable(f"PostgreSQL's initdb was not found. {FIX}")


def _run_as() -> tuple[str, int, int] | None:
    """(user, uid, gid) to run the server as when we are root; None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return name, entry.pw_uid, entry.pw_gid
    raise PostgresUnavailable(
        "the tests run as root, and initdb refuses root, but there is neither a 'postgres' "
        f"nor a 'nobody' user to run it as. {FIX}"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PgCluster:
    folder: Path
    bindir: Path
    port: int
    password: str
    run_as: tuple[str, int, int] | None
    user: str = "ca_test"
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str = "postgres") -> URL:
        return URL.create(
            "postgresql+psycopg", username=self.user, password=self.password,
            host="127.0.0.1", port=self.port, database=database,
        )

    def new_database(self) -> URL:
        import psycopg
        from psycopg import sql

        name = f"classroom_{next(self._numbers)}"
        admin = self.url().render_as_string(hide_password=False).replace("+psycopg", "")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return _run(self, [str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), *args],
                    check=check)

    def log_tail(self) -> str:
        log = self.folder / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else "(no server log)"


def _run(cluster: PgCluster, cmd: list[str], *, check: bool) -> subprocess.CompletedProcess:
    extra = {}
    if cluster.run_as is not None:
        _, uid, gid = cluster.run_as
        extra = {"user": uid, "group": gid, "extra_groups": []}
    done = subprocess.run(cmd, cwd=cluster.folder, capture_output=True, text=True, timeout=120,
                          **extra)
    if check and done.returncode != 0:
        raise PostgresUnavailable(
            f"{Path(cmd[0]).name} failed (exit {done.returncode}): "
            f"{(done.stderr or done.stdout).strip()[-1500:]}\n{cluster.log_tail()}\n{FIX}"
        )
    return done


def start_cluster() -> PgCluster:
    """initdb + pg_ctl start in a new temp folder; raises PostgresUnavailable saying why."""
    bindir = postgres_bindir()
    run_as = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="ca-pg-"))
    cluster = PgCluster(folder, bindir, _free_port(), secrets.token_hex(16), run_as)
    pwfile = folder / "pw"
    pwfile.write_text(cluster.password + "\n")
    if run_as is not None:
        for path in (folder, pwfile):
            os.chown(path, run_as[1], run_as[2])
    _run(cluster, [str(bindir / "initdb"), "-D", str(folder / "data"), "-U", cluster.user,
                   "--pwfile", str(pwfile), "--auth=scram-sha-256", "-E", "UTF8", "--no-locale",
                   "--no-sync"], check=True)
    pwfile.unlink()
    # A throwaway cluster: no durability needed, so no fsync; loopback and our socket only.
    options = (f"-p {cluster.port} -k {folder} -c listen_addresses=127.0.0.1 "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    cluster.pg_ctl("-l", str(folder / "server.log"), "-w", "-t", "60", "-o", options, "start")
    return cluster


def stop_cluster(cluster: PgCluster) -> None:
    # immediate: no shutdown checkpoint of data that is deleted next anyway
    cluster.pg_ctl("-m", "immediate", "-w", "stop", check=False)
    shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster():
    problem = None
    try:
        cluster = start_cluster()
    except PostgresUnavailable as exc:
        problem = str(exc)
    except (OSError, subprocess.TimeoutExpired) as exc:
        problem = f"{exc}. {FIX}"
    if problem is not None:  # outside the except block: no chained traceback in the report
        pytest.fail(f"PostgreSQL could not start for the database tests: {problem}",
                    pytrace=False)
    yield cluster
    stop_cluster(cluster)


BACKENDS = ("sqlite", "postgres")


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> URL:
    """A fresh, empty database on each engine."""
    if request.param == "sqlite":
        return URL.create("sqlite", database=str(tmp_path / "data" / "classroom.sqlite3"))
    return request.getfixturevalue("pg_cluster").new_database()


class FakeClock:
    """Wall clock and monotonic clock in one, moved by hand."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# The app's scrypt cost (70 ms a check) has its own tests; here it would only slow things.
CHEAP_KDF = Scrypt(n=2**4)
# Rate limits have their own tests; elsewhere one "session" makes many calls.
ROOMY = Limits(student=Rate(10_000, 0.01), teacher=Rate(10_000, 0.01), create=Rate(10_000, 0.01))


@pytest.fixture
def store(db_url, clock) -> ClassStore:
    opened = open_store(db_url, limits=ROOMY, clock=clock, monotonic=clock, kdf=CHEAP_KDF)
    yield opened
    opened.close()


def snapshot(store: ClassStore) -> dict[str, list[tuple]]:
    """Every table's name and rows, sorted: equal snapshots mean nothing changed."""
    known = {t.name: t for t in (*METADATA.sorted_tables, schema_migrations)}
    names = sorted(inspect(store.engine).get_table_names())
    with store.engine.connect() as conn:
        return {
            name: sorted(tuple(row) for row in conn.execute(select(known[name])))
            if name in known else "a table the store never makes"
            for name in names
        }


@contextmanager
def outage(store: ClassStore, request):
    """The store's database is unreachable inside the block, and back (intact) after it.

    SQLite: the data folder is moved away; PostgreSQL: the database is renamed. Either way a
    new connection fails the way a real outage does, with the driver's own error.
    """
    store.engine.dispose()  # pooled connections would otherwise outlive the outage
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        folder = Path(url.database).parent
        away = folder.with_name(folder.name + "-away")
        folder.rename(away)
        try:
            yield
        finally:
            store.engine.dispose()
            away.rename(folder)
        return
    import psycopg
    from psycopg import sql

    cluster = request.getfixturevalue("pg_cluster")
    admin = cluster.url().render_as_string(hide_password=False).replace("+psycopg", "")
    name, away = url.database, url.database + "_away"
    rename = sql.SQL("ALTER DATABASE {} RENAME TO {}")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(rename.format(sql.Identifier(name), sql.Identifier(away)))
    try:
        yield
    finally:
        store.engine.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(rename.format(sql.Identifier(away), sql.Identifier(name)))
