"""Load every content file once, validate it and check the references between files.

``load_content(folder)`` is the app's one way in. It never raises: a broken file becomes a
:class:`~lib.content.problems.ContentProblem` and every other file still loads, so one bad
edit cannot blank the app. A broken quiz question drops only that question.

Files (relative to ``folder``, normally ``content/``):

- ``analogy.yaml``, ``limitations.yaml``, ``glossary.yaml``, ``references.yaml``,
  ``explore.yaml``: the Learn and Explore text (lib/content/schema/learn.py);
- ``ui.yaml``: every page's short messages (lib/content/schema/ui.py);
- ``teachers.yaml``: the teacher guide, lesson plan and worksheet (lib/content/schema/teachers.py);
- ``quiz/topics.yaml``: the quiz topics, the one list of topic ids;
- ``quiz/*.yaml`` (any other name): quiz questions (lib/content/schema/quiz.py).

Cross-file checks: every ``quiz_topic`` names a topic of quiz/topics.yaml, and every
``sources`` id names an entry of references.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from lib.content.problems import (
    ContentError,
    ContentProblem,
    describe_validation_error,
    read_yaml,
)
from lib.content.schema.learn import Analogy, ExploreText, Glossary, Limitations, References
from lib.content.schema.quiz import AnyQuestion, Question, QuizBank, Topic
from lib.content.schema.teachers import TeacherGuide
from lib.content.schema.ui import UiText

ANALOGY_FILE = "analogy.yaml"
LIMITATIONS_FILE = "limitations.yaml"
GLOSSARY_FILE = "glossary.yaml"
REFERENCES_FILE = "references.yaml"
EXPLORE_FILE = "explore.yaml"
UI_FILE = "ui.yaml"
TEACHERS_FILE = "teachers.yaml"
QUIZ_FOLDER = "quiz"
TOPICS_FILE = f"{QUIZ_FOLDER}/topics.yaml"
_QUESTION_FILE_KEYS = {"questions", "theme"}
LIVE_PREFIX = "live-"  # ids of questions computed from a prompt (lib/quiz/live.py)
_QUESTION = TypeAdapter(Question)

_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class Content:
    """Everything ``load_content`` could read. A None field means that file failed and a
    problem says why; ``quiz`` always holds the valid part of the bank (maybe empty)."""

    analogy: Analogy | None
    limitations: Limitations | None
    glossary: Glossary | None
    references: References | None
    explore: ExploreText | None
    ui: UiText | None
    quiz: QuizBank
    problems: tuple[ContentProblem, ...]
    teachers: TeacherGuide | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def problems_in(self, *files: str) -> tuple[ContentProblem, ...]:
        """The problems of the named files; a name ending in "/" matches a whole folder."""

        def named(file: str) -> bool:
            return any(file == f or (f.endswith("/") and file.startswith(f)) for f in files)

        return tuple(p for p in self.problems if named(p.file))


def load_file(path: str | Path, model: type[_M], *, name: str | None = None) -> _M:
    """One content file validated by ``model``; raises ContentError (file, fault, fix)."""
    path = Path(path)
    name = name or path.name
    data = read_yaml(path, name)
    if not isinstance(data, dict):
        raise ContentError(
            name,
            f"The top level is {type(data).__name__}, not a mapping of keys.",
            f"Start the file with the keys of {model.__name__}: {list(model.model_fields)}.",
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ContentError(
            name,
            f"It does not match the {model.__name__} schema: {describe_validation_error(exc)}.",
            "Edit the fields named above; the allowed fields are in lib/content/schema/.",
        ) from exc


# ---------------------------------------------------------------------------------------
# The quiz bank: topics first, then each question on its own
# ---------------------------------------------------------------------------------------


def _load_topics(folder: Path) -> tuple[list[Topic], list[ContentProblem]]:
    data = read_yaml(folder / TOPICS_FILE, TOPICS_FILE)
    if (
        not isinstance(data, dict)
        or set(data) != {"topics"}
        or not isinstance(data["topics"], list)
    ):
        raise ContentError(
            TOPICS_FILE,
            "The file is not a mapping with one key, `topics:`, holding a list.",
            "Restore the `topics:` list, one entry per topic with an id, title and description.",
        )
    topics: list[Topic] = []
    problems: list[ContentProblem] = []
    for number, raw in enumerate(data["topics"], start=1):
        try:
            topic = Topic.model_validate(raw)
        except ValidationError as exc:
            problems.append(
                ContentProblem(
                    TOPICS_FILE,
                    f"Topic number {number} is invalid: {describe_validation_error(exc)}.",
                    "Give every topic an id, a title and a description.",
                )
            )
            continue
        if topic.id in {t.id for t in topics}:
            problems.append(
                ContentProblem(
                    TOPICS_FILE, f"The topic id {topic.id!r} appears twice.", "Keep one of them."
                )
            )
            continue
        topics.append(topic)
    if not topics:
        raise ContentError(
            TOPICS_FILE, "The file lists no valid topic.", "Restore the `topics:` list."
        )
    return topics, problems


def _raw_questions(path: Path, name: str) -> list[Any]:
    data = read_yaml(path, name)
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise ContentError(
            name,
            "The file is not a mapping with a `questions:` list.",
            "Start the file with `questions:` followed by the questions as a list.",
        )
    unknown = sorted(set(data) - _QUESTION_FILE_KEYS)
    if unknown:
        raise ContentError(
            name,
            f"It has unknown top-level key(s) {unknown}.",
            f"Use only {sorted(_QUESTION_FILE_KEYS)} at the top level.",
        )
    return data["questions"]


def _question(raw: Any, name: str, topic_ids: set[str]) -> AnyQuestion:
    qid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    try:
        question = _QUESTION.validate_python(raw)
    except ValidationError as exc:
        raise _ItemProblem(
            ContentProblem(
                name,
                f"The question is invalid: {describe_validation_error(exc)}.",
                "Correct the fields named above; this question was skipped meanwhile.",
                qid,
            )
        ) from exc
    if question.id.startswith(LIVE_PREFIX):
        raise _ItemProblem(
            ContentProblem(
                name,
                f"The id starts with {LIVE_PREFIX!r}, which marks questions computed from a prompt.",
                "Give this question an id with another prefix.",
                qid,
            )
        )
    if question.topic not in topic_ids:
        raise _ItemProblem(
            ContentProblem(
                name,
                f"The question names the unknown topic {question.topic!r}.",
                f"Use a topic id from {TOPICS_FILE} or add the topic there.",
                qid,
            )
        )
    return question


class _ItemProblem(Exception):
    def __init__(self, problem: ContentProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _unknown_sources(question: AnyQuestion, name: str, ref_ids: frozenset[str]):
    unknown = sorted(set(question.sources) - ref_ids)
    if not unknown:
        return None
    return ContentProblem(
        name,
        f"The question cites source id(s) {unknown} that are not in {REFERENCES_FILE}.",
        f"Add those references to {REFERENCES_FILE} or correct the ids.",
        question.id,
    )


def _load_quiz(
    folder: Path, ref_ids: frozenset[str] | None
) -> tuple[QuizBank, list[ContentProblem]]:
    """Every valid topic and question; files in name order, so of two questions with one id
    the first wins and the second is reported naming both files. A question citing an unknown
    source is kept and reported (``ref_ids`` None: references unavailable, not checked)."""
    quiz = folder / QUIZ_FOLDER
    try:
        topics, problems = _load_topics(folder)
    except ContentError as exc:
        what = f"{exc.what} The quiz and the pages' quiz links could not be checked."
        return QuizBank(topics=(), questions=()), [ContentProblem(exc.file, what, exc.fix)]
    topic_ids = {t.id for t in topics}
    questions: list[AnyQuestion] = []
    origin: dict[str, str] = {}
    for path in sorted(quiz.glob("*.yaml")):
        name = f"{QUIZ_FOLDER}/{path.name}"
        if name == TOPICS_FILE:
            continue
        try:
            raws = _raw_questions(path, name)
        except ContentError as exc:
            problems.append(exc.problem())
            continue
        for raw in raws:
            try:
                question = _question(raw, name, topic_ids)
            except _ItemProblem as exc:
                problems.append(exc.problem)
                continue
            if question.id in origin:
                problems.append(
                    ContentProblem(
                        name,
                        f"The id is already used in {origin[question.id]}; this copy was skipped.",
                        "Give this question a new id.",
                        question.id,
                    )
                )
                continue
            origin[question.id] = name
            questions.append(question)
            unknown = ref_ids is not None and _unknown_sources(question, name, ref_ids)
            if unknown:
                problems.append(unknown)
    return QuizBank(topics=tuple(topics), questions=tuple(questions)), problems


# ---------------------------------------------------------------------------------------
# Cross-file checks
# ---------------------------------------------------------------------------------------


def cited_ids(model: BaseModel) -> Iterator[str]:
    """Every id in a ``sources`` field anywhere inside a loaded content model."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name == "sources":
            yield from value
        elif isinstance(value, BaseModel):
            yield from cited_ids(value)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, BaseModel):
                    yield from cited_ids(item)


def _source_problems(
    files: dict[str, BaseModel | None], references: References | None
) -> list[ContentProblem]:
    loaded = {file: model for file, model in files.items() if model is not None}
    if references is None:
        if not loaded:
            return []
        return [
            ContentProblem(
                REFERENCES_FILE,
                "The references are unavailable, so the sources the other files cite were not "
                "checked.",
                f"Fix {REFERENCES_FILE} first; its own problem is listed above.",
            )
        ]
    problems = []
    for file, model in loaded.items():
        if isinstance(model, QuizBank):
            continue  # checked question by question while loading, to name each one
        unknown = sorted(set(cited_ids(model)) - references.ids)
        if unknown:
            problems.append(
                ContentProblem(
                    file,
                    f"It cites source id(s) {unknown} that are not in {REFERENCES_FILE}.",
                    f"Add those references to {REFERENCES_FILE} or correct the ids.",
                )
            )
    return problems


def _topic_problems(
    analogy: Analogy | None, limitations: Limitations | None, quiz: QuizBank
) -> list[ContentProblem]:
    if not quiz.topics:  # the topics file failed; its problem already says so
        return []
    known = {t.id for t in quiz.topics}
    used = {
        ANALOGY_FILE: {s.quiz_topic for s in analogy.sections} if analogy else set(),
        LIMITATIONS_FILE: {x.quiz_topic for x in limitations.limitations} if limitations else set(),
    }
    problems = []
    for file, topics in used.items():
        unknown = sorted(topics - known)
        if unknown:
            problems.append(
                ContentProblem(
                    file,
                    f"It names quiz_topic(s) {unknown} that are not topic ids in {TOPICS_FILE}.",
                    f"Use one of the ids in {TOPICS_FILE}, e.g. {sorted(known)[:3]}.",
                )
            )
    return problems


# ---------------------------------------------------------------------------------------
# The one entry point
# ---------------------------------------------------------------------------------------


def load_content(folder: str | Path) -> Content:
    """Load and check every content file in ``folder``; never raises, reports problems."""
    folder = Path(folder)
    problems: list[ContentProblem] = []

    def attempt(file: str, model: type[_M]) -> _M | None:
        try:
            return load_file(folder / file, model, name=file)
        except ContentError as exc:
            problems.append(exc.problem())
        except Exception as exc:  # noqa: BLE001 - the app must still start; report instead
            problems.append(
                ContentProblem(
                    file,
                    f"It failed to load because of an unexpected {type(exc).__name__}.",
                    "Report this as a bug, with the file attached.",
                )
            )
        return None

    analogy = attempt(ANALOGY_FILE, Analogy)
    limitations = attempt(LIMITATIONS_FILE, Limitations)
    glossary = attempt(GLOSSARY_FILE, Glossary)
    references = attempt(REFERENCES_FILE, References)
    explore = attempt(EXPLORE_FILE, ExploreText)
    ui = attempt(UI_FILE, UiText)
    teachers = attempt(TEACHERS_FILE, TeacherGuide)
    quiz, quiz_problems = _load_quiz(folder, references.ids if references else None)
    problems.extend(quiz_problems)
    citing = {
        ANALOGY_FILE: analogy,
        LIMITATIONS_FILE: limitations,
        GLOSSARY_FILE: glossary,
        TEACHERS_FILE: teachers,
        f"{QUIZ_FOLDER}/": quiz if quiz.questions else None,
    }
    problems.extend(_source_problems(citing, references))
    problems.extend(_topic_problems(analogy, limitations, quiz))
    return Content(
        analogy=analogy,
        limitations=limitations,
        glossary=glossary,
        references=references,
        explore=explore,
        ui=ui,
        quiz=quiz,
        problems=tuple(problems),
        teachers=teachers,
    )
