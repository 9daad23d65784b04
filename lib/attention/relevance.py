"""Turn a full attention tensor into one relevance distribution for a chosen query.

Options, each a plain transformation of attention rows:
- one layer and head, or the mean over heads;
- attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in
  Transformers"): per layer A' = 0.5*mean_heads(A) + 0.5*I for the residual stream,
  rows renormalised, then multiplied from the first layer up to the chosen layer;
- temperature: softmax(s/T) has entries proportional to a^(1/T), so re-tempering an
  attention row needs no logits;
- words: subword pieces merged (keys summed, queries averaged), which keeps rows summing to 1;
- special tokens ([CLS], [SEP], BOS): kept, dropped and renormalised, or reported as a
  separate "reservoir" mass, the "softmax +1" reading of a sink (Miller 2023,
  "Attention Is Off By One"; Xiao et al. 2023, "Efficient Streaming Language Models with
  Attention Sinks").
The returned :class:`Relevance` is what the chromatin model and the charts take unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from lib.attention.extract import AttentionResult, LayerSummaries

HeadChoice = int | Literal["mean", "rollout"]
SpecialMode = Literal["keep", "drop", "reservoir"]
Level = Literal["token", "word"]

MIN_TEMPERATURE = 0.05
MAX_TEMPERATURE = 20.0


@dataclass(frozen=True)
class Relevance:
    labels: tuple[str, ...]  # display label per key (token or word)  [n]
    weights: np.ndarray  # float64 [n], >= 0, sums to 1 - reservoir
    reservoir: float  # mass held by special tokens in "reservoir" mode, else 0
    closed: np.ndarray  # bool [n]: keys the query cannot see (causal mask)
    query: int  # index of the query among the labels, -1 if the query itself is hidden
    special: np.ndarray  # bool [n]: label is a special token (only in "keep" mode)
    positions: tuple[int, ...]  # token position of each label (first piece for words)  [n]
    keys: tuple[int, ...]  # index of each label among all the level's labels, as the
    # query picker and the heatmap number them (hidden special tokens leave gaps)  [n]


def rollout(attentions: np.ndarray, *, upto_layer: int | None = None) -> np.ndarray:
    """Attention rollout with the residual identity; returns [seq, seq] with rows summing to 1."""
    layers = attentions.shape[0] if upto_layer is None else upto_layer + 1
    seq = attentions.shape[-1]
    flow = np.eye(seq)
    identity = np.eye(seq)
    for layer in range(layers):
        mixed = 0.5 * attentions[layer].mean(axis=0, dtype=np.float64) + 0.5 * identity
        mixed /= mixed.sum(axis=-1, keepdims=True)
        flow = mixed @ flow  # [seq, seq]: later layers act on what earlier layers mixed
    return flow


def layer_summaries(attentions: np.ndarray) -> LayerSummaries:
    """Head means and rollouts of every layer of a [layers, heads, seq, seq] tensor."""
    head_mean = attentions.mean(axis=1, dtype=np.float64)  # [layers, seq, seq]
    flows = np.empty_like(head_mean)
    seq = attentions.shape[-1]
    flow, identity = np.eye(seq), np.eye(seq)
    for layer in range(attentions.shape[0]):
        mixed = 0.5 * head_mean[layer] + 0.5 * identity  # the same step as ``rollout``
        mixed /= mixed.sum(axis=-1, keepdims=True)
        flow = mixed @ flow
        flows[layer] = flow
    return LayerSummaries(head_mean=head_mean, rollout=flows)


def with_summaries(result: AttentionResult) -> AttentionResult:
    """``result`` with its head means and rollouts computed once, for every later view."""
    if result.summaries is not None:
        return result
    return replace(result, summaries=layer_summaries(result.attentions))


def attention_matrix(result: AttentionResult, *, layer: int, head: HeadChoice) -> np.ndarray:
    """The [seq, seq] matrix for one layer and head, the head mean, or the rollout."""
    _check_layer(result, layer)
    summaries = result.summaries
    if head == "rollout":
        if summaries is not None:
            return np.asarray(summaries.rollout[layer])
        return rollout(result.attentions, upto_layer=layer)
    if head == "mean":
        if summaries is not None:
            return np.asarray(summaries.head_mean[layer])
        return result.attentions[layer].mean(axis=0, dtype=np.float64)
    if not isinstance(head, (int, np.integer)) or not 0 <= head < result.num_heads:
        raise ValueError(
            f"Head {head!r} does not exist: this model has heads 0-{result.num_heads - 1}, "
            "or use 'mean' or 'rollout'."
        )
    return result.attentions[layer, int(head)].astype(np.float64)


def temper(row: np.ndarray, *, temperature: float) -> np.ndarray:
    """Entries proportional to row**(1/T), renormalised; zeros stay zero (closed stays closed)."""
    if not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        raise ValueError(
            f"Temperature {temperature} is outside {MIN_TEMPERATURE}-{MAX_TEMPERATURE}. "
            "Pick a value in that range."
        )
    row = np.asarray(row, dtype=np.float64)
    positive = row > 0
    logs = np.full(row.shape, -np.inf)
    logs[positive] = np.log(row[positive]) / temperature
    if not positive.any():
        return row.copy()
    logs -= logs[positive].max()  # log-sum-exp shift: no overflow at small T
    weights = np.where(positive, np.exp(logs), 0.0)
    return weights / weights.sum()


def word_groups(word_ids: tuple[int, ...]) -> list[list[int]]:
    """The token positions of each word, in order; special tokens are groups of their own."""
    groups: list[list[int]] = []
    seen: dict[int, int] = {}
    for position, word in enumerate(word_ids):
        if word < 0:
            groups.append([position])
        elif word in seen:
            groups[seen[word]].append(position)
        else:
            seen[word] = len(groups)
            groups.append([position])
    return groups


def merge_words(matrix: np.ndarray, word_ids: tuple[int, ...]) -> tuple[np.ndarray, list[list[int]]]:
    """Merge subword pieces: sum over key pieces, mean over query pieces.

    Special tokens become groups of their own. Returns the merged [groups, groups] matrix
    and the token positions in each group.
    """
    groups = word_groups(word_ids)
    assign = np.zeros((len(word_ids), len(groups)))  # [seq, groups]
    for index, members in enumerate(groups):
        assign[members, index] = 1.0
    summed_keys = matrix @ assign  # [seq, groups]
    averaged = (assign / assign.sum(axis=0)).T @ summed_keys  # [groups, groups]
    return averaged, groups


def level_groups(result: AttentionResult, *, level: Level) -> tuple[list[str], list[list[int]]]:
    """Labels and token positions of every token (or word) that can be a query."""
    if level == "word":
        groups = word_groups(result.word_ids)
        return [_group_label(result, members) for members in groups], groups
    return list(result.tokens), [[p] for p in range(result.seq_len)]


def _check_layer(result: AttentionResult, layer: int) -> None:
    if not 0 <= layer < result.num_layers:
        raise ValueError(
            f"Layer {layer} does not exist: this model has layers 0-{result.num_layers - 1}."
        )


def causal_closed(result: AttentionResult, positions: list[list[int]], query: int) -> np.ndarray:
    """Keys after the query are closed in a decoder (its causal mask); none in an encoder."""
    if result.model_kind != "decoder":
        return np.zeros(len(positions), dtype=bool)
    query_position = max(positions[query])
    return np.array([min(members) > query_position for members in positions], dtype=bool)


def select_relevance(
    result: AttentionResult,
    *,
    query: int,
    layer: int,
    head: HeadChoice = "mean",
    temperature: float = 1.0,
    level: Level = "token",
    special: SpecialMode = "keep",
) -> Relevance:
    """One relevance distribution over keys for query index ``query`` (in tokens or words)."""
    matrix, labels, groups = _level_matrix(result, layer=layer, head=head, level=level)
    if not 0 <= query < len(groups):
        raise ValueError(f"Query {query} is out of range: pick 0-{len(groups) - 1}.")
    is_special = np.array([result.special_mask[m[0]] and len(m) == 1 for m in groups])
    row = temper(matrix[query], temperature=temperature)
    closed = causal_closed(result, groups, query)
    return _apply_special_mode(row, labels, groups, closed, is_special, query, special)


def _level_matrix(result: AttentionResult, *, layer: int, head: HeadChoice, level: Level):
    """The [n, n] attention matrix at token or word level, with its labels and token groups."""
    matrix = attention_matrix(result, layer=layer, head=head)  # [seq, seq]
    labels, groups = level_groups(result, level=level)
    if level == "word":
        matrix, _ = merge_words(matrix, result.word_ids)
    return matrix, labels, groups


def _group_label(result: AttentionResult, members: list[int]) -> str:
    return "".join(result.tokens[p] for p in members) if len(members) > 1 else result.tokens[members[0]]


def _hides_special(is_special: np.ndarray, mode: SpecialMode) -> bool:
    return mode != "keep" and bool(is_special.any()) and not bool(is_special.all())


def _special_weights(row: np.ndarray, is_special: np.ndarray,
                     mode: SpecialMode) -> tuple[np.ndarray, float]:
    """The row's weights over the keys it shows, and the mass held as a reservoir."""
    if not _hides_special(is_special, mode):
        return row, 0.0
    kept = row[~is_special]
    if mode == "reservoir":
        return kept, float(row[is_special].sum())
    total = kept.sum()
    return (kept / total if total > 0 else np.full(kept.shape, 1.0 / kept.size)), 0.0


def _apply_special_mode(row, labels, groups, closed, is_special, query, mode) -> Relevance:
    keys = np.arange(len(labels))
    row, reservoir = _special_weights(row, is_special, mode)
    if _hides_special(is_special, mode):
        keep = ~is_special
        kept_index = np.flatnonzero(keep)
        # A special-token query has no column once specials are hidden: -1 means "not shown".
        query = int(np.searchsorted(kept_index, query)) if keep[query] else -1
        keys = kept_index
        labels = [labels[i] for i in kept_index]
        groups = [groups[i] for i in kept_index]
        closed = closed[keep]
        is_special = is_special[keep]
    return Relevance(
        labels=tuple(labels),
        weights=np.asarray(row, dtype=np.float64),
        reservoir=reservoir,
        closed=np.asarray(closed, dtype=bool),
        query=int(query),
        special=np.asarray(is_special, dtype=bool),
        positions=tuple(int(m[0]) for m in groups),
        keys=tuple(int(k) for k in keys),
    )



@dataclass(frozen=True)
class ShownMatrix:
    """The heatmap's rows: each exactly the row ``select_relevance`` gives for that query."""

    matrix: np.ndarray  # float64 [rows, keys], tempered, special keys hidden as asked
    labels: tuple[str, ...]  # the level's labels of the shown keys  [keys]
    keys: tuple[int, ...]  # index of each shown key among the level's labels  [keys]
    rows: tuple[int, ...]  # level index of each row's query  [rows]


def view_matrix(
    result: AttentionResult,
    *,
    layer: int,
    head: HeadChoice,
    level: Level = "token",
    temperature: float = 1.0,
    special: SpecialMode = "keep",
    queries: range | None = None,
) -> ShownMatrix:
    """The matrix a heatmap shows, for the query rows in ``queries`` (default: all).

    Row by row the same steps as :func:`select_relevance` (temper, then keep, drop or
    reserve the special tokens), so a heatmap row and the bars beside it agree to the bit;
    special-token queries have no row once special tokens are hidden.
    """
    matrix, labels, groups = _level_matrix(result, layer=layer, head=head, level=level)
    is_special = np.array([result.special_mask[m[0]] and len(m) == 1 for m in groups])
    wanted = range(len(labels)) if queries is None else queries
    hide = _hides_special(is_special, special)
    keys = np.flatnonzero(~is_special) if hide else np.arange(len(labels))
    rows = [q for q in wanted if not (hide and is_special[q])]
    shown = np.zeros((len(rows), keys.size))  # [rows, keys]
    for i, query in enumerate(rows):
        row = temper(matrix[query], temperature=temperature)
        shown[i] = _special_weights(row, is_special, special)[0]
    return ShownMatrix(
        matrix=shown,
        labels=tuple(labels[k] for k in keys),
        keys=tuple(int(k) for k in keys),
        rows=tuple(rows),
    )


def default_query(labels: list[str], special: np.ndarray | list[bool], *,
                  starts: np.ndarray | list[bool] | None = None) -> int:
    """A sensible first query: the last word-like token (often the topic of the prompt).

    ``starts`` marks tokens that begin a word; given, a word's first piece is preferred, so
    "neuron" split as ne + ##uron yields "ne", not the fragment "uron".
    """
    for index in range(len(labels) - 1, -1, -1):
        begins = True if starts is None else bool(starts[index])
        if not special[index] and begins and any(ch.isalnum() for ch in labels[index]):
            return index
    return 0 if starts is None else default_query(labels, special)


def label_index(labels, word: str | None) -> int | None:
    """Index of the first label equal to ``word`` ignoring case, or None (also for no word)."""
    if not word:
        return None
    wanted = word.casefold()
    return next((i for i, label in enumerate(labels) if str(label).casefold() == wanted), None)


def word_starts(result: AttentionResult) -> np.ndarray:
    """bool [seq]: which tokens begin a word (special tokens count as their own word)."""
    ids = np.asarray(result.word_ids)
    previous = np.concatenate(([-2], ids[:-1]))
    return (ids < 0) | (ids != previous)


def special_groups(result: AttentionResult, *, level: Level) -> np.ndarray:
    """bool [n]: which tokens (or words) of the chosen level are special tokens."""
    _, groups = level_groups(result, level=level)
    return np.array([len(m) == 1 and bool(result.special_mask[m[0]]) for m in groups])
