"""Answers that tests give to any bank question: a complete answer that is graded wrong.
(The right one is lib.quiz.grading.correct_answer.)"""

from __future__ import annotations

from lib.quiz import MatchingAnswer, MultiAnswer, SingleAnswer, TrueFalseAnswer


def wrong_answer(q):
    """A complete, well-formed answer that is graded wrong, for any question type."""
    if q.type == "single":
        return SingleAnswer(next(o.id for o in q.options if not o.correct))
    if q.type == "multi":
        right = {o.id for o in q.options if o.correct}
        wrong = {o.id for o in q.options if not o.correct}
        return MultiAnswer(right | {min(wrong)})  # one extra distractor: all-or-nothing fails
    if q.type == "matching":
        ids = [p.id for p in q.pairs]
        return MatchingAnswer(tuple(zip(ids, ids[1:] + ids[:1], strict=True)))  # rotate
    return TrueFalseAnswer(not q.verdict.correct, next(o.id for o in q.why if o.correct))
