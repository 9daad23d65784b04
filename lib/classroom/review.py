"""What a teacher reads per question of a class report: every option, how often the class
chose it, and its feedback beside it; the most-missed questions first.

The counts come from ``ClassReport`` (aggregates only, ``report.py``); the words come from the
quiz bank through ``describe_token``, so a wrong option's line carries the misconception it
reflects. Options nobody chose are listed too, with a count of 0: that nobody fell for a
misconception is worth knowing. For a matching question only the right pairs and the wrong
pairs someone made are listed (every possible wrong pair would be noise). A question or
option the bank no longer has (the bank was edited after the class sent results) is still
counted, under its id.

Most-missed first, because the discussion after a quiz is best spent where most of the
class went wrong, and a confident wrong answer (certainty-based marking, Gardner-Medwin &
Gahan 2003) marks a misconception rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.classroom.quiz_items import describe_token
from lib.classroom.report import ClassReport, ItemSummary
from lib.content.schema.quiz import AnyQuestion, MatchingQuestion, QuizBank, TrueFalseQuestion


@dataclass(frozen=True)
class OptionLine:
    token: str  # the option token the store counted (quiz_items.answer_tokens)
    label: str  # what the students saw
    count: int  # answers that chose it
    correct: bool | None  # None: the bank no longer has this option
    feedback: str  # why it is right, or the misconception it reflects ("" if unknown)


@dataclass(frozen=True)
class ItemReview:
    question_id: str
    topic: str
    text: str  # the question as asked ("" if the bank no longer has it)
    responses: int
    correct: int
    high_and_wrong: int  # wrong answers given with the highest certainty
    options: tuple[OptionLine, ...]  # the bank's order, then tokens it does not know

    @property
    def missed(self) -> int:
        return self.responses - self.correct


def review_items(report: ClassReport, bank: QuizBank) -> tuple[ItemReview, ...]:
    """Every answered question of ``report``, most-missed share first (then most answers)."""
    reviews = [_review(item, bank) for item in report.items]
    return tuple(sorted(reviews, key=lambda r: (r.correct / r.responses, -r.responses,
                                                r.question_id)))


def _review(item: ItemSummary, bank: QuizBank) -> ItemReview:
    counts = {option.option: option.count for option in item.options}
    question = bank.question(item.question_id) if bank.has_question(item.question_id) else None
    tokens = _listed_tokens(question, counts) if question is not None else []
    tokens += [token for token in counts if token not in tokens]
    return ItemReview(
        question_id=item.question_id,
        topic=item.topic,
        text=question.text if question is not None else "",
        responses=item.responses,
        correct=item.correct,
        high_and_wrong=item.certainty.high_and_wrong,
        options=tuple(_line(question, token, counts.get(token, 0)) for token in tokens),
    )


def _listed_tokens(question: AnyQuestion, counts: dict[str, int]) -> list[str]:
    """The tokens to list whether chosen or not, in the bank's order."""
    if isinstance(question, MatchingQuestion):
        right = [f"{p.id}:{p.id}" for p in question.pairs]
        made = [token for token in counts if token not in right]
        return right + sorted(made)
    if isinstance(question, TrueFalseQuestion):
        return ["verdict:true", "verdict:false", *(f"why:{o.id}" for o in question.why)]
    return [option.id for option in question.options]


def _line(question: AnyQuestion | None, token: str, count: int) -> OptionLine:
    info = describe_token(question, token) if question is not None else None
    if info is None:
        return OptionLine(token, token, count, None, "")
    return OptionLine(token, info.label, count, info.correct, info.feedback)
