"""The floor page of the load benchmark: a rerun that does only Streamlit's own work.

Five small heatmaps (12 x 12 cells, about the windowed views Explore draws) whose
Vega-Lite specs are plain dicts built once, at import; a rerun changes only their data.
Two widgets, a slider and a select box. Issue 11 measures each page's server CPU per rerun
against this page, served by the same Streamlit in the same run (target: at most 3x).
Run: `streamlit run bench/load/floor_app.py` (bench/load/run.py starts it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

SIZE = 12
CHARTS = 5
CELLS = np.indices((SIZE, SIZE)).reshape(2, -1)  # [2, SIZE * SIZE]: query, key of each cell


def _heatmap_spec(title: str) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "x": {"field": "key", "type": "ordinal", "title": "key token"},
            "y": {"field": "query", "type": "ordinal", "title": "query token"},
            "color": {"field": "weight", "type": "quantitative",
                      "scale": {"scheme": "blues", "domain": [0, 1]}},
        },
        "width": 260,
        "height": 260,
    }


SPECS = [_heatmap_spec(f"Heatmap {i + 1}") for i in range(CHARTS)]  # built once per process

st.title("Floor: five heatmaps, two widgets")
layer = st.slider("Layer", 0, 5, 2)
head = st.selectbox("Head", list(range(12)))
rng = np.random.default_rng(layer * 12 + head)
for spec in SPECS:
    weights = rng.dirichlet(np.ones(SIZE), size=SIZE)  # [SIZE, SIZE], rows sum to 1
    data = pd.DataFrame({"query": CELLS[0], "key": CELLS[1], "weight": weights.ravel()})
    st.vega_lite_chart(data, spec)
