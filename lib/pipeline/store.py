"""Every analysed prompt, kept compactly so a class's long prompts never force a rerun.

A result's attention grows with the square of the prompt: 6 layers x 12 heads x 512 x 512
float32 is 75 MB for one 512-token prompt on the bundled model, so twenty students who
paste twenty long texts cannot all be held in memory (the server's budget is 900 MB, of
which the model and libraries take about 560). Yet every control change needs only a
small part of one result: one [seq, seq] matrix of one layer (1 MB), or one layer's heads.

So the store keeps two tiers, each least-recently-used within its own byte budget:
- small results (most prompts) stay in memory, ready at once;
- larger ones are written once to a private folder as ``.npy`` files and read back
  memory-mapped: a view touches only the pages of the slice it reads, and those pages
  leave the process when the view drops the map. The numbers are the model's own float32
  attention, bit for bit (no rounding to float16).
Each result carries its head means and rollouts (``with_summaries``), so the mean and
rollout views read one precomputed [seq, seq] slice instead of every head of every layer.
One computation per key, however many sessions ask at once; errors are never stored. A
session that finds a spilled result just as another session's admission evicts it (the
files go before it opens them) computes it again rather than failing: found under load,
20 sessions with 20 long prompts.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from lib.attention.extract import AttentionResult, LayerSummaries
from lib.attention.relevance import with_summaries
from lib.pipeline.memo import ByteLRU, MemoStats, SingleFlight

MB = 2**20
# Tokens, labels and masks cost little next to the arrays, but not nothing: this also caps
# how many tiny results can pile up in memory (64 MB / 64 kB = 1024).
ENTRY_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class StoreLimits:
    memory_bytes: int = 64 * MB  # small results, held in memory
    # Larger results, on disk: a 512-token result and its summaries take 100 MB, so this
    # holds 30, a whole class's long prompts.
    disk_bytes: int = 3072 * MB
    spill_above_bytes: int = 4 * MB  # results bigger than this go to disk (about 110 tokens)


@dataclass(frozen=True)
class StoreStats:
    memory: MemoStats
    disk: MemoStats


def memory_bytes(result: AttentionResult) -> int:
    """Bytes a result holds in memory: its attention, its summaries and a fixed overhead."""
    summaries = result.summaries
    extra = 0 if summaries is None else summaries.head_mean.nbytes + summaries.rollout.nbytes
    return int(result.attentions.nbytes) + extra + ENTRY_OVERHEAD_BYTES


@dataclass(frozen=True)
class _OnDisk:
    """A spilled result: its small fields in memory, its arrays in two files."""

    header: AttentionResult  # every field but the arrays (attentions is an empty placeholder)
    attentions: Path  # float32 [layers, heads, seq, seq]
    summaries: Path  # float64 [2, layers, seq, seq]: head means, then rollouts
    file_bytes: int

    def open(self) -> AttentionResult:
        """The result with its arrays memory-mapped read-only (a fresh map per call)."""
        stacked = np.load(self.summaries, mmap_mode="r")  # [2, layers, seq, seq]
        return replace(
            self.header,
            attentions=np.load(self.attentions, mmap_mode="r"),
            summaries=LayerSummaries(head_mean=stacked[0], rollout=stacked[1]),
        )

    def delete(self) -> None:
        for path in (self.attentions, self.summaries):
            path.unlink(missing_ok=True)


class AttentionStore:
    """Results by key (model, prompt): memory for small ones, memory-mapped files for big ones."""

    def __init__(self, *, folder: Path | None = None, limits: StoreLimits = StoreLimits()) -> None:
        self.limits = limits
        self._folder = Path(folder) if folder is not None else _private_folder(self)
        self._folder.mkdir(parents=True, exist_ok=True)
        self._memory: ByteLRU[AttentionResult] = ByteLRU(
            max_bytes=limits.memory_bytes, size_of=memory_bytes
        )
        self._disk: ByteLRU[_OnDisk] = ByteLRU(
            max_bytes=limits.disk_bytes, size_of=lambda entry: entry.file_bytes,
            on_evict=_OnDisk.delete,
        )
        self._flight = SingleFlight()

    def get_or_compute(self, key, compute) -> AttentionResult:
        """The stored result for ``key``, or ``compute()`` stored under it (with summaries)."""
        hit = self._find(key, count=True)
        if hit is not None:
            return hit
        with self._flight.hold(key):
            hit = self._find(key, count=False)  # another session computed it meanwhile
            if hit is not None:
                return hit
            return self._admit(key, with_summaries(compute()))

    def stats(self) -> StoreStats:
        return StoreStats(memory=self._memory.stats(), disk=self._disk.stats())

    def held_keys(self) -> tuple:
        """Keys held in either tier, least recently used first within each."""
        return self._memory.held_keys() + self._disk.held_keys()

    def _find(self, key, *, count: bool) -> AttentionResult | None:
        hit = self._memory.get(key, count=count)
        if hit is not None:
            return hit
        spilled = self._disk.get(key, count=count)
        if spilled is None:
            return None
        try:
            return spilled.open()
        except FileNotFoundError:  # evicted by another session between lookup and open
            return None

    def _admit(self, key, result: AttentionResult) -> AttentionResult:
        if memory_bytes(result) <= self.limits.spill_above_bytes:
            self._memory.put(key, _read_only(result))
            return result
        entry = self._write(key, result)
        if not self._disk.put(key, entry):
            entry.delete()  # bigger than the whole disk budget: served once, not kept
            return result
        return entry.open()  # the caller's copy is the map: the in-memory arrays can go

    def _write(self, key, result: AttentionResult) -> _OnDisk:
        stem = hashlib.sha256(repr(key).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        self._folder.mkdir(parents=True, exist_ok=True)  # a /tmp cleaner may have removed it
        attentions = self._folder / f"{stem}.attentions.npy"
        summaries = self._folder / f"{stem}.summaries.npy"
        np.save(attentions, np.ascontiguousarray(result.attentions, dtype=np.float32))
        np.save(summaries, np.stack([result.summaries.head_mean, result.summaries.rollout]))
        header = replace(result, attentions=np.empty((0,) * 4, np.float32), summaries=None)
        size = attentions.stat().st_size + summaries.stat().st_size
        return _OnDisk(header, attentions, summaries, size)


def _read_only(result: AttentionResult) -> AttentionResult:
    """Shared by every session: nobody may write into it."""
    result.attentions.flags.writeable = False
    for array in (result.summaries.head_mean, result.summaries.rollout):
        array.flags.writeable = False
    return result


def _private_folder(owner: object) -> Path:
    """A temporary folder that disappears with ``owner`` (or the process)."""
    folder = Path(tempfile.mkdtemp(prefix=f"cellular-attention-{os.getpid()}-"))
    weakref.finalize(owner, shutil.rmtree, folder, ignore_errors=True)
    return folder
