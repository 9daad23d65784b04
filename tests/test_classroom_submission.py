"""Submissions (validation, canonical form, digest), quiz-to-items, and the class messages."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from quiz_answers import wrong_answer

from lib.classroom.errors import RateLimited, Refused, StoreUnavailable
from lib.classroom.limits import Limits
from lib.classroom.quiz_items import answer_tokens, describe_token, items_from_quiz
from lib.classroom.submission import (
    Submission,
    SubmissionItem,
    check_submission,
    content_digest,
    new_submission,
)
from lib.classroom.text import MESSAGE_SAMPLES, TEXT_PATH, ClassroomText, classroom_text, load_text
from lib.content import load_content
from lib.content.schema.quiz import (
    MatchingQuestion,
    MultiQuestion,
    SingleQuestion,
    TrueFalseQuestion,
)
from lib.quiz.grading import (
    MatchingAnswer,
    MultiAnswer,
    SingleAnswer,
    TrueFalseAnswer,
    correct_answer,
)
from lib.quiz.live import LiveOption, LiveQuestion
from lib.quiz.session import append_question, new_quiz, retry_missed, submit

BANK = load_content(Path(__file__).resolve().parents[1] / "content").quiz
LIMITS = Limits()


def item(qid="ana-001", **changes) -> SubmissionItem:
    base = SubmissionItem(qid, "analogy", ("b",), 2, True)
    return replace(base, **changes)


def refusal(submission) -> Refused:
    with pytest.raises(Refused) as caught:
        check_submission(submission, limits=LIMITS)
    return caught.value


# --- validation -----------------------------------------------------------------------------


def test_a_valid_submission_comes_back_canonical():
    sub = Submission("6F9619FF-8B86-D011-B42D-00C04FC964FF", (item(chosen=("c", "a")),))
    checked = check_submission(sub, limits=LIMITS)
    assert checked.submission_id == "6f9619ff-8b86-d011-b42d-00c04fc964ff"
    assert checked.items[0].chosen == ("a", "c")


def test_new_submissions_get_distinct_uuids():
    ids = {new_submission([item()]).submission_id for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                            i) for i in ids)


@pytest.mark.parametrize(
    ("changes", "part"),
    [
        ({"question_id": ""}, "its question id"),
        ({"question_id": "Ana-001"}, "its question id"),
        ({"question_id": "a" * 81}, "its question id"),
        ({"question_id": "-ana"}, "its question id"),
        ({"topic": "analogy; drop"}, "its topic"),
        ({"topic": None}, "its topic"),
        ({"chosen": ()}, "the options chosen"),
        ({"chosen": ["b"]}, "the options chosen"),  # a list, not a tuple
        ({"chosen": ("b", "b")}, "the options chosen"),
        ({"chosen": tuple(f"o{i}" for i in range(21))}, "the options chosen"),
        ({"chosen": ("=cmd()",)}, "the options chosen"),
        ({"certainty": 0}, "its certainty"),
        ({"certainty": 4}, "its certainty"),
        ({"certainty": True}, "its certainty"),
        ({"certainty": 2.0}, "its certainty"),
        ({"correct": 1}, "whether it was right"),
        ({"correct": "yes"}, "whether it was right"),
    ],
)
def test_each_bad_field_is_refused_naming_the_answer_and_the_part(changes, part):
    sub = new_submission([item("ana-001"), item("ana-002", **changes)])
    refused = refusal(sub)
    assert refused.key == "unreadable_answer"
    assert refused.message == classroom_text().message("unreadable_answer", position=2, part=part)


def test_whole_submission_problems_are_refused_with_their_own_message():
    assert refusal(new_submission([])).key == "nothing_to_send"
    assert refusal(Submission("not-a-uuid", (item(),))).key == "unreadable_submission"
    assert refusal(Submission("1" * 10_000, (item(),))).key == "unreadable_submission"
    assert refusal(Submission(None, (item(),))).key == "unreadable_submission"
    assert refusal({"submission_id": "x", "items": []}).key == "unreadable_submission"
    assert refusal(Submission(new_submission([]).submission_id, [item()])).key == (
        "unreadable_submission"
    )
    assert refusal(new_submission(["ana-001"])).key == "unreadable_submission"
    repeated = refusal(new_submission([item("ana-001"), item("ana-002"), item("ana-001")]))
    assert repeated.key == "repeated_question" and "Answer 3 " in repeated.message


def test_too_many_answers_are_refused_before_any_item_is_read():
    class Exploding(SubmissionItem):
        def __getattribute__(self, name):
            raise AssertionError("an item was read")

    sub = new_submission([Exploding("a", "b", ("c",), None, True)] * 201)
    refused = refusal(sub)
    assert refused.key == "too_many_answers"
    assert refused.message == classroom_text().message("too_many_answers", count=201, limit=200)
    assert check_submission(new_submission(item(f"q-{i:03d}") for i in range(200)),
                            limits=LIMITS).items[-1].question_id == "q-199"


def test_the_digest_depends_on_content_and_class_but_not_on_choice_order():
    sub = check_submission(new_submission([item(chosen=("a", "c"))]), limits=LIMITS)
    same = check_submission(replace(sub, items=(item(chosen=("c", "a")),)), limits=LIMITS)
    base = content_digest("maple-otter-river-47", sub)
    assert base == content_digest("maple-otter-river-47", same)
    assert base != content_digest("maple-otter-river-48", sub)
    for changed in (item(chosen=("a",)), item(certainty=3), item(certainty=None),
                    item(correct=False), item(topic="limits"), item("ana-002")):
        other = check_submission(replace(sub, items=(changed,)), limits=LIMITS)
        assert content_digest("maple-otter-river-47", other) != base, changed


# --- from a quiz ----------------------------------------------------------------------------


def first_of(kind):
    return next(q for q in BANK.questions if isinstance(q, kind))


def test_answer_tokens_for_each_question_type():
    assert answer_tokens(SingleAnswer("b")) == ("b",)
    assert answer_tokens(MultiAnswer({"c", "a"})) == ("a", "c")
    assert answer_tokens(MatchingAnswer((("p2", "p1"), ("p1", "p2")))) == ("p1:p2", "p2:p1")
    assert answer_tokens(TrueFalseAnswer(False, "c")) == ("verdict:false", "why:c")


def test_items_from_a_quiz_carry_what_was_chosen_certainty_and_correctness_only():
    questions = [first_of(k) for k in (SingleQuestion, MultiQuestion, MatchingQuestion,
                                        TrueFalseQuestion)]
    state = new_quiz(BANK, topics=None, length=1, seed=1, cbm=True)
    state = replace(state, questions=tuple(questions))
    wrong = next(o.id for o in questions[0].options if not o.correct)
    state = submit(state, questions[0].id, SingleAnswer(wrong), confidence=3)
    for q in questions[1:]:
        state = submit(state, q.id, correct_answer(q), confidence=1)
    items = items_from_quiz(state)
    assert [i.question_id for i in items] == [q.id for q in questions]
    assert [i.topic for i in items] == [q.topic for q in questions]
    assert [(i.certainty, i.correct) for i in items] == [(3, False), (1, True), (1, True),
                                                          (1, True)]
    assert items[0].chosen == (wrong,)
    checked = check_submission(new_submission(items), limits=LIMITS)  # the store accepts them
    assert len(checked.items) == 4
    for q, i in zip(questions, items, strict=True):
        infos = [describe_token(q, t) for t in i.chosen]
        assert all(info is not None for info in infos)
        assert all(info.correct for info in infos) == i.correct


def test_every_answer_to_every_bank_question_is_accepted_and_described():
    items = []
    for q in BANK.questions:
        tokens = answer_tokens(correct_answer(q))
        assert all(describe_token(q, t).correct for t in tokens), q.id
        items.append(SubmissionItem(q.id, q.topic, tokens, None, True))
    for start in range(0, len(items), LIMITS.max_items):
        chunk = items[start : start + LIMITS.max_items]
        assert check_submission(new_submission(chunk), limits=LIMITS).items == tuple(
            replace(i, chosen=tuple(sorted(i.chosen))) for i in chunk)


def test_after_a_retry_the_class_gets_the_first_attempt():
    state = new_quiz(BANK, topics=["mech-softmax"], length=3, seed=4, cbm=False)
    first, *others = state.questions
    state = submit(state, first.id, correct_answer(first))
    for q in others:
        state = submit(state, q.id, wrong_answer(q))
    retry = retry_missed(state, seed=5)
    for q in retry.questions:
        retry = submit(retry, q.id, correct_answer(q))
    items = items_from_quiz(retry)
    assert [i.question_id for i in items] == [q.id for q in state.questions]
    assert [i.correct for i in items] == [True, False, False]


def test_live_questions_are_left_out_of_class_results():
    live = LiveQuestion(
        id="live-0123456789ab-001", topic="mech-softmax", skill="apply", text="Which token?",
        options=(LiveOption("a", "paris", True, "Most weight."),
                 LiveOption("b", "is", False, "Less weight.")),
        prompt="Paris is", model_name="all-MiniLM-L6-v2",
    )
    state = new_quiz(BANK, topics=["mech-softmax"], length=1, seed=2, cbm=False)
    bank_q = state.questions[0]
    state = append_question(state, live.to_question())
    state = submit(state, live.id, SingleAnswer("a"))
    state = submit(state, bank_q.id, correct_answer(bank_q))
    assert [i.question_id for i in items_from_quiz(state)] == [bank_q.id]


def test_describe_token_gives_label_correctness_and_feedback():
    single = first_of(SingleQuestion)
    wrong = next(o for o in single.options if not o.correct)
    info = describe_token(single, wrong.id)
    assert (info.label, info.correct, info.feedback) == (wrong.text, False, wrong.feedback)
    match = first_of(MatchingQuestion)
    a, b = match.pairs[0], match.pairs[1]
    info = describe_token(match, f"{a.id}:{b.id}")
    assert info.label == f"{a.left} → {b.right}" and not info.correct
    assert info.feedback == a.feedback
    assert describe_token(match, f"{a.id}:{a.id}").correct
    tf = first_of(TrueFalseQuestion)
    said = not tf.verdict.correct
    info = describe_token(tf, f"verdict:{'true' if said else 'false'}")
    assert not info.correct
    assert info.feedback == (tf.verdict.feedback_true if said else tf.verdict.feedback_false)
    for q, token in ((single, "zz"), (match, "zz:zz"), (match, a.id), (tf, "verdict:maybe"),
                     (tf, "why:zz"), (tf, "b")):
        assert describe_token(q, token) is None


# --- messages -------------------------------------------------------------------------------


def test_the_message_file_loads_and_every_message_is_a_plain_sentence():
    text = load_text()
    assert set(text.messages) == set(MESSAGE_SAMPLES)
    for name, samples in MESSAGE_SAMPLES.items():
        filled = text.message(name, **samples)
        assert filled[0].isupper() and filled.endswith("."), name
        assert "Error" not in filled and "Traceback" not in filled and "{" not in filled


def test_a_message_with_a_wrong_placeholder_or_style_is_rejected(tmp_path):
    raw = yaml.safe_load(TEXT_PATH.read_text())
    for name, bad in (("sent", "Your results were sent ({n} answers)."),
                      ("already_sent", "these results were already sent."),
                      ("already_sent", "These results were already sent"),
                      ("class_not_open", "No class has the code {code}.")):
        broken = {**raw, "messages": {**raw["messages"], name: bad}}
        with pytest.raises(ValueError, match=name):
            ClassroomText.model_validate(broken)
    missing = {**raw, "messages": {k: v for k, v in raw["messages"].items() if k != "sent"}}
    with pytest.raises(ValueError, match="missing \\['sent'\\]"):
        ClassroomText.model_validate(missing)
    path = tmp_path / "classroom.yaml"
    path.write_text("messages: [")
    with pytest.raises(ValueError, match="classroom.yaml could not be loaded"):
        load_text(path)


def test_error_messages_are_the_content_file_text_never_exception_text():
    assert str(Refused("class_not_open")) == classroom_text().message("class_not_open")
    limited = RateLimited(7)
    assert limited.retryable and limited.retry_after == 7 and "7 seconds" in limited.message
    down = StoreUnavailable("OperationalError: connection refused at db.internal:5432")
    assert down.retryable and str(down) == classroom_text().message("store_unavailable")
    assert "refused" not in down.message and "5432" not in down.message
    assert not Refused("class_not_open").retryable
