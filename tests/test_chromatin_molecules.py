"""Many TF molecules: copy number, several species, pioneers, and site exclusion."""

import itertools

import numpy as np
import pytest

from lib.chromatin import (
    binding_energies,
    effective_energies,
    equilibrium_occupancy,
    finite_pool_occupancy,
    many_copies_occupancy,
)
from lib.chromatin.molecules import (
    BIND,
    CLOSE,
    NUCLEOSOME,
    OPEN,
    UNBIND,
    simulate_molecules,
)

A = np.array([0.30, 0.22, 0.15, 0.12, 0.09, 0.06, 0.04, 0.02])  # [8] an attention row
EPS = binding_energies(A)
CLOSED = np.array([False, True, False, False, False, True, False, False])


def stationary_by_enumeration(eps, *, copies, w0, kT=1.0):
    """Occupancy from the generator matrix of the molecule-level Markov chain (tiny n).

    Independent of the detailed-balance formula: every state lists where each of the
    distinguishable copies is (-1 = reservoir), and pi Q = 0 is solved directly.
    """
    n = eps.size
    places = [-1, *np.flatnonzero(np.isfinite(eps)).tolist()]
    states = [s for s in itertools.product(places, repeat=copies)
              if len([x for x in s if x >= 0]) == len({x for x in s if x >= 0})]
    index = {s: i for i, s in enumerate(states)}
    q = np.zeros((len(states), len(states)))
    k_on, k0 = 1.0 / w0, 1.0
    for s in states:
        for m, where in enumerate(s):
            if where >= 0:  # unbinding
                t = s[:m] + (-1,) + s[m + 1:]
                q[index[s], index[t]] += k0 * np.exp(eps[where] / kT)
            else:  # binding to any free, reachable locus
                for j in range(n):
                    if np.isfinite(eps[j]) and j not in s:
                        t = s[:m] + (j,) + s[m + 1:]
                        q[index[s], index[t]] += k_on
    q -= np.diag(q.sum(axis=1))
    system = np.vstack([q.T, np.ones(len(states))])
    pi = np.linalg.lstsq(system, np.append(np.zeros(len(states)), 1.0), rcond=None)[0]
    occ = np.zeros(n)
    for s, p in zip(states, pi, strict=True):
        for where in s:
            if where >= 0:
                occ[where] += p
    return occ


@pytest.mark.parametrize("copies, w0", [(1, 0.7), (2, 0.7), (3, 0.2), (2, 5.0)])
def test_finite_pool_matches_the_markov_chain_solved_directly(copies, w0):
    eps = np.array([0.0, 0.8, 2.5, np.inf, 1.1])
    exact = finite_pool_occupancy(eps, copies=copies, reservoir_weight=w0)
    chain = stationary_by_enumeration(eps, copies=copies, w0=w0)
    np.testing.assert_allclose(exact.occupancy, chain, atol=1e-10)
    assert exact.mean_bound == pytest.approx(exact.occupancy.sum())
    assert exact.bound.sum() == pytest.approx(1.0)


def test_one_copy_is_the_softmax_with_an_unbound_state():
    one = finite_pool_occupancy(EPS, copies=1, reservoir_weight=0.6)
    ref = equilibrium_occupancy(EPS, reservoir_weight=0.6)
    np.testing.assert_allclose(one.occupancy, ref.occupancy, atol=1e-15)
    assert one.unbound == pytest.approx(ref.unbound)


def test_no_reservoir_binds_every_copy():
    pool = finite_pool_occupancy(EPS, copies=3, reservoir_weight=0.0)
    assert pool.occupancy.sum() == pytest.approx(3.0)
    assert pool.bound[-1] == pytest.approx(1.0) and pool.unbound == pytest.approx(0.0)


def test_many_copies_with_a_fixed_concentration_are_independent_fermi_sites():
    eps = np.random.default_rng(0).normal(0.0, 2.0, size=30)
    copies, concentration = 10**7, 3.0  # exp(mu/kT) = copies / w0
    pool = finite_pool_occupancy(eps, copies=copies, reservoir_weight=copies / concentration)
    fermi = many_copies_occupancy(eps, copies=pool.mean_bound)
    np.testing.assert_allclose(pool.occupancy, fermi.occupancy, atol=1e-6)
    assert fermi.mu == pytest.approx(np.log(concentration), abs=1e-5)


def tv(p, q):
    return 0.5 * np.abs(np.asarray(p) - np.asarray(q)).sum()


@pytest.fixture(scope="module")
def crowd():
    """Three species at once: one copy, four copies, and a pioneer with three copies."""
    energies = np.stack([EPS, EPS[::-1], binding_energies(np.full(8, 1 / 8))])  # [3, 8]
    return simulate_molecules(
        energies, events=150_000, rng=np.random.default_rng(2024), copies=[1, 4, 3],
        k_on=[1.0, 2.0, 2.0], closed=CLOSED, pioneer=[False, False, True], pioneer_penalty=1.5,
    )


def test_each_species_converges_to_its_own_exact_equilibrium(crowd):
    for s, (copies, penalty) in enumerate([(1, None), (4, None), (3, 1.5)]):
        exact = finite_pool_occupancy(
            crowd.energies[s], copies=copies, reservoir_weight=crowd.reservoir_weight[s],
            closed=CLOSED, pioneer_penalty=penalty,
        )
        assert np.abs(crowd.time_averaged_occupancy[s] - exact.occupancy).max() < 0.03
        assert crowd.unbound_fraction[s] == pytest.approx(exact.unbound, abs=0.02)


def test_several_copies_saturate_strong_sites_instead_of_following_the_attention_row(crowd):
    held = crowd.time_averaged_occupancy[1]  # four copies of the reversed row
    share = held / held.sum()
    assert held.max() > 0.6  # a strong site is held most of the time
    assert tv(share, A[::-1] * ~CLOSED / (A[::-1] * ~CLOSED).sum()) > 0.05


def test_only_the_pioneer_ever_binds_closed_loci(crowd):
    bound_closed = (crowd.kind == BIND) & np.isin(crowd.locus, np.flatnonzero(CLOSED))
    species = crowd.species_of[crowd.molecule[bound_closed]]
    assert species.size > 100 and np.all(species == 2)
    assert np.all(crowd.time_averaged_occupancy[:2][:, CLOSED] == 0)


def test_the_pioneer_pays_its_penalty_in_shorter_dwells(crowd):
    """A flat row gives every locus energy 0; on closed loci the pioneer leaves e^1.5 faster."""
    dwell = dwell_times(crowd)
    closed_dwell = [d for (m, j), ds in dwell.items() if crowd.species_of[m] == 2 and CLOSED[j]
                    for d in ds]
    open_dwell = [d for (m, j), ds in dwell.items() if crowd.species_of[m] == 2 and not CLOSED[j]
                  for d in ds]
    assert np.mean(open_dwell) == pytest.approx(1.0, rel=0.05)
    assert np.mean(closed_dwell) == pytest.approx(np.exp(-1.5), rel=0.08)


def dwell_times(traj) -> dict:
    since, out = {}, {}
    for t, kind, m, j in zip(traj.times, traj.kind, traj.molecule, traj.locus, strict=True):
        if kind == BIND:
            since[m] = t
        elif kind == UNBIND:
            out.setdefault((int(m), int(j)), []).append(t - since.pop(m))
    return out


def replay_exclusion(traj) -> int:
    """Replay every event; fail on any impossible step. Returns the largest crowd seen."""
    place = np.full(traj.species_of.size, -1)
    holder = {}
    wrapped = set(np.flatnonzero(traj.closed).tolist())
    most = 0
    assert np.all(np.diff(traj.times) >= 0)
    for kind, m, j in zip(traj.kind, traj.molecule, traj.locus, strict=True):
        s = traj.species_of[m] if m != NUCLEOSOME else -1
        if kind == BIND:
            assert place[m] == -1, "a bound molecule bound again"
            assert (s, j) not in holder, "two copies of one species on one site"
            place[m], holder[(s, j)] = j, m
        elif kind == UNBIND:
            assert place[m] == j and holder.pop((s, j)) == m
            place[m] = -1
        elif kind == OPEN:
            assert j in wrapped
            wrapped.discard(j)
        else:
            assert kind == CLOSE and j not in wrapped
            assert not any(key[1] == j for key in holder), "a nucleosome closed over a factor"
            wrapped.add(j)
        most = max(most, sum(1 for key in holder if key[1] == j))
    return most


def test_site_exclusion_is_never_violated(crowd):
    assert replay_exclusion(crowd) >= 2  # different species do share a locus


def test_a_pioneer_opens_nucleosomes_for_the_other_species():
    energies = np.stack([EPS, binding_energies(np.full(8, 1 / 8))])  # [2, 8]
    traj = simulate_molecules(energies, events=60_000, rng=5, copies=[2, 2], closed=CLOSED,
                              pioneer=[False, True], pioneer_penalty=2.0, hold_open=1.0)
    replay_exclusion(traj)
    opens = np.flatnonzero(traj.kind == OPEN)
    assert opens.size > 50
    after = opens + 1  # the pioneer's binding that opened it, logged at the same time
    assert np.all(traj.kind[after] == BIND) and np.all(traj.locus[after] == traj.locus[opens])
    assert np.all(traj.species_of[traj.molecule[after]] == 1)
    assert np.all(traj.times[after] == traj.times[opens])
    # The ordinary factor now reaches closed loci, but only while they are open.
    wrapped, reached = set(np.flatnonzero(CLOSED).tolist()), 0
    for kind, m, j in zip(traj.kind, traj.molecule, traj.locus, strict=True):
        if kind in (OPEN, CLOSE):
            (wrapped.discard if kind == OPEN else wrapped.add)(int(j))
        elif kind == BIND and traj.species_of[m] == 0 and CLOSED[j]:
            assert j not in wrapped
            reached += 1
    assert reached > 20
    assert np.all(traj.open_fraction[CLOSED] > 0) and np.all(traj.open_fraction[~CLOSED] == 0)


def test_without_hold_open_nothing_opens_and_ordinary_factors_stay_out():
    traj = simulate_molecules(np.stack([EPS, EPS]), events=20_000, rng=9, closed=CLOSED,
                              pioneer=[False, True], pioneer_penalty=2.0)
    assert not np.any(np.isin(traj.kind, [OPEN, CLOSE]))
    assert np.all(traj.time_averaged_occupancy[0, CLOSED] == 0)
    assert np.all(traj.time_averaged_occupancy[1, CLOSED] > 0)


@pytest.fixture(scope="module")
def loners():
    """One copy each of three species that never interact (no opening): the merged path."""
    energies = np.stack([EPS, EPS[::-1], binding_energies(np.full(8, 1 / 8))])  # [3, 8]
    return simulate_molecules(
        energies, events=120_000, rng=np.random.default_rng(7), k_on=[1.0, 3.0, 0.5],
        closed=CLOSED, pioneer=[False, False, True], pioneer_penalty=1.5,
    )


def test_single_copies_converge_to_their_exact_equilibria(loners):
    replay_exclusion(loners)
    assert loners.times.size == 120_000 and loners.total_time > loners.times[-1]
    for s, penalty in enumerate([None, None, 1.5]):
        exact = finite_pool_occupancy(
            loners.energies[s], copies=1, reservoir_weight=loners.reservoir_weight[s],
            closed=CLOSED, pioneer_penalty=penalty,
        )
        assert np.abs(loners.time_averaged_occupancy[s] - exact.occupancy).max() < 0.02
        assert loners.unbound_fraction[s] == pytest.approx(exact.unbound, abs=0.01)
    assert np.all(loners.time_averaged_occupancy[:2][:, CLOSED] == 0)


def test_single_copies_share_the_events_in_proportion_to_their_own_pace(loners):
    """Each species binds and leaves at its own pace, interleaved in time: its share of the
    events is the inverse of its mean bind-leave cycle, against the others'."""
    cycle = []
    for s, penalty in enumerate([None, None, 1.5]):
        eps = effective_energies(loners.energies[s], closed=CLOSED, pioneer_penalty=penalty)
        reach = np.isfinite(eps)
        dwell = np.mean(np.exp(-eps[reach]))  # mean bound time, sites drawn uniformly
        cycle.append(1.0 / (loners.k_on[s] * reach.sum()) + dwell)
    expected = (1 / np.array(cycle)) / (1 / np.array(cycle)).sum()
    share = np.bincount(loners.species_of[loners.molecule], minlength=3) / loners.times.size
    np.testing.assert_allclose(share, expected, atol=0.01)
    switches = np.count_nonzero(np.diff(loners.molecule))
    assert switches > 0.3 * loners.times.size  # interleaved, not one species after another


def test_same_seed_same_history():
    one = simulate_molecules(EPS, events=3_000, rng=np.random.default_rng(4), copies=3)
    two = simulate_molecules(EPS, events=3_000, rng=4, copies=3)
    three = simulate_molecules(EPS, events=3_000, rng=5, copies=3)
    np.testing.assert_array_equal(one.times, two.times)
    np.testing.assert_array_equal(one.molecule, two.molecule)
    assert not np.array_equal(one.locus, three.locus)
    assert one.times.size == 3_000
    alone = [simulate_molecules(np.stack([EPS, EPS]), events=500, rng=8) for _ in range(2)]
    np.testing.assert_array_equal(alone[0].times, alone[1].times)
    np.testing.assert_array_equal(alone[0].locus, alone[1].locus)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"copies": 0}, "copies"),
        ({"pioneer": True}, "pioneer_penalty"),
        ({"closed": np.ones(8, bool)}, "No locus can be bound"),
        ({"k_on": [1.0, 2.0]}, "k_on"),
        ({"hold_open": -1.0}, "hold_open"),
    ],
)
def test_bad_inputs_raise_helpful_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_molecules(EPS, events=10, rng=1, **kwargs)
