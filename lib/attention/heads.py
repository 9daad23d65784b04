"""Profile each attention head: its entropy and the pattern it follows.

Clark et al. (2019, "What Does BERT Look At?") found heads that attend to the previous
token, to the token itself, to the next token, or broadly, and many that park their
attention on [CLS]/[SEP] (a "sink", Xiao et al. 2023). The labels here are computed from
the attention itself: the mean mass each pattern receives over the non-special queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.attention.extract import AttentionResult

PATTERNS = ("previous-token", "self", "next-token", "first-token/sink", "broad", "mixed")
DOMINANCE = 0.5  # a pattern names the head when it gets at least half the mass on average
BROAD_ENTROPY = 0.75  # normalised entropy above which a head spreads its attention


@dataclass(frozen=True)
class HeadProfile:
    head: int
    pattern: str  # one of PATTERNS
    entropy_bits: float  # mean row entropy over non-special queries
    normalised_entropy: float  # entropy / log2(seq): 0 = one-hot, 1 = uniform
    scores: dict[str, float]  # mean mass per structural pattern


def row_entropy_bits(matrix: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits of each row of a [..., n] stochastic matrix."""
    p = np.clip(np.asarray(matrix, dtype=np.float64), 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(p), 0.0)
    return terms.sum(axis=-1)


def _pattern_masses(matrix: np.ndarray, queries: np.ndarray, special: np.ndarray) -> dict[str, float]:
    seq = matrix.shape[-1]
    rows = matrix[queries]  # [q, seq]
    prev = np.array([matrix[i, i - 1] if i > 0 else 0.0 for i in queries])
    nxt = np.array([matrix[i, i + 1] if i + 1 < seq else 0.0 for i in queries])
    sink_keys = special.copy()
    sink_keys[0] = True  # the first token is the sink in decoders without a BOS token
    return {
        "previous-token": float(prev.mean()),
        "self": float(np.mean(matrix[queries, queries])),
        "next-token": float(nxt.mean()),
        "first-token/sink": float(rows[:, sink_keys].sum(axis=1).mean()),
    }


def profile_heads(result: AttentionResult, *, layer: int) -> tuple[HeadProfile, ...]:
    """One profile per head of ``layer``."""
    if not 0 <= layer < result.num_layers:
        raise ValueError(f"Layer {layer} does not exist: pick 0-{result.num_layers - 1}.")
    special = np.asarray(result.special_mask, dtype=bool)
    queries = np.flatnonzero(~special)
    if queries.size == 0:
        queries = np.arange(result.seq_len)
    if result.model_kind == "decoder":
        queries = queries[queries > 0] if queries.size > 1 else queries  # row 0 is forced
    max_bits = np.log2(result.seq_len) if result.seq_len > 1 else 1.0
    profiles = []
    for head in range(result.num_heads):
        matrix = result.attentions[layer, head].astype(np.float64)  # [seq, seq]
        masses = _pattern_masses(matrix, queries, special)
        bits = float(row_entropy_bits(matrix[queries]).mean())
        profiles.append(HeadProfile(head, _label(masses, bits / max_bits), bits, bits / max_bits, masses))
    return tuple(profiles)


def _label(masses: dict[str, float], normalised_entropy: float) -> str:
    best = max(masses, key=masses.get)
    if masses[best] >= DOMINANCE:
        return best
    return "broad" if normalised_entropy >= BROAD_ENTROPY else "mixed"


def one_head_per_pattern(profiles: tuple[HeadProfile, ...], *, limit: int = 3) -> list[int]:
    """The first head of each distinct pattern, in head order, at most ``limit`` of them.

    A small team that shows different binding preferences (Teamwork page, analogy figure).
    """
    firsts: dict[str, int] = {}
    for p in profiles:
        firsts.setdefault(p.pattern, p.head)
    return list(firsts.values())[:limit]
