"""Live questions (built in code from the student's prompt) use the same schema and grading."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from lib.content import load_content
from lib.quiz.grading import MultiAnswer, QuizError, SingleAnswer
from lib.quiz.live import LIVE_PREFIX, LiveOption, LiveQuestion, is_live
from lib.quiz.progress import ProgressError, progress_to_json, results_to_csv
from lib.quiz.session import append_question, mistakes, new_quiz, submit, topic_scores

CONTENT = load_content(Path(__file__).resolve().parents[1] / "content")
BANK = CONTENT.quiz


def _live(qid: str = "live-001", correct=("b",)) -> LiveQuestion:
    tokens = ["paris", "is", "capital"]
    return LiveQuestion(
        id=qid,
        topic="mech-softmax",
        skill="apply",
        text="In layer 2, head 5, which token does 'capital' attend to most?",
        options=tuple(
            LiveOption(oid, tok, oid in correct, f"'{tok}' gets weight 0.{i + 2}")
            for i, (oid, tok) in enumerate(zip("abc", tokens, strict=True))
        ),
        prompt="Paris is the capital",
        model_name="all-MiniLM-L6-v2",
    )


def test_live_question_becomes_a_schema_question_marked_live_by_its_id():
    q = _live().to_question()
    assert q.type == "single" and q.id.startswith(LIVE_PREFIX) and is_live(q)
    assert q.sources and set(q.sources) <= CONTENT.references.ids
    assert not any(is_live(b) for b in BANK.questions)
    assert _live(correct=("a", "b")).to_question().type == "multi"


def test_live_question_flows_through_the_same_grading_and_results():
    state = new_quiz(BANK, topics=["mech-softmax"], length=2, seed=3, cbm=True)
    state = append_question(state, _live().to_question())
    state = submit(state, "live-001", SingleAnswer("a"), confidence=2)
    assert state.response("live-001").marks == -2
    assert submit(state, "live-001", SingleAnswer("b"), confidence=3) is state
    (m,) = mistakes(state, BANK)
    assert m.question.id == "live-001"
    assert [i.item_id for i in m.feedback if i.status == "missed"] == ["b"]
    (score,) = topic_scores(state, BANK)
    assert (score.topic_id, score.total, score.answered) == ("mech-softmax", 3, 1)
    rows = csv.DictReader(io.StringIO(results_to_csv(state, BANK, references=CONTENT.references)))
    live_row = next(row for row in rows if row["question_id"] == "live-001")
    assert live_row["sources"] == "Vaswani et al. 2017"  # its source, cited in full words


def test_invalid_live_question_is_rejected_by_the_schema():
    with pytest.raises(ValidationError, match="live-002"):
        _live("live-002", correct=()).to_question()
    bad_feedback = LiveQuestion(
        id="live-003", topic="mech-softmax", skill="apply", text="?",
        options=(LiveOption("a", "x", True, "ok"), LiveOption("b", "y", False, " ")),
        prompt="p", model_name="m",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="feedback"):
        bad_feedback.to_question()


def test_live_question_ids_must_be_new_in_the_quiz():
    state = new_quiz(BANK, topics=["mech-softmax"], length=1, seed=3, cbm=False)
    state = append_question(state, _live().to_question())
    with pytest.raises(QuizError, match="already in this quiz"):
        append_question(state, _live().to_question())


def test_live_multi_answers_are_graded_all_or_nothing():
    state = new_quiz(BANK, topics=["mech-softmax"], length=1, seed=3, cbm=False)
    state = append_question(state, _live(correct=("a", "b")).to_question())
    state = submit(state, "live-001", MultiAnswer({"a"}))
    assert state.response("live-001").correct is False


def test_live_question_without_a_spec_cannot_be_saved():
    state = new_quiz(BANK, topics=["mech-softmax"], length=1, seed=3, cbm=False)
    state = append_question(state, _live().to_question())
    with pytest.raises(ProgressError, match="without a spec"):
        progress_to_json(state)


# ---------------------------------------------------------------- generators on the real model
# Expected answers are recomputed here with plain numpy from result.attentions, not with the
# generators' helpers, so a wrong answer key in lib/quiz/live.py fails these tests.

PROMPTS = (
    "What's the capital of France?",
    "Transcription factors bind gene loci in open chromatin.",
    "The cat sat on the mat because it was tired.",
)


@pytest.fixture(scope="module")
def results(bundled):
    from lib.attention.extract import extract_attention

    return {p: extract_attention(bundled, p) for p in PROMPTS}


def _spec(result, generator, *, layer=2, head="mean", temperature=1.0, query=None, prompt=None):
    from lib.quiz.live import LiveSpec

    return LiveSpec(generator, prompt or result.text, result.model_name, layer, head,
                    temperature, query)


def _row(result, layer, head, query):
    a = result.attentions[layer].astype(np.float64)  # [heads, seq, seq]
    return (a.mean(axis=0) if head == "mean" else a[head])[query]  # [seq]


def _last_word(result):
    return max(i for i, (t, s) in enumerate(zip(result.tokens, result.special_mask, strict=True))
               if not s and any(c.isalnum() for c in t))


def _correct_ids(question):
    return {o.id for o in question.options if o.correct}


@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.parametrize("layer, head, temperature", [(2, "mean", 1.0), (0, 3, 0.5), (5, 7, 2.0)])
def test_occupancy_question_answer_is_the_most_occupied_locus(results, prompt, layer, head,
                                                              temperature):
    from lib.quiz.live import occupancy_top

    result = results[prompt]
    made = occupancy_top(result, _spec(result, "occupancy-top", layer=layer, head=head,
                                       temperature=temperature))
    keep = ~result.special_mask
    row = _row(result, layer, head, _last_word(result))[keep]
    occ = row ** (1 / temperature)
    occ /= occ.sum()  # Boltzmann weights exp(-eps/kT) with eps = -ln a: a^(1/T), normalised
    order = np.argsort(-occ)
    positions = np.flatnonzero(keep)
    if occ[order[0]] - occ[order[1]] < 0.02:
        assert made is None  # a near tie is not a fair question
        return
    assert made is not None
    assert _correct_ids(made) == {f"t{positions[order[0]]}"}
    right = next(o for o in made.options if o.correct)
    assert f"{occ[order[0]]:.1%}" in right.feedback
    for option in made.options:
        if not option.correct:
            pos = int(option.id[1:])
            assert f"{occ[list(positions).index(pos)]:.1%}" in option.feedback
    assert made.to_question().type == "single"


def _entropy(p):
    p = p / p.sum()
    return float(-(p * np.log2(p)).sum())


@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.parametrize("temperature", [0.3, 0.7, 1.5, 4.0])
def test_temperature_question_key_follows_the_entropy_at_the_new_temperature(
    results, prompt, temperature
):
    from lib.quiz.live import evenness_target, temperature_evenness

    result = results[prompt]
    spec = _spec(result, "temperature-evenness", temperature=temperature)
    made = temperature_evenness(result, spec)
    target = evenness_target(spec)
    assert target in (2 * temperature, temperature / 2)
    assert ("doubles" if target > temperature else "halves") in made.text
    row = _row(result, 2, "mean", _last_word(result))[~result.special_mask]
    h1, h2 = _entropy(row ** (1 / temperature)), _entropy(row ** (1 / target))
    assert _correct_ids(made) == {"more" if h2 > h1 else "less"}
    assert f"{h1:.2f}" in made.options[0].feedback and f"{h2:.2f}" in made.options[0].feedback


def test_temperature_question_asks_both_ways_so_the_key_varies(results):
    from lib.quiz.live import temperature_evenness

    keys = set()
    for prompt in PROMPTS:
        result = results[prompt]
        for temperature in (0.3, 0.5, 0.7, 0.9, 1.2, 1.5, 2.0, 3.0):
            made = temperature_evenness(
                result, _spec(result, "temperature-evenness", temperature=temperature)
            )
            keys |= _correct_ids(made)
    assert keys == {"more", "less"}


@pytest.mark.parametrize("prompt", PROMPTS)
def test_previous_token_head_question_matches_the_attention(results, prompt):
    from lib.quiz.live import previous_token_head

    result = results[prompt]
    real = np.flatnonzero(~result.special_mask)
    after_word = [i for i in real if i - 1 in real]  # the previous token is a word piece
    for layer in range(result.num_layers):
        a = result.attentions[layer].astype(np.float64)  # [heads, seq, seq]
        share = np.array([np.mean([a[h, i, i - 1] for i in after_word]) for h in range(a.shape[0])])
        made = previous_token_head(result, _spec(result, "previous-token-head", layer=layer))
        if not (share >= 0.5).any():
            assert made is None, f"layer {layer} has no previous-token head"
            continue
        assert made is not None
        assert _correct_ids(made) == {f"h{int(np.argmax(share))}"}
        for option in made.options:
            if not option.correct:
                assert share[int(option.id[1:])] < 0.25  # distractors are clearly not
        assert len(made.options) >= 3


def test_live_questions_bundle_finds_the_previous_token_head_in_another_layer(results):
    from lib.quiz.live import live_questions

    result = results[PROMPTS[0]]
    made = live_questions(result, prompt=PROMPTS[0], layer=2, head="mean", temperature=1.0,
                          query=None)
    by_generator = {q.spec.generator: q for q in made}
    assert set(by_generator) == {"occupancy-top", "temperature-evenness", "previous-token-head"}
    assert by_generator["previous-token-head"].spec.layer == 0  # layer 2 has none; 0 has head 2
    assert all(q.id == q.spec.question_id and q.prompt == PROMPTS[0] for q in made)


def test_no_fair_question_from_a_one_word_prompt(bundled):
    from lib.attention.extract import extract_attention
    from lib.quiz.live import live_questions

    result = extract_attention(bundled, "Paris")
    assert live_questions(result, prompt="Paris", layer=0, head="mean", temperature=1.0,
                          query=None) == ()


def test_no_question_when_attention_is_uniform_or_too_hot(results):
    from dataclasses import replace

    from lib.quiz.live import occupancy_top, temperature_evenness

    result = results[PROMPTS[0]]
    seq = result.seq_len
    flat = replace(result, attentions=np.full(result.attentions.shape, 1 / seq, np.float32))
    assert occupancy_top(flat, _spec(flat, "occupancy-top")) is None  # every locus ties
    assert temperature_evenness(flat, _spec(flat, "temperature-evenness")) is None
    hot = temperature_evenness(result, _spec(result, "temperature-evenness", temperature=12.0))
    assert "halves to kT = 6" in hot.text  # 2T would leave the slider's range, so it halves


def test_encoder_has_no_closed_chromatin_question(results):
    from lib.quiz.live import closed_locus

    result = results[PROMPTS[0]]
    assert closed_locus(result, _spec(result, "closed-locus", query=3)) is None


@pytest.fixture(scope="module")
def decoder_result(model_root):
    from lib.attention.extract import extract_attention
    from lib.models.loading import load_model

    gpt = load_model(str(model_root / "tiny-gpt2"), local_root=model_root)
    return extract_attention(gpt, "the capital of france is paris")


@pytest.mark.parametrize("temperature", [0.05, 1.0, 8.0])
def test_decoder_mask_question_keys_exactly_the_hidden_keys(decoder_result, temperature):
    from lib.quiz.live import closed_locus

    result, query = decoder_result, 2
    made = closed_locus(result, _spec(result, "closed-locus", layer=1, head=0, query=query,
                                      temperature=temperature))
    row = result.attentions[1, 0, query]
    shown = [int(o.id[1:]) for o in made.options]
    assert _correct_ids(made) == {f"t{p}" for p in shown if p > query}  # hidden = after it
    assert any(p > query for p in shown) and sum(p <= query for p in shown) >= 2
    for option in made.options:
        position = int(option.id[1:])
        assert (row[position] == 0.0) == option.correct  # masked keys, and only they, weigh 0
    assert "hide" in made.text and "never occupied" not in made.text
    assert query in shown  # the query itself is visible to itself, whatever its occupancy


def test_occupancy_question_says_it_works_at_token_level(results):
    from lib.quiz.live import occupancy_top

    result = results[PROMPTS[1]]
    made = occupancy_top(result, _spec(result, "occupancy-top"))
    assert "works at token level (each word piece is its own locus" in made.text


def test_every_live_question_names_the_prompt_and_the_query_it_uses(results):
    from lib.attention.relevance import level_groups
    from lib.quiz.live import live_query, live_questions

    prompt = PROMPTS[0]  # "What's the capital of France?"
    result = results[prompt]
    words, groups = level_groups(result, level="word")
    query = live_query(result, level="word", query=words.index("capital"))
    made = {q.spec.generator: q for q in live_questions(
        result, prompt=prompt, layer=2, head="mean", temperature=1.0, query=query)}
    assert {"occupancy-top", "temperature-evenness"} <= set(made)
    for generator in ("occupancy-top", "temperature-evenness"):
        assert made[generator].text.startswith(
            "In your prompt 'What's the capital of France?', with 'capital' as the query, ")
    for question in made.values():
        assert question.text.startswith("In your prompt 'What's the capital of France?', ")
    assert "no query is needed" in made["previous-token-head"].text  # it uses none, and says so


def test_a_query_inside_a_split_word_names_the_word_too(results):
    from lib.attention.relevance import level_groups
    from lib.quiz.live import live_query, occupancy_top

    prompt = PROMPTS[1]
    result = results[prompt]
    words, groups = level_groups(result, level="word")
    split = next(i for i, members in enumerate(groups) if len(members) > 1)
    query = live_query(result, level="word", query=split)
    made = occupancy_top(result, _spec(result, "occupancy-top", query=query))
    piece = result.tokens[groups[split][0]]
    assert f"with '{piece}' (part of the word '{words[split]}') as the query" in made.text


def test_a_long_prompt_is_quoted_short(bundled):
    from lib.attention.extract import extract_attention
    from lib.quiz.live import PROMPT_SHOWN, occupancy_top

    prompt = ("Pioneer factors open closed chromatin so that other transcription factors can "
              "bind the enhancer, recruit the mediator complex and start transcription of genes.")
    result = extract_attention(bundled, prompt)
    made = occupancy_top(result, _spec(result, "occupancy-top"))
    quoted = made.text.split("'")[1]
    assert quoted.endswith("…") and len(quoted) == PROMPT_SHOWN
    assert prompt.startswith(quoted[:-1])


@pytest.mark.parametrize("head, species", [("mean", "the mean over heads"), (4, "head 4")])
def test_live_questions_name_the_sender_and_the_species_apart(results, head, species):
    from lib.quiz.live import occupancy_top, temperature_evenness

    result = results[PROMPTS[0]]
    query = _last_word(result)
    name = f"'{result.tokens[query]}' (token {query})"
    for made in (occupancy_top(result, _spec(result, "occupancy-top", head=head, query=query)),
                 temperature_evenness(result, _spec(result, "temperature-evenness", head=head,
                                                    query=query))):
        assert f"One TF molecule sent by the query token {name} (species: {species})" in made.text
        assert "of the species for the query token" not in made.text


def test_previous_token_question_says_which_neighbour_and_which_tokens_count(results):
    from lib.quiz.live import previous_token_head

    result = results[PROMPTS[0]]
    made = previous_token_head(result, _spec(result, "previous-token-head", layer=0))
    # "Upstream" means 5' of a gene, not "the earlier token": the stem avoids it.
    assert "upstream" not in made.text
    assert "the neighbouring locus on the side of the earlier token" in made.text
    for option in made.options:
        assert "averaged over the tokens of your text that follow another one" in option.feedback


def test_a_word_level_query_reaches_the_live_questions(results):
    from lib.attention.relevance import default_query, level_groups, special_groups
    from lib.quiz.live import live_query, live_questions

    prompt = PROMPTS[1]  # "Transcription factors bind ...": some words are several pieces
    result = results[prompt]
    words, groups = level_groups(result, level="word")
    # a word after a split word: its word index and its token index differ
    word = next(i for i, members in enumerate(groups) if members[0] != i)
    token = live_query(result, level="word", query=word)
    assert token == groups[word][0] != word  # the word's first piece, not token number `word`
    made = live_questions(result, prompt=prompt, layer=2, head="mean", temperature=1.0,
                          query=token)
    about_the_query = [q for q in made if q.spec.generator in ("occupancy-top",
                                                               "temperature-evenness")]
    assert about_the_query and all(q.spec.query == token for q in about_the_query)
    assert live_query(result, level="token", query=4) == 4
    # no query chosen yet, or a stale one: Explore's default query at that level, as it shows
    words_default = default_query(words, special_groups(result, level="word"))
    for stale in (None, len(words)):
        assert live_query(result, level="word", query=stale) == groups[words_default][0]
    tokens_default = default_query(list(result.tokens), result.special_mask)
    assert live_query(result, level="token", query=None) == tokens_default


def test_ids_are_deterministic_and_rebuilding_gives_the_same_question(results):
    from lib.quiz.live import LiveError, build_live, occupancy_top

    result = results[PROMPTS[1]]
    spec = _spec(result, "occupancy-top", layer=1)
    first = occupancy_top(result, spec)
    assert first.id == spec.question_id == _spec(result, "occupancy-top", layer=1).question_id
    assert build_live(spec, result) == first
    assert _spec(result, "occupancy-top", layer=3).question_id != spec.question_id
    assert _spec(result, "occupancy-top", layer=1, prompt="other").question_id != spec.question_id
    from dataclasses import replace

    with pytest.raises(LiveError, match="switch to that model"):
        build_live(replace(spec, model="gpt2"), result)
    with pytest.raises(LiveError, match="does not exist"):
        build_live(replace(spec, layer=40), result)


def test_live_question_with_spec_round_trips_through_a_progress_file(results):
    from lib.quiz.live import build_live, occupancy_top
    from lib.quiz.progress import progress_from_json
    from lib.quiz.session import add_live

    result = results[PROMPTS[0]]
    live = occupancy_top(result, _spec(result, "occupancy-top", prompt=PROMPTS[0]))
    state = add_live(new_quiz(BANK, topics=["mech-softmax"], length=2, seed=3, cbm=True), live)
    wrong = next(o.id for o in live.options if not o.correct)
    state = submit(state, live.id, SingleAnswer(wrong), confidence=3)
    text = progress_to_json(state)
    assert "feedback" not in text and '"correct"' not in text  # no answer key in the file
    restored = progress_from_json(text, BANK, rebuild_live=lambda spec: build_live(spec, result))
    assert restored == state and restored.score == state.score
