"""What the teacher reads of a class report: every option with its count and its feedback,
most-missed questions first, and the class mastery chart (valid Vega-Lite with its data)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema import load_schema

from lib.charts.classroom import CLASS_MASTERY, class_mastery_chart
from lib.classroom import CertaintyCounts, ClassReport, ItemSummary, OptionCount, TopicMastery
from lib.classroom.review import review_items
from lib.content import load_content

BANK = load_content(Path(__file__).resolve().parents[1] / "content").quiz
NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)


def first(kind: str):
    return next(q for q in BANK.questions if q.type == kind)


def item(question_id: str, topic: str, responses: int, correct: int, counts: dict[str, int],
         *, sure_wrong: int = 0) -> ItemSummary:
    return ItemSummary(question_id, topic, responses, correct,
                       tuple(OptionCount(o, n) for o, n in counts.items()),
                       CertaintyCounts(responses, 0, 0, 0, sure_wrong))


def report(*items: ItemSummary) -> ClassReport:
    return ClassReport("maple-otter-river-47", "open", NOW, NOW, 5, items, ())


def test_every_option_of_a_question_is_listed_with_its_count_and_feedback():
    question = first("single")
    right = next(o for o in question.options if o.correct)
    wrong = next(o for o in question.options if not o.correct)
    [review] = review_items(report(item(question.id, question.topic, 5, 3,
                                        {right.id: 3, wrong.id: 2})), BANK)
    assert [line.token for line in review.options] == [o.id for o in question.options]
    lines = {line.token: line for line in review.options}
    assert (lines[right.id].count, lines[right.id].correct) == (3, True)
    assert (lines[wrong.id].count, lines[wrong.id].correct) == (2, False)
    assert lines[wrong.id].feedback == wrong.feedback  # the misconception, beside its count
    assert lines[wrong.id].label == wrong.text
    nobody = [line for line in review.options if line.token not in (right.id, wrong.id)]
    assert nobody and all(line.count == 0 for line in nobody)
    assert (review.text, review.missed) == (question.text, 2)


def test_true_false_lists_both_verdicts_and_every_reason():
    question = first("true_false")
    said = "true" if question.verdict.correct else "false"
    [review] = review_items(report(item(question.id, question.topic, 4, 4,
                                        {f"verdict:{said}": 4, f"why:{question.why[0].id}": 4})),
                            BANK)
    tokens = [line.token for line in review.options]
    assert tokens == ["verdict:true", "verdict:false", *(f"why:{o.id}" for o in question.why)]
    verdict = next(line for line in review.options if line.token == f"verdict:{said}")
    assert (verdict.count, verdict.correct) == (4, True)


def test_matching_lists_the_right_pairs_and_the_wrong_pairs_someone_made():
    question = first("matching")
    a, b = question.pairs[0].id, question.pairs[1].id
    [review] = review_items(report(item(question.id, question.topic, 2, 1,
                                        {f"{a}:{a}": 1, f"{a}:{b}": 1})), BANK)
    tokens = [line.token for line in review.options]
    assert tokens == [f"{p.id}:{p.id}" for p in question.pairs] + [f"{a}:{b}"]
    wrong = review.options[-1]
    assert (wrong.count, wrong.correct) == (1, False)
    assert wrong.label == f"{question.pairs[0].left} → {question.pairs[1].right}"


def test_the_most_missed_question_comes_first():
    single, multi = first("single"), first("multi")
    right = next(o.id for o in single.options if o.correct)
    reviews = review_items(report(
        item(single.id, single.topic, 5, 4, {right: 4}),
        item(multi.id, multi.topic, 5, 1, {multi.options[0].id: 5}, sure_wrong=3)), BANK)
    assert [r.question_id for r in reviews] == [multi.id, single.id]
    assert reviews[0].high_and_wrong == 3


def test_a_question_the_bank_no_longer_has_is_still_counted_under_its_id():
    [review] = review_items(report(item("gone-001", "input", 3, 0, {"b": 3})), BANK)
    assert review.text == ""
    [line] = review.options
    assert (line.token, line.label, line.count, line.correct) == ("b", "b", 3, None)


def test_the_class_mastery_chart_is_valid_vega_lite_with_one_bar_per_topic():
    topics = (TopicMastery("input", 10, 7), TopicMastery("mech-softmax", 4, 1),
              TopicMastery("gone", 2, 2))
    titles = {t.id: t.title for t in BANK.topics}
    chart = class_mastery_chart(topics, titles)
    spec = chart.with_values()
    validate_jsonschema(json.loads(json.dumps(spec)), load_schema())
    rows = spec["datasets"]["topics"]
    assert [r["topic"] for r in rows] == [titles["input"], titles["mech-softmax"], "gone"]
    assert [r["percent"] for r in rows] == [70.0, 25.0, 100.0]
    assert [r["label"] for r in rows] == [f"{titles['input']} (10 answers)",
                                          f"{titles['mech-softmax']} (4 answers)",
                                          "gone (2 answers)"]
    assert f"lowest: {titles['mech-softmax']} at 25%" in chart.alt
    assert chart.template is CLASS_MASTERY  # built once, shared
