"""One student's anonymous quiz result, as sent to a class: what it holds and how it is checked.

A submission carries no name and nothing that identifies the student: per answered item,
the question id, its topic, the option token(s) chosen, the certainty (1-3, or None when
the quiz was not certainty-marked) and whether it was right, as graded by the quiz engine.

Idempotency (the pattern of the IETF "Idempotency-Key" HTTP header draft): each submission
has a random UUID made once, when the student first sends it, and kept with the pending
result. The store keeps one row per UUID plus a SHA-256 digest of the content, so a retry
or replay of the same result is stored once, and a replay of the UUID with different
content is refused instead of overwriting anything.

Every field is checked before the database is touched: ids are short tokens of
``[a-z0-9_:.-]`` starting with a letter or digit, so SQL-looking text, markup or spreadsheet
formulas never get in (and queries bind parameters anyway).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from lib.classroom.errors import Refused
from lib.classroom.limits import Limits
from lib.classroom.text import classroom_text

CERTAINTIES = (1, 2, 3)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9_:.-]*")


@dataclass(frozen=True)
class SubmissionItem:
    """One answered question. ``chosen`` holds option tokens (see ``quiz_items.answer_tokens``)."""

    question_id: str
    topic: str
    chosen: tuple[str, ...]
    certainty: int | None  # 1, 2, 3, or None without certainty-based marking
    correct: bool


@dataclass(frozen=True)
class Submission:
    submission_id: str  # a UUID, made once per result and kept across retries
    items: tuple[SubmissionItem, ...]


def new_submission(items: Iterable[SubmissionItem]) -> Submission:
    """A result ready to send, with a fresh submission id. Keep it until the store accepts it."""
    return Submission(str(uuid.uuid4()), tuple(items))


def _is_token(value: object, limit: int) -> bool:
    return (
        isinstance(value, str) and 0 < len(value) <= limit and _TOKEN.fullmatch(value) is not None
    )


def _refuse_part(position: int, part: str) -> Refused:
    phrase = getattr(classroom_text().answer_parts, part)
    return Refused("unreadable_answer", position=position, part=phrase)


def _check_item(item: object, position: int, limits: Limits) -> SubmissionItem:
    if not isinstance(item, SubmissionItem):
        raise Refused("unreadable_submission")
    if not _is_token(item.question_id, limits.max_id_chars):
        raise _refuse_part(position, "question_id")
    if not _is_token(item.topic, limits.max_id_chars):
        raise _refuse_part(position, "topic")
    chosen = item.chosen
    if (
        not isinstance(chosen, tuple)
        or not 0 < len(chosen) <= limits.max_chosen
        or not all(_is_token(c, limits.max_id_chars) for c in chosen)
        or len(set(chosen)) != len(chosen)
    ):
        raise _refuse_part(position, "chosen")
    # bool is an int: exclude it, so True cannot pass as certainty 1
    if item.certainty is not None and (
        type(item.certainty) is not int or item.certainty not in CERTAINTIES
    ):
        raise _refuse_part(position, "certainty")
    if type(item.correct) is not bool:
        raise _refuse_part(position, "correct")
    return SubmissionItem(item.question_id, item.topic, tuple(sorted(chosen)), item.certainty,
                          item.correct)


def _canonical_id(submission_id: object) -> str:
    if not isinstance(submission_id, str) or len(submission_id) > 64:
        raise Refused("unreadable_submission")
    try:
        return str(uuid.UUID(submission_id))
    except ValueError:
        raise Refused("unreadable_submission") from None


def check_submission(submission: object, *, limits: Limits) -> Submission:
    """The submission in canonical form (lower-case UUID, sorted choices), or ``Refused``.

    Cheap checks come first, so a huge payload is refused before its items are read.
    """
    if not isinstance(submission, Submission) or not isinstance(submission.items, tuple):
        raise Refused("unreadable_submission")
    submission_id = _canonical_id(submission.submission_id)
    n = len(submission.items)
    if n == 0:
        raise Refused("nothing_to_send")
    if n > limits.max_items:
        raise Refused("too_many_answers", count=n, limit=limits.max_items)
    items = tuple(_check_item(item, i, limits) for i, item in enumerate(submission.items, 1))
    seen: set[str] = set()
    for position, item in enumerate(items, 1):
        if item.question_id in seen:
            raise Refused("repeated_question", position=position)
        seen.add(item.question_id)
    return Submission(submission_id, items)


def content_digest(code: str, submission: Submission) -> str:
    """SHA-256 of the class code and the items (canonical JSON): equal content, equal digest."""
    body = {
        "class": code,
        "items": [
            [i.question_id, i.topic, list(i.chosen), i.certainty, i.correct]
            for i in submission.items
        ],
    }
    text = json.dumps(body, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
