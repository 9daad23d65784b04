"""Teaching content (everything but the quiz bank) as validated, frozen data.

The analogy pages, limitation demos, glossary, references, Explore captions and the
pages' own short messages (``ui.yaml``, named templates) live in ``content/*.yaml``. Each
file has a pydantic v2 schema here that rejects unknown fields, so a typo in a key fails
loudly instead of silently hiding a caption; a message template must use exactly the
placeholders its page fills in (``MESSAGE_SAMPLES``, checked by lib/text_templates.py). ``load_all`` never
raises: a broken file becomes a :class:`ContentProblem` (file, what is wrong, what to do)
and every other file still loads, so one bad edit cannot blank the whole app.

The science the derivation content teaches: softmax over logits s_j equals the Boltzmann
occupancy exp(-e_j/kT)/Z of one binding protein over N sites (Shea & Ackers 1985,
J Mol Biol 181:211; Bintu et al. 2005, Curr Opin Genet Dev 15:116), and the reservoir
variant is "softmax +1" (Miller 2023, "Attention Is Off By One").

Quiz topic ids are not defined here: ``content/quiz/topics.yaml`` (the quiz bank's file) is
their single source of truth, and ``load_all`` reports any ``quiz_topic`` it does not list.

Also here: :func:`shared_word_runs`, the check that teaching text does not copy runs of
eight or more words from the essay the app teaches (CONTRIBUTING: teach in our own words).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from lib.text_templates import check_template

# ---------------------------------------------------------------------------------------
# Fixed vocabularies. Pages, the quiz bank and the chromatin demos key on these ids, so
# they are closed lists: a new id needs a code change here AND a page that draws it.
# ---------------------------------------------------------------------------------------

PARALLEL_IDS: tuple[str, ...] = (
    "input",
    "decision",
    "context",
    "teamwork",
    "dynamics",
    "instructions",
)
SECTION_IDS: tuple[str, ...] = (*PARALLEL_IDS, "why_it_works")

# The live figure each analogy section is drawn with.
FIGURE_FOR_SECTION: dict[str, str] = {
    "input": "input_tokens_loci",
    "decision": "decision_row_occupancy",
    "context": "context_two_prompts",
    "teamwork": "teamwork_heads_species",
    "dynamics": "dynamics_recompute",
    "instructions": "instructions_weights_genome",
    "why_it_works": "temperature_boltzmann",
}

ESSAY_LIMITATION_IDS: tuple[str, ...] = ("lim_biological", "lim_instructions", "lim_timescale")
DESIGN_LIMITATION_IDS: tuple[str, ...] = (
    "lim_normalization",
    "lim_concentration",
    "lim_gating",
    "lim_cooperativity",
    "lim_nonequilibrium",
    "lim_stochastic",
    "lim_memory",
    "lim_explanation",
)
LIMITATION_IDS: tuple[str, ...] = (*ESSAY_LIMITATION_IDS, *DESIGN_LIMITATION_IDS)

# Quiz topics are NOT listed here: content/quiz/topics.yaml is the single source of truth.
# load_all reads that file's ids (with plain yaml, so this module stays independent of
# lib.quiz) and reports any quiz_topic in analogy.yaml or limitations.yaml that it lacks.
QUIZ_TOPICS_FILE = "quiz/topics.yaml"  # relative to the content folder

SectionId = Literal[
    "input", "decision", "context", "teamwork", "dynamics", "instructions", "why_it_works"
]
FigureId = Literal[
    "input_tokens_loci",
    "decision_row_occupancy",
    "context_two_prompts",
    "teamwork_heads_species",
    "dynamics_recompute",
    "instructions_weights_genome",
    "temperature_boltzmann",
]
DemoId = Literal[
    "copies_slider",
    "seeds_vs_forward",
    "timescale_log",
    "gating_pioneer",
    "cooperativity_figure",
    "nonequilibrium_figure",
    "memory_figure",
    "attention_not_explanation",
    "concentration_slider",
    "biological_vs_computational",
    "instruction_sources",
]
LimitationId = Literal[
    "lim_biological",
    "lim_instructions",
    "lim_timescale",
    "lim_normalization",
    "lim_concentration",
    "lim_gating",
    "lim_cooperativity",
    "lim_nonequilibrium",
    "lim_stochastic",
    "lim_memory",
    "lim_explanation",
]
QuizTopic = Annotated[str, Field(min_length=1)]  # checked against quiz/topics.yaml in load_all
# Where a mapping row comes from: an essay parallel, or our own extension (DESIGN.md §2).
MappingOrigin = Literal[
    "input", "decision", "context", "teamwork", "dynamics", "instructions", "extension"
]

ALLOWED_FIGURES: frozenset[str] = frozenset(FIGURE_FOR_SECTION.values())
ALLOWED_DEMOS: frozenset[str] = frozenset(DemoId.__args__)  # type: ignore[attr-defined]

# Presets the Explore page must always offer: the essay's own three example prompts.
REQUIRED_PRESETS: tuple[str, ...] = (
    "What's the capital of France?",
    "Tell me about Paris",
    "Paris Hilton news",
)

ANALOGY_FILE = "analogy.yaml"
LIMITATIONS_FILE = "limitations.yaml"
GLOSSARY_FILE = "glossary.yaml"
REFERENCES_FILE = "references.yaml"
EXPLORE_FILE = "explore.yaml"
UI_FILE = "ui.yaml"

# ---------------------------------------------------------------------------------------
# Small text rules. Sentence counting keeps captions short enough to read beside a chart.
# ---------------------------------------------------------------------------------------

# A sentence ends at . ! or ? followed by whitespace or the end; "0.59" and "q·k/√d" do not end one.
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?:\s+|$)")


def count_sentences(text: str) -> int:
    """Number of sentences in plain teaching text (no abbreviations like 'e.g.' expected)."""
    return len([part for part in _SENTENCE_END.split(text.strip()) if part.strip()])


def _sentences_between(text: str, low: int, high: int) -> str:
    n = count_sentences(text)
    if not low <= n <= high:
        raise ValueError(
            f"has {n} sentence(s); write {low}-{high} (avoid abbreviations such as 'e.g.' "
            "that look like sentence ends)"
        )
    return text


NonEmpty = Annotated[str, Field(min_length=1)]


def sentences(low: int, high: int):
    """A non-empty text field of ``low`` to ``high`` sentences."""
    return Annotated[
        str, Field(min_length=1), AfterValidator(lambda text: _sentences_between(text, low, high))
    ]


OneSentence = sentences(1, 1)
RefId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


def _by_id(items, wanted: str, what: str):
    """The item whose ``id`` is ``wanted``; a KeyError that lists the known ids otherwise."""
    for item in items:
        if item.id == wanted:
            return item
    raise KeyError(f"no {what} {wanted!r}; known: {[item.id for item in items]}")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# ---------------------------------------------------------------------------------------
# analogy.yaml
# ---------------------------------------------------------------------------------------


class TryIt(_Frozen):
    """Settings that open the Explore page on this section's point."""

    prompt: NonEmpty
    query: NonEmpty | None = None  # a word of the prompt to use as the query token
    layer: Annotated[int, Field(ge=0)] | None = None  # 0-based
    head: Literal["mean", "rollout"] | Annotated[int, Field(ge=0)] | None = None
    temperature: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _query_in_prompt(self) -> TryIt:
        if self.query is not None and self.query.lower() not in self.prompt.lower():
            raise ValueError(f"query {self.query!r} does not occur in prompt {self.prompt!r}")
        return self


class AnalogySection(_Frozen):
    """One parallel of the essay, told from both sides, with a figure and a quiz topic."""

    id: SectionId
    title: NonEmpty
    cell_side: sentences(2, 4)
    model_side: sentences(2, 4)
    takeaway: OneSentence
    figure: FigureId
    try_it: TryIt
    quiz_topic: QuizTopic
    sources: tuple[RefId, ...] = ()



class MappingRow(_Frozen):
    """One line of the transformer-to-chromatin dictionary (DESIGN.md §2)."""

    transformer: NonEmpty
    chromatin: NonEmpty
    note: NonEmpty
    origin: tuple[MappingOrigin, ...] = Field(min_length=1)
    sources: tuple[RefId, ...] = ()


class DerivationStep(_Frozen):
    """One step of 'softmax is a Boltzmann distribution': words plus a formula for st.latex."""

    text: NonEmpty
    latex: NonEmpty
    sources: tuple[RefId, ...] = ()


class Analogy(_Frozen):
    sections: tuple[AnalogySection, ...]
    mapping: tuple[MappingRow, ...] = Field(min_length=1)
    derivation: tuple[DerivationStep, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_section_once(self) -> Analogy:
        ids = [s.id for s in self.sections]
        _require_unique(ids, "section id")
        missing = [i for i in SECTION_IDS if i not in ids]
        if missing:
            raise ValueError(
                f"missing section(s) {missing}; every one of {list(SECTION_IDS)} is needed"
            )
        return self

    def section(self, section_id: str) -> AnalogySection:
        return _by_id(self.sections, section_id, "analogy section")


# ---------------------------------------------------------------------------------------
# limitations.yaml
# ---------------------------------------------------------------------------------------


class Limitation(_Frozen):
    """One place the analogy breaks, with the interactive demo that shows it breaking."""

    id: LimitationId
    title: NonEmpty
    origin: Literal["essay", "design"]
    claim: sentences(2, 4)
    demo: DemoId
    demo_caption: NonEmpty
    quiz_topic: QuizTopic
    sources: tuple[RefId, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _origin_matches_id(self) -> Limitation:
        expected = "essay" if self.id in ESSAY_LIMITATION_IDS else "design"
        if self.origin != expected:
            raise ValueError(f"{self.id} comes from the {expected}; set origin: {expected}")
        return self


class Timescale(_Frozen):
    """One process for the timescale demo, as a range of durations in seconds."""

    label: NonEmpty
    side: Literal["cell", "model"]
    seconds_low: Annotated[float, Field(gt=0)]
    seconds_high: Annotated[float, Field(gt=0)]
    sources: tuple[RefId, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Timescale:
        if self.seconds_high < self.seconds_low:
            raise ValueError(f"{self.label!r}: seconds_high is below seconds_low; swap them")
        return self


class Limitations(_Frozen):
    limitations: tuple[Limitation, ...]
    timescales: tuple[Timescale, ...] = ()  # measured durations for lim_timescale's demo

    @model_validator(mode="after")
    def _all_present_once(self) -> Limitations:
        _require_unique([x.id for x in self.limitations], "limitation id")
        _require_unique([x.demo for x in self.limitations], "demo")
        ids = {x.id for x in self.limitations}
        missing = [i for i in LIMITATION_IDS if i not in ids]
        if missing:
            raise ValueError(f"missing limitation(s) {missing}")
        return self

    def get(self, limitation_id: str) -> Limitation:
        return _by_id(self.limitations, limitation_id, "limitation")


# ---------------------------------------------------------------------------------------
# glossary.yaml
# ---------------------------------------------------------------------------------------


class GlossaryTerm(_Frozen):
    term: NonEmpty
    field: Literal["model", "cell", "physics"]
    definition: sentences(1, 2)
    aliases: tuple[NonEmpty, ...] = ()



class Glossary(_Frozen):
    terms: tuple[GlossaryTerm, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> Glossary:
        names = [t.term.lower() for t in self.terms]
        names += [a.lower() for t in self.terms for a in t.aliases]
        _require_unique(names, "glossary term or alias")
        return self

    def lookup(self, word: str) -> GlossaryTerm | None:
        """The entry whose term or alias matches ``word`` (case-insensitive), else None."""
        key = word.strip().lower()
        for t in self.terms:
            if t.term.lower() == key or key in (a.lower() for a in t.aliases):
                return t
        return None


# ---------------------------------------------------------------------------------------
# references.yaml
# ---------------------------------------------------------------------------------------


class Reference(_Frozen):
    id: RefId
    authors: NonEmpty
    year: Annotated[int, Field(ge=1800, le=2100)] | None = None  # None: undated web page
    title: NonEmpty
    venue: NonEmpty
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    note: NonEmpty | None = None  # what the app uses this source for

    def citation(self) -> str:
        """A one-line human citation, e.g. for a caption or the references page."""
        year = f" ({self.year})" if self.year is not None else ""
        return f"{self.authors}{year}. {self.title}. {self.venue}."


class References(_Frozen):
    references: tuple[Reference, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> References:
        _require_unique([r.id for r in self.references], "reference id")
        return self

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.references)

    def get(self, ref_id: str) -> Reference:
        return _by_id(self.references, ref_id, "reference")


# ---------------------------------------------------------------------------------------
# explore.yaml
# ---------------------------------------------------------------------------------------


class ExploreCaptions(_Frozen):
    """One short sentence under each Explore view (keyed by the essay parallel it shows)."""

    heatmap: NonEmpty  # input
    relevance_bars: NonEmpty  # decision
    scene: NonEmpty  # decision
    context: NonEmpty
    teamwork: NonEmpty
    dynamics: NonEmpty  # rerun / new prompt
    weights: NonEmpty  # instructions
    reservoir: NonEmpty
    closed_chromatin: NonEmpty
    temperature: NonEmpty
    rollout: NonEmpty
    team_combined: NonEmpty  # teamwork: the species' mean occupancy is the heads' mean attention

    @field_validator("*")
    @classmethod
    def _one(cls, text: str) -> str:
        return _sentences_between(text, 1, 1)


class Preset(_Frozen):
    prompt: NonEmpty
    why: OneSentence  # one line: why try this prompt
    query: NonEmpty | None = None


class ControlHelp(_Frozen):
    """Tooltip text (st.* help=) for each Explore control."""

    prompt: NonEmpty
    query_token: NonEmpty
    layer: NonEmpty
    head: NonEmpty
    head_mode: NonEmpty  # mean over heads vs attention rollout
    temperature: NonEmpty
    special_tokens: NonEmpty  # keep / drop / reservoir
    token_view: NonEmpty  # word vs token view
    model_id: NonEmpty
    presets: NonEmpty  # the example prompt pills
    context_a: NonEmpty  # Context page: the first prompt
    context_b: NonEmpty  # Context page: the second prompt
    shared_word: NonEmpty  # Context page: the word compared across both prompts
    team_heads: NonEmpty  # Teamwork page: heads to bind together

    @field_validator("*")
    @classmethod
    def _short(cls, text: str) -> str:
        return _sentences_between(text, 1, 3)


class ExploreText(_Frozen):
    captions: ExploreCaptions
    presets: tuple[Preset, ...] = Field(min_length=len(REQUIRED_PRESETS))
    help: ControlHelp

    @model_validator(mode="after")
    def _essay_presets(self) -> ExploreText:
        prompts = [p.prompt for p in self.presets]
        _require_unique(prompts, "preset prompt")
        missing = [p for p in REQUIRED_PRESETS if p not in prompts]
        if missing:
            raise ValueError(f"presets must include the essay's examples; missing {missing}")
        return self


# ---------------------------------------------------------------------------------------
# ui.yaml: the short messages pages show (captions, notes, hints), as named templates
# ---------------------------------------------------------------------------------------

# Every message a page formats, with one sample value per placeholder the page passes
# (the value's type matters: it checks the template's format specs). A page passes exactly
# these names, so a template must use exactly them; UiText rejects any other set.
MESSAGE_SAMPLES: dict[str, dict[str, Any]] = {
    # shared Explore glue (ui/)
    "loading_model": {"model_id": "all-MiniLM-L6-v2"},
    "running_model": {},
    "switching_model": {"model_id": "gpt2"},
    "switch_failed": {"error": "The model could not be loaded."},
    "bundled_model": {},
    "truncated_prompt": {"chars": 25_000, "tokens": 512},
    "link_not_a_number": {"setting": "layer", "value": "two"},
    # Explore, Context, Teamwork
    "window_partial": {"shown": 41, "total": 120},
    "numbers_source": {
        "model": "all-MiniLM-L6-v2",
        "kind": "encoder",
        "layers": 6,
        "heads": 12,
        "temperature": 1.0,
        "gap": 1.2e-16,
    },
    "no_shared_word": {},
    "no_heads": {},
    # Learn pages (ui/learn.py)
    "no_model": {},
    "figure_failed": {"what": "Input", "error": "division by zero"},
    "try_it_help": {"prompt": "Tell me about Paris"},
    "quiz_link_help": {"topic": "analogy-input"},
    "quiz_unavailable": {"topic": "analogy-input"},
    # The analogy page
    "analogy_intro": {},
    "input_share": {"layer": 2, "top": "'Paris' 40%, 'about' 20%"},
    "decision_gap": {"gap": 1.2e-16},
    "context_distance": {"tv": 0.42},
    "teamwork_heads": {},
    "dynamics_word_missing": {"word": "Paris"},
    "dynamics_recomputed": {"tv": 0.12},
    "instructions_layers": {},
    "entropy_help": {},
    # The limitations page
    "limitations_intro": {},
    "limits_prompt_help": {"layer": 2},
    "limits_query": {"word": "enhancer", "loci": 14},
    "biology_help": {},
    "too_few_loci": {"loci": 2},
    "copies_help": {"loci": 14},
    "all_closed": {},
    "closed_every_third": {"closed": 4},
    # Explore: what only the cell can do (lib/learn/cell_only.py)
    "cell_only_intro": {},
    "cell_one_molecule": {},
    "cell_copies": {},
    "cell_pioneer": {"penalty": 3.0},
    "cell_convergence": {},
    "seed_one_run_help": {},
    "scene_unbound_share": {"share": 0.05},
    "seed_help": {},
    "ablation_summary": {
        "sink": 3,
        "sink_share": 0.81,
        "sink_change": 0.0012,
        "most": 7,
        "most_change": 0.0345,
    },
}


class UiText(_Frozen):
    """The pages' own short messages: ``messages`` maps each name in MESSAGE_SAMPLES to a
    template whose placeholders are exactly the names the page passes."""

    messages: dict[str, NonEmpty]

    @field_validator("messages")
    @classmethod
    def _exact_templates(cls, messages: dict[str, str]) -> dict[str, str]:
        missing = sorted(set(MESSAGE_SAMPLES) - set(messages))
        unknown = sorted(set(messages) - set(MESSAGE_SAMPLES))
        if missing or unknown:
            raise ValueError(
                f"missing message(s) {missing}, unknown message(s) {unknown}; the names a page "
                "uses are the keys of MESSAGE_SAMPLES in lib/content.py"
            )
        for name, template in messages.items():
            check_template(name, template, MESSAGE_SAMPLES[name])
        return messages

    def format(self, name: str, **values: Any) -> str:
        """The message ``name`` filled in with ``values`` (KeyError for an unknown name)."""
        return self.messages[name].format(**values)


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


class ContentError(ValueError):
    """A content file could not be used; the message names the file, the fault and the fix."""

    def __init__(self, file: str, what: str, fix: str) -> None:
        super().__init__(f"{file}: {what} To fix: {fix}")
        self.file = file
        self.what = what
        self.fix = fix


@dataclass(frozen=True)
class ContentProblem:
    file: str  # file name, e.g. 'glossary.yaml'
    what: str  # what is wrong
    fix: str  # what to do about it

    def __str__(self) -> str:
        return f"{self.file}: {self.what} To fix: {self.fix}"


@dataclass(frozen=True)
class ContentLoad:
    """Everything ``load_all`` could read. A None field means that file failed (see problems)."""

    analogy: Analogy | None
    limitations: Limitations | None
    glossary: Glossary | None
    references: References | None
    explore: ExploreText | None
    ui: UiText | None
    problems: tuple[ContentProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


_M = TypeVar("_M", bound=BaseModel)


def _require_unique(values: Iterable[str], what: str) -> None:
    dupes = sorted(v for v, count in Counter(values).items() if count > 1)
    if dupes:
        raise ValueError(f"duplicate {what}(s): {dupes}; each must appear once")


def _read_yaml(path: Path) -> Any:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ContentError(
            name, f"the file does not exist at {path}.", f"restore {name} into {path.parent}/."
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(
            name, f"the file cannot be read ({exc}).", "save it as UTF-8 text."
        ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" near line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(
            name,
            f"is not valid YAML{where}: {problem}.",
            "fix the indentation or quoting there (quote text containing ': ' or '#').",
        ) from exc


def _describe(exc: ValidationError, limit: int = 5) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - limit
    if more > 0:
        parts.append(f"... and {more} more")
    return "; ".join(parts)


def _load_model(path: str | Path, model: type[_M]) -> _M:
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(
            path.name,
            f"the top level is {type(data).__name__}, not a mapping of keys.",
            f"start the file with the keys of {model.__name__}: {list(model.model_fields)}.",
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ContentError(
            path.name,
            f"does not match the {model.__name__} schema: {_describe(exc)}.",
            "edit the fields named above; allowed ids and field names are in lib/content.py.",
        ) from exc


def load_analogy(path: str | Path) -> Analogy:
    return _load_model(path, Analogy)


def load_limitations(path: str | Path) -> Limitations:
    return _load_model(path, Limitations)


def load_glossary(path: str | Path) -> Glossary:
    return _load_model(path, Glossary)


def load_references(path: str | Path) -> References:
    return _load_model(path, References)


def load_explore_text(path: str | Path) -> ExploreText:
    return _load_model(path, ExploreText)


def load_ui_text(path: str | Path) -> UiText:
    return _load_model(path, UiText)


def load_quiz_topic_ids(path: str | Path) -> frozenset[str]:
    """The topic ids of the quiz bank's ``topics.yaml``: the only valid ``quiz_topic`` values.

    Read with plain yaml rather than through lib.quiz, so the two packages stay independent.
    """
    path = Path(path)
    data = _read_yaml(path)
    topics = data.get("topics") if isinstance(data, dict) else None
    ids = [t.get("id") for t in topics if isinstance(t, dict)] if isinstance(topics, list) else []
    if not ids or not all(isinstance(i, str) and i for i in ids):
        raise ContentError(
            QUIZ_TOPICS_FILE,
            "has no list of topics, each with a text `id`.",
            "restore the `topics:` list in content/quiz/topics.yaml (owned by the quiz bank).",
        )
    return frozenset(ids)


def _topic_problems(
    files: dict[str, BaseModel | None], topic_ids: frozenset[str]
) -> list[ContentProblem]:
    problems = []
    for file, model in files.items():
        items = ()
        if isinstance(model, Analogy):
            items = model.sections
        elif isinstance(model, Limitations):
            items = model.limitations
        unknown = sorted({item.quiz_topic for item in items} - topic_ids)
        if unknown:
            problems.append(
                ContentProblem(
                    file,
                    f"names quiz_topic(s) {unknown} that are not topic ids in {QUIZ_TOPICS_FILE}.",
                    f"use one of the ids in content/{QUIZ_TOPICS_FILE}, e.g. "
                    f"{sorted(topic_ids)[:3]}.",
                )
            )
    return problems


def _cited_ids(model: BaseModel) -> Iterator[str]:
    """Every id in a ``sources`` field anywhere inside a loaded content model."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name == "sources":
            yield from value
        elif isinstance(value, BaseModel):
            yield from _cited_ids(value)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, BaseModel):
                    yield from _cited_ids(item)


def _source_problems(files: dict[str, BaseModel | None], refs: References) -> list[ContentProblem]:
    problems = []
    for file, model in files.items():
        if model is None:
            continue
        unknown = sorted(set(_cited_ids(model)) - refs.ids)
        if unknown:
            problems.append(
                ContentProblem(
                    file,
                    f"cites source id(s) {unknown} that are not in {REFERENCES_FILE}.",
                    f"add those references to {REFERENCES_FILE} or correct the ids.",
                )
            )
    return problems


def load_all(folder: str | Path) -> ContentLoad:
    """Load every teaching file in ``folder``; never raises, reports problems instead."""
    folder = Path(folder)
    problems: list[ContentProblem] = []

    def attempt(loader: Any, file: str) -> Any:
        try:
            return loader(folder / file)
        except ContentError as exc:
            problems.append(ContentProblem(exc.file, exc.what, exc.fix))
        except Exception as exc:  # noqa: BLE001 - the app must still start; report instead
            problems.append(
                ContentProblem(
                    file, f"failed to load ({type(exc).__name__}: {exc}).", "report this bug."
                )
            )
        return None

    analogy = attempt(load_analogy, ANALOGY_FILE)
    limitations = attempt(load_limitations, LIMITATIONS_FILE)
    glossary = attempt(load_glossary, GLOSSARY_FILE)
    references = attempt(load_references, REFERENCES_FILE)
    explore = attempt(load_explore_text, EXPLORE_FILE)
    ui = attempt(load_ui_text, UI_FILE)

    citing = {ANALOGY_FILE: analogy, LIMITATIONS_FILE: limitations}
    if references is not None:
        problems.extend(_source_problems(citing, references))
    elif any(m is not None for m in citing.values()):
        problems.append(
            ContentProblem(
                REFERENCES_FILE,
                "is unavailable, so source ids in the other files were not checked.",
                f"fix {REFERENCES_FILE} first; its own problem is listed above.",
            )
        )
    try:
        topic_ids = load_quiz_topic_ids(folder / QUIZ_TOPICS_FILE)
    except ContentError as exc:
        problems.append(
            ContentProblem(QUIZ_TOPICS_FILE, f"{exc.what} Quiz topics were not checked.", exc.fix)
        )
    else:
        problems.extend(_topic_problems(citing, topic_ids))
    return ContentLoad(
        analogy, limitations, glossary, references, explore, ui, tuple(problems)
    )


# ---------------------------------------------------------------------------------------
# Copy check: no run of n words shared with the source essay.
# ---------------------------------------------------------------------------------------


def normalise_words(text: str) -> list[str]:
    """Lower-case words with punctuation removed ('What’s' -> 'whats'), for overlap checks."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"['’‘`]", "", text)  # contractions: keep one word
    return re.findall(r"[^\W_]+", text)


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def shared_word_runs(text: str, source: str, *, n: int = 8) -> tuple[str, ...]:
    """Every run of ``n`` consecutive words that ``text`` shares with ``source``."""
    shared = _ngrams(normalise_words(text), n) & _ngrams(normalise_words(source), n)
    return tuple(sorted(" ".join(g) for g in shared))


def iter_strings(data: Any) -> Iterator[str]:
    """Every string inside nested YAML data (dict values and list items; keys skipped)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from iter_strings(value)
    elif isinstance(data, (list, tuple)):
        for item in data:
            yield from iter_strings(item)
