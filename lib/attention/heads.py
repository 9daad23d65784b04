"""Profile each attention head on one prompt: its entropy and the pattern it follows.

Clark et al. (2019, "What Does BERT Look At?") found heads that specialise in the previous
or the next token, heads that attend broadly, and much attention parked on [SEP] and [CLS]
(a "sink", Xiao et al. 2023); they report that most heads put little attention on the
current token, so "self" is a label this module can give, not a pattern the paper found
common. The labels are computed from the attention itself, on the prompt given: the mean
mass each pattern receives over the non-special queries. The same head can earn another
label on another prompt, so a label describes the head on this prompt only.

Entropy is normalised per row by the log of the number of keys that row can see: every key
in an encoder, but only the first i+1 in row i of a decoder (its causal mask), so a uniform
row scores 1 in both. The previous- and next-token masses count only real (non-special)
neighbours: the [CLS] before the first word and the [SEP] after the last are sink mass.
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
    normalised_entropy: float  # mean of entropy / log2(keys the row sees): 0 one-hot, 1 uniform
    scores: dict[str, float]  # mean mass per structural pattern, on this prompt


def row_entropy_bits(matrix: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits of each row of a [..., n] stochastic matrix."""
    p = np.clip(np.asarray(matrix, dtype=np.float64), 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(p), 0.0)
    return terms.sum(axis=-1)


def _neighbour_mass(matrix: np.ndarray, queries: np.ndarray, special: np.ndarray, step: int):
    """Mean mass each query puts on its neighbour ``step`` away (-1 previous, +1 next), over
    the queries whose neighbour is a real token; 0 when none has one."""
    seq = matrix.shape[-1]
    keys = queries + step
    real = (keys >= 0) & (keys < seq)
    real[real] = ~special[keys[real]]
    if not real.any():
        return 0.0
    return float(matrix[queries[real], keys[real]].mean())


def _pattern_masses(
    matrix: np.ndarray, queries: np.ndarray, special: np.ndarray
) -> dict[str, float]:
    rows = matrix[queries]  # [q, seq]
    sink_keys = special.copy()
    sink_keys[0] = True  # the first token is the sink in decoders without a BOS token
    return {
        "previous-token": _neighbour_mass(matrix, queries, special, -1),
        "self": float(np.mean(matrix[queries, queries])),
        "next-token": _neighbour_mass(matrix, queries, special, +1),
        "first-token/sink": float(rows[:, sink_keys].sum(axis=1).mean()),
    }


def visible_keys(seq_len: int, queries: np.ndarray, *, causal: bool) -> np.ndarray:
    """How many keys each query row can attend to: all of them, or i+1 under a causal mask."""
    return queries + 1 if causal else np.full(queries.shape, seq_len)


def normalised_entropy(matrix: np.ndarray, queries: np.ndarray, *, causal: bool) -> float:
    """Mean over the rows of entropy / log2(keys that row sees); rows seeing one key skipped."""
    seen = visible_keys(matrix.shape[-1], queries, causal=causal)
    usable = seen > 1
    if not usable.any():
        return 0.0
    bits = row_entropy_bits(matrix[queries[usable]])  # [q]
    return float(np.mean(bits / np.log2(seen[usable])))


def profile_heads(result: AttentionResult, *, layer: int) -> tuple[HeadProfile, ...]:
    """One profile per head of ``layer``, measured on ``result``'s prompt."""
    if not 0 <= layer < result.num_layers:
        raise ValueError(f"Layer {layer} does not exist: pick 0-{result.num_layers - 1}.")
    special = np.asarray(result.special_mask, dtype=bool)
    queries = np.flatnonzero(~special)
    if queries.size == 0:
        queries = np.arange(result.seq_len)
    causal = result.model_kind == "decoder"
    if causal:
        queries = queries[queries > 0] if queries.size > 1 else queries  # row 0 is forced
    profiles = []
    for head in range(result.num_heads):
        matrix = result.attentions[layer, head].astype(np.float64)  # [seq, seq]
        masses = _pattern_masses(matrix, queries, special)
        bits = float(row_entropy_bits(matrix[queries]).mean())
        spread = normalised_entropy(matrix, queries, causal=causal)
        profiles.append(HeadProfile(head, _label(masses, spread), bits, spread, masses))
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
