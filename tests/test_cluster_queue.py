"""The bounded queue: a replica never holds more sessions than its limit. A new session
that finds every replica full waits in HAProxy's queue and gets the first slot a leaving
student frees (after `timeout queue` it would get a 503 and the browser would retry).

Sessions here are bare websocket handshakes to /_stcore/stream, as a browser opens them:
no page and no model are needed to fill a replica's session slots."""

from __future__ import annotations

import threading
import time

import pytest
from websockets.sync.client import ClientConnection, connect

from scripts.cluster import COOKIE, Cluster


def open_session(cluster: Cluster, name: str) -> ClientConnection:
    return connect(cluster.url.replace("http://", "ws://") + "/_stcore/stream",
                   subprotocols=["streamlit"], origin=cluster.url, open_timeout=60,
                   additional_headers={"User-Agent": f"queue-test {name}"})


def replica(session: ClientConnection) -> str:
    cookie = session.response.headers["Set-Cookie"].split(";")[0]
    name, _, value = cookie.partition("=")
    assert name == COOKIE
    return value


def queued(cluster: Cluster) -> int:
    return next(int(row["qcur"]) for row in cluster.stats()
                if row["pxname"] == "sessions" and row["svname"] == "BACKEND")


@pytest.fixture
def cluster(tmp_path):
    with Cluster(2, tmp_path, sessions_per_replica=1) as running:
        yield running


def test_a_full_cluster_queues_a_new_session_until_a_slot_frees(cluster):
    first, second = open_session(cluster, "first"), open_session(cluster, "second")
    assert {replica(first), replica(second)} == {"app1", "app2"}  # leastconn spreads them
    late: dict[str, ClientConnection] = {}
    waiter = threading.Thread(target=lambda: late.update(session=open_session(cluster, "late")))
    waiter.start()
    deadline = time.monotonic() + 30
    while queued(cluster) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert queued(cluster) == 1 and waiter.is_alive()  # held back: no replica was given a 2nd
    first.close()
    waiter.join(timeout=30)
    assert replica(late["session"]) == replica(first)  # the freed slot, not the full replica
    assert queued(cluster) == 0
    for session in (second, late["session"]):
        session.close()
