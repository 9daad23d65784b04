"""The three ways a class-store call can fail, split by what the page should do next.

- ``Refused``: final. The input can never succeed as it is (malformed or unknown code,
  wrong key, invalid or conflicting submission). Show ``message``, drop the pending result.
- ``RateLimited``: too many tries from this session. Keep the pending result and try again
  after ``retry_after`` seconds.
- ``StoreUnavailable``: the database could not be reached (or is busy past its timeout).
  Keep the pending result in the session and retry later; submissions are idempotent, so a
  retry after a lost reply is never counted twice.

Each carries ``key`` (the message's name in ``content/classroom.yaml``) and ``message``, the
text to show, which is built only from our own templates and values: ``str(error)`` is safe
to display. ``StoreUnavailable.reason`` says what failed, for the server log only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from lib.classroom.text import classroom_text


class ClassroomError(Exception):
    """Base class: ``message`` is what to show; ``retryable`` says whether to keep the result."""

    retryable: ClassVar[bool] = False

    def __init__(self, key: str, **values: Any) -> None:
        self.key = key
        self.values = values
        self.message = classroom_text().message(key, **values)
        super().__init__(self.message)


class Refused(ClassroomError):
    """Final: the same call will be refused again. Show the message; do not retry."""


class RateLimited(ClassroomError):
    """Too many tries from one session: retry after ``retry_after`` seconds."""

    retryable = True

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__("rate_limited", seconds=retry_after)


class StoreUnavailable(ClassroomError):
    """The database cannot be reached now: keep the pending result and retry later."""

    retryable = True

    def __init__(self, reason: str) -> None:
        self.reason = reason  # for logs; never shown (it may name hosts or files)
        super().__init__("store_unavailable")
