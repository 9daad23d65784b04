"""The live figure of each analogy section, built from real attention and lib.chromatin.

Each builder takes the stored attention of the section's prompt(s) and the section's
settings, and returns a :class:`~lib.learn.figure.Figure`. The identity behind every
"chromatin" figure is Shea & Ackers (1985) and Bintu et al. (2005): a row a gives energies
eps = -kT ln a whose Boltzmann occupancy is a again. Rows come from lib.attention.relevance
(Vaswani et al. 2017). [CLS]/[SEP] take most of the attention in this model (a sink: Xiao
et al. 2023): the bar figures drop them and renormalise, and the input and teamwork scenes
hold their share as unbound factor in the reservoir, as Explore's reservoir mode does.
"""

from __future__ import annotations

import numpy as np

from lib.attention.context import compare_contexts
from lib.attention.extract import AttentionResult
from lib.attention.heads import one_head_per_pattern, profile_heads
from lib.attention.relevance import (
    HeadChoice,
    Relevance,
    label_index,
    level_groups,
    select_relevance,
)
from lib.charts.attention import context_bars
from lib.charts.learn import layer_rows_heatmap
from lib.charts.occupancy import attention_vs_occupancy_bars
from lib.chromatin.from_attention import chromatin_from_attention
from lib.chromatin.scene_model import SCENE_EVENTS, SEARCH_SHARE, scene_from_attention
from lib.learn.figure import Figure, Message, Scene
from lib.learn.figures import find_label, received_share, rows_across_layers
from lib.pipeline.views import team_view


def _query(result: AttentionResult, word: str | None, *, level: str = "token") -> int:
    labels, _ = level_groups(result, level=level)
    # Fallback: the last word before [SEP] when the section names no word or it is missing.
    return find_label(labels, word, fallback=len(labels) - 2)


def _row(result: AttentionResult, *, word: str | None, layer: int, head: HeadChoice,
         level: str = "token") -> Relevance:
    return select_relevance(result, query=_query(result, word, level=level), layer=layer,
                            head=head, level=level, special="drop")


def input_figure(result: AttentionResult, *, layer: int) -> Figure:
    """Every word piece is a locus; how much attention each one receives, as occupancy.

    [CLS] and [SEP] are a sink (Xiao et al. 2023), not the content: their share is drawn as
    unbound factor in the reservoir, so the loci hold exactly the words' shares.
    """
    share = received_share(result, layer=layer)
    words = np.flatnonzero(~share.special)  # [w] token positions of the loci
    sink = float(share.share[share.special].sum())
    on_words = share.share[words]  # [w] sums to 1 - sink
    top = words[np.argsort(on_words)[::-1][:3]]
    scene = scene_from_attention(on_words, [share.labels[i] for i in words],
                                 species=("a TF",), unbound=sink if sink > 0 else SEARCH_SHARE,
                                 events=SCENE_EVENTS, numbers=tuple(int(i) for i in words))
    return Figure((
        Scene(scene, key="an_input_scene"),
        Message("input_share", {"layer": layer, "sink": sink, "top": ", ".join(
            f"'{share.labels[i]}' {share.share[i]:.0%}" for i in top)}),
    ))


def decision_figure(result: AttentionResult, *, word: str | None, layer: int,
                    head: HeadChoice) -> Figure:
    """One query's row beside the occupancy it implies: equal to machine precision."""
    row = _row(result, word=word, layer=layer, head=head)
    occupancy = chromatin_from_attention(row.weights).equilibrium.occupancy
    return Figure((
        attention_vs_occupancy_bars(
            row.labels, row.weights, occupancy, keys=row.keys,
            title=(f"Attention of '{row.labels[row.query]}' ({_heads_text(result, layer, head)})"
                   " beside the TF occupancy it implies")),
        Message("decision_gap", {"gap": float(np.abs(row.weights - occupancy).max())}),
    ))


def _heads_text(result: AttentionResult, layer: int, head: HeadChoice) -> str:
    """Which heads a figure's row comes from, in words."""
    if head == "mean":
        return f"mean of the {result.num_heads} heads of layer {layer}; Explore shows one head"
    if head == "rollout":
        return f"rollout up to layer {layer}"
    return f"head {head} of layer {layer}"


def _compared(results: tuple[AttentionResult, AttentionResult], *, word: str, layer: int,
              head: HeadChoice, names: tuple[str, str], alt_text: str):
    rows = [_row(r, word=word, layer=layer, head=head, level="word") for r in results]
    comparison = compare_contexts(rows[0].labels, rows[0].weights, rows[1].labels,
                                  rows[1].weights)
    chart = context_bars(comparison.keys, comparison.weights_a, comparison.weights_b,
                         name_a=names[0], name_b=names[1], alt_text=alt_text)
    return chart, comparison


def context_figure(result_a: AttentionResult, result_b: AttentionResult, *, word: str,
                   layer: int, head: HeadChoice) -> Figure:
    """The same word in two prompts: the row it sends changes with its context."""
    names = (result_a.text, result_b.text)
    chart, comparison = _compared(
        (result_a, result_b), word=word, layer=layer, head=head, names=names,
        alt_text=f"Attention of '{word}' in two prompts, aligned by word.")
    return Figure((chart, Message("context_distance", {"tv": comparison.tv_distance})))


def teamwork_figure(result: AttentionResult, *, word: str | None, layer: int) -> Figure:
    """Three heads of one layer with different patterns, as three TF species.

    The pattern names count [CLS]/[SEP] (a head can be a sink), so their share stays in the
    picture: each head's attention on them is its species' unbound share, in the reservoir.
    """
    profiles = profile_heads(result, layer=layer)
    heads = tuple(one_head_per_pattern(profiles))
    team = team_view(result, query=_query(result, word), layer=layer, heads=heads,
                     special="reservoir")
    sink = 1.0 - team.rows.sum(axis=1)  # [species] each head's mass on special tokens
    names = tuple(f"head {h}: {profiles[h].pattern}" for h in heads)
    part = team.window.as_slice()
    scene = scene_from_attention(team.rows[:, part], team.labels[part], species=names,
                                 unbound=np.where(sink > 0, sink, SEARCH_SHARE),
                                 events=SCENE_EVENTS, numbers=team.keys[part])
    return Figure((
        Scene(scene, key="an_teamwork_scene"),
        Message("teamwork_heads"),
    ))


def dynamics_figure(before: AttentionResult, after: AttentionResult, *, word: str, layer: int,
                    head: HeadChoice) -> Figure:
    """An edited prompt recomputes the row: the word's binding pattern changes with it."""
    if label_index(level_groups(after, level="word")[0], word) is None:
        return Figure((Message("dynamics_word_missing", {"word": word}, kind="info"),))
    chart, comparison = _compared(
        (before, after), word=word, layer=layer, head=head,
        names=("before the edit", "after the edit"),
        alt_text=f"The row of '{word}' before and after editing the prompt.")
    return Figure((chart, Message("dynamics_recomputed", {"tv": comparison.tv_distance})))


def instructions_figure(result: AttentionResult, *, word: str | None) -> Figure:
    """The same query in every layer: one prompt, a different learned rule per layer."""
    query = _query(result, word)
    keys, rows = rows_across_layers(result, query=query, special="drop")
    label = level_groups(result, level="token")[0][query]
    return Figure((
        layer_rows_heatmap(
            rows, keys, title=f"'{label}' in every layer: same prompt, different weights",
            alt_text=f"Attention of '{label}' at each of the {len(rows)} layers."),
        Message("instructions_layers"),
    ))


def temperature_row(result: AttentionResult, *, word: str | None, layer: int,
                    head: HeadChoice) -> Relevance:
    """The row the "why it works" figure re-tempers in the browser."""
    return _row(result, word=word, layer=layer, head=head)
