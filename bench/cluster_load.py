"""bench/bench_cluster.py's LoadClient on the class-load work's protocol client (bench.load).

Its sessions speak Streamlit's websocket protocol (``StreamlitSession``), so no browser
runs on this machine's CPU and the latencies are the server's. ``default_load_client``
imports this module; it works once bench/load/ is on the same branch.

It sends no User-Agent of its own and keeps no cookies beyond the handshake, and it cannot
upload a file yet, so the stickiness rows (which follow each session's upload through
HAProxy's log) still run in Chromium (``uploads = False``). Its sessions do not reconnect
after a failover, as a browser would; a session on a killed replica counts as errors.
"""

from __future__ import annotations

from collections.abc import Callable

from bench.bench_cluster import LoadResult, SessionRecord
from bench.load.scenarios import move_slider
from bench.load.streamlit_client import RunResult, StreamlitSession, all_at_once
from scripts.cluster import COOKIE

LAYER = move_slider("Layer", (2, 3))  # Explore's layer slider, back and forth


class ProtocolLoad:
    uploads = False
    reconnects = False  # a browser's reconnect after a failover: tests/test_browser_cluster.py

    def run(self, url: str, *, sessions: int, rounds: int, agent_prefix: str,
            upload: bytes | None = None,
            midway: Callable[[], None] | None = None) -> LoadResult:
        if upload is not None:
            raise ValueError("bench.load's client cannot upload files yet: run the "
                             "stickiness rows with bench_cluster.BrowserLoad.")
        opened = [StreamlitSession(url) for _ in range(sessions)]
        failed = {id(session): 0 for session in opened}

        def act(session: StreamlitSession, round_number: int) -> RunResult:
            try:
                result = LAYER.act(session, round_number)
            except Exception as error:  # a session whose replica was killed
                result = RunResult(status=f"failed: {type(error).__name__}")
            failed[id(session)] += 0 if result.ok else 1
            return result

        try:
            replicas = [self._open(session) for session in opened]
            half = rounds // 2
            results = all_at_once(opened, act, rounds=half) if half else []
            if midway is not None:
                midway()
            results += all_at_once(opened, act, rounds=rounds - half)
        finally:
            for session in opened:
                session.close()
        records = tuple(SessionRecord("", replica, failed[id(session)], 0)
                        for session, replica in zip(opened, replicas, strict=True))
        return LoadResult(tuple(r.seconds for r in results if r.ok), records)

    @staticmethod
    def _open(session: StreamlitSession) -> str:
        """Open the session and return the replica HAProxy's handshake cookie names."""
        if not session.open().ok:
            raise RuntimeError(f"a session through {session.base_url} did not open")
        cookie = session._ws.getheaders().get("set-cookie", "")  # the websocket's 101
        name, _, value = cookie.split(";")[0].partition("=")
        return value if name == COOKIE else ""


def cluster_client() -> ProtocolLoad:
    return ProtocolLoad()
