"""Named text templates with checked placeholders, for page messages kept in ``content/``.

Pages format messages such as "the largest difference is {gap:.1e}" with keyword arguments.
A content file that misspells a placeholder, drops one, adds one or gives it a format spec
that does not fit its value would only fail when a student reaches that message; checking
every template here against the names and sample values the page will pass makes the typo
fail a test (and load with a clear problem) instead. Plain ``str.format`` syntax (Python
Language Reference, "Format String Syntax"); no attribute or index lookups are allowed, so
content can never reach into the objects a page passes in.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Any


def placeholders(template: str) -> frozenset[str]:
    """The names of the ``{name}`` / ``{name:spec}`` fields in ``template``.

    Raises ValueError for unbalanced braces, positional fields (``{}``, ``{0}``) and
    attribute or index lookups (``{x.y}``, ``{x[0]}``).
    """
    names = set()
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(
            f"Has unbalanced braces ({exc}); write {{{{ or }}}} for a literal brace"
        ) from exc
    for _, field, _, _ in parsed:
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(
                f"Has the field {{{field}}}; use a plain name such as {{gap}} (no positions, "
                "dots or brackets)"
            )
        names.add(field)
    return frozenset(names)


def check_template(name: str, template: str, samples: Mapping[str, Any]) -> str:
    """``template`` if its placeholders are exactly ``samples``' keys and it formats them.

    ``samples`` holds one value of the right type per placeholder the page passes, so a
    format spec that does not fit (``{count:.2f}`` on a word) is caught too.
    """
    try:
        found = placeholders(template)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from exc
    expected = frozenset(samples)
    if found != expected:
        missing = sorted(expected - found)
        unknown = sorted(found - expected)
        parts = []
        if unknown:
            parts.append(f"unknown placeholder(s) {unknown}")
        if missing:
            parts.append(f"missing placeholder(s) {missing}")
        want = ", ".join("{" + n + "}" for n in sorted(expected)) or "none"
        raise ValueError(f"{name}: {' and '.join(parts)}; it must use exactly: {want}")
    try:
        template.format(**samples)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}: a format spec does not fit its value ({exc})") from exc
    return template
