"""Kinetic Monte Carlo: one TF binding and leaving loci converges to the Boltzmann row."""

import numpy as np
import pytest

from lib.chromatin import (
    UNBOUND,
    binding_energies,
    equilibrium_occupancy,
    kinetic_frames,
    running_tv_distance,
    simulate,
)

A = np.array([0.30, 0.22, 0.15, 0.12, 0.09, 0.06, 0.04, 0.02])  # [8] an attention row
EPS = binding_energies(A)


def tv(p, q):
    return 0.5 * np.abs(np.asarray(p) - np.asarray(q)).sum()


@pytest.fixture(scope="module")
def long_run():
    return simulate(EPS, events=100_000, rng=np.random.default_rng(20240601))


def test_time_average_over_bound_time_converges_to_the_attention_row(long_run):
    assert tv(long_run.bound_occupancy, A) < 0.02
    np.testing.assert_allclose(long_run.bound_occupancy.sum(), 1.0)


def test_fraction_of_total_time_matches_equilibrium_with_reservoir_k0_over_k_on():
    traj = simulate(EPS, events=100_000, rng=np.random.default_rng(7), k_on=0.5, k0=2.0)
    assert traj.reservoir_weight == pytest.approx(4.0)
    eq = equilibrium_occupancy(EPS, reservoir_weight=traj.reservoir_weight)
    full_sim = np.append(traj.time_averaged_occupancy, traj.unbound_fraction)
    full_eq = np.append(eq.occupancy, eq.unbound)
    assert tv(full_sim, full_eq) < 0.02
    np.testing.assert_allclose(full_sim.sum(), 1.0)


def test_events_alternate_binding_and_unbinding(long_run):
    assert np.all(long_run.locus[0::2] >= 0)
    assert np.all(long_run.locus[1::2] == UNBOUND)
    assert np.all(np.diff(long_run.times) >= 0)
    np.testing.assert_allclose(long_run.times[1:], long_run.times[:-1] + long_run.dwell[:-1])


def test_dwell_times_have_mean_one_over_k_off(long_run):
    k_off = np.exp(EPS)  # k0 = 1, kT = 1
    np.testing.assert_allclose(long_run.k_off, k_off)
    for j in range(A.size):
        visits = long_run.dwell[long_run.locus == j]
        assert visits.size > 1000
        assert visits.mean() == pytest.approx(1 / k_off[j], rel=0.05)


def test_unbound_dwell_has_mean_one_over_total_on_rate(long_run):
    waits = long_run.dwell[long_run.locus == UNBOUND]
    assert waits.mean() == pytest.approx(1 / (1.0 * A.size), rel=0.05)


def test_temperature_scales_off_rates_and_the_limit():
    traj = simulate(EPS, events=100_000, rng=3, kT=2.0)
    np.testing.assert_allclose(traj.k_off, np.exp(EPS / 2.0))
    target = equilibrium_occupancy(EPS, kT=2.0).occupancy
    assert tv(traj.bound_occupancy, target) < 0.02
    assert tv(target, A) > 0.05  # so the check above could tell temperatures apart


def test_closed_loci_are_never_visited():
    closed = np.array([True, False, False, False, False, False, False, True])
    traj = simulate(EPS, events=100_000, rng=11, closed=closed)
    assert np.count_nonzero(np.isin(traj.locus, np.flatnonzero(closed))) == 0
    assert np.all(traj.time_averaged_occupancy[closed] == 0)
    target = equilibrium_occupancy(EPS, closed=closed).occupancy
    assert tv(traj.bound_occupancy, target) < 0.02


def test_pioneer_visits_closed_loci_with_their_boltzmann_weight():
    closed = np.array([True, False, False, False, False, False, False, True])
    traj = simulate(EPS, events=100_000, rng=12, closed=closed, pioneer_penalty=1.0)
    assert np.count_nonzero(np.isin(traj.locus, np.flatnonzero(closed))) > 0
    target = equilibrium_occupancy(EPS, closed=closed, pioneer_penalty=1.0).occupancy
    assert tv(traj.bound_occupancy, target) < 0.02
    assert traj.bound_occupancy[0] == pytest.approx(target[0], abs=0.02)


def test_zero_attention_loci_are_never_visited():
    a = np.array([0.5, 0.0, 0.5])
    traj = simulate(binding_energies(a), events=10_000, rng=1)
    assert np.count_nonzero(traj.locus == 1) == 0


def test_same_seed_same_trajectory_different_seed_different():
    one = simulate(EPS, events=5_000, rng=np.random.default_rng(42))
    two = simulate(EPS, events=5_000, rng=np.random.default_rng(42))
    three = simulate(EPS, events=5_000, rng=np.random.default_rng(43))
    np.testing.assert_array_equal(one.locus, two.locus)
    np.testing.assert_array_equal(one.times, two.times)
    assert not np.array_equal(one.locus, three.locus)
    assert not np.array_equal(one.times, three.times)


def test_integer_seed_equals_generator_seed():
    one = simulate(EPS, events=1_000, rng=5)
    two = simulate(EPS, events=1_000, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(one.times, two.times)


def test_trajectory_arrays_are_read_only(long_run):
    with pytest.raises(ValueError):
        long_run.locus[0] = 3


def test_running_tv_matches_a_direct_computation(long_run):
    times, dist = running_tv_distance(long_run, A, points=50)
    assert times.size == dist.size and np.all(np.diff(times) > 0)
    assert dist[-1] == pytest.approx(tv(long_run.bound_occupancy, A), abs=1e-12)
    # Every intermediate point, recomputed from scratch: the point at long_run.times[e]
    # averages the initial unbound wait plus the states after events 0..e-1.
    for t, d in zip(times[:-1], dist[:-1], strict=True):
        e = int(np.searchsorted(long_run.times, t))
        assert long_run.times[e] == t
        loci, dwell = long_run.locus[:e], long_run.dwell[:e]
        occ = np.bincount(loci[loci >= 0], weights=dwell[loci >= 0], minlength=A.size)
        assert d == pytest.approx(tv(occ / occ.sum(), A), abs=1e-12)
    assert dist[-1] < dist[0]


def test_running_tv_over_total_time_includes_the_unbound_state(long_run):
    eq = equilibrium_occupancy(EPS, reservoir_weight=long_run.reservoir_weight)
    _, dist = running_tv_distance(long_run, eq.occupancy, over="total")
    full_sim = np.append(long_run.unbound_fraction, long_run.time_averaged_occupancy)
    assert dist[-1] == pytest.approx(tv(full_sim, np.append(eq.unbound, eq.occupancy)), abs=1e-12)


def test_kinetic_frames_report_the_state_at_each_time(long_run):
    frames = kinetic_frames(long_run, frames=400, t_max=200.0)
    starts = np.concatenate(([0.0], long_run.times))
    states = np.concatenate(([UNBOUND], long_run.locus))
    for t, where in zip(frames.times, frames.locus, strict=True):
        seg = np.searchsorted(starts, t, side="right") - 1
        assert where == states[seg]
    assert frames.locus[0] == UNBOUND and frames.unbound[0] == 1.0
    bound = frames.occupancy.sum(axis=1)
    assert np.all((np.isclose(bound, 1.0)) | (bound == 0))


def test_kinetic_frames_at_the_end_equal_the_full_average(long_run):
    frames = kinetic_frames(long_run, frames=3)
    np.testing.assert_allclose(frames.occupancy[-1], long_run.bound_occupancy, atol=1e-12)
    np.testing.assert_allclose(frames.unbound[-1], long_run.unbound_fraction, atol=1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"events": 0, "rng": 1}, "events"),
        ({"events": 10, "rng": 1, "k_on": 0.0}, "k_on"),
        ({"events": 10, "rng": 1, "closed": np.ones(8, bool)}, "pioneer_penalty"),
    ],
)
def test_bad_inputs_raise_helpful_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate(EPS, **kwargs)
