"""Content: every teaching text of the app, read from ``content/`` as validated, frozen data.

Start with :func:`load_content` (``loader.py``); it returns a :class:`Content` with one field per
file (analogy, limitations, glossary, references, explore, ui, teachers) plus the quiz bank, and the
problems it found. It never raises, so a broken file is reported and never blanks the app.
The schemas live in ``schema/``; the copy check against the essay in ``wording.py``. The quiz
engine that grades and scores questions is a separate package, ``lib/quiz``.
"""

from lib.content.loader import (
    ANALOGY_FILE,
    EXPLORE_FILE,
    GLOSSARY_FILE,
    LIMITATIONS_FILE,
    QUIZ_FOLDER,
    REFERENCES_FILE,
    TEACHERS_FILE,
    TOPICS_FILE,
    UI_FILE,
    Content,
    cited_ids,
    load_content,
    load_file,
)
from lib.content.problems import ContentError, ContentProblem
from lib.content.schema.base import count_sentences
from lib.content.schema.learn import (
    REQUIRED_PRESETS,
    Analogy,
    AnalogySection,
    ControlHelp,
    ExploreCaptions,
    ExploreText,
    Glossary,
    GlossaryTerm,
    Limitation,
    Limitations,
    Reference,
    References,
)
from lib.content.schema.quiz import AnyQuestion, QuizBank, Topic
from lib.content.schema.teachers import TeacherGuide
from lib.content.schema.ui import MESSAGE_SAMPLES, UiText

__all__ = [
    "ANALOGY_FILE",
    "EXPLORE_FILE",
    "GLOSSARY_FILE",
    "LIMITATIONS_FILE",
    "MESSAGE_SAMPLES",
    "QUIZ_FOLDER",
    "REFERENCES_FILE",
    "TEACHERS_FILE",
    "REQUIRED_PRESETS",
    "TOPICS_FILE",
    "UI_FILE",
    "Analogy",
    "AnalogySection",
    "AnyQuestion",
    "Content",
    "ContentError",
    "ContentProblem",
    "ControlHelp",
    "ExploreCaptions",
    "ExploreText",
    "Glossary",
    "GlossaryTerm",
    "Limitation",
    "Limitations",
    "QuizBank",
    "Reference",
    "References",
    "TeacherGuide",
    "Topic",
    "UiText",
    "cited_ids",
    "count_sentences",
    "load_content",
    "load_file",
]
