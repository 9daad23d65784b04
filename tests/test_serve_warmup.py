"""scripts/serve.py warms a cold start: while the server boots, a thread imports torch,
transformers and every app module the first page load imports, and loads the content.
Each side runs in a fresh interpreter, so what it imported is what it needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WARM = """
from scripts.serve import _warm_imports
from ui.text import _content_from
_warm_imports()
extra = {"content_loaded": _content_from.cache_info().currsize == 1}
"""
FIRST_PAGE = """
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120).run()
extra = {"exceptions": [e.value for e in at.exception]}
"""
REPORT = """
import json
import os
mods = sorted(m for m in sys.modules if m.split(".")[0] in ("ui", "lib"))
print(json.dumps({"app_modules": mods, "torch": "torch" in sys.modules,
                  "scipy": "scipy" in sys.modules, **extra}))
"""


def _modules_after(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, '.')\n{code}\n{REPORT}"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_warm_up_imports_everything_the_first_page_imports():
    warmed, first_page = _modules_after(WARM), _modules_after(FIRST_PAGE)
    assert first_page["exceptions"] == []
    assert len(first_page["app_modules"]) > 20  # the first page really ran
    assert set(first_page["app_modules"]) <= set(warmed["app_modules"])
    assert warmed["torch"] and warmed["content_loaded"]
    assert not warmed["scipy"]  # the warm-up keeps scipy out, as the model loader does
