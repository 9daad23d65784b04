"""Start the app like `streamlit run app.py`, warming the heavy imports while the server boots.

Importing torch and transformers takes most of a cold start (about 4 s here), and Streamlit
only runs app.py when the first browser connects. Importing them in a background thread at
once overlaps that cost with the server's own start-up and the browser's first page load.
The same thread then imports what app.py and its default page (Explore) import, read from
their import statements, and loads the content files they show, so the first student's
first run does not do it. Arguments are passed on to `streamlit run`.
"""

from __future__ import annotations

import ast
import importlib
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _warm_imports() -> None:
    import torch  # noqa: F401

    from lib.models.loading import import_text_model_code

    import_text_model_code()
    from transformers.models.bert import modeling_bert  # noqa: F401

    _warm_first_page()


FIRST_RUN = ("app.py", "ui/site.py", "pages/explore.py")  # what the first page load runs


def _import_what_it_imports(script: Path) -> None:
    """Import the absolute imports anywhere in ``script`` (run_site imports inside a
    function); ``from package import module`` imports the module itself."""
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            package = importlib.import_module(node.module)
            for alias in node.names:
                if not hasattr(package, alias.name):  # a submodule, not a name it defines
                    importlib.import_module(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)


def _warm_first_page() -> None:
    for script in FIRST_RUN:
        _import_what_it_imports(ROOT / script)
    from ui.text import site_content

    site_content()  # every content file, parsed and validated once per process


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from lib.models.memory import return_large_blocks_promptly

    return_large_blocks_promptly()  # before torch allocates anything: lib/models/memory.py
    threading.Thread(target=_warm_imports, name="warm-imports", daemon=True).start()
    from streamlit.web import cli

    app = str(ROOT / "app.py")
    sys.argv = ["streamlit", "run", app, *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
