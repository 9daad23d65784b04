"""The quiz state machine: grading, certainty-based marks, locking, order, scores, retries."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quiz_answers import wrong_answer

from lib.content import load_content
from lib.content.schema.quiz import QuizBank, Topic
from lib.quiz.grading import (
    AnswerError,
    MatchingAnswer,
    MultiAnswer,
    QuizError,
    SingleAnswer,
    TrueFalseAnswer,
    correct_answer,
    feedback,
    is_correct,
    marks,
)
from lib.quiz.session import (
    display_order,
    mistakes,
    new_quiz,
    retry_missed,
    submit,
    topic_scores,
)

BANK = load_content(Path(__file__).resolve().parents[1] / "content").quiz


@pytest.fixture(scope="module")
def bank() -> QuizBank:
    return BANK


# ---------------------------------------------------------------- certainty-based marking


@pytest.mark.parametrize(
    ("correct", "confidence", "expected"),
    [(True, 1, 1), (True, 2, 2), (True, 3, 3), (False, 1, 0), (False, 2, -2), (False, 3, -6)],
)
def test_cbm_marks_follow_gardner_medwin(correct, confidence, expected):
    assert marks(correct, confidence=confidence, cbm=True) == expected


def test_plain_marks_are_one_or_zero():
    assert marks(True, confidence=None, cbm=False) == 1
    assert marks(False, confidence=None, cbm=False) == 0


@pytest.mark.parametrize("confidence", [None, 0, 4, True, 2.0])
def test_cbm_rejects_missing_or_invalid_confidence(bank, confidence):
    state = new_quiz(bank, topics=["mech-sink"], length=1, seed=3, cbm=True)
    q = state.questions[0]
    with pytest.raises(QuizError, match="1, 2 or 3"):
        submit(state, q.id, correct_answer(q), confidence=confidence)


def test_plain_mode_rejects_a_confidence(bank):
    state = new_quiz(bank, topics=["mech-sink"], length=1, seed=3, cbm=False)
    q = state.questions[0]
    with pytest.raises(QuizError, match="confidence=None"):
        submit(state, q.id, correct_answer(q), confidence=2)


def test_cbm_quiz_scores_add_up(bank):
    state = new_quiz(bank, topics=None, length=4, seed=11, cbm=True)
    q1, q2, q3, q4 = state.questions
    state = submit(state, q1.id, correct_answer(q1), confidence=3)  # +3
    state = submit(state, q2.id, wrong_answer(q2), confidence=3)  # -6
    state = submit(state, q3.id, wrong_answer(q3), confidence=1)  # 0
    state = submit(state, q4.id, correct_answer(q4), confidence=2)  # +2
    assert state.score == -1
    assert state.max_score == 12
    assert state.n_correct == 2
    assert state.finished


# ---------------------------------------------------------------- grading per type


def test_every_bank_question_grades_its_correct_answer_right_and_a_wrong_one_wrong(bank):
    for q in bank.questions:
        assert is_correct(q, correct_answer(q)), q.id
        assert not is_correct(q, wrong_answer(q)), q.id


def test_multi_is_all_or_nothing_but_gives_feedback_per_option(bank):
    q = bank.question("temp-004")  # a, b, c right; d wrong
    assert is_correct(q, MultiAnswer({"a", "b", "c"}))
    assert not is_correct(q, MultiAnswer({"a", "b"}))  # one missed
    assert not is_correct(q, MultiAnswer({"a", "b", "c", "d"}))  # one extra
    items = {i.item_id: i for i in feedback(q, MultiAnswer({"a", "d"}))}
    assert items["a"].status == "right"
    assert items["b"].status == "missed" and items["c"].status == "missed"
    assert items["d"].status == "wrong"
    assert items["d"].feedback == next(o.feedback for o in q.options if o.id == "d")
    assert items["b"].correct and not items["b"].chosen


def test_multi_rejects_an_empty_choice(bank):
    with pytest.raises(AnswerError, match="at least one"):
        is_correct(bank.question("temp-004"), MultiAnswer(frozenset()))


def test_matching_needs_every_pair_right(bank):
    q = bank.question("lts-003")
    ids = [p.id for p in q.pairs]
    assert is_correct(q, MatchingAnswer({i: i for i in ids}))
    swapped = {i: i for i in ids} | {ids[0]: ids[1], ids[1]: ids[0]}
    assert not is_correct(q, MatchingAnswer(swapped))
    items = {i.item_id: i for i in feedback(q, MatchingAnswer(swapped))}
    assert items[ids[0]].status == "wrong" and items[ids[0]].expected == q.pairs[0].right
    assert items[ids[2]].status == "right"


@pytest.mark.parametrize(
    "bad",
    [
        {"p1": "p1"},
        {"p1": "p1", "p2": "p1", "p3": "p3", "p4": "p4"},
        {"p1": "zz", "p2": "p2", "p3": "p3", "p4": "p4"},
    ],
    ids=["incomplete", "right-used-twice", "unknown-id"],
)
def test_matching_rejects_malformed_answers(bank, bad):
    with pytest.raises(AnswerError):
        is_correct(bank.question("lts-003"), MatchingAnswer(bad))


def test_true_false_needs_both_verdict_and_reason(bank):
    q = bank.question("norm-002")  # false, reason a
    assert is_correct(q, TrueFalseAnswer(False, "a"))
    assert not is_correct(q, TrueFalseAnswer(True, "a"))  # right reason, wrong verdict
    assert not is_correct(q, TrueFalseAnswer(False, "b"))  # right verdict, wrong reason
    items = feedback(q, TrueFalseAnswer(True, "a"))
    assert items[0].item_id == "verdict" and items[0].status == "wrong"
    assert items[0].feedback == q.verdict.feedback_true
    assert {i.item_id: i.status for i in items[1:]} == {
        "a": "right",
        "b": "left_out",
        "c": "left_out",
    }


def test_answer_of_the_wrong_type_is_rejected(bank):
    with pytest.raises(AnswerError, match="SingleAnswer"):
        is_correct(bank.question("dot-003"), MultiAnswer({"a"}))
    with pytest.raises(AnswerError, match="not one of its options"):
        is_correct(bank.question("dot-003"), SingleAnswer("zz"))


# ---------------------------------------------------------------- locking


def test_resubmitting_never_changes_the_score(bank):
    state = new_quiz(bank, topics=None, length=3, seed=5, cbm=True)
    q = state.questions[0]
    first = submit(state, q.id, wrong_answer(q), confidence=3)
    assert first.score == -6
    again = submit(first, q.id, correct_answer(q), confidence=3)
    assert again is first
    assert again.score == -6 and len(again.responses) == 1


def test_submit_for_a_question_outside_the_quiz_is_an_error(bank):
    state = new_quiz(bank, topics=["mech-sink"], length=2, seed=5, cbm=False)
    with pytest.raises(QuizError, match="not part of this quiz"):
        submit(state, "dot-003", SingleAnswer("a"))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    plan=st.lists(
        st.tuples(st.booleans(), st.integers(1, 3), st.booleans()), min_size=8, max_size=8
    ),
)
def test_score_is_the_sum_of_the_cbm_table_and_survives_reclicks(seed, plan):
    state = new_quiz(BANK, topics=None, length=8, seed=seed, cbm=True)
    expected = 0
    for q, (right, conf, reclick) in zip(state.questions, plan, strict=True):
        state = submit(
            state, q.id, correct_answer(q) if right else wrong_answer(q), confidence=conf
        )
        expected += {1: 1, 2: 2, 3: 3}[conf] if right else {1: 0, 2: -2, 3: -6}[conf]
        if reclick:
            state = submit(
                state, q.id, wrong_answer(q) if right else correct_answer(q), confidence=3
            )
        assert state.score == expected


# ---------------------------------------------------------------- order and shuffles


def test_same_seed_same_order_and_shuffles(bank):
    a = new_quiz(bank, topics=None, length=15, seed=42, cbm=False)
    b = new_quiz(bank, topics=None, length=15, seed=42, cbm=False)
    assert a.question_ids == b.question_ids
    assert [display_order(a, q) for q in a.questions] == [display_order(b, q) for q in b.questions]


def test_other_seed_other_order_and_shuffles(bank):
    a = new_quiz(bank, topics=None, length=15, seed=42, cbm=False)
    b = new_quiz(bank, topics=None, length=15, seed=43, cbm=False)
    assert a.question_ids != b.question_ids
    shared = new_quiz(bank, topics=None, length=len(bank.questions), seed=43, cbm=False)
    orders_a = [display_order(a, q) for q in bank.questions]
    orders_b = [display_order(shared, q) for q in bank.questions]
    assert orders_a != orders_b


def test_display_order_is_a_permutation_of_the_items(bank):
    state = new_quiz(bank, topics=None, length=5, seed=1, cbm=False)
    for q in bank.questions:
        order = display_order(state, q)
        if q.type in ("single", "multi"):
            items = [o.id for o in q.options]
        elif q.type == "matching":
            items = [p.id for p in q.pairs]
        else:
            items = [o.id for o in q.why]
        assert sorted(order) == sorted(items)


def test_shuffles_do_not_always_leave_the_correct_option_first(bank):
    state = new_quiz(bank, topics=None, length=5, seed=7, cbm=False)
    singles = [q for q in bank.questions if q.type == "single"]
    firsts = [display_order(state, q)[0] == correct_answer(q).option for q in singles]
    assert 0 < sum(firsts) < len(singles)


def test_new_quiz_respects_topics_length_and_spreads_over_topics(bank):
    topics = ["mech-sink", "mech-masks", "lim-memory"]
    state = new_quiz(bank, topics=topics, length=6, seed=9, cbm=False)
    assert len(state.questions) == 6
    assert {q.topic for q in state.questions} == set(topics)
    assert len(set(state.question_ids)) == 6
    small = new_quiz(bank, topics=["lim-memory"], length=50, seed=9, cbm=False)
    assert len(small.questions) == len(bank.by_topic("lim-memory"))


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"topics": ["nope"], "length": 3}, "Unknown topic"),
        ({"topics": None, "length": 0}, "at least one"),
    ],
)
def test_new_quiz_rejects_bad_requests(bank, kwargs, needle):
    with pytest.raises(QuizError, match=needle):
        new_quiz(bank, seed=1, cbm=False, **kwargs)


# ---------------------------------------------------------------- results


def _mini_bank() -> QuizBank:
    """Four topics with 3, 4, 2 and 1 single-choice questions (correct option is always 'a')."""
    sizes = {"ta": 3, "tb": 4, "tc": 2, "td": 1}
    topics = [Topic(id=t, title=f"Topic {t}", description="d") for t in sizes]
    questions = []
    for t, n in sizes.items():
        for i in range(1, n + 1):
            questions.append(
                {
                    "id": f"{t}-{i:03d}",
                    "topic": t,
                    "skill": "recall",
                    "type": "single",
                    "text": f"{t} question {i}?",
                    "options": [
                        {"id": "a", "text": "right", "correct": True, "feedback": "yes"},
                        {"id": "b", "text": "wrong", "correct": False, "feedback": "no"},
                    ],
                    "sources": ["vaswani_2017"],
                }
            )
    return QuizBank.model_validate(
        {"topics": [t.model_dump() for t in topics], "questions": questions}
    )


def test_ten_question_quiz_ends_with_the_right_topic_scores():
    bank = _mini_bank()
    state = new_quiz(bank, topics=["ta", "tb", "tc", "td"], length=10, seed=2024, cbm=True)
    assert len(state.questions) == 10
    # plan: (right?, confidence) per question id; td-001 is left unanswered
    plan = {
        "ta-001": (True, 3), "ta-002": (True, 2), "ta-003": (True, 1),
        "tb-001": (True, 3), "tb-002": (True, 3), "tb-003": (True, 1), "tb-004": (False, 2),
        "tc-001": (True, 2), "tc-002": (False, 3),
    }  # fmt: skip
    for q in state.questions:
        if q.id in plan:
            right, conf = plan[q.id]
            state = submit(state, q.id, SingleAnswer("a" if right else "b"), confidence=conf)
    got = {s.topic_id: s for s in topic_scores(state, bank)}
    # expected values worked out by hand from the plan and the CBM table
    assert [s.topic_id for s in topic_scores(state, bank)] == ["ta", "tb", "tc", "td"]
    assert (got["ta"].total, got["ta"].answered, got["ta"].correct, got["ta"].marks) == (3, 3, 3, 6)
    assert (got["tb"].total, got["tb"].answered, got["tb"].correct, got["tb"].marks) == (4, 4, 3, 5)
    assert (got["tc"].total, got["tc"].answered, got["tc"].correct, got["tc"].marks) == (
        2,
        2,
        1,
        -4,
    )
    assert (got["td"].total, got["td"].answered, got["td"].correct, got["td"].marks) == (1, 0, 0, 0)
    assert [got[t].percent for t in ("ta", "tb", "tc", "td")] == [100.0, 75.0, 50.0, 0.0]
    assert [got[t].level for t in ("ta", "tb", "tc", "td")] == [
        "proficient",
        "familiar",
        "attempted",
        "not started",
    ]
    assert [got[t].max_marks for t in ("ta", "tb", "tc", "td")] == [9, 12, 6, 3]
    assert got["tb"].title == "Topic tb"
    assert state.score == 6 + 5 - 4 and not state.finished
    assert state.next_question.id == "td-001"

    wrong = mistakes(state, bank)
    assert [m.question.id for m in wrong] == [
        q.id for q in state.questions if q.id in ("tb-004", "tc-002")
    ]
    for m in wrong:
        chosen = [i for i in m.feedback if i.chosen]
        assert [(i.item_id, i.status, i.feedback) for i in chosen] == [("b", "wrong", "no")]
        assert m.topic_title.startswith("Topic ")


def test_familiar_threshold_is_seventy_percent():
    bank = _mini_bank()
    state = new_quiz(bank, topics=["tb"], length=4, seed=1, cbm=False)
    # 2 of 4 right = 50 % -> attempted; then nothing else answered
    for q, right in zip(state.questions, [True, True], strict=False):
        state = submit(state, q.id, SingleAnswer("a" if right else "b"))
    (score,) = topic_scores(state, bank)
    assert (score.correct, score.total, score.level) == (2, 4, "attempted")


def test_retry_missed_keeps_only_wrong_questions(bank):
    state = new_quiz(bank, topics=None, length=6, seed=8, cbm=True)
    missed = set()
    for i, q in enumerate(state.questions):
        if i % 2:
            state = submit(state, q.id, wrong_answer(q), confidence=1)
            missed.add(q.id)
        else:
            state = submit(state, q.id, correct_answer(q), confidence=1)
    retry = retry_missed(state, seed=99)
    assert set(retry.question_ids) == missed
    assert retry.responses == () and retry.cbm is True and retry.seed == 99
    assert retry_missed(state, seed=99) == retry


def test_retry_missed_with_nothing_missed_says_so(bank):
    state = new_quiz(bank, topics=["mech-sink"], length=2, seed=8, cbm=False)
    for q in state.questions:
        state = submit(state, q.id, correct_answer(q))
    with pytest.raises(QuizError, match="No wrongly answered"):
        retry_missed(state, seed=1)


def test_a_retry_keeps_every_earlier_attempt(bank):
    from lib.quiz.session import attempts

    first = new_quiz(bank, topics=None, length=6, seed=8, cbm=True)
    for i, q in enumerate(first.questions):
        answer = wrong_answer(q) if i % 2 else correct_answer(q)
        first = submit(first, q.id, answer, confidence=2)
    second = retry_missed(first, seed=9)
    for i, q in enumerate(second.questions):
        second = submit(second, q.id, wrong_answer(q) if i else correct_answer(q), confidence=3)
    assert attempts(second)[0] == first  # the first attempt, answers and all, is still there
    assert second.earlier == (first,)
    assert [len(a.responses) for a in attempts(second)] == [6, 3]
    third = retry_missed(second, seed=10)  # a retry of the retry keeps both before it
    assert attempts(third)[:2] == (first, attempts(second)[1])


# ---------------------------------------------------------------- results over every attempt


def _answer_all(state, right_ids, *, confidence=None):
    for q in state.questions:
        state = submit(state, q.id, SingleAnswer("a" if q.id in right_ids else "b"),
                       confidence=confidence)
    return state


def test_mastery_by_topic_counts_every_attempt():
    from lib.quiz.session import attempt_scores

    bank = _mini_bank()
    first = new_quiz(bank, topics=["ta", "tc"], length=5, seed=3, cbm=True)
    first = _answer_all(first, {"ta-001", "ta-002"}, confidence=3)  # ta-003, tc-001/2 wrong
    retry = _answer_all(retry_missed(first, seed=4), {"ta-003", "tc-001", "tc-002"},
                        confidence=1)
    got = {s.topic_id: s for s in topic_scores(retry, bank)}
    # ta: 3 asked first (2 right) + 1 retried (right) = 3 of 4; tc: 0 of 2, then 2 of 2
    assert (got["ta"].total, got["ta"].answered, got["ta"].correct) == (4, 4, 3)
    assert (got["tc"].total, got["tc"].answered, got["tc"].correct) == (4, 4, 2)
    assert [got["ta"].percent, got["tc"].percent] == [75.0, 50.0]
    assert [got["ta"].level, got["tc"].level] == ["familiar", "attempted"]
    assert got["ta"].marks == 3 + 3 - 6 + 1 and got["tc"].marks == -6 - 6 + 1 + 1
    assert got["ta"].max_marks == 4 * 3
    # the retry alone is all right, but mastery is not "proficient": the first try counts
    assert retry.n_correct == len(retry.questions) == 3
    assert [(a.number, a.questions, a.correct, a.score, a.max_score)
            for a in attempt_scores(retry)] == [(1, 5, 2, 3 + 3 - 18, 15), (2, 3, 3, 3, 9)]
    assert [round(a.percent, 1) for a in attempt_scores(retry)] == [-80.0, 33.3]


def test_a_topic_with_no_right_answer_still_gets_its_zero():
    bank = _mini_bank()
    state = _answer_all(new_quiz(bank, topics=["ta", "td"], length=4, seed=1, cbm=False),
                        {"ta-001", "ta-002", "ta-003"})
    got = {s.topic_id: s for s in topic_scores(state, bank)}
    assert set(got) == {"ta", "td"}
    assert (got["td"].percent, got["td"].level, got["td"].answered) == (0.0, "attempted", 1)


# ---------------------------------------------------------------- how many questions


def _fake_live(n: int, topic: str = "ta"):
    """n live questions with specs (no model needed): the count rule only counts them."""
    from lib.quiz.live import LiveOption, LiveQuestion, LiveSpec

    out = []
    for i in range(n):
        spec = LiveSpec("occupancy-top", f"prompt {i}", "tiny", 0, "mean", 1.0, 1)
        out.append(LiveQuestion(
            id=spec.question_id, topic=topic, skill="apply", text=f"live {i}?",
            options=(LiveOption("a", "x", True, "yes"), LiveOption("b", "y", False, "no")),
            prompt=spec.prompt, model_name="tiny", spec=spec))
    return tuple(out)


@pytest.mark.parametrize(
    ("length", "live", "expected"),
    [(10, 3, (7, 3)), (10, 4, (7, 3)), (10, 0, (10, 0)), (3, 3, (2, 1)), (1, 3, (0, 1)),
     (6, 1, (5, 1)), (13, 4, (9, 4))],
)
def test_the_number_asked_for_is_the_number_given(length, live, expected):
    from lib.quiz.session import plan_quiz

    bank = _mini_bank()  # 10 questions in all
    plan = plan_quiz(bank, topics=None, length=length, live_available=live)
    assert (plan.from_bank, plan.from_prompt) == expected
    state = new_quiz(bank, topics=None, length=length, seed=5, cbm=False, live=_fake_live(live))
    assert len(state.questions) == plan.total == min(length, 10 + live)
    assert sum(q.id.startswith("live-") for q in state.questions) == plan.from_prompt
    assert len(state.live) == plan.from_prompt  # each one saveable by its spec


def test_prompt_questions_fill_in_when_the_topics_hold_too_few():
    from lib.quiz.session import plan_quiz

    bank = _mini_bank()
    plan = plan_quiz(bank, topics=["td"], length=4, live_available=4)  # td holds 1 question
    assert (plan.from_bank, plan.from_prompt, plan.bank_available) == (1, 3, 1)
    short = plan_quiz(bank, topics=["td"], length=10, live_available=2)
    assert (short.total, short.from_bank) == (3, 1)  # all there is: fewer than asked


def test_prompt_questions_come_after_the_topics_in_the_order_given():
    bank = _mini_bank()
    live = _fake_live(3)
    state = new_quiz(bank, topics=None, length=9, seed=2, cbm=False, live=live)
    assert state.question_ids[-3:] == tuple(q.id for q in live)
    assert [qid for qid, _ in state.live] == [q.id for q in live]


def test_setup_of_a_quiz_restarts_its_first_attempt():
    from lib.quiz.session import setup_of

    bank = _mini_bank()
    first = new_quiz(bank, topics=["tb", "ta"], length=5, seed=12, cbm=True, live=_fake_live(2))
    first = _answer_all(first, set(), confidence=1)
    retried = retry_missed(first, seed=13)
    setup = setup_of(retried, bank)
    assert (setup.topics, setup.length, setup.seed, setup.cbm, setup.live) == (
        ("tb", "ta"), 5, 12, True, True)
    again = new_quiz(bank, topics=setup.topics, length=setup.length, seed=setup.seed,
                     cbm=setup.cbm, live=_fake_live(2))
    assert again.question_ids == first.question_ids
    every = setup_of(new_quiz(bank, topics=None, length=3, seed=1, cbm=False), bank)
    assert (every.topics, every.live, every.cbm) == ((), False, False)
