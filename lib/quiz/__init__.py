"""The quiz engine: a pure quiz state machine (``session``), grading with certainty-based
marks (``grading``), save/resume and results export (``progress``), and questions computed
from the student's own prompt (``live``).

The question bank itself is content: lib/content loads and validates it (``load_content``
returns it as ``Content.quiz``). Pages import from here; nothing in this package imports
streamlit.
"""

from lib.content.schema.quiz import QuizBank, Topic
from lib.quiz.grading import (
    AnswerError,
    FeedbackItem,
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
from lib.quiz.live import (
    LIVE_PREFIX,
    LiveError,
    LiveOption,
    LiveQuestion,
    LiveSpec,
    build_live,
    is_live,
    live_questions,
)
from lib.quiz.progress import ProgressError, progress_from_json, progress_to_json, results_to_csv
from lib.quiz.session import (
    Mistake,
    QuizState,
    Response,
    TopicScore,
    add_live,
    append_question,
    display_order,
    mistakes,
    new_quiz,
    retry_missed,
    submit,
    topic_scores,
)

__all__ = [
    "LIVE_PREFIX",
    "AnswerError",
    "FeedbackItem",
    "LiveError",
    "LiveOption",
    "LiveQuestion",
    "LiveSpec",
    "MatchingAnswer",
    "Mistake",
    "MultiAnswer",
    "ProgressError",
    "QuizBank",
    "QuizError",
    "QuizState",
    "Response",
    "SingleAnswer",
    "Topic",
    "TopicScore",
    "TrueFalseAnswer",
    "add_live",
    "append_question",
    "build_live",
    "correct_answer",
    "display_order",
    "feedback",
    "is_correct",
    "is_live",
    "live_questions",
    "marks",
    "mistakes",
    "new_quiz",
    "progress_from_json",
    "progress_to_json",
    "results_to_csv",
    "retry_missed",
    "submit",
    "topic_scores",
]
