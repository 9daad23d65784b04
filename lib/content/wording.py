"""Our own words: the check that teaching text does not copy runs of eight or more words from
the essay the app teaches (CONTRIBUTING: teach its ideas in our own words), and a walker over
every string in parsed YAML for it to check."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any


def normalise_words(text: str) -> list[str]:
    """Lower-case words with punctuation removed ('What’s' -> 'whats'), for overlap checks."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"['’‘`]", "", text)  # contractions: keep one word
    return re.findall(r"[^\W_]+", text)


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def shared_word_runs(text: str, source: str, *, n: int = 8) -> tuple[str, ...]:
    """Every run of ``n`` consecutive words that ``text`` shares with ``source``."""
    shared = _ngrams(normalise_words(text), n) & _ngrams(normalise_words(source), n)
    return tuple(sorted(" ".join(g) for g in shared))


def iter_strings(data: Any) -> Iterator[str]:
    """Every string inside nested YAML data (dict values and list items; keys skipped)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from iter_strings(value)
    elif isinstance(data, (list, tuple)):
        for item in data:
            yield from iter_strings(item)
