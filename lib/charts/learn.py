"""Small Altair charts for the Learn pages: curves, grouped bars, a timescale axis, layer rows.

They only draw the numbers they are given (lib.learn computes them) and keep those numbers
in the chart's inline data, so tests can read back exactly what the browser shows. Colours
come from the Okabe & Ito (2008) palette in lib.charts.palette; labels are plain data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from lib.charts.palette import OKABE_ITO, RESERVOIR_COLOUR, SEQUENTIAL_SCHEME, TEXT_COLOUR


def _series_colours(names: Sequence[str]) -> alt.Scale:
    return alt.Scale(domain=list(names), range=[OKABE_ITO[i % 7] for i in range(len(names))])


def curves_chart(
    x: np.ndarray,
    series: Mapping[str, np.ndarray],
    *,
    x_title: str,
    y_title: str,
    title: str,
    log_x: bool = False,
    y_domain: tuple[float, float] | None = None,
    reference: float | None = None,
    reference_label: str = "equilibrium",
    height: int = 260,
) -> alt.LayerChart:
    """One line per named series over a shared x [k]; optional dashed horizontal reference."""
    xs = np.asarray(x, dtype=np.float64).reshape(-1)
    frames = []
    for name, y in series.items():
        ys = np.asarray(y, dtype=np.float64).reshape(-1)
        if ys.shape != xs.shape:
            raise ValueError(f"Series {name!r} has {ys.size} points for {xs.size} x values.")
        frames.append(pd.DataFrame({"x": xs, "y": ys, "series": name}))
    data = pd.concat(frames, ignore_index=True)
    if log_x:
        data = data[data["x"] > 0]
    y_scale = alt.Scale(domain=list(y_domain)) if y_domain else alt.Undefined
    lines = (
        alt.Chart(data, name="curves")
        .mark_line()
        .encode(
            x=alt.X("x:Q", title=x_title, scale=alt.Scale(type="log") if log_x else alt.Undefined),
            y=alt.Y("y:Q", title=y_title, scale=y_scale),
            color=alt.Color(
                "series:N",
                scale=_series_colours(list(series)),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("series:N"),
                alt.Tooltip("x:Q", format=".3g", title=x_title),
                alt.Tooltip("y:Q", format=".3f", title=y_title),
            ],
        )
    )
    layers = [lines]
    if reference is not None:
        layers.append(
            alt.Chart(
                pd.DataFrame({"ref": [float(reference)], "label": [reference_label]}),
                name="reference",
            )
            .mark_rule(color=RESERVOIR_COLOUR, strokeDash=[5, 4])
            .encode(y="ref:Q", tooltip=[alt.Tooltip("label:N"), alt.Tooltip("ref:Q", format=".3f")])
        )
    return alt.layer(*layers).properties(title=title, height=height)


def grouped_bars(
    categories: Sequence[str],
    series: Mapping[str, np.ndarray],
    *,
    y_title: str,
    title: str,
    y_domain: tuple[float, float] | None = None,
    height: int = 260,
) -> alt.Chart:
    """Bars per category, one colour per named series, side by side."""
    cats = [str(c) for c in categories]
    rows = []
    for name, values in series.items():
        vals = np.asarray(values, dtype=np.float64).reshape(-1)
        if vals.size != len(cats):
            raise ValueError(f"Series {name!r} has {vals.size} values for {len(cats)} categories.")
        rows += [
            {"category": c, "series": name, "value": float(v)}
            for c, v in zip(cats, vals, strict=True)
        ]
    names = list(series)
    return (
        alt.Chart(pd.DataFrame(rows), name="bars")
        .mark_bar()
        .encode(
            x=alt.X(
                "category:N",
                sort=cats,
                title=None,
                axis=alt.Axis(labelAngle=0 if len(cats) <= 6 else -45, labelLimit=140),
            ),
            xOffset=alt.XOffset("series:N", sort=names),
            y=alt.Y(
                "value:Q",
                title=y_title,
                scale=alt.Scale(domain=list(y_domain)) if y_domain else alt.Undefined,
            ),
            color=alt.Color(
                "series:N",
                scale=_series_colours(names),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=["category:N", "series:N", alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(title=title, height=height)
    )


def timescale_chart(rows: Sequence[Mapping[str, object]], *, title: str) -> alt.LayerChart:
    """Horizontal ranges on a log time axis. rows: label, side, low, high (seconds)."""
    data = pd.DataFrame(
        [
            {
                "label": str(r["label"]),
                "side": str(r["side"]),
                "low": float(r["low"]),
                "high": float(r["high"]),
                "mid": float(np.sqrt(float(r["low"]) * float(r["high"]))),
            }
            for r in rows
        ]
    )
    order = list(data.sort_values("mid")["label"])
    x = alt.X(
        "low:Q", scale=alt.Scale(type="log", domain=[1e-4, 1e9]), title="time (seconds, log scale)"
    )
    colour = alt.Color(
        "side:N",
        scale=alt.Scale(domain=["model", "cell"], range=[OKABE_ITO[0], OKABE_ITO[1]]),
        legend=alt.Legend(title=None, orient="top"),
    )
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    tips = [
        alt.Tooltip("label:N"),
        alt.Tooltip("low:Q", format=".3g", title="from (s)"),
        alt.Tooltip("high:Q", format=".3g", title="to (s)"),
    ]
    bars = (
        alt.Chart(data, name="timescales")
        .mark_rule(strokeWidth=8)
        .encode(x=x, x2="high:Q", y=y, color=colour, tooltip=tips)
    )
    dots = (
        alt.Chart(data, name="midpoints")
        .mark_point(filled=True, size=60)
        .encode(x="mid:Q", y=y, color=colour, tooltip=tips)
    )
    return alt.layer(bars, dots).properties(title=title, height=alt.Step(36))


def layer_rows_heatmap(rows: np.ndarray, labels: Sequence[str], *, title: str) -> alt.Chart:
    """One query's attention row per layer: rows [layers, n] as a layers x keys heatmap."""
    r = np.asarray(rows, dtype=np.float64)
    if r.ndim != 2 or r.shape[1] != len(labels):
        raise ValueError(f"Rows must be [layers, {len(labels)}], got {r.shape}.")
    keys = [f"{i}: {label}" for i, label in enumerate(labels)]
    data = pd.DataFrame(
        [
            {"layer": f"layer {layer}", "key": keys[j], "weight": float(r[layer, j])}
            for layer in range(r.shape[0])
            for j in range(r.shape[1])
        ]
    )
    return (
        alt.Chart(data, name="layers")
        .mark_rect()
        .encode(
            x=alt.X("key:N", sort=keys, title=None, axis=alt.Axis(labelAngle=-45, labelLimit=90)),
            y=alt.Y("layer:N", sort=[f"layer {i}" for i in range(r.shape[0])], title=None),
            color=alt.Color(
                "weight:Q",
                scale=alt.Scale(scheme=SEQUENTIAL_SCHEME, domain=[0, 1]),
                title="attention",
            ),
            tooltip=["layer:N", "key:N", alt.Tooltip("weight:Q", format=".3f")],
        )
        .properties(title=title, height=36 * r.shape[0] + 40)
    )


def head_scatter(
    x: np.ndarray, y: np.ndarray, *, x_title: str, y_title: str, title: str
) -> alt.Chart:
    """One labelled point per head: how much it attends somewhere vs how much it matters."""
    xs = np.asarray(x, dtype=np.float64).reshape(-1)
    ys = np.asarray(y, dtype=np.float64).reshape(-1)
    if xs.shape != ys.shape:
        raise ValueError(
            f"The arguments x and y need one value per head, got {xs.shape} and {ys.shape}."
        )
    data = pd.DataFrame({"head": [f"head {i}" for i in range(xs.size)], "x": xs, "y": ys})
    x = alt.X("x:Q", title=x_title, scale=alt.Scale(domain=[0, 1]))
    y = alt.Y("y:Q", title=y_title)
    points = (
        alt.Chart(data, name="heads")
        .mark_point(filled=True, size=90, color=OKABE_ITO[0])
        .encode(
            x=x,
            y=y,
            tooltip=[
                "head:N",
                alt.Tooltip("x:Q", format=".2f", title=x_title),
                alt.Tooltip("y:Q", format=".4f", title=y_title),
            ],
        )
    )
    # A layer's name must be unique in the spec (Vega rejects duplicate view names).
    text = (
        alt.Chart(data, name="head_labels")
        .mark_text(dx=8, align="left", fontSize=10, color=TEXT_COLOUR)
        .encode(x=x, y=y, text="head:N")
    )
    return alt.layer(points, text).properties(title=title, height=280)
