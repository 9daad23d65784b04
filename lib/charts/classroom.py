"""A class's mastery by topic as a chart template: the share of the class's answers that were
right, one bar per topic, labelled with how many answers it rests on.

The share is the class-level counterpart of a student's topic score (lib/charts/quiz.py):
right answers over answers given, pooled over every student who sent results. Bars in one
Okabe-Ito colour; a topic resting on few answers says so in its label, not in a colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np

from lib.charts.palette import OKABE_ITO
from lib.charts.spec import ChartSpec, table, template
from lib.classroom.report import TopicMastery

BAR_COLOUR = OKABE_ITO[0]


def _class_mastery_template() -> dict:
    chart = alt.Chart(alt.NamedData("topics")).mark_bar(color=BAR_COLOUR).encode(
        x=alt.X("percent:Q", title="right answers in the class (%)",
                scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("label:N", sort=alt.EncodingSortField(field="position", op="min"), title=None,
                axis=alt.Axis(labelLimit=320)),
        tooltip=[alt.Tooltip("topic:N"), alt.Tooltip("right:Q", title="right answers"),
                 alt.Tooltip("answers:Q"), alt.Tooltip("percent:Q", title="right (%)",
                                                       format=".0f")],
    )
    return template(chart)


CLASS_MASTERY = _class_mastery_template()


def class_mastery_chart(topics: Sequence[TopicMastery], titles: Mapping[str, str]) -> ChartSpec:
    """One bar per topic (``titles`` maps topic ids to their titles; unknown ids show as ids),
    in the order given."""
    names = [titles.get(t.topic, t.topic) for t in topics]
    percent = np.array([100.0 * t.share_right for t in topics], dtype=np.float64)
    data = table(
        topic=names, position=np.arange(len(topics)), percent=percent,
        right=np.array([t.correct for t in topics]), answers=np.array([t.answers for t in topics]),
        label=[f"{name} ({t.answers} answers)" for name, t in zip(names, topics, strict=True)],
    )
    weakest = min(zip(percent, names, strict=True), default=None)
    summary = (f"Share of the class's right answers for {len(topics)} topics"
               + (f"; lowest: {weakest[1]} at {weakest[0]:.0f}%." if weakest else "."))
    return ChartSpec(CLASS_MASTERY, {"topics": data}, alt=summary,
                     overrides={"height": {"step": 28}})
