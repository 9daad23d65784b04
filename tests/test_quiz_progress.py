"""Progress files round-trip exactly, and tampered or broken files are refused with ProgressError."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.content import load_content
from lib.quiz.grading import (
    MatchingAnswer,
    MultiAnswer,
    SingleAnswer,
    TrueFalseAnswer,
    correct_answer,
)
from lib.quiz.progress import (
    CSV_COLUMNS,
    MAX_BYTES,
    ProgressError,
    _answer_to_json,
    progress_from_json,
    progress_to_json,
    results_to_csv,
)
from lib.quiz.session import new_quiz, submit

BANK = load_content(Path(__file__).resolve().parents[1] / "content").quiz


def _first_wrong(q):
    if q.type == "single":
        return SingleAnswer(next(o.id for o in q.options if not o.correct))
    if q.type == "true_false":
        return TrueFalseAnswer(not q.verdict.correct, q.why[0].id)
    if q.type == "multi":
        return MultiAnswer({o.id for o in q.options if not o.correct})
    ids = [p.id for p in q.pairs]
    return MatchingAnswer(tuple(zip(ids, ids[1:] + ids[:1], strict=True)))


def _played(seed: int = 4, cbm: bool = True, n_answer: int = 7):
    state = new_quiz(BANK, topics=None, length=10, seed=seed, cbm=cbm)
    for i, q in enumerate(state.questions[:n_answer]):
        answer = correct_answer(q) if i % 3 else _first_wrong(q)
        state = submit(state, q.id, answer, confidence=(i % 3) + 1 if cbm else None)
    return state


def _doc(state) -> dict:
    return json.loads(progress_to_json(state))


# ---------------------------------------------------------------- round trip


@pytest.mark.parametrize("cbm", [True, False])
def test_round_trip_restores_the_exact_state(cbm):
    state = _played(cbm=cbm)
    restored = progress_from_json(progress_to_json(state), BANK)
    assert restored == state
    assert restored.score == state.score and restored.responses == state.responses


def test_round_trip_of_a_fresh_and_a_finished_quiz():
    fresh = new_quiz(BANK, topics=["mech-rollout"], length=3, seed=1, cbm=False)
    assert progress_from_json(progress_to_json(fresh), BANK) == fresh
    done = _played(n_answer=10)
    assert progress_from_json(progress_to_json(done), BANK) == done


def test_bytes_input_is_accepted():
    state = _played()
    assert progress_from_json(progress_to_json(state).encode("utf-8"), BANK) == state


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(-(2**40), 2**40),
    cbm=st.booleans(),
    picks=st.lists(st.tuples(st.booleans(), st.integers(1, 3)), min_size=0, max_size=6),
)
def test_round_trip_property(seed, cbm, picks):
    state = new_quiz(BANK, topics=None, length=6, seed=seed, cbm=cbm)
    for q, (right, conf) in zip(state.questions, picks, strict=False):
        answer = correct_answer(q) if right else _first_wrong(q)
        state = submit(state, q.id, answer, confidence=conf if cbm else None)
    assert progress_from_json(progress_to_json(state), BANK) == state


def test_the_file_holds_no_scores():
    doc = _doc(_played())
    text = json.dumps(doc)
    assert "score" not in text and "marks" not in text and "correct" not in text


# ---------------------------------------------------------------- refused files


def _tamper(mutate) -> str:
    doc = _doc(_played())
    mutate(doc)
    return json.dumps(doc)


def _set(path, value):
    def mutate(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


CASES = {
    "not-json": ("{this is not json", "not valid JSON"),
    "json-list": ("[1, 2, 3]", "JSON object"),
    "empty": ("", "The file is empty"),
    "other-format": (_tamper(_set(["format"], "something-else")), "not a Cellular Attention"),
    "future-version": (_tamper(_set(["version"], 99)), "version"),
    "version-as-string": (_tamper(_set(["version"], "1")), "version"),
    "seed-as-string": (_tamper(_set(["seed"], "4")), "seed"),
    "cbm-as-int": (_tamper(_set(["cbm"], 1)), "cbm"),
    "questions-not-list": (_tamper(_set(["questions"], "dot-001")), "questions"),
    "unknown-question": (
        _tamper(lambda d: d["questions"].__setitem__(0, "zzz-999")),
        "not in the quiz bank",
    ),
    "unknown-topic": (_tamper(_set(["topics"], ["no-such-topic"])), "Unknown topic"),
    "duplicate-question": (
        _tamper(lambda d: d["questions"].__setitem__(1, d["questions"][0])),
        "twice",
    ),
    "forged-score": (_tamper(_set(["score"], 999)), "score"),
    "forged-marks-in-response": (_tamper(_set(["responses", 0, "marks"], 3)), "marks"),
    "forged-correct-flag": (_tamper(_set(["responses", 0, "correct"], True)), "correct"),
    "confidence-out-of-range": (_tamper(_set(["responses", 0, "confidence"], 7)), "confidence"),
    "confidence-missing-in-cbm": (_tamper(_set(["responses", 0, "confidence"], None)), "1, 2 or 3"),
    "answer-for-foreign-question": (
        _tamper(_set(["responses", 0, "question"], "dot-001")),
        "not in this quiz",
    ),
    "answered-twice": (
        _tamper(lambda d: d["responses"].append(d["responses"][0])),
        "answered twice",
    ),
    "bad-answer-type": (
        _tamper(_set(["responses", 0, "answer"], {"type": "essay", "text": "x"})),
        "malformed",
    ),
    "answer-as-string": (_tamper(_set(["responses", 0, "answer"], "a")), "malformed"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_tampered_or_broken_files_are_refused(name):
    text, needle = CASES[name]
    with pytest.raises(ProgressError) as err:
        progress_from_json(text, BANK)
    message = str(err.value)
    assert needle in message
    assert "left untouched" in message


def test_answer_that_does_not_fit_its_question_is_refused():
    state = _played()
    doc = _doc(state)
    first = doc["responses"][0]
    q = BANK.question(first["question"])
    bad = {
        "single": {"type": "single", "option": "zz"},
        "multi": {"type": "multi", "options": ["zz"]},
        "matching": {"type": "matching", "matches": {"p1": "p1"}},
        "true_false": {"type": "true_false", "verdict": True, "why": "zz"},
    }[q.type]
    first["answer"] = bad
    with pytest.raises(ProgressError, match="not valid"):
        progress_from_json(json.dumps(doc), BANK)


def test_answer_of_another_type_than_its_question_is_refused():
    state = _played()
    doc = _doc(state)
    first = doc["responses"][0]
    q = BANK.question(first["question"])
    first["answer"] = (
        {"type": "single", "option": "a"}
        if q.type != "single"
        else {"type": "multi", "options": ["a"]}
    )
    with pytest.raises(ProgressError, match="not valid"):
        progress_from_json(json.dumps(doc), BANK)


def test_duplicate_json_keys_are_refused():
    text = progress_to_json(_played())
    forged = text.replace('"cbm": true', '"cbm": true, "cbm": false', 1)
    assert forged != text
    with pytest.raises(ProgressError, match="repeats the key"):
        progress_from_json(forged, BANK)


def test_huge_file_is_refused_before_parsing():
    huge = '{"format": "' + "x" * (MAX_BYTES + 10) + '"}'
    with pytest.raises(ProgressError, match="limit"):
        progress_from_json(huge, BANK)


@pytest.mark.parametrize("cut", [0.5, 0.97], ids=["half", "near-the-end"])
def test_a_cut_off_file_is_explained_in_plain_words_not_parser_text(cut):
    text = progress_to_json(_played())
    with pytest.raises(ProgressError) as err:
        progress_from_json(text[: int(len(text) * cut)], BANK)
    message = str(err.value)
    assert message[0].isupper() and "cut off" in message and "left untouched" in message
    for parser_words in ("char ", "Expecting", "Unterminated", "column"):
        assert parser_words not in message


def test_deeply_nested_json_is_refused():
    with pytest.raises(ProgressError):
        progress_from_json("[" * 100_000 + "]" * 100_000, BANK)


def test_a_changed_answer_rescored_not_trusted():
    # editing an answer in the file changes the answer, and the score is recomputed from it
    state = _played(n_answer=1)  # first question answered wrongly at confidence 1
    doc = _doc(state)
    q = BANK.question(doc["responses"][0]["question"])
    answer = correct_answer(q)
    doc["responses"][0]["answer"] = _answer_to_json(answer)
    doc["responses"][0]["confidence"] = 3
    restored = progress_from_json(json.dumps(doc), BANK)
    assert restored.score == 3 and restored.responses[0].correct


# ---------------------------------------------------------------- CSV


def test_results_csv_has_one_row_per_question_with_recomputed_marks():
    state = _played(cbm=True, n_answer=7)
    rows = list(csv.DictReader(io.StringIO(results_to_csv(state, BANK))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert [r["question_id"] for r in rows] == list(state.question_ids)
    answered = [r for r in rows if r["answered"] == "yes"]
    assert len(answered) == 7
    assert sum(int(r["marks"]) for r in answered) == state.score
    for r in rows:
        q = BANK.question(r["question_id"])
        assert r["topic"] == BANK.topic(q.topic).title
        resp = state.response(q.id)
        if resp is None:
            assert r["your_answer"] == "" and r["marks"] == ""
        else:
            assert r["correct"] == ("yes" if resp.correct else "no")
            assert int(r["confidence"]) == resp.confidence


def test_csv_cells_cannot_start_a_spreadsheet_formula():
    state = _played()
    for row in csv.reader(io.StringIO(results_to_csv(state, BANK))):
        for cell in row:
            assert not cell.startswith(("=", "+", "@")) or cell.lstrip("+-").isdigit()


# ---------------------------------------------------------------- live questions (stored as specs)


def _live_state():
    """A quiz with one live question, built from a spec without a model (a fake generator)."""
    from lib.quiz.live import LiveOption, LiveQuestion, LiveSpec
    from lib.quiz.session import add_live

    spec = LiveSpec("occupancy-top", "Paris is nice", "tiny", 1, "mean", 1.0, 2)

    def rebuild(s):
        return LiveQuestion(
            id=s.question_id, topic="mech-softmax", skill="apply", text=f"Where? ({s.prompt})",
            options=(LiveOption("t1", "Paris", True, "46%"), LiveOption("t2", "is", False, "9%")),
            prompt=s.prompt, model_name=s.model, spec=s,
        )

    state = new_quiz(BANK, topics=["mech-softmax"], length=2, seed=5, cbm=True)
    state = add_live(state, rebuild(spec))
    state = submit(state, spec.question_id, SingleAnswer("t2"), confidence=2)
    return state, spec, rebuild


def test_live_questions_are_saved_as_specs_and_rebuilt_on_load():
    state, spec, rebuild = _live_state()
    doc = _doc(state)
    assert doc["version"] == 3
    assert doc["live"] == [{"question": spec.question_id, "spec": spec.to_dict()}]
    assert "Where?" not in json.dumps(doc) and "t1" not in json.dumps(doc["live"])
    calls = []
    restored = progress_from_json(json.dumps(doc), BANK,
                                  rebuild_live=lambda s: calls.append(s) or rebuild(s))
    assert calls == [spec]
    assert restored == state and restored.score == -2


def test_live_file_without_the_model_is_refused_with_a_clear_message():
    state, _, _ = _live_state()
    with pytest.raises(ProgressError, match="the model is needed to restore them") as err:
        progress_from_json(progress_to_json(state), BANK)
    assert "left untouched" in str(err.value)

    def broken(spec):
        raise OSError("no model here")

    with pytest.raises(ProgressError, match="model is needed.*no model here"):
        progress_from_json(progress_to_json(state), BANK, rebuild_live=broken)
    with pytest.raises(ProgressError, match="could not be recomputed"):
        progress_from_json(progress_to_json(state), BANK, rebuild_live=lambda spec: None)


def _live_tamper(mutate) -> str:
    state, _, _ = _live_state()
    doc = _doc(state)
    mutate(doc)
    return json.dumps(doc)


LIVE_CASES = {
    "edited-prompt": (_live_tamper(_set(["live", 0, "spec", "prompt"], "other")), "does not match"),
    "unknown-generator": (_live_tamper(_set(["live", 0, "spec", "generator"], "x")), "malformed"),
    "hot-temperature": (_live_tamper(_set(["live", 0, "spec", "temperature"], 99.0)), "malformed"),
    "extra-spec-field": (_live_tamper(_set(["live", 0, "spec", "answer"], "t1")), "malformed"),
    "live-not-in-quiz": (_live_tamper(_set(["live", 0, "question"], "live-abc-001")), "not in this"),
    "live-dropped": (_live_tamper(_set(["live"], [])), "not in the quiz bank"),
    "live-in-v1": (_live_tamper(_set(["version"], 1)), "version 1"),
    "live-twice": (_live_tamper(lambda d: d["live"].append(d["live"][0])), "listed twice"),
}


@pytest.mark.parametrize("name", sorted(LIVE_CASES))
def test_tampered_live_sections_are_refused(name):
    text, needle = LIVE_CASES[name]
    _, _, rebuild = _live_state()
    with pytest.raises(ProgressError, match=needle):
        progress_from_json(text, BANK, rebuild_live=rebuild)


def test_version_1_files_without_live_questions_still_load():
    state = _played()
    doc = _doc(state)
    doc["version"] = 1
    del doc["live"], doc["earlier"]  # a version 1 file had neither
    assert progress_from_json(json.dumps(doc), BANK) == state


def test_version_2_files_load_as_a_quiz_of_one_attempt():
    state, _, rebuild = _live_state()
    doc = _doc(state)
    doc["version"] = 2
    del doc["earlier"]  # a version 2 file kept only the latest attempt
    restored = progress_from_json(json.dumps(doc), BANK, rebuild_live=rebuild)
    assert restored == state and restored.earlier == ()


def test_an_older_version_with_earlier_attempts_is_refused():
    doc = _doc(_with_history()[0])
    doc["version"] = 2
    with pytest.raises(ProgressError, match="version 2 file cannot hold earlier attempts"):
        progress_from_json(json.dumps(doc), BANK)


# ---------------------------------------------------------------- the whole history


def _with_history():
    """A quiz of three attempts: 6 questions, a retry of the missed ones, a retry of those."""
    from lib.quiz.session import retry_missed

    first = _played(seed=4, cbm=True, n_answer=6)
    second = retry_missed(first, seed=5)
    q = second.questions[0]
    second = submit(second, q.id, _first_wrong(q), confidence=3)
    for q in second.questions[1:]:
        second = submit(second, q.id, correct_answer(q), confidence=2)
    third = retry_missed(second, seed=6)
    return third, (first, second)


def test_the_whole_history_round_trips():
    from lib.quiz.session import attempts

    state, (first, second) = _with_history()
    doc = _doc(state)
    assert doc["version"] == 3 and len(doc["earlier"]) == 2
    assert [a["seed"] for a in doc["earlier"]] == [4, 5] and doc["seed"] == 6
    restored = progress_from_json(json.dumps(doc), BANK)
    assert restored == state
    assert [a.score for a in attempts(restored)] == [first.score, second.score, 0]
    assert "marks" not in json.dumps(doc) and "correct" not in json.dumps(doc)


def test_live_questions_of_earlier_attempts_are_rebuilt_once_and_kept():
    from lib.quiz.session import attempts, retry_missed

    state, spec, rebuild = _live_state()  # the live question was answered wrong
    retried = retry_missed(state, seed=9)
    assert spec.question_id in retried.question_ids
    doc = _doc(retried)
    assert [entry["question"] for entry in doc["live"]] == [spec.question_id]
    calls = []
    restored = progress_from_json(json.dumps(doc), BANK,
                                  rebuild_live=lambda s: calls.append(s) or rebuild(s))
    assert calls == [spec] and restored == retried
    assert [a.live for a in attempts(restored)] == [a.live for a in attempts(retried)]


HISTORY_CASES = {
    "answer-to-another-attempts-question": (  # asked in the first attempt, not the second
        lambda d: d["earlier"][1]["responses"][0].__setitem__("question", next(
            q for q in d["earlier"][0]["questions"] if q not in d["earlier"][1]["questions"])),
        "not in this quiz",
    ),
    "earlier-unknown-question": (
        lambda d: d["earlier"][1]["questions"].__setitem__(0, "zzz-999"), "not in the quiz bank"
    ),
    "earlier-twice-answered": (
        lambda d: d["earlier"][0]["responses"].append(d["earlier"][0]["responses"][0]),
        "answered twice",
    ),
    "earlier-empty": (lambda d: d["earlier"][0].__setitem__("questions", []), "malformed"),
    "earlier-with-marks": (lambda d: d["earlier"][0].__setitem__("score", 9), "malformed"),
    "too-many-attempts": (lambda d: d.__setitem__("earlier", d["earlier"] * 60), "malformed"),
}


@pytest.mark.parametrize("name", sorted(HISTORY_CASES))
def test_tampered_histories_are_refused(name):
    mutate, needle = HISTORY_CASES[name]
    doc = _doc(_with_history()[0])
    mutate(doc)
    with pytest.raises(ProgressError, match=needle) as err:
        progress_from_json(json.dumps(doc), BANK)
    assert "left untouched" in str(err.value)


def test_results_csv_covers_every_attempt():
    from lib.quiz.session import attempts

    state, _ = _with_history()
    rows = list(csv.DictReader(io.StringIO(results_to_csv(state, BANK))))
    history = attempts(state)
    assert [(r["attempt"], r["question_id"]) for r in rows] == [
        (str(n), q.id) for n, a in enumerate(history, start=1) for q in a.questions
    ]
    answered = [r for r in rows if r["answered"] == "yes"]
    assert sum(int(r["marks"]) for r in answered) == sum(a.score for a in history)
