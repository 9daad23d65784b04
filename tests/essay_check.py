"""Has any teaching text copied a run of eight words from the analogy essay?

The essay itself is not in this repository (we teach its ideas in our own words), so the
check uses fingerprints: a short hash of every normalised eight-word run of the essay,
stored in tests/data/essay_8grams.txt. A test regenerates them from the essay whenever it
is available beside the repository (../shared/reference), so the file cannot go stale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lib.content.wording import normalise_words

RUN = 8
ROOT = Path(__file__).resolve().parent.parent
ESSAY = ROOT.parent / "shared" / "reference" / "000_e19681e8c8a57ef1.txt"
FINGERPRINTS = Path(__file__).resolve().parent / "data" / "essay_8grams.txt"


def _digest(run: tuple[str, ...]) -> str:
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def _runs(text: str) -> list[tuple[str, ...]]:
    words = normalise_words(text)
    return [tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)]


def fingerprints_of(text: str) -> set[str]:
    return {_digest(run) for run in _runs(text)}


def essay_fingerprints() -> set[str]:
    return set(FINGERPRINTS.read_text(encoding="utf-8").split())


def copied_runs(text: str, essay: set[str]) -> list[str]:
    """The eight-word runs of ``text`` that also occur in the essay."""
    return [" ".join(run) for run in _runs(text) if _digest(run) in essay]
