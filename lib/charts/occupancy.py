"""Attention beside TF occupancy, locus by locus: the "same numbers" chart as a template.

The occupancy comes from lib.chromatin (Boltzmann occupancy of energies -kT ln a: Shea &
Ackers 1985; Bintu et al. 2005), and the chart only draws the two rows it is given, so a
reader can check the identity bar by bar, or see where a demonstration breaks it.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np

from lib.charts.palette import ATTENTION_COLOUR, OCCUPANCY_COLOUR
from lib.charts.spec import ChartSpec, axis_angle, indexed_label, replaced, table, template

UNBOUND_LABEL = "∅ unbound"


def _paired_template() -> dict:
    order = alt.EncodingSortField(field="order", op="min")
    chart = alt.Chart(alt.NamedData("bars")).mark_bar().encode(
        x=alt.X("locus:N", sort=alt.EncodingSortField(field="position", op="min"),
                title="locus (token)",
                axis=alt.Axis(labelAngle=0, labelLimit=120, labelOverlap=False)),
        xOffset=alt.XOffset("quantity:N", sort=order),
        y=alt.Y("value:Q", title="probability", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("quantity:N", sort=order,
                        scale=alt.Scale(range=[ATTENTION_COLOUR, OCCUPANCY_COLOUR]),
                        legend=alt.Legend(title=None, orient="top", labelLimit=400)),
        tooltip=[alt.Tooltip("token:N", title="token"),
                 alt.Tooltip("position:Q", title="locus"),
                 alt.Tooltip("quantity:N", title="shown"),
                 alt.Tooltip("value:Q", title="value", format=".4f")],
    ).properties(height=300)
    return template(chart)


PAIRED = _paired_template()


def attention_vs_occupancy_bars(
    labels: Sequence[str],
    attention: np.ndarray,
    occupancy: np.ndarray,
    *,
    keys: Sequence[int] | None = None,
    unbound: tuple[float, float] | None = None,
    attention_title: str = "attention",
    occupancy_title: str = "TF occupancy",
    title: str = "Attention weight beside TF occupancy",
) -> ChartSpec:
    """Paired bars per locus, attention [n] beside occupancy [n]; ``keys`` number the loci
    (default 0..n-1); ``unbound`` adds the (reservoir, unbound) pair when given."""
    n = len(labels)
    att = np.asarray(attention, dtype=np.float64).reshape(-1)
    occ = np.asarray(occupancy, dtype=np.float64).reshape(-1)
    if att.shape != (n,) or occ.shape != (n,):
        raise ValueError(
            f"attention and occupancy must both have shape ({n},) like labels, "
            f"got {att.shape} and {occ.shape}."
        )
    numbers = list(range(n)) if keys is None else [int(k) for k in keys]
    loci = [indexed_label(k, label) for k, label in zip(numbers, labels, strict=True)]
    tokens = [str(label) for label in labels]
    if unbound is not None:
        numbers.append(max(numbers, default=-1) + 1)
        loci.append(UNBOUND_LABEL)
        tokens.append("(unbound reservoir)")
        att, occ = np.append(att, unbound[0]), np.append(occ, unbound[1])
    count = len(loci)
    data = table(
        locus=loci * 2, token=tokens * 2, position=numbers * 2,
        quantity=[attention_title] * count + [occupancy_title] * count,
        order=np.repeat([0, 1], count),
        value=np.concatenate([att, occ]),
    )
    spec = replaced(PAIRED, ["encoding", "x", "axis", "labelAngle"], axis_angle(count))
    return ChartSpec(spec, {"bars": data}, alt=bars_description(labels, att[:n], occ[:n]),
                     overrides={"title": title})


def bars_description(labels: Sequence[str], attention: np.ndarray, occupancy: np.ndarray) -> str:
    """Plain-text alternative: the largest bar and the largest gap between the two sides."""
    a = np.asarray(attention, dtype=np.float64)
    o = np.asarray(occupancy, dtype=np.float64)
    gap = float(np.max(np.abs(a - o))) if a.size else 0.0
    top = int(np.argmax(a))
    return (
        f"Paired bars for {len(labels)} loci: attention and TF occupancy. Largest attention "
        f"on '{_short(labels[top])}' ({a[top]:.2f}). Largest difference between the two "
        f"bars: {gap:.2g}."
    )


def _short(label: object, limit: int = 24) -> str:
    text = str(label) if str(label).strip() else "␣"
    return text if len(text) <= limit else text[: limit - 1] + "…"
