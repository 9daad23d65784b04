"""The HAProxy config rendered from deploy/haproxy/haproxy.cfg.template is valid for 1-4
replicas, both for `make cluster` and for compose, and keeps the properties a Streamlit
cluster needs."""

from __future__ import annotations

import re

import pytest

from scripts.cluster import (
    COOKIE,
    BalancerSettings,
    ClusterError,
    check_config,
    compose_replicas,
    local_replicas,
    parse_log,
    render_config,
)


def _backend(config: str, name: str) -> str:
    """The lines of one backend section, up to the next blank line."""
    return config.split(f"\nbackend {name}\n", 1)[1].split("\n\n", 1)[0]


@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
def test_local_config_is_accepted_by_haproxy(replicas, tmp_path):
    settings = BalancerSettings(bind="127.0.0.1:18500", stats_socket=str(tmp_path / "s.sock"))
    config = render_config(local_replicas(range(18601, 18601 + replicas)), settings)
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    output = check_config(path)
    assert "Configuration file is valid" in output
    assert "WARNING" not in output  # a clean config, not merely an accepted one
    for backend in ("sessions", "pages"):
        servers = re.findall(r"^\s+server (app\d+) 127\.0\.0\.1:(\d+) cookie (app\d+)",
                             _backend(config, backend), re.M)
        assert [(s[0], int(s[1])) for s in servers] == [
            (f"app{i}", 18600 + i) for i in range(1, replicas + 1)]
        assert all(name == cookie for name, _, cookie in servers)


@pytest.mark.parametrize("replicas", [1, 4])
def test_compose_config_is_accepted_by_haproxy(replicas, tmp_path):
    settings = BalancerSettings(bind="*:8500", stats_socket="/tmp/haproxy.sock",
                                dns_resolver="127.0.0.11:53")
    config = render_config(compose_replicas(replicas), settings)
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    # Docker's DNS is absent here, so HAProxy starts with the replicas unresolved (init-addr
    # none) and finds them at run time; the config itself must still be valid.
    assert "Configuration file is valid" in check_config(path)
    assert f"cellular-attention-app-{replicas}:8501" in config


def test_sessions_are_sticky_bounded_and_health_checked():
    config = render_config(local_replicas([18601, 18602]),
                           BalancerSettings(sessions_per_replica=7, check_interval_ms=1500))
    sessions = _backend(config, "sessions")
    assert f"cookie {COOKIE} insert indirect nocache" in sessions  # HAProxy's own cookie
    assert "balance leastconn" in sessions
    assert "option httpchk GET /_stcore/health" in sessions
    assert re.search(r"default-server check inter 1500ms .* maxconn 7$", sessions, re.M)
    pages = _backend(config, "pages")
    # assets and uploads follow the cookie but never set it: only a websocket picks a replica
    assert re.search(rf"^\s+cookie {COOKIE} indirect$", pages, re.M)
    assert "track sessions/app2" in pages
    assert re.search(r"use_backend sessions if \{ path_end /_stcore/stream \}", config)
    assert re.search(r"^\s+timeout tunnel 1h$", config, re.M)
    assert re.search(r"^\s+timeout queue 10s$", config, re.M)


def test_no_replicas_is_refused_with_advice():
    with pytest.raises(ClusterError, match="at least one replica"):
        render_config([], BalancerSettings())


def test_log_lines_parse_into_requests():
    text = (
        "05/Nov/2026:10:00:00.001 127.0.0.1:5000 sessions/app2 101 0/0/1 GET /_stcore/stream "
        "{browser 7|}\n"
        "Server sessions/app1 is DOWN, reason: Layer4 connection problem\n"
        "05/Nov/2026:10:00:01.000 127.0.0.1:5001 pages/app2 200 0/0/3 PUT "
        "/_stcore/upload_file/abc/def {browser 7|app2}\n"
    )
    first, second = parse_log(text)
    assert (first.backend, first.server, first.status, first.cookie) == ("sessions", "app2",
                                                                         101, "")
    assert (second.method, second.path, second.agent, second.cookie) == (
        "PUT", "/_stcore/upload_file/abc/def", "browser 7", "app2")
    # accepted at 10:00:01.000, then 0 ms queued and 0 ms connecting
    assert second.routed_at - first.routed_at == pytest.approx(1.0 - 0.001, abs=1e-6)
