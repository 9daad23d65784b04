"""Keep long prompts readable and the browser payload bounded.

A 512-token prompt has 262,144 attention cells; drawing them all is unreadable and
heavy. Every view shows at most ``size`` tokens around the query instead (the idea of
exBERT's and bertviz's focus on one query, made explicit).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_WINDOW = 40


@dataclass(frozen=True)
class Window:
    start: int
    stop: int
    total: int

    @property
    def is_partial(self) -> bool:
        return self.stop - self.start < self.total

    def as_slice(self) -> slice:
        return slice(self.start, self.stop)


def window_around(total: int, center: int, *, size: int = DEFAULT_WINDOW) -> Window:
    """The ``size`` consecutive positions nearest ``center``, clipped to [0, total)."""
    if total <= size:
        return Window(0, total, total)
    center = min(max(center, 0), total - 1)
    start = min(max(center - size // 2, 0), total - size)
    return Window(start, start + size, total)
