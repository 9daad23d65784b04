"""Altair views of the chromatin model: the scene, paired bars, convergence, kinetic frames.

The numbers come from lib.chromatin (Boltzmann occupancy: Shea & Ackers 1985; Bintu et al.
2005, Curr Opin Genet Dev 15:116; Gillespie 1977 kinetics). Charts only draw: every value
shown is the value passed in, carried in the chart's inline data so tests and the page can
read it back from chart.to_dict(). Token labels are treated as plain data (never as
markup or as Vega expressions), so quotes, HTML, emoji and empty strings are safe.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from lib.charts.palette import (
    ATTENTION_COLOUR,
    DNA_COLOUR,
    NUCLEOSOME_COLOUR,
    OCCUPANCY_COLOUR,
    RESERVOIR_COLOUR,
    TEXT_COLOUR,
    species_colour,
)

MAX_LEGIBLE_LOCI = 64  # the page windows longer prompts
RESERVOIR_X = -1.4  # where the unbound reservoir sits, left of the first locus
BLANK_LABEL = "␣"  # shown for empty or whitespace-only tokens
UNIT = 40  # scene pixels per glyph row
TEXT_Y = -0.55  # token labels sit just below the strand


def _display_label(label: object) -> str:
    text = str(label)
    return text if text.strip() else BLANK_LABEL


def _as_rows(x: np.ndarray, n: int, name: str) -> np.ndarray:
    arr = np.atleast_2d(np.asarray(x, dtype=np.float64))  # [species, n]
    if arr.ndim != 2 or arr.shape[1] != n:
        raise ValueError(
            f"{name} must have shape ({n},) or (species, {n}) to match the {n} labels, "
            f"got {np.shape(x)}."
        )
    return arr


def _energy_text(eps: float, is_closed: bool) -> str:
    if is_closed:
        return "closed" if not np.isfinite(eps) else f"closed ({eps:.2f} kT if opened)"
    if not np.isfinite(eps):
        return "closed"  # zero attention: infinite energy, never bound
    return f"{eps:.2f} kT"


def _layout(n: int, width: int | None) -> dict:
    """Sizes that keep up to MAX_LEGIBLE_LOCI loci readable."""
    w = width if width is not None else int(np.clip(40 * n, 360, 1100))
    px = w / max(n + 1.5, 1)  # pixels per locus
    return {
        "width": w,
        "glyph": float(np.clip((0.9 * px) ** 2, 60, 700)),  # max TF glyph area
        "nucleosome": float(np.clip((0.8 * px) ** 2, 40, 500)),
        "font": 12 if n <= 16 else (10 if n <= 40 else 9),
        "angle": 0 if n <= 8 else (-55 if n <= 32 else -90),
        "limit": 90 if n <= 8 else 70,
        "label_px": 22 if n <= 8 else 80,  # room below the strand for (rotated) labels
    }


def _locus_frame(labels, attention, energies, closed) -> pd.DataFrame:
    n = len(labels)
    return pd.DataFrame(
        {
            "position": np.arange(n),
            "token": [str(x) for x in labels],
            "label_text": [_display_label(x) for x in labels],
            "attention": attention,
            "energy": [
                _energy_text(float(e), bool(c)) for e, c in zip(energies, closed, strict=True)
            ],
            "closed": closed,
        }
    )


def chromatin_scene(
    labels: Sequence[str],
    attention: np.ndarray,
    occupancy: np.ndarray,
    energies: np.ndarray,
    *,
    closed: np.ndarray | None = None,
    species: Sequence[str] | None = None,
    bound: int | Sequence[int] | None = None,
    unbound: float | Sequence[float] | None = None,
    occupancy_title: str = "occupancy",
    title: str = "Chromatin: TFs binding gene loci",
    width: int | None = None,
) -> alt.LayerChart:
    """A DNA strand with one locus per token and TF glyphs sized by occupancy.

    attention, occupancy, energies: [n] for one TF species or [species, n] for several
    (one colour per species, one row of glyphs each). closed: bool [n], drawn as grey
    nucleosomes. bound: locus (or one per species) bound right now, -1 = unbound, for
    kinetic frames. unbound: reservoir mass (or one per species), drawn left of locus 0.
    """
    n = len(labels)
    if n == 0:
        raise ValueError("Labels is empty: pass at least one token to draw a locus.")
    occ = _as_rows(occupancy, n, "occupancy")  # [S, n]
    s_count = occ.shape[0]
    att = np.broadcast_to(_as_rows(attention, n, "attention"), occ.shape)  # [S, n]
    eps = np.broadcast_to(_as_rows(energies, n, "energies"), occ.shape)  # [S, n]
    mask = np.zeros(n, bool) if closed is None else np.asarray(closed, dtype=bool).reshape(n)
    names = (
        list(species)
        if species is not None
        else (["TF"] if s_count == 1 else [f"TF {i + 1}" for i in range(s_count)])
    )
    if len(names) != s_count:
        raise ValueError(f"Species has {len(names)} names for {s_count} occupancy rows.")
    if len(set(names)) != len(names):
        raise ValueError("Species names must be unique; add the head number, e.g. 'L2 H5'.")
    lay = _layout(n, width)
    x_scale = alt.Scale(domain=[RESERVOIR_X - 0.6, n - 0.5], nice=False, zero=False)
    # y is in "rows": DNA at 0, species s at 1 + s; UNIT pixels per row keeps glyphs apart.
    y_low = TEXT_Y - lay["label_px"] / UNIT
    y_high = s_count + 0.45
    y_scale = alt.Scale(domain=[y_low, y_high], nice=False, zero=False)
    x = alt.X("position:Q", scale=x_scale, axis=None)
    y_axis = alt.Y("y:Q", scale=y_scale, axis=None)
    colours = alt.Scale(domain=names, range=[species_colour(i) for i in range(s_count)])

    loci = _locus_frame(labels, att.mean(axis=0), eps[0], mask)
    loci["y"] = 0.0
    loci["occupancy"] = occ.mean(axis=0)
    locus_tip = [
        alt.Tooltip("token:N", title="token"),
        alt.Tooltip("position:Q", title="locus"),
        alt.Tooltip("attention:Q", title="attention", format=".3f"),
        alt.Tooltip("energy:N", title="binding energy"),
        alt.Tooltip("occupancy:Q", title=occupancy_title, format=".3f"),
    ]

    backbone = (
        alt.Chart(pd.DataFrame({"position": [-0.5], "x2": [n - 0.5], "y": [0.0]}), name="backbone")
        .mark_rule(color=DNA_COLOUR, strokeWidth=5, strokeCap="round")
        .encode(x=x, x2="x2:Q", y=y_axis)
    )
    ticks = (
        alt.Chart(loci, name="loci")
        .mark_tick(color=DNA_COLOUR, thickness=2, size=18, orient="vertical")
        .encode(x=x, y=y_axis, tooltip=locus_tip)
    )
    text = (
        alt.Chart(loci.assign(y=TEXT_Y), name="labels")
        .mark_text(
            color=TEXT_COLOUR,
            angle=360 + lay["angle"] if lay["angle"] else 0,
            align="right" if lay["angle"] else "center",
            baseline="middle",
            fontSize=lay["font"],
            limit=lay["limit"],
        )
        .encode(x=x, y=y_axis, text="label_text:N", tooltip=locus_tip)
    )
    nucleosomes = (
        alt.Chart(loci[loci["closed"]], name="nucleosomes")
        .mark_circle(
            color=NUCLEOSOME_COLOUR,
            opacity=0.85,
            size=lay["nucleosome"],
            stroke="black",
            strokeWidth=0.5,
        )
        .encode(x=x, y=y_axis, tooltip=locus_tip)
    )

    tf = pd.concat(
        [
            _locus_frame(labels, att[s], eps[s], mask).assign(
                species=names[s], y=1.0 + s, occupancy=occ[s]
            )
            for s in range(s_count)
        ],
        ignore_index=True,
    )
    tf_tip = [alt.Tooltip("species:N", title="TF species"), *locus_tip]
    glyphs = (
        alt.Chart(tf, name="tf")
        .mark_point(shape="circle", filled=True, stroke="black", strokeWidth=0.4)
        .encode(
            x=x,
            y=y_axis,
            size=alt.Size(
                "occupancy:Q", scale=alt.Scale(domain=[0, 1], range=[0, lay["glyph"]]), legend=None
            ),
            opacity=alt.Opacity(
                "occupancy:Q", scale=alt.Scale(domain=[0, 1], range=[0.35, 1]), legend=None
            ),
            color=alt.Color(
                "species:N",
                scale=colours,
                legend=alt.Legend(title="TF species") if s_count > 1 else None,
            ),
            tooltip=tf_tip,
        )
    )
    layers = [backbone, ticks, nucleosomes, text, glyphs]

    if unbound is not None:
        res = np.broadcast_to(np.asarray(unbound, dtype=np.float64), (s_count,))
        pool = pd.DataFrame(
            {
                "position": RESERVOIR_X,
                "y": 1.0 + np.arange(s_count),
                "species": names,
                "unbound": res,
                "label_text": "unbound",
            }
        )
        layers.append(
            alt.Chart(pool, name="reservoir")
            .mark_point(
                shape="circle",
                filled=True,
                color=RESERVOIR_COLOUR,
                stroke="black",
                strokeWidth=0.4,
            )
            .encode(
                x=x,
                y=y_axis,
                size=alt.Size(
                    "unbound:Q",
                    scale=alt.Scale(domain=[0, 1], range=[0, lay["glyph"]]),
                    legend=None,
                ),
                tooltip=[
                    alt.Tooltip("species:N", title="TF species"),
                    alt.Tooltip("unbound:Q", title="unbound", format=".3f"),
                ],
            )
        )
        layers.append(
            alt.Chart(pool.iloc[:1].assign(y=TEXT_Y), name="reservoir_label")
            .mark_text(
                color=TEXT_COLOUR,
                fontSize=lay["font"],
                fontStyle="italic",
                angle=360 + lay["angle"] if lay["angle"] else 0,
                align="right" if lay["angle"] else "center",
            )
            .encode(x=x, y=y_axis, text="label_text:N")
        )

    if bound is not None:
        where = np.broadcast_to(np.asarray(bound, dtype=np.int64), (s_count,))
        if np.any((where < -1) | (where >= n)):
            raise ValueError(f"Bound must be a locus in [0, {n}) or -1 (unbound), got {bound!r}.")
        now = pd.DataFrame(
            {
                "position": np.where(where >= 0, where, RESERVOIR_X).astype(float),
                "y": 1.0 + np.arange(s_count),
                "species": names,
                "state": [
                    f"bound at locus {w}: {labels[w]}" if w >= 0 else "unbound" for w in where
                ],
            }
        )
        layers.append(
            alt.Chart(now, name="bound_now")
            .mark_point(
                shape="diamond",
                filled=False,
                color=TEXT_COLOUR,
                strokeWidth=2.5,
                size=lay["glyph"] * 1.3,
            )
            .encode(
                x=x,
                y=y_axis,
                tooltip=[
                    alt.Tooltip("species:N", title="TF species"),
                    alt.Tooltip("state:N", title="right now"),
                ],
            )
        )

    return (
        alt.layer(*layers)
        # Streamlit fits title and plot into `height`, so reserve room for the title.
        .properties(title=title, width=lay["width"], height=int(UNIT * (y_high - y_low)) + 30)
        .configure_view(stroke=None)
    )


def attention_vs_occupancy_bars(
    labels: Sequence[str],
    attention: np.ndarray,
    occupancy: np.ndarray,
    *,
    reservoir: float | None = None,
    unbound: float | None = None,
    attention_title: str = "attention",
    occupancy_title: str = "TF occupancy",
    title: str = "Attention weight beside TF occupancy",
    width: int | None = None,
) -> alt.Chart:
    """Paired bars per locus: attention [n] beside occupancy [n], plus an 'unbound' pair
    when a reservoir mass is given. Labels may repeat: each x category is 'index: token'."""
    n = len(labels)
    att = np.asarray(attention, dtype=np.float64).reshape(-1)
    occ = np.asarray(occupancy, dtype=np.float64).reshape(-1)
    if att.shape != (n,) or occ.shape != (n,):
        raise ValueError(
            f"Attention and occupancy must both have shape ({n},) like labels, "
            f"got {att.shape} and {occ.shape}."
        )
    keys = [f"{i}: {_display_label(t)}" for i, t in enumerate(labels)]
    tokens = [str(t) for t in labels]
    positions = list(range(n))
    if reservoir is not None or unbound is not None:
        keys.append("∅ unbound")
        tokens.append("(unbound reservoir)")
        positions.append(n)
        att = np.append(att, reservoir or 0.0)
        occ = np.append(occ, unbound or 0.0)
    rows = pd.DataFrame(
        {
            "locus": keys * 2,
            "token": tokens * 2,
            "position": positions * 2,
            "quantity": [attention_title] * len(keys) + [occupancy_title] * len(keys),
            "value": np.concatenate([att, occ]),
        }
    )
    w = width if width is not None else int(np.clip(34 * len(keys), 360, 1100))
    return (
        alt.Chart(rows, name="bars")
        .mark_bar()
        .encode(
            x=alt.X(
                "locus:N",
                sort=keys,
                title="locus (token)",
                axis=alt.Axis(labelAngle=0 if n <= 8 else (-55 if n <= 32 else -90), labelLimit=90,
                              labelOverlap=False),
            ),
            xOffset=alt.XOffset("quantity:N", sort=[attention_title, occupancy_title]),
            y=alt.Y("value:Q", title="probability", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "quantity:N",
                scale=alt.Scale(
                    domain=[attention_title, occupancy_title],
                    range=[ATTENTION_COLOUR, OCCUPANCY_COLOUR],
                ),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("token:N", title="token"),
                alt.Tooltip("position:Q", title="locus"),
                alt.Tooltip("quantity:N", title="shown"),
                alt.Tooltip("value:Q", title="value", format=".4f"),
            ],
        )
        # Streamlit fits title, legend, axis labels and plot into `height`.
        .properties(title=title, width=w, height=300 + (70 if n > 8 else 0))
    )


def convergence_chart(
    times: np.ndarray,
    tv: np.ndarray,
    *,
    threshold: float | None = 0.01,
    title: str = "Kinetic average converging to equilibrium",
) -> alt.LayerChart:
    """Total-variation distance to the equilibrium occupancy vs simulated time (log-log)."""
    t = np.asarray(times, dtype=np.float64).reshape(-1)
    d = np.asarray(tv, dtype=np.float64).reshape(-1)
    if t.shape != d.shape:
        raise ValueError(f"Times and tv must have the same length, got {t.shape} and {d.shape}.")
    keep = (t > 0) & (d > 0) & np.isfinite(t) & np.isfinite(d)  # log scales need > 0
    rows = pd.DataFrame({"time": t[keep], "tv": d[keep]})
    line = (
        alt.Chart(rows, name="tv")
        .mark_line(color=OCCUPANCY_COLOUR, point=False)
        .encode(
            x=alt.X("time:Q", scale=alt.Scale(type="log"), title="simulated time (1/k0)"),
            y=alt.Y("tv:Q", scale=alt.Scale(type="log"), title="TV distance to equilibrium"),
            tooltip=[
                alt.Tooltip("time:Q", format=".3g"),
                alt.Tooltip("tv:Q", format=".4f", title="TV distance"),
            ],
        )
    )
    layers = [line]
    if threshold is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"tv": [float(threshold)]}), name="threshold")
            .mark_rule(color=RESERVOIR_COLOUR, strokeDash=[4, 4])
            .encode(y="tv:Q")
        )
    return alt.layer(*layers).properties(title=title, width=420, height=280)


def kinetic_frame(
    labels: Sequence[str],
    attention: np.ndarray,
    energies: np.ndarray,
    frames,
    index: int,
    *,
    closed: np.ndarray | None = None,
    width: int | None = None,
) -> alt.LayerChart:
    """The scene at frame `index` of lib.chromatin.kinetic_frames(...): a diamond marks
    where the TF is right now, glyphs show the running time-average occupancy so far."""
    i = int(index)
    if not 0 <= i < frames.times.size:
        raise ValueError(f"Frame index must be in [0, {frames.times.size}), got {index!r}.")
    return chromatin_scene(
        labels,
        attention,
        frames.occupancy[i],
        energies,
        closed=closed,
        bound=int(frames.locus[i]),
        unbound=float(frames.unbound[i]),
        occupancy_title="time-averaged occupancy so far",
        title=f"Kinetic run at t = {frames.times[i]:.3g}",
        width=width,
    )


def _short(label: object, limit: int = 24) -> str:
    text = _display_label(label)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def scene_description(
    labels: Sequence[str],
    occupancy: np.ndarray,
    *,
    closed: np.ndarray | None = None,
    species: Sequence[str] | None = None,
) -> str:
    """Plain-text alt text for chromatin_scene."""
    occ = np.atleast_2d(np.asarray(occupancy, dtype=np.float64))  # [S, n]
    n = len(labels)
    n_closed = 0 if closed is None else int(np.asarray(closed, bool).sum())
    names = list(species) if species is not None else [f"TF {i + 1}" for i in range(len(occ))]
    parts = [f"DNA strand with {n} loci, one per token; {n_closed} closed by nucleosomes."]
    for name, row in zip(names, occ, strict=False):
        top = int(np.argmax(row))
        parts.append(
            f"{name} binds most at locus {top} ('{_short(labels[top])}') "
            f"with occupancy {row[top]:.2f}."
        )
    return " ".join(parts)


def bars_description(labels: Sequence[str], attention: np.ndarray, occupancy: np.ndarray) -> str:
    """Plain-text alt text for attention_vs_occupancy_bars."""
    a = np.asarray(attention, dtype=np.float64)
    o = np.asarray(occupancy, dtype=np.float64)
    gap = float(np.max(np.abs(a - o))) if a.size else 0.0
    top = int(np.argmax(a))
    return (
        f"Paired bars for {len(labels)} tokens: attention and TF occupancy. Largest attention "
        f"at locus {top} ('{_short(labels[top])}', {a[top]:.2f}). Largest difference between "
        f"the two bars: {gap:.2g}."
    )


def convergence_description(times: np.ndarray, tv: np.ndarray, *, threshold: float = 0.01) -> str:
    """Plain-text alt text for convergence_chart."""
    t = np.asarray(times, dtype=np.float64)
    d = np.asarray(tv, dtype=np.float64)
    below = np.flatnonzero(d < threshold)
    reached = (
        f"first below {threshold:g} at simulated time {t[below[0]]:.3g}"
        if below.size
        else f"not yet below {threshold:g}"
    )
    return (
        f"Log-log line: distance between the kinetic time average and equilibrium falls "
        f"from {d[0]:.2f} to {d[-1]:.3f} over simulated time {t[0]:.3g} to {t[-1]:.3g}; {reached}."
    )


def kinetic_frame_description(labels: Sequence[str], frames, index: int) -> str:
    """Plain-text alt text for kinetic_frame."""
    i = int(index)
    where = int(frames.locus[i])
    state = f"bound at locus {where} ('{_short(labels[where])}')" if where >= 0 else "unbound"
    return (
        f"Kinetic run at simulated time {frames.times[i]:.3g}: the TF is {state}. Glyph sizes "
        "show the time-averaged occupancy so far."
    )
