"""The README's table of link parameters, made from the parameters the pages read.

    python scripts/link_docs.py          # print the table
    python scripts/link_docs.py --write  # put it in README.md, between the markers

Meanings and examples come from content/teachers.yaml and allowed values from the parameters
themselves (ui/links.py), for the bundled model's 6 layers and 12 heads, so the README cannot
name a parameter the app does not read; tests/test_teacher_guide.py checks it is current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

README = ROOT / "README.md"
START = "<!-- link-parameters: start (made by scripts/link_docs.py --write) -->"
END = "<!-- link-parameters: end -->"


def bundled_shape() -> tuple[int, int]:
    """(layers, heads) of the bundled model, read from its config without loading it."""
    from lib.models.loading import bundled_model_path

    config = json.loads((bundled_model_path() / "config.json").read_text(encoding="utf-8"))
    return int(config["num_hidden_layers"]), int(config["num_attention_heads"])


def table() -> str:
    from lib.content import load_content
    from ui.links import param_docs, param_table

    guide = load_content(ROOT / "content").teachers
    if guide is None:
        raise SystemExit("content/teachers.yaml does not load; fix it first (see the tests).")
    docs = {page: {name: (text.meaning, text.example) for name, text in params.items()}
            for page, params in guide.link_parameters.pages.items()}
    layers, heads = bundled_shape()
    return param_table(param_docs(docs, layers=layers, heads=heads))


def readme_with(text: str, readme: str) -> str:
    """``readme`` with the text between the markers replaced by ``text``."""
    head, found, rest = readme.partition(START)
    _, ended, tail = rest.partition(END)
    if not (found and ended):
        raise SystemExit(f"README.md has no {START} ... {END} block to fill in.")
    return f"{head}{START}\n{text}\n{END}{tail}"


if __name__ == "__main__":
    made = table()
    if "--write" in sys.argv[1:]:
        README.write_text(readme_with(made, README.read_text(encoding="utf-8")),
                          encoding="utf-8")
    else:
        print(made)
