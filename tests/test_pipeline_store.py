"""The serving store and memo: bounded by bytes, least recently used out first, one
computation per key however many sessions ask at once, errors never stored; long results
spill to disk and come back bit for bit, memory-mapped, and their files go with them."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.attention.extract import AttentionResult, PromptError, extract_attention
from lib.attention.relevance import attention_matrix, select_relevance
from lib.pipeline.memo import ByteLRU, SharedMemo
from lib.pipeline.store import MB, AttentionStore, StoreLimits, memory_bytes


def result_of(seq: int, *, layers: int = 2, heads: int = 2, seed: int = 0) -> AttentionResult:
    """A well-formed result with random stochastic rows of a chosen size."""
    rng = np.random.default_rng(seed)
    attentions = rng.random((layers, heads, seq, seq)).astype(np.float32)
    attentions /= attentions.sum(axis=-1, keepdims=True)
    return AttentionResult(
        text="x", tokens=tuple(f"t{i}" for i in range(seq)), word_ids=tuple(range(seq)),
        special_mask=np.zeros(seq, dtype=bool), model_kind="encoder", attentions=attentions,
        truncated=False, model_name="test", original_chars=1,
    )


class Counter:
    def __init__(self, seq: int) -> None:
        self.seq, self.calls = seq, 0

    def __call__(self) -> AttentionResult:
        self.calls += 1
        return result_of(self.seq)


def small_store(tmp_path, **limits) -> AttentionStore:
    return AttentionStore(folder=tmp_path, limits=StoreLimits(**limits))


def test_a_repeated_prompt_is_computed_once(bundled, tmp_path):
    store = small_store(tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return extract_attention(bundled, "The cat sat on the mat.")

    first = store.get_or_compute(("m", "The cat"), compute)
    again = store.get_or_compute(("m", "The cat"), compute)
    assert again is first and len(calls) == 1
    assert store.stats().memory.hits == 1 and store.stats().memory.misses == 1


def test_stored_results_carry_the_head_means_and_rollouts(tmp_path):
    stored = small_store(tmp_path).get_or_compute("k", Counter(12))
    fresh = result_of(12)
    for layer in range(2):
        for head in ("mean", "rollout"):
            np.testing.assert_allclose(attention_matrix(stored, layer=layer, head=head),
                                       attention_matrix(fresh, layer=layer, head=head),
                                       atol=1e-12)


def test_a_long_result_spills_to_disk_and_reads_back_bit_for_bit(tmp_path):
    store = small_store(tmp_path, spill_above_bytes=1 * MB)
    stored = store.get_or_compute("long", Counter(300))  # 2 x 2 x 300 x 300 x 4 B = 1.4 MB
    fresh = result_of(300)
    assert isinstance(stored.attentions, np.memmap)
    assert np.array_equal(stored.attentions, fresh.attentions)
    assert store.stats().disk.entries == 1 and store.stats().memory.entries == 0
    again = store.get_or_compute("long", Counter(300))
    row = select_relevance(again, query=7, layer=1, head="rollout")
    assert row.weights == pytest.approx(select_relevance(fresh, query=7, layer=1,
                                                         head="rollout").weights, abs=1e-12)
    assert len(list(tmp_path.glob("*.npy"))) == 2  # the attention and its summaries


def test_evicting_a_spilled_result_deletes_its_files(tmp_path):
    one = 2 * 2 * 300 * 300 * 4 + 2 * 2 * 300 * 300 * 8 + 256  # attention + summaries + headers
    store = small_store(tmp_path, spill_above_bytes=1 * MB, disk_bytes=2 * one)
    for key in "abc":
        store.get_or_compute(key, Counter(300))
    assert store.stats().disk.entries == 2 and store.stats().disk.evictions == 1
    assert len(list(tmp_path.glob("*.npy"))) == 4
    recompute = Counter(300)
    store.get_or_compute("a", recompute)
    assert recompute.calls == 1  # "a" was the least recently used


def test_a_result_evicted_between_lookup_and_open_is_computed_again(tmp_path, monkeypatch):
    """Session 1 finds "a" on disk; before it opens the files, session 2's admission of "b"
    evicts "a" and deletes them. Session 1 gets "a" anyway, computed again, not an error."""
    from lib.pipeline import store as store_module

    one = 2 * 2 * 300 * 300 * 4 + 2 * 2 * 300 * 300 * 8 + 256  # attention + summaries + headers
    store = small_store(tmp_path, spill_above_bytes=1 * MB, disk_bytes=one)
    store.get_or_compute("a", Counter(300))
    real_open = store_module._OnDisk.open
    interleaved = []

    def open_after_an_eviction(entry):
        if not interleaved:
            interleaved.append(1)
            store.get_or_compute("b", Counter(300))  # the other session, in between
        return real_open(entry)

    monkeypatch.setattr(store_module._OnDisk, "open", open_after_an_eviction)
    again = Counter(300)
    result = store.get_or_compute("a", again)
    assert interleaved and again.calls == 1
    assert result.seq_len == 300 and np.allclose(result.attentions.sum(axis=-1), 1, atol=1e-5)


def test_the_memory_tier_evicts_the_least_recently_used(tmp_path):
    size = memory_bytes(AttentionStore(folder=tmp_path).get_or_compute("probe", Counter(64)))
    store = small_store(tmp_path, memory_bytes=3 * size)
    for key in "abc":
        store.get_or_compute(key, Counter(64))
    store.get_or_compute("a", Counter(64))  # "a" is now the most recent
    store.get_or_compute("d", Counter(64))  # over budget: "b" goes, not "a"
    recompute_b, recompute_a = Counter(64), Counter(64)
    store.get_or_compute("b", recompute_b)
    store.get_or_compute("a", recompute_a)
    assert recompute_b.calls == 1 and recompute_a.calls == 0


def test_a_result_larger_than_the_disk_budget_is_returned_but_not_kept(tmp_path):
    store = small_store(tmp_path, spill_above_bytes=1 * MB, disk_bytes=2 * MB)
    big = Counter(300)
    assert store.get_or_compute("big", big).seq_len == 300
    store.get_or_compute("big", big)
    assert big.calls == 2 and store.stats().disk.uncacheable == 2
    assert not list(tmp_path.glob("*.npy"))


def test_errors_are_not_stored(tmp_path):
    store = small_store(tmp_path)
    outcomes = iter([PromptError("empty"), result_of(4)])

    def compute():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    with pytest.raises(PromptError):
        store.get_or_compute("k", compute)
    assert store.get_or_compute("k", compute).seq_len == 4


def test_sessions_asking_at_once_share_one_computation(tmp_path):
    store = small_store(tmp_path)
    calls = []
    start = threading.Barrier(8)

    def compute():
        calls.append(1)
        time.sleep(0.2)  # a forward pass in flight while the others arrive
        return result_of(16)

    results = []

    def session():
        start.wait()
        results.append(store.get_or_compute("same prompt", compute))

    threads = [threading.Thread(target=session) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(calls) == 1 and len(results) == 8
    assert all(r is results[0] for r in results)


def test_other_keys_are_served_while_one_is_computing():
    memo = SharedMemo(max_bytes=MB, size_of=lambda value: 8)
    memo.get_or_compute("ready", lambda: 1)
    release = threading.Event()

    def slow():
        release.wait(timeout=10)
        return 2

    worker = threading.Thread(target=memo.get_or_compute, args=("slow", slow))
    worker.start()
    began = time.perf_counter()
    assert memo.get_or_compute("ready", lambda: 3) == 1
    waited = time.perf_counter() - began
    release.set()
    worker.join(timeout=10)
    assert waited < 5  # it did not wait for the slow key's computation


def test_a_budget_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        ByteLRU(max_bytes=0, size_of=len)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(1, 300)), min_size=1, max_size=40))
def test_held_bytes_never_exceed_the_budget_and_match_the_entries(requests):
    evicted = []
    lru = ByteLRU(max_bytes=600, size_of=len, on_evict=evicted.append)
    sizes = {}
    for key, size in requests:
        kept = lru.put(key, "x" * size)
        if kept:
            sizes[key] = size
        stats = lru.stats()
        assert stats.bytes <= lru.max_bytes
        assert stats.bytes == sum(sizes[k] for k in lru.held_keys())
        assert (lru.held_keys()[-1] == key) == kept
