"""Answers, grading and per-item feedback for the four question types, plus certainty-based marks.

Certainty-based marking follows Gardner-Medwin (UCL, "LAPT"; Gardner-Medwin 2006):
the student states confidence 1, 2 or 3 with each answer and scores +1/+2/+3 when right and
0/-2/-6 when wrong, so a confident guess costs more than an honest "not sure". The table is
built so that honesty pays: for a student who is right with probability p, the expected mark
of each certainty level is linear in p, and the best level switches from 1 to 2 at p = 2/3 and
from 2 to 3 at p = 4/5 (``certainty_thresholds``). Plain mode scores 1 for right and 0 for
wrong. Scoring is all-or-nothing per question; feedback is not:
every chosen or missed option gets its own explanation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from lib.content.schema.quiz import (
    AnyQuestion,
    MatchingQuestion,
    MultiQuestion,
    Option,
    SingleQuestion,
)

CBM_MARKS_RIGHT = {1: 1, 2: 2, 3: 3}
CBM_MARKS_WRONG = {1: 0, 2: -2, 3: -6}
CONFIDENCE_LEVELS = (1, 2, 3)
Status = Literal["right", "wrong", "missed", "left_out"]


class QuizError(ValueError):
    """A quiz operation was asked for something impossible; the message says how to fix it."""


class AnswerError(QuizError):
    """An answer does not fit its question (wrong type, unknown option id, incomplete match)."""


@dataclass(frozen=True)
class SingleAnswer:
    option: str


@dataclass(frozen=True)
class MultiAnswer:
    options: frozenset[str]

    def __post_init__(self) -> None:
        # accept any iterable of ids; store a frozenset so equal choices compare equal
        object.__setattr__(self, "options", frozenset(self.options))


@dataclass(frozen=True)
class MatchingAnswer:
    """Each left item (by pair id) -> the pair id whose right-hand text the student chose."""

    matches: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        raw = self.matches.items() if isinstance(self.matches, Mapping) else self.matches
        object.__setattr__(self, "matches", tuple(sorted((str(a), str(b)) for a, b in raw)))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> MatchingAnswer:
        return cls(tuple(mapping.items()))

    def as_dict(self) -> dict[str, str]:
        return dict(self.matches)


@dataclass(frozen=True)
class TrueFalseAnswer:
    verdict: bool
    why: str


Answer = SingleAnswer | MultiAnswer | MatchingAnswer | TrueFalseAnswer
_ANSWER_FOR = {
    "single": SingleAnswer,
    "multi": MultiAnswer,
    "matching": MatchingAnswer,
    "true_false": TrueFalseAnswer,
}


@dataclass(frozen=True)
class FeedbackItem:
    """Feedback on one option, pair or verdict: what it says, how the student did, and why."""

    item_id: str
    text: str
    status: Status
    feedback: str
    expected: str | None = None  # matching only: the right-hand text that belonged here

    @property
    def chosen(self) -> bool:
        return self.status in ("right", "wrong")

    @property
    def correct(self) -> bool:
        return self.status in ("right", "missed")


def _ids(options: Iterable[Option]) -> list[str]:
    return [o.id for o in options]


def check_answer(question: AnyQuestion, answer: Answer) -> None:
    """Raise AnswerError unless ``answer`` is a complete, well-formed answer to ``question``."""
    expected = _ANSWER_FOR[question.type]
    if not isinstance(answer, expected):
        raise AnswerError(
            f"Question {question.id} is {question.type!r}; answer it with {expected.__name__}, "
            f"not {type(answer).__name__}"
        )
    if isinstance(question, SingleQuestion):
        _known(question.id, [answer.option], _ids(question.options))
    elif isinstance(question, MultiQuestion):
        if not answer.options:
            raise AnswerError(
                f"Question {question.id}: choose at least one option before submitting"
            )
        _known(question.id, sorted(answer.options), _ids(question.options))
    elif isinstance(question, MatchingQuestion):
        _check_matching(question, answer)
    else:
        if not isinstance(answer.verdict, bool):
            raise AnswerError(f"Question {question.id}: the verdict must be True or False")
        _known(question.id, [answer.why], _ids(question.why))


def _known(qid: str, chosen: list[str], allowed: list[str]) -> None:
    for item in chosen:
        if item not in allowed:
            raise AnswerError(f"Question {qid}: {item!r} is not one of its options {allowed}")


def _check_matching(question: MatchingQuestion, answer: MatchingAnswer) -> None:
    ids = sorted(p.id for p in question.pairs)
    lefts = [a for a, _ in answer.matches]
    rights = sorted(b for _, b in answer.matches)
    if sorted(lefts) != ids or len(set(lefts)) != len(lefts):
        raise AnswerError(f"Question {question.id}: match every item exactly once (items {ids})")
    if rights != ids:
        raise AnswerError(
            f"Question {question.id}: use each right-hand answer exactly once (ids {ids})"
        )


def is_correct(question: AnyQuestion, answer: Answer) -> bool:
    """All-or-nothing: single/multi need exactly the correct set, matching all pairs, t/f both parts."""
    check_answer(question, answer)
    if isinstance(question, SingleQuestion):
        return answer.option in {o.id for o in question.options if o.correct}
    if isinstance(question, MultiQuestion):
        return answer.options == frozenset(o.id for o in question.options if o.correct)
    if isinstance(question, MatchingQuestion):
        return all(a == b for a, b in answer.matches)
    right_why = next(o.id for o in question.why if o.correct)
    return answer.verdict == question.verdict.correct and answer.why == right_why


def marks(correct: bool, *, confidence: int | None, cbm: bool) -> int:
    """Gardner-Medwin certainty-based marks (cbm=True) or plain 1/0 marks."""
    if not cbm:
        return 1 if correct else 0
    if type(confidence) is not int or confidence not in CONFIDENCE_LEVELS:
        raise QuizError(
            f"Certainty-based marking needs a confidence of 1, 2 or 3, got {confidence!r}"
        )
    return CBM_MARKS_RIGHT[confidence] if correct else CBM_MARKS_WRONG[confidence]


def max_marks_per_question(*, cbm: bool) -> int:
    return CBM_MARKS_RIGHT[3] if cbm else 1


def certainty_thresholds() -> tuple[float, ...]:
    """The chances of being right above which each next certainty level earns more on average.

    Level c earns R_c when right and W_c when wrong, so with chance p of being right it earns
    p*R_c + (1-p)*W_c on average; levels c and c+1 earn the same where
    p = (W_c - W_{c+1}) / ((R_{c+1} - W_{c+1}) - (R_c - W_c)). With Gardner-Medwin's table
    that is (2/3, 4/5): "fairly sure" pays above a 67% chance, "very sure" above 80%.
    """
    out = []
    for low, high in itertools.pairwise(CONFIDENCE_LEVELS):
        spread_low = CBM_MARKS_RIGHT[low] - CBM_MARKS_WRONG[low]
        spread_high = CBM_MARKS_RIGHT[high] - CBM_MARKS_WRONG[high]
        out.append((CBM_MARKS_WRONG[low] - CBM_MARKS_WRONG[high]) / (spread_high - spread_low))
    return tuple(out)


def _status(chosen: bool, correct: bool) -> Status:
    if chosen:
        return "right" if correct else "wrong"
    return "missed" if correct else "left_out"


def _option_feedback(options: Iterable[Option], chosen: set[str]) -> list[FeedbackItem]:
    return [
        FeedbackItem(o.id, o.text, _status(o.id in chosen, o.correct), o.feedback) for o in options
    ]


def feedback(question: AnyQuestion, answer: Answer) -> tuple[FeedbackItem, ...]:
    """One item per option (or pair, or verdict + reason), in authored order.

    Pages usually show the ``chosen`` items and the ``missed`` ones; ``left_out`` items are
    distractors the student rightly avoided.
    """
    check_answer(question, answer)
    if isinstance(question, SingleQuestion):
        return tuple(_option_feedback(question.options, {answer.option}))
    if isinstance(question, MultiQuestion):
        return tuple(_option_feedback(question.options, set(answer.options)))
    if isinstance(question, MatchingQuestion):
        rights = {p.id: p.right for p in question.pairs}
        chosen = answer.as_dict()
        return tuple(
            FeedbackItem(
                p.id,
                f"{p.left} → {rights[chosen[p.id]]}",
                "right" if chosen[p.id] == p.id else "wrong",
                p.feedback,
                expected=p.right,
            )
            for p in question.pairs
        )
    v = question.verdict
    verdict_item = FeedbackItem(
        "verdict",
        "True" if answer.verdict else "False",
        "right" if answer.verdict == v.correct else "wrong",
        v.feedback_true if answer.verdict else v.feedback_false,
        expected="True" if v.correct else "False",
    )
    return (verdict_item, *_option_feedback(question.why, {answer.why}))


def describe_answer(question: AnyQuestion, answer: Answer) -> str:
    """The student's answer as plain text (for tables and CSV)."""
    if isinstance(question, SingleQuestion | MultiQuestion):
        chosen = {answer.option} if isinstance(answer, SingleAnswer) else set(answer.options)
        return "; ".join(o.text for o in question.options if o.id in chosen)
    if isinstance(question, MatchingQuestion):
        rights = {p.id: p.right for p in question.pairs}
        chosen = answer.as_dict()
        return "; ".join(f"{p.left} → {rights[chosen[p.id]]}" for p in question.pairs)
    why = next(o.text for o in question.why if o.id == answer.why)
    return f"{'True' if answer.verdict else 'False'} because {why}"


def describe_correct(question: AnyQuestion) -> str:
    """The correct answer as plain text."""
    if isinstance(question, SingleQuestion | MultiQuestion):
        return "; ".join(o.text for o in question.options if o.correct)
    if isinstance(question, MatchingQuestion):
        return "; ".join(f"{p.left} → {p.right}" for p in question.pairs)
    why = next(o.text for o in question.why if o.correct)
    return f"{'True' if question.verdict.correct else 'False'} because {why}"


def correct_answer(question: AnyQuestion) -> Answer:
    """The answer that scores full marks (used by tests and by a "show me" button)."""
    if isinstance(question, SingleQuestion):
        return SingleAnswer(next(o.id for o in question.options if o.correct))
    if isinstance(question, MultiQuestion):
        return MultiAnswer(frozenset(o.id for o in question.options if o.correct))
    if isinstance(question, MatchingQuestion):
        return MatchingAnswer(tuple((p.id, p.id) for p in question.pairs))
    return TrueFalseAnswer(question.verdict.correct, next(o.id for o in question.why if o.correct))
