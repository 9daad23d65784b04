"""Freed model buffers go back to the OS, so one long prompt does not raise the server's
resident memory for good (lib/models/memory.py). Run in a fresh interpreter each time:
the policy is process-wide and must be set before torch allocates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.bench_heap import probe
from lib.models.memory import return_large_blocks_promptly

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the policy is glibc's")
def test_policy_is_applied_on_linux_and_is_idempotent():
    first = return_large_blocks_promptly()
    assert first.applied, first.reason
    assert return_large_blocks_promptly() is first


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the policy is glibc's")
def test_a_long_prompt_is_served_from_disk_and_leaves_no_resident_memory_behind():
    figures = probe(policy=True)
    assert figures["tokens"] == 512
    # extracting it allocates its 6 x 12 x 512 x 512 float32 = 75 MB of attention ...
    assert figures["growth"] > 60, figures
    # ... which the store writes to disk: held as a map, only the pages a view read are in memory
    assert figures["held"] - figures["before"] < 30, figures
    assert figures["after"] - figures["before"] < 25, figures


def test_loading_and_running_the_model_leaves_scipy_unimported():
    # scipy costs every server about 35 MB; see lib/models/loading.import_text_model_code
    done = subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.path.insert(0, '.');"
         "from lib.attention.extract import extract_attention;"
         "from lib.models.loading import load_model;"
         "r = extract_attention(load_model(), 'Gene regulation');"
         "print(r.seq_len, 'scipy' in sys.modules, 'transformers.loss.loss_utils' in sys.modules)"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seq_len, scipy_loaded, losses_loaded = done.stdout.split()
    assert int(seq_len) >= 3 and losses_loaded == "True"
    assert scipy_loaded == "False"
