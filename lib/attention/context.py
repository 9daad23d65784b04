"""Compare one word's attention in two prompts: the same gene in two cell types.

Keys are matched by their text (case-insensitive, in order of occurrence), so the rows
of two different prompts can be set side by side; keys found in only one prompt carry
that prompt's context-specific mass. The distance between the rows is the total-variation
distance, half the L1 norm (Levin, Peres & Wilmer, "Markov Chains and Mixing Times").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ContextComparison:
    keys: tuple[str, ...]  # union of the two rows' key labels  [k]
    weights_a: np.ndarray  # float64 [k], 0 where the key is not in prompt A
    weights_b: np.ndarray  # float64 [k]
    in_a: np.ndarray  # bool [k]
    in_b: np.ndarray  # bool [k]
    tv_distance: float  # 0.5 * sum |a - b| over the aligned keys

    @property
    def difference(self) -> np.ndarray:
        return self.weights_b - self.weights_a  # [k]


def _occurrence_keys(labels: tuple[str, ...]) -> list[tuple[str, int]]:
    seen: Counter[str] = Counter()
    keys = []
    for label in labels:
        norm = label.casefold()
        keys.append((norm, seen[norm]))
        seen[norm] += 1
    return keys


def shared_words(labels_a: list[str], labels_b: list[str]) -> list[str]:
    """Word-like labels found in both prompts, in prompt A's order (no duplicates)."""
    in_b = {label.casefold() for label in labels_b}
    result: list[str] = []
    for label in labels_a:
        if label.casefold() in in_b and any(ch.isalnum() for ch in label) and not (
            label.startswith("[") and label.endswith("]")
        ) and label.casefold() not in {r.casefold() for r in result}:
            result.append(label)
    return result


def compare_contexts(
    labels_a: tuple[str, ...], weights_a: np.ndarray, labels_b: tuple[str, ...], weights_b: np.ndarray
) -> ContextComparison:
    """Align two attention rows by key text; keys of one prompt only get 0 in the other."""
    keys_a, keys_b = _occurrence_keys(labels_a), _occurrence_keys(labels_b)
    order: list[tuple[str, int]] = list(dict.fromkeys(keys_a + keys_b))
    display: dict[tuple[str, int], str] = {}
    for key, label in list(zip(keys_b, labels_b, strict=False)) + list(zip(keys_a, labels_a, strict=False)):
        display[key] = label
    index = {key: i for i, key in enumerate(order)}
    a = np.zeros(len(order))
    b = np.zeros(len(order))
    a[[index[k] for k in keys_a]] = weights_a
    b[[index[k] for k in keys_b]] = weights_b
    in_a = np.isin(np.arange(len(order)), [index[k] for k in keys_a])
    in_b = np.isin(np.arange(len(order)), [index[k] for k in keys_b])
    return ContextComparison(
        keys=tuple(display[k] for k in order),
        weights_a=a,
        weights_b=b,
        in_a=in_a,
        in_b=in_b,
        tv_distance=float(0.5 * np.abs(a - b).sum()),
    )
