"""Live questions: built from the student's own prompt, answer keys computed from real attention.

A generated question is an ordinary schema ``Question`` (validated by the same pydantic models,
so it needs feedback on every option and the right number of correct answers) whose id starts
with ``LIVE_PREFIX`` and whose ``sources`` name the works behind its reasoning; it flows through
``session.add_live``, ``submit`` and grading like any bank question. Nothing here is hard-coded: every answer key is computed from the attention array
[layers, heads, seq, seq] of an ``AttentionResult`` and from the chromatin model, which reads an
attention row as a Boltzmann distribution (Shea & Ackers 1985; Bintu et al. 2005):
occupancy p_j = exp(-eps_j/kT) / sum_k exp(-eps_k/kT) with eps_j = -ln a_j. Head patterns follow
Clark et al. (2019, "What Does BERT Look At?"); a causal mask hides later keys (Vaswani et al.
2017), which the chromatin view draws as closed loci. Questions work at token level: word
pieces are separate loci (``live_query`` maps a word chosen on Explore to its first piece).

Each question is fully determined by a ``LiveSpec`` (generator, prompt, model, settings): its id
is a hash of the spec, and a progress file stores only the spec, so the options and answer key
are always recomputed from the model, never read back from a file.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np
from pydantic import TypeAdapter

from lib.attention.extract import AttentionResult
from lib.attention.heads import DOMINANCE, profile_heads, row_entropy_bits
from lib.attention.relevance import (
    MAX_TEMPERATURE,
    MIN_TEMPERATURE,
    Level,
    default_query,
    level_groups,
    select_relevance,
    special_groups,
)
from lib.chromatin.from_attention import chromatin_from_attention
from lib.content.schema.quiz import AnyQuestion, Question

LIVE_PREFIX = "live-"  # bank question ids may not start with it (lib/content/loader.py)
# The works each generator's reasoning rests on (ids in content/references.yaml).
SOURCES: dict[str, tuple[str, ...]] = {
    "occupancy-top": ("shea_ackers_1985", "bintu_2005a"),
    "temperature-evenness": ("phillips_2012", "vaswani_2017"),
    "previous-token-head": ("clark_2019",),
    "closed-locus": ("vaswani_2017",),
}
_ADAPTER: TypeAdapter[AnyQuestion] = TypeAdapter(Question)

GeneratorName = Literal[
    "occupancy-top", "temperature-evenness", "previous-token-head", "closed-locus"
]
GENERATORS: tuple[str, ...] = (
    "occupancy-top",
    "temperature-evenness",
    "previous-token-head",
    "closed-locus",
)
TOP_MARGIN = 0.02  # the top locus must beat the runner-up by 2 points of occupancy to be fair
EVENNESS_MIN_BITS = 0.01  # below this change in entropy, "more or less even" has no clear answer
CLEARLY_NOT_PREVIOUS = (
    0.25  # a distractor head gives under a quarter of its mass to the previous token
)
MIN_LOCI = 3
PROMPT_SHOWN = 100  # characters of the prompt a question quotes; longer prompts end in "…"


class LiveError(ValueError):
    """A live question cannot be rebuilt from its spec; the message says what to do."""


@dataclass(frozen=True)
class LiveSpec:
    """Everything that determines one live question (what a progress file stores)."""

    generator: str  # one of GENERATORS
    prompt: str  # the student's prompt as typed
    model: str  # AttentionResult.model_name the numbers came from
    layer: int
    head: int | str  # a head index, "mean" or "rollout"
    temperature: float
    query: int | None  # token index of the query; None = the default query

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def question_id(self) -> str:
        """Deterministic id from the spec: same generator, prompt and settings -> same id."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=True)
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
        return f"{LIVE_PREFIX}{digest}-001"


@dataclass(frozen=True)
class LiveOption:
    id: str
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class LiveQuestion:
    """What a generator returns: the question fields plus where its numbers came from.

    ``to_question()`` turns it into a schema Question (raising pydantic's ValidationError, with
    the question id in the message, if the generator produced something invalid).
    Only single and multi types are generated; ``multi`` if more than one option is correct.
    """

    id: str  # "live-<hash>-001"; must match the schema id pattern
    topic: str  # a topic id from content/quiz/topics.yaml, e.g. "mech-softmax"
    skill: str  # recall | understand | apply
    text: str
    options: tuple[LiveOption, ...]
    prompt: str  # the student's prompt the numbers came from (never rendered as HTML)
    model_name: str
    explanation: str | None = None
    spec: LiveSpec | None = None  # None only for hand-built questions (they cannot be saved)
    sources: tuple[str, ...] = ("vaswani_2017",)  # reference ids behind the question

    def to_question(self) -> AnyQuestion:
        n_correct = sum(o.correct for o in self.options)
        return _ADAPTER.validate_python(
            {
                "id": self.id,
                "topic": self.topic,
                "skill": self.skill,
                "type": "multi" if n_correct > 1 else "single",
                "text": self.text,
                "options": [
                    {"id": o.id, "text": o.text, "correct": o.correct, "feedback": o.feedback}
                    for o in self.options
                ],
                "sources": list(self.sources),
                "explanation": self.explanation,
            }
        )


def is_live(question: AnyQuestion) -> bool:
    """True for a question computed from the student's prompt (its id has the live prefix)."""
    return question.id.startswith(LIVE_PREFIX)


# ---------------------------------------------------------------------------------- helpers


def _head_text(head: int | str) -> str:
    if head == "mean":
        return "the mean over heads"
    if head == "rollout":
        return "attention rollout"
    return f"head {head}"


def _token(result: AttentionResult, position: int) -> str:
    return f"'{result.tokens[position]}' (token {position})"


def _usable_query(result: AttentionResult, q: int | None) -> int:
    """``q`` if it is a real (non-special) token, else the default query."""
    if q is not None and 0 <= q < result.seq_len and not result.special_mask[q]:
        return q
    return default_query(list(result.tokens), result.special_mask)


def _query(result: AttentionResult, spec: LiveSpec) -> int:
    """The spec's query if it is a real (non-special) token, else the default query."""
    return _usable_query(result, spec.query)


def _check_settings(result: AttentionResult, spec: LiveSpec) -> None:
    if not 0 <= spec.layer < result.num_layers:
        raise LiveError(
            f"Layer {spec.layer} does not exist in {result.model_name} "
            f"(layers 0-{result.num_layers - 1}); load the model the question was made with"
        )
    if isinstance(spec.head, int) and not 0 <= spec.head < result.num_heads:
        raise LiveError(
            f"Head {spec.head} does not exist in {result.model_name} "
            f"(heads 0-{result.num_heads - 1}); load the model the question was made with"
        )
    if not MIN_TEMPERATURE <= spec.temperature <= MAX_TEMPERATURE:
        raise LiveError(
            f"Temperature {spec.temperature} is outside {MIN_TEMPERATURE}-{MAX_TEMPERATURE}"
        )


def _question(
    spec: LiveSpec,
    result: AttentionResult,
    *,
    topic: str,
    text: str,
    options: list[LiveOption],
    explanation: str,
) -> LiveQuestion:
    return LiveQuestion(
        id=spec.question_id,
        topic=topic,
        skill="apply",
        text=text,
        options=tuple(options),
        prompt=spec.prompt,
        model_name=result.model_name,
        explanation=explanation,
        spec=spec,
        sources=SOURCES[spec.generator],
    )


def quoted_prompt(prompt: str) -> str:
    """The prompt as a question quotes it: on one line, cut to PROMPT_SHOWN characters."""
    text = " ".join(prompt.split())
    return text if len(text) <= PROMPT_SHOWN else text[: PROMPT_SHOWN - 1].rstrip() + "…"


def describe_query(result: AttentionResult, position: int) -> str:
    """The query as the student knows it: the token, and its word when it is one piece of it."""
    token = f"'{result.tokens[position]}'"
    words, groups = level_groups(result, level="word")
    word = next((w for w, members in zip(words, groups, strict=True) if position in members), None)
    if word is None or word == result.tokens[position]:
        return token
    return f"{token} (part of the word '{word}')"


def _intro(result: AttentionResult, spec: LiveSpec, query: int | None) -> str:
    """How every live question opens: the prompt it was computed from and the query it uses."""
    opening = f"In your prompt '{quoted_prompt(spec.prompt)}', "
    return opening if query is None else f"{opening}with {describe_query(result, query)} as the query, "


def _where(result: AttentionResult, spec: LiveSpec) -> str:
    return f"your prompt's attention in layer {spec.layer} ({_head_text(spec.head)})"


def _occupancy(
    result: AttentionResult,
    spec: LiveSpec,
    query: int,
    *,
    temperature: float,
    special: str = "drop",
):
    """Relevance of one query (at T = 1) and the chromatin equilibrium it drives at kT = T."""
    relevance = select_relevance(
        result,
        query=query,
        layer=spec.layer,
        head=spec.head,
        level="token",
        special=special,
    )
    state = chromatin_from_attention(
        relevance.weights, temperature=temperature, closed=relevance.closed
    )
    return relevance, state


# ------------------------------------------------------------------------------- generators


def occupancy_top(result: AttentionResult, spec: LiveSpec) -> LiveQuestion | None:
    """Which locus will the TF of the query token occupy most at equilibrium?"""
    _check_settings(result, spec)
    query = _query(result, spec)
    relevance, state = _occupancy(result, spec, query, temperature=spec.temperature)
    occ = state.equilibrium.occupancy  # [n], special tokens dropped
    eps = state.energies  # [n], kT above the best locus (+inf when closed)
    open_loci = np.flatnonzero(~state.closed)
    if relevance.query < 0 or open_loci.size < MIN_LOCI:
        return None
    ranked = open_loci[np.argsort(-occ[open_loci], kind="stable")]
    top, runner_up = int(ranked[0]), int(ranked[1])
    if occ[top] - occ[runner_up] < TOP_MARGIN:
        return None  # a near tie: no locus is clearly the answer
    picks = list(dict.fromkeys([top, runner_up, int(ranked[len(ranked) // 2]), int(ranked[-1])]))
    T = spec.temperature
    pos = relevance.positions
    top_name = _token(result, pos[top])
    options = []
    for j in picks:
        name = _token(result, pos[j])
        if j == top:
            fb = (
                f"Right: {name} has the lowest binding energy (ε = 0 kT, the reference), so the "
                f"TF sits there {occ[j]:.1%} of the time; the runner-up "
                f"{_token(result, pos[runner_up])} gets {occ[runner_up]:.1%}."
            )
        else:
            fb = (
                f"{name} sits {eps[j]:.2f} kT above the best locus, so its Boltzmann weight is "
                f"exp(-{eps[j]:.2f}/{T:g}) = {np.exp(-eps[j] / T):.2f} of the top one: occupancy "
                f"{occ[j]:.1%}, against {occ[top]:.1%} on {top_name}."
            )
        options.append(LiveOption(f"t{pos[j]}", name, j == top, fb))
    text = (
        f"{_intro(result, spec, pos[relevance.query])}the question works at token level (each "
        f"word piece is its own locus, and special tokens are set aside). One TF molecule sent "
        f"by the query token "
        f"{_token(result, pos[relevance.query])} (species: {_head_text(spec.head)}) binds with "
        f"energies taken from {_where(result, spec)}, at kT = {T:g}. Which locus does it occupy "
        "most at equilibrium?"
    )
    return _question(
        spec,
        result,
        topic="mech-softmax",
        text=text,
        options=options,
        explanation=f"Computed from {result.model_name} on your prompt.",
    )


def _entropy_bits(p: np.ndarray) -> float:
    return float(row_entropy_bits(p))


def evenness_target(spec: LiveSpec) -> float:
    """The temperature the evenness question moves to: double or half of the spec's, chosen
    from the question id so it varies between questions (and stays inside the slider)."""
    T = spec.temperature
    warmer = int(spec.question_id[len(LIVE_PREFIX) :].split("-")[0], 16) % 2 == 0
    if warmer and 2 * T > MAX_TEMPERATURE:
        warmer = False
    if not warmer and T / 2 < MIN_TEMPERATURE:
        warmer = True
    return 2 * T if warmer else T / 2


def temperature_evenness(result: AttentionResult, spec: LiveSpec) -> LiveQuestion | None:
    """If the temperature doubles (or halves), does occupancy become more or less even?"""
    _check_settings(result, spec)
    T, T2 = spec.temperature, evenness_target(spec)
    if not MIN_TEMPERATURE <= T2 <= MAX_TEMPERATURE:
        return None
    query = _query(result, spec)
    relevance, before = _occupancy(result, spec, query, temperature=T)
    _, after = _occupancy(result, spec, query, temperature=T2)
    if relevance.query < 0 or int((~before.closed).sum()) < MIN_LOCI:
        return None
    p1, p2 = before.equilibrium.occupancy, after.equilibrium.occupancy  # [n] each
    h1, h2 = _entropy_bits(p1), _entropy_bits(p2)
    if abs(h2 - h1) < EVENNESS_MIN_BITS:
        return None  # already (almost) uniform: no change worth asking about
    top = int(np.argmax(p1))
    top_name = _token(result, relevance.positions[top])
    n_open = int((~before.closed).sum())
    facts = (
        f"The occupancy entropy goes from {h1:.2f} to {h2:.2f} bits (at most "
        f"{np.log2(n_open):.2f} bits for {n_open} open loci), and the top locus {top_name} "
        f"goes from {p1[top]:.1%} to {p2[top]:.1%}."
    )
    verdict = "more" if h2 > h1 else "less"
    why = (
        " A larger kT divides every energy gap by more, so the gaps matter less."
        if T2 > T
        else " A smaller kT makes every energy gap count for more, so the best loci win."
    )
    options = [
        LiveOption(
            "more",
            "More even: the TF spreads over more loci",
            verdict == "more",
            ("Right. " if verdict == "more" else "Not here. ") + facts + why,
        ),
        LiveOption(
            "less",
            "Less even: the TF concentrates on its best loci",
            verdict == "less",
            ("Right. " if verdict == "less" else "Not here. ") + facts + why,
        ),
        LiveOption(
            "same",
            "No change: occupancy does not depend on temperature",
            False,
            "Occupancy is exp(-ε/kT) normalised, so kT changes it unless every energy is "
            "equal. " + facts,
        ),
    ]
    change = "doubles" if T2 > T else "halves"
    text = (
        f"{_intro(result, spec, relevance.positions[relevance.query])}the question works at "
        f"token level with special tokens set aside. One TF molecule sent by the query token "
        f"{_token(result, relevance.positions[relevance.query])} "
        f"(species: {_head_text(spec.head)}) uses energies from "
        f"{_where(result, spec)}, now at kT = {T:g}. If the temperature {change} to "
        f"kT = {T2:g}, how does its occupancy over the loci change?"
    )
    return _question(
        spec,
        result,
        topic="mech-temperature",
        text=text,
        options=options,
        explanation=f"Computed from {result.model_name} on your prompt.",
    )


def previous_token_head(result: AttentionResult, spec: LiveSpec) -> LiveQuestion | None:
    """Which head of layer L is a previous-token head? Only when one is and others clearly are not."""
    _check_settings(result, spec)
    if int((~result.special_mask).sum()) < MIN_LOCI:
        return None
    profiles = profile_heads(result, layer=spec.layer)
    previous = [p for p in profiles if p.pattern == "previous-token"]
    if not previous:
        return None
    target = max(previous, key=lambda p: p.scores["previous-token"])
    eligible = [
        p
        for p in profiles
        if p.pattern != "previous-token" and p.scores["previous-token"] < CLEARLY_NOT_PREVIOUS
    ]
    if len(eligible) < 2:
        return None
    rng = random.Random(int(spec.question_id.split("-")[1], 16))
    distractors = sorted(rng.sample(eligible, k=min(3, len(eligible))), key=lambda p: p.head)
    options = []
    for p in sorted([target, *distractors], key=lambda p: p.head):
        share = p.scores["previous-token"]
        fb = (
            f"Head {p.head} gives on average {share:.0%} of a token's attention to the token "
            f"just before it, averaged over the tokens of your text that follow another one "
            f"(a head counts as previous-token at {DOMINANCE:.0%} or more)."
        )
        if p is target:
            fb = "Right. " + fb
        else:
            own = p.scores.get(p.pattern)
            fb += f" Its own pattern is '{p.pattern}'" + (
                f", with {own:.0%} of the mass."
                if own is not None
                else f" (normalised entropy {p.normalised_entropy:.2f})."
            )
        options.append(LiveOption(f"h{p.head}", f"Head {p.head}", p is target, fb))
    text = (
        f"{_intro(result, spec, None)}in layer {spec.layer} of {result.model_name}, which of "
        "these heads is a previous-token head (a TF species whose molecule from each token mostly "
        "binds the neighbouring locus on the side of the earlier token)? Every token of the "
        "prompt counts here, so no query is needed."
    )
    return _question(
        spec,
        result,
        topic="mech-multihead",
        text=text,
        options=options,
        explanation="Head patterns are measured on your prompt's attention.",
    )


def _share(weight: float) -> str:
    """An attention weight as text that never rounds a visible key down to 0."""
    return f"{weight:.1%}" if weight >= 0.001 else f"{weight:.1e}"


def closed_locus(result: AttentionResult, spec: LiveSpec) -> LiveQuestion | None:
    """For decoder models: which keys does the causal mask hide from the query token?"""
    _check_settings(result, spec)
    if result.model_kind != "decoder":
        return None
    query = _query(result, spec)
    relevance = select_relevance(
        result, query=query, layer=spec.layer, head=spec.head, level="token", special="keep"
    )
    hidden = np.flatnonzero(relevance.closed)
    visible = np.flatnonzero(~relevance.closed)
    if hidden.size == 0 or visible.size < 2:
        return None
    weights = relevance.weights  # [n], exactly 0 on hidden keys
    by_weight = visible[np.argsort(-weights[visible], kind="stable")]
    shown_visible = list(dict.fromkeys([relevance.query, int(by_weight[0]), int(by_weight[-1])]))
    shown_hidden = [int(hidden[0]), int(hidden[-1])] if hidden.size > 1 else [int(hidden[0])]
    pos = relevance.positions
    q_name = _token(result, pos[relevance.query])
    options = []
    for j in sorted({*shown_visible, *shown_hidden}):
        name = _token(result, pos[j])
        if j in shown_hidden:
            fb = (
                f"Right: {name} comes after the query {q_name}, so the mask sets its score to "
                "minus infinity before the softmax. Its attention weight is exactly 0 at every "
                "temperature, and the chromatin view draws it as a closed locus."
            )
        else:
            fb = (
                f"Not hidden: {name} is at or before the query, so the mask lets the query see it "
                f"(attention {_share(weights[j])}). A small weight is not a masked one: only keys "
                "after the query are hidden."
            )
        options.append(LiveOption(f"t{pos[j]}", name, j in shown_hidden, fb))
    text = (
        f"{_intro(result, spec, pos[relevance.query])}note that {result.model_name} is a "
        "decoder: its causal mask lets each token see only itself and the tokens before it. "
        f"Which of these keys does the mask hide from the query ({_where(result, spec)})? "
        "Choose every hidden key."
    )
    return _question(
        spec,
        result,
        topic="mech-masks",
        text=text,
        options=options,
        explanation=f"Computed from {result.model_name} on your prompt.",
    )


_BUILDERS = {
    "occupancy-top": occupancy_top,
    "temperature-evenness": temperature_evenness,
    "previous-token-head": previous_token_head,
    "closed-locus": closed_locus,
}


def build_live(spec: LiveSpec, result: AttentionResult) -> LiveQuestion | None:
    """Run the spec's generator on ``result`` (the attention of ``spec.prompt``)."""
    builder = _BUILDERS.get(spec.generator)
    if builder is None:
        raise LiveError(f"Unknown live question type {spec.generator!r}; known: {GENERATORS}")
    if spec.model != result.model_name:
        raise LiveError(
            f"This question was computed with {spec.model}, but the app now runs "
            f"{result.model_name}; switch to that model to restore it"
        )
    return builder(result, spec)


def live_query(result: AttentionResult, *, level: Level, query: int | None) -> int:
    """The token index of the query Explore shows for ``query`` at ``level``: the token itself
    at token level, the word's first piece at word level. A missing or out-of-range query
    falls back to Explore's default query at that level, exactly as the Explore page does."""
    labels, groups = level_groups(result, level=level)
    valid = isinstance(query, int) and not isinstance(query, bool) and 0 <= query < len(groups)
    chosen = int(query) if valid else default_query(labels, special_groups(result, level=level))
    return int(groups[chosen][0])


def _layers_nearest(layer: int, num_layers: int) -> list[int]:
    return sorted(range(num_layers), key=lambda other: (abs(other - layer), other))


def live_questions(
    result: AttentionResult,
    *,
    prompt: str,
    layer: int,
    head: int | str,
    temperature: float,
    query: int | None,
) -> tuple[LiveQuestion, ...]:
    """Every fair live question for the student's prompt and settings (possibly none).

    Settings a generator does not use are normalised in its spec, so the same question
    always gets the same id. The previous-token question looks at the student's layer first,
    then the nearest layers, and records the layer it used.
    """
    layer = min(max(int(layer), 0), result.num_layers - 1)
    if isinstance(head, int) and not 0 <= head < result.num_heads:
        head = "mean"
    temperature = float(min(max(temperature, MIN_TEMPERATURE), MAX_TEMPERATURE))
    base = LiveSpec("occupancy-top", prompt, result.model_name, layer, head, temperature, query)
    base = replace(base, query=_query(result, base))
    out = [
        occupancy_top(result, base),
        temperature_evenness(result, replace(base, generator="temperature-evenness")),
        closed_locus(
            result,
            replace(
                base, generator="closed-locus", temperature=1.0, query=_closed_query(result, base)
            ),
        ),
    ]
    for candidate in _layers_nearest(layer, result.num_layers):
        spec = LiveSpec(
            "previous-token-head", prompt, result.model_name, candidate, "mean", 1.0, None
        )
        made = previous_token_head(result, spec)
        if made is not None:
            out.append(made)
            break
    return tuple(q for q in out if q is not None)


def _closed_query(result: AttentionResult, spec: LiveSpec) -> int:
    """A query with later tokens to hide: the student's one, else the middle real token."""
    real = np.flatnonzero(~result.special_mask)
    q = _query(result, spec)
    if real.size and q >= real.max():
        return int(real[len(real) // 2])
    return q


@dataclass(frozen=True)
class ExploreQuestions:
    """The live questions for the student's Explore settings, and the query they use."""

    questions: tuple[LiveQuestion, ...]
    query: int  # token index of the query
    query_text: str  # the query as a stem names it, e.g. "'capital'"


def questions_for_explore(
    result: AttentionResult,
    *,
    prompt: str,
    level: Level,
    query: int | None,
    layer: int,
    head: int | str,
    temperature: float,
) -> ExploreQuestions:
    """``live_questions`` for the query Explore shows at ``level`` (see ``live_query``)."""
    token = _usable_query(result, live_query(result, level=level, query=query))
    made = live_questions(result, prompt=prompt, layer=layer, head=head,
                          temperature=temperature, query=token)
    return ExploreQuestions(made, token, describe_query(result, token))
