"""The quiz's results by topic as a chart template: share right, coloured by mastery level."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np

from lib.charts.palette import OKABE_ITO
from lib.charts.spec import ChartSpec, table, template

LEVELS = ("not started", "attempted", "familiar", "proficient")
LEVEL_COLOURS = (OKABE_ITO[7], OKABE_ITO[5], OKABE_ITO[1], OKABE_ITO[2])


def _mastery_template() -> dict:
    chart = alt.Chart(alt.NamedData("topics")).mark_bar().encode(
        x=alt.X("percent:Q", title="right (%)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("topic:N", sort=alt.EncodingSortField(field="position", op="min"), title=None,
                axis=alt.Axis(labelLimit=280)),
        color=alt.Color("level:N", title="mastery",
                        scale=alt.Scale(domain=list(LEVELS), range=list(LEVEL_COLOURS))),
        tooltip=[alt.Tooltip("topic:N"), alt.Tooltip("right:Q"),
                 alt.Tooltip("questions:Q"), alt.Tooltip("marks:Q"),
                 alt.Tooltip("level:N", title="mastery")],
    )
    return template(chart)


MASTERY = _mastery_template()


def mastery_chart(scores: Sequence) -> ChartSpec:
    """One bar per topic score (lib.quiz.TopicScore), in the order given."""
    data = table(
        topic=[s.title for s in scores], position=np.arange(len(scores)),
        percent=np.array([s.percent for s in scores], dtype=np.float64),
        level=[s.level for s in scores], right=np.array([s.correct for s in scores]),
        questions=np.array([s.total for s in scores]), marks=np.array([s.marks for s in scores]),
    )
    best = max(scores, key=lambda s: s.percent, default=None)
    summary = (f"Share of right answers for {len(scores)} topics, coloured by mastery level"
               + (f"; best: {best.title} at {best.percent:.0f}%." if best else "."))
    return ChartSpec(MASTERY, {"topics": data}, alt=summary,
                     overrides={"height": 28 * max(len(scores), 1) + 40})
