"""What went wrong in a content file, said so that whoever edits it can fix it.

A broken file must never blank the app: the loader turns every fault into a
:class:`ContentProblem` (file, optional item id, what is wrong, what to do) and loads the rest.
Parser messages are translated into plain sentences here ("a quote that is never closed near
line 4"), never shown raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

# libyaml's parser when PyYAML was built with it (the PyPI wheels are): the same documents
# and errors as the pure-Python SafeLoader, about ten times faster. Loading the content is
# part of every cold start's first page.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load`` through SAFE_LOADER."""
    return yaml.load(text, Loader=SAFE_LOADER)


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong in the content: which file (relative to content/), which item if known
    (a question, section or message id), what is wrong and what to do about it."""

    file: str  # e.g. 'glossary.yaml' or 'quiz/mechanics.yaml'
    what: str  # a sentence, capitalised
    fix: str  # a sentence, capitalised
    item: str | None = None

    def __str__(self) -> str:
        where = self.file if self.item is None else f"{self.file}, item {self.item}"
        return f"{where}: {self.what} To fix: {self.fix}"


class ContentError(ValueError):
    """A content file could not be used; raised inside the loader, reported as a problem."""

    def __init__(self, file: str, what: str, fix: str) -> None:
        super().__init__(f"{file}: {what} To fix: {fix}")
        self.file = file
        self.what = what
        self.fix = fix

    def problem(self) -> ContentProblem:
        return ContentProblem(self.file, self.what, self.fix)


# PyYAML's own wording -> what it means in a hand-edited file.
_YAML_MEANINGS: tuple[tuple[str, str], ...] = (
    ("while scanning a quoted scalar", "a quote that is never closed"),
    ("while parsing a flow sequence", "a list in [brackets] that is never closed"),
    ("while parsing a flow mapping", "a mapping in {braces} that is never closed"),
    ("mapping values are not allowed", "a colon and a space inside text that is not quoted"),
    ("cannot start any token", "a tab or another character that YAML does not allow there"),
    ("undefined alias", "a '*' that YAML reads as a reference to something never defined"),
    ("while parsing a block", "a line indented differently from the lines around it"),
    ("could not find expected ':'", "a line that is neither 'key: value' nor a '- ' list item"),
)


def _yaml_meaning(exc: yaml.YAMLError) -> str:
    said = f"{getattr(exc, 'context', '') or ''} {getattr(exc, 'problem', '') or ''}"
    for words, meaning in _YAML_MEANINGS:
        if words in said:
            return meaning
    return "text that YAML cannot read"


def read_yaml(path: Path, name: str) -> Any:
    """The parsed YAML at ``path``; a ContentError in plain words if it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ContentError(
            name, f"The file does not exist at {path}.", f"Restore {name} into {path.parent}/."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ContentError(
            name, "The file is not UTF-8 text.", "Save it again as UTF-8 text."
        ) from exc
    except OSError as exc:
        raise ContentError(
            name,
            f"The file cannot be read ({exc.strerror or 'permission or disk error'}).",
            "Check that it exists and that the app may read it.",
        ) from exc
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        meaning = _yaml_meaning(exc)
        # An unclosed quote or bracket is noticed at the end of the file: point at its start.
        opened = "never closed" in meaning and getattr(exc, "context_mark", None)
        mark = exc.context_mark if opened else getattr(exc, "problem_mark", None)
        where = f", starting near line {mark.line + 1}" if opened else ""
        where = where or (f" near line {mark.line + 1}" if mark else "")
        raise ContentError(
            name,
            f"The file is not valid YAML: there is {meaning}{where}.",
            "Correct that line (or the line above it); put text that contains ': ' or '#' in "
            "quotes and indent with spaces.",
        ) from exc


def describe_validation_error(err: ValidationError, *, limit: int = 5) -> str:
    """Pydantic's errors as one readable clause per problem, each with its field path."""
    parts = []
    for e in err.errors()[:limit]:
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        parts.append(f"{loc}: {e['msg'].removeprefix('Value error, ')}")
    more = len(err.errors()) - limit
    if more > 0:
        parts.append(f"... and {more} more")
    return "; ".join(parts)
