"""Anonymous class results: a teacher opens a class, students send quiz results without names,
the teacher (and only the teacher, with the key) sees counts per option and mastery per topic.

Pure library (never imports streamlit); the pages wire it. Typical use::

    store = open_store()                     # once per process: connect + migrate
    new = store.create_class(session_id=sid) # teacher: new.code, new.teacher_key (show once)
    store.check_open(code, session_id=sid)   # student: is this code open? (optional)
    pending = new_submission(items_from_quiz(quiz_state))   # keep in the session
    receipt = store.submit(code, pending, session_id=sid)   # then drop pending
    report = store.class_report(code, key, session_id=sid)  # teacher view; report_to_csv()

The retry contract for pages
----------------------------
Every store call either returns or raises a ``ClassroomError`` whose ``message`` is the
text to show (from ``content/classroom.yaml``, never an exception's text):

- ``Refused`` (``retryable`` False): final. The same call will be refused again. Show the
  message, and for a submission drop the pending result.
- ``RateLimited`` (``retryable`` True, ``retry_after`` seconds) and ``StoreUnavailable``
  (``retryable`` True): nothing was stored, or the reply was lost. Keep the *same*
  ``Submission`` object in the student's session, show the message, and call ``submit``
  again later (on the next rerun, a "Send again" button, or after ``retry_after``).
  A submission keeps its UUID across retries, so a retry of a result that was in fact
  stored returns ``Receipt(already_sent=True)``: never lost, never counted twice.
- Anything else (ValueError for a bad ``session_id`` or database URL) is a programming or
  configuration error, not a user's.

``open_store`` raises ``StoreUnavailable`` too, when the database cannot be reached at
start-up; a page can keep the pending result and try ``open_store`` again later.

Security choices (details in each module): only a salted scrypt hash of a teacher key is
stored (``codes``); a malformed code, an unknown code and a wrong key get one identical
refusal from the teacher view after the same work; students get one message for an
unknown or closed code (a closed code cannot take results, so telling the two apart helps
nobody but a guesser), and a format message for input that is not shaped like a code
(the shape is public). Every action is rate-limited per session (``limits``), submissions
are size-limited and validated to short tokens before any query, and every query binds its
parameters. No API returns one student's answers: the only read is ``class_report``, which
returns counts, and needs the teacher key.
"""

from lib.classroom.codes import CODE_EXAMPLE, new_code, normalize_code
from lib.classroom.errors import ClassroomError, RateLimited, Refused, StoreUnavailable
from lib.classroom.limits import Limits, Rate
from lib.classroom.quiz_items import TokenInfo, answer_tokens, describe_token, items_from_quiz
from lib.classroom.report import (
    CertaintyCounts,
    ClassReport,
    ItemSummary,
    OptionCount,
    TopicMastery,
    format_date,
    report_to_csv,
)
from lib.classroom.store import (
    ClassStore,
    NewClass,
    OpenClass,
    Receipt,
    database_url,
    open_store,
)
from lib.classroom.submission import Submission, SubmissionItem, new_submission
from lib.classroom.text import classroom_text

__all__ = [
    "CODE_EXAMPLE",
    "CertaintyCounts",
    "ClassReport",
    "ClassStore",
    "ClassroomError",
    "ItemSummary",
    "Limits",
    "NewClass",
    "OpenClass",
    "OptionCount",
    "Rate",
    "RateLimited",
    "Receipt",
    "Refused",
    "StoreUnavailable",
    "Submission",
    "SubmissionItem",
    "TokenInfo",
    "TopicMastery",
    "answer_tokens",
    "classroom_text",
    "database_url",
    "describe_token",
    "format_date",
    "items_from_quiz",
    "new_code",
    "new_submission",
    "normalize_code",
    "open_store",
    "report_to_csv",
]
