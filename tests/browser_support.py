"""Fixtures for real-browser tests: a real `streamlit run app.py` server and Debian chromium.

Chromium comes from Debian (`apt-get install -y chromium`, done by .ci/run); Playwright
only drives it (`playwright install` cannot download browsers on these machines).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ERROR_SELECTORS = "[data-testid=stException], [data-testid=stAlertContentError]"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, *, timeout: float = 60.0) -> float:
    """Poll /_stcore/health until it answers; returns the seconds it took."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"Streamlit at {url} did not become healthy within {timeout} s")


SERVE = ("scripts/serve.py",)  # as `make run` starts it
STREAMLIT_RUN = ("-m", "streamlit", "run", "app.py")  # as Community Cloud starts it


def start_server(*, port: int | None = None, env: dict | None = None,
                 launcher: tuple[str, ...] = SERVE) -> tuple[subprocess.Popen, str]:
    """The app as `make run` starts it (scripts/serve.py: `streamlit run app.py` with warm imports)."""
    port = port or free_port()
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    # The log goes to a file, not a pipe: nobody reads a pipe while the server runs, and a
    # full one (64 kB of tracebacks) would block the server mid-run.
    with tempfile.NamedTemporaryFile(prefix=f"cellular-attention-{port}-", suffix=".log",
                                     delete=False) as log:
        process = subprocess.Popen(
            [sys.executable, *launcher, "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    process.log_path = Path(log.name)  # what the server printed, for a failing test to show
    return process, f"http://127.0.0.1:{port}"


@contextmanager
def serving(*, port: int | None = None, env: dict | None = None,
            launcher: tuple[str, ...] = SERVE, stop_timeout: float = 30) -> Iterator[
                tuple[subprocess.Popen, str]]:
    """A server started by ``start_server``, healthy, and stopped afterwards: (process, url)."""
    process, url = start_server(port=port, env=env, launcher=launcher)
    try:
        wait_healthy(url)
        yield process, url
    except BaseException:
        print(f"The server's log ({process.log_path}) ends:\n{server_log(process)[-3000:]}",
              file=sys.stderr)
        raise
    else:
        process.log_path.unlink(missing_ok=True)
    finally:
        process.terminate()
        process.wait(timeout=stop_timeout)


def server_log(process: subprocess.Popen) -> str:
    """What a server from start_server has printed so far."""
    return process.log_path.read_text(errors="replace")


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Debian chromium is not installed: run `apt-get install -y chromium` "
                    "(.ci/run and `make test` do this).")
    return path


@pytest.fixture(scope="session")
def server():
    with serving() as (_, url):
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# Counts the app's finished script runs in the page (window.__caReruns): every ForwardMsg the
# server sends is one websocket frame, and a run (or a fragment's run) ends with one whose
# top-level field 6 is script_finished (streamlit/proto/ForwardMsg.proto). Tests wait for that
# count to move, the app's own signal that a rerun is over, instead of sleeping.
SCRIPT_FINISHED_FIELD = 6
RERUN_COUNTER = """
(() => {
  window.__caReruns = 0;
  window.__caRerunsAtInput = 0;  // runs finished when the reader last clicked or typed
  for (const kind of ["click", "keydown", "input", "change"]) {
    window.addEventListener(kind, () => { window.__caRerunsAtInput = window.__caReruns; },
                            true);
  }
  const finished = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let i = 0;
    const varint = () => {
      let value = 0, shift = 0, byte;
      do { byte = bytes[i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; }
      while (byte & 0x80 && i < bytes.length);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
      if (field === FIELD && wire === 0) return true;
      if (wire === 0) varint();
      else if (wire === 1) i += 8;
      else if (wire === 2) { const length = varint(); i += length; }
      else if (wire === 5) i += 4;
      else return false;
    }
    return false;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const count = (buffer) => { if (finished(buffer)) window.__caReruns += 1; };
        if (event.data instanceof ArrayBuffer) count(event.data);
        else if (event.data instanceof Blob) event.data.arrayBuffer().then(count);
      });
    }
  };
})();
""".replace("FIELD", str(SCRIPT_FINISHED_FIELD))


def open_page(browser, *, viewport: dict | None = None):
    """A fresh browser context and page that counts the app's reruns and records (and
    dismisses) any alert() dialog."""
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000})
    context.add_init_script(RERUN_COUNTER)
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs  # tests assert no alert() ever fired
    return context, opened


@pytest.fixture
def page(browser):
    context, opened = open_page(browser)
    yield opened
    context.close()


# Idle: no run in progress, and the page's own style sheet (ui/style.py) is in force; st.html
# draws it up to a second after the run that sent it, and axe or a screenshot taken before
# that sees Streamlit's default caption colour and scrolling formulas. Also no element still
# waiting for its code: Streamlit loads some widgets' JavaScript (multiselect, data grid,
# charts) on first use and shows a grey stSkeleton placeholder until it arrives, so a check
# run before then would read a placeholder instead of the widget.
IDLE = ("() => document.querySelector('[data-testid=stApp]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'"
        " && getComputedStyle(document.documentElement)"
        ".getPropertyValue('--ca-page-style').trim() === 'applied'"
        " && !document.querySelector('[data-testid=stSkeleton]')")


def reruns(page) -> int:
    """How many script runs (or fragment runs) the page has seen finish."""
    return int(page.evaluate("window.__caReruns"))


def wait_for_app(page, *, since: int | None = None, timeout: float = 60_000) -> None:
    """Wait until the app has finished a run after the reader's last click or key (or, with
    ``since``, after that run count), drawn it, and is idle. After a page load: the first run.
    An action that starts no run must not be followed by this wait."""
    page.wait_for_function(
        f"n => window.__caReruns > (n === null ? window.__caRerunsAtInput : n) && ({IDLE})()",
        arg=since, timeout=timeout, polling=25,
    )


@contextmanager
def rerun_after(page, *, timeout: float = 60_000) -> Iterator[None]:
    """Around an action: wait until the rerun it triggers has finished and been drawn."""
    before = reruns(page)
    yield
    wait_for_app(page, since=before, timeout=timeout)


def assert_no_errors(page) -> None:
    errors = page.locator(ERROR_SELECTORS)
    assert errors.count() == 0, errors.all_inner_texts()
    assert "Traceback" not in page.inner_text("body")
    assert not page.dialogs, page.dialogs


CHART = "[data-testid=stVegaLiteChart]"


def wait_chart_changed(page, index: int, before: str, *, timeout: float = 60_000) -> None:
    """Wait until the ``index``-th chart's SVG differs from ``before``."""
    page.wait_for_function(
        "([sel, i, old]) => { const e = document.querySelectorAll(sel)[i];"
        " return e && e.innerHTML !== old; }",
        arg=[CHART, index, before], timeout=timeout, polling=20,
    )
