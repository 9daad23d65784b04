"""The pure models behind the Learn pages: toy physics, figure numbers, model probes, glossary
matching and the small charts. Each test fails if the science it names stops holding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.content import load_content
from lib.learn import figures, toys
from lib.learn.text import terms_in, tooltip

CONTENT = Path(__file__).resolve().parents[1] / "content"
ROW = np.array([0.05, 0.4, 0.1, 0.2, 0.02, 0.08, 0.05, 0.06, 0.01, 0.015, 0.005, 0.01, 0.0, 0.0])
ROW = ROW / ROW.sum()
POSITIVE_ROW = np.array([0.3, 0.25, 0.15, 0.1, 0.08, 0.05, 0.03, 0.02, 0.01, 0.006, 0.004])


# --- concentration -----------------------------------------------------------------------


def test_doubling_concentration_raises_mu_by_ln2_and_lifts_every_site():
    eps = np.array([0.0, 1.0, 2.5, np.inf])
    low = toys.occupancy_at_concentration(eps, relative_concentration=1.0)
    high = toys.occupancy_at_concentration(eps, relative_concentration=2.0)
    assert high.mu - low.mu == pytest.approx(np.log(2.0))
    assert low.occupancy[0] == pytest.approx(0.5)  # mu0 = strongest site: half full at c0
    assert np.all(high.occupancy[:3] > low.occupancy[:3])
    assert low.occupancy[3] == high.occupancy[3] == 0.0  # closed stays empty
    assert list(np.argsort(-high.occupancy[:3])) == [0, 1, 2]  # ranking unchanged


@given(st.lists(st.floats(-20, 20), min_size=2, max_size=12), st.floats(-50, 50))
def test_softmax_ignores_a_constant_added_to_every_logit(logits, shift):
    s = np.array(logits)
    assert np.allclose(toys.softmax(s), toys.softmax(s + shift), atol=1e-12)


# --- cooperativity -----------------------------------------------------------------------

X = np.geomspace(1e-4, 1e6, 400)


def test_independent_sites_do_not_cooperate():
    pair = toys.pair_occupancy(X, omega=1.0, nucleosome=0.0)
    assert np.allclose(pair.alone, pair.with_partner)
    assert toys.hill_coefficient(X, pair.alone) == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize(("omega", "nucleosome"), [(1.0, 1000.0), (100.0, 0.0)])
def test_nucleosome_or_contact_makes_the_partner_site_steeper(omega, nucleosome):
    pair = toys.pair_occupancy(X, omega=omega, nucleosome=nucleosome)
    assert toys.hill_coefficient(X, pair.alone) == pytest.approx(1.0, abs=0.01)
    assert toys.hill_coefficient(X, pair.with_partner) > 1.7
    assert np.all((pair.with_partner >= 0) & (pair.with_partner <= 1))
    assert np.all(pair.both <= pair.with_partner + 1e-15)


def test_hill_coefficient_of_known_curves():
    assert toys.hill_coefficient(X, X / (1 + X)) == pytest.approx(1.0, abs=1e-3)
    assert toys.hill_coefficient(X, X**2 / (1 + X**2)) == pytest.approx(2.0, abs=0.01)
    assert np.isnan(toys.hill_coefficient(X, np.full(X.size, 0.5)))


@pytest.mark.parametrize("log_nucleosome", [0.0, 2.0, 3.0, 3.5, 4.0])
def test_a_single_site_has_a_hill_coefficient_of_exactly_one_behind_any_nucleosome(
        log_nucleosome):
    from lib.learn.limitations import COOPERATIVITY_X, cooperativity_figure

    nucleosome = 0.0 if log_nucleosome == 0 else 10.0**log_nucleosome
    pair = toys.pair_occupancy(COOPERATIVITY_X, nucleosome=nucleosome)
    assert toys.hill_coefficient(COOPERATIVITY_X, pair.alone) == pytest.approx(1.0, abs=1e-3)
    figure = cooperativity_figure(log_nucleosome=log_nucleosome, omega=1)
    [row] = [part for part in figure.parts if hasattr(part, "parts")]
    alone = next(m for m in row.parts if m.label.startswith("Steepness alone"))
    assert alone.value == "1.00"


def test_pair_occupancy_rejects_bad_input():
    with pytest.raises(ValueError, match="omega"):
        toys.pair_occupancy(X, omega=0.0)
    with pytest.raises(ValueError, match="x must"):
        toys.pair_occupancy(np.array([-1.0]))


# --- non-equilibrium ---------------------------------------------------------------------


def test_undriven_cycle_is_boltzmann_with_no_flux():
    cycle = toys.driven_cycle(drive=0.0)
    assert np.allclose(cycle.steady, cycle.boltzmann, atol=1e-12)
    assert abs(cycle.flux) < 1e-12 and abs(cycle.affinity) < 1e-12


@pytest.mark.parametrize("drive", [1.0, 5.0])
def test_driven_cycle_carries_flux_and_leaves_boltzmann(drive):
    cycle = toys.driven_cycle(drive=drive)
    assert cycle.affinity == pytest.approx(drive)
    assert cycle.flux > 0
    assert np.abs(cycle.steady - cycle.boltzmann).max() > 0.01
    q = cycle.rates - np.diag(cycle.rates.sum(axis=1))
    assert np.allclose(cycle.steady @ q, 0.0, atol=1e-12)  # it is a steady state
    assert cycle.steady.sum() == pytest.approx(1.0)


# --- memory ------------------------------------------------------------------------------


def test_no_signal_no_mark():
    assert toys.mark_memory(pulse=0.0).mark.max() < 0.05


def test_feedback_remembers_a_brief_signal_through_divisions():
    remembered = toys.mark_memory(pulse=1.0, cycles=8)
    forgotten = toys.mark_memory(pulse=1.0, cycles=8, params=toys.MarkParams(feedback=0.0))
    late = remembered.times > 6.5  # five divisions after the signal ended
    assert remembered.signal[late].max() == 0.0
    assert remembered.mark[late].min() > 0.3
    assert forgotten.mark[late].max() < 0.01
    step = np.searchsorted(remembered.times, 3.0)  # a division halves the mark
    assert remembered.mark[step] == pytest.approx(0.5 * remembered.mark[step - 1], rel=0.05)


def test_bistable_mark_shows_hysteresis_and_the_linear_one_does_not():
    signals = np.linspace(0.0, 0.1, 6)
    bistable = toys.mark_hysteresis(signals)
    assert bistable.falling[0] - bistable.rising[0] > 0.5  # same signal, two states
    linear = toys.mark_hysteresis(signals, params=toys.MarkParams(feedback=0.0))
    assert np.allclose(linear.rising, linear.falling, atol=1e-6)


# --- figure numbers ----------------------------------------------------------------------


def test_one_copy_is_the_attention_row_and_n_copies_sum_to_n():
    one = figures.copies_comparison(ROW, copies=1)
    assert np.allclose(one.occupancy, ROW, atol=1e-12) and one.total == pytest.approx(1.0)
    ten = figures.copies_comparison(ROW, copies=10)
    assert ten.total == pytest.approx(10.0, abs=1e-6)
    assert np.all(ten.occupancy <= 1.0) and ten.occupancy.max() > 0.9  # strong sites saturate
    with pytest.raises(ValueError, match="below the"):
        figures.copies_comparison(ROW, copies=12)  # only 12 reachable loci


@pytest.mark.parametrize("temperature", [0.2, 0.5, 1.0, 3.0])
def test_softmax_over_t_equals_boltzmann_at_kt(temperature):
    cmp = figures.temperature_comparison(POSITIVE_ROW, temperature=temperature)
    assert cmp.max_difference < 1e-12
    powered = POSITIVE_ROW ** (1 / temperature)
    assert np.allclose(cmp.tempered_attention, powered / powered.sum())


def test_lower_temperature_is_pickier():
    cold = figures.temperature_comparison(POSITIVE_ROW, temperature=0.3)
    hot = figures.temperature_comparison(POSITIVE_ROW, temperature=3.0)
    assert cold.entropy_bits < hot.entropy_bits


def test_seeds_change_the_history_but_not_the_target():
    a = figures.seed_traces(POSITIVE_ROW, seeds=(0, 1, 2))
    again = figures.seed_traces(POSITIVE_ROW, seeds=(0, 1, 2))
    assert np.array_equal(a.traces, again.traces)
    assert not np.allclose(a.traces[0], a.traces[1])
    assert a.locus == 0 and a.target == pytest.approx(POSITIVE_ROW[0] / POSITIVE_ROW.sum())


def test_closed_loci_are_empty_until_a_pioneer_arrives():
    closed = np.zeros(POSITIVE_ROW.size, bool)
    closed[[0, 3]] = True
    gated = figures.gated_occupancy(POSITIVE_ROW, closed=closed)
    assert gated.closed_share == 0.0 and np.all(gated.occupancy[closed] == 0)
    cheap = figures.gated_occupancy(POSITIVE_ROW, closed=closed, pioneer_penalty=1.0)
    dear = figures.gated_occupancy(POSITIVE_ROW, closed=closed, pioneer_penalty=5.0)
    assert cheap.closed_share > dear.closed_share > 0
    with pytest.raises(ValueError, match="No locus can be bound"):
        figures.gated_occupancy(POSITIVE_ROW, closed=np.ones(POSITIVE_ROW.size, bool))


def test_only_sequence_and_accessibility_reach_the_simulation():
    closed = figures.demo_closed(POSITIVE_ROW.size)
    names = [name for name, _ in figures.INSTRUCTION_SOURCES]
    full = figures.instruction_occupancy(POSITIVE_ROW, sources=set(names), closed=closed)
    no_marks = figures.instruction_occupancy(POSITIVE_ROW, sources=set(names[:2]), closed=closed)
    assert np.array_equal(full, no_marks)
    no_sequence = figures.instruction_occupancy(POSITIVE_ROW, sources={names[1]}, closed=closed)
    assert np.allclose(no_sequence[~closed], 1 / (~closed).sum()) and no_sequence[closed].sum() == 0
    nothing = figures.instruction_occupancy(POSITIVE_ROW, sources=set(), closed=closed)
    assert np.allclose(nothing, 1 / POSITIVE_ROW.size)


def test_physical_ingredients_change_the_scene():
    labels = tuple(f"t{i}" for i in range(POSITIVE_ROW.size))
    plain = figures.physical_scene(POSITIVE_ROW, labels, nucleosomes=False, free_pool=False,
                                   time=False)
    assert np.allclose(plain.equilibrium[0], POSITIVE_ROW / POSITIVE_ROW.sum())
    assert plain.unbound[0] == pytest.approx(0) and plain.trajectory is None
    wrapped = figures.physical_scene(POSITIVE_ROW, labels, nucleosomes=True, free_pool=True,
                                     time=False)
    assert np.all(wrapped.equilibrium[0][wrapped.closed] == 0) and wrapped.closed.sum() > 0
    assert wrapped.unbound[0] == pytest.approx(figures.FREE_POOL_SHARE)
    moving = figures.physical_scene(POSITIVE_ROW, labels, nucleosomes=False, free_pool=False,
                                    time=True)
    assert moving.trajectory is not None and moving.trajectory.times.size > 100


# --- on the real bundled model -------------------------------------------------------------


@pytest.fixture(scope="module")
def paris(bundled):
    from lib.attention.extract import extract_attention

    return extract_attention(bundled, "Tell me about Paris")


def test_received_share_and_rows_across_layers(paris):
    share = figures.received_share(paris, layer=2)
    assert share.share.sum() == pytest.approx(1.0) and len(share.labels) == paris.seq_len
    query = figures.find_label(paris.tokens, "paris", fallback=0)
    assert paris.tokens[query] == "Paris"
    keys, rows = figures.rows_across_layers(paris, query=query)
    assert rows.shape == (paris.num_layers, paris.seq_len) and len(keys) == paris.seq_len
    assert np.allclose(rows.sum(axis=1), 1.0, atol=1e-5)
    assert np.abs(rows[0] - rows[-1]).max() > 0.05  # each layer's weights focus differently
    words, dropped = figures.rows_across_layers(paris, query=query, special="drop")
    assert "[CLS]" not in words and dropped.shape == (paris.num_layers, paris.seq_len - 2)
    assert np.allclose(dropped.sum(axis=1), 1.0)


def test_forward_passes_are_deterministic_and_memoryless(bundled):
    from lib.learn.probes import memory_difference, repeat_difference, time_forward_pass

    assert repeat_difference(bundled, "Tell me about Paris") == 0.0
    assert memory_difference(bundled, "Paris Hilton news", "Tell me about Paris") == 0.0
    timing = time_forward_pass(bundled, "Tell me about Paris", repeats=2)
    assert 0 < timing.seconds < 5 and timing.tokens == 6


def test_head_ablation_measures_each_head(bundled):
    from lib.learn.probes import head_ablation

    effect = head_ablation(bundled, "The dog that chased the cat was tired", layer=2)
    assert effect.change.shape == effect.special_mass.shape == (bundled.num_heads,)
    assert np.all(effect.change >= 0) and effect.change.max() > 1e-4
    assert np.all((effect.special_mass >= 0) & (effect.special_mass <= 1))
    with pytest.raises(ValueError, match="Layer 9"):
        head_ablation(bundled, "hi", layer=9)


# --- glossary matching -------------------------------------------------------------------


@pytest.fixture(scope="module")
def glossary():
    return load_content(CONTENT).glossary


def test_terms_are_found_as_whole_words_longest_first(glossary):
    found = [t.term for t in terms_in("An attention head reads each token; kT sets it.", glossary)]
    assert found[:3] == ["attention head", "token", "kT"]
    assert terms_in("the stock market", glossary) == ()
    assert terms_in("anything", None) == ()
    text = tooltip(terms_in("softmax", glossary))
    assert text.startswith("**softmax**: ")
    assert tooltip(()) is None


# --- charts carry the numbers ------------------------------------------------------------


def test_learn_charts_carry_their_data():
    from lib.charts import learn as charts

    chart = charts.curves_chart(X[:5], {"a": np.arange(5.0)}, x_title="x", y_title="y",
                                title="t", reference=0.5, alt_text="a line")
    assert chart.frame("curves")["y"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert chart.frame("reference")["ref"].tolist() == [0.5]
    rows = [{"label": "pass", "side": "model", "low": 0.01, "high": 0.011}]
    chart = charts.timescale_chart(rows, title="t", alt_text="ranges")
    assert chart.frame("timescales")["label"].tolist() == ["pass"]
    with pytest.raises(ValueError, match="categories"):
        charts.grouped_bars(["a", "b"], {"s": np.ones(3)}, y_title="y", title="t", alt_text="g")
    with pytest.raises(ValueError, match="Rows must be"):
        charts.layer_rows_heatmap(np.ones((2, 3)), ["a", "b"], title="t", alt_text="h")


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 10))
def test_copies_property_sum_equals_copies(copies):
    total = figures.copies_comparison(POSITIVE_ROW, copies=copies).total
    assert total == pytest.approx(copies, abs=1e-6)
