"""Charts are validated against the Vega-Lite schema under test, and drawn without that
check when served (pages/_common.altair_chart: the check is a third of a rerun)."""

from __future__ import annotations

import pytest
from altair.utils.schemapi import SchemaValidationError
from streamlit.testing.v1 import AppTest

from chart_data import charts


def _draw_a_chart_the_schema_rejects():
    import altair as alt
    import pandas as pd

    from pages import _common as ui

    bogus_scale = {"field": "a", "type": "quantitative", "scale": {"type": "bogus"}}
    ui.altair_chart(alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(x=bogus_scale))


def test_under_test_every_drawn_chart_is_validated():
    # Called directly (bare mode): AppTest would redact the error's text.
    import pages._common

    assert pages._common.VALIDATE_CHARTS  # tests/conftest.py turns the check on
    with pytest.raises(SchemaValidationError, match="bogus"):
        _draw_a_chart_the_schema_rejects()


def test_the_served_app_draws_charts_without_revalidating(monkeypatch):
    import pages._common

    monkeypatch.setattr(pages._common, "VALIDATE_CHARTS", False)
    at = AppTest.from_function(_draw_a_chart_the_schema_rejects)
    at.run(timeout=60)
    assert not at.exception
    [drawn] = charts(at)
    assert drawn.spec["encoding"]["x"]["scale"] == {"type": "bogus"}
