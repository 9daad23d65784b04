"""The shared attention cache: bounded by bytes, least recently used out first, one
computation per key however many sessions ask at once, errors never stored."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.attention.cache import ENTRY_OVERHEAD_BYTES, AttentionCache, result_bytes
from lib.attention.extract import AttentionResult, PromptError, extract_attention

MB = 2**20


def result_of(seq: int, *, layers: int = 2, heads: int = 2) -> AttentionResult:
    """A well-formed result whose attention array has a chosen size (uniform rows)."""
    attentions = np.full((layers, heads, seq, seq), 1.0 / seq, dtype=np.float32)
    return AttentionResult(
        text="x", tokens=tuple("t" * seq), word_ids=tuple(range(seq)),
        special_mask=np.zeros(seq, dtype=bool), model_kind="encoder", attentions=attentions,
        truncated=False, model_name="test", original_chars=1,
    )


class Counter:
    def __init__(self, seq: int) -> None:
        self.seq, self.calls = seq, 0

    def __call__(self) -> AttentionResult:
        self.calls += 1
        return result_of(self.seq)


def test_a_repeated_key_is_computed_once(bundled):
    cache = AttentionCache(max_bytes=64 * MB)
    calls = []

    def compute():
        calls.append(1)
        return extract_attention(bundled, "The cat sat on the mat.")

    first = cache.get_or_compute(("m", "The cat"), compute)
    again = cache.get_or_compute(("m", "The cat"), compute)
    assert again is first and len(calls) == 1
    assert cache.stats().hits == 1 and cache.stats().misses == 1


def test_the_budget_evicts_the_least_recently_used():
    size = result_bytes(result_of(256))  # 2 x 2 x 256 x 256 x 4 B = 1 MB, plus overhead
    cache = AttentionCache(max_bytes=3 * size)
    for key in "abc":
        cache.get_or_compute(key, Counter(256))
    cache.get_or_compute("a", Counter(256))  # "a" is now the most recent
    cache.get_or_compute("d", Counter(256))  # over budget: "b" goes, not "a"
    recompute_b, recompute_a = Counter(256), Counter(256)
    cache.get_or_compute("b", recompute_b)
    cache.get_or_compute("a", recompute_a)
    assert recompute_b.calls == 1 and recompute_a.calls == 0
    assert cache.stats().bytes <= 3 * size and cache.stats().evictions == 2


def test_a_result_larger_than_the_budget_is_returned_but_not_kept():
    cache = AttentionCache(max_bytes=2 * MB)
    big = Counter(512)  # 4 MB
    assert cache.get_or_compute("big", big).seq_len == 512
    cache.get_or_compute("big", big)
    assert big.calls == 2
    assert cache.stats().uncacheable == 2 and cache.stats().entries == 0


def test_errors_are_not_cached():
    cache = AttentionCache(max_bytes=8 * MB)
    outcomes = iter([PromptError("empty"), result_of(4)])

    def compute():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    with pytest.raises(PromptError):
        cache.get_or_compute("k", compute)
    assert cache.get_or_compute("k", compute).seq_len == 4


def test_sessions_asking_at_once_share_one_computation():
    cache = AttentionCache(max_bytes=8 * MB)
    calls = []
    start = threading.Barrier(8)

    def compute():
        calls.append(1)
        time.sleep(0.2)  # a forward pass in flight while the others arrive
        return result_of(16)

    results = []

    def session():
        start.wait()
        results.append(cache.get_or_compute("same prompt", compute))

    threads = [threading.Thread(target=session) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(calls) == 1 and len(results) == 8
    assert all(r is results[0] for r in results)


def test_other_keys_are_served_while_one_is_computing():
    cache = AttentionCache(max_bytes=8 * MB)
    cache.get_or_compute("ready", Counter(8))
    release = threading.Event()

    def slow():
        release.wait(timeout=10)
        return result_of(8)

    worker = threading.Thread(target=cache.get_or_compute, args=("slow", slow))
    worker.start()
    began = time.perf_counter()
    cache.get_or_compute("ready", Counter(8))
    waited = time.perf_counter() - began
    release.set()
    worker.join(timeout=10)
    assert waited < 5  # it did not wait for the slow key's computation


def test_a_budget_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        AttentionCache(max_bytes=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from([8, 64, 128, 200])),
                min_size=1, max_size=40))
def test_held_bytes_never_exceed_the_budget_and_match_the_entries(requests):
    cache = AttentionCache(max_bytes=600_000 + 2 * ENTRY_OVERHEAD_BYTES)
    sizes = {}
    for key, seq in requests:
        result = cache.get_or_compute(key, Counter(seq))
        sizes[key] = result_bytes(result)
        stats = cache.stats()
        assert stats.bytes <= cache.max_bytes
        assert stats.bytes == sum(sizes[k] for k in cache.cached_keys())
        assert cache.cached_keys()[-1] == key or result_bytes(result) > cache.max_bytes
