"""Size limits on submissions, class lifetimes, and a per-session token-bucket rate limiter.

The rate limiter is the leaky bucket of Turner (1986, "New directions in communications",
IEEE Communications Magazine 24(10)) in its token-bucket form, as RFC 2697 specifies it for
traffic policing: each key holds up to ``burst`` tokens, one comes back every
``every_seconds``, and an action spends one. A student who retries a failed submission a
few times is never held back; a script that hammers class codes is slowed to one attempt
every few seconds per session.

Keys are the opaque session ids the page passes. Buckets live in this process only: a
Streamlit session stays on one server process (its websocket), so per-process buckets are
per-session buckets even with several replicas. A client that opens new sessions gets new
buckets; stopping that is the job of the host's proxy, not of a per-session limit. Memory
is bounded: past ``max_keys`` the least recently used bucket is dropped (its session, if it
comes back, starts full again: only a flood of sessions gets there, and that flood is the
proxy's to stop). The clock is injected, so tests drive time by hand.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rate:
    """Up to ``burst`` actions at once, then one more every ``every_seconds``."""

    burst: int
    every_seconds: float

    def __post_init__(self) -> None:
        if self.burst < 1 or not self.every_seconds > 0:
            raise ValueError(
                f"a rate needs burst >= 1 and every_seconds > 0, got {self.burst} and "
                f"{self.every_seconds}; pass positive values"
            )


@dataclass(frozen=True)
class Limits:
    """Every limit of the class store in one place; the defaults are what the app uses."""

    max_items: int = 200  # answers per submission (the whole bank is under 100 questions)
    max_chosen: int = 20  # options chosen per answer (a question has at most 8; a match, 8 pairs)
    max_id_chars: int = 80  # question, topic and option ids
    lifetime_days: int = 30  # a new class accepts results this long
    max_lifetime_days: int = 365
    student: Rate = field(default_factory=lambda: Rate(burst=10, every_seconds=6.0))
    teacher: Rate = field(default_factory=lambda: Rate(burst=10, every_seconds=3.0))
    create: Rate = field(default_factory=lambda: Rate(burst=3, every_seconds=60.0))
    max_sessions: int = 10_000  # buckets kept per kind of action


class RateLimiter:
    """Token buckets keyed by session id; thread-safe (Streamlit runs sessions on threads)."""

    def __init__(
        self, rate: Rate, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000
    ) -> None:
        self._rate = rate
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, t)
        self._lock = threading.Lock()

    def take(self, key: str) -> int:
        """Spend one token for ``key``: 0 if it was spent, else whole seconds until one is back.

        A refused call spends nothing, so waiting the returned time always succeeds.
        """
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.pop(key, (float(self._rate.burst), now))
            tokens = min(self._rate.burst, tokens + (now - then) / self._rate.every_seconds)
            wait = 0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = max(1, math.ceil((1 - tokens) * self._rate.every_seconds))
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return wait
