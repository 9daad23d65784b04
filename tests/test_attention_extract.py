"""Extraction and relevance on the real bundled model and tiny random models."""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
import pytest

from lib.attention.extract import PromptError, clean_prompt, extract_attention
from lib.attention.relevance import (
    attention_matrix,
    merge_words,
    rollout,
    select_relevance,
    temper,
)
from lib.models.loading import load_model

FRANCE = "What's the capital of France?"


@pytest.fixture(scope="module")
def france(bundled):
    return extract_attention(bundled, FRANCE)


def test_shape_and_rows_sum_to_one(france):
    seq = len(france.tokens)
    assert france.attentions.shape == (6, 12, seq, seq)
    assert france.attentions.dtype == np.float32
    np.testing.assert_allclose(france.attentions.sum(-1), 1.0, atol=1e-5)


def test_tokens_round_trip_to_the_text(france):
    shown = "".join(t for t, s in zip(france.tokens, france.special_mask, strict=False) if not s)
    assert shown == "".join(FRANCE.split())
    assert france.tokens[0] == "[CLS]" and france.tokens[-1] == "[SEP]"
    assert list(france.special_mask) == [True] + [False] * (len(france.tokens) - 2) + [True]
    assert "France" in france.tokens  # user's casing kept, not the uncased vocabulary


def test_word_ids_group_subword_pieces(bundled):
    result = extract_attention(bundled, "Unbelievably transcriptional")
    assert "Unbelievably" in result.words and "transcriptional" in result.words
    assert len(result.tokens) > len(result.words) + 2


def test_rollout_rows_sum_to_one(france):
    flow = rollout(france.attentions)
    np.testing.assert_allclose(flow.sum(-1), 1.0, atol=1e-9)
    assert not np.allclose(flow, attention_matrix(france, layer=5, head="mean"))


def test_rollout_of_one_layer_is_half_attention_half_identity(france):
    first = rollout(france.attentions, upto_layer=0)
    expected = 0.5 * france.attentions[0].astype(float).mean(0) + 0.5 * np.eye(france.seq_len)
    np.testing.assert_allclose(first, expected / expected.sum(-1, keepdims=True), atol=1e-12)


def test_merging_subwords_preserves_mass(bundled):
    result = extract_attention(bundled, "Unbelievably, chromatin remodelling is fascinating")
    matrix = attention_matrix(result, layer=3, head=4)
    merged, groups = merge_words(matrix, result.word_ids)
    assert merged.shape[0] == len(groups) < result.seq_len
    # float32 rows sum to 1 within 1e-6; merging must not add error beyond that
    np.testing.assert_allclose(merged.sum(-1), matrix.sum(-1).mean(), atol=1e-6)
    for index, members in enumerate(groups):
        assert merged[index].sum() == pytest.approx(matrix[members].sum(1).mean(), abs=1e-12)


def test_word_level_relevance_sums_keys_of_a_word(bundled):
    result = extract_attention(bundled, "Unbelievably true")
    token_rel = select_relevance(result, query=1, layer=1, head=0, level="token")
    word_rel = select_relevance(result, query=1, layer=1, head=0, level="word")
    pieces = [i for i, w in enumerate(result.word_ids) if w == 0]
    # query is the first piece in token view; in word view, the mean over the pieces' rows
    matrix = attention_matrix(result, layer=1, head=0)
    expected = matrix[pieces][:, pieces].sum(axis=1).mean()
    assert word_rel.labels[1] == "Unbelievably"
    assert word_rel.weights[1] == pytest.approx(expected, abs=1e-6)
    assert token_rel.weights.sum() == pytest.approx(1.0, abs=1e-6)


def test_temperature_limits(france):
    row = attention_matrix(france, layer=2, head=3)[5]
    np.testing.assert_allclose(temper(row, temperature=1.0), row / row.sum(), atol=1e-12)
    cold = temper(row, temperature=0.05)
    hot = temper(row, temperature=20.0)
    assert cold.max() > 0.99 and cold.argmax() == row.argmax()
    assert hot.max() - hot.min() < (row.max() - row.min()) / 5
    np.testing.assert_allclose(hot, 1 / row.size, atol=0.05)
    with pytest.raises(ValueError, match="Temperature"):
        temper(row, temperature=0.0)


@pytest.mark.parametrize("mode", ["keep", "drop", "reservoir"])
def test_special_token_modes_conserve_mass(france, mode):
    rel = select_relevance(france, query=7, layer=2, head="mean", special=mode)
    assert rel.weights.sum() + rel.reservoir == pytest.approx(1.0, abs=1e-6)
    has_special = any(label in ("[CLS]", "[SEP]") for label in rel.labels)
    assert has_special == (mode == "keep")
    assert rel.labels[rel.query] == "France"
    if mode == "reservoir":
        row = attention_matrix(france, layer=2, head="mean")[7]
        assert rel.reservoir == pytest.approx(row[france.special_mask].sum(), abs=1e-6)


def test_decoder_masked_entries_are_exactly_zero(model_root):
    gpt = load_model(str(model_root / "tiny-gpt2"), local_root=model_root)
    result = extract_attention(gpt, "tell me about paris hilton news")
    assert result.model_kind == "decoder"
    upper = np.triu(np.ones((result.seq_len, result.seq_len), dtype=bool), k=1)
    assert np.all(result.attentions[..., upper] == 0.0)
    rel = select_relevance(result, query=1, layer=0, head=0)
    assert rel.closed[2:].all() and not rel.closed[:2].any()
    assert np.all(rel.weights[rel.closed] == 0.0)


def test_encoder_has_no_closed_keys(model_root):
    bert = load_model(str(model_root / "tiny-bert"), local_root=model_root)
    result = extract_attention(bert, "tell me about paris")
    assert result.model_kind == "encoder"
    rel = select_relevance(result, query=1, layer=0, head=1)
    assert not rel.closed.any()


@pytest.mark.parametrize("prompt", ["", "   \n\t ", "\x00\x01\x02"])
def test_empty_prompts_give_a_clear_message(bundled, prompt):
    with pytest.raises(PromptError, match="empty"):
        extract_attention(bundled, prompt)


def test_huge_prompt_is_truncated_and_flagged(bundled):
    result = extract_attention(bundled, "paris " * 4000)  # 24,000 characters
    assert result.truncated and result.original_chars == 24000
    assert result.seq_len <= 512
    np.testing.assert_allclose(result.attentions.sum(-1), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    "prompt",
    [
        "👩‍👩‍👧‍👦 family emoji",  # ZWJ sequence
        "שלום עולם and مرحبا",  # right-to-left
        "cafe\u0301 Zoë",  # combining mark
        "tab\there\x07bell\x1b[31m",  # control characters
        "<script>alert(1)</script>",
        "中文 日本語 한국어",
    ],
)
def test_odd_unicode_and_markup_run_cleanly(bundled, prompt):
    result = extract_attention(bundled, prompt)
    np.testing.assert_allclose(result.attentions.sum(-1), 1.0, atol=1e-5)
    assert all("\x07" not in t and "\x1b" not in t for t in result.tokens)
    if prompt.startswith("<script>"):
        assert "".join(t for t, s in zip(result.tokens, result.special_mask, strict=False) if not s) == prompt


def test_clean_prompt_drops_control_characters_but_keeps_text():
    cleaned, truncated = clean_prompt("a\x00b\x1bc\nd", max_chars=100)
    assert cleaned == "abc\nd" and not truncated
    assert clean_prompt("x" * 50, max_chars=10) == ("x" * 10, True)


def test_same_prompt_gives_identical_attention(bundled):
    first = extract_attention(bundled, FRANCE).attentions
    second = extract_attention(bundled, FRANCE).attentions
    assert np.array_equal(first, second)


class WatchedTokenizer:
    """The real tokenizer, counting how many threads are inside it at once. Each call
    lingers a little first, so that unserialised calls would certainly overlap."""

    def __init__(self, real) -> None:
        self.real, self.inside, self.most = real, 0, 0
        self.count = threading.Lock()

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __call__(self, *args, **kwargs):
        with self.count:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            time.sleep(0.02)
            return self.real(*args, **kwargs)
        finally:
            with self.count:
                self.inside -= 1


def test_sessions_never_share_the_tokenizer_at_once(bundled):
    """Truncation is state on the shared fast tokenizer: a session's call without it, run
    during another's, once sent a 520-token prompt to a 512-token model under load."""
    watched = dataclasses.replace(bundled, tokenizer=WatchedTokenizer(bundled.tokenizer))
    start = threading.Barrier(4)
    lengths = []

    def analyse(i: int) -> None:
        start.wait()
        lengths.append(extract_attention(watched, f"{i} " + "paris " * 60, max_tokens=24).seq_len)

    threads = [threading.Thread(target=analyse, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert watched.tokenizer.most == 1
    assert lengths == [24] * 4


def test_one_head_per_pattern_keeps_the_first_head_of_each_pattern_in_order():
    from lib.attention.heads import HeadProfile, one_head_per_pattern

    def head(i: int, pattern: str) -> HeadProfile:
        return HeadProfile(i, pattern, 1.0, 0.5, {})

    patterns = ["self", "broad", "self", "previous-token", "broad", "mixed"]
    profiles = tuple(head(i, p) for i, p in enumerate(patterns))
    assert one_head_per_pattern(profiles) == [0, 1, 3]
    assert one_head_per_pattern(profiles, limit=5) == [0, 1, 3, 5]
    assert one_head_per_pattern(profiles[:1]) == [0]
