"""Two replicas behind HAProxy on 127.0.0.1, driven by Debian chromium through the balancer.

- One browser session answers a quiz question, uploads a progress file and opens Explore:
  every request that belongs to its session (its websocket, the upload, anything sent with
  its CA_REPLICA cookie) reaches one replica, and it never reconnects (no session restart).
- Failover: one replica is killed mid-run. A session on the survivor keeps working with no
  error and no reconnect; a new session goes to the survivor; the killed replica's session
  reconnects to the survivor with a fresh session.

The signal is HAProxy's own log (one line per request: backend, replica, the browser's
User-Agent, which each browser here sets to a name of its own, and the cookie it sent).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from browser_support import (
    CHART,
    RERUN_COUNTER,
    assert_no_errors,
    rerun_after,
    wait_chart_changed,
    wait_for_app,
)
from lib.content import load_content
from lib.quiz.grading import correct_answer
from lib.quiz.progress import progress_to_json
from lib.quiz.session import new_quiz, submit
from scripts.cluster import COOKIE, Cluster

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
CONTENT = load_content(ROOT / "content")
BANK, TEXT = CONTENT.quiz, CONTENT.ui
TOPIC = "mech-masks"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with Cluster(2, tmp_path_factory.mktemp("cluster"), check_interval_ms=1000) as running:
        yield running


class Student:
    """A browser context with a name of its own (its User-Agent) and a count of websockets."""

    def __init__(self, browser, name: str):
        self.name = name
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                           user_agent=f"cluster-test {name}")
        self.context.add_init_script(RERUN_COUNTER)  # for wait_for_app
        self.page = self.context.new_page()
        self.page.dialogs = []
        self.page.on("dialog", lambda d: (self.page.dialogs.append(d.message), d.dismiss()))
        self.websockets = []
        self.page.on("websocket", lambda socket: self.websockets.append(socket))

    def replica(self) -> str:
        return next(c["value"] for c in self.context.cookies() if c["name"] == COOKIE)

    def requests(self, cluster: Cluster):
        return [line for line in cluster.log() if line.agent == f"cluster-test {self.name}"]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def student(browser):
    opened = []

    def make(name: str) -> Student:
        opened.append(Student(browser, name))
        return opened[-1]

    yield make
    for one in opened:
        one.close()


def wait_charts(page, count: int = 4) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('{CHART} svg').length >= {count}", timeout=90_000)
    wait_for_app(page)


def open_explore(page, url: str) -> None:
    page.goto(url)
    wait_charts(page)


def progress_file(tmp_path: Path) -> Path:
    """A quiz of 3 with 2 answered, as a student would have downloaded it."""
    state = new_quiz(BANK, topics=[TOPIC], length=3, seed=1, cbm=False)
    for question in state.questions[:2]:
        state = submit(state, question.id, correct_answer(question))
    path = tmp_path / "progress.json"
    path.write_text(progress_to_json(state), encoding="utf-8")
    return path


def answer_first_question(page) -> None:
    question = new_quiz(BANK, topics=[TOPIC], length=3, seed=1, cbm=False).questions[0]
    assert question.type in ("single", "multi", "true_false")
    form = page.locator("[data-testid=stForm]").first
    if question.type == "true_false":
        form.get_by_text("True" if question.verdict.correct else "False", exact=True).click()
        form.get_by_text(next(o.text for o in question.why if o.correct), exact=True).click()
    else:
        right = [o for o in question.options if o.correct]
        for option in right if question.type == "multi" else right[:1]:
            form.get_by_text(option.text, exact=True).first.click()
    with rerun_after(page):  # choices inside a form start no run; submitting does
        form.get_by_role("button", name="Submit answer").click()
    page.get_by_text(TEXT.messages["quiz_feedback_right"].split("{")[0], exact=False).first.wait_for()


def test_one_session_stays_on_one_replica_through_quiz_upload_and_explore(
        cluster, student, tmp_path):
    alice = student("alice")
    page = alice.page
    page.goto(f"{cluster.url}/quiz?topic={TOPIC}")
    wait_for_app(page)
    questions = page.get_by_label("Questions", exact=True)
    questions.fill("3")
    questions.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Start a new quiz").click()
    wait_for_app(page)
    answer_first_question(page)
    assert_no_errors(page)

    # The upload is an HTTP PUT to /_stcore/upload_file/<session>/...: only the replica that
    # holds this session can accept it.
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
        str(progress_file(tmp_path)))
    page.get_by_text(TEXT.messages["quiz_resume_success"]).wait_for(timeout=30_000)
    wait_for_app(page)
    page.get_by_text(TEXT.format("quiz_progress", number=3, total=3, answered=2)).wait_for()
    assert_no_errors(page)

    page.get_by_role("link", name="Explore").click()  # in the app: same session, same socket
    wait_charts(page)
    assert_no_errors(page)

    replica = alice.replica()
    requests = alice.requests(cluster)
    sockets = [r for r in requests if r.path.endswith("/_stcore/stream")]
    uploads = [r for r in requests if "/_stcore/upload_file/" in r.path]
    assert len(alice.websockets) == 1  # never reconnected: no session restart
    assert [(s.backend, s.server, s.status) for s in sockets] == [("sessions", replica, 101)]
    assert uploads and all(u.server == replica and u.method == "PUT" and u.status == 204
                           for u in uploads)
    with_cookie = [r for r in requests if r.cookie]
    assert with_cookie and {(r.cookie, r.server) for r in with_cookie} == {(replica, replica)}


def wait_no_sessions(cluster: Cluster) -> None:
    """Until HAProxy holds no websocket: a closed tab's socket can outlive its context."""
    def current() -> int:
        return next(int(r["scur"]) for r in cluster.stats()
                    if r["pxname"] == "sessions" and r["svname"] == "BACKEND")

    deadline = time.monotonic() + 30
    while current() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert current() == 0


def test_failover_keeps_the_survivor_serving(cluster, student):
    wait_no_sessions(cluster)  # so that leastconn puts the next two on different replicas
    calm, doomed = student("calm"), student("doomed")
    open_explore(calm.page, cluster.url)
    open_explore(doomed.page, f"{cluster.url}/?prompt=Paris+Hilton+news&layer=4")
    # leastconn: with one session open on a replica, the next one goes to the other
    assert {calm.replica(), doomed.replica()} == {"app1", "app2"}
    survivor, victim = calm.replica(), doomed.replica()

    cluster.kill_replica(victim)

    newcomer = student("newcomer")  # opened right after the kill, before any health check
    open_explore(newcomer.page, cluster.url)
    assert newcomer.replica() == survivor
    assert_no_errors(newcomer.page)

    heat_before = calm.page.locator(CHART).nth(1).inner_html()
    slider = calm.page.get_by_role("slider", name="Layer")
    slider.focus()
    slider.press("ArrowRight")
    wait_chart_changed(calm.page, 1, heat_before)
    wait_for_app(calm.page)
    assert_no_errors(calm.page)
    assert len(calm.websockets) == 1  # the survivor's session never noticed

    # The killed replica's browser reconnects through HAProxy to the survivor, which
    # starts it a fresh session (the old one died with its process) and draws the page.
    doomed.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=stVegaLiteChart] svg').length >= 4"
        " && !document.querySelector('[data-testid=stStatusWidget]')", timeout=90_000)
    assert doomed.replica() == survivor
    # its settings live in its address, so the fresh session restores them
    assert doomed.page.get_by_label("Prompt", exact=True).input_value() == "Paris Hilton news"
    assert doomed.page.get_by_role("slider", name="Layer").input_value() == "4"
    assert len(doomed.websockets) >= 2
    moved = [r for r in doomed.requests(cluster) if r.path.endswith("/_stcore/stream")]
    assert [(r.server, r.status) for r in moved][-1] == (survivor, 101)
    assert cluster.server_status()[victim] != "UP"
    assert cluster.server_status()[survivor] == "UP"
