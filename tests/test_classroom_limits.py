"""The per-session token bucket (lib/classroom/limits.py), driven by a hand-moved clock."""

from __future__ import annotations

import threading

import pytest

from classroom_db import FakeClock
from lib.classroom.limits import Rate, RateLimiter


def limiter(clock: FakeClock, *, burst: int = 3, every: float = 10.0, max_keys: int = 100):
    return RateLimiter(Rate(burst, every), clock=clock, max_keys=max_keys)


def test_a_burst_passes_then_the_next_try_is_told_how_long_to_wait():
    clock = FakeClock()
    rl = limiter(clock)
    assert [rl.take("s") for _ in range(3)] == [0, 0, 0]
    assert rl.take("s") == 10
    clock.advance(4)
    assert rl.take("s") == 6  # a refused try spends nothing
    clock.advance(6)
    assert rl.take("s") == 0
    assert rl.take("s") == 10


def test_waiting_the_returned_time_always_succeeds():
    clock = FakeClock()
    rl = limiter(clock, burst=2, every=7.5)
    for _ in range(20):
        wait = rl.take("s")
        if wait:
            clock.advance(wait)
            assert rl.take("s") == 0


def test_tokens_refill_to_the_burst_and_no_further():
    clock = FakeClock()
    rl = limiter(clock)
    for _ in range(3):
        rl.take("s")
    clock.advance(10_000)
    assert [rl.take("s") for _ in range(4)] == [0, 0, 0, 10]


def test_sessions_have_separate_buckets():
    clock = FakeClock()
    rl = limiter(clock, burst=1)
    assert rl.take("a") == 0
    assert rl.take("a") > 0
    assert rl.take("b") == 0


def test_memory_is_bounded_by_dropping_the_least_recently_used_bucket():
    clock = FakeClock()
    rl = limiter(clock, burst=1, max_keys=2)
    rl.take("a")
    rl.take("b")
    rl.take("a")  # refused, but touches a, so b is now the oldest
    rl.take("c")  # evicts b
    assert len(rl._buckets) == 2
    assert rl.take("b") == 0  # a fresh bucket
    assert rl.take("c") > 0  # c was kept


def test_concurrent_takes_never_spend_more_than_the_burst():
    clock = FakeClock()
    rl = limiter(clock, burst=25)
    results = []
    lock = threading.Lock()

    def worker():
        for _ in range(10):
            wait = rl.take("s")
            with lock:
                results.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(0) == 25 and len(results) == 80


def test_a_rate_must_be_positive():
    with pytest.raises(ValueError, match="burst >= 1"):
        Rate(0, 1.0)
    with pytest.raises(ValueError, match="every_seconds > 0"):
        Rate(1, 0.0)
