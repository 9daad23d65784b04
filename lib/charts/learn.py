"""Chart templates for the Learn pages: curves, grouped bars, a timescale axis, layer rows
and a head scatter.

They only draw the numbers they are given (lib.learn computes them). Series keep the order
they are given in (an ``order`` column sorts colour and legend), so the first series always
takes the first Okabe & Ito (2008) colour; labels are plain data. Each template is built once
(lib.charts.spec); a rerun fills in its data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np

from lib.charts.palette import OKABE_ITO, RESERVOIR_COLOUR, SEQUENTIAL_SCHEME, TEXT_COLOUR
from lib.charts.spec import ChartSpec, replaced, table, template

SERIES_COLOURS = alt.Scale(range=list(OKABE_ITO[:7]))


def _by(field: str) -> alt.EncodingSortField:
    return alt.EncodingSortField(field=field, op="min")


def _series(name: str = "series") -> alt.Color:
    return alt.Color(f"{name}:N", sort=_by("order"), scale=SERIES_COLOURS,
                     legend=alt.Legend(title=None, orient="top", labelLimit=400))


# ------------------------------------------------------------------------------- curves

def _curves_template(*, log_x: bool) -> dict:
    x_scale = alt.Scale(type="log") if log_x else alt.Undefined
    lines = alt.Chart(alt.NamedData("curves")).mark_line().encode(
        x=alt.X("x:Q", title="x", scale=x_scale),
        y=alt.Y("y:Q", title="y"),
        color=_series(),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("x:Q", format=".3g"),
                 alt.Tooltip("y:Q", format=".3f")],
    )
    reference = alt.Chart(alt.NamedData("reference")).mark_rule(
        color=RESERVOIR_COLOUR, strokeDash=[5, 4], aria=False  # the chart's text says it
    ).encode(y="ref:Q", tooltip=[alt.Tooltip("label:N"), alt.Tooltip("ref:Q", format=".3f")])
    return template(alt.layer(lines, reference).properties(height=260))


CURVES = {False: _curves_template(log_x=False), True: _curves_template(log_x=True)}


def curves_chart(
    x: np.ndarray,
    series: Mapping[str, np.ndarray],
    *,
    x_title: str,
    y_title: str,
    title: str,
    alt_text: str,
    log_x: bool = False,
    y_domain: tuple[float, float] | None = None,
    reference: float | None = None,
    reference_label: str = "equilibrium",
) -> ChartSpec:
    """One line per named series over a shared x [k]; optional dashed horizontal reference."""
    xs = np.asarray(x, dtype=np.float64).reshape(-1)
    names, ys = [], []
    for name, y in series.items():
        values = np.asarray(y, dtype=np.float64).reshape(-1)
        if values.shape != xs.shape:
            raise ValueError(f"Series {name!r} has {values.size} points for {xs.size} x values.")
        names.append(name)
        ys.append(values)
    keep = xs > 0 if log_x else np.ones(xs.size, bool)  # a log axis cannot show x <= 0
    count = int(keep.sum())
    curves = table(
        x=np.tile(xs[keep], len(names)), y=np.concatenate([y[keep] for y in ys]),
        series=[name for name in names for _ in range(count)],
        order=np.repeat(np.arange(len(names)), count),
    )
    refs = [] if reference is None else [float(reference)]
    spec = CURVES[log_x]
    line = ["layer", 0, "encoding"]
    spec = replaced(spec, [*line, "x", "title"], x_title)
    spec = replaced(spec, [*line, "y", "title"], y_title)
    spec = replaced(spec, [*line, "tooltip", 1, "title"], x_title)
    spec = replaced(spec, [*line, "tooltip", 2, "title"], y_title)
    if y_domain is not None:
        spec = replaced(spec, [*line, "y", "scale"], {"domain": list(y_domain)})
    return ChartSpec(
        spec,
        {"curves": curves, "reference": table(ref=np.asarray(refs, dtype=np.float64),
                                              label=[reference_label] * len(refs))},
        alt=alt_text,
        overrides={"title": title},
    )


# ------------------------------------------------------------------------- grouped bars

def _grouped_template() -> dict:
    chart = alt.Chart(alt.NamedData("bars")).mark_bar().encode(
        x=alt.X("category:N", sort=_by("position"), title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=140)),
        xOffset=alt.XOffset("series:N", sort=_by("order")),
        y=alt.Y("value:Q", title="value"),
        color=_series(),
        tooltip=["category:N", "series:N", alt.Tooltip("value:Q", format=".4f")],
    ).properties(height=260)
    return template(chart)


GROUPED = _grouped_template()


def grouped_bars(
    categories: Sequence[str],
    series: Mapping[str, np.ndarray],
    *,
    y_title: str,
    title: str,
    alt_text: str,
    y_domain: tuple[float, float] | None = None,
) -> ChartSpec:
    """Bars per category, one colour per named series, side by side."""
    cats = [str(c) for c in categories]
    values = []
    for name, vals in series.items():
        vals = np.asarray(vals, dtype=np.float64).reshape(-1)
        if vals.size != len(cats):
            raise ValueError(f"Series {name!r} has {vals.size} values for {len(cats)} categories.")
        values.append(vals)
    names = list(series)
    data = table(
        category=cats * len(names), position=np.tile(np.arange(len(cats)), len(names)),
        series=[name for name in names for _ in cats], order=np.repeat(np.arange(len(names)),
                                                                       len(cats)),
        value=np.concatenate(values),
    )
    spec = replaced(GROUPED, ["encoding", "y", "title"], y_title)
    if y_domain is not None:
        spec = replaced(spec, ["encoding", "y", "scale"], {"domain": list(y_domain)})
    spec = replaced(spec, ["encoding", "x", "axis", "labelAngle"], 0 if len(cats) <= 6 else -45)
    return ChartSpec(spec, {"bars": data}, alt=alt_text, overrides={"title": title})


# ---------------------------------------------------------------------------- timescales

def _timescale_template() -> dict:
    x = alt.X("low:Q", scale=alt.Scale(type="log", domain=[1e-4, 1e9]),
              title="time (seconds, log scale)")
    colour = alt.Color("side:N", scale=alt.Scale(domain=["model", "cell"],
                                                 range=[OKABE_ITO[0], OKABE_ITO[1]]),
                       legend=alt.Legend(title=None, orient="top"))
    y = alt.Y("label:N", sort=_by("mid"), title=None, axis=alt.Axis(labelLimit=320))
    tips = [alt.Tooltip("label:N"), alt.Tooltip("low:Q", format=".3g", title="from (s)"),
            alt.Tooltip("high:Q", format=".3g", title="to (s)")]
    base = alt.Chart(alt.NamedData("timescales"))
    bars = base.mark_rule(strokeWidth=8).encode(x=x, x2="high:Q", y=y, color=colour,
                                                tooltip=tips)
    dots = base.mark_point(filled=True, size=60).encode(x="mid:Q", y=y, color=colour,
                                                        tooltip=tips)
    return template(alt.layer(bars, dots).properties(height=alt.Step(36)))


TIMESCALE = _timescale_template()


def timescale_chart(rows: Sequence[Mapping[str, object]], *, title: str,
                    alt_text: str) -> ChartSpec:
    """Horizontal ranges on a log time axis. rows: label, side, low, high (seconds)."""
    low = np.array([float(r["low"]) for r in rows])
    high = np.array([float(r["high"]) for r in rows])
    data = table(label=[str(r["label"]) for r in rows], side=[str(r["side"]) for r in rows],
                 low=low, high=high, mid=np.sqrt(low * high))
    return ChartSpec(TIMESCALE, {"timescales": data}, alt=alt_text, overrides={"title": title})


# ---------------------------------------------------------------------------- layer rows

def _layer_rows_template() -> dict:
    chart = alt.Chart(alt.NamedData("layers")).mark_rect().encode(
        x=alt.X("key:N", sort=_by("position"), title=None,
                axis=alt.Axis(labelAngle=-45, labelLimit=90)),
        y=alt.Y("layer:N", sort=_by("layer_index"), title=None),
        color=alt.Color("weight:Q", scale=alt.Scale(scheme=SEQUENTIAL_SCHEME, domain=[0, 1]),
                        title="attention"),
        tooltip=["layer:N", "key:N", alt.Tooltip("weight:Q", format=".3f")],
    )
    return template(chart)


LAYER_ROWS = _layer_rows_template()


def layer_rows_heatmap(rows: np.ndarray, labels: Sequence[str], *, title: str,
                       alt_text: str) -> ChartSpec:
    """One query's attention row per layer: rows [layers, n] as a layers x keys heatmap."""
    r = np.asarray(rows, dtype=np.float64)
    if r.ndim != 2 or r.shape[1] != len(labels):
        raise ValueError(f"Rows must be [layers, {len(labels)}], got {r.shape}.")
    layers, n = r.shape
    keys = [f"{i}: {label}" for i, label in enumerate(labels)]
    data = table(
        layer=[f"layer {i}" for i in range(layers) for _ in range(n)],
        layer_index=np.repeat(np.arange(layers), n),
        key=keys * layers, position=np.tile(np.arange(n), layers), weight=r.ravel(),
    )
    return ChartSpec(LAYER_ROWS, {"layers": data}, alt=alt_text,
                     overrides={"title": title, "height": 36 * layers + 40})


# ---------------------------------------------------------------------------- head scatter

def _scatter_template() -> dict:
    x = alt.X("x:Q", title="x", scale=alt.Scale(domain=[0, 1]))
    y = alt.Y("y:Q", title="y")
    base = alt.Chart(alt.NamedData("heads"))
    points = base.mark_point(filled=True, size=90, color=OKABE_ITO[0]).encode(
        x=x, y=y, tooltip=["head:N", alt.Tooltip("x:Q", format=".2f"),
                           alt.Tooltip("y:Q", format=".4f")])
    # Only the heads worth naming get a label, so the names never pile up on each other.
    text = base.transform_filter("datum.named").mark_text(
        dx=8, align="left", fontSize=11, color=TEXT_COLOUR).encode(x=x, y=y, text="head:N")
    return template(alt.layer(points, text).properties(height=280))


SCATTER = _scatter_template()
LABELLED = 3  # heads named on the scatter, by effect


def head_scatter(x: np.ndarray, y: np.ndarray, *, x_title: str, y_title: str, title: str,
                 alt_text: str) -> ChartSpec:
    """One labelled point per head: how much it attends somewhere vs how much it matters."""
    xs = np.asarray(x, dtype=np.float64).reshape(-1)
    ys = np.asarray(y, dtype=np.float64).reshape(-1)
    if xs.shape != ys.shape:
        raise ValueError(f"The arguments x and y need one value per head, got {xs.shape} and {ys.shape}.")
    named = np.zeros(xs.size, bool)
    named[np.argsort(ys)[-LABELLED:]] = True  # the heads that matter most
    named[int(np.argmax(xs))] = True  # and the one that looks most at the sink
    data = table(head=[f"head {i}" for i in range(xs.size)], x=xs, y=ys, named=named)
    spec = SCATTER
    for layer in (0, 1):
        spec = replaced(spec, ["layer", layer, "encoding", "x", "title"], x_title)
        spec = replaced(spec, ["layer", layer, "encoding", "y", "title"], y_title)
    return ChartSpec(spec, {"heads": data}, alt=alt_text, overrides={"title": title})


# ------------------------------------------------------------- temperature, in the browser

TEMPERATURE_PARAM = "T"
SOFTMAX = "softmax(s/T)"
BOLTZMANN = "Boltzmann at kT = T"


def _tempered_template() -> dict:
    """Two formulas, computed by Vega in the browser as the slider moves: no rerun at all.

    softmax(s/T) re-tempers the row as a^(1/T) (renormalised); the Boltzmann side evaluates
    exp(-eps/T)/Z from the energies eps = -ln(a/a_max). The largest gap and the entropy are
    aggregated in the chart too, so every number shown follows the slider.
    """
    temperature = alt.param(
        name=TEMPERATURE_PARAM, value=1.0,
        bind=alt.binding_range(min=0.1, max=5.0, step=0.1,
                               name="Temperature T (the same number as kT) "),
    )
    base = alt.Chart(alt.NamedData("row")).transform_calculate(
        w=f"pow(datum.a, 1 / {TEMPERATURE_PARAM})",
        b=f"exp(-datum.eps / {TEMPERATURE_PARAM})",
    ).transform_joinaggregate(
        sum_w="sum(w)", z="sum(b)"
    ).transform_calculate(
        softmax="datum.w / datum.sum_w", boltzmann="datum.b / datum.z",
    )
    bars = base.transform_fold(
        ["softmax", "boltzmann"], as_=["formula", "value"]
    ).transform_calculate(
        quantity=f"datum.formula === 'softmax' ? '{SOFTMAX}' : '{BOLTZMANN}'",
        order="datum.formula === 'softmax' ? 0 : 1",
    ).mark_bar().encode(
        x=alt.X("locus:N", sort=_by("position"), title="locus (token)",
                axis=alt.Axis(labelAngle=-45, labelLimit=120)),
        xOffset=alt.XOffset("quantity:N", sort=_by("order")),
        y=alt.Y("value:Q", title="probability", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("quantity:N", sort=_by("order"),
                        scale=alt.Scale(range=[OKABE_ITO[0], OKABE_ITO[1]]),
                        legend=alt.Legend(title=None, orient="top", labelLimit=400)),
        tooltip=[alt.Tooltip("locus:N"), alt.Tooltip("quantity:N", title="formula"),
                 alt.Tooltip("value:Q", format=".6f")],
    ).add_params(temperature)
    summary = base.transform_calculate(
        gap="abs(datum.softmax - datum.boltzmann)",
        plogp="datum.softmax > 0 ? -datum.softmax * log(datum.softmax) / LN2 : 0",
    ).transform_aggregate(
        gap="max(gap)", bits="sum(plogp)"
    ).transform_calculate(
        text=("'Largest difference between the sides: ' + format(datum.gap, '.1e') + "
              "'   ·   spread of the row (entropy): ' + format(datum.bits, '.2f') + ' bits'")
    ).mark_text(align="left", baseline="top", fontSize=13, color=TEXT_COLOUR).encode(
        text="text:N", x=alt.value(0), y=alt.value(-8),
    )
    title = alt.Title(
        text=alt.expr(f"'T = ' + format({TEMPERATURE_PARAM}, '.1f') + "
                      "': two formulas, the same numbers'"),
        offset=24,
    )
    return template(alt.layer(bars, summary).properties(title=title, height=280))


TEMPERED = _tempered_template()


def tempered_pair_chart(labels: Sequence[str], weights: np.ndarray, *,
                        temperature: float) -> ChartSpec:
    """softmax(s/T) beside Boltzmann at kT = T for one row, with T on a slider in the chart."""
    a = np.asarray(weights, dtype=np.float64)
    positive = a > 0
    eps = np.full(a.shape, np.inf)
    eps[positive] = -np.log(a[positive] / a.max())  # energies from the row (kT = 1)
    data = table(locus=[f"{i}: {label}" for i, label in enumerate(labels)],
                 position=np.arange(a.size), a=a, eps=eps)
    spec = replaced(TEMPERED, ["params", 0, "value"], float(temperature))
    top = int(np.argmax(a))
    return ChartSpec(
        spec, {"row": data},
        alt=(f"Two formulas side by side for {a.size} loci, softmax of the scores over T and "
             f"the Boltzmann occupancy at kT = T; they agree at every T on the slider. At T = 1 "
             f"the largest bar is '{labels[top]}' ({a[top]:.2f})."),
    )
