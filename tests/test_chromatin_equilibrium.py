"""Equilibrium chromatin model: softmax is a Boltzmann distribution, and where that breaks."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lib.chromatin import (
    binding_energies,
    equilibrium_occupancy,
    many_copies_occupancy,
    reservoir_weight_for,
    species_occupancy,
)

# Raw entries mix ordinary values, tiny ones (down to subnormals) and exact zeros.
entry = st.one_of(
    st.floats(min_value=1e-3, max_value=1.0),
    st.floats(min_value=5e-324, max_value=1e-200),
    st.just(0.0),
)


@st.composite
def attention_rows(draw, min_size=1, max_size=40):
    raw = np.array(draw(st.lists(entry, min_size=min_size, max_size=max_size)))
    assume(raw.max() >= 1e-3)
    return raw / raw.sum()


@settings(max_examples=300, deadline=None)
@given(attention_rows())
def test_identity_energies_reproduce_the_attention_row(a):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # zero weights must not warn
        eps = binding_energies(a)
        occ = equilibrium_occupancy(eps)
    assert not np.any(np.isnan(eps))
    np.testing.assert_allclose(occ.occupancy, a, rtol=0, atol=1e-12)
    assert np.all(np.isinf(eps[a == 0])) and np.all(occ.occupancy[a == 0] == 0)
    assert occ.unbound == 0.0


@settings(max_examples=100, deadline=None)
@given(attention_rows(), st.sampled_from(["max", "none", -15.3, 4.0]))
def test_identity_holds_for_every_energy_reference(a, reference):
    eps = binding_energies(a, reference=reference)
    np.testing.assert_allclose(equilibrium_occupancy(eps).occupancy, a, rtol=0, atol=1e-12)


def test_reference_max_puts_the_strongest_locus_at_zero():
    a = np.array([0.1, 0.6, 0.3, 0.0])
    eps = binding_energies(a)
    assert eps[1] == 0.0
    np.testing.assert_allclose(eps[[0, 2]], np.log(0.6 / np.array([0.1, 0.3])))
    assert eps[3] == np.inf
    np.testing.assert_allclose(binding_energies(a, reference=-15.3)[1], -15.3)


@settings(max_examples=100, deadline=None)
@given(attention_rows(min_size=2), st.floats(min_value=0.05, max_value=20.0))
def test_temperature_gives_weights_to_the_power_one_over_T(a, T):
    eps = binding_energies(a)
    expected = np.zeros_like(a)
    pos = a > 0
    log_p = np.log(a[pos]) / T  # softmax(log a / T) computed independently
    expected[pos] = np.exp(log_p - log_p.max()) / np.exp(log_p - log_p.max()).sum()
    np.testing.assert_allclose(equilibrium_occupancy(eps, kT=T).occupancy, expected, atol=1e-12)


def test_temperature_one_returns_the_input():
    a = np.array([0.5, 0.25, 0.125, 0.125])
    np.testing.assert_allclose(
        equilibrium_occupancy(binding_energies(a), kT=1.0).occupancy, a, atol=1e-15
    )


def test_cold_limit_is_one_hot_at_the_argmax():
    a = np.array([0.2, 0.05, 0.45, 0.3])
    occ = equilibrium_occupancy(binding_energies(a), kT=1e-4).occupancy
    np.testing.assert_array_equal(occ, np.eye(4)[2])


def test_hot_limit_is_uniform_over_accessible_loci():
    a = np.array([0.7, 0.1, 0.1, 0.05, 0.05])
    closed = np.array([False, True, False, False, True])
    occ = equilibrium_occupancy(binding_energies(a), kT=1e12, closed=closed).occupancy
    np.testing.assert_allclose(occ, [1 / 3, 0, 1 / 3, 1 / 3, 0], atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    attention_rows(min_size=2),
    st.floats(min_value=0.0, max_value=0.99),
    st.sampled_from(["max", "none", -12.0]),
)
def test_reservoir_weight_matches_closed_form_and_shows_the_same_unbound_mass(a, r, reference):
    row = a * (1 - r)  # attention row after moving mass r to the special-token reservoir
    eps = binding_energies(row, reference=reference)
    w0 = reservoir_weight_for(r, eps)
    # Closed form, computed independently: S = sum(row) / max(row) * exp(-offset).
    offset = {"max": 0.0, "none": None, -12.0: -12.0}[reference]
    s = row.sum() if offset is None else row.sum() / row.max() * np.exp(-offset)
    np.testing.assert_allclose(w0, r / (1 - r) * s, rtol=1e-12)
    eq = equilibrium_occupancy(eps, reservoir_weight=w0)
    np.testing.assert_allclose(eq.unbound, r, atol=1e-12)
    np.testing.assert_allclose(eq.occupancy, row, atol=1e-12)


def test_reference_none_makes_the_reservoir_weight_the_reservoir_itself():
    row = np.array([0.3, 0.2, 0.1])  # 0.4 of the mass sits on special tokens
    w0 = reservoir_weight_for(0.4, binding_energies(row, reference="none"))
    np.testing.assert_allclose(w0, 0.4, rtol=1e-12)


def test_reservoir_of_one_is_rejected_with_advice():
    with pytest.raises(ValueError, match="special tokens"):
        reservoir_weight_for(1.0, np.zeros(3))


def test_closed_loci_are_never_occupied():
    a = np.array([0.4, 0.3, 0.2, 0.1])
    closed = np.array([True, False, False, True])
    occ = equilibrium_occupancy(binding_energies(a), closed=closed).occupancy
    assert occ[0] == 0 and occ[3] == 0
    np.testing.assert_allclose(occ[[1, 2]], [0.6, 0.4], atol=1e-12)


def test_pioneer_penalty_opens_closed_loci_with_boltzmann_weight():
    a = np.array([0.4, 0.3, 0.2, 0.1])
    closed = np.array([True, False, False, True])
    eps = binding_energies(a)
    penalty = 2.5
    occ = equilibrium_occupancy(eps, closed=closed, pioneer_penalty=penalty).occupancy
    weights = np.exp(-eps)
    weights[closed] *= np.exp(-penalty)
    np.testing.assert_allclose(occ, weights / weights.sum(), atol=1e-12)
    assert np.all(occ[closed] > 0)


def test_pioneer_on_a_masked_key_is_priced_from_the_best_open_site():
    a = np.array([0.0, 0.5, 0.5])  # causal mask zeroed key 0: no affinity of its own
    closed = np.array([True, False, False])
    occ = equilibrium_occupancy(binding_energies(a), closed=closed, pioneer_penalty=1.0).occupancy
    w = np.array([np.exp(-1.0), 1.0, 1.0])
    np.testing.assert_allclose(occ, w / w.sum(), atol=1e-12)


def test_everything_closed_raises_helpful_error():
    with pytest.raises(ValueError, match="pioneer_penalty"):
        equilibrium_occupancy(np.zeros(3), closed=np.ones(3, bool))


def test_huge_energies_stay_finite():
    eps = np.array([0.0, 800.0, -800.0])
    occ = equilibrium_occupancy(eps)
    np.testing.assert_array_equal(occ.occupancy, [0.0, 0.0, 1.0])
    assert np.isfinite(occ.log_partition)


@settings(max_examples=150, deadline=None)
@given(
    attention_rows(min_size=2, max_size=30),
    st.floats(min_value=0.01, max_value=0.99),
    st.floats(min_value=0.2, max_value=5.0),
)
def test_many_copies_fill_the_requested_number_of_sites(a, fraction, kT):
    eps = binding_energies(a)
    n_acc = int(np.isfinite(eps).sum())
    assume(n_acc >= 1)
    copies = fraction * n_acc
    mc = many_copies_occupancy(eps, copies=copies, kT=kT)
    assert abs(mc.occupancy.sum() - copies) < 1e-9
    assert np.all((mc.occupancy >= 0) & (mc.occupancy <= 1))
    assert np.all(mc.occupancy[~np.isfinite(eps)] == 0)
    with np.errstate(over="ignore"):  # exp overflow -> inf -> p = 0, which is right
        expected = 1 / (1 + np.exp((eps - mc.mu) / kT))  # the sigmoid the docstring promises
    np.testing.assert_allclose(mc.occupancy, expected, atol=1e-12)


def test_few_copies_reduce_to_the_single_molecule_row_scaled():
    a = np.array([0.5, 0.3, 0.15, 0.05])
    copies = 1e-6
    mc = many_copies_occupancy(binding_energies(a), copies=copies)
    assert mc.mu < -10  # very negative chemical potential
    np.testing.assert_allclose(mc.occupancy, copies * a, rtol=1e-5)


def test_many_copies_saturate_and_stop_looking_like_softmax():
    a = np.array([0.5, 0.3, 0.15, 0.05])
    mc = many_copies_occupancy(binding_energies(a), copies=2.0)
    shape = mc.occupancy / mc.occupancy.sum()
    assert np.abs(shape - a).max() > 0.05  # the analogy breaks here
    assert mc.occupancy.max() < 1.0 and mc.occupancy[0] > 0.7


def test_many_copies_respect_closed_chromatin():
    a = np.array([0.4, 0.3, 0.2, 0.1])
    closed = np.array([False, True, False, False])
    mc = many_copies_occupancy(binding_energies(a), copies=1.5, closed=closed)
    assert mc.occupancy[1] == 0
    assert abs(mc.occupancy.sum() - 1.5) < 1e-9


@pytest.mark.parametrize("copies", [0, 3, 4, -1.0, np.nan])
def test_copies_must_be_below_the_accessible_loci(copies):
    closed = np.array([False, True, False, False])
    with pytest.raises(ValueError, match="accessible loci"):
        many_copies_occupancy(np.zeros(4), copies=copies, closed=closed)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=5), st.integers(min_value=2, max_value=20), st.data())
def test_species_combined_view_equals_head_mean_attention(s, n, data):
    rows = np.stack([data.draw(attention_rows(min_size=n, max_size=n)) for _ in range(s)])
    out = species_occupancy(rows)
    np.testing.assert_allclose(out.occupancy, rows, atol=1e-12)
    np.testing.assert_allclose(out.combined, rows.mean(axis=0), atol=1e-12)


def test_species_with_reservoirs_keep_each_heads_unbound_mass():
    rows = np.array([[0.3, 0.3, 0.2], [0.1, 0.0, 0.5]])
    res = np.array([0.2, 0.4])
    out = species_occupancy(rows, reservoirs=res)
    np.testing.assert_allclose(out.unbound, res, atol=1e-12)
    np.testing.assert_allclose(out.combined, rows.mean(axis=0), atol=1e-12)
    assert out.combined_unbound == pytest.approx(0.3)


def test_species_have_their_own_energies():
    rows = np.array([[0.9, 0.1], [0.1, 0.9]])
    out = species_occupancy(rows, kT=0.5)
    assert out.energies[0, 0] == 0 and out.energies[1, 1] == 0
    assert out.occupancy[0, 0] > 0.9 and out.occupancy[1, 1] > 0.9


@pytest.mark.parametrize(
    "bad, match",
    [(np.array([0.5, np.nan]), "NaN"), (np.array([0.5, -0.1]), ">= 0"), (np.zeros(3), "all zero")],
)
def test_bad_weights_raise_errors_that_say_what_to_do(bad, match):
    with pytest.raises(ValueError, match=match):
        binding_energies(bad)
