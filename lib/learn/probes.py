"""Measurements that run the real model: timing, repeatability, memory and head ablation.

- Determinism: the same prompt through the same eval-mode model twice gives the same
  attention (no dropout at inference; Vaswani et al. 2017), unlike bursty transcription
  (Raj & van Oudenaarden 2008). Measured here as the largest absolute difference.
- No memory: a forward pass keeps no state between prompts, so running another prompt
  first changes nothing.
- Head ablation: one head's output is zeroed before the layer's output projection and the
  change of the sentence embedding (mean of the last hidden states, as in
  sentence-transformers, Reimers & Gurevych 2019) is measured. Many heads can be removed
  with little effect (Michel, Levy & Neubig 2019), and how much a head attends somewhere
  says little about how much it matters, the argument of Jain & Wallace (2019), with the
  caveats of Wiegreffe & Pinter (2019).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from lib.attention.extract import extract_attention
from lib.models.loading import LoadedModel


@dataclass(frozen=True)
class ForwardTiming:
    seconds: float  # median wall time of one forward pass (attention included)
    tokens: int
    repeats: int


def time_forward_pass(loaded: LoadedModel, text: str, *, repeats: int = 5) -> ForwardTiming:
    """Median wall-clock time of ``repeats`` forward passes on ``text`` (after one warm-up)."""
    if repeats < 1:
        raise ValueError(f"Repeats must be >= 1, got {repeats!r}.")
    result = extract_attention(loaded, text)  # warm-up, and the token count
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        extract_attention(loaded, text)
        times.append(time.perf_counter() - start)
    return ForwardTiming(float(np.median(times)), result.seq_len, repeats)


def repeat_difference(loaded: LoadedModel, text: str) -> float:
    """Largest |difference| between the attention of two separate forward passes on ``text``."""
    first = extract_attention(loaded, text).attentions
    second = extract_attention(loaded, text).attentions
    return float(np.abs(first - second).max())


def memory_difference(loaded: LoadedModel, earlier: str, text: str) -> float:
    """Largest |difference| in ``text``'s attention with and without ``earlier`` run first."""
    fresh = extract_attention(loaded, text).attentions
    extract_attention(loaded, earlier)
    after = extract_attention(loaded, text).attentions
    return float(np.abs(fresh - after).max())


@dataclass(frozen=True, eq=False)
class HeadAblation:
    layer: int
    special_mass: np.ndarray  # [heads] mean attention on [CLS]/[SEP] from word queries
    max_weight: np.ndarray  # [heads] mean of each word query's largest attention weight
    change: np.ndarray  # [heads] 1 - cosine(embedding, embedding without that head)


def _encoder_layers(model):
    layers = getattr(getattr(model, "encoder", None), "layer", None)
    if layers is None or not hasattr(layers[0], "attention"):
        raise ValueError(
            "Head ablation needs a BERT-style encoder (model.encoder.layer[i].attention.output). "
            "Switch back to the bundled model to see this demonstration."
        )
    return layers


def _embedding(loaded: LoadedModel, inputs) -> np.ndarray:
    import torch

    with torch.inference_mode():
        hidden = loaded.model(**inputs).last_hidden_state[0]  # [seq, hidden]
    mask = inputs["attention_mask"][0].unsqueeze(-1).to(hidden.dtype)  # [seq, 1]
    pooled = (hidden * mask).sum(0) / mask.sum()
    vector = pooled.numpy().astype(np.float64)
    return vector / np.linalg.norm(vector)


def head_ablation(loaded: LoadedModel, text: str, *, layer: int) -> HeadAblation:
    """Switch off each head of ``layer`` in turn and measure the sentence embedding's change.

    A forward pre-hook zeroes that head's slice of the context vectors just before the
    attention output projection, which is what removing the head means (Michel et al. 2019).
    """
    layers = _encoder_layers(loaded.model)
    if not 0 <= layer < len(layers):
        raise ValueError(f"Layer {layer} does not exist: pick 0-{len(layers) - 1}.")
    result = extract_attention(loaded, text)
    with loaded.tokenizer_lock:  # see LoadedModel
        inputs = loaded.tokenizer(
            result.text, return_tensors="pt", truncation=True, max_length=result.seq_len
        )
    heads = result.num_heads
    target = layers[layer].attention.output.dense
    width = target.in_features // heads
    with loaded.lock:
        base = _embedding(loaded, inputs)
        change = np.empty(heads)
        for head in range(heads):

            def zero_head(module, args, head=head):
                context = args[0].clone()
                context[..., head * width : (head + 1) * width] = 0.0
                return (context, *args[1:])

            handle = target.register_forward_pre_hook(zero_head)
            try:
                change[head] = 1.0 - float(base @ _embedding(loaded, inputs))
            finally:
                handle.remove()
    attn = result.attentions[layer].astype(np.float64)  # [heads, seq, seq]
    words = ~result.special_mask
    rows = attn[:, words] if words.any() else attn  # [heads, q, seq]
    special_mass = rows[..., result.special_mask].sum(axis=-1).mean(axis=-1)
    return HeadAblation(
        layer, special_mass, rows.max(axis=-1).mean(axis=-1), np.clip(change, 0.0, None)
    )
