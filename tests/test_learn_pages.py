"""The Learn pages (analogy, limitations) through streamlit's AppTest, on the real model:
every section has its own live figure and quiz link, every control changes its figure,
and the numbers the browser receives are the ones the science says."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from chart_data import RenderedChart, charts, is_scene, page_errors, walk
from lib.content import load_content

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
CONTENT = load_content(ROOT / "content")


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run(timeout=180)  # the first run in a process imports torch and loads the model
    at.switch_page(page).run(timeout=120)
    assert page_errors(at) == []
    return at


@pytest.fixture
def analogy() -> AppTest:
    return open_page("pages/analogy.py")


@pytest.fixture
def limits() -> AppTest:
    return open_page("pages/limitations.py")


def sections(at) -> dict[str, list]:
    """Elements in page order, grouped under the subheader (by its anchor) they follow."""
    grouped: dict[str, list] = {}
    current = None
    for element in walk(at.main):
        if getattr(element, "type", "") == "subheader":
            current = element.proto.anchor
            grouped[current] = []
        elif current is not None:
            grouped[current].append(element)
    return grouped


def section_charts(at, anchor: str) -> list[RenderedChart]:
    ids = {id(e) for e in sections(at)[anchor]}
    rendered = charts(at)
    elements = [e for e in walk(at.main) if getattr(e, "type", "") == "vega_lite_chart"]
    return [c for c, e in zip(rendered, elements, strict=True) if id(e) in ids]


def section_scenes(at, anchor: str) -> list[str]:
    """The payloads of a section's chromatin scenes."""
    return [e.proto.json for e in sections(at)[anchor] if is_scene(e)]


def section_data(at, anchor: str) -> list[str]:
    """Every dataset and scene of a section as text: equal iff the shown numbers are equal."""
    return ([f.to_csv() for c in section_charts(at, anchor) for f in c.datasets.values()]
            + section_scenes(at, anchor))


def links(at, anchor: str) -> dict[str, dict[str, list[str]]]:
    """'explore' / 'quiz' -> parsed query params of the section's page links.

    Links are told apart by their label: the default page's url path may be reported as ''
    or 'explore' depending on how Streamlit resolved the page registry.
    """
    found = {}
    for e in sections(at)[anchor]:
        if getattr(e, "type", "") != "page_link":
            continue
        label = e.proto.label
        kind = "explore" if label.startswith("Try it") else "quiz" if "Quiz" in label else label
        assert e.proto.page in {"explore", "", "quiz"}, e.proto.page
        found[kind] = parse_qs(e.proto.query_string)
    return found


def bars(at, anchor: str) -> pd.DataFrame:
    for chart in section_charts(at, anchor):
        frame = chart.frame()
        if {"quantity", "value", "locus"} <= set(frame.columns):
            return frame
    raise AssertionError(f"no attention/occupancy bars in section {anchor}")


def metric(at, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise AssertionError(f"no metric '{label_start}'; have {[m.label for m in at.metric]}")


# --- coverage ------------------------------------------------------------------------------


def test_every_essay_section_has_a_live_figure_a_try_it_link_and_a_quiz_link(analogy):
    grouped = sections(analogy)
    section_ids = CONTENT.analogy.section_ids
    assert [a for a in grouped if a in section_ids] == list(section_ids)
    for section in CONTENT.analogy.sections:
        figures = section_charts(analogy, section.id) + section_scenes(analogy, section.id)
        assert figures, f"{section.id} has no live figure"
        found = links(analogy, section.id)
        assert found["quiz"] == {"topics": [section.quiz_topic]}, section.id
        assert "explore" in found, section.id
    assert "mapping" in grouped and "derivation" in grouped
    assert len(analogy.get("latex")) == len(CONTENT.analogy.derivation)


def test_every_limitation_has_its_own_live_demo_and_quiz_link(limits):
    grouped = sections(limits)
    lims = CONTENT.limitations
    essay_first = [x.id for x in (*lims.from_origin("essay"), *lims.from_origin("added"))]
    assert [a for a in grouped if a in lims.ids] == essay_first
    for limitation in CONTENT.limitations.limitations:
        assert section_data(limits, limitation.id), f"{limitation.id} has no live figure"
        assert links(limits, limitation.id)["quiz"] == {"topics": [limitation.quiz_topic]}
        texts = " ".join(str(getattr(e, "value", "")) for e in grouped[limitation.id])
        assert limitation.demo_caption[:40] in texts
        assert "Sources:" in texts


def test_try_it_links_carry_the_sections_settings(analogy):
    for section in CONTENT.analogy.sections:
        params = links(analogy, section.id)["explore"]
        assert params["prompt"] == [section.try_it.prompt]
        if section.try_it.query:
            assert params["query"] == [section.try_it.query]
        if section.try_it.head is not None:
            assert params["head"] == [str(section.try_it.head)]
    assert links(analogy, "teamwork")["explore"]["layer"] == ["2"]


def test_section_headers_define_glossary_terms_in_tooltips(analogy):
    helps = {e.proto.anchor: e.proto.help for e in analogy.subheader}
    assert "**softmax**" in helps["decision"]
    assert "**token**" in helps["input"]


# --- analogy figures ---------------------------------------------------------------------


def test_decision_bars_are_the_same_numbers_on_both_sides(analogy):
    frame = bars(analogy, "decision")
    attention = frame[frame["quantity"] == "attention"]["value"].to_numpy()
    occupancy = frame[frame["quantity"] == "TF occupancy"]["value"].to_numpy()
    assert attention.sum() == pytest.approx(1.0, abs=1e-5)
    assert abs(attention - occupancy).max() < 1e-9


def test_the_temperature_figure_sends_the_real_row_and_tempers_it_in_the_browser(analogy):
    [chart] = section_charts(analogy, "why_it_works")
    row = chart.datasets["row"]
    section = next(s for s in CONTENT.analogy.sections if s.id == "why_it_works")
    # the chart gets the attention row itself (T = 1) and its energies, and the slider's
    # starting value; moving the slider is Vega's job (tests/test_browser_learn.py)
    assert row["a"].sum() == pytest.approx(1.0, abs=1e-9)
    finite = row["a"] > 0
    assert (row["eps"][finite] == -np.log(row["a"][finite] / row["a"].max())).all()
    [param] = [p for p in chart.spec["params"] if p["name"] == "T"]
    assert param["value"] == (section.try_it.temperature or 1.0)
    assert param["bind"]["input"] == "range"


def test_editing_the_dynamics_prompt_recomputes_its_row(analogy):
    before = section_data(analogy, "dynamics")
    analogy.text_input(key="an_dynamics").input("Tell me about Paris and its old bridges").run()
    assert section_data(analogy, "dynamics") != before
    assert page_errors(analogy) == []


# --- limitation demonstrations -----------------------------------------------------------


def occupancy_sum(at) -> float:
    frame = bars(at, "lim_normalization")
    return float(frame[frame["quantity"].str.startswith("TF occupancy")]["value"].sum())


def test_copies_slider_one_copy_sums_to_one_ten_copies_to_ten(limits):
    assert occupancy_sum(limits) == pytest.approx(1.0, abs=1e-6)
    frame = bars(limits, "lim_normalization")
    attention = frame[frame["quantity"] == "attention"]["value"].to_numpy()
    one = frame[frame["quantity"].str.startswith("TF occupancy")]["value"].to_numpy()
    assert abs(attention - one).max() < 1e-9  # one molecule: occupancy is the attention row
    limits.slider(key="lim_copies").set_value(10).run(timeout=60)
    assert occupancy_sum(limits) == pytest.approx(10.0, abs=1e-4)
    assert metric(limits, "Sum of the occupancies") == "10.00"


def test_seeds_change_kinetic_traces_but_forward_passes_are_identical(limits):
    traces = section_charts(limits, "lim_stochastic")[0].frame()
    runs = [g["y"].to_numpy() for _, g in traces.groupby("series")]
    assert len(runs) == 3 and any(abs(runs[0] - r).max() > 0 for r in runs[1:])
    assert metric(limits, "Largest difference between two forward passes") == "0 (identical)"
    before = section_data(limits, "lim_stochastic")
    limits.number_input(key="lim_seed").set_value(7).run(timeout=60)
    assert section_data(limits, "lim_stochastic") != before
    assert metric(limits, "Largest difference between two forward passes") == "0 (identical)"


CONTROLS = [
    (
        "lim_biological",
        lambda at: at.multiselect(key="lim_bio").set_value(
            ["nucleosomes on some loci", "a pool of free factor"]
        ),
    ),
    (
        "lim_instructions",
        lambda at: at.multiselect(key="lim_sources").set_value(
            ["chromatin accessibility", "histone marks"]
        ),
    ),
    ("lim_timescale", lambda at: at.select_slider(key="lim_tokens").set_value(128)),
    ("lim_normalization", lambda at: at.slider(key="lim_copies").set_value(4)),
    ("lim_concentration", lambda at: at.select_slider(key="lim_concentration").set_value(10.0)),
    ("lim_gating", lambda at: at.toggle(key="lim_pioneer").set_value(True)),
    ("lim_cooperativity", lambda at: at.slider(key="lim_nucleosome").set_value(0.0)),
    ("lim_nonequilibrium", lambda at: at.slider(key="lim_drive").set_value(6.0)),
    ("lim_stochastic", lambda at: at.number_input(key="lim_seed").set_value(3)),
    ("lim_memory", lambda at: at.slider(key="lim_pulse").set_value(0.2)),
    ("lim_explanation", lambda at: at.slider(key="lim_ablate_layer").set_value(5)),
]


@pytest.mark.parametrize(("anchor", "change"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_each_demonstrations_control_changes_its_figure(limits, anchor, change):
    before = section_data(limits, anchor)
    change(limits).run(timeout=60)
    assert page_errors(limits) == []
    assert section_data(limits, anchor) != before


def test_attention_row_does_not_move_when_concentration_does(limits):
    def attention(at):
        frame = bars(at, "lim_concentration")
        return frame[frame["quantity"] == "attention"]["value"].to_numpy()

    def occupancy(at):
        frame = bars(at, "lim_concentration")
        return frame[frame["quantity"] != "attention"]["value"].to_numpy()

    row, occ = attention(limits), occupancy(limits)
    limits.select_slider(key="lim_concentration").set_value(100.0).run(timeout=60)
    assert (attention(limits) == row).all()
    assert (occupancy(limits) > occ).all()


def test_closed_loci_are_empty_until_a_pioneer_is_added(limits):
    def closed_occupancy(at):
        frame = bars(at, "lim_gating")
        closed = set(at.multiselect(key="lim_closed").value)
        occ = frame[frame["quantity"] != "attention"]
        return occ[occ["position"].isin(closed)]["value"].sum()

    assert closed_occupancy(limits) == 0.0
    limits.toggle(key="lim_pioneer").set_value(True).run(timeout=60)
    assert closed_occupancy(limits) > 0.0


def test_glossary_and_references_are_on_both_pages(analogy, limits):
    for at in (analogy, limits):
        labels = [e.label for e in at.expander]
        assert any(label.startswith("Glossary") for label in labels)
        assert any(label.startswith("References") for label in labels)
        text = " ".join(m.value for m in at.markdown)
        assert "Jain S, Wallace BC (2019). Attention is not explanation" in text
        assert "**softmax**" in text
