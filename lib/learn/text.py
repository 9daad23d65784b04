"""Find glossary terms in teaching text, so pages can show their definitions as tooltips.

Matching is whole-word and case-insensitive on each term and its aliases (so "kT" is not
found inside "market", and "TF" matches "TF" but not "TFs" unless that alias exists).
Longer names are tried first so "attention head" wins over "attention".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lib.content import Glossary, GlossaryTerm


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", re.IGNORECASE)


def terms_in(
    texts: str | Iterable[str], glossary: Glossary | None, *, limit: int = 8
) -> tuple[GlossaryTerm, ...]:
    """Glossary entries whose term or alias occurs in ``texts``, in order of first occurrence.

    Spans already claimed by a longer name are skipped, so one phrase yields one entry.
    """
    if glossary is None:
        return ()
    text = texts if isinstance(texts, str) else "\n".join(texts)
    names = sorted(
        ((name, term) for term in glossary.terms for name in (term.term, *term.aliases)),
        key=lambda pair: -len(pair[0]),
    )
    claimed: list[tuple[int, int]] = []
    found: dict[str, tuple[int, GlossaryTerm]] = {}
    for name, term in names:
        for match in _pattern(name).finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in claimed):
                continue
            claimed.append(span)
            if term.term not in found or span[0] < found[term.term][0]:
                found[term.term] = (span[0], term)
    ordered = sorted(found.values(), key=lambda pair: pair[0])
    return tuple(term for _, term in ordered[:limit])


def tooltip(terms: Iterable[GlossaryTerm]) -> str | None:
    """Markdown for a help tooltip: one '**term**: definition' line per entry, or None."""
    lines = [f"**{t.term}**: {t.definition}" for t in terms]
    return "\n\n".join(lines) if lines else None
