"""Run a model on a prompt and return its real attention weights.

Extraction is kept apart from every view, as in bertviz (Vig 2019, "A Multiscale
Visualization of Attention in the Transformer Model"): one function runs the model and
returns a frozen :class:`AttentionResult`; charts and the chromatin model only read it.
Attention is softmax(QK^T/sqrt(d)) per head (Vaswani et al. 2017).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from lib.models.loading import LoadedModel, ModelKind

# Capping characters before tokenising bounds tokenizer time and memory for huge pastes.
DEFAULT_MAX_CHARS = 4000
DEFAULT_MAX_TOKENS = 512


class PromptError(ValueError):
    """The prompt cannot be analysed; the message says what to change."""


class AttentionError(RuntimeError):
    """The model ran but gave no usable attention; the message says what to do."""


@dataclass(frozen=True)
class LayerSummaries:
    """What the mean and rollout views read, computed once per prompt (float64)."""

    head_mean: np.ndarray  # [layers, seq, seq]: mean over heads
    rollout: np.ndarray  # [layers, seq, seq]: attention rollout up to and including each layer


@dataclass(frozen=True)
class AttentionResult:
    text: str  # the prompt as analysed (after cleaning and truncation)
    tokens: tuple[str, ...]  # displayed strings, one per token  [seq]
    word_ids: tuple[int, ...]  # word index per token, -1 for special tokens  [seq]
    special_mask: np.ndarray  # bool  [seq]
    model_kind: ModelKind
    attentions: np.ndarray  # float32  [layers, heads, seq, seq], rows = queries
    truncated: bool
    model_name: str
    original_chars: int  # length of the prompt the user gave
    # Filled in by lib.attention.relevance.with_summaries (the serving store always does);
    # without them the mean and rollout are computed from ``attentions`` on demand.
    summaries: LayerSummaries | None = None

    @property
    def num_layers(self) -> int:
        return int(self.attentions.shape[0])

    @property
    def num_heads(self) -> int:
        return int(self.attentions.shape[1])

    @property
    def seq_len(self) -> int:
        return int(self.attentions.shape[-1])

    @property
    def words(self) -> tuple[str, ...]:
        """Displayed word strings, in word-id order (special tokens excluded)."""
        pieces: dict[int, list[str]] = {}
        for token, word in zip(self.tokens, self.word_ids, strict=False):
            if word >= 0:
                pieces.setdefault(word, []).append(token)
        return tuple("".join(pieces[w]) for w in sorted(pieces))


def clean_prompt(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> tuple[str, bool]:
    """Drop control characters (not tabs/newlines), normalise to NFC, cap the length.

    Returns (cleaned, truncated). Raises PromptError when nothing analysable is left.
    """
    if not isinstance(text, str):
        raise PromptError("The prompt must be text. Type a sentence in the prompt box.")
    truncated = len(text) > max_chars
    text = text[:max_chars]
    kept = "".join(
        ch for ch in text if ch in "\t\n" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    kept = unicodedata.normalize("NFC", kept)
    if not kept.strip():
        raise PromptError(
            "The prompt is empty. Type a sentence, or pick one of the example prompts."
        )
    return kept, truncated


def _display_tokens(text: str, ids: list[int], offsets: list[tuple[int, int]],
                    special: list[bool], tokenizer) -> list[str]:
    """Show each token as the slice of the user's own text it covers (keeps case and accents)."""
    raw = tokenizer.convert_ids_to_tokens(ids)
    shown = []
    for token, (start, end), is_special in zip(raw, offsets, special, strict=False):
        piece = text[start:end].strip() if end > start and not is_special else ""
        shown.append(piece or str(token))
    return shown


def _word_ids(encoding, special: list[bool]) -> list[int]:
    words = encoding.word_ids(0)
    return [-1 if is_special or word is None else int(word) for word, is_special in zip(words, special, strict=False)]


def _to_numpy(layers: list) -> np.ndarray:
    """Copy per-layer [1, heads, seq, seq] tensors into one float32 array, dropping each
    tensor once copied: at 512 tokens that keeps the peak near one copy (75 MB), not two."""
    first = layers[0][0]
    out = np.empty((len(layers), *first.shape), dtype=np.float32)  # [layers, heads, seq, seq]
    for index in range(len(layers)):
        out[index] = layers[index][0].float().numpy()
        layers[index] = None
    return out


def extract_attention(
    loaded: LoadedModel,
    text: str,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> AttentionResult:
    """Tokenise ``text``, run one forward pass, and return every layer's attention."""
    import torch

    original_chars = len(text) if isinstance(text, str) else 0
    cleaned, char_truncated = clean_prompt(text, max_chars=max_chars)
    limit = max(2, min(max_tokens, loaded.max_tokens))
    tokenizer = loaded.tokenizer
    if not getattr(tokenizer, "is_fast", False):
        raise AttentionError(
            f"{loaded.display_name} has only a slow tokenizer, which cannot map tokens back "
            "to your text. Fix: choose a model that ships a fast tokenizer (tokenizer.json)."
        )
    with loaded.tokenizer_lock:  # one session at a time: see LoadedModel
        encoding = tokenizer(
            cleaned,
            return_tensors="pt",
            return_offsets_mapping=True,
            return_special_tokens_mask=True,
            truncation=True,
            max_length=limit,
            return_overflowing_tokens=False,
        )
        full_length = len(tokenizer(cleaned, add_special_tokens=True)["input_ids"])
    ids = encoding["input_ids"][0].tolist()
    if not ids:
        raise PromptError(
            "The model's tokenizer produced no tokens for this prompt. Try ordinary words."
        )
    special = [bool(s) for s in encoding["special_tokens_mask"][0].tolist()]
    offsets = [tuple(int(v) for v in pair) for pair in encoding["offset_mapping"][0].tolist()]
    inputs = {"input_ids": encoding["input_ids"], "attention_mask": encoding["attention_mask"]}
    # The copy to numpy stays under the lock too: otherwise the next session's forward pass
    # (and its own full set of layers) would overlap this one's two copies, and a class
    # sending long prompts at once would stack their peaks.
    with loaded.lock, torch.inference_mode():
        outputs = loaded.model(**inputs, output_attentions=True)
        attentions = list(getattr(outputs, "attentions", None) or [])
        del outputs  # the list is now the only owner, so each layer is freed once copied
        if not attentions or any(a is None for a in attentions):
            raise AttentionError(
                f"{loaded.display_name} returned no attention weights. Make sure it is loaded "
                "with attn_implementation='eager' and output_attentions=True; some attention "
                "kernels (SDPA, flash) do not return them."
            )
        stacked = _to_numpy(attentions)  # [layers, heads, seq, seq]
    last = offsets[max((i for i, s in enumerate(special) if not s), default=0)][1]
    shown_text = cleaned[:last] if full_length > len(ids) else cleaned
    return AttentionResult(
        text=shown_text,
        tokens=tuple(_display_tokens(cleaned, ids, offsets, special, tokenizer)),
        word_ids=tuple(_word_ids(encoding, special)),
        special_mask=np.array(special, dtype=bool),
        model_kind=loaded.kind,
        attentions=np.ascontiguousarray(stacked, dtype=np.float32),
        truncated=char_truncated or full_length > len(ids),
        model_name=loaded.display_name,
        original_chars=original_chars,
    )
