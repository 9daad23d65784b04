"""Save and restore quiz progress as JSON, and export results as CSV.

A progress file comes back from the student's disk, so it is untrusted input: it is size-limited,
parsed strictly (exact types, no unknown keys, no duplicate keys), checked against the current
bank, and then *replayed* through ``session.submit``. Scores are never read from the file; they
are recomputed from the answers, so editing a file can change answers but never forge marks.

Questions computed from the student's prompt (``live.py``) are stored as their *spec* (generator,
prompt, model, settings), never with options or an answer key. Loading calls ``rebuild_live(spec)``
to recompute each one from the real model; the spec's hash must match the stored question id.

A file holds the whole history of a quiz: the current attempt at the top level (seed,
questions, responses) and, from version 3, the attempts before it under ``earlier`` (each
with its own seed, questions and responses), oldest first. The ``live`` section lists the spec
of every live question of any attempt. Version 1 (before live questions) and version 2
(before retries kept their history) files still load, as a quiz of one attempt.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lib.content.problems import describe_validation_error
from lib.content.schema.learn import References
from lib.content.schema.quiz import QuizBank
from lib.quiz.grading import (
    Answer,
    MatchingAnswer,
    MultiAnswer,
    QuizError,
    SingleAnswer,
    TrueFalseAnswer,
    describe_answer,
    describe_correct,
)
from lib.quiz.live import GENERATORS, LiveQuestion, LiveSpec, is_live
from lib.quiz.session import QuizState, add_live, attempts, submit

FORMAT = "cellular-attention-quiz-progress"
VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
MAX_PROMPT_CHARS = 20_000
NEEDS_MODEL = "this file has questions computed from a prompt; the model is needed to restore them"
RebuildLive = Callable[[LiveSpec], LiveQuestion | None]
MAX_BYTES = 1_000_000
MAX_QUESTIONS = 1000  # over every attempt of the quiz
MAX_ATTEMPTS = 100
_UNTOUCHED = "Your current progress was left untouched."


class ProgressError(ValueError):
    """A progress file could not be loaded; the message says what is wrong."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


Id = Annotated[str, Field(min_length=1, max_length=80)]


class _SingleJ(_Strict):
    type: Literal["single"]
    option: Id


class _MultiJ(_Strict):
    type: Literal["multi"]
    options: list[Id] = Field(max_length=20)


class _MatchingJ(_Strict):
    type: Literal["matching"]
    matches: dict[Id, Id] = Field(max_length=20)


class _TrueFalseJ(_Strict):
    type: Literal["true_false"]
    verdict: bool
    why: Id


class _ResponseJ(_Strict):
    question: Id
    answer: Annotated[_SingleJ | _MultiJ | _MatchingJ | _TrueFalseJ, Field(discriminator="type")]
    confidence: Literal[1, 2, 3] | None


class _SpecJ(_Strict):
    generator: Literal[GENERATORS]  # type: ignore[valid-type]
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)
    model: str = Field(min_length=1, max_length=300)
    layer: int = Field(ge=0, le=1000)
    head: Annotated[int, Field(ge=0, le=10_000)] | Literal["mean", "rollout"]
    temperature: float = Field(ge=0.05, le=20.0)
    query: Annotated[int, Field(ge=0, le=1_000_000)] | None


class _LiveJ(_Strict):
    question: Id
    spec: _SpecJ


Seed = Annotated[int, Field(ge=-(2**63), lt=2**63)]


class _AttemptJ(_Strict):
    seed: Seed
    questions: list[Id] = Field(min_length=1, max_length=MAX_QUESTIONS)
    responses: list[_ResponseJ] = Field(max_length=MAX_QUESTIONS)


class _ProgressJ(_Strict):
    format: Literal["cellular-attention-quiz-progress"]
    version: int
    seed: Seed
    cbm: bool
    topics: list[Id] = Field(max_length=200)
    questions: list[Id] = Field(min_length=1, max_length=MAX_QUESTIONS)
    responses: list[_ResponseJ] = Field(max_length=MAX_QUESTIONS)
    live: list[_LiveJ] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    earlier: list[_AttemptJ] = Field(default_factory=list, max_length=MAX_ATTEMPTS - 1)

    @property
    def attempts(self) -> list[_AttemptJ]:
        """Every attempt, oldest first, the current one (the top level) last."""
        current = _AttemptJ(seed=self.seed, questions=self.questions, responses=self.responses)
        return [*self.earlier, current]


def _answer_to_json(answer: Answer) -> dict[str, Any]:
    if isinstance(answer, SingleAnswer):
        return {"type": "single", "option": answer.option}
    if isinstance(answer, MultiAnswer):
        return {"type": "multi", "options": sorted(answer.options)}
    if isinstance(answer, MatchingAnswer):
        return {"type": "matching", "matches": answer.as_dict()}
    return {"type": "true_false", "verdict": answer.verdict, "why": answer.why}


def _answer_from_json(raw: _SingleJ | _MultiJ | _MatchingJ | _TrueFalseJ) -> Answer:
    if isinstance(raw, _SingleJ):
        return SingleAnswer(raw.option)
    if isinstance(raw, _MultiJ):
        if len(set(raw.options)) != len(raw.options):
            raise ProgressError(
                f"A multi answer lists an option twice ({raw.options}). {_UNTOUCHED}"
            )
        return MultiAnswer(frozenset(raw.options))
    if isinstance(raw, _MatchingJ):
        return MatchingAnswer(tuple(raw.matches.items()))
    return TrueFalseAnswer(raw.verdict, raw.why)


def _attempt_to_json(attempt: QuizState) -> dict[str, Any]:
    return {
        "seed": attempt.seed,
        "questions": list(attempt.question_ids),
        "responses": [
            {
                "question": r.question_id,
                "answer": _answer_to_json(r.answer),
                "confidence": r.confidence,
            }
            for r in attempt.responses
        ],
    }


def progress_to_json(state: QuizState) -> str:
    """The quiz as JSON: marking mode, topics, each attempt's seed, question ids in order and
    raw answers, and the spec (never the answer key) of each question computed from the
    student's prompt."""
    history = attempts(state)
    unsaveable = [
        q.id for a in history for q in a.questions if is_live(q) and a.live_spec(q.id) is None
    ]
    if unsaveable:
        raise ProgressError(
            f"Questions {unsaveable} were computed from your prompt without a spec, so they "
            "cannot be saved; add live questions with session.add_live"
        )
    live = dict(pair for a in history for pair in a.live)  # one entry per question, in order
    doc = {
        "format": FORMAT,
        "version": VERSION,
        **_attempt_to_json(history[-1]),
        "cbm": state.cbm,
        "topics": list(state.topics),
        "live": [{"question": qid, "spec": spec.to_dict()} for qid, spec in live.items()],
        "earlier": [_attempt_to_json(a) for a in history[:-1]],
    }
    return json.dumps(doc, indent=1, ensure_ascii=False)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ProgressError(f"The file repeats the key(s) {dupes}. {_UNTOUCHED}")
    return dict(pairs)


# What the JSON parser's own words mean for a file the student saved and uploads again.
_JSON_MEANINGS: tuple[tuple[str, str], ...] = (
    ("Unterminated string", "a piece of text in quotes never ends, so the file looks cut off"),
    ("Extra data", "there is more text after the end of the saved data"),
    ("Invalid control character", "it contains a character a saved file never has"),
    ("Invalid \\escape", "it contains a backslash a saved file never has"),
)


def _unreadable(exc: Exception) -> str:
    """A plain sentence for a file the JSON parser rejected; never the parser's own text."""
    choose = "Choose the .json file this app saved, unchanged."
    if isinstance(exc, UnicodeDecodeError):
        return f"The file is not text, so it is not a saved progress file. {choose}"
    if isinstance(exc, RecursionError):
        return f"The file is nested far too deeply to be a progress file. {choose}"
    if not isinstance(exc, json.JSONDecodeError):
        return f"The file is not valid JSON. {choose}"
    if not exc.doc.strip():
        return f"The file is empty. {choose}"
    if exc.pos >= len(exc.doc.rstrip()):
        return f"The file is not valid JSON: it ends too early, so it looks cut off. {choose}"
    meaning = next((m for words, m in _JSON_MEANINGS if exc.msg.startswith(words)), None)
    meaning = meaning or "it was edited or damaged there"
    return f"The file is not valid JSON near line {exc.lineno}: {meaning}. {choose}"


def _parse(text: str | bytes) -> _ProgressJ:
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_BYTES:
        raise ProgressError(
            f"The file is {size:,} bytes, more than the {MAX_BYTES:,}-byte limit for a progress "
            f"file; choose the file this app saved. {_UNTOUCHED}"
        )
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, ProgressError):
            raise
        raise ProgressError(f"{_unreadable(exc)} {_UNTOUCHED}") from None
    if not isinstance(data, dict):
        raise ProgressError(
            f"The file must hold a JSON object, not {type(data).__name__}. {_UNTOUCHED}"
        )
    if data.get("format") != FORMAT:
        raise ProgressError(f"This is not a Cellular Attention quiz progress file. {_UNTOUCHED}")
    version = data.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise ProgressError(
            f"Unsupported progress file version {version!r}; this app reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}. {_UNTOUCHED}"
        )
    if version == 1 and "live" in data:
        raise ProgressError(f"A version 1 file cannot hold a `live` section. {_UNTOUCHED}")
    if version < 3 and "earlier" in data:
        raise ProgressError(
            f"A version {version} file cannot hold earlier attempts. {_UNTOUCHED}"
        )
    try:
        return _ProgressJ.model_validate(data)
    except ValidationError as exc:
        raise ProgressError(
            f"The file is malformed: {describe_validation_error(exc)}. {_UNTOUCHED}"
        ) from None


def _spec(raw: _SpecJ) -> LiveSpec:
    return LiveSpec(
        generator=raw.generator,
        prompt=raw.prompt,
        model=raw.model,
        layer=raw.layer,
        head=raw.head,
        temperature=float(raw.temperature),
        query=raw.query,
    )


def _rebuild(entry: _LiveJ, rebuild_live: RebuildLive | None) -> LiveQuestion:
    spec = _spec(entry.spec)
    if spec.question_id != entry.question:
        raise ProgressError(
            f"The live question {entry.question!r} does not match its saved spec (the file was "
            f"edited). {_UNTOUCHED}"
        )
    if rebuild_live is None:
        raise ProgressError(f"{NEEDS_MODEL}. {_UNTOUCHED}")
    try:
        live = rebuild_live(spec)
    except Exception as exc:  # any failure of the model or the generator: refuse the file
        raise ProgressError(f"{NEEDS_MODEL} ({exc}). {_UNTOUCHED}") from None
    if live is None or live.id != entry.question or live.spec != spec:
        raise ProgressError(
            f"{NEEDS_MODEL}, and the question {entry.question!r} could not be recomputed from "
            f"the current model. {_UNTOUCHED}"
        )
    return live


def _check_ids(doc: _ProgressJ, bank: QuizBank) -> None:
    """Refuse unknown topics and questions, live entries outside the quiz, and repeats."""
    unknown_topics = [t for t in doc.topics if not bank.has_topic(t)]
    if unknown_topics:
        raise ProgressError(f"Unknown topic id(s) {unknown_topics}. {_UNTOUCHED}")
    if sum(len(a.questions) for a in doc.attempts) > MAX_QUESTIONS:
        raise ProgressError(
            f"The file asks more than {MAX_QUESTIONS} questions over its attempts, more than "
            f"this app ever saves. {_UNTOUCHED}"
        )
    live_ids = [entry.question for entry in doc.live]
    if len(set(live_ids)) != len(live_ids):
        raise ProgressError(f"A live question is listed twice. {_UNTOUCHED}")
    asked = {q for a in doc.attempts for q in a.questions}
    stray = [q for q in live_ids if q not in asked]
    if stray:
        raise ProgressError(f"Live question(s) {stray[:10]} are not in this quiz. {_UNTOUCHED}")
    missing = [q for q in asked if not bank.has_question(q) and q not in live_ids]
    if missing:
        raise ProgressError(
            f"Question id(s) {sorted(missing)[:10]} are not in the quiz bank (it may have "
            f"changed since you saved). {_UNTOUCHED}"
        )
    if any(len(set(a.questions)) != len(a.questions) for a in doc.attempts):
        raise ProgressError(f"A question id is listed twice. {_UNTOUCHED}")


def _replay(
    attempt: _AttemptJ, doc: _ProgressJ, bank: QuizBank, rebuilt: dict[str, LiveQuestion]
) -> QuizState:
    """One attempt rebuilt from its ids, its answers graded again by ``session.submit``."""
    state = QuizState(seed=attempt.seed, cbm=doc.cbm, topics=tuple(doc.topics), questions=())
    for qid in attempt.questions:
        if qid in rebuilt:
            state = add_live(state, rebuilt[qid])
        else:
            state = replace(state, questions=(*state.questions, bank.question(qid)))
    for r in attempt.responses:
        if r.question not in attempt.questions:
            raise ProgressError(
                f"An answer refers to {r.question!r}, which is not in this quiz. {_UNTOUCHED}"
            )
        if state.is_answered(r.question):
            raise ProgressError(f"Question {r.question!r} is answered twice. {_UNTOUCHED}")
        try:
            state = submit(state, r.question, _answer_from_json(r.answer), confidence=r.confidence)
        except QuizError as exc:
            raise ProgressError(f"The saved answer is not valid: {exc}. {_UNTOUCHED}") from None
    return state


def progress_from_json(
    text: str | bytes, bank: QuizBank, *, rebuild_live: RebuildLive | None = None
) -> QuizState:
    """Rebuild a QuizState, with every attempt of its history, from ``progress_to_json``
    output, validating everything.

    Raises ProgressError (never anything else) for a file that is too big, not JSON, of the
    wrong shape, refers to questions or options the bank does not have, or answers a question
    twice in one attempt. Marks are recomputed by replaying the answers. Live questions are
    recomputed with ``rebuild_live(spec)``; without it (or if it fails) the file is refused.
    """
    doc = _parse(text)
    _check_ids(doc, bank)
    rebuilt = {entry.question: _rebuild(entry, rebuild_live) for entry in doc.live}
    *earlier, current = [_replay(a, doc, bank, rebuilt) for a in doc.attempts]
    return replace(current, earlier=tuple(earlier))


def _cell(value: Any) -> Any:
    # spreadsheet apps execute cells starting with = + - @; prefix text so it stays text
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


CSV_COLUMNS = (
    "position",
    "question_id",
    "topic_id",
    "topic",
    "skill",
    "type",
    "question",
    "answered",
    "your_answer",
    "correct_answer",
    "correct",
    "confidence",
    "marks",
    "sources",
    "attempt",  # last, so readers of the one-attempt files find every other column in place
)


def results_to_csv(
    state: QuizState, bank: QuizBank, *, references: References | None = None
) -> str:
    """One row per question asked, attempt by attempt in quiz order, for the student to keep.

    ``references`` turns each question's source ids into short citations ("Chen et al.
    2014"); without it the ids themselves are written.
    """
    cite = references.short if references is not None else str
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, attempt in enumerate(attempts(state), start=1):
        for i, q in enumerate(attempt.questions, start=1):
            r = attempt.response(q.id)
            title = bank.topic(q.topic).title if bank.has_topic(q.topic) else q.topic
            row = [
                i,
                q.id,
                q.topic,
                title,
                q.skill,
                q.type,
                q.text,
                "yes" if r else "no",
                describe_answer(q, r.answer) if r else "",
                describe_correct(q),
                ("yes" if r.correct else "no") if r else "",
                r.confidence if r and r.confidence is not None else "",
                r.marks if r else "",
                "; ".join(cite(ref_id) for ref_id in q.sources),
                number,
            ]
            writer.writerow([_cell(v) for v in row])
    return buf.getvalue()
