"""From a finished quiz (``lib.quiz``) to anonymous class items, and from tokens back to feedback.

Each answer becomes option *tokens*, short strings the class store can count:

- single / multi: the chosen option ids (``b``; ``a``, ``c``);
- matching: ``left:right`` per row, the pair id of each left item and the pair id whose
  right-hand text the student put beside it (``p1:p3``; ``p1:p1`` is right);
- true_false: ``verdict:true`` or ``verdict:false``, and ``why:<option id>``.

Questions computed from a student's own prompt (live questions) are left out: each exists
for one student only, so class counts of them would mean nothing.

``describe_token`` turns a token back into the text a teacher reads beside its count, with
the option's feedback, which for a wrong option names the misconception it reflects.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.classroom.submission import SubmissionItem
from lib.content.schema.quiz import AnyQuestion, MatchingQuestion, TrueFalseQuestion
from lib.quiz.grading import Answer, MatchingAnswer, MultiAnswer, SingleAnswer, TrueFalseAnswer
from lib.quiz.live import is_live
from lib.quiz.session import QuizState


def answer_tokens(answer: Answer) -> tuple[str, ...]:
    """The option tokens of one answer (see the module docstring)."""
    if isinstance(answer, SingleAnswer):
        return (answer.option,)
    if isinstance(answer, MultiAnswer):
        return tuple(sorted(answer.options))
    if isinstance(answer, MatchingAnswer):
        return tuple(f"{left}:{right}" for left, right in answer.matches)
    if isinstance(answer, TrueFalseAnswer):
        return (f"verdict:{'true' if answer.verdict else 'false'}", f"why:{answer.why}")
    raise TypeError(f"unknown answer type {type(answer).__name__}; add it to answer_tokens")


def items_from_quiz(state: QuizState) -> tuple[SubmissionItem, ...]:
    """The answered bank questions of the quiz's first attempt, in the order they were
    answered: the class sees what students chose before any feedback, and a retry of what
    was missed does not count those questions twice."""
    first = state.earlier[0] if state.earlier else state
    items = []
    for response in first.responses:
        question = first.question(response.question_id)
        if is_live(question):
            continue
        items.append(
            SubmissionItem(
                question_id=question.id,
                topic=question.topic,
                chosen=answer_tokens(response.answer),
                certainty=response.confidence,
                correct=response.correct,
            )
        )
    return tuple(items)


@dataclass(frozen=True)
class TokenInfo:
    label: str  # what the student chose, as they saw it
    correct: bool  # whether this choice was a right one
    feedback: str  # why it is right, or the misconception it reflects


def describe_token(question: AnyQuestion, token: str) -> TokenInfo | None:
    """What ``token`` meant in ``question``; None if it does not belong to it (bank edited)."""
    if isinstance(question, MatchingQuestion):
        return _describe_match(question, token)
    if isinstance(question, TrueFalseQuestion):
        return _describe_true_false(question, token)
    option = next((o for o in question.options if o.id == token), None)  # single or multi
    return None if option is None else TokenInfo(option.text, option.correct, option.feedback)


def _describe_match(question: MatchingQuestion, token: str) -> TokenInfo | None:
    left_id, _, right_id = token.partition(":")
    pairs = {p.id: p for p in question.pairs}
    if left_id not in pairs or right_id not in pairs:
        return None
    left, right = pairs[left_id], pairs[right_id]
    return TokenInfo(f"{left.left} → {right.right}", left_id == right_id, left.feedback)


def _describe_true_false(question: TrueFalseQuestion, token: str) -> TokenInfo | None:
    kind, _, value = token.partition(":")
    verdict = question.verdict
    if kind == "verdict" and value in ("true", "false"):
        said = value == "true"
        text = verdict.feedback_true if said else verdict.feedback_false
        return TokenInfo("True" if said else "False", said == verdict.correct, text)
    option = next((o for o in question.why if o.id == value), None) if kind == "why" else None
    return None if option is None else TokenInfo(option.text, option.correct, option.feedback)
