"""A shared cache of attention results, bounded by the bytes it holds.

Every session on a server shares one model, so it should share results too: a class
that types the same prompt gets one forward pass. But a result's size grows with the
square of its length: a 512-token prompt on the bundled model holds
6 layers x 12 heads x 512 x 512 float32 = 75 MB, a 12-token one 41 kB. A cache bounded
by an entry count (Streamlit's ``max_entries``) therefore bounds nothing: twenty students
pasting twenty long texts would hold 1.5 GB. This one evicts least recently used results
until the arrays it holds fit in ``max_bytes``, and computes each missing key once even
when several sessions ask for it at the same moment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from lib.attention.extract import AttentionResult

# Tokens, labels and masks cost little next to the attention array, but not nothing: this
# also caps how many tiny results can pile up (64 MB / 64 kB = 1024).
ENTRY_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class CacheStats:
    entries: int
    bytes: int
    hits: int
    misses: int
    evictions: int
    uncacheable: int  # results larger than the whole budget, returned but not kept


def result_bytes(result: AttentionResult) -> int:
    return int(result.attentions.nbytes) + ENTRY_OVERHEAD_BYTES


class AttentionCache:
    """Thread-safe LRU of :class:`AttentionResult` keyed by (model, prompt), within a byte budget."""

    def __init__(self, *, max_bytes: int) -> None:
        if max_bytes <= 0:
            raise ValueError(f"The argument max_bytes must be positive, not {max_bytes}.")
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, AttentionResult] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._counts = {"hits": 0, "misses": 0, "evictions": 0, "uncacheable": 0}

    def get_or_compute(self, key: Hashable, compute: Callable[[], AttentionResult]) -> AttentionResult:
        """The cached result for ``key``, or ``compute()`` stored under it.

        Errors from ``compute`` propagate and are not cached.
        """
        hit, key_lock = self._lookup(key)
        if hit is not None:
            return hit
        # One computation per key: later callers wait here, then find the stored result.
        with key_lock:
            try:
                hit, _ = self._lookup(key, count=False)
                if hit is not None:
                    return hit
                result = compute()
                self._store(key, result)
                return result
            finally:
                with self._lock:
                    self._computing.pop(key, None)

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(entries=len(self._entries), bytes=self._bytes, **self._counts)

    def cached_keys(self) -> tuple[Hashable, ...]:
        """Cached keys, least recently used first."""
        with self._lock:
            return tuple(self._entries)

    def _lookup(self, key: Hashable, *, count: bool = True):
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                self._counts["hits"] += 1
                return hit, None
            if count:
                self._counts["misses"] += 1
            return None, self._computing.setdefault(key, threading.Lock())

    def _store(self, key: Hashable, result: AttentionResult) -> None:
        size = result_bytes(result)
        with self._lock:
            if size > self.max_bytes:
                self._counts["uncacheable"] += 1
                return
            while self._entries and self._bytes + size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= result_bytes(evicted)
                self._counts["evictions"] += 1
            self._entries[key] = result
            self._bytes += size
