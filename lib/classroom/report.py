"""What a teacher sees of a class: counts per option, mastery per topic, and a CSV export.

Only aggregates exist here: how many students chose each option of each question, how many
got it right, how sure they were, and per topic the share of answers that were right
(mastery, as the quiz's own topic scores compute it for one student). No row ever stands for
one student; a student never sees any of it.

Certainty counts matter most when they are high and wrong: with certainty-based marking
(Gardner-Medwin & Gahan 2003) a confident wrong answer marks a misconception worth a class
discussion, not a guess.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from lib.classroom.text import classroom_text

Status = Literal["open", "expired"]


@dataclass(frozen=True)
class OptionCount:
    option: str  # an option token (lib/classroom/quiz_items.py)
    count: int  # answers that chose it


@dataclass(frozen=True)
class CertaintyCounts:
    """How sure the students were, over the answers to one question."""

    unmarked: int  # answered without certainty-based marking
    low: int  # certainty 1
    medium: int  # certainty 2
    high: int  # certainty 3
    high_and_wrong: int


@dataclass(frozen=True)
class ItemSummary:
    question_id: str
    topic: str
    responses: int  # answers to this question
    correct: int  # of them right
    options: tuple[OptionCount, ...]  # most chosen first; multi-choice counts add up to more
    certainty: CertaintyCounts


@dataclass(frozen=True)
class TopicMastery:
    topic: str
    answers: int
    correct: int

    @property
    def share_right(self) -> float:
        return self.correct / self.answers


@dataclass(frozen=True)
class ClassReport:
    code: str
    status: Status
    created_at: datetime  # UTC
    expires_at: datetime  # UTC
    submissions: int
    items: tuple[ItemSummary, ...]  # by topic, then question id
    topics: tuple[TopicMastery, ...]  # by topic id

    @property
    def status_message(self) -> str:
        """Open until / closed on, for the teacher page."""
        key = "class_open_until" if self.status == "open" else "class_closed_on"
        return classroom_text().message(key, date=format_date(self.expires_at))


def format_date(moment: datetime) -> str:
    """``28 December 2026``: no leading zero, month spelled out, so no day/month confusion."""
    return f"{moment.day} {moment:%B %Y}"


def utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


ItemRow = tuple[str, str, int, int]  # question_id, topic, responses, correct
OptionRow = tuple[str, str, str, int]  # question_id, topic, option, count
CertaintyRow = tuple[str, str, int | None, bool, int]  # question_id, topic, certainty, right, n


def summarize(
    items: Iterable[ItemRow], options: Iterable[OptionRow], certainties: Iterable[CertaintyRow]
) -> tuple[tuple[ItemSummary, ...], tuple[TopicMastery, ...]]:
    """Item summaries and topic mastery from the store's grouped counts."""
    by_item: dict[tuple[str, str], list[OptionCount]] = defaultdict(list)
    for question_id, topic, option, count in options:
        by_item[question_id, topic].append(OptionCount(option, count))
    sure: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for question_id, topic, certainty, right, n in certainties:
        counts = sure[question_id, topic]
        counts[{None: "unmarked", 1: "low", 2: "medium", 3: "high"}[certainty]] += n
        if certainty == 3 and not right:
            counts["high_and_wrong"] += n
    summaries = []
    for question_id, topic, responses, correct in sorted(items, key=lambda r: (r[1], r[0])):
        key = (question_id, topic)
        counts = sure[key]
        summaries.append(
            ItemSummary(
                question_id,
                topic,
                responses,
                correct,
                tuple(sorted(by_item[key], key=lambda o: (-o.count, o.option))),
                CertaintyCounts(
                    counts["unmarked"], counts["low"], counts["medium"], counts["high"],
                    counts["high_and_wrong"],
                ),
            )
        )
    return tuple(summaries), _mastery(summaries)


def _mastery(items: Iterable[ItemSummary]) -> tuple[TopicMastery, ...]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        totals[item.topic][0] += item.responses
        totals[item.topic][1] += item.correct
    return tuple(TopicMastery(t, n, right) for t, (n, right) in sorted(totals.items()))


CSV_COLUMNS = (
    "topic",
    "topic_share_right",
    "question_id",
    "responses",
    "right",
    "high_certainty_wrong",
    "option",
    "times_chosen",
)


def report_to_csv(report: ClassReport) -> str:
    """One row per (question, option chosen), with the question's and topic's totals repeated.

    Every text cell is a validated token (``[a-z0-9]`` first), so no cell can start a
    spreadsheet formula.
    """
    shares = {t.topic: f"{t.share_right:.3f}" for t in report.topics}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in report.items:
        for option in item.options:
            writer.writerow(
                (
                    item.topic,
                    shares[item.topic],
                    item.question_id,
                    item.responses,
                    item.correct,
                    item.certainty.high_and_wrong,
                    option.option,
                    option.count,
                )
            )
    return buf.getvalue()
