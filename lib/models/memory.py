"""Give large freed tensors back to the operating system at once (glibc only).

A 512-token forward pass allocates and frees many 1-13 MB buffers (attention scores, one
[heads, seq, seq] block per layer). glibc's malloc serves blocks that large with mmap, but
its threshold is dynamic: each freed mmap block raises it to that block's size (up to
32 MB), after which same-sized blocks come from the heap, where a freed block in the
middle stays resident and the next block that does not fit in the hole grows the heap
again. Resident memory then ratchets up within one long prompt and never comes down.
Pinning the threshold (which also switches the dynamic rule off, see mallopt(3),
M_MMAP_THRESHOLD) keeps every large block mmapped, so freeing it returns the pages.
On a 512-token prompt it took the server's peak from about 830 MB to 680 MB
(bench/bench_load.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from dataclasses import dataclass

M_MMAP_THRESHOLD = -3  # mallopt parameter number, from glibc's malloc.h
DEFAULT_THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value


@dataclass(frozen=True)
class HeapPolicy:
    applied: bool
    threshold_bytes: int
    reason: str  # why it was or was not applied, for logs and tests


_APPLIED: HeapPolicy | None = None


def return_large_blocks_promptly(*, threshold_bytes: int = DEFAULT_THRESHOLD_BYTES) -> HeapPolicy:
    """Pin glibc's mmap threshold for this process; a no-op elsewhere. Safe to call often."""
    global _APPLIED
    if _APPLIED is not None and _APPLIED.threshold_bytes == threshold_bytes:
        return _APPLIED
    _APPLIED = _pin_mmap_threshold(threshold_bytes)
    return _APPLIED


def _pin_mmap_threshold(threshold_bytes: int) -> HeapPolicy:
    if not sys.platform.startswith("linux"):
        return HeapPolicy(False, threshold_bytes, f"not glibc ({sys.platform})")
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError) as error:  # musl (Alpine) has no mallopt
        return HeapPolicy(False, threshold_bytes, f"no mallopt in {name}: {error}")
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    if mallopt(M_MMAP_THRESHOLD, threshold_bytes) != 1:
        return HeapPolicy(False, threshold_bytes, "mallopt refused the threshold")
    return HeapPolicy(True, threshold_bytes, "mmap threshold pinned")
