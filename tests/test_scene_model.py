"""The chromatin scene's model and its compact browser payload."""

import json

import numpy as np
import pytest

from lib.charts.palette import OKABE_ITO
from lib.chromatin import binding_energies, finite_pool_occupancy
from lib.chromatin.molecules import NUCLEOSOME, OPEN
from lib.chromatin.scene_model import (
    MAX_SPECIES,
    ChromatinScene,
    decode_scene_payload,
    describe_scene,
    scene_from_attention,
    scene_payload,
)

LABELS = ["<img src=x onerror=alert(1)>", "Paris", "  ", "na\u00efve \U0001f9ec", "</svg>", "end"]


def rows(n: int, species: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.full(n, 0.5), size=species)  # [S, n]


def payload_bytes(payload: dict) -> int:
    return len(json.dumps(payload).encode())


@pytest.mark.parametrize("species, copies", [(1, 1), (7, 2)])
def test_payload_of_512_loci_and_10000_events_is_at_most_300_kB(species, copies):
    n = 512
    scene = scene_from_attention(rows(n, species), [f"token{j}" for j in range(n)],
                                 copies=copies, events=10_000)
    assert scene.trajectory.times.size == 10_000
    assert payload_bytes(scene_payload(scene)) <= 300_000


@pytest.fixture(scope="module")
def scene():
    closed = np.array([False, False, True, False, True, False])
    return scene_from_attention(
        rows(6, 3), LABELS, species=["head 0", "head 4", "pioneer"], closed=closed,
        copies=[1, 3, 2], pioneer=[False, False, True], pioneer_penalty=2.0, hold_open=1.5,
        events=5_000, seed=7,
    )


def test_payload_round_trips_through_the_reference_decoder(scene):
    payload = json.loads(json.dumps(scene_payload(scene)))  # exactly what the browser gets
    decoded = decode_scene_payload(payload)
    assert decoded.labels == scene.labels
    np.testing.assert_array_equal(decoded.closed, scene.closed)
    for name in ("attention", "equilibrium", "energies"):
        # float32 keeps 7 significant digits: the tooltips show 4.
        np.testing.assert_allclose(getattr(decoded, name), getattr(scene, name), rtol=1e-6)
    assert np.all(np.isinf(decoded.energies[:2][:, scene.closed]))
    traj = scene.trajectory
    np.testing.assert_allclose(decoded.times, traj.times, rtol=0, atol=1e-6 * traj.total_time)
    assert np.all(np.diff(decoded.times) >= 0)
    np.testing.assert_array_equal(decoded.kind, traj.kind)
    np.testing.assert_array_equal(decoded.molecule, traj.molecule)
    np.testing.assert_array_equal(decoded.locus, traj.locus)
    np.testing.assert_allclose(decoded.final_occupancy, traj.time_averaged_occupancy, rtol=1e-6)
    assert [s["copies"] for s in decoded.species] == [1, 3, 2]
    assert [s["pioneer"] for s in decoded.species] == [False, False, True]
    assert np.any(decoded.molecule == NUCLEOSOME) and np.any(decoded.kind == OPEN)


def test_one_copy_equilibrium_is_the_attention_row_scaled_by_the_time_bound():
    a = rows(9, 2, seed=3)
    scene = scene_from_attention(a, [str(j) for j in range(9)], unbound=[0.25, 0.6], events=None)
    np.testing.assert_allclose(scene.equilibrium, a * np.array([[0.75], [0.4]]), atol=1e-14)
    np.testing.assert_allclose(scene.unbound, [0.25, 0.6], atol=1e-14)


def test_copies_and_pioneers_use_the_exact_pool_equilibrium(scene):
    closed = scene.closed
    for s, (copies, penalty) in enumerate([(1, None), (3, None), (2, 2.0)]):
        assert scene.copies[s] == copies
        energies = binding_energies(scene.attention[s])
        w0 = scene.trajectory.reservoir_weight[s]
        exact = finite_pool_occupancy(energies, copies=copies, reservoir_weight=w0,
                                      closed=closed, pioneer_penalty=penalty)
        np.testing.assert_allclose(scene.equilibrium[s], exact.occupancy, atol=1e-14)
    assert np.all(scene.equilibrium[:2][:, closed] == 0)
    assert np.all(scene.equilibrium[2][closed] > 0)


def test_species_get_distinct_colours_and_shapes():
    scene = scene_from_attention(rows(4, MAX_SPECIES), list("abcd"), events=None)
    assert len(set(scene.colours)) == MAX_SPECIES == len(set(scene.shapes))
    assert set(scene.colours) <= set(OKABE_ITO[:7])


def test_the_content_id_tracks_the_scene(scene):
    assert scene_payload(scene)["id"] == scene_payload(scene)["id"]
    other = scene_from_attention(scene.attention, ["x", *LABELS[1:]], events=None)
    same_numbers = scene_from_attention(scene.attention, LABELS, events=None)
    assert scene_payload(other)["id"] != scene_payload(same_numbers)["id"]


def test_description_states_the_most_occupied_locus(scene):
    text = describe_scene(scene)
    for s, name in enumerate(scene.species):
        j = int(np.argmax(scene.equilibrium[s]))
        assert f"{name}" in text and f"'{scene.labels[j]}'" in text
        assert f"{scene.equilibrium[s, j]:.1%}" in text
    assert "2 closed" in text


@pytest.mark.parametrize(
    "change, match",
    [
        ({"species": tuple(f"s{k}" for k in range(8))}, "1 to 7"),
        ({"labels": ()}, "at least one locus"),
        ({"closed": np.zeros(3, bool)}, "closed"),
        ({"copies": np.array([1, 0, 2])}, "copies"),
    ],
)
def test_an_inconsistent_scene_is_refused_with_a_fix(scene, change, match):
    fields = {name: getattr(scene, name) for name in (
        "labels", "closed", "species", "attention", "equilibrium", "energies", "unbound",
        "copies", "pioneer")}
    fields["trajectory"] = None
    with pytest.raises(ValueError, match=match):
        ChromatinScene(**{**fields, **change})


def test_a_trajectory_for_other_loci_is_refused(scene):
    other = scene_from_attention(rows(5, 3), list("abcde"), copies=[1, 3, 2], events=100)
    with pytest.raises(ValueError, match="simulate the same energies"):
        ChromatinScene(labels=scene.labels, closed=scene.closed, species=scene.species,
                       attention=scene.attention, equilibrium=scene.equilibrium,
                       energies=scene.energies, unbound=scene.unbound, copies=scene.copies,
                       pioneer=scene.pioneer, trajectory=other.trajectory)


def test_no_reservoir_cannot_be_animated():
    with pytest.raises(ValueError, match="unbound must be in"):
        scene_from_attention(rows(4, 1), list("abcd"), unbound=0.0, events=10)


def test_the_tooltips_attention_is_the_shown_row_while_energies_come_from_the_rows():
    a = rows(5, 2, seed=3)
    tempered = a**2 / (a**2).sum(axis=1, keepdims=True)  # the rows shown at T = 0.5
    plain = scene_from_attention(a, list("abcde"), kT=0.5, events=None, unbound=0.0)
    shown = scene_from_attention(a, list("abcde"), kT=0.5, events=None, unbound=0.0,
                                 shown_attention=tempered)
    np.testing.assert_array_equal(shown.attention, tempered)
    np.testing.assert_array_equal(shown.energies, plain.energies)
    np.testing.assert_allclose(shown.equilibrium, tempered, atol=1e-12)  # kT = T: the identity
    decoded = decode_scene_payload(json.loads(json.dumps(scene_payload(shown))))
    np.testing.assert_allclose(decoded.attention, tempered, rtol=1e-6)


def test_loci_keep_the_pages_numbers_in_the_payload_and_the_description():
    numbers = (1, 2, 4, 5, 7, 8)  # e.g. [CLS] dropped and the window starting later
    scene = scene_from_attention(rows(6, 1), LABELS, numbers=numbers, events=None)
    assert decode_scene_payload(scene_payload(scene)).numbers == numbers
    j = int(np.argmax(scene.equilibrium[0]))
    assert f"locus {numbers[j]}, '{LABELS[j]}'" in describe_scene(scene)
    default = scene_from_attention(rows(6, 1), LABELS, events=None)
    assert default.numbers == tuple(range(6))  # 0-based, as the charts and pickers
    with pytest.raises(ValueError, match="one number per locus"):
        scene_from_attention(rows(6, 1), LABELS, numbers=(0, 1), events=None)


def test_description_of_many_copies_says_a_copy_holds_the_locus(scene):
    text = describe_scene(scene)
    j = int(np.argmax(scene.equilibrium[1]))
    assert (f"With 3 copies of head 4, locus {j}, '{scene.labels[j]}', is held by one of them "
            f"{scene.equilibrium[1, j]:.1%} of the time") in text
    assert "one per token (or word)" in text and "strand" not in text


# --- the pages' scenes, on the real model ---------------------------------------------------


@pytest.fixture(scope="module")
def france(bundled):
    from lib.attention.extract import extract_attention

    return extract_attention(bundled, "What's the capital of France?")


@pytest.mark.parametrize("special", ["keep", "drop", "reservoir"])
def test_explore_scene_shows_the_tempered_row_as_the_bars_do(france, special):
    from lib.pipeline.views import RowSettings, explore_view, row_scene

    settings = RowSettings(layer=2, head="mean", special=special, temperature=0.5)
    view = explore_view(france, query=3, settings=settings)
    scene = row_scene(view.row, view.row_window, species="TF", events=None)
    part = view.row_window.as_slice()
    np.testing.assert_array_equal(scene.attention[0], view.row.relevance.weights[part])
    assert scene.numbers == view.row.relevance.keys[part]
    # The tempered row is what the molecule's bound time follows at kT = T.
    bound = scene.equilibrium[0] / scene.equilibrium[0].sum()
    shown = scene.attention[0] / scene.attention[0].sum()
    np.testing.assert_allclose(bound, shown, atol=1e-12)


def test_teamwork_scene_shows_each_heads_tempered_row(france):
    from lib.attention.relevance import select_relevance
    from lib.pipeline.views import team_scene

    heads = (0, 5, 9)
    scene = team_scene(france, query=3, layer=2, heads=heads, temperature=2.0)
    for s, h in enumerate(heads):
        row = select_relevance(france, query=3, layer=2, head=h, temperature=2.0)
        np.testing.assert_allclose(scene.attention[s], row.weights, atol=1e-12)
        bound = scene.equilibrium[s] / scene.equilibrium[s].sum()
        np.testing.assert_allclose(bound, row.weights, atol=1e-9)
    assert scene.numbers == tuple(range(france.seq_len))
