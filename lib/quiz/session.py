"""The quiz as a pure state machine: start, submit (answers lock), results, retry what was missed.

No Streamlit here: every function takes a frozen ``QuizState`` and returns a new one, so a page
keeps one state object in ``st.session_state`` and re-runs cannot change a score. Question order
comes from the quiz seed; option order from the seed and the question id, so it is stable across
re-runs and across save/load. Marking: plain 1/0 or Gardner-Medwin certainty-based marks
(see ``grading.py``). Mastery levels: not started / attempted / familiar (>= 70 %) / proficient (100 %).

A quiz is a history of attempts: "retry what I missed" starts a new attempt and keeps the
earlier ones (``QuizState.earlier``), so results and mastery by topic count every answer ever
given: a right answer on a retry adds to the record, it does not erase the first try.

How many questions: the length asked for is the length given. Questions computed from the
student's prompt count toward it (up to a third of the quiz, at least one: ``live_quota``),
and ``plan_quiz`` says the split before the quiz starts.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
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
    earlier: tuple[QuizState, ...] = ()  # finished attempts before this one, oldest first

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
    """One topic over every attempt: a question asked again in a retry counts again."""

    topic_id: str
    title: str
    total: int  # questions of this topic asked, over every attempt
    answered: int
    correct: int
    marks: int
    max_marks: int
    percent: float  # correct / total * 100: unanswered questions count as not yet right
    level: Level


@dataclass(frozen=True)
class AttemptScore:
    """One attempt's score; ``percent`` is the score as a share of the most it could earn
    (negative when confident mistakes outweigh the right answers)."""

    number: int  # 1 for the first attempt
    questions: int
    answered: int
    correct: int
    score: int
    max_score: int
    percent: float


@dataclass(frozen=True)
class QuizPlan:
    """How many questions a new quiz will hold, and where they come from."""

    from_bank: int  # from the chosen topics
    from_prompt: int  # computed from the student's prompt
    bank_available: int  # questions the chosen topics hold

    @property
    def total(self) -> int:
        return self.from_bank + self.from_prompt


@dataclass(frozen=True)
class QuizSetup:
    """The setup (the quiz page's sidebar) that starts a quiz like this one again."""

    topics: tuple[str, ...]  # empty: every topic
    length: int
    seed: int
    cbm: bool
    live: bool


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


def live_quota(length: int) -> int:
    """How many of ``length`` questions may be about the student's prompt: a third, at least one.

    The prompt questions are a bonus on top of the chosen topics, so they never crowd out more
    than a third of the quiz; a one-question quiz with them switched on asks one of them."""
    return max(1, length // 3)


def _check_length(length: int) -> None:
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise QuizError(f"A quiz needs at least one question; got length={length!r}")


def _chosen_topics(bank: QuizBank, topics: Iterable[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(topics or ())) or [t.id for t in bank.topics]
    unknown = [t for t in chosen if not bank.has_topic(t)]
    if unknown:
        raise QuizError(f"Unknown topic(s) {unknown}; pick from {[t.id for t in bank.topics]}")
    return chosen


def plan_quiz(
    bank: QuizBank, *, topics: Iterable[str] | None, length: int, live_available: int
) -> QuizPlan:
    """The split of a quiz of ``length`` questions between the chosen topics and the
    ``live_available`` questions about the student's prompt.

    Prompt questions take up to ``live_quota(length)`` places and the topics fill the rest;
    if the topics hold too few, more prompt questions fill in. The total is ``length``
    unless topics and prompt together hold fewer questions."""
    _check_length(length)
    available = sum(len(bank.by_topic(t)) for t in _chosen_topics(bank, topics))
    from_prompt = min(max(live_available, 0), live_quota(length))
    from_bank = min(available, length - from_prompt)
    from_prompt = min(max(live_available, 0), length - from_bank)
    return QuizPlan(from_bank=from_bank, from_prompt=from_prompt, bank_available=available)


def new_quiz(
    bank: QuizBank,
    *,
    topics: Iterable[str] | None,
    length: int,
    seed: int,
    cbm: bool,
    live: Sequence[LiveQuestion] = (),
) -> QuizState:
    """A quiz of ``length`` questions from ``topics`` (None or empty: all topics) and, split as
    ``plan_quiz`` says, from ``live`` (questions about the student's prompt, kept in the order
    given, after the topics' questions).

    If the topics and ``live`` hold fewer than ``length`` questions, all of them are asked;
    check ``len(state.questions)``.
    """
    _check_seed(seed)
    plan = plan_quiz(bank, topics=topics, length=length, live_available=len(live))
    chosen = _chosen_topics(bank, topics)
    rng = random.Random(seed)
    pools = []
    for topic_id in chosen:
        pool = list(bank.by_topic(topic_id))
        rng.shuffle(pool)
        pools.append(pool)
    picked = _pick(pools, plan.from_bank, rng)
    if not picked and not plan.from_prompt:
        raise QuizError(f"The topics {chosen} have no questions yet; choose other topics")
    state = QuizState(seed=seed, cbm=bool(cbm), topics=tuple(chosen), questions=tuple(picked))
    for question in live[: plan.from_prompt]:
        state = add_live(state, question)
    return state


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


def attempts(state: QuizState) -> tuple[QuizState, ...]:
    """Every attempt, oldest first, the current one last (each without its own history)."""
    return (*state.earlier, replace(state, earlier=()))


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def attempt_scores(state: QuizState) -> tuple[AttemptScore, ...]:
    """One score per attempt, oldest first."""
    return tuple(
        AttemptScore(
            number=i,
            questions=len(a.questions),
            answered=len(a.responses),
            correct=a.n_correct,
            score=a.score,
            max_score=a.max_score,
            percent=_percent(a.score, a.max_score),
        )
        for i, a in enumerate(attempts(state), start=1)
    )


def topic_scores(state: QuizState, bank: QuizBank) -> tuple[TopicScore, ...]:
    """One score per topic asked in any attempt, in the bank's topic order, counting every
    answer of every attempt (a question retried counts once per try)."""
    asked = [(q, a.response(q.id)) for a in attempts(state) for q in a.questions]
    order = {t.id: i for i, t in enumerate(bank.topics)}
    topic_ids = sorted({q.topic for q, _ in asked}, key=lambda t: (order.get(t, len(order)), t))
    per_question = max_marks_per_question(cbm=state.cbm)
    scores = []
    for topic_id in topic_ids:
        rs = [r for q, r in asked if q.topic == topic_id]
        answered = [r for r in rs if r is not None]
        correct = sum(r.correct for r in answered)
        scores.append(
            TopicScore(
                topic_id=topic_id,
                title=_topic_title(bank, topic_id),
                total=len(rs),
                answered=len(answered),
                correct=correct,
                marks=sum(r.marks for r in answered),
                max_marks=len(rs) * per_question,
                percent=_percent(correct, len(rs)),
                level=_level(len(rs), len(answered), correct),
            )
        )
    return tuple(scores)


def mistakes(state: QuizState, bank: QuizBank) -> tuple[Mistake, ...]:
    """Every wrongly answered question of the current attempt, in quiz order, with feedback
    on each option (what "retry what I missed" would ask again)."""
    out = []
    for q in state.questions:
        r = state.response(q.id)
        if r is not None and not r.correct:
            out.append(Mistake(q, _topic_title(bank, q.topic), r, feedback(q, r.answer)))
    return tuple(out)


def retry_missed(state: QuizState, *, seed: int) -> QuizState:
    """A new attempt with only the wrongly answered questions of the current one, in a fresh
    order from ``seed``; every attempt so far is kept in its history."""
    _check_seed(seed)
    missed = [
        q for q in state.questions if (r := state.response(q.id)) is not None and not r.correct
    ]
    if not missed:
        raise QuizError("No wrongly answered questions to retry; start a new quiz instead")
    random.Random(seed).shuffle(missed)
    # specs in question order, as add_live and a reloaded progress file keep them
    live = tuple((q.id, spec) for q in missed if (spec := state.live_spec(q.id)) is not None)
    return QuizState(
        seed=seed,
        cbm=state.cbm,
        topics=state.topics,
        questions=tuple(missed),
        live=live,
        earlier=attempts(state),
    )


def setup_of(state: QuizState, bank: QuizBank) -> QuizSetup:
    """The sidebar setup that starts this quiz's first attempt again: its topics (none when
    it drew on every topic), length, seed, marking, and whether it asked about the prompt."""
    first = attempts(state)[0]
    every = {t.id for t in bank.topics}
    topics = () if set(first.topics) == every else first.topics
    return QuizSetup(
        topics=tuple(topics),
        length=len(first.questions),
        seed=first.seed,
        cbm=state.cbm,
        live=bool(first.live),
    )
