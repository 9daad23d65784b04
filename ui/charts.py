"""Draw lib/charts templates: a shared spec, this rerun's Arrow data, a text alternative.

The spec is never re-validated while serving (tests validate every template with data:
tests/test_chart_templates.py), and the data goes to the browser as Arrow, so a chart
costs a rerun little more than its data.
"""

from __future__ import annotations

import streamlit as st

from lib.charts.spec import ChartSpec


def show(chart: ChartSpec, *, key: str | None = None, on_select="ignore", width="stretch"):
    """Draw ``chart``; with ``on_select`` a click reruns the script (see ``on_pick``)."""
    return st.vega_lite_chart(chart.vega_lite(), key=key, on_select=on_select, alt=chart.alt,
                              width=width)


def on_pick(chart_key: str, field: str, then):
    """Callback for a click on a chart: ``then(value)`` with the clicked point's ``field``."""

    def handle() -> None:
        state = st.session_state.get(chart_key)
        points = (state or {}).get("selection", {}).get("pick") or []
        if points and field in points[0]:
            then(int(points[0][field]))

    return handle

