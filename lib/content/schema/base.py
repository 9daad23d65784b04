"""Building blocks every content schema shares: frozen strict models, text types with
sentence limits, reference ids, and small validators.

Content is data with a schema (exercism's canonical-data discipline): every model rejects
unknown fields, so a typo in a key fails loudly instead of silently hiding a caption.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


class Frozen(BaseModel):
    """Base of every content model: unknown fields rejected, immutable, whitespace trimmed."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


NonEmpty = Annotated[str, Field(min_length=1)]
# Quiz text: bounded, so one runaway paste cannot fill a page.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
# A key of content/references.yaml, e.g. "shea_ackers_1985".
RefId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
# The sources a claim rests on: at least one reference id.
Sources = Annotated[tuple[RefId, ...], Field(min_length=1)]

# A sentence ends at . ! or ? followed by whitespace or the end; "0.59" and "q·k/√d" do not end one.
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?:\s+|$)")


def count_sentences(text: str) -> int:
    """Number of sentences in plain teaching text (no abbreviations like 'e.g.' expected)."""
    return len([part for part in _SENTENCE_END.split(text.strip()) if part.strip()])


def sentences_between(text: str, low: int, high: int) -> str:
    """``text`` if it has ``low`` to ``high`` sentences; a ValueError saying how many otherwise."""
    n = count_sentences(text)
    if not low <= n <= high:
        raise ValueError(
            f"Has {n} sentence(s); write {low}-{high} (avoid abbreviations such as 'e.g.' "
            "that look like sentence ends)"
        )
    return text


def sentences(low: int, high: int):
    """A non-empty text field of ``low`` to ``high`` sentences (short enough beside a chart)."""
    return Annotated[
        str, Field(min_length=1), AfterValidator(lambda text: sentences_between(text, low, high))
    ]


OneSentence = sentences(1, 1)


def require_unique(values: Iterable[str], what: str) -> None:
    """Raise a ValueError naming every value that occurs more than once."""
    dupes = sorted(v for v, count in Counter(values).items() if count > 1)
    if dupes:
        raise ValueError(f"Duplicate {what}(s): {dupes}; each must appear once")


def by_id(items, wanted: str, what: str):
    """The item whose ``id`` is ``wanted``; a KeyError that lists the known ids otherwise."""
    for item in items:
        if item.id == wanted:
            return item
    raise KeyError(f"No {what} {wanted!r}; known: {[item.id for item in items]}")
