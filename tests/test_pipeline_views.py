"""The view models the pages draw, on the real bundled model: the default query is a whole
word, a word cut into pieces is named, the sink is measured, and the Context page's column
reading is the attention the shared word receives."""

from __future__ import annotations

import numpy as np
import pytest

from lib.attention.extract import extract_attention
from lib.attention.relevance import select_relevance, view_matrix
from lib.pipeline.views import (
    RowSettings,
    explore_view,
    query_options,
    received_view,
)


@pytest.fixture(scope="module")
def neuron(bundled):
    return extract_attention(bundled, "Tell me about the neuron")


def test_the_default_query_is_a_word_not_a_word_piece(neuron):
    options = query_options(neuron, level="token")
    assert options.labels[-3:] == ("ne", "uron", "[SEP]")  # the tokenizer cuts "neuron"
    assert options.labels[options.default] == "ne"


def test_explore_names_the_words_cut_into_pieces(neuron):
    view = explore_view(neuron, query=None, settings=RowSettings(layer=2, head="mean"))
    assert view.split_words == (("neuron", ("ne", "uron")),)


def test_the_sink_share_is_the_rows_mass_on_special_tokens(neuron):
    keep = explore_view(neuron, query=3, settings=RowSettings(layer=2, head="mean"))
    row = keep.row.relevance
    assert keep.sink_share == pytest.approx(row.weights[0] + row.weights[-1], abs=1e-12)
    drop = explore_view(neuron, query=3, settings=RowSettings(layer=2, head="mean",
                                                              special="drop"))
    assert drop.sink_share == 0.0


def test_the_column_reading_is_the_attention_the_word_receives(bundled):
    a = extract_attention(bundled, "Tell me about Paris")
    b = extract_attention(bundled, "Paris Hilton news")
    settings = RowSettings(layer=3, head="mean", special="drop")
    view = received_view(a, b, word="Paris", settings=settings)
    matrix = view_matrix(a, layer=3, head="mean", level="word", special="drop")
    column = matrix.matrix[:, matrix.labels.index("Paris")]
    assert view.mean_received[0] == pytest.approx(column.mean(), abs=1e-12)
    shown = dict(zip(view.comparison.keys, view.comparison.weights_a, strict=True))
    assert shown["Tell"] == pytest.approx(column[matrix.labels.index("Tell")], abs=1e-12)
    assert np.all(view.comparison.weights_b[~view.comparison.in_b] == 0)


@pytest.mark.parametrize("level", ["token", "word"])
@pytest.mark.parametrize("special", ["keep", "drop", "reservoir"])
def test_every_heatmap_row_is_the_row_the_bars_show(bundled, level, special):
    """The heatmap's rows and the bars beside it agree to the bit, in every special mode."""
    result = extract_attention(bundled, "Transcription factors bind enhancers near genes")
    shown = view_matrix(result, layer=2, head=5, level=level, temperature=0.7, special=special)
    assert len(shown.rows) > 3
    for i, query in enumerate(shown.rows):
        bars = select_relevance(result, query=query, layer=2, head=5, level=level,
                                temperature=0.7, special=special)
        assert np.array_equal(shown.matrix[i], bars.weights)
        assert shown.keys == bars.keys
