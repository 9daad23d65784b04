"""The Quiz page's instruction text (``content/quiz/ui.yaml``), validated like all content.

Prose lives in content, not in the page (CONTRIBUTING). The marking text must describe the
Gardner-Medwin scheme that ``grading.py`` applies (+1/+2/+3 right, 0/-2/-6 wrong; Gardner-Medwin &
Gahan 2003), and a test checks the two agree.

Messages the page fills in with numbers are templates ("Question {number} of {total}");
``TEMPLATE_SAMPLES`` names the placeholders the page passes to each, and a template that
uses any other set fails validation, so a typo in the file is a loading problem, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lib.quiz.bank import UI_FILE, ContentProblem, describe_validation_error
from lib.quiz.schema import Text
from lib.text_templates import check_template

# The templated fields, each with one sample value per placeholder the page passes.
TEMPLATE_SAMPLES: dict[str, dict[str, Any]] = {
    "progress": {"number": 1, "total": 10, "answered": 0},
    "unknown_topic": {"topic": "no-such-topic"},
    "feedback_right": {"marks": "+2 marks"},
    "feedback_wrong": {"marks": "-6 marks"},
    "marks_one": {"marks": 1},
    "marks_many": {"marks": -6},
    "belongs_with": {"expected": "a TF species"},
}


class QuizUiText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    intro: Text
    start_hint: Text
    length_help: Text
    seed_help: Text
    cbm_help: Text
    confidence_question: Text
    confidence_labels: tuple[Text, Text, Text] = Field(description="for certainty 1, 2 and 3")
    live_help: Text
    live_unavailable: Text
    live_none: Text
    live_note: Text
    incomplete_answer: Text
    locked_note: Text
    results_intro: Text
    no_mistakes: Text
    save_help: Text
    resume_success: Text
    multi_hint: Text
    progress: Text
    unknown_topic: Text
    feedback_right: Text
    feedback_wrong: Text
    marks_one: Text
    marks_many: Text
    belongs_with: Text

    @model_validator(mode="after")
    def _templates_use_the_pages_placeholders(self) -> QuizUiText:
        for name, samples in TEMPLATE_SAMPLES.items():
            check_template(name, getattr(self, name), samples)
        return self

    def format(self, name: str, **values: Any) -> str:
        """The templated field ``name`` filled in with ``values``."""
        return getattr(self, name).format(**values)


@dataclass(frozen=True)
class UiLoad:
    text: QuizUiText | None
    problem: ContentProblem | None


def load_ui_text(folder: str | Path) -> UiLoad:
    """The page text, or None with a problem that names the file and what to fix."""
    path = Path(folder) / UI_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return UiLoad(None, ContentProblem(UI_FILE, None, f"cannot be read ({exc})"))
    except yaml.YAMLError as exc:
        detail = str(exc).replace("\n", " ")
        return UiLoad(None, ContentProblem(UI_FILE, None, f"is not valid YAML ({detail})"))
    try:
        return UiLoad(QuizUiText.model_validate(data), None)
    except ValidationError as exc:
        return UiLoad(None, ContentProblem(UI_FILE, None, describe_validation_error(exc)))
