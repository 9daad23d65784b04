"""Run N replicas of the app behind HAProxy: `make cluster N=2`.

One Streamlit process runs every session under one interpreter lock, so it uses about one
core. A lecture hall needs several processes, and a balancer that keeps each browser on the
process that holds its session (see deploy/haproxy/haproxy.cfg.template for why and how).

- Each replica starts the way `make run` starts one (scripts/serve.py, HF_HUB_OFFLINE=1) on
  its own port on 127.0.0.1; only HAProxy is reachable from outside.
- HAProxy is Debian's (scripts/ensure-haproxy). Its config is rendered from the template
  for these N replicas into the run folder, checked with `haproxy -c`, then served.
- Ctrl-C stops HAProxy first (no new sessions), then the replicas, and waits for each. A
  replica that dies on its own is reported and routed around; the cluster keeps serving.

Usage:
  python scripts/cluster.py run --replicas 2 [--port 8500] [--bind 0.0.0.0]
  python scripts/cluster.py config --replicas 3 --target compose --out run/compose/haproxy.cfg
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "haproxy" / "haproxy.cfg.template"
COOKIE = "CA_REPLICA"
COMPOSE_PROJECT = "cellular-attention"  # compose.yaml's `name:`; containers are <name>-app-<i>
COMPOSE_APP_PORT = 8501


class ClusterError(RuntimeError):
    """The cluster could not start or a check failed; the message says what to do."""


@dataclass(frozen=True)
class Replica:
    """One app process as HAProxy sees it: a server name (also its cookie value) and address."""

    name: str
    address: str  # host:port


@dataclass(frozen=True)
class BalancerSettings:
    bind: str = "127.0.0.1:8500"
    stats_socket: str = "/tmp/haproxy.sock"
    # Sessions (websockets) per replica before new ones queue. 30 is the one-process target
    # of the class-load work (30 sessions at p95 <= 1 s); set it from bench/bench_cluster.py's
    # "sessions per replica at p95 <= 1 s" row on the machine that serves.
    sessions_per_replica: int = 30
    requests_per_replica: int = 64  # concurrent asset/upload requests per replica
    check_interval_ms: int = 2000
    global_maxconn: int = 4096
    dns_resolver: str | None = None  # compose: Docker's DNS, so restarted replicas are found


def local_replicas(ports: Sequence[int]) -> list[Replica]:
    return [Replica(f"app{i}", f"127.0.0.1:{port}") for i, port in enumerate(ports, start=1)]


def compose_replicas(count: int) -> list[Replica]:
    """Compose names the containers of `deploy.replicas: N` <project>-app-1 .. -N."""
    return [Replica(f"app{i}", f"{COMPOSE_PROJECT}-app-{i}:{COMPOSE_APP_PORT}")
            for i in range(1, count + 1)]


def render_config(replicas: Sequence[Replica], settings: BalancerSettings) -> str:
    """The template filled in for these replicas; every placeholder must be given."""
    if not replicas:
        raise ClusterError("A cluster needs at least one replica: pass --replicas 1 or more.")
    resolve = ""
    resolvers = ""
    if settings.dns_resolver:
        resolve = " resolvers docker init-addr last,libc,none"
        resolvers = (f"resolvers docker\n    nameserver dns1 {settings.dns_resolver}\n"
                     "    hold valid 10s\n")
    sessions = "\n".join(f"    server {r.name} {r.address} cookie {r.name}{resolve}"
                         for r in replicas)
    pages = "\n".join(f"    server {r.name} {r.address} cookie {r.name} track sessions/{r.name}"
                      f"{resolve}" for r in replicas)
    return Template(TEMPLATE.read_text()).substitute(
        bind=settings.bind,
        stats_socket=settings.stats_socket,
        global_maxconn=settings.global_maxconn,
        check_interval=f"{settings.check_interval_ms}ms",
        sessions_per_replica=settings.sessions_per_replica,
        requests_per_replica=settings.requests_per_replica,
        resolvers_section=resolvers,
        session_servers=sessions,
        page_servers=pages,
    )


def haproxy_binary() -> str:
    path = shutil.which("haproxy")
    if path is None:
        raise ClusterError("HAProxy is not installed: run scripts/ensure-haproxy "
                           "(or `apt-get install -y haproxy`), then try again.")
    return path


def check_config(path: Path) -> str:
    """`haproxy -c`: raise with HAProxy's own words if the config is invalid."""
    done = subprocess.run([haproxy_binary(), "-c", "-f", str(path)],
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise ClusterError(f"HAProxy rejected {path}:\n{done.stdout}{done.stderr}\n"
                           f"Fix: correct {TEMPLATE.relative_to(ROOT)} and render again.")
    return done.stdout + done.stderr


def write_config(text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    check_config(path)
    return path


# ---- HAProxy's log: which replica served which browser -------------------------------------

_LOG_LINE = re.compile(
    r"^(?P<time>\S+) (?P<client>\S+) (?P<backend>[^/\s]+)/(?P<server>\S+) (?P<status>-?\d+) "
    r"(?P<timers>\S+) (?P<method>\S+) (?P<path>\S+) \{(?P<agent>[^|}]*)\|(?P<cookie>[^}]*)\}$"
)


@dataclass(frozen=True)
class LogLine:
    """One request as HAProxy logged it (the template's log-format)."""

    backend: str
    server: str  # "<NOSRV>" when no replica was reached
    status: int  # 101 for an opened websocket; -1 when the client left first
    method: str
    path: str
    agent: str  # the User-Agent, which tests set to tell their browsers apart
    cookie: str  # the CA_REPLICA value the browser sent, "" if none
    routed_at: float  # epoch seconds when HAProxy had connected it to the replica


def _routed_at(accepted: str, timers: str) -> float:
    """%tr (accept time, local clock, ms) plus the queue and connect times (%Tw/%Tc)."""
    start = datetime.strptime(accepted, "%d/%b/%Y:%H:%M:%S.%f").timestamp()
    waited = sum(max(0, int(t)) for t in timers.split("/")[:2])
    return start + waited / 1e3


def parse_log(text: str) -> list[LogLine]:
    """Requests in HAProxy's log; state-change messages and anything else are skipped."""
    lines = []
    for raw in text.splitlines():
        match = _LOG_LINE.match(raw.strip())
        if match:
            lines.append(LogLine(match["backend"], match["server"], int(match["status"]),
                                 match["method"], match["path"], match["agent"],
                                 match["cookie"], _routed_at(match["time"], match["timers"])))
    return lines


# ---- running it ----------------------------------------------------------------------------


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        # As HAProxy and uvicorn bind: a port whose old connections linger is free to them.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """Ports the OS has just handed out, for tests and benches that must not collide."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_healthy(url: str, *, timeout: float = 90.0, process: subprocess.Popen | None = None,
                 log: Path | None = None) -> float:
    """Poll <url>/_stcore/health until it answers 200; the seconds it took."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process is not None and process.poll() is not None:
            tail = log.read_text()[-2000:] if log and log.exists() else ""
            raise ClusterError(f"The process for {url} exited with code {process.returncode}."
                               f"\n{tail}\nFix: see the log{f' {log}' if log else ''}.")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.1)
    raise ClusterError(f"{url} did not become healthy within {timeout:.0f} s. Fix: check its "
                       f"log{f' ({log})' if log else ''}, and that the machine is not overloaded.")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path


@dataclass
class Cluster:
    """N replicas and HAProxy on 127.0.0.1; a context manager that always stops them all.

    ``replica_env`` is added to every replica's environment (e.g. CA_VALIDATE_CHARTS in tests).
    """

    replicas: int
    run_dir: Path
    port: int | None = None
    bind_host: str = "127.0.0.1"
    replica_ports: Sequence[int] | None = None
    sessions_per_replica: int = BalancerSettings.sessions_per_replica
    check_interval_ms: int = BalancerSettings.check_interval_ms
    replica_env: dict[str, str] = field(default_factory=dict)
    apps: dict[str, Process] = field(default_factory=dict, init=False)
    haproxy: Process | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.bind_host == "0.0.0.0" else self.bind_host
        return f"http://{host}:{self.port}"

    @property
    def stats_socket(self) -> Path:
        return self.run_dir / "haproxy.sock"

    @property
    def log_path(self) -> Path:
        return self.run_dir / "haproxy.log"

    def replica_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self._ports()[name]}"

    def _ports(self) -> dict[str, int]:
        return {f"app{i}": p for i, p in enumerate(self.replica_ports or [], start=1)}

    def start(self) -> Cluster:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._choose_ports()
        try:
            for name, port in self._ports().items():
                self.apps[name] = self._start_replica(name, port)
            for name, app in self.apps.items():
                wait_healthy(self.replica_url(name), process=app.popen, log=app.log)
            settings = BalancerSettings(
                bind=f"{self.bind_host}:{self.port}", stats_socket=str(self.stats_socket),
                sessions_per_replica=self.sessions_per_replica,
                check_interval_ms=self.check_interval_ms,
            )
            config = write_config(render_config(local_replicas(self.replica_ports), settings),
                                  self.run_dir / "haproxy.cfg")
            self.haproxy = self._spawn("haproxy", [haproxy_binary(), "-db", "-f", str(config)])
            wait_healthy(self.url, process=self.haproxy.popen, log=self.haproxy.log, timeout=20)
            self.wait_all_up(timeout=20)
        except BaseException:
            self.stop()
            raise
        return self

    def _choose_ports(self) -> None:
        if self.port is None or self.replica_ports is None:
            ports = free_ports(self.replicas + 1)
            self.port = self.port or ports[0]
            self.replica_ports = list(self.replica_ports or ports[1:])
        if len(self.replica_ports) != self.replicas:
            raise ClusterError(f"{self.replicas} replicas need {self.replicas} ports, "
                               f"got {list(self.replica_ports)}.")
        wanted = [(self.port, self.bind_host), *((p, "127.0.0.1") for p in self.replica_ports)]
        for port, host in wanted:
            if not port_is_free(port, host):
                raise ClusterError(f"Port {port} is in use. Fix: stop what uses it, or choose "
                                   "other ports (--port, --replica-port).")

    def _start_replica(self, name: str, port: int) -> Process:
        command = [sys.executable, str(ROOT / "scripts" / "serve.py"),
                   "--server.headless", "true", "--server.address", "127.0.0.1",
                   "--server.port", str(port)]
        return self._spawn(name, command, env={"HF_HUB_OFFLINE": "1", **self.replica_env})

    def _spawn(self, name: str, command: list[str], *, env: dict | None = None) -> Process:
        log = self.run_dir / f"{name}.log"
        handle = open(log, "w")  # noqa: SIM115 - the child owns it for its whole life
        # Its own session: Ctrl-C reaches only this script, which stops children in order.
        popen = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                                 stdout=handle, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        handle.close()
        return Process(name, popen, log)

    def stop(self) -> None:
        """HAProxy first, so no request reaches a replica that is stopping; then the replicas."""
        for process in [self.haproxy, *self.apps.values()]:
            if process is not None and process.popen.poll() is None:
                process.popen.terminate()
        for process in [self.haproxy, *self.apps.values()]:
            if process is None:
                continue
            try:
                process.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(timeout=10)

    def kill_replica(self, name: str) -> None:
        """SIGKILL, as a crash or an out-of-memory kill would end it."""
        self.apps[name].popen.kill()
        self.apps[name].popen.wait(timeout=10)

    def stats(self) -> list[dict[str, str]]:
        """HAProxy's `show stat`, one dict per proxy or server row."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.stats_socket))
            sock.sendall(b"show stat\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        text = b"".join(chunks).decode().lstrip("# ")
        return list(csv.DictReader(io.StringIO(text)))

    def server_status(self, backend: str = "sessions") -> dict[str, str]:
        """Replica name -> "UP", "DOWN", ... as HAProxy's health checks see it now."""
        return {row["svname"]: row["status"] for row in self.stats()
                if row["pxname"] == backend and row["svname"] not in ("FRONTEND", "BACKEND")}

    def wait_all_up(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if set(self.server_status().values()) == {"UP"}:
                return
            time.sleep(0.1)
        raise ClusterError(f"HAProxy does not see every replica up: {self.server_status()}. "
                           f"Fix: read {self.log_path} and the replicas' logs in {self.run_dir}.")

    def log(self) -> list[LogLine]:
        return parse_log(self.log_path.read_text()) if self.log_path.exists() else []

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _stop_on_sigterm(*_) -> None:
    raise KeyboardInterrupt  # `kill <pid>` stops the cluster the way Ctrl-C does


def serve(args: argparse.Namespace) -> int:
    ports = list(range(args.replica_port, args.replica_port + args.replicas))
    cluster = Cluster(args.replicas, Path(args.run_dir), port=args.port, bind_host=args.bind,
                      replica_ports=ports, sessions_per_replica=args.sessions_per_replica)
    # Python leaves SIGINT ignored when its parent did (a shell's background job), so Ctrl-C
    # and `kill -INT` are wired here explicitly, and SIGTERM does the same.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    print(f"Starting {args.replicas} replicas on ports {ports[0]}-{ports[-1]} ...", flush=True)
    try:
        cluster.start()
        print(f"Serving {cluster.url} (HAProxy -> {', '.join(cluster.apps)}). "
              f"Logs in {cluster.run_dir}. Ctrl-C stops everything.", flush=True)
        reported: set[str] = set()
        while cluster.haproxy.popen.poll() is None:
            for name, app in cluster.apps.items():
                if app.popen.poll() is not None and name not in reported:
                    reported.add(name)
                    print(f"Replica {name} exited ({app.popen.returncode}); HAProxy routes "
                          f"around it. Its log: {app.log}", file=sys.stderr, flush=True)
            time.sleep(0.5)
        print(f"HAProxy exited ({cluster.haproxy.popen.returncode}); see {cluster.log_path}.",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except ClusterError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        cluster.stop()
        print("Stopped HAProxy and all replicas.", flush=True)


def render(args: argparse.Namespace) -> int:
    if args.target == "compose":
        replicas = compose_replicas(args.replicas)
        settings = BalancerSettings(bind="*:8500", stats_socket="/tmp/haproxy.sock",
                                    sessions_per_replica=args.sessions_per_replica,
                                    dns_resolver="127.0.0.11:53")
    else:
        replicas = local_replicas(range(args.replica_port, args.replica_port + args.replicas))
        settings = BalancerSettings(bind=f"{args.bind}:{args.port}",
                                    stats_socket=str(Path(args.run_dir) / "haproxy.sock"),
                                    sessions_per_replica=args.sessions_per_replica)
    try:
        path = write_config(render_config(replicas, settings), Path(args.out))
    except ClusterError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Wrote {path} for {args.replicas} replicas; `haproxy -c` accepts it.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=("run", "config"), default="run")
    parser.add_argument("--replicas", "-n", type=int, default=2)
    parser.add_argument("--port", type=int, default=8500, help="HAProxy's port")
    parser.add_argument("--bind", default="127.0.0.1",
                        help="HAProxy's address; 0.0.0.0 to serve a room (replicas stay local)")
    parser.add_argument("--replica-port", type=int, default=8601,
                        help="first replica's port; the others follow")
    parser.add_argument("--sessions-per-replica", type=int,
                        default=BalancerSettings.sessions_per_replica)
    parser.add_argument("--run-dir", default=str(ROOT / "run" / "cluster"))
    parser.add_argument("--target", choices=("local", "compose"), default="local")
    parser.add_argument("--out", default=str(ROOT / "run" / "haproxy.cfg"))
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    return serve(args) if args.command == "run" else render(args)


if __name__ == "__main__":
    sys.exit(main())
