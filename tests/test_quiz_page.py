"""The Quiz page through streamlit's AppTest on the full app, with the real bundled model.

Expected scores are computed here from the bank's own `correct` flags, not with lib.quiz's
grading helpers, so a grading bug in the page or in lib shows up as a mismatch.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from chart_data import chart_with, page_errors, walk
from lib.content import load_content
from lib.quiz.grading import CBM_MARKS_RIGHT, CBM_MARKS_WRONG
from lib.quiz.live import is_live

ROOT = Path(__file__).resolve().parents[1]
APP = os.environ.get("CA_QUIZ_TEST_APP") or str(ROOT / "app.py")  # a dev copy while pages are missing
CONTENT_DIR = ROOT / "content"
CONTENT = load_content(CONTENT_DIR)
BANK = CONTENT.quiz


class Downloads:
    """Records what st.download_button hands to the (mock) media storage during AppTest runs."""

    files: list = []


@pytest.fixture
def downloads(monkeypatch):
    import streamlit.testing.v1.app_test as app_test

    base = app_test.MemoryMediaFileStorage

    class Recording(base):
        def load_and_get_id(self, content, mimetype, kind, filename=None):
            file_id = super().load_and_get_id(content, mimetype, kind, filename)
            Downloads.files.append((filename, content))
            return file_id

    Downloads.files = []
    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Recording)
    return Downloads


def latest_download(name_part: str) -> bytes:
    for filename, content in reversed(Downloads.files):
        if filename and name_part in filename:
            return content if isinstance(content, bytes) else content.encode()
    raise AssertionError(f"no download named like {name_part!r}: {[f for f, _ in Downloads.files]}")


def open_quiz(query_params: dict | None = None, **settings) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in settings.items():
        at.session_state[key] = value
    at.run(timeout=180)  # first run imports torch and loads the model for the Explore page
    for key, value in (query_params or {}).items():
        at.query_params[key] = value
    at.switch_page("pages/quiz.py").run()
    assert page_errors(at) == []
    return at


def start(at: AppTest) -> AppTest:
    button(at, "Start a new quiz").click().run()
    assert page_errors(at) == []
    return at


def button(at: AppTest, label: str):
    for found in at.button:
        if found.label == label:
            return found
    raise AssertionError(f"no button {label!r}: {[b.label for b in at.button]}")


def state(at: AppTest):
    return at.session_state["quiz_state"]


def current(at: AppTest):
    qid = at.session_state["quiz_current"]
    return state(at).question(qid), f"quiz_{at.session_state['quiz_round']}_{qid}"


def is_right_choice(q, right: bool) -> dict:
    """Widget values for a right or a wrong answer, read straight from the bank's flags."""
    if q.type == "single":
        pick = next(o.id for o in q.options if o.correct == right)
        return {"choice": pick}
    if q.type == "multi":
        if right:
            return {o.id: True for o in q.options if o.correct}
        return {next(o.id for o in q.options if not o.correct): True}
    if q.type == "matching":
        ids = [p.id for p in q.pairs]
        chosen = ids if right else ids[1:] + ids[:1]
        return dict(zip(ids, chosen, strict=True))
    why = next(o.id for o in q.why if o.correct)
    return {"verdict": q.verdict.correct if right else not q.verdict.correct, "why": why}


def answer(at: AppTest, *, right: bool, confidence: int | None = None) -> AppTest:
    q, key = current(at)
    for part, value in is_right_choice(q, right).items():
        if q.type == "multi":
            at.checkbox(key=f"{key}_{part}").check()
        elif q.type == "matching":
            at.selectbox(key=f"{key}_{part}").set_value(value)
        else:
            at.radio(key=f"{key}_{part}").set_value(value)
    if confidence is not None:
        at.radio(key=f"{key}_confidence").set_value(confidence)
    button(at, "Submit answer").click().run()
    assert page_errors(at) == []
    return at


def nothing_selected(at: AppTest) -> bool:
    q, key = current(at)
    widgets = [w for kind in (at.radio, at.checkbox, at.selectbox) for w in kind
               if str(w.key).startswith(key)]
    assert widgets, f"no widgets for {q.id}"
    return all(w.value in (None, False) for w in widgets)


def texts(at: AppTest) -> str:
    """All Markdown on the page, with the page's escaping undone."""
    return "\n".join(m.value for m in at.markdown).replace("\\", "")


def play(at: AppTest, plan: list[tuple[bool, int | None]]) -> AppTest:
    for right, confidence in plan:
        if at.session_state["quiz_current"] is None:
            raise AssertionError("no current question")
        answer(at, right=right, confidence=confidence)
        if state(at).next_question is not None:
            button(at, "Next question").click().run()
    return at


# ---------------------------------------------------------------------------------- tests


def _seed_with_every_type(length: int) -> int:
    """A seed whose quiz of ``length`` questions holds all four question types."""
    from lib.quiz.session import new_quiz

    every = {"single", "multi", "matching", "true_false"}
    return next(seed for seed in range(200) if every == {
        q.type for q in new_quiz(BANK, topics=None, length=length, seed=seed, cbm=True).questions
    })


def test_every_question_starts_with_nothing_selected():
    at = start(open_quiz(quiz_length=12, quiz_seed=_seed_with_every_type(12), quiz_cbm=True))
    seen = set()
    for i in range(len(state(at).questions)):
        q, key = current(at)
        seen.add(q.type)
        assert nothing_selected(at), f"question {i + 1} ({q.type}) has a pre-selected option"
        assert at.radio(key=f"{key}_confidence").value is None  # certainty is not pre-set either
        play(at, [(i % 2 == 0, 1)])
    assert seen == {"single", "multi", "matching", "true_false"}, seen


def test_feedback_stays_visible_and_resubmitting_never_changes_the_score():
    at = start(open_quiz(quiz_length=3, quiz_seed=2, quiz_cbm=True))
    q, key = current(at)
    answer(at, right=False, confidence=3)
    assert state(at).score == CBM_MARKS_WRONG[3]
    options = q.options if q.type in ("single", "multi") else (
        q.pairs if q.type == "matching" else q.why)
    assert all(o.feedback[:60] in texts(at) for o in options)
    # rerun, leave for another page and come back: still locked, still explained
    at.run()
    at.switch_page("pages/explore.py").run(timeout=60)
    at.switch_page("pages/quiz.py").run()
    assert at.session_state["quiz_current"] == q.id
    assert all(o.feedback[:60] in texts(at) for o in options)
    submit_button = button(at, "Submit answer")
    assert submit_button.disabled
    locked = [w for kind in (at.radio, at.checkbox, at.selectbox) for w in kind
              if str(w.key).startswith(key)]
    assert locked and all(w.disabled for w in locked)
    # a stale tab or a double click can still send the trigger with a right answer: no change
    for part, value in is_right_choice(q, True).items():
        at.session_state[f"{key}_{part}"] = value
    at.session_state[f"{key}_confidence"] = 3
    submit_button.proto.disabled = False  # what a client ignoring the lock would send
    submit_button.click().run()
    assert state(at).score == CBM_MARKS_WRONG[3] and len(state(at).responses) == 1


def test_a_full_quiz_of_ten_ends_with_the_right_topic_scores(downloads):
    at = start(open_quiz(quiz_length=10, quiz_seed=11, quiz_cbm=False))
    questions = state(at).questions
    assert len(questions) == 10
    plan = [(i % 3 != 0, None) for i in range(10)]
    play(at, plan)
    button(at, "See your results").click().run()
    expected: dict[str, list[int]] = {}
    for q, (right, _) in zip(questions, plan, strict=True):
        counts = expected.setdefault(BANK.topic(q.topic).title, [0, 0])
        counts[0] += 1
        counts[1] += int(right)
    table = at.dataframe[0].value
    got = {row.Topic: [row.Questions, row.Right] for row in table.itertuples()}
    assert got == expected
    for row in table.itertuples():
        level = ("proficient" if row.Right == row.Questions
                 else "familiar" if row.Right / row.Questions >= 0.7 else "attempted")
        assert row.Mastery == level
    chart = chart_with(at, "level").frame()
    assert dict(zip(chart["topic"], chart["percent"].round(1), strict=True)) == {
        t: round(100 * r / n, 1) for t, (n, r) in expected.items()}
    right = sum(r for r, _ in plan)
    assert at.metric[0].value == f"{100 * right // 10}%"  # plain marks: a share of 10 marks
    assert at.metric[1].value == f"{right} of 10"
    assert any(c.value == CONTENT.ui.format("quiz_score_marks", score=right, max_score=10)
               for c in at.caption)
    # the review lists exactly the missed questions, and the CSV download agrees
    assert len(at.expander) == plan.count((False, None))
    csv_text = latest_download(".csv").decode()
    assert csv_text.count("\n") == 11 and ",no," in csv_text
    button(at, "Retry what I missed").click().run()
    missed = {q.id for q, (right, _) in zip(questions, plan, strict=True) if not right}
    assert set(state(at).question_ids) == missed and not state(at).responses


def test_a_retry_adds_to_the_results_and_mastery_counts_every_attempt():
    at = start(open_quiz(quiz_length=6, quiz_seed=5, quiz_cbm=False))
    first = state(at).questions
    first_plan = [i % 2 == 0 for i in range(6)]  # 3 right, 3 wrong
    play(at, [(r, None) for r in first_plan])
    button(at, "See your results").click().run()
    button(at, "Retry what I missed").click().run()
    retried = state(at).questions
    play(at, [(True, None)] * len(retried))  # every retried question right this time
    button(at, "See your results").click().run()
    assert page_errors(at) == []
    # one row per attempt: the first try is still there
    attempts_table = at.dataframe[0].value
    assert list(attempts_table["Attempt"]) == [1, 2]
    assert list(attempts_table["Questions"]) == [6, 3] and list(attempts_table["Right"]) == [3, 3]
    # mastery by topic counts both attempts (worked out here from the bank's topics)
    expected: dict[str, list[int]] = {}
    answers = [(q, r) for q, r in zip(first, first_plan, strict=True)] + [
        (q, True) for q in retried]
    for q, right in answers:
        counts = expected.setdefault(BANK.topic(q.topic).title, [0, 0])
        counts[0] += 1
        counts[1] += int(right)
    topics_table = at.dataframe[1].value
    assert {row.Topic: [row.Questions, row.Right] for row in topics_table.itertuples()} == expected
    for row in topics_table.itertuples():  # a first-try miss keeps its topic below proficient
        level = ("proficient" if row.Right == row.Questions
                 else "familiar" if row.Right / row.Questions >= 0.7 else "attempted")
        assert row.Mastery == level
    assert any(n > r for n, r in expected.values())  # such a topic exists in this quiz
    chart = chart_with(at, "level").frame()
    assert set(chart["topic"]) == set(expected)
    assert at.metric[0].label == "Score, this attempt" and at.metric[0].value == "100%"


def test_certainty_based_marking_scores_plus_and_minus():
    at = start(open_quiz(quiz_length=4, quiz_seed=3, quiz_cbm=True))
    plan = [(True, 3), (False, 2), (True, 1), (False, 1)]
    play(at, plan)
    expected = sum(CBM_MARKS_RIGHT[c] if r else CBM_MARKS_WRONG[c] for r, c in plan)
    assert expected == 3 - 2 + 1 + 0
    assert state(at).score == expected
    button(at, "See your results").click().run()
    assert at.metric[0].value == f"{round(100 * expected / 12)}%"  # of 4 x 3 marks at most
    assert any(c.value == CONTENT.ui.format("quiz_score_marks", score=expected, max_score=12)
               for c in at.caption)
    line = next(c.value for c in at.caption if "certainty-based marking works" in c.value)
    assert "Gardner-Medwin 2006" in line  # content/references.yaml's gardner_medwin_2006
    # the break-even chances it states follow from the marks: found here by brute force
    def best(p):
        return max((1, 2, 3), key=lambda c: p * CBM_MARKS_RIGHT[c] + (1 - p) * CBM_MARKS_WRONG[c])
    grid = [i / 1000 for i in range(1001)]
    fairly = next(p for p in grid if best(p) >= 2)
    very = next(p for p in grid if best(p) == 3)
    assert f"above {fairly:.0%}" in line and f"more than {very:.0%}" in line


def test_incomplete_answer_is_not_submitted():
    at = start(open_quiz(quiz_length=2, quiz_seed=4, quiz_cbm=True))
    q, key = current(at)
    for part, value in list(is_right_choice(q, True).items())[:1]:
        widget = (at.checkbox(key=f"{key}_{part}") if q.type == "multi"
                  else at.selectbox(key=f"{key}_{part}") if q.type == "matching"
                  else at.radio(key=f"{key}_{part}"))
        widget.set_value(True if q.type == "multi" else value)
    button(at, "Submit answer").click().run()  # no certainty chosen
    assert not state(at).responses
    assert any("Choose an answer" in w.value for w in at.warning)


def test_resume_from_the_downloaded_progress_restores_the_exact_state(downloads):
    at = start(open_quiz(quiz_length=6, quiz_seed=21, quiz_cbm=True))
    play(at, [(True, 2), (False, 3), (True, 1), (False, 1)])
    saved_state = state(at)
    saved = latest_download(".json")
    assert json.loads(saved)["responses"][1]["confidence"] == 3
    fresh = open_quiz(quiz_cbm=False, quiz_seed=1, quiz_length=10)  # the setup says otherwise
    fresh.get("file_uploader")[0].upload("progress.json", saved, "application/json")
    fresh.run()
    assert page_errors(fresh) == []
    assert state(fresh) == saved_state
    assert fresh.session_state["quiz_current"] == saved_state.next_question.id
    assert nothing_selected(fresh)
    # the sidebar now shows the restored quiz's setup, and a rerun keeps it
    for _ in range(2):
        assert sidebar_setup(fresh) == ([], 6, True, False, 21)
        fresh.run()
    fresh.get("file_uploader")[0].upload("progress.json", saved, "application/json")
    fresh.run()  # upload again, and look at the page the upload leads to
    # the confirmation is the first thing on the page after the title
    shown = main_elements(fresh)
    assert [e.type for e in shown[:2]] == ["title", "success"]
    assert shown[1].value == CONTENT.ui.format("quiz_resume_success")


def sidebar_setup(at: AppTest) -> tuple:
    """What the sidebar shows: topics, length, certainty marking, prompt questions, seed."""
    bar = at.sidebar
    toggles = {t.label: t.value for t in bar.toggle}
    numbers = {n.label: n.value for n in bar.number_input}
    return (bar.multiselect[0].value, numbers["Questions"], toggles["Certainty-based marking"],
            toggles["Include questions about my prompt"], numbers["Seed"])


def main_elements(at: AppTest) -> list:
    """The page's text elements in the order they are drawn (containers skipped)."""
    kinds = {"title", "success", "info", "warning", "error", "markdown", "subheader", "caption"}
    return [e for e in walk(at.main) if getattr(e, "type", "") in kinds]


@pytest.mark.parametrize(
    "content, needle",
    [
        (b"{not json", "not valid JSON"),
        (b'{"format": "cellular-attention-quiz-progress", "version": 2, "seed": 1, "cbm": true,'
         b' "topics": [], "questions": ["dot-001"], "responses": [], "score": 99}', "score"),
        (b" " * 1_000_001, "limit"),
    ],
    ids=["not-json", "forged-score", "huge"],
)
def test_a_corrupt_upload_shows_an_error_and_changes_nothing(content, needle):
    at = start(open_quiz(quiz_length=4, quiz_seed=8, quiz_cbm=False))
    play(at, [(True, None), (False, None)])
    before = (state(at), at.session_state["quiz_current"], at.session_state["quiz_round"])
    at.get("file_uploader")[0].upload("progress.json", content, "application/json")
    at.run()
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and needle in errors[0] and "left untouched" in errors[0]
    assert (state(at), at.session_state["quiz_current"], at.session_state["quiz_round"]) == before
    assert not at.exception
    at.run()  # the file is applied once: the next rerun neither re-reads it nor repeats the error
    assert not at.error and state(at) == before[0]
    assert at.get("file_uploader")[0].value is None


def test_a_match_that_uses_one_answer_twice_is_explained_not_submitted():
    matching = next(q for q in BANK.questions if q.type == "matching")
    at = start(open_quiz(quiz_topics=[matching.topic], quiz_length=20, quiz_seed=1))
    while current(at)[0].type != "matching":
        play(at, [(True, None)])
    q, key = current(at)
    for pair in q.pairs:
        at.selectbox(key=f"{key}_{pair.id}").set_value(q.pairs[0].id)
    button(at, "Submit answer").click().run()
    assert not state(at).is_answered(q.id)
    assert any("exactly once" in w.value for w in at.warning)


def test_topic_link_preselects_that_topic():
    at = open_quiz(query_params={"topic": "mech-masks"})
    assert at.sidebar.multiselect[0].value == ["mech-masks"]
    start(at)
    assert {q.topic for q in state(at).questions} == {"mech-masks"}
    # changing the choice afterwards sticks: the link is applied once
    at.sidebar.multiselect[0].set_value(["mech-sink"]).run()
    assert at.sidebar.multiselect[0].value == ["mech-sink"]


def test_questions_about_my_prompt_are_computed_saved_and_restored(downloads):
    at = start(open_quiz(quiz_length=9, quiz_seed=1, quiz_live=True, layer=2, head_mode="mean"))
    live = [q for q in state(at).questions if is_live(q)]
    assert {s.generator for _, s in state(at).live} == {
        "occupancy-top", "temperature-evenness", "previous-token-head"}
    assert len(live) == 3 and len(state(at).questions) == 9  # counted in, not on top
    play(at, [(True, None)] * 9)
    saved = latest_download(".json")
    doc = json.loads(saved)
    assert len(doc["live"]) == 3 and "feedback" not in saved.decode()
    assert not any(o.text in saved.decode() for q in live for o in q.options)
    fresh = open_quiz()
    fresh.get("file_uploader")[0].upload("progress.json", saved, "application/json")
    fresh.run(timeout=60)
    assert page_errors(fresh) == []
    assert state(fresh) == state(at) and state(fresh).score == 9


def _word(prompt: str, word: str, bundled) -> int:
    from lib.attention.extract import extract_attention
    from lib.attention.relevance import level_groups

    words, _ = level_groups(extract_attention(bundled, prompt), level="word")
    return words.index(word)


@pytest.mark.parametrize(("length", "from_prompt"), [(10, 3), (4, 1), (1, 1)])
def test_the_number_asked_for_is_the_number_given_and_the_setup_says_the_split(
        length, from_prompt, bundled):
    prompt = "What's the capital of France?"
    at = open_quiz(quiz_length=length, quiz_live=True, prompt=prompt, level="word",
                   query=_word(prompt, "capital", bundled), layer=2, head_mode="mean")
    note = next(c.value for c in at.sidebar.caption if "about your prompt" in c.value)
    start(at)
    asked = state(at).questions
    assert len(asked) == length and sum(is_live(q) for q in asked) == from_prompt
    shown = note.replace("\\", "")
    assert shown == CONTENT.ui.format(
        "quiz_plan_live", total=length, from_bank=length - from_prompt, from_prompt=from_prompt,
        prompt=prompt, query="'capital'")
    for q in asked:
        if is_live(q):
            assert q.text.startswith(f"In your prompt '{prompt}', ")
    uses_query = [q.text for q in asked if is_live(q) and state(at).live_spec(q.id).generator
                  in ("occupancy-top", "temperature-evenness")]
    assert uses_query and all("with 'capital' as the query" in t for t in uses_query)
    assert at.progress[0].proto.text.endswith(f"of {length} · 0 answered")


def test_a_query_chosen_in_the_word_view_reaches_the_live_questions(bundled):
    from lib.attention.extract import extract_attention
    from lib.attention.relevance import default_query, level_groups, special_groups

    prompt = "Transcription factors bind gene loci in open chromatin."
    result = extract_attention(bundled, prompt)
    words, groups = level_groups(result, level="word")
    fallback = default_query(words, special_groups(result, level="word"))
    # a word whose word index is not its token index, and not the default query
    word = next(i for i, members in enumerate(groups)
                if members[0] != i and i != fallback and not result.special_mask[members[0]])
    at = start(open_quiz(quiz_length=1, quiz_live=True, prompt=prompt, level="word", query=word,
                         layer=2, head_mode="mean"))
    specs = [spec for _, spec in state(at).live
             if spec.generator in ("occupancy-top", "temperature-evenness")]
    assert specs and {spec.query for spec in specs} == {groups[word][0]}


def test_live_questions_switch_off_with_a_reason_when_the_prompt_cannot_run():
    at = start(open_quiz(quiz_length=3, quiz_live=True, prompt="   "))
    assert len(state(at).questions) == 3 and not state(at).live
    assert any("switched off" in i.value for i in at.info)
    answer(at, right=True)
    assert state(at).score == 1


def test_broken_bank_files_are_listed_and_the_rest_still_works(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    folder = content / "quiz"
    data = yaml.safe_load((folder / "mechanics.yaml").read_text(encoding="utf-8"))
    broken_id = data["questions"][0]["id"]
    data["questions"][0]["options"] = data["questions"][0].get("options", [])[:1]
    (folder / "mechanics.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (folder / "extra.yaml").write_text("questions: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("CA_CONTENT_DIR", str(content))
    at = open_quiz(quiz_length=3)
    warnings = [w.value for w in at.warning]
    assert any("extra.yaml" in w for w in warnings)
    assert any("mechanics.yaml" in w and broken_id in w for w in warnings)
    start(at)
    assert len(state(at).questions) == 3 and broken_id not in state(at).question_ids


def test_page_text_describes_the_marks_grading_uses():
    text = CONTENT.ui
    for confidence in (1, 2, 3):
        label = text.format(f"quiz_confidence_{confidence}")
        assert f"+{CBM_MARKS_RIGHT[confidence]}" in label
        wrong = CBM_MARKS_WRONG[confidence]
        assert (f"−{-wrong}" if wrong else "0 if wrong") in label
    help_text = text.format("quiz_cbm_help")
    assert "1, 2 or 3" in help_text and "0, 2 or 6" in help_text


# ------------------------------------------------------------------ the copy in the browser


def sent_to_browser(at: AppTest) -> dict:
    """The data the quiz's browser store got in the last run (what the browser receives)."""
    (element,) = [e for e in walk(at.main) if getattr(e, "type", "") == "bidi_component"
                  and e.proto.component_name == "browser_store"]
    return json.loads(element.proto.json)


def test_the_browser_gets_the_quiz_only_when_it_changed():
    from lib.quiz.progress import progress_from_json

    at = open_quiz(quiz_length=3, quiz_seed=4, quiz_cbm=False)
    before = sent_to_browser(at)
    assert "save" not in before and before["revision"] is None  # no quiz: nothing to keep
    assert len(before["request"]) >= 16  # the session's token asks for the browser's copy
    start(at)
    first = sent_to_browser(at)
    assert progress_from_json(first["save"], BANK) == state(at)  # the progress-file format
    at.run()  # nothing changed: the revision alone, no quiz text
    assert sent_to_browser(at) == {"name": "quiz-progress", "request": before["request"],
                                   "revision": first["revision"]}
    answer(at, right=True)
    answered = sent_to_browser(at)
    assert answered["revision"] != first["revision"]
    assert progress_from_json(answered["save"], BANK) == state(at)
    assert len(state(at).responses) == 1
    button(at, "Next question").click().run()  # a new question shown, the quiz unchanged
    assert "save" not in sent_to_browser(at)


def test_ending_the_quiz_clears_the_browsers_copy():
    at = start(open_quiz(quiz_length=2, quiz_seed=4, quiz_cbm=False))
    button(at, "End this quiz and clear it from this browser").click().run()
    assert "quiz_state" not in at.session_state  # no quiz any more
    cleared = sent_to_browser(at)
    assert cleared["save"] is None and cleared["revision"] == "cleared"
    assert any(s.value == CONTENT.ui.format("quiz_store_cleared") for s in at.success)
    at.run()
    assert "save" not in sent_to_browser(at)
    start(at)  # a new quiz replaces it
    assert json.loads(sent_to_browser(at)["save"])["seed"] == 4


def test_a_topic_with_nothing_right_still_gets_a_visible_zero():
    at = start(open_quiz(quiz_topics=["mech-masks", "mech-sink"], quiz_length=4, quiz_seed=3))
    for _ in state(at).questions:
        q, _ = current(at)
        play(at, [(q.topic == "mech-masks", None)])  # every mech-sink answer wrong
    button(at, "See your results").click().run()
    chart = chart_with(at, "level")
    rows = chart.frame().set_index("topic")
    zero = BANK.topic("mech-sink").title
    assert rows.loc[zero, "percent"] == 0 and rows.loc[zero, "share"] == "0%"
    assert rows.loc[BANK.topic("mech-masks").title, "share"] == "100%"
    # a bar of length 0 draws nothing: a tick at its end and its share in words still show
    layers = [(layer["mark"]["type"], layer["encoding"]) for layer in chart.spec["layer"]]
    assert [enc["x"]["field"] for mark, enc in layers if mark == "tick"] == ["percent"]
    assert "share" in [enc["text"]["field"] for mark, enc in layers if mark == "text"]
    assert f"At 0%: {zero}" in chart.alt  # and the text alternative names it
