"""Chromatin scene charts: the numbers drawn are the numbers passed in."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.charts.palette import NUCLEOSOME_COLOUR, species_colour
from lib.charts.scene import (
    attention_vs_occupancy_bars,
    bars_description,
    chromatin_scene,
    convergence_chart,
    convergence_description,
    kinetic_frame,
    kinetic_frame_description,
    scene_description,
)
from lib.chromatin import (
    binding_energies,
    equilibrium_occupancy,
    kinetic_frames,
    running_tv_distance,
    simulate,
    species_occupancy,
)

NASTY = ['"quoted"', "<b>bold</b>", "it's", "", "🧬", "a", "a", "\\n", "{x}", "datum.x", "  ", "z"]


def layer_rows(spec: dict, name: str) -> list[dict]:
    """Inline rows of the layer called `name` in a (top-level) layered chart spec."""
    layer = next(lay for lay in spec["layer"] if lay.get("name") == name)
    data = layer.get("data", spec.get("data"))
    return spec["datasets"][data["name"]]


def row_for(n, seed=0, closed=None):
    rng = np.random.default_rng(seed)
    a = rng.dirichlet(np.ones(n))
    if closed is not None:
        a[closed] = 0
        a /= a.sum()
    return a


def test_scene_occupancy_equals_the_input_and_the_attention():
    closed = np.zeros(12, bool)
    closed[-3:] = True
    a = row_for(12, closed=closed)
    eps = binding_energies(a)
    occ = equilibrium_occupancy(eps, closed=closed).occupancy
    spec = chromatin_scene(NASTY, a, occ, eps, closed=closed).to_dict()
    tf = layer_rows(spec, "tf")
    np.testing.assert_array_equal([r["occupancy"] for r in tf], occ)
    np.testing.assert_allclose(
        [r["occupancy"] for r in tf], [r["attention"] for r in tf], atol=1e-12
    )
    assert [r["token"] for r in tf] == NASTY  # repeated and odd labels survive as data
    assert [r["position"] for r in tf] == list(range(12))
    assert [r["energy"] for r in tf][-3:] == ["closed"] * 3
    assert json.loads(json.dumps(spec)) == spec  # serialisable as-is


def test_scene_size_channel_is_driven_by_occupancy():
    a = row_for(5)
    spec = chromatin_scene(list("abcde"), a, a, binding_energies(a)).to_dict()
    tf_layer = next(lay for lay in spec["layer"] if lay["name"] == "tf")
    assert tf_layer["encoding"]["size"]["field"] == "occupancy"
    assert tf_layer["encoding"]["size"]["scale"]["domain"] == [0, 1]


def test_nucleosomes_sit_exactly_on_closed_loci():
    closed = np.array([True, False, True, False, False])
    a = row_for(5, closed=closed)
    eps = binding_energies(a)
    spec = chromatin_scene(list("vwxyz"), a, a, eps, closed=closed).to_dict()
    nuc = layer_rows(spec, "nucleosomes")
    assert [r["position"] for r in nuc] == [0, 2]
    layer = next(lay for lay in spec["layer"] if lay["name"] == "nucleosomes")
    assert layer["mark"]["color"] == NUCLEOSOME_COLOUR


def test_labels_layer_shows_a_visible_mark_for_empty_tokens():
    a = row_for(12)
    spec = chromatin_scene(NASTY, a, a, binding_energies(a)).to_dict()
    shown = [r["label_text"] for r in layer_rows(spec, "labels")]
    assert shown[0] == '"quoted"' and shown[1] == "<b>bold</b>"  # plain text, unmodified
    assert shown[3].strip() and shown[10].strip()  # "" and "  " still get a visible mark


def test_several_species_get_their_own_colour_and_rows():
    rows = np.stack([row_for(6, seed=s) for s in range(3)])
    sp = species_occupancy(rows)
    names = ["L1 H1", "L1 H7", "L4 H2"]
    spec = chromatin_scene(list("abcdef"), rows, sp.occupancy, sp.energies, species=names).to_dict()
    tf = layer_rows(spec, "tf")
    for s, name in enumerate(names):
        got = [r["occupancy"] for r in tf if r["species"] == name]
        np.testing.assert_array_equal(got, sp.occupancy[s])
    layer = next(lay for lay in spec["layer"] if lay["name"] == "tf")
    assert layer["encoding"]["color"]["scale"]["range"] == [species_colour(i) for i in range(3)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=64))
def test_any_labels_up_to_64_loci_build_and_keep_the_data(labels):
    n = len(labels)
    a = row_for(n, seed=n)
    eps = binding_energies(a)
    spec = chromatin_scene(labels, a, a, eps).to_dict()
    tf = layer_rows(spec, "tf")
    assert [r["token"] for r in tf] == labels
    np.testing.assert_array_equal([r["occupancy"] for r in tf], a)
    json.dumps(spec)


def test_bars_carry_both_series_exactly():
    closed = np.array([False, False, True, False])
    a = row_for(4, closed=closed) * 0.8
    eps = binding_energies(a)
    from lib.chromatin import reservoir_weight_for

    eq = equilibrium_occupancy(eps, reservoir_weight=reservoir_weight_for(0.2, eps), closed=closed)
    labels = ["x", "x", "<i>", ""]
    spec = attention_vs_occupancy_bars(
        labels, a, eq.occupancy, reservoir=0.2, unbound=eq.unbound
    ).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    att = [r["value"] for r in rows if r["quantity"] == "attention"]
    occ = [r["value"] for r in rows if r["quantity"] == "TF occupancy"]
    np.testing.assert_array_equal(att, np.append(a, 0.2))
    np.testing.assert_array_equal(occ, np.append(eq.occupancy, eq.unbound))
    keys = [r["locus"] for r in rows if r["quantity"] == "attention"]
    assert len(set(keys)) == len(keys) == 5  # repeated tokens stay separate bars
    assert spec["encoding"]["x"]["sort"] == keys


def test_convergence_chart_is_log_x_and_keeps_positive_points():
    traj = simulate(binding_energies(row_for(8)), events=20_000, rng=0)
    times, tv = running_tv_distance(traj, row_for(8))
    spec = convergence_chart(times, tv).to_dict()
    rows = layer_rows(spec, "tv")
    line = next(lay for lay in spec["layer"] if lay["name"] == "tv")
    assert line["encoding"]["x"]["scale"]["type"] == "log"
    np.testing.assert_array_equal([r["time"] for r in rows], times[tv > 0])
    np.testing.assert_array_equal([r["tv"] for r in rows], tv[tv > 0])
    assert layer_rows(spec, "threshold") == [{"tv": 0.01}]


def test_kinetic_frame_marks_the_bound_locus_and_shows_running_occupancy():
    a = row_for(6)
    eps = binding_energies(a)
    traj = simulate(eps, events=2_000, rng=4)
    frames = kinetic_frames(traj, frames=60, t_max=50.0)
    labels = list("abcdef")
    first_bound = int(np.flatnonzero(frames.locus >= 0)[0])
    for i in (0, first_bound, 59):
        spec = kinetic_frame(labels, a, eps, frames, i).to_dict()
        np.testing.assert_array_equal(
            [r["occupancy"] for r in layer_rows(spec, "tf")], frames.occupancy[i]
        )
        now = layer_rows(spec, "bound_now")[0]
        where = int(frames.locus[i])
        if where >= 0:
            assert now["position"] == where and labels[where] in now["state"]
        else:
            assert now["state"] == "unbound"
        assert layer_rows(spec, "reservoir")[0]["unbound"] == frames.unbound[i]
        assert f"{frames.times[i]:.3g}" in kinetic_frame_description(labels, frames, i)
    with pytest.raises(ValueError, match="Frame index"):
        kinetic_frame(labels, a, eps, frames, 60)


def test_descriptions_are_plain_text_that_name_the_top_locus():
    a = np.array([0.1, 0.7, 0.2])
    labels = ["the", "<cat>", "sat"]
    text = scene_description(labels, a, closed=np.array([True, False, False]))
    assert "3 loci" in text and "1 closed" in text and "<cat>" in text and "0.70" in text
    assert "locus 1" in bars_description(labels, a, a)
    assert "not yet below" in convergence_description(np.array([1.0, 2.0]), np.array([0.5, 0.2]))
    assert "first below" in convergence_description(np.array([1.0, 2.0]), np.array([0.5, 0.005]))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"labels": ["a", "b"]}, "shape"),
        ({"species": ["one", "two"]}, "names"),
        ({"bound": 7}, "bound"),
    ],
)
def test_scene_rejects_mismatched_inputs(kwargs, match):
    a = row_for(3)
    args = {"labels": ["a", "b", "c"], **kwargs}
    labels = args.pop("labels")
    with pytest.raises(ValueError, match=match):
        chromatin_scene(labels, a, a, binding_energies(a), **args)
