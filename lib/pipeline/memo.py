"""Shared, thread-safe memoisation bounded by bytes, with one computation per key.

Every session on a server runs its script in its own thread and shares one interpreter,
so anything two sessions can share they should compute once: a class that types the same
prompt, or moves the same slider, gets one forward pass and one view. Streamlit's own
caches bound entries by count, which bounds nothing when an entry's size grows with the
square of the prompt (a 12-token result is 41 kB, a 512-token one 75 MB). ``ByteLRU``
evicts least-recently-used entries until what it holds fits ``max_bytes``;
``SingleFlight`` makes concurrent callers of one missing key wait for one computation
(the "single flight" of Go's groupcache) instead of each computing it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class MemoStats:
    entries: int
    bytes: int
    hits: int
    misses: int
    evictions: int
    uncacheable: int  # values larger than the whole budget, returned but not kept


class ByteLRU(Generic[V]):
    """A least-recently-used map whose values' sizes (``size_of``) never exceed ``max_bytes``.

    ``on_evict`` runs (outside the lock) for every value that leaves, e.g. to delete the
    file behind it.
    """

    def __init__(self, *, max_bytes: int, size_of: Callable[[V], int],
                 on_evict: Callable[[V], None] | None = None) -> None:
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, not {max_bytes}.")
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._on_evict = on_evict
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._counts = {"hits": 0, "misses": 0, "evictions": 0, "uncacheable": 0}

    def get(self, key: Hashable, *, count: bool = True) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            if count:
                self._counts["hits" if found is not None else "misses"] += 1
            return None if found is None else found[0]

    def put(self, key: Hashable, value: V) -> bool:
        """Keep ``value`` (evicting others as needed); False if it alone exceeds the budget."""
        size = int(self._size_of(value))
        evicted: list[V] = []
        with self._lock:
            if size > self.max_bytes:
                self._counts["uncacheable"] += 1
                return False
            if key in self._entries:
                old, old_size = self._entries.pop(key)
                self._bytes -= old_size
                evicted.append(old)
            while self._entries and self._bytes + size > self.max_bytes:
                _, (old, old_size) = self._entries.popitem(last=False)
                self._bytes -= old_size
                self._counts["evictions"] += 1
                evicted.append(old)
            self._entries[key] = (value, size)
            self._bytes += size
        self._evicted(evicted)
        return True

    def clear(self) -> None:
        with self._lock:
            evicted = [value for value, _ in self._entries.values()]
            self._entries.clear()
            self._bytes = 0
        self._evicted(evicted)

    def _evicted(self, values: list[V]) -> None:
        if self._on_evict is not None:
            for value in values:
                self._on_evict(value)

    def stats(self) -> MemoStats:
        with self._lock:
            return MemoStats(entries=len(self._entries), bytes=self._bytes, **self._counts)

    def held_keys(self) -> tuple[Hashable, ...]:
        """Keys held, least recently used first."""
        with self._lock:
            return tuple(self._entries)


class SingleFlight:
    """Per-key locks: concurrent callers of one key run its computation one at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, list] = {}  # key -> [lock, number of holders]

    @contextmanager
    def hold(self, key: Hashable) -> Iterator[None]:
        with self._lock:
            flight = self._flights.setdefault(key, [threading.Lock(), 0])
            flight[1] += 1
        try:
            with flight[0]:
                yield
        finally:
            with self._lock:
                flight[1] -= 1
                if flight[1] == 0:
                    del self._flights[key]


class SharedMemo(Generic[V]):
    """``ByteLRU`` plus ``SingleFlight``: each key computed once, errors never stored."""

    def __init__(self, *, max_bytes: int, size_of: Callable[[V], int]) -> None:
        self._values: ByteLRU[V] = ByteLRU(max_bytes=max_bytes, size_of=size_of)
        self._flight = SingleFlight()

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        hit = self._values.get(key)
        if hit is not None:
            return hit
        with self._flight.hold(key):
            hit = self._values.get(key, count=False)  # computed while this caller waited
            if hit is not None:
                return hit
            value = compute()
            self._values.put(key, value)
            return value

    def stats(self) -> MemoStats:
        return self._values.stats()

    def held_keys(self) -> tuple[Hashable, ...]:
        return self._values.held_keys()
