"""Head profiles: entropy normalised by the keys a row can see, neighbour masses that do not
count special tokens, and labels measured on the prompt given (lib/attention/heads.py)."""

from __future__ import annotations

import numpy as np
import pytest

from lib.attention.extract import AttentionResult
from lib.attention.heads import normalised_entropy, profile_heads


def _result(matrix: np.ndarray, *, special: list[bool], kind: str) -> AttentionResult:
    seq = matrix.shape[-1]
    words = []
    for position, is_special in enumerate(special):
        words.append(-1 if is_special else position)
    return AttentionResult(
        text="t",
        tokens=tuple(f"w{i}" for i in range(seq)),
        word_ids=tuple(words),
        special_mask=np.array(special),
        model_kind=kind,
        attentions=matrix[None, None].astype(np.float32),  # [1 layer, 1 head, seq, seq]
        truncated=False,
        model_name="toy",
        original_chars=1,
    )


def _uniform_causal(seq: int) -> np.ndarray:
    rows = np.tril(np.ones((seq, seq)))
    return rows / rows.sum(axis=1, keepdims=True)  # row i: 1/(i+1) on keys 0..i


def test_a_uniform_causal_head_has_normalised_entropy_one_and_is_broad():
    result = _result(_uniform_causal(8), special=[False] * 8, kind="decoder")
    (profile,) = profile_heads(result, layer=0)
    assert profile.normalised_entropy == pytest.approx(1.0)
    assert profile.pattern == "broad"


def test_each_causal_row_is_normalised_by_the_keys_it_sees():
    matrix = _uniform_causal(4)
    matrix[3] = [0.0, 0.0, 0.0, 1.0]  # row 3 looks only at itself: entropy 0
    # rows 1 and 2 are uniform over 2 and 3 keys (1 each), row 3 is one-hot (0)
    assert normalised_entropy(matrix, np.array([1, 2, 3]), causal=True) == pytest.approx(2 / 3)
    # an encoder row sees all 4 keys: row 1 has 1 bit of log2(4) = 2 bits
    assert normalised_entropy(matrix, np.array([1]), causal=False) == pytest.approx(0.5)


def test_neighbour_masses_skip_special_tokens_which_count_as_sink():
    # [CLS] a b c [SEP]; a looks at [CLS], b half at a and half at c, c mostly back at a.
    matrix = np.array(
        [
            [1.0, 0.0, 0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 0.5, 0.0, 0.5, 0.0],
            [0.0, 0.6, 0.4, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 1.0],
        ]
    )
    result = _result(matrix, special=[True, False, False, False, True], kind="encoder")
    (profile,) = profile_heads(result, layer=0)
    # previous token: b -> a (0.5) and c -> b (0.4); a's neighbour is [CLS], not a word
    assert profile.scores["previous-token"] == pytest.approx(0.45)
    # next token: a -> b (0) and b -> c (0.5); c's neighbour is [SEP]
    assert profile.scores["next-token"] == pytest.approx(0.25)
    assert profile.scores["first-token/sink"] == pytest.approx(1 / 3)  # a's [CLS] mass, once
    assert profile.pattern != "previous-token"
