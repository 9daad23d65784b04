"""Altair views of real attention: a token strip to pick the query, a heatmap, and bars.

Views only read an :class:`~lib.attention.extract.AttentionResult` or a
:class:`~lib.attention.relevance.Relevance` (bertviz's split of extraction from views,
Vig 2019). Labels can repeat ("the" twice), so every chart keys on the position and
shows the label text beside it; labels are data, never markup.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from lib.charts.palette import (
    ATTENTION_COLOUR,
    OKABE_ITO,
    RESERVOIR_COLOUR,
    SEQUENTIAL_SCHEME,
    TEXT_COLOUR,
)
from lib.charts.window import Window

QUERY_SELECTION = "pick"


def _axis_label(index: int, label: str) -> str:
    return f"{index}\u2009{label}" if label.strip() else f"{index}\u2009\u2423"


def token_strip(labels: list[str], *, query: int, offset: int = 0, title: str = "") -> alt.Chart:
    """Tokens in a row; clicking one selects it as the query (selection ``pick`` on ``pos``).

    ``offset`` is the position of the first label when the strip shows a window.
    """
    frame = pd.DataFrame(
        {
            "pos": np.arange(len(labels)) + offset,
            "token": labels,
            "is_query": [i == query for i in range(len(labels))],  # query is window-relative
        }
    )
    pick = alt.selection_point(name=QUERY_SELECTION, fields=["pos"], on="click", clear=False)
    base = alt.Chart(frame, title=title).encode(
        x=alt.X("pos:O", axis=None, title=None),
        tooltip=[alt.Tooltip("token:N", title="token"), alt.Tooltip("pos:O", title="position")],
    )
    boxes = base.mark_rect(cornerRadius=4, stroke=ATTENTION_COLOUR).encode(
        color=alt.condition(
            alt.datum.is_query, alt.value(ATTENTION_COLOUR), alt.value("transparent")
        ),
        opacity=alt.value(0.35),
    )
    text = base.mark_text(fontSize=13, limit=90, color=TEXT_COLOUR).encode(text="token:N")
    # A near-invisible rect on top takes the clicks, so clicking the word itself selects it.
    hits = base.mark_rect(color="#ffffff", opacity=0.01, cursor="pointer").add_params(pick)
    return alt.layer(boxes, text, hits).properties(height=44)


def heatmap_frame(matrix: np.ndarray, labels: list[str], window: Window) -> pd.DataFrame:
    """Long-form cells of the windowed [queries, keys] matrix."""
    span = np.arange(window.start, window.stop)
    sub = matrix[np.ix_(span, span)]  # [w, w]
    queries, keys = np.meshgrid(span, span, indexing="ij")
    return pd.DataFrame(
        {
            "query_pos": queries.ravel(),
            "key_pos": keys.ravel(),
            "query": [_axis_label(i, labels[i]) for i in queries.ravel()],
            "key": [_axis_label(i, labels[i]) for i in keys.ravel()],
            "weight": sub.ravel().round(5),
        }
    )


def attention_heatmap(
    matrix: np.ndarray, labels: list[str], *, query: int, window: Window, title: str = ""
) -> alt.LayerChart:
    """Query rows by key columns; the chosen query row is outlined; click a row to pick it."""
    frame = heatmap_frame(matrix, labels, window)
    order = [_axis_label(i, labels[i]) for i in range(window.start, window.stop)]
    pick = alt.selection_point(name=QUERY_SELECTION, fields=["query_pos"], on="click", clear=False)
    size = max(260, min(520, 30 * len(order)))
    base = alt.Chart(frame, title=title).encode(
        x=alt.X("key:N", sort=order, title="key (attended-to token)",
                axis=alt.Axis(labelAngle=-50, labelLimit=90, labelOverlap=False)),
        y=alt.Y("query:N", sort=order, title="query (attending token)",
                axis=alt.Axis(labelLimit=90, labelOverlap=False)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("weight:Q", scale=alt.Scale(scheme=SEQUENTIAL_SCHEME, domain=[0, 1]), title="attention"),
        tooltip=[
            alt.Tooltip("query:N"),
            alt.Tooltip("key:N"),
            alt.Tooltip("weight:Q", format=".3f", title="attention weight"),
        ],
    ).add_params(pick)
    outline = base.transform_filter(alt.datum.query_pos == query).mark_rect(
        fill=None, stroke="#D55E00", strokeWidth=1.5
    )
    return (cells + outline).properties(width=size, height=size)


def relevance_frame(labels: tuple[str, ...], weights: np.ndarray, reservoir: float, window: Window) -> pd.DataFrame:
    span = range(window.start, window.stop)
    rows = [
        {"pos": i, "token": _axis_label(i, labels[i]), "weight": float(weights[i]), "kind": "token"}
        for i in span
    ]
    if reservoir > 0:
        rows.append({"pos": -1, "token": "reservoir (special tokens)", "weight": reservoir, "kind": "reservoir"})
    return pd.DataFrame(rows)


def relevance_bars(
    labels: tuple[str, ...], weights: np.ndarray, *, reservoir: float, query: int, window: Window, title: str = ""
) -> alt.Chart:
    """Attention from the query to each key; a grey bar shows the reservoir mass if any."""
    frame = relevance_frame(labels, weights, reservoir, window)
    order = list(frame["token"])
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("token:N", sort=order, title=None, axis=alt.Axis(labelAngle=-50, labelLimit=90, labelOverlap=False)),
            y=alt.Y("weight:Q", title="attention weight", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=["token", "reservoir"], range=[ATTENTION_COLOUR, RESERVOIR_COLOUR]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("token:N"), alt.Tooltip("weight:Q", format=".3f", title="attention weight")],
        )
        .properties(height=220)
    )


def describe_relevance(labels: tuple[str, ...], weights: np.ndarray, query_label: str, *, top: int = 3) -> str:
    """Plain-text alt text: which keys the query weighs most."""
    order = np.argsort(weights)[::-1][:top]
    parts = [f"'{labels[i]}' {weights[i]:.0%}" for i in order]
    return f"Attention from '{query_label}': highest on " + ", ".join(parts) + "."


def head_grid(matrices: np.ndarray, labels: list[str], titles: list[str], *, window: Window,
              columns: int = 4) -> alt.FacetChart:
    """Small multiples: one heatmap per head ([heads, n, n]), each titled as a TF species."""
    frames = []
    for head, matrix in enumerate(matrices):
        frame = heatmap_frame(matrix, labels, window)
        frame["species"] = titles[head]
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    order = [_axis_label(i, labels[i]) for i in range(window.start, window.stop)]
    side = max(110, min(170, 9 * len(order)))
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X("key:N", sort=order, title=None, axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y("query:N", sort=order, title=None, axis=alt.Axis(labels=False, ticks=False)),
            color=alt.Color("weight:Q", scale=alt.Scale(scheme=SEQUENTIAL_SCHEME, domain=[0, 1]),
                            title="attention"),
            tooltip=["species:N", "query:N", "key:N", alt.Tooltip("weight:Q", format=".3f")],
        )
        .properties(width=side, height=side)
        .facet(facet=alt.Facet("species:N", sort=titles, title=None,
                               header=alt.Header(labelLimit=220)), columns=columns)
    )


def context_bars(keys: tuple[str, ...], weights_a: np.ndarray, weights_b: np.ndarray,
                 *, name_a: str, name_b: str) -> alt.Chart:
    """The shared word's attention in two contexts, keys aligned by text, plus B − A."""
    rows = []
    for i, key in enumerate(keys):
        label = _axis_label(i, key)
        rows += [
            {"pos": i, "key": label, "context": name_a, "weight": float(weights_a[i])},
            {"pos": i, "key": label, "context": name_b, "weight": float(weights_b[i])},
            {"pos": i, "key": label, "context": "difference (B − A)",
             "weight": float(weights_b[i] - weights_a[i])},
        ]
    frame = pd.DataFrame(rows)
    order = [_axis_label(i, k) for i, k in enumerate(keys)]
    names = [name_a, name_b, "difference (B − A)"]
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("key:N", sort=order, title=None, axis=alt.Axis(labelAngle=-50, labelLimit=90, labelOverlap=False)),
            y=alt.Y("weight:Q", title="attention weight"),
            color=alt.Color("context:N", scale=alt.Scale(domain=names, range=[
                OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[7]]), legend=alt.Legend(orient="top", title=None)),
            xOffset=alt.XOffset("context:N", sort=names),
            tooltip=["context:N", "key:N", alt.Tooltip("weight:Q", format=".3f")],
        )
        .properties(height=260)
    )
