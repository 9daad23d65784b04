"""The Learn figures and the Explore experiments on the real bundled model: each shows the
numbers it says it shows (the row as displayed, the run as simulated, the heads as averaged)."""

from __future__ import annotations

import numpy as np
import pytest

from lib.attention.extract import extract_attention
from lib.attention.heads import profile_heads
from lib.attention.relevance import select_relevance
from lib.chromatin.scene_model import ChromatinScene
from lib.learn import analogy, cell_only
from lib.learn.figure import Figure, Message, Metric, Row, Scene
from lib.learn.figures import received_share
from lib.pipeline.views import RowSettings

FRANCE = "What's the capital of France?"


@pytest.fixture(scope="module")
def france(bundled):
    return extract_attention(bundled, FRANCE)


@pytest.fixture(scope="module")
def dog(bundled):
    return extract_attention(bundled, "The dog that chased the cat was tired")


def parts(figure: Figure, kind: type) -> list:
    found = []
    for part in figure.parts:
        found += [p for p in part.parts if isinstance(p, kind)] if isinstance(part, Row) else []
        if isinstance(part, kind):
            found.append(part)
    return found


def scene_of(figure: Figure) -> ChromatinScene:
    [scene] = parts(figure, Scene)
    return scene.scene


def metric(figure: Figure, label_start: str) -> str:
    return next(m.value for m in parts(figure, Metric) if m.label.startswith(label_start))


# --- what only the cell can do (Explore) -----------------------------------------------------


def test_the_pioneers_share_is_the_runs_time_average_not_the_equilibrium(france):
    settings = RowSettings(layer=2, head="mean", special="drop")
    figure = cell_only.pioneer_figure(france, query=3, settings=settings, penalty=3.0)
    scene = scene_of(figure)
    wrapped = scene.closed
    run_share = scene.trajectory.time_averaged_occupancy[0][wrapped].sum()
    assert metric(figure, "Share of this run spent on the wrapped locus") == f"{run_share:.1%}"
    # Opening is a driven cycle: the run sits there far more than the no-opening equilibrium.
    assert run_share > 3 * scene.equilibrium[0][wrapped].sum()
    assert [m.name for m in parts(figure, Message)] == ["cell_pioneer"]


@pytest.mark.parametrize("special", ["keep", "reservoir"])
def test_one_molecule_runs_on_the_row_as_shown(france, special):
    settings = RowSettings(layer=2, head="mean", special=special, temperature=0.5)
    row = cell_only.window_row(france, query=3, settings=settings)
    shown = select_relevance(france, query=3, layer=2, special=special, temperature=0.5).weights
    np.testing.assert_allclose(row.shown, shown / shown.sum(), atol=1e-12)
    figure = cell_only.one_molecule_figure(france, query=3, settings=settings, seed=1)
    [chart] = parts(figure, type(figure.parts[0]))
    reference = chart.frame("reference")
    assert reference["ref"].tolist() == pytest.approx([row.shown.max()])
    assert reference["label"].tolist() == [
        "attention weight at T = 0.5, as a share of the bound time"]


def test_convergence_is_measured_against_the_row_as_shown(france):
    settings = RowSettings(layer=2, head="mean", temperature=3.0)
    figure = cell_only.convergence_figure(france, query=3, settings=settings, seed=0)
    [chart] = parts(figure, type(figure.parts[0]))
    curve = chart.frame("curves")
    # A hot row is nearly flat, so its run starts close to it; the T = 1 row would not.
    row = cell_only.window_row(france, query=3, settings=settings)
    assert np.abs(row.shown - row.reference).max() > 0.05
    assert "T = 3" in chart.overrides["title"] and curve["y"].iloc[-1] < 0.05


def test_copies_scene_tooltips_show_the_bars_numbers(france):
    settings = RowSettings(layer=2, head="mean", special="drop", temperature=0.7)
    figure = cell_only.copies_figure(france, query=3, settings=settings, copies=3)
    row = cell_only.window_row(france, query=3, settings=settings)
    scene = scene_of(figure)
    np.testing.assert_array_equal(scene.attention[0], row.shown)
    assert scene.numbers == row.numbers and scene.numbers[0] == 1  # [CLS] dropped
    [bars] = [p for p in figure.parts if hasattr(p, "frame")]
    assert sorted(set(bars.frame("bars")["position"])) == list(row.numbers)  # as Explore numbers


# --- the analogy page's figures ----------------------------------------------------------------


def test_input_scene_holds_the_sink_share_as_unbound_factor(france):
    figure = analogy.input_figure(france, layer=2)
    scene = scene_of(figure)
    share = received_share(france, layer=2)
    words = np.flatnonzero(~share.special)
    sink = share.share[share.special].sum()
    assert scene.labels == tuple(share.labels[i] for i in words)  # no [CLS] or [SEP] locus
    assert scene.numbers == tuple(int(i) for i in words)
    assert scene.unbound[0] == pytest.approx(sink)
    np.testing.assert_allclose(scene.equilibrium[0], share.share[words], atol=1e-12)
    [message] = parts(figure, Message)
    assert message.values["sink"] == pytest.approx(sink)
    assert "[CLS]" not in message.values["top"] and "[SEP]" not in message.values["top"]


def test_decision_title_names_the_heads_it_averages(france):
    figure = analogy.decision_figure(france, word="capital", layer=2, head="mean")
    title = figure.parts[0].overrides["title"]
    assert f"mean of the {france.num_heads} heads of layer 2" in title
    row = select_relevance(france, query=list(france.tokens).index("capital"), layer=2,
                           special="drop")
    positions = figure.parts[0].frame("bars")["position"]
    assert sorted(set(positions)) == list(row.keys) and row.keys[0] == 1  # as Explore numbers
    one = analogy.decision_figure(france, word="capital", layer=2, head=4)
    assert "head 4 of layer 2" in one.parts[0].overrides["title"]


def test_teamwork_species_keep_their_sink_share_in_the_reservoir(dog):
    figure = analogy.teamwork_figure(dog, word="tired", layer=2)
    scene = scene_of(figure)
    heads = [int(name.split(":")[0].removeprefix("head ")) for name in scene.species]
    query = list(dog.tokens).index("tired")
    for s, h in enumerate(heads):
        sink = select_relevance(dog, query=query, layer=2, head=h, special="reservoir").reservoir
        assert scene.unbound[s] == pytest.approx(sink)
    assert "[CLS]" not in scene.labels and "[SEP]" not in scene.labels
    patterns = {profile_heads(dog, layer=2)[h].pattern for h in heads}
    assert "first-token/sink" in patterns  # the sink head whose share the reservoir now shows
