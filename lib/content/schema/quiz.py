"""Schema of the quiz bank: topics, four question types, and the bank that ties them together.

Content is data (exercism's canonical-data discipline): every question file in
``content/quiz/`` is validated by these models, which reject unknown fields, duplicate ids,
questions without a correct answer and options without feedback. Every option carries feedback that says why it is
right or which misconception it reflects, so wrong answers teach (Gardner-Medwin's certainty-based
marking, applied by ``lib/quiz/grading.py``, rewards students who know what they do not know).
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from lib.content.schema.base import Frozen, Sources, Text

QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*-\d{3}$")]
TopicId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=60)]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
Skill = Literal["recall", "understand", "apply"]
QuestionType = Literal["single", "multi", "matching", "true_false"]


class Topic(Frozen):
    id: TopicId
    title: Text
    description: Text


class Option(Frozen):
    """One answer choice. ``feedback`` says why it is right, or which misconception it reflects."""

    id: ItemId
    text: Text
    correct: bool
    feedback: Text


class Pair(Frozen):
    """One row of a matching question: ``left`` belongs with ``right``; ``feedback`` says why."""

    id: ItemId
    left: Text
    right: Text
    feedback: Text


class Verdict(Frozen):
    """The true/false half of a true_false question, with feedback for each possible verdict."""

    correct: bool
    feedback_true: Text
    feedback_false: Text


class _QuestionBase(Frozen):
    id: QuestionId
    topic: TopicId
    skill: Skill
    text: Text
    sources: Sources  # ids in content/references.yaml; the loader checks they exist
    explanation: Text | None = None


def _check_unique(ids: list[str], what: str, qid: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"Question {qid}: {what} {item!r} appears twice; make each one unique")
        seen.add(item)


def _check_options(qid: str, options: tuple[Option, ...]) -> None:
    _check_unique([o.id for o in options], "option id", qid)
    _check_unique([o.text for o in options], "option text", qid)


class SingleQuestion(_QuestionBase):
    type: Literal["single"]
    options: tuple[Option, ...] = Field(min_length=2, max_length=8)

    @model_validator(mode="after")
    def _exactly_one_correct(self) -> SingleQuestion:
        _check_options(self.id, self.options)
        n = sum(o.correct for o in self.options)
        if n != 1:
            raise ValueError(
                f"Question {self.id}: a single-choice question needs exactly one correct option, "
                f"found {n}; mark one option `correct: true` (or make it type: multi)"
            )
        return self


class MultiQuestion(_QuestionBase):
    type: Literal["multi"]
    options: tuple[Option, ...] = Field(min_length=3, max_length=8)

    @model_validator(mode="after")
    def _at_least_one_correct(self) -> MultiQuestion:
        _check_options(self.id, self.options)
        if not any(o.correct for o in self.options):
            raise ValueError(
                f"Question {self.id}: a multi-choice question needs at least one correct option, "
                "found none; mark the right ones `correct: true`"
            )
        return self


class MatchingQuestion(_QuestionBase):
    type: Literal["matching"]
    pairs: tuple[Pair, ...] = Field(min_length=3, max_length=8)

    @model_validator(mode="after")
    def _distinct_sides(self) -> MatchingQuestion:
        _check_unique([p.id for p in self.pairs], "pair id", self.id)
        _check_unique([p.left for p in self.pairs], "left item", self.id)
        _check_unique([p.right for p in self.pairs], "right item", self.id)
        return self


class TrueFalseQuestion(_QuestionBase):
    """Judge a statement (``verdict``) AND pick the reason (``why``); both must be right."""

    type: Literal["true_false"]
    verdict: Verdict
    why: tuple[Option, ...] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _one_reason(self) -> TrueFalseQuestion:
        _check_options(self.id, self.why)
        n = sum(o.correct for o in self.why)
        if n != 1:
            raise ValueError(
                f"Question {self.id}: a true_false question needs exactly one correct `why` "
                f"option, found {n}; mark the one right reason `correct: true`"
            )
        return self


AnyQuestion = SingleQuestion | MultiQuestion | MatchingQuestion | TrueFalseQuestion
Question = Annotated[AnyQuestion, Field(discriminator="type")]
QUESTION_TYPES: tuple[str, ...] = ("single", "multi", "matching", "true_false")


class QuizBank(Frozen):
    """All topics and questions, with lookups. Ids are unique and every topic id is known."""

    topics: tuple[Topic, ...]
    questions: tuple[Question, ...]

    @model_validator(mode="after")
    def _consistent(self) -> QuizBank:
        _check_unique_global([t.id for t in self.topics], "topic id")
        _check_unique_global([q.id for q in self.questions], "question id")
        known = {t.id for t in self.topics}
        for q in self.questions:
            if q.topic not in known:
                raise ValueError(
                    f"Question {q.id}: unknown topic {q.topic!r}; use one of the ids in "
                    "content/quiz/topics.yaml or add the topic there"
                )
        return self

    @cached_property
    def _by_id(self) -> dict[str, AnyQuestion]:
        return {q.id: q for q in self.questions}

    @cached_property
    def _topics_by_id(self) -> dict[str, Topic]:
        return {t.id: t for t in self.topics}

    def question(self, question_id: str) -> AnyQuestion:
        """The question with this id; KeyError names the id if it is not in the bank."""
        try:
            return self._by_id[question_id]
        except KeyError:
            raise KeyError(f"No question with id {question_id!r} in the quiz bank") from None

    def has_question(self, question_id: str) -> bool:
        return question_id in self._by_id

    def topic(self, topic_id: str) -> Topic:
        try:
            return self._topics_by_id[topic_id]
        except KeyError:
            raise KeyError(f"No topic with id {topic_id!r} in content/quiz/topics.yaml") from None

    def has_topic(self, topic_id: str) -> bool:
        return topic_id in self._topics_by_id

    def by_topic(self, topic_id: str) -> tuple[AnyQuestion, ...]:
        """Questions of one topic, in bank order (raises KeyError for an unknown topic)."""
        self.topic(topic_id)
        return tuple(q for q in self.questions if q.topic == topic_id)


def _check_unique_global(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{what} {item!r} appears twice in the bank; give each a unique id")
        seen.add(item)
