"""Replicas behind HAProxy (`make cluster`): memory, scaling, capacity, stickiness, failover.

Rows:
- memory per replica for N = 1, 2, 3: RSS, PSS and USS (bench/smaps.py says what each
  means), after one Chromium session per replica has opened Explore; and whether the model's
  weight pages are shared between replicas (target: none copied);
- scaling: p95 of a control change, 20 sessions on 1 replica and 40 sessions on 2 replicas,
  measured in the same run (target: ratio <= 1.2);
- capacity: the most sessions one replica holds at p95 <= 1 s;
- stickiness: sessions through HAProxy whose websocket and progress-file upload reached one
  replica, and session restarts (target: all, and 0);
- failover: one replica killed mid-run: time until HAProxy marks it down and until a new
  session reaches the survivor (targets: within one health-check interval), new sessions
  sent to the dead replica, and errors in the survivor's sessions (targets: 0).

The load rows drive sessions through a ``LoadClient``. The class-load work's client
(``bench.load``: the sessions its Locust users drive, speaking Streamlit's websocket
protocol, so no browser runs on this machine's CPU) is the one meant for the real figures;
``default_load_client`` picks it up through bench/cluster_load.py once bench/load exists.
Until then ``BrowserLoad`` (one Chromium page per session) runs the same rows at small N.
Run: `python -m bench.bench_cluster [--tiny]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Protocol

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from bench.common import row  # noqa: E402
from bench.smaps import process_memory  # noqa: E402
from scripts.cluster import COOKIE, BalancerSettings, Cluster, LogLine  # noqa: E402

CHART = "[data-testid=stVegaLiteChart]"
CHECK_INTERVAL_MS = BalancerSettings.check_interval_ms


# ---- the load client's contract -------------------------------------------------------------


@dataclass(frozen=True)
class SessionRecord:
    agent: str  # the User-Agent it sent: how HAProxy's log names it
    replica: str  # the CA_REPLICA cookie it holds at the end ("" if it never got one)
    errors: int  # errors it saw (an exception on the page, a change that never finished)
    reconnects: int  # websockets it opened beyond its first


@dataclass(frozen=True)
class LoadResult:
    latencies_s: tuple[float, ...]  # every control change: sent -> its rerun finished
    sessions: tuple[SessionRecord, ...]


class LoadClient(Protocol):
    """What these benchmarks need from a load generator.

    ``run`` opens ``sessions`` sessions on Explore through ``url``, session i sending the
    User-Agent f"{agent_prefix}-{i}" and keeping the cookies HAProxy sets (CA_REPLICA). With
    ``upload``, each session then uploads it on the Quiz page ("Resume from a progress
    file") and comes back to Explore. Then, ``rounds`` times, every session changes the
    Layer slider at once and waits for its rerun. ``midway`` is called once, after half the
    rounds, while the sessions stay open. Everything is closed before it returns.
    ``uploads`` says whether it can upload; the stickiness rows need that. ``reconnects``
    says whether a session whose replica dies reconnects, as a browser does.
    """

    uploads: bool
    reconnects: bool

    def run(self, url: str, *, sessions: int, rounds: int, agent_prefix: str,
            upload: bytes | None = None,
            midway: Callable[[], None] | None = None) -> LoadResult: ...


def default_load_client() -> LoadClient:
    """The load generator's protocol client (bench/load), as bench/cluster_load.py adapts it."""
    from bench.cluster_load import cluster_client

    return cluster_client()


class BrowserLoad:
    """A LoadClient made of Chromium pages: exact but heavy (each page costs this machine's
    CPU), so it is the reference for small N, not for a lecture hall."""

    uploads = True
    reconnects = True

    def run(self, url: str, *, sessions: int, rounds: int, agent_prefix: str,
            upload: bytes | None = None,
            midway: Callable[[], None] | None = None) -> LoadResult:
        from playwright.sync_api import sync_playwright

        from browser_support import CHROMIUM_ARGS, chromium_path

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                 args=CHROMIUM_ARGS)
            try:
                pages = [self._open(browser, url, f"{agent_prefix}-{i}")
                         for i in range(sessions)]
                for page in pages:
                    _rendered(page)
                if upload is not None:
                    for page in pages:
                        self._upload(page, upload)
                latencies: list[float] = []
                failed = {id(page): 0 for page in pages}
                for step in range(rounds):
                    if midway is not None and step == rounds // 2:
                        midway()
                    latencies += self._round(pages, step, failed)
                records = tuple(self._record(page, failed[id(page)]) for page in pages)
            finally:
                browser.close()
        return LoadResult(tuple(latencies), records)

    @staticmethod
    def _open(browser, url: str, agent: str):
        from browser_support import RERUN_COUNTER

        context = browser.new_context(viewport={"width": 1200, "height": 900}, user_agent=agent)
        context.add_init_script(RERUN_COUNTER)  # for wait_for_app
        page = context.new_page()
        page.agent = agent
        page.sockets = []
        page.on("websocket", lambda socket: page.sockets.append(socket))
        page.goto(url)
        return page

    @staticmethod
    def _upload(page, data: bytes) -> None:
        from browser_support import wait_for_app

        page.get_by_role("link", name="Quiz").click()
        wait_for_app(page)
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
            {"name": "progress.json", "mimeType": "application/json", "buffer": data})
        page.get_by_text("Progress restored from the file.").wait_for(timeout=60_000)
        page.get_by_role("link", name="Explore").click()
        _rendered(page)

    @staticmethod
    def _round(pages, step: int, failed: dict[int, int]) -> list[float]:
        from browser_support import wait_chart_changed

        befores = [p.locator(CHART).nth(1).inner_html() for p in pages]
        starts = []
        for page in pages:
            slider = page.get_by_role("slider", name="Layer")
            slider.focus()
            starts.append(time.perf_counter())
            slider.press("ArrowRight" if step % 2 == 0 else "ArrowLeft")
        latencies = []
        for page, before, start in zip(pages, befores, starts, strict=True):
            try:
                wait_chart_changed(page, 1, before, timeout=60_000)
            except Exception:  # a session on a killed replica: counted, not fatal
                failed[id(page)] += 1
                continue
            latencies.append(time.perf_counter() - start)
        return latencies

    @staticmethod
    def _record(page, failed: int) -> SessionRecord:
        from browser_support import ERROR_SELECTORS

        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        shown = page.locator(ERROR_SELECTORS).count()
        return SessionRecord(page.agent, cookies.get(COOKIE, ""), failed + shown,
                             max(0, len(page.sockets) - 1))


def _rendered(page) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('{CHART} svg').length >= 5"
        " && !document.querySelector('[data-testid=stStatusWidget]')",
        timeout=120_000, polling=50,
    )


def p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


# ---- memory -------------------------------------------------------------------------------


def memory_rows(replica_counts: Sequence[int] = (1, 2, 3)) -> list[dict]:
    """Each replica serves one Explore session (so it has loaded the model), then its
    memory is read from /proc."""
    from playwright.sync_api import sync_playwright

    from browser_support import CHROMIUM_ARGS, chromium_path

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for count in replica_counts:
            with TemporaryDirectory() as run_dir, Cluster(count, Path(run_dir)) as cluster:
                contexts = [browser.new_context() for _ in range(count)]
                for context in contexts:  # leastconn: one session on each replica
                    page = context.new_page()
                    page.goto(cluster.url)
                    _rendered(page)
                served = {c["value"] for ctx in contexts for c in ctx.cookies()
                          if c["name"] == COOKIE}
                assert served == set(cluster.apps), (served, list(cluster.apps))
                figures = [process_memory(app.popen.pid) for app in cluster.apps.values()]
                for context in contexts:
                    context.close()
            rows += _memory_rows_for(count, figures)
        browser.close()
    return rows


REPLICA_BUDGET_MB = 700  # one session's budget on one process (the class-load issue)
ADDED_REPLICA_BUDGET_MB = 450  # what each further replica may add, the weights shared
WEIGHTS_MB = 95  # all-MiniLM-L6-v2's safetensors file is 90.9 MB


def _memory_rows_for(count: int, figures) -> list[dict]:
    size = f"{count} replica{'s' if count > 1 else ''}, 1 session each (median)"

    def median(field: str) -> float:
        return statistics.median(getattr(f, field) for f in figures)

    copied = max(f.weights_private_mb for f in figures)
    weights = median("weights_rss_mb")
    cluster_pss = sum(f.pss_mb for f in figures)
    cluster_budget = REPLICA_BUDGET_MB + ADDED_REPLICA_BUDGET_MB * (count - 1)
    shared_share = weights / count + 5  # a fair share of one copy, plus rounding
    return [
        row("replica RSS", size, median("rss_mb"), "MB", f"<= {REPLICA_BUDGET_MB} MB",
            median("rss_mb") <= REPLICA_BUDGET_MB),
        row("replica PSS", size, median("pss_mb"), "MB", f"<= {REPLICA_BUDGET_MB} MB",
            median("pss_mb") <= REPLICA_BUDGET_MB),
        *([row("replica USS (private: what one more replica adds)", size, median("uss_mb"),
               "MB", f"<= {ADDED_REPLICA_BUDGET_MB} MB",
               median("uss_mb") <= ADDED_REPLICA_BUDGET_MB)]
          if count > 1 else []),  # alone, a replica's USS also holds the libraries it shares
        row("cluster PSS, all replicas", f"{count} replicas", cluster_pss, "MB",
            f"<= {cluster_budget} MB (first {REPLICA_BUDGET_MB}, then "
            f"{ADDED_REPLICA_BUDGET_MB} each)", cluster_pss <= cluster_budget),
        row("model weights resident per replica", size, weights, "MB",
            f"<= {WEIGHTS_MB} MB (one copy of the file)", weights <= WEIGHTS_MB),
        row("model weights PSS per replica", size, median("weights_pss_mb"), "MB",
            f"<= {shared_share:.0f} MB (1/{count} of the resident copy)",
            median("weights_pss_mb") <= shared_share),
        row("model weight pages copied by a replica", f"{count} replicas (max)", copied, "MB",
            "0 (shared page cache)", copied == 0),
    ]


# ---- load through HAProxy -----------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scaling_rows(client: LoadClient, *, sessions: int = 20, rounds: int = 3) -> list[dict]:
    """``sessions`` on 1 replica, then 2x``sessions`` on 2 replicas, in the same run; and
    the replica's CPU time per control change, for planning. The CPU is read at the run's
    midpoint and at its end, so it covers the later rounds only: no page loads, no model
    load, just changes."""
    with TemporaryDirectory() as one_dir, Cluster(1, Path(one_dir)) as one:
        pid = one.apps["app1"].popen.pid
        marks: list[float] = []
        single = client.run(one.url, sessions=sessions, rounds=rounds, agent_prefix="one",
                            midway=lambda: marks.append(cpu_seconds(pid)))
        changes = sessions * (rounds - rounds // 2)
        cpu_per_change = (cpu_seconds(pid) - marks[0]) / changes
    with TemporaryDirectory() as two_dir, Cluster(2, Path(two_dir)) as two:
        double = client.run(two.url, sessions=2 * sessions, rounds=rounds, agent_prefix="two")
    base, scaled = p95(single.latencies_s), p95(double.latencies_s)
    return [
        row("replica CPU per control change", f"{sessions} sessions, 1 replica (later rounds)",
            cpu_per_change * 1e3, "ms", "<= 50 ms (20 changes a second per core)",
            cpu_per_change <= 0.05),
        row("control change p95 via HAProxy", f"{sessions} sessions, 1 replica", base * 1e3,
            "ms", "<= 1000 ms", base <= 1.0),
        row("control change p95 via HAProxy", f"{2 * sessions} sessions, 2 replicas",
            scaled * 1e3, "ms", "<= 1000 ms", scaled <= 1.0),
        row("scaling: p95 2 replicas / p95 1 replica", f"{2 * sessions} vs {sessions} sessions",
            scaled / base, "x", "<= 1.2", scaled / base <= 1.2),
    ]


CLASS_SIZE = 30


def capacity_rows(client: LoadClient, *, steps: Sequence[int] = (5, 10, 20, 30, 40),
                  rounds: int = 3) -> list[dict]:
    """Sessions on one replica, stepping up until p95 passes 1 s. The balancer's own limit
    (maxconn, 30 sessions a replica) is lifted above the largest step here: past it HAProxy
    queues new sessions and refuses them after "timeout queue", which would measure the
    limit instead of the replica."""
    held, seen = 0, []
    with TemporaryDirectory() as run_dir, Cluster(
            1, Path(run_dir), sessions_per_replica=max(steps) + 10) as cluster:
        for count in steps:
            result = client.run(cluster.url, sessions=count, rounds=rounds,
                                agent_prefix=f"cap{count}")
            seen.append(f"{count}: {p95(result.latencies_s):.2f} s")
            if p95(result.latencies_s) > 1.0:
                break
            held = count
    return [row("sessions per replica at p95 <= 1 s", "; ".join(seen), held, "sessions",
                f">= {CLASS_SIZE} (a class per replica)", held >= CLASS_SIZE)]


def stickiness_rows(client: LoadClient, upload: bytes, *, sessions: int = 40,
                    rounds: int = 2) -> list[dict]:
    with TemporaryDirectory() as run_dir, Cluster(2, Path(run_dir)) as cluster:
        result = client.run(cluster.url, sessions=sessions, rounds=rounds, agent_prefix="sticky",
                            upload=upload)
        log = cluster.log()
    kept = sum(sticky(log, record.agent) for record in result.sessions)
    restarts = sum(record.reconnects for record in result.sessions)
    return [
        row("sessions whose websocket and upload reached one replica",
            f"{sessions} sessions, 2 replicas", kept, "sessions", f"= {sessions}",
            kept == sessions),
        row("session restarts (reconnected websockets)", f"{sessions} sessions, 2 replicas",
            restarts, "sessions", "0", restarts == 0),
    ]


def sticky(log: Sequence[LogLine], agent: str) -> bool:
    """One websocket, on one replica; at least one upload, on that replica; and every
    request that named a replica in its cookie reached that replica."""
    mine = [line for line in log if line.agent == agent]
    sockets = {line.server for line in mine if line.path.endswith("/_stcore/stream")}
    uploads = [line for line in mine if "/_stcore/upload_file/" in line.path]
    named = [line for line in mine if line.cookie]
    return (len(sockets) == 1 and bool(uploads)
            and all(u.server in sockets and 200 <= u.status < 300 for u in uploads)
            and all(line.cookie == line.server for line in named))


ANSWER_S = 5.0  # a first page load on a replica that is serving 20 sessions


def failover_rows(client: LoadClient, *, sessions: int = 20, rounds: int = 4) -> list[dict]:
    """Kill one of 2 replicas halfway through a run."""
    with TemporaryDirectory() as run_dir, Cluster(2, Path(run_dir),
                                                  check_interval_ms=CHECK_INTERVAL_MS) as cluster:
        watch = FailoverWatch(cluster, victim="app2")
        result = client.run(cluster.url, sessions=sessions, rounds=rounds,
                            agent_prefix="failover", midway=watch.kill)
        watch.join()
        probes = watch.probes()
        routed_s = watch.routed_after_s("app1")
    survivors = [r for r in result.sessions if r.replica == "app1" and r.reconnects == 0]
    survivor_errors = sum(r.errors for r in survivors)
    moved = sum(1 for r in result.sessions if r.reconnects > 0)
    interval = CHECK_INTERVAL_MS / 1e3
    size = f"2 replicas, {sessions} sessions, health check every {interval:g} s"
    return [
        row("failover: killed replica marked down", size, watch.down_after_s, "s",
            f"<= {interval:g} s", watch.down_after_s <= interval),
        row("failover: first new session routed to the survivor", size, routed_s, "s",
            f"<= {interval:g} s", routed_s <= interval),
        row("failover: first new session answered by the survivor", size,
            watch.answered_after_s, "s", f"<= {interval + ANSWER_S:g} s (marked down, then a "
            f"page load under the survivor's load)", watch.answered_after_s <= interval + ANSWER_S),
        row("failover: new sessions sent to the killed replica", f"{len(probes)} probes",
            sum(1 for p in probes if p.server != "app1"), "sessions", "0",
            bool(probes) and all(p.server == "app1" for p in probes)),
        row("failover: errors in sessions on the survivor", f"{len(survivors)} sessions",
            survivor_errors, "errors", "0", survivor_errors == 0),
    ] + ([row("failover: sessions moved to a fresh session on the survivor", size, moved,
              "sessions", f"= {sessions - len(survivors)} (every session not left in place)",
              moved == sessions - len(survivors))] if client.reconnects else [])


class FailoverWatch:
    """Kills a replica, then times HAProxy's reaction from the outside: a stats-socket poll
    for the DOWN state, and fresh websocket handshakes (new sessions) every 100 ms for one
    health-check interval. HAProxy's log says when and where it routed each of them."""

    AGENT = "failover-probe"

    def __init__(self, cluster: Cluster, *, victim: str):
        self.cluster, self.victim = cluster, victim
        self.killed_at = 0.0  # epoch seconds, the clock HAProxy's log uses
        self.down_after_s = float("inf")
        self.answered_after_s = float("inf")  # the survivor's 101 reached the probe
        self._threads: list[threading.Thread] = []

    def kill(self) -> None:
        start, self.killed_at = time.perf_counter(), time.time()
        self.cluster.kill_replica(self.victim)
        self._threads = [threading.Thread(target=self._watch_down, args=(start,)),
                         threading.Thread(target=self._probe_new_sessions, args=(start,))]
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=60)

    def probes(self) -> list[LogLine]:
        """The new sessions opened after the kill, as HAProxy routed them."""
        return [line for line in self.cluster.log()
                if line.agent == self.AGENT and line.backend == "sessions"]

    def routed_after_s(self, survivor: str) -> float:
        times = [p.routed_at for p in self.probes() if p.server == survivor and p.status == 101]
        return min(times) - self.killed_at if times else float("inf")

    def _watch_down(self, start: float) -> None:
        while time.perf_counter() - start < 30:
            if self.cluster.server_status()[self.victim] != "UP":
                self.down_after_s = time.perf_counter() - start
                return
            time.sleep(0.02)

    def _probe_new_sessions(self, start: float) -> None:
        while time.perf_counter() - start < CHECK_INTERVAL_MS / 1e3:
            replica = new_session_replica(self.cluster.url, agent=self.AGENT)
            if replica not in ("", self.victim) and self.answered_after_s == float("inf"):
                self.answered_after_s = time.perf_counter() - start
            time.sleep(0.1)


def new_session_replica(url: str, *, agent: str) -> str:
    """Open a websocket to /_stcore/stream as a new browser would (no cookie), and return the
    replica HAProxy's cookie names; "" if the handshake failed."""
    from websockets.sync.client import connect

    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        with connect(ws_url, subprotocols=["streamlit"], origin=url, open_timeout=10,
                     additional_headers={"User-Agent": agent}) as socket:
            cookie = socket.response.headers.get("Set-Cookie", "")
    except OSError:
        return ""
    except Exception as error:  # websockets' InvalidStatus: HAProxy answered 503
        return f"refused: {type(error).__name__}"
    return cookie.split(";")[0].removeprefix(f"{COOKIE}=")


# ---- the suite -----------------------------------------------------------------------------


def progress_upload() -> bytes:
    """A short quiz with one answer, as a student would have downloaded it."""
    from lib.content import load_content
    from lib.quiz.grading import correct_answer
    from lib.quiz.progress import progress_to_json
    from lib.quiz.session import new_quiz, submit

    bank = load_content(ROOT / "content").quiz
    state = new_quiz(bank, topics=None, length=3, seed=1, cbm=False)
    first = state.questions[0]
    return progress_to_json(submit(state, first.id, correct_answer(first))).encode()


def run(client: LoadClient | None = None, *, tiny: bool = False) -> list[dict]:
    """Every row; ``tiny`` checks the code paths with a handful of sessions."""
    client = client or default_load_client()
    uploader = client if client.uploads else BrowserLoad()
    if tiny:
        return (memory_rows((1, 2)) + scaling_rows(client, sessions=2, rounds=2)
                + capacity_rows(client, steps=(1, 2), rounds=2)
                + stickiness_rows(uploader, progress_upload(), sessions=2, rounds=1)
                + failover_rows(client, sessions=2, rounds=2))
    return (memory_rows() + scaling_rows(client) + capacity_rows(client)
            + stickiness_rows(uploader, progress_upload()) + failover_rows(client))


if __name__ == "__main__":
    from bench.report import print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny", action="store_true", help="a few sessions: checks, not figures")
    print_table(run(tiny=parser.parse_args().tiny))
