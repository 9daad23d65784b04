"""The quiz as a pure state machine: start, submit (answers lock), results, retry what was missed.

No Streamlit here: every function takes a frozen ``QuizState`` and returns a new one, so a page
keeps one state object in ``st.session_state`` and re-runs cannot change a score. Question order
comes from the quiz seed; option order from the seed and the question id, so it is stable across
re-runs and across save/load. Marking: plain 1/0 or Gardner-Medwin certainty-based marks
(see ``grading.py``). Mastery levels: not started / attempted / familiar (>= 70 %) / proficient (100 %).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from lib.content.schema.quiz import (
    AnyQuestion,
    MatchingQuestion,
    MultiQuestion,
    QuizBank,
    SingleQuestion,
)
from lib.quiz.grading import (
    Answer,
    FeedbackItem,
    QuizError,
    check_answer,
    feedback,
    is_correct,
    marks,
    max_marks_per_question,
)
from lib.quiz.live import LiveQuestion, LiveSpec

Level = Literal["not started", "attempted", "familiar", "proficient"]
FAMILIAR_PERCENT = 70.0


@dataclass(frozen=True)
class Response:
    """A locked answer. ``correct`` and ``marks`` are always computed here, never loaded."""

    question_id: str
    answer: Answer
    confidence: int | None
    correct: bool
    marks: int


@dataclass(frozen=True)
class QuizState:
    seed: int
    cbm: bool
    topics: tuple[str, ...]
    questions: tuple[AnyQuestion, ...]  # in the order they are asked
    responses: tuple[Response, ...] = ()  # in the order they were submitted
    live: tuple[tuple[str, LiveSpec], ...] = ()  # (question id, spec) of each live question

    def live_spec(self, question_id: str) -> LiveSpec | None:
        return next((spec for qid, spec in self.live if qid == question_id), None)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def question(self, question_id: str) -> AnyQuestion:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise QuizError(
            f"Question {question_id!r} is not part of this quiz; start a new quiz to see it"
        )

    def response(self, question_id: str) -> Response | None:
        return next((r for r in self.responses if r.question_id == question_id), None)

    def is_answered(self, question_id: str) -> bool:
        return self.response(question_id) is not None

    @property
    def next_question(self) -> AnyQuestion | None:
        """The first unanswered question in quiz order, or None when finished."""
        done = {r.question_id for r in self.responses}
        return next((q for q in self.questions if q.id not in done), None)

    @property
    def finished(self) -> bool:
        return len(self.responses) == len(self.questions)

    @property
    def score(self) -> int:
        return sum(r.marks for r in self.responses)

    @property
    def max_score(self) -> int:
        return len(self.questions) * max_marks_per_question(cbm=self.cbm)

    @property
    def n_correct(self) -> int:
        return sum(r.correct for r in self.responses)


@dataclass(frozen=True)
class TopicScore:
    topic_id: str
    title: str
    total: int  # questions of this topic in the quiz
    answered: int
    correct: int
    marks: int
    max_marks: int
    percent: float  # correct / total * 100: unanswered questions count as not yet right
    level: Level


@dataclass(frozen=True)
class Mistake:
    question: AnyQuestion
    topic_title: str
    response: Response
    feedback: tuple[FeedbackItem, ...]


def _check_seed(seed: int) -> None:
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise QuizError(f"The seed must be an integer, got {seed!r}")


def _derived_rng(seed: int, question_id: str) -> random.Random:
    # hashlib, not hash(): stable across processes regardless of PYTHONHASHSEED
    digest = hashlib.sha256(f"{seed}/{question_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def display_order(state: QuizState, question: AnyQuestion) -> tuple[str, ...]:
    """The shuffled ids to show: options (single/multi), reasons (true_false), or the
    right-hand column (matching, as pair ids). Same seed + question id -> same order."""
    if isinstance(question, SingleQuestion | MultiQuestion):
        ids = [o.id for o in question.options]
    elif isinstance(question, MatchingQuestion):
        ids = [p.id for p in question.pairs]
    else:
        ids = [o.id for o in question.why]
    _derived_rng(state.seed, question.id).shuffle(ids)
    return tuple(ids)


def _pick(pools: list[list[AnyQuestion]], length: int, rng: random.Random) -> list[AnyQuestion]:
    """Round-robin over topics so a short quiz still spreads across the chosen topics."""
    rng.shuffle(pools)
    picked: list[AnyQuestion] = []
    while len(picked) < length and any(pools):
        for pool in pools:
            if pool and len(picked) < length:
                picked.append(pool.pop())
    rng.shuffle(picked)
    return picked


def new_quiz(
    bank: QuizBank, *, topics: Iterable[str] | None, length: int, seed: int, cbm: bool
) -> QuizState:
    """A quiz of up to ``length`` questions from ``topics`` (None or empty: all topics).

    If the topics hold fewer questions than ``length``, all of them are asked; check
    ``len(state.questions)``.
    """
    _check_seed(seed)
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise QuizError(f"A quiz needs at least one question; got length={length!r}")
    chosen = list(dict.fromkeys(topics or ())) or [t.id for t in bank.topics]
    unknown = [t for t in chosen if not bank.has_topic(t)]
    if unknown:
        raise QuizError(f"Unknown topic(s) {unknown}; pick from {[t.id for t in bank.topics]}")
    rng = random.Random(seed)
    pools = []
    for topic_id in chosen:
        pool = list(bank.by_topic(topic_id))
        rng.shuffle(pool)
        pools.append(pool)
    picked = _pick(pools, length, rng)
    if not picked:
        raise QuizError(f"The topics {chosen} have no questions yet; choose other topics")
    return QuizState(seed=seed, cbm=bool(cbm), topics=tuple(chosen), questions=tuple(picked))


def _check_confidence(confidence: int | None, *, cbm: bool) -> None:
    if cbm:
        if type(confidence) is not int or confidence not in (1, 2, 3):
            raise QuizError(
                f"This quiz uses certainty-based marking: give a confidence of 1, 2 or 3 "
                f"(got {confidence!r})"
            )
    elif confidence is not None:
        raise QuizError("This quiz does not use certainty-based marking; pass confidence=None")


def submit(
    state: QuizState, question_id: str, answer: Answer, *, confidence: int | None = None
) -> QuizState:
    """Grade and lock one answer. Submitting again for the same question returns ``state``
    unchanged, so re-clicks and re-runs can never change the score."""
    question = state.question(question_id)
    if state.is_answered(question_id):
        return state
    _check_confidence(confidence, cbm=state.cbm)
    check_answer(question, answer)
    right = is_correct(question, answer)
    response = Response(
        question_id=question_id,
        answer=answer,
        confidence=confidence,
        correct=right,
        marks=marks(right, confidence=confidence, cbm=state.cbm),
    )
    return replace(state, responses=(*state.responses, response))


def append_question(state: QuizState, question: AnyQuestion) -> QuizState:
    """Add one more question (e.g. a live question built from the student's prompt)."""
    if question.id in state.question_ids:
        raise QuizError(f"Question {question.id!r} is already in this quiz; give it a new id")
    return replace(state, questions=(*state.questions, question))


def add_live(state: QuizState, live: LiveQuestion) -> QuizState:
    """Add a question computed from the student's prompt, remembering its spec so that a
    progress file can store the spec (and rebuild the question) instead of its answer key."""
    if live.spec is None:
        raise QuizError(f"Live question {live.id!r} has no spec; build it with lib.quiz.live")
    added = append_question(state, live.to_question())
    return replace(added, live=(*state.live, (live.id, live.spec)))


def _level(total: int, answered: int, correct: int) -> Level:
    if answered == 0:
        return "not started"
    if correct == total:
        return "proficient"
    if 100.0 * correct / total >= FAMILIAR_PERCENT:
        return "familiar"
    return "attempted"


def _topic_title(bank: QuizBank, topic_id: str) -> str:
    return bank.topic(topic_id).title if bank.has_topic(topic_id) else topic_id


def topic_scores(state: QuizState, bank: QuizBank) -> tuple[TopicScore, ...]:
    """One score per topic present in the quiz, in the bank's topic order."""
    order = {t.id: i for i, t in enumerate(bank.topics)}
    topic_ids = sorted(
        {q.topic for q in state.questions}, key=lambda t: (order.get(t, len(order)), t)
    )
    per_question = max_marks_per_question(cbm=state.cbm)
    scores = []
    for topic_id in topic_ids:
        qs = [q for q in state.questions if q.topic == topic_id]
        rs = [r for q in qs if (r := state.response(q.id)) is not None]
        correct = sum(r.correct for r in rs)
        scores.append(
            TopicScore(
                topic_id=topic_id,
                title=_topic_title(bank, topic_id),
                total=len(qs),
                answered=len(rs),
                correct=correct,
                marks=sum(r.marks for r in rs),
                max_marks=len(qs) * per_question,
                percent=100.0 * correct / len(qs),
                level=_level(len(qs), len(rs), correct),
            )
        )
    return tuple(scores)


def mistakes(state: QuizState, bank: QuizBank) -> tuple[Mistake, ...]:
    """Every wrongly answered question, in quiz order, with feedback on each option."""
    out = []
    for q in state.questions:
        r = state.response(q.id)
        if r is not None and not r.correct:
            out.append(Mistake(q, _topic_title(bank, q.topic), r, feedback(q, r.answer)))
    return tuple(out)


def retry_missed(state: QuizState, *, seed: int) -> QuizState:
    """A new quiz with only the wrongly answered questions, in a fresh order from ``seed``."""
    _check_seed(seed)
    missed = [
        q for q in state.questions if (r := state.response(q.id)) is not None and not r.correct
    ]
    if not missed:
        raise QuizError("No wrongly answered questions to retry; start a new quiz instead")
    random.Random(seed).shuffle(missed)
    kept = {q.id for q in missed}
    live = tuple((qid, spec) for qid, spec in state.live if qid in kept)
    return QuizState(
        seed=seed, cbm=state.cbm, topics=state.topics, questions=tuple(missed), live=live
    )
