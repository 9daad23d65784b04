"""Chart templates: every chart the pages draw is valid Vega-Lite with its real data, the
specs are built once and shared, and filling one in never changes the template.

Validation lives here, not on the serving path (lib/charts/spec.py)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema import load_schema

from lib.attention.extract import extract_attention
from lib.charts import attention, learn, occupancy, quiz
from lib.charts.spec import replaced
from lib.charts.window import window_around
from lib.pipeline.views import RowSettings, explore_view, heads_view, query_row
from lib.quiz.session import TopicScore

SCHEMA = load_schema()


@pytest.fixture(scope="module")
def result(bundled):
    return extract_attention(bundled, "Tell me about Paris and the capital of France")


@pytest.fixture(scope="module")
def charts(result):
    """One chart of every kind, built from the real model's attention."""
    settings = RowSettings(layer=2, head="mean", special="reservoir", temperature=0.7)
    view = explore_view(result, query=4, settings=settings)
    row = view.row.relevance
    heads = heads_view(result, layer=1)
    a = query_row(result, query=3, settings=RowSettings(layer=2, head=5)).relevance
    score = TopicScore("t", "A topic", 3, 2, 1, 1, 3, 33.3, "attempted")
    x = np.geomspace(1e-2, 1e2, 20)
    return {
        "strip": attention.token_strip(view.options.labels, query=view.query,
                                       window=window_around(len(view.options.labels), 4)),
        "heatmap": attention.attention_heatmap(view.heatmap, view.options.labels,
                                               query=view.query),
        "bars": attention.relevance_bars(row, window=view.row_window),
        "grid": attention.head_grid(heads.grid, heads.grid_labels, heads.titles,
                                    window=heads.grid_window),
        "context": attention.context_bars(a.labels, a.weights, a.weights[::-1], name_a="A",
                                          name_b="B", alt_text="two rows"),
        "paired": occupancy.attention_vs_occupancy_bars(
            row.labels, row.weights, view.row.chromatin.equilibrium.occupancy,
            keys=row.keys, unbound=(row.reservoir, view.row.chromatin.equilibrium.unbound)),
        "curves": learn.curves_chart(x, {"one": x / (1 + x), "two": x**2 / (1 + x**2)},
                                     x_title="c", y_title="p", title="t", log_x=True,
                                     reference=0.5, alt_text="curves"),
        "grouped": learn.grouped_bars(["a", "b", "c"], {"s": np.ones(3), "t": np.zeros(3)},
                                      y_title="y", title="t", y_domain=(0, 1), alt_text="g"),
        "timescale": learn.timescale_chart(
            [{"label": "a", "side": "model", "low": 1e-3, "high": 2e-3},
             {"label": "b", "side": "cell", "low": 1.0, "high": 10.0}], title="t",
            alt_text="t"),
        "layer_rows": learn.layer_rows_heatmap(np.full((6, 3), 1 / 3), ["a", "b", "c"],
                                               title="t", alt_text="t"),
        "scatter": learn.head_scatter(np.linspace(0, 1, 12), np.linspace(0, 0.1, 12),
                                      x_title="x", y_title="y", title="t", alt_text="s"),
        "tempered": learn.tempered_pair_chart(row.labels, row.weights, temperature=1.5),
        "mastery": quiz.mastery_chart([score]),
    }


KINDS = ["strip", "heatmap", "bars", "grid", "context", "paired", "curves", "grouped",
         "timescale", "layer_rows", "scatter", "tempered", "mastery"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_is_valid_vega_lite_with_its_data(charts, kind):
    spec = charts[kind].with_values()
    validate_jsonschema(json.loads(json.dumps(spec, allow_nan=True).replace("Infinity", "1e308")),
                        SCHEMA)
    assert all(spec["datasets"].values())  # every named source gets its rows


def test_the_bars_say_which_key_the_query_weighs_most(result):
    view = explore_view(result, query=4, settings=RowSettings(layer=2, head="mean"))
    row = view.row.relevance
    top = row.labels[int(np.argmax(row.weights))]
    assert f"highest on '{top}'" in attention.relevance_bars(row, window=view.row_window).alt


def test_templates_are_built_once_and_shared(result):
    settings = RowSettings(layer=0, head="mean")
    first = explore_view(result, query=2, settings=settings)
    second = explore_view(result, query=5, settings=RowSettings(layer=3, head=1))
    a = attention.attention_heatmap(first.heatmap, first.options.labels, query=first.query)
    b = attention.attention_heatmap(second.heatmap, second.options.labels, query=second.query)
    assert a.template is b.template is attention.HEATMAP
    assert a.datasets["cells"] != b.datasets["cells"]


def test_filling_in_a_chart_never_changes_its_template(charts):
    before = copy.deepcopy(attention.BARS)
    spec = replaced(attention.BARS, ["encoding", "x", "axis", "labelAngle"], 12)
    assert spec["encoding"]["x"]["axis"]["labelAngle"] == 12
    assert before == attention.BARS
    charts["bars"].vega_lite()["title"] = "changed"
    assert before == attention.BARS


def test_the_heatmap_row_of_the_query_is_the_bars_row(result):
    settings = RowSettings(layer=2, head="mean", special="drop", temperature=0.5)
    view = explore_view(result, query=4, settings=settings)
    cells = attention.heatmap_table(view.heatmap, view.options.labels,
                                    query=view.query).to_pandas()
    row = cells[cells["is_query"]].sort_values("key_pos")
    bars = view.row.relevance
    shown = dict(zip(bars.keys, bars.weights, strict=True))
    for key, weight in zip(row["key_pos"], row["weight"], strict=True):
        assert weight == pytest.approx(shown[key], abs=1e-6)
    assert not any(view.options.special[k] for k in row["key_pos"])  # [CLS]/[SEP] hidden
