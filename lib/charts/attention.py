"""Views of real attention as chart templates: a token strip to pick the query, a heatmap,
bars, the Teamwork grid and the two-context comparison.

Views only read what the pipeline computed (lib.pipeline.views), never the model: the
extraction/view split of bertviz (Vig 2019). Labels can repeat ("the" twice), so every
chart keys on a position and shows it beside the label text ("3 the"); labels are data,
never markup. Each template is built once (lib.charts.spec); a rerun fills in its data.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np

from lib.attention.relevance import Relevance, ShownMatrix
from lib.charts.palette import (
    ATTENTION_COLOUR,
    OKABE_ITO,
    QUERY_OUTLINE,
    RESERVOIR_COLOUR,
    SEQUENTIAL_SCHEME,
    TEXT_COLOUR,
)
from lib.charts.spec import ChartSpec, axis_angle, indexed_label, replaced, table, template
from lib.charts.window import Window

QUERY_SELECTION = "pick"  # the selection a click on a token or heatmap row sets
RESERVOIR_LABEL = "unbound reservoir ([CLS]/[SEP])"
WEIGHT_SCALE = alt.Scale(scheme=SEQUENTIAL_SCHEME, domain=[0, 1])


def _by(field: str) -> alt.EncodingSortField:
    return alt.EncodingSortField(field=field, op="min")


# ------------------------------------------------------------------------- token strip

def _strip_template() -> dict:
    pick = alt.selection_point(name=QUERY_SELECTION, fields=["pos"], on="click", clear=False)
    base = alt.Chart(alt.NamedData("tokens")).encode(
        x=alt.X("pos:O", axis=None, title=None),
        tooltip=[alt.Tooltip("token:N", title="token"), alt.Tooltip("pos:O", title="position")],
    )
    boxes = base.mark_rect(cornerRadius=4, stroke=ATTENTION_COLOUR).encode(
        color=alt.condition(alt.datum.is_query, alt.value(ATTENTION_COLOUR),
                            alt.value("transparent")),
        opacity=alt.value(0.35),
    )
    text = base.mark_text(fontSize=13, limit=90, color=TEXT_COLOUR).encode(text="token:N")
    # A near-invisible rect on top takes the clicks, so clicking the word itself selects it.
    hits = base.mark_rect(color="#ffffff", opacity=0.01, cursor="pointer").add_params(pick)
    return template(alt.layer(boxes, text, hits).properties(height=44))


STRIP = _strip_template()


def token_strip(labels: Sequence[str], *, query: int, window: Window) -> ChartSpec:
    """The tokens in ``window`` in a row; the query is highlighted; a click selects ``pos``."""
    positions = np.arange(window.start, window.stop)
    data = table(pos=positions, token=[str(labels[i]) for i in positions],
                 is_query=positions == query)
    return ChartSpec(STRIP, {"tokens": data},
                     alt=f"The prompt's tokens in a row; the query is '{labels[query]}'.")


# ------------------------------------------------------------------------------ heatmap

def _heatmap_template() -> dict:
    pick = alt.selection_point(name=QUERY_SELECTION, fields=["query_pos"], on="click",
                               clear=False)
    base = alt.Chart(alt.NamedData("cells")).encode(
        x=alt.X("key:N", sort=_by("key_pos"), title="key (the token weighed)",
                axis=alt.Axis(labelAngle=-50, labelLimit=90, labelOverlap=False)),
        y=alt.Y("query:N", sort=_by("query_pos"), title="query (the token weighing)",
                axis=alt.Axis(labelLimit=90, labelOverlap=False)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("weight:Q", scale=WEIGHT_SCALE, title="attention",
                        legend=alt.Legend(orient="top", gradientLength=160)),
        tooltip=[alt.Tooltip("query:N"), alt.Tooltip("key:N"),
                 alt.Tooltip("weight:Q", format=".3f", title="attention weight")],
    ).add_params(pick)
    outline = base.transform_filter(alt.datum.is_query).mark_rect(
        fill=None, stroke=QUERY_OUTLINE, strokeWidth=2
    )
    # "fit-x": the width follows the page, the height is the cells' own (Streamlit's default
    # "fit" would squeeze the rows to make room for the legend and the labels).
    return template(alt.layer(cells, outline).properties(
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding")))


HEATMAP = _heatmap_template()


def heatmap_table(shown: ShownMatrix, labels: Sequence[str], *, query: int):
    """Long-form cells of a [rows, keys] matrix; rows and keys numbered as the picker does."""
    rows, keys = np.meshgrid(np.asarray(shown.rows), np.asarray(shown.keys), indexing="ij")
    row_labels = {q: indexed_label(q, labels[q]) for q in shown.rows}
    key_labels = {k: indexed_label(k, labels[k]) for k in shown.keys}
    return table(
        query_pos=rows.ravel(),
        key_pos=keys.ravel(),
        query=[row_labels[q] for q in rows.ravel()],
        key=[key_labels[k] for k in keys.ravel()],
        weight=shown.matrix.ravel().round(6),
        is_query=rows.ravel() == query,
    )


def attention_heatmap(shown: ShownMatrix, labels: Sequence[str], *, query: int,
                      title: str = "") -> ChartSpec:
    """Query rows by key columns; the query's row is outlined; clicking a row picks it."""
    # The width follows the page (the legend sits on top, so the cells keep the room); the
    # height follows the rows, so a long prompt's window stays readable.
    height = max(220, min(480, 24 * len(shown.rows)))
    query_label = labels[query]
    return ChartSpec(
        HEATMAP,
        {"cells": heatmap_table(shown, labels, query=query)},
        alt=(f"Heatmap of attention: {len(shown.rows)} query rows by {len(shown.keys)} key "
             f"columns; the outlined row is '{query_label}'."),
        overrides={"height": height, "title": title},
    )


# --------------------------------------------------------------------------------- bars

def _bars_template() -> dict:
    chart = alt.Chart(alt.NamedData("bars")).mark_bar().encode(
        x=alt.X("token:N", sort=_by("pos"), title=None,
                axis=alt.Axis(labelAngle=-50, labelLimit=200, labelOverlap=False)),
        y=alt.Y("weight:Q", title="attention weight", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("kind:N", legend=None, scale=alt.Scale(
            domain=["token", "reservoir"], range=[ATTENTION_COLOUR, RESERVOIR_COLOUR])),
        tooltip=[alt.Tooltip("token:N"),
                 alt.Tooltip("weight:Q", format=".4f", title="attention weight")],
    ).properties(height=220)
    return template(chart)


BARS = _bars_template()


def relevance_bars(row: Relevance, *, window: Window, title: str = "") -> ChartSpec:
    """Attention from the query to each key in ``window``; a grey bar holds the reservoir."""
    part = window.as_slice()
    keys = list(row.keys[part])
    labels = [indexed_label(k, row.labels[i]) for i, k in enumerate(keys, start=window.start)]
    weights = list(row.weights[part])
    kinds = ["token"] * len(keys)
    if row.reservoir > 0:
        keys.append(max(row.keys) + 1)
        labels.append(RESERVOIR_LABEL)
        weights.append(row.reservoir)
        kinds.append("reservoir")
    data = table(pos=keys, token=labels, weight=np.asarray(weights, dtype=np.float64),
                 kind=kinds)
    spec = replaced(BARS, ["encoding", "x", "axis", "labelAngle"], axis_angle(len(keys)))
    return ChartSpec(spec, {"bars": data}, alt=describe_relevance(row), overrides={"title": title})


def describe_relevance(row: Relevance, *, top: int = 3) -> str:
    """Plain-text alternative: which keys the query weighs most, and the reservoir."""
    order = np.argsort(row.weights)[::-1][:top]
    parts = [f"'{row.labels[i]}' {row.weights[i]:.0%}" for i in order]
    query = f"'{row.labels[row.query]}'" if row.query >= 0 else "the query"
    text = f"Attention from {query}: highest on " + ", ".join(parts) + "."
    if row.reservoir > 0:
        text += f" {row.reservoir:.0%} goes to the unbound reservoir (special tokens)."
    return text


# ------------------------------------------------------------------------ Teamwork grid

def _grid_template() -> dict:
    chart = alt.Chart(alt.NamedData("cells")).mark_rect().encode(
        x=alt.X("key:N", sort=_by("key_pos"), title=None, axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("query:N", sort=_by("query_pos"), title=None,
                axis=alt.Axis(labels=False, ticks=False)),
        color=alt.Color("weight:Q", scale=WEIGHT_SCALE, title="attention"),
        tooltip=["species:N", "query:N", "key:N", alt.Tooltip("weight:Q", format=".3f")],
    ).properties(width=120, height=120).facet(
        facet=alt.Facet("species:N", sort=_by("head"), title=None,
                        header=alt.Header(labelLimit=240, labelFontSize=12)),
        columns=4,
    )
    return template(chart)


GRID = _grid_template()


def head_grid(matrices: np.ndarray, labels: Sequence[str], titles: Sequence[str], *,
              window: Window) -> ChartSpec:
    """Small multiples: one windowed heatmap per head ([heads, w, w]), titled as a species."""
    heads, w, _ = matrices.shape
    head, q, k = np.meshgrid(np.arange(heads), np.arange(w), np.arange(w), indexing="ij")
    names = [indexed_label(window.start + i, labels[i]) for i in range(w)]
    data = table(
        head=head.ravel(), species=[titles[h] for h in head.ravel()],
        query_pos=q.ravel() + window.start, key_pos=k.ravel() + window.start,
        query=[names[i] for i in q.ravel()], key=[names[i] for i in k.ravel()],
        weight=np.asarray(matrices, dtype=np.float64).ravel().round(6),
    )
    return ChartSpec(GRID, {"cells": data},
                     alt=f"{heads} small heatmaps, one per head, each titled with its pattern "
                         f"and entropy: " + "; ".join(titles) + ".")


# --------------------------------------------------------------------- two contexts

DIFFERENCE = "difference (B − A)"


def _context_template() -> dict:
    chart = alt.Chart(alt.NamedData("bars")).mark_bar().encode(
        x=alt.X("key:N", sort=_by("pos"), title=None,
                axis=alt.Axis(labelAngle=-50, labelLimit=120, labelOverlap=False)),
        y=alt.Y("weight:Q", title="attention weight"),
        color=alt.Color("context:N", sort=_by("order"),
                        scale=alt.Scale(range=[OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[7]]),
                        legend=alt.Legend(orient="top", title=None, labelLimit=400)),
        xOffset=alt.XOffset("context:N", sort=_by("order")),
        tooltip=["context:N", "key:N", alt.Tooltip("weight:Q", format=".3f")],
    ).properties(height=260)
    return template(chart)


CONTEXT = _context_template()


def _aligned_labels(keys: Sequence[str]) -> list[str]:
    """Keys aligned by text across two prompts carry no one prompt's numbering; a repeated
    word gets its occurrence ("the", "the (2)") so every bar stays its own category."""
    seen: dict[str, int] = {}
    labels = []
    for key in keys:
        text = str(key) if str(key).strip() else "\u2423"
        seen[text] = seen.get(text, 0) + 1
        labels.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return labels


def context_bars(keys: Sequence[str], weights_a: np.ndarray, weights_b: np.ndarray, *,
                 name_a: str, name_b: str, alt_text: str) -> ChartSpec:
    """The shared word's attention in two contexts, keys aligned by text, plus B − A."""
    n = len(keys)
    names = [name_a, name_b, DIFFERENCE]
    labels = _aligned_labels(keys)
    data = table(
        pos=np.tile(np.arange(n), 3),
        key=labels * 3,
        context=[name for name in names for _ in range(n)],
        order=np.repeat(np.arange(3), n),
        weight=np.concatenate([weights_a, weights_b, np.asarray(weights_b) - weights_a]),
    )
    spec = replaced(CONTEXT, ["encoding", "x", "axis", "labelAngle"], axis_angle(n))
    return ChartSpec(spec, {"bars": data}, alt=alt_text)
