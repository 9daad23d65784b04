"""Load the quiz bank from ``content/quiz/*.yaml``, one question at a time.

A broken file or a broken question must not take the whole quiz down: each problem is reported
with the file name and the question id (when known), and everything valid still loads. The
schema (``schema.py``) is the single judge of validity; this module only reads files and collects
the verdicts. ``topics.yaml`` holds the topic list, ``ui.yaml`` the Quiz page's text (``ui.py``);
every other ``*.yaml`` holds ``questions:``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from lib.quiz.schema import AnyQuestion, Question, QuizBank, Topic

TOPICS_FILE = "topics.yaml"
UI_FILE = "ui.yaml"  # the Quiz page's instruction text (``ui.py``), not questions
_QUESTION_ADAPTER: TypeAdapter[AnyQuestion] = TypeAdapter(Question)
_FILE_KEYS = {"questions", "theme"}


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong in the content: which file, which question (if known), what to fix."""

    file: str
    question_id: str | None
    message: str

    def __str__(self) -> str:
        where = (
            self.file if self.question_id is None else f"{self.file}, question {self.question_id}"
        )
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class BankLoad:
    """The valid part of the bank plus every problem found while loading it."""

    bank: QuizBank
    problems: tuple[ContentProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def describe_validation_error(err: ValidationError) -> str:
    """Pydantic's errors as one readable line per problem, with the field path."""
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"{loc}: {msg}")
    return "; ".join(lines)


def _read_yaml(path: Path) -> tuple[Any, ContentProblem | None]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, ContentProblem(
            path.name, None, f"cannot read the file ({exc}); check it exists and is UTF-8"
        )
    except yaml.YAMLError as exc:
        detail = str(exc).replace("\n", " ")
        return None, ContentProblem(
            path.name, None, f"is not valid YAML ({detail}); fix the syntax at the line shown"
        )


def _load_topics(folder: Path) -> tuple[list[Topic], list[ContentProblem]]:
    path = folder / TOPICS_FILE
    if not path.exists():
        return [], [
            ContentProblem(
                TOPICS_FILE, None, f"missing from {folder}; every question needs a topic list"
            )
        ]
    data, problem = _read_yaml(path)
    if problem:
        return [], [problem]
    if (
        not isinstance(data, dict)
        or set(data) != {"topics"}
        or not isinstance(data["topics"], list)
    ):
        return [], [
            ContentProblem(
                TOPICS_FILE, None, "must be a mapping with one key, `topics:`, holding a list"
            )
        ]
    topics: list[Topic] = []
    problems: list[ContentProblem] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["topics"]):
        try:
            topic = Topic.model_validate(raw)
        except ValidationError as exc:
            problems.append(
                ContentProblem(
                    TOPICS_FILE, None, f"topic #{i + 1}: {describe_validation_error(exc)}"
                )
            )
            continue
        if topic.id in seen:
            problems.append(
                ContentProblem(TOPICS_FILE, None, f"topic id {topic.id!r} appears twice; keep one")
            )
            continue
        seen.add(topic.id)
        topics.append(topic)
    return topics, problems


def _raw_questions(path: Path) -> tuple[list[Any], list[ContentProblem]]:
    data, problem = _read_yaml(path)
    if problem:
        return [], [problem]
    if (
        not isinstance(data, dict)
        or "questions" not in data
        or not isinstance(data["questions"], list)
    ):
        return [], [ContentProblem(path.name, None, "must be a mapping with a `questions:` list")]
    unknown = set(data) - _FILE_KEYS
    if unknown:
        return [], [
            ContentProblem(
                path.name,
                None,
                f"unknown top-level key(s) {sorted(unknown)}; allowed: {sorted(_FILE_KEYS)}",
            )
        ]
    return data["questions"], []


def _validate_question(
    raw: Any, file: str, topic_ids: set[str]
) -> tuple[AnyQuestion | None, ContentProblem | None]:
    qid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    try:
        question = _QUESTION_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        return None, ContentProblem(file, qid, describe_validation_error(exc))
    if question.topic not in topic_ids:
        msg = (
            f"unknown topic {question.topic!r}; use an id from {TOPICS_FILE} or add the topic there"
        )
        return None, ContentProblem(file, qid, msg)
    return question, None


def load_bank(folder: str | Path) -> BankLoad:
    """Load every valid topic and question under ``folder``; report the rest as problems.

    Files are read in name order, so when two files define the same question id the first one
    wins and the second is reported (naming both files).
    """
    folder = Path(folder)
    if not folder.is_dir():
        problem = ContentProblem(str(folder), None, "quiz folder not found; expected content/quiz/")
        return BankLoad(QuizBank(topics=(), questions=()), (problem,))
    topics, problems = _load_topics(folder)
    topic_ids = {t.id for t in topics}
    questions: list[AnyQuestion] = []
    origin: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in (TOPICS_FILE, UI_FILE):
            continue
        raws, file_problems = _raw_questions(path)
        problems.extend(file_problems)
        for raw in raws:
            question, problem = _validate_question(raw, path.name, topic_ids)
            if problem:
                problems.append(problem)
                continue
            if question.id in origin:
                msg = f"id already used in {origin[question.id]}; this copy was skipped, give it a new id"
                problems.append(ContentProblem(path.name, question.id, msg))
                continue
            origin[question.id] = path.name
            questions.append(question)
    bank = QuizBank(topics=tuple(topics), questions=tuple(questions))
    return BankLoad(bank=bank, problems=tuple(problems))
