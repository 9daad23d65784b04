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

from lib.charts.palette import ATTENTION_COLOUR, RESERVOIR_COLOUR, SEQUENTIAL_SCHEME
from lib.charts.window import Window

QUERY_SELECTION = "pick"


def _axis_label(index: int, label: str) -> str:
    return f"{index}\u2009{label}" if label.strip() else f"{index}\u2009\u2423"


def token_strip(labels: list[str], *, query: int, title: str = "") -> alt.Chart:
    """Tokens in a row; clicking one selects it as the query (selection ``pick`` on ``pos``)."""
    frame = pd.DataFrame(
        {
            "pos": np.arange(len(labels)),
            "token": labels,
            "is_query": [i == query for i in range(len(labels))],
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
    ).add_params(pick)
    text = base.mark_text(fontSize=13, limit=90).encode(text="token:N")
    return (boxes + text).properties(height=44)


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
    size = max(220, min(560, 16 * len(order)))
    base = alt.Chart(frame, title=title).encode(
        x=alt.X("key:N", sort=order, title="key (attended-to token)", axis=alt.Axis(labelAngle=-50, labelLimit=90)),
        y=alt.Y("query:N", sort=order, title="query (attending token)", axis=alt.Axis(labelLimit=90)),
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
            x=alt.X("token:N", sort=order, title=None, axis=alt.Axis(labelAngle=-50, labelLimit=90)),
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
