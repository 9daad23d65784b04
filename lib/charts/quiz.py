"""The quiz's results by topic as a chart template: share right, coloured by mastery level.

Every topic asked gets a visible mark: a bar would vanish at 0 %, so a tick marks each bar's
end and a label states the share ("0%"). Each topic gets a fixed band of height with its title
above its bar, so the first rows are never squeezed and a narrow screen keeps the bars wide.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np

from lib.charts.palette import OKABE_ITO, TEXT_COLOUR
from lib.charts.spec import ChartSpec, table, template

LEVELS = ("not started", "attempted", "familiar", "proficient")
LEVEL_COLOURS = (OKABE_ITO[7], OKABE_ITO[5], OKABE_ITO[1], OKABE_ITO[2])
ROW_HEIGHT = 48  # px per topic: its title on one line, its bar under it
BAR_HEIGHT = 16
X_ROOM = 115  # the x scale runs past 100 so a full bar's label still fits beside it


def _mastery_template() -> dict:
    # Topic titles sit above their bars rather than in a y axis, so on a narrow screen the
    # bars keep the whole width instead of losing most of it to long axis labels.
    y = alt.Y("topic:N", sort=alt.EncodingSortField(field="position", op="min"), axis=None)
    x = alt.X("percent:Q", title="right (%), over every attempt",
              scale=alt.Scale(domain=[0, X_ROOM]),
              axis=alt.Axis(values=[0, 25, 50, 75, 100], grid=True))
    colour = alt.Color("level:N", title="mastery",
                       scale=alt.Scale(domain=list(LEVELS), range=list(LEVEL_COLOURS)),
                       legend=alt.Legend(orient="bottom", direction="horizontal", columns=2))
    tooltip = [alt.Tooltip("topic:N"), alt.Tooltip("right:Q"), alt.Tooltip("questions:Q"),
               alt.Tooltip("marks:Q"), alt.Tooltip("level:N", title="mastery")]
    base = alt.Chart(alt.NamedData("topics")).encode(y=y, tooltip=tooltip)
    below = alt.YOffsetValue(BAR_HEIGHT / 2 + 2)
    bars = base.mark_bar(height=BAR_HEIGHT).encode(x=x, color=colour, yOffset=below)
    ends = base.mark_tick(thickness=3, size=BAR_HEIGHT + 6).encode(x=x, color=colour,
                                                                   yOffset=below)
    shares = base.mark_text(align="left", baseline="middle", dx=6, fontSize=12,
                            color=TEXT_COLOUR).encode(x=x, text="share:N", yOffset=below)
    titles = base.mark_text(align="left", baseline="bottom", fontSize=13, color=TEXT_COLOUR
                            ).encode(x=alt.value(0), text="topic:N",
                                     yOffset=alt.YOffsetValue(-2))
    chart = alt.layer(bars, ends, shares, titles).properties(height=alt.Step(ROW_HEIGHT))
    return template(chart)


MASTERY = _mastery_template()


def mastery_chart(scores: Sequence) -> ChartSpec:
    """One bar per topic score (lib.quiz.TopicScore), in the order given."""
    data = table(
        topic=[s.title for s in scores], position=np.arange(len(scores)),
        percent=np.array([s.percent for s in scores], dtype=np.float64),
        level=[s.level for s in scores], right=np.array([s.correct for s in scores]),
        questions=np.array([s.total for s in scores]), marks=np.array([s.marks for s in scores]),
        share=[f"{s.percent:.0f}%" for s in scores],
    )
    return ChartSpec(MASTERY, {"topics": data}, alt=_summary(scores))


def _summary(scores: Sequence) -> str:
    """The chart's main finding in words: the best topic, and every topic still at 0 %."""
    if not scores:
        return "No topic has been answered yet."
    best = max(scores, key=lambda s: s.percent)
    zero = [s.title for s in scores if s.percent == 0]
    text = (f"Share of right answers over every attempt for {len(scores)} topics; best: "
            f"{best.title} at {best.percent:.0f}%.")
    if zero:
        text += f" At 0%: {', '.join(zero)}."
    return text
