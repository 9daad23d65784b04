"""What students and teachers read about class results: ``content/classroom.yaml``, validated.

A tiny self-contained loader (pydantic v2 schema, unknown keys rejected), so the file can
join the shared content loaders later without changing its shape. Every message is a
``str.format`` template whose placeholders must be exactly those in ``MESSAGE_SAMPLES``
(checked with ``lib.content.templates.check_template``), starts with a capital letter and ends
with a full stop. Messages are filled in only with our own values (codes, counts, dates,
the fixed ``answer_parts`` phrases), never with an exception's text.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from lib.content.problems import parse_yaml
from lib.content.templates import check_template

TEXT_PATH = Path(__file__).resolve().parents[2] / "content" / "classroom.yaml"

# One sample value per placeholder each message is filled with.
MESSAGE_SAMPLES: dict[str, dict[str, Any]] = {
    "code_format": {"example": "maple-otter-river-47"},
    "class_not_open": {},
    "joined": {"code": "maple-otter-river-47"},
    "sent": {"count": 10},
    "already_sent": {},
    "replay_conflict": {},
    "nothing_to_send": {},
    "too_many_answers": {"count": 500, "limit": 200},
    "unreadable_answer": {"position": 3, "part": "its topic"},
    "repeated_question": {"position": 4},
    "unreadable_submission": {},
    "rate_limited": {"seconds": 6},
    "store_unavailable": {},
    "class_created": {"code": "maple-otter-river-47", "date": "28 December 2026"},
    "lifetime_invalid": {"max_days": 365},
    "teacher_refused": {},
    "class_open_until": {"date": "28 December 2026"},
    "class_closed_on": {"date": "28 December 2026"},
    "no_results_yet": {},
    # the app's pages (ui/classroom.py)
    "send_intro": {},
    "sent_here": {"code": "maple-otter-river-47"},
    "pending_waiting": {"code": "maple-otter-river-47"},
    "key_once": {},
    "students_link": {},
    "report_intro": {},
    "store_misconfigured": {},
}


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerParts(_Frozen):
    """How ``unreadable_answer`` names the part of an answer that could not be read."""

    question_id: str
    topic: str
    chosen: str
    certainty: str
    correct: str


class ClassroomText(_Frozen):
    messages: dict[str, str]
    answer_parts: AnswerParts

    @field_validator("messages")
    @classmethod
    def _known_messages(cls, messages: dict[str, str]) -> dict[str, str]:
        missing = sorted(set(MESSAGE_SAMPLES) - set(messages))
        unknown = sorted(set(messages) - set(MESSAGE_SAMPLES))
        if missing or unknown:
            raise ValueError(
                f"messages: missing {missing}, unknown {unknown}; the keys must be exactly "
                "those in MESSAGE_SAMPLES (lib/classroom/text.py)"
            )
        for name, template in messages.items():
            check_template(name, template, MESSAGE_SAMPLES[name])
            _check_sentence(name, template)
        return messages

    @model_validator(mode="after")
    def _parts_are_phrases(self) -> ClassroomText:
        for name, phrase in self.answer_parts.model_dump().items():
            if not phrase or phrase != phrase.strip() or phrase[0].isupper():
                raise ValueError(
                    f"answer_parts.{name}: write a lower-case phrase with no outer spaces "
                    "(it is used inside a sentence)"
                )
        return self

    def message(self, name: str, **values: Any) -> str:
        """The message ``name`` filled in with ``values`` (exactly its placeholders)."""
        return self.messages[name].format(**values)


def _check_sentence(name: str, template: str) -> None:
    text = template.strip()
    if text != template or not text[:1].isupper() or not text.endswith("."):
        raise ValueError(
            f"{name}: start with a capital letter, end with a full stop, no outer spaces"
        )


def load_text(path: Path = TEXT_PATH) -> ClassroomText:
    """Parse and validate the file; raises ValueError (file, problem, fix) if it is broken."""
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
        return ClassroomText.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ValueError(f"{path.name} could not be loaded: {exc}. Fix the file and reload.") from exc


@lru_cache(maxsize=1)
def classroom_text() -> ClassroomText:
    """The app's messages, loaded once per process."""
    return load_text()
