"""The shipped question bank is valid and complete; broken content is reported, not fatal."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from essay_check import copied_runs, essay_fingerprints
from pydantic import ValidationError

from lib.content import QUIZ_FOLDER, TOPICS_FILE, QuizBank, Topic, load_content
from lib.content.schema.quiz import SingleQuestion

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
QUIZ_DIR = CONTENT / QUIZ_FOLDER
QUESTION_FILES = sorted(p for p in QUIZ_DIR.glob("*.yaml") if p.name != "topics.yaml")


@pytest.fixture(scope="module")
def loaded():
    return load_content(CONTENT)


@pytest.fixture(scope="module")
def bank(loaded) -> QuizBank:
    return loaded.quiz


def _raw_questions() -> list[dict]:
    out = []
    for path in QUESTION_FILES:
        out.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["questions"])
    return out


def _option_lists(q) -> list:
    if q.type in ("single", "multi"):
        return list(q.options)
    if q.type == "true_false":
        return list(q.why)
    return list(q.pairs)


# ---------------------------------------------------------------- the shipped bank


def test_every_file_validates_without_problems(loaded):
    assert loaded.problems_in("quiz/") == (), "\n".join(map(str, loaded.problems_in("quiz/")))
    assert len(QUESTION_FILES) >= 3


def test_every_raw_question_in_the_files_is_loaded(bank):
    raw = _raw_questions()
    assert len(bank.questions) == len(raw) >= 60


def test_question_ids_are_unique_across_all_files():
    ids = [q["id"] for q in _raw_questions()]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert dupes == []


def test_every_topic_has_at_least_three_questions(bank):
    counts = Counter(q.topic for q in bank.questions)
    thin = {t.id: counts.get(t.id, 0) for t in bank.topics if counts.get(t.id, 0) < 3}
    assert thin == {}


REQUIRED_TOPICS = {
    "input", "decision", "context", "teamwork", "dynamics", "instructions", "why-works",
    "lim-bio-vs-comp", "lim-instruction-sources", "lim-timescale",
    "lim-normalization", "lim-concentration", "lim-chromatin-gating", "lim-cooperativity",
    "lim-nonequilibrium", "lim-stochastic", "lim-memory", "lim-explanation",
    "mech-dot-product", "mech-softmax", "mech-temperature", "mech-masks",
    "mech-multihead", "mech-sink", "mech-rollout",
}  # fmt: skip


def test_all_required_topics_exist(bank):
    assert {t.id for t in bank.topics} >= REQUIRED_TOPICS


def test_all_question_types_are_used_enough(bank):
    counts = Counter(q.type for q in bank.questions)
    assert counts["multi"] >= 5
    assert counts["matching"] >= 4
    assert counts["true_false"] >= 5
    assert counts["single"] >= 1


def test_all_skills_are_used(bank):
    assert {q.skill for q in bank.questions} == {"recall", "understand", "apply"}


def test_every_option_pair_and_verdict_has_feedback(bank):
    for q in bank.questions:
        for item in _option_lists(q):
            assert item.feedback.strip(), f"{q.id}/{item.id} has no feedback"
        if q.type == "true_false":
            assert q.verdict.feedback_true.strip() and q.verdict.feedback_false.strip()


def test_every_question_has_a_correct_answer(bank):
    for q in bank.questions:
        if q.type == "single":
            assert sum(o.correct for o in q.options) == 1, q.id
        elif q.type == "multi":
            assert any(o.correct for o in q.options), q.id
            # a multi question where every option is right teaches nothing about misconceptions
            assert not all(o.correct for o in q.options), q.id
        elif q.type == "true_false":
            assert sum(o.correct for o in q.why) == 1, q.id


def test_every_question_cites_sources_that_resolve(loaded):
    ids = loaded.references.ids
    unresolved = {q.id: set(q.sources) - ids for q in loaded.quiz.questions if set(q.sources) - ids}
    assert loaded.quiz.questions and unresolved == {}


def test_a_question_citing_an_unknown_source_is_reported_by_id(tmp_path):
    _write_bank(tmp_path, {"qs.yaml": {"questions": [_single("cite-001", sources=["nobody_2099"])]}})
    result = load_bank(tmp_path)
    (problem,) = result.problems
    assert (problem.file, problem.item) == ("quiz/qs.yaml", "cite-001")
    assert "nobody_2099" in problem.what


def test_bank_ids_may_not_look_like_questions_computed_from_a_prompt(tmp_path):
    _write_bank(tmp_path, {"qs.yaml": {"questions": [_single("live-abc-001")]}})
    result = load_bank(tmp_path)
    assert result.bank.questions == () and "live-" in result.problems[0].what


def test_lookups(bank):
    q = bank.questions[0]
    assert bank.question(q.id) is q
    assert q in bank.by_topic(q.topic)
    assert all(x.topic == "mech-sink" for x in bank.by_topic("mech-sink"))
    with pytest.raises(KeyError, match="nope-001"):
        bank.question("nope-001")
    with pytest.raises(KeyError, match="no-such-topic"):
        bank.by_topic("no-such-topic")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _all_bank_text(bank: QuizBank) -> list[str]:
    texts = []
    for q in bank.questions:
        texts += [q.text, q.explanation or ""]
        for item in _option_lists(q):
            texts += [
                getattr(item, "text", ""),
                getattr(item, "left", ""),
                getattr(item, "right", ""),
            ]
            texts.append(item.feedback)
    return texts


def test_no_run_of_eight_words_copied_from_the_essay(bank):
    # teach the essay's ideas in our own words (checked against the essay's fingerprints)
    essay = essay_fingerprints()
    copied = [run for text in _all_bank_text(bank) for run in copied_runs(text, essay)]
    assert copied == [], copied


# ---------------------------------------------------------------- broken content


def _option(oid: str, correct: bool, feedback: str = "why") -> dict:
    return {"id": oid, "text": f"option {oid}", "correct": correct, "feedback": feedback}


def _single(qid: str, topic: str = "t1", **over) -> dict:
    q = {
        "id": qid,
        "topic": topic,
        "skill": "recall",
        "type": "single",
        "text": f"question {qid}?",
        "options": [_option("a", True), _option("b", False)],
        "sources": ["vaswani_2017"],
    }
    q.update(over)
    return q


def _write_bank(folder: Path, files: dict[str, object]) -> Path:
    """A content folder with the real teaching files and a made-up quiz bank in quiz/."""
    shutil.copytree(CONTENT, folder, ignore=shutil.ignore_patterns(QUIZ_FOLDER), dirs_exist_ok=True)
    (folder / QUIZ_FOLDER).mkdir(exist_ok=True)
    topics = {"topics": [{"id": "t1", "title": "T one", "description": "first"}]}
    (folder / TOPICS_FILE).write_text(yaml.safe_dump(topics), encoding="utf-8")
    for name, content in files.items():
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        (folder / QUIZ_FOLDER / name).write_text(text, encoding="utf-8")
    return folder


def load_bank(folder: Path) -> SimpleNamespace:
    """The made-up bank and the quiz files' problems (the teaching files' quiz links point at
    topics this bank does not have, so their problems are left out)."""
    result = load_content(folder)
    return SimpleNamespace(bank=result.quiz, problems=result.problems_in("quiz/"))


def test_broken_yaml_file_is_reported_by_name_and_the_rest_loads(tmp_path):
    _write_bank(
        tmp_path,
        {
            "good.yaml": {"questions": [_single("good-001"), _single("good-002")]},
            "broken.yaml": "questions:\n  - id: bad-001\n    text: [unclosed\n",
        },
    )
    result = load_bank(tmp_path)
    assert [q.id for q in result.bank.questions] == ["good-001", "good-002"]
    assert len(result.problems) == 1
    assert result.problems[0].file == "quiz/broken.yaml"
    assert "broken.yaml" in str(result.problems[0]) and "YAML" in str(result.problems[0])
    assert "never closed, starting near line 3" in result.problems[0].what  # plain words, no parser text


def test_file_without_questions_list_is_reported(tmp_path):
    _write_bank(
        tmp_path, {"odd.yaml": {"items": []}, "ok.yaml": {"questions": [_single("ok-001")]}}
    )
    result = load_bank(tmp_path)
    assert [q.id for q in result.bank.questions] == ["ok-001"]
    assert [p.file for p in result.problems] == ["quiz/odd.yaml"]


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        (
            _single("bad-001", options=[_option("a", False), _option("b", False)]),
            "exactly one correct",
        ),
        (
            _single("bad-001", options=[_option("a", True), _option("b", True)]),
            "exactly one correct",
        ),
        (_single("bad-001", difficulty="hard"), "difficulty"),
        (_single("bad-001", options=[_option("a", True), _option("b", False, "   ")]), "feedback"),
        (_single("bad-001", options=[_option("a", True), _option("a", False)]), "twice"),
        (_single("bad-001", topic="no-such-topic"), "unknown topic"),
        (
            _single("bad-001", type="multi", options=[_option(x, False) for x in "abc"]),
            "at least one correct",
        ),
        (
            {
                **_single("bad-001", type="true_false"),
                "options": None,
                "verdict": {"correct": True, "feedback_true": "y", "feedback_false": "n"},
                "why": [_option("a", False), _option("b", False)],
            },
            "options",
        ),
    ],
    ids=[
        "no-correct",
        "two-correct-single",
        "unknown-field",
        "empty-feedback",
        "duplicate-option",
        "unknown-topic",
        "multi-none-correct",
        "tf-stray-field",
    ],
)
def test_broken_question_is_rejected_naming_file_and_id(tmp_path, bad, needle):
    _write_bank(tmp_path, {"qs.yaml": {"questions": [_single("good-001"), bad]}})
    result = load_bank(tmp_path)
    assert [q.id for q in result.bank.questions] == ["good-001"]
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.file, problem.item) == ("quiz/qs.yaml", "bad-001")
    assert "qs.yaml" in str(problem) and "bad-001" in str(problem)
    assert needle in str(problem)


def test_true_false_needs_exactly_one_correct_reason(tmp_path):
    tf = {
        **_single("tf-001", type="true_false"),
        "verdict": {"correct": True, "feedback_true": "y", "feedback_false": "n"},
        "why": [_option("a", False), _option("b", False)],
    }
    del tf["options"]
    _write_bank(tmp_path, {"qs.yaml": {"questions": [tf]}})
    result = load_bank(tmp_path)
    assert result.bank.questions == ()
    assert result.problems[0].item == "tf-001"
    assert "exactly one correct `why`" in result.problems[0].what


def test_matching_rejects_repeated_right_side(tmp_path):
    pair = {"left": "x", "right": "same", "feedback": "f"}
    m = {
        **_single("match-001", type="matching"),
        "pairs": [
            {**pair, "id": "p1"},
            {**pair, "id": "p2", "left": "y"},
            {**pair, "id": "p3", "left": "z"},
        ],
    }
    del m["options"]
    _write_bank(tmp_path, {"qs.yaml": {"questions": [m]}})
    result = load_bank(tmp_path)
    assert result.bank.questions == ()
    assert result.problems[0].item == "match-001"
    assert "right item" in result.problems[0].what


def test_duplicate_id_across_files_keeps_first_and_names_both_files(tmp_path):
    _write_bank(
        tmp_path,
        {
            "a.yaml": {"questions": [_single("dup-001", text="first copy?")]},
            "b.yaml": {"questions": [_single("dup-001", text="second copy?"), _single("b-001")]},
        },
    )
    result = load_bank(tmp_path)
    assert [q.id for q in result.bank.questions] == ["dup-001", "b-001"]
    assert result.bank.question("dup-001").text == "first copy?"
    (problem,) = result.problems
    assert (problem.file, problem.item) == ("quiz/b.yaml", "dup-001")
    assert "quiz/a.yaml" in problem.what


def test_missing_topics_file_is_reported_and_no_question_goes_unchecked(tmp_path):
    _write_bank(tmp_path, {"qs.yaml": {"questions": [_single("q-001")]}})
    (tmp_path / TOPICS_FILE).unlink()
    result = load_bank(tmp_path)
    assert [p.file for p in result.problems] == [TOPICS_FILE]
    assert "does not exist" in result.problems[0].what
    assert result.bank.questions == ()  # its topic cannot be checked, so it is rejected


def test_missing_quiz_folder_is_reported(tmp_path):
    _write_bank(tmp_path, {})
    shutil.rmtree(tmp_path / QUIZ_FOLDER)
    result = load_bank(tmp_path)
    assert result.bank.questions == () and "does not exist" in str(result.problems[0])


def test_schema_rejects_duplicate_ids_and_unknown_topics_directly():
    topic = Topic(id="t1", title="T", description="d")
    q = SingleQuestion.model_validate(_single("dup-001"))
    with pytest.raises(ValidationError, match="dup-001"):
        QuizBank(topics=(topic,), questions=(q, q))
    other = SingleQuestion.model_validate(_single("odd-001", topic="t2"))
    with pytest.raises(ValidationError, match="odd-001"):
        QuizBank(topics=(topic,), questions=(other,))


def test_models_are_frozen():
    q = SingleQuestion.model_validate(_single("q-001"))
    with pytest.raises(ValidationError):
        q.text = "changed"  # type: ignore[misc]
