"""Explore, Context and Teamwork pages through streamlit's AppTest, on the real model."""

from __future__ import annotations

from pathlib import Path
from string import Formatter

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from chart_data import charts, page_errors, scene_payloads, scenes
from lib.attention.extract import extract_attention
from lib.attention.heads import profile_heads
from lib.content import load_content

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
MESSAGES = load_content(ROOT / "content").ui


def fixed_parts(name: str) -> list[str]:
    """The literal text of a message template around its placeholders."""
    return [text for text, *_ in Formatter().parse(MESSAGES.messages[name]) if text.strip()]


def shows_message(values: list[str], name: str) -> bool:
    return any(all(part in v for part in fixed_parts(name)) for v in values)


def run_app(**state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in state.items():
        at.session_state[key] = value
    at.run(timeout=180)  # first run imports torch and loads the model
    assert page_errors(at) == []
    return at


def dataset_with(at, *columns: str) -> pd.DataFrame:
    for chart in charts(at):
        for frame in chart.datasets.values():
            if all(c in frame.columns for c in columns):
                return frame
    raise AssertionError(f"no rendered dataset with columns {columns}")


def snapshot(at) -> list[str]:
    """Every chart's data and every scene as text: two snapshots differ iff something shown
    changed."""
    return ([frame.to_csv() for chart in charts(at) for frame in chart.datasets.values()]
            + scene_payloads(at))


def paired(at) -> tuple[np.ndarray, np.ndarray]:
    """The attention and occupancy bars of the 'same numbers' chart (token loci only)."""
    bars = dataset_with(at, "quantity", "value", "locus")
    loci = bars[~bars["locus"].str.startswith("∅")]
    attention = loci[loci["order"] == 0]["value"].to_numpy()
    occupancy = loci[loci["order"] == 1]["value"].to_numpy()
    return attention, occupancy


def sidebar_widget(at, kind: str, label: str):
    for widget in getattr(at.sidebar, kind):
        if widget.label.startswith(label):
            return widget
    raise AssertionError(f"no sidebar {kind} '{label}'")


@pytest.fixture
def explore() -> AppTest:
    return run_app()


def test_explore_shows_heatmap_bars_and_scene_for_the_prompt(explore):
    heat = dataset_with(explore, "query_pos", "key_pos", "weight")
    assert heat["query"].str.contains("France").any()
    bars = dataset_with(explore, "token", "weight", "kind")
    assert bars["weight"].sum() == pytest.approx(1.0, abs=1e-5)
    [scene] = scenes(explore)
    assert len(scene.labels) == len(bars) and "France" in scene.labels


def test_scene_occupancy_equals_the_attention_beside_it(explore):
    attention, occupancy = paired(explore)
    np.testing.assert_allclose(occupancy, attention, atol=1e-12)  # the identity, in float64
    bars = dataset_with(explore, "token", "weight", "kind")
    np.testing.assert_allclose(attention, bars["weight"].to_numpy(), atol=1e-12)
    # the animated scene: of the time its molecule is bound, each locus's share is the row
    [scene] = scenes(explore)
    bound = 1 - scene.species[0]["unbound"]
    np.testing.assert_allclose(scene.equilibrium[0] / bound, attention, atol=1e-6)


@pytest.mark.parametrize(
    "change",
    [
        lambda at: sidebar_widget(at, "slider", "Layer").set_value(5),
        lambda at: sidebar_widget(at, "radio", "Heads").set_value("rollout"),
        lambda at: sidebar_widget(at, "slider", "Temperature").set_value(3.0),
        lambda at: sidebar_widget(at, "radio", "Special tokens").set_value("reservoir"),
        lambda at: at.selectbox(key="_w_query").set_value(3),
        lambda at: at.text_area(key="_w_prompt").input("Tell me about Paris"),
    ],
    ids=["layer", "head-mode", "temperature", "special", "query", "prompt"],
)
def test_every_control_changes_what_is_shown(explore, change):
    before = snapshot(explore)
    change(explore).run()
    assert page_errors(explore) == []
    assert snapshot(explore) != before


def test_one_head_slider_changes_the_chart(explore):
    sidebar_widget(explore, "radio", "Heads").set_value("head").run()
    before = snapshot(explore)
    sidebar_widget(explore, "slider", "Head").set_value(7).run()
    assert snapshot(explore) != before


def test_word_view_merges_subwords(explore):
    explore.text_area(key="_w_prompt").input("Unbelievably transcriptional").run()
    tokens = dataset_with(explore, "token", "weight", "kind")["token"].tolist()
    explore.sidebar.segmented_control[0].set_value("word").run()
    words = dataset_with(explore, "token", "weight", "kind")["token"].tolist()
    assert len(words) < len(tokens)
    assert any("Unbelievably" in w for w in words)


def test_temperature_reaches_both_sides(explore):
    sidebar_widget(explore, "slider", "Temperature").set_value(0.1).run()
    attention, occupancy = paired(explore)
    assert occupancy.max() > 0.9  # cold: nearly one-hot on both sides
    np.testing.assert_allclose(occupancy, attention, atol=1e-12)
    [scene] = scenes(explore)
    assert scene.equilibrium[0].max() / (1 - scene.species[0]["unbound"]) > 0.9


def test_reservoir_mode_shows_the_same_unbound_mass_on_both_sides(explore):
    sidebar_widget(explore, "radio", "Special tokens").set_value("reservoir").run()
    bars = dataset_with(explore, "token", "weight", "kind")
    reservoir = bars.loc[bars["kind"] == "reservoir", "weight"].item()
    [scene] = scenes(explore)
    assert scene.species[0]["unbound"] == pytest.approx(reservoir, abs=1e-9)
    attention, _ = paired(explore)
    np.testing.assert_allclose(scene.equilibrium[0], attention, atol=1e-6)  # exactly the row
    assert 0 < reservoir < 1


def test_long_prompt_shows_truncation_notice_and_bounded_charts(explore):
    explore.text_area(key="_w_prompt").input("chromatin " * 1500).run()
    assert shows_message([w.value for w in explore.warning], "truncated_prompt")
    heat = dataset_with(explore, "query_pos", "key_pos", "weight")
    assert len(heat) <= 40 * 40


def test_empty_prompt_gives_a_helpful_message(explore):
    explore.text_area(key="_w_prompt").input("   ").run()
    assert any("empty" in i.value for i in explore.info)
    assert page_errors(explore) == []


def test_markup_in_the_prompt_is_data_not_markup(explore):
    explore.text_area(key="_w_prompt").input("<img src=x onerror=alert(1)>").run()
    heat = dataset_with(explore, "query_pos", "key_pos", "weight")
    assert "".join(heat.drop_duplicates("key_pos")["key"]).count("<") >= 1
    assert not [m for m in explore.markdown if "<img" in m.value]


def test_switching_pages_keeps_prompt_and_controls(explore):
    explore.text_area(key="_w_prompt").input("Paris Hilton news").run()
    sidebar_widget(explore, "slider", "Layer").set_value(4).run()
    explore.switch_page("pages/teamwork.py").run()
    assert explore.text_area(key="_w_prompt").value == "Paris Hilton news"
    assert sidebar_widget(explore, "slider", "Layer").value == 4
    explore.switch_page("pages/context.py").run()
    explore.switch_page("pages/explore.py").run()
    assert explore.text_area(key="_w_prompt").value == "Paris Hilton news"
    assert sidebar_widget(explore, "slider", "Layer").value == 4


def test_preset_fills_the_prompt_and_typing_still_works(explore):
    explore.selectbox(key="preset").set_value("Tell me about Paris").run()
    assert explore.text_area(key="_w_prompt").value == "Tell me about Paris"
    explore.text_area(key="_w_prompt").input("Tell me about Lyon").run()
    assert explore.session_state["prompt"] == "Tell me about Lyon"


def test_try_it_link_settings_open_explore_with_them():
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["prompt"] = "Paris Hilton news"
    at.query_params["query"] = "Hilton"
    at.query_params["layer"] = "3"
    at.query_params["head"] = "5"
    at.run(timeout=180)
    assert at.session_state["prompt"] == "Paris Hilton news"
    assert at.session_state["layer"] == 3 and at.session_state["head"] == 5
    assert at.session_state["head_mode"] == "head"
    selected = at.selectbox(key="_w_query")
    assert selected.format_func(selected.value).endswith("Hilton")


def test_invalid_model_id_keeps_the_bundled_model(monkeypatch):
    monkeypatch.setenv("CA_ALLOW_CUSTOM_MODELS", "1")
    at = run_app()
    before = snapshot(at)
    at.sidebar.text_input[0].input("not a model!!")
    at.sidebar.button[0].click().run()
    assert any("not a valid model id" in e.value for e in at.sidebar.error)
    assert at.session_state["model_id"].startswith("bundled:")
    assert snapshot(at) == before


def test_custom_model_box_is_off_by_default(explore):
    assert not explore.sidebar.text_input


def test_context_page_compares_the_shared_word(explore):
    explore.switch_page("pages/context.py").run()
    assert page_errors(explore) == []
    bars = dataset_with(explore, "context", "key", "weight")
    a = bars[bars["context"] == "A"]["weight"].to_numpy()
    b = bars[bars["context"] == "B"]["weight"].to_numpy()
    diff = bars[bars["context"].str.startswith("difference")]["weight"].to_numpy()
    np.testing.assert_allclose(diff, b - a, atol=1e-9)
    assert explore.selectbox(key="_w_context_word").value.casefold() == "paris"
    tv = float(explore.metric[0].value)
    assert tv == pytest.approx(0.5 * np.abs(b - a).sum(), abs=0.006)
    shown = scenes(explore)
    assert [s.species[0]["name"] for s in shown] == [
        "the TF 'Paris' sends, prompt A", "the TF 'Paris' sends, prompt B"]
    before = snapshot(explore)
    explore.text_input(key="_w_context_b").input("Paris is the capital of France").run()
    assert snapshot(explore) != before


def test_context_page_with_no_shared_word_explains(explore):
    explore.switch_page("pages/context.py").run()
    explore.text_input(key="_w_context_b").input("Lyon weather today").run()
    assert MESSAGES.format("no_shared_word") in [i.value for i in explore.info]


def test_teamwork_page_labels_every_head_and_binds_a_team(explore, bundled):
    explore.switch_page("pages/teamwork.py").run()
    assert page_errors(explore) == []
    grid = dataset_with(explore, "species", "query_pos", "key_pos")
    assert grid["species"].nunique() == 12
    table = explore.dataframe[0].value
    result = extract_attention(bundled, explore.session_state["prompt"])
    profiles = profile_heads(result, layer=int(explore.session_state["layer"]))
    assert list(table["pattern"]) == [p.pattern for p in profiles]  # every head, its own label
    default = list(explore.session_state["team_heads"])
    [team] = scenes(explore)
    shown = {sp["name"] for sp in team.species}
    assert shown == {f"TF {h}" for h in default}
    chosen = sorted([h for h in range(12) if h not in default][: len(default) + 1])
    explore.multiselect(key="_w_team_heads").set_value(chosen).run()
    [team] = scenes(explore)
    assert {sp["name"] for sp in team.species} == {f"TF {h}" for h in chosen} != shown
    for s, species in enumerate(team.species):  # each species' bound time follows its head's row
        bound = 1 - species["unbound"]
        np.testing.assert_allclose(team.equilibrium[s] / bound,
                                   team.attention[s] / team.attention[s].sum(), atol=1e-6)


def test_what_only_the_cell_can_do_runs_on_the_querys_own_row(explore):
    experiment = explore.button_group(key="_w_cell_experiment")
    [row_scene] = scenes(explore)  # one molecule: only the main scene, plus its own chart
    trace = dataset_with(explore, "x", "y", "series")
    assert trace["y"].between(0, 1).all()
    experiment.set_value("copies").run()
    explore.slider(key="_w_cell_copies").set_value(4).run()
    _, copies_scene = scenes(explore)
    assert copies_scene.species[0]["copies"] == 4 and copies_scene.labels == row_scene.labels
    occupancy = [m for m in explore.metric if m.label.startswith("Sum of the occupancies")]
    assert float(occupancy[0].value) > 1.5  # four copies fill more than one site's worth
    experiment.set_value("pioneer").run()
    _, pioneer = scenes(explore)
    assert pioneer.species[0]["pioneer"] and pioneer.closed.sum() == 1  # the strongest locus
    assert pioneer.equilibrium[0][pioneer.closed].sum() > 0  # bound despite the nucleosome
    experiment.set_value("convergence").run()
    assert any(m.label.startswith("Time until the average") for m in explore.metric)
    assert page_errors(explore) == []


def test_a_decoder_model_shows_its_causal_mask_as_closed_chromatin(monkeypatch, model_root):
    monkeypatch.setenv("CA_ALLOW_CUSTOM_MODELS", "1")
    monkeypatch.setenv("CA_MODEL_DIR", str(model_root))
    at = run_app(prompt="tell me about paris hilton news")
    at.sidebar.text_input[0].input(str(model_root / "tiny-gpt2"))
    at.sidebar.button[0].click().run()
    assert page_errors(at) == []
    assert at.session_state["model_id"].endswith("tiny-gpt2")
    at.selectbox(key="_w_query").set_value(1).run()
    scene = scenes(at)[0]
    assert scene.closed.sum() >= 2  # every token after the query is behind the causal mask
    assert (scene.equilibrium[0][scene.closed] == 0).all()
    assert (scene.attention[0][scene.closed] == 0).all()
    bound = 1 - scene.species[0]["unbound"]
    assert scene.equilibrium[0][~scene.closed].sum() == pytest.approx(bound, abs=1e-6)


def test_teamwork_shows_only_the_controls_that_act_on_it(explore):
    explore.switch_page("pages/teamwork.py").run()
    labels = [w.label for w in explore.sidebar.radio] + [w.label for w in explore.sidebar.slider]
    assert not any(label.startswith(("Heads", "Head (", "Special")) for label in labels)
    before = snapshot(explore)
    sidebar_widget(explore, "slider", "Layer").set_value(4).run()
    after_layer = snapshot(explore)
    sidebar_widget(explore, "slider", "Temperature").set_value(2.0).run()
    assert before != after_layer != snapshot(explore)  # both controls it shows act on it


def test_sessions_with_the_same_prompt_share_one_forward_pass_and_one_view():
    from ui.cache import attention_store, view_memo

    prompt = "Ribosomes read messenger RNA while a class watches the same sentence."
    before, views_before = attention_store().stats().memory, view_memo().stats()
    first = run_app(prompt=prompt)
    views_between = view_memo().stats()
    second = run_app(prompt=prompt)
    after, views_after = attention_store().stats().memory, view_memo().stats()
    assert after.misses - before.misses == 1  # one forward pass for both sessions
    assert views_between.misses > views_before.misses  # the first session computed its views
    assert views_after.misses == views_between.misses  # the second found every one of them
    assert snapshot(first) == snapshot(second)
