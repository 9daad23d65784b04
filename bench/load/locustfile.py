"""Locust users that drive the app over Streamlit's websocket protocol (issue 11).

One User class per page scenario (bench/load/scenarios.py). Each user opens its page with
its own prompt (prompt i of ``--prompt-file``, a JSON list; the preset prompt without
one), then repeats its scenario's steps ``--rounds`` times. In lockstep (the default) every
user waits for all the others before each step, so N sessions change a control at the same
moment, each after its own first full page load. Every rerun is reported to Locust as a
request named "<page>/<step>" whose response time is the time to ``script_finished``:
type RERUN for the timed control changes, OPEN for loading and setting the prompt.

bench/load/run.py runs this for the benchmark table. By hand, against a running app:
    locust -f bench/load/locustfile.py --headless -u 30 -r 30 --host http://127.0.0.1:8501 \
        --csv /tmp/explore --rounds 5 ExploreUser
"""

from __future__ import annotations

import itertools
import json
import resource
import sys
import threading  # monkey-patched by Locust (gevent) before this module is imported
import time
from pathlib import Path

import gevent
from locust import User, constant, events, task
from locust.env import Environment
from locust.stats import CSV_STATS_INTERVAL_SEC

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root

from bench.load.scenarios import PRESET, SCENARIOS, Scenario, open_page  # noqa: E402
from bench.load.streamlit_client import ProtocolError, RunResult  # noqa: E402

ARRIVAL_TIMEOUT = 900.0  # s: 20 sessions each analysing a 512-token prompt, on 2 cores


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    parser.add_argument("--rounds", type=int, default=5, env_var="LOAD_ROUNDS",
                        help="How many times each user repeats its scenario's steps")
    parser.add_argument("--prompt-file", default="", env_var="LOAD_PROMPT_FILE",
                        help="JSON list of prompts; user i takes prompt i (modulo its length)")
    parser.add_argument("--free-running", action="store_true", env_var="LOAD_FREE_RUNNING",
                        help="Do not wait for the other users before each step")
    parser.add_argument("--cpu-report", default="", env_var="LOAD_CPU_REPORT",
                        help="Write Locust's own CPU seconds during the test to this JSON file")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


_STARTED: dict[str, float] = {}


@events.test_start.add_listener
def _test_started(environment: Environment, **_kwargs) -> None:
    _STARTED.update(cpu=_cpu_seconds(), wall=time.perf_counter())


@events.quitting.add_listener
def _report_cpu(environment: Environment, **_kwargs) -> None:
    """Locust's own CPU from the start of the test to its end (imports and start-up left
    out), so that its share of this 2-core machine can be judged."""
    path = environment.parsed_options.cpu_report
    if path and _STARTED:
        with open(path, "w") as handle:
            json.dump({"cpu_s": _cpu_seconds() - _STARTED["cpu"],
                       "wall_s": time.perf_counter() - _STARTED["wall"]}, handle)


class Lockstep:
    """Every user takes each step together; the run ends when the last user is done."""

    def __init__(self, environment: Environment, parties: int) -> None:
        self.environment = environment
        self.barrier = threading.Barrier(parties)
        self.parties = parties
        self.done = 0

    def wait(self, free_running: bool) -> None:
        if not free_running:
            self.barrier.wait(timeout=ARRIVAL_TIMEOUT)

    def abort(self) -> None:
        self.barrier.abort()  # the others stop waiting for a user that failed

    def finish(self) -> None:
        self.done += 1
        if self.done == self.parties:
            # Locust writes its CSV once a second and not again on quitting: let it write
            # the last requests first.
            gevent.spawn_later(2 * CSV_STATS_INTERVAL_SEC, self.environment.runner.quit)


_LOCKSTEP: Lockstep | None = None
_NUMBERS = itertools.count()


def lockstep(environment: Environment) -> Lockstep:
    global _LOCKSTEP
    if _LOCKSTEP is None:
        _LOCKSTEP = Lockstep(environment, environment.parsed_options.num_users)
    return _LOCKSTEP


def prompt_for(number: int, environment: Environment) -> str:
    path = environment.parsed_options.prompt_file
    if not path:
        return PRESET
    with open(path) as handle:
        prompts = json.load(handle)
    return prompts[number % len(prompts)]


class PageUser(User):
    """A student on one page: open it with a prompt, then change its control each round."""

    abstract = True
    scenario: Scenario
    wait_time = constant(0)

    def report(self, kind: str, step: str, result: RunResult) -> None:
        problem = None
        if not result.ok:
            problem = ProtocolError(f"status {result.status!r}; exceptions {result.exceptions}")
        self.environment.events.request.fire(
            request_type=kind, name=f"{self.scenario.title}/{step}",
            response_time=result.seconds * 1000, response_length=result.bytes,
            exception=problem, context={"charts": result.charts, "deltas": result.deltas},
        )

    @task
    def rounds(self) -> None:
        options = self.environment.parsed_options
        together = lockstep(self.environment)
        prompt = prompt_for(next(_NUMBERS), self.environment)
        session = None
        try:
            session, opened = open_page(self.host, self.scenario, prompt)
            for name, result in opened:
                self.report("OPEN", name, result)
            for round_number in range(options.rounds):
                for step in self.scenario.steps:
                    together.wait(options.free_running)
                    self.report("RERUN", step.name, step.act(session, round_number))
        except Exception:
            together.abort()
            raise
        finally:
            if session is not None:
                session.close()
            together.finish()
        gevent.sleep(ARRIVAL_TIMEOUT)  # idle until the last user ends the run


def _user(key: str) -> type[PageUser]:
    name = "".join(part.title() for part in key.split("_")) + "User"
    return type(name, (PageUser,), {"scenario": SCENARIOS[key], "__module__": __name__})


ExploreUser = _user("explore")
ContextUser = _user("context")
TeamworkUser = _user("teamwork")
AnalogyUser = _user("analogy")
LimitationsUser = _user("limitations")
QuizUser = _user("quiz")
FloorUser = _user("floor")
