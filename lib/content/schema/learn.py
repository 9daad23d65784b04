"""Schemas of the Learn and Explore text: analogy.yaml, limitations.yaml, glossary.yaml,
references.yaml and explore.yaml.

Ids live in the YAML, not in code. Each file is the one source of its own ids (section ids in
analogy.yaml, limitation and demo ids in limitations.yaml); the schemas check they are unique
and that ids one file uses inside itself resolve (a mapping row's ``origin`` names a section).
Ids that point elsewhere are checked by the loader (``quiz_topic`` against quiz/topics.yaml,
``sources`` against references.yaml), and the figure and demo ids against the functions that
draw them by the Learn page tests.

The science the derivation teaches: softmax over logits s_j equals the Boltzmann occupancy
exp(-e_j/kT)/Z of one binding protein over N sites (Shea & Ackers 1985, J Mol Biol 181:211;
Bintu et al. 2005, Curr Opin Genet Dev 15:116), and the reservoir variant is "softmax +1"
(Miller 2023, "Attention Is Off By One").
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from lib.content.schema.base import (
    Frozen,
    NonEmpty,
    OneSentence,
    RefId,
    Sources,
    by_id,
    require_unique,
    sentences,
    sentences_between,
)

# A lower-case slug: the form of every id a page or a link keys on.
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
TopicRef = Annotated[str, Field(min_length=1)]  # a quiz topic id; the loader checks it exists
EXTENSION = "extension"  # a mapping row that is our own addition, not one of the essay's parallels

# Presets the Explore page must always offer: the essay's own three example prompts.
REQUIRED_PRESETS: tuple[str, ...] = (
    "What's the capital of France?",
    "Tell me about Paris",
    "Paris Hilton news",
)


# ---------------------------------------------------------------------------------------
# analogy.yaml
# ---------------------------------------------------------------------------------------


class TryIt(Frozen):
    """Settings that open the Explore page on this section's point."""

    prompt: NonEmpty
    query: NonEmpty | None = None  # a word of the prompt to use as the query token
    layer: Annotated[int, Field(ge=0)] | None = None  # 0-based
    head: Literal["mean", "rollout"] | Annotated[int, Field(ge=0)] | None = None
    temperature: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _query_in_prompt(self) -> TryIt:
        if self.query is not None and self.query.lower() not in self.prompt.lower():
            raise ValueError(f"Query {self.query!r} does not occur in prompt {self.prompt!r}")
        return self


class AnalogySection(Frozen):
    """One parallel of the essay, told from both sides, with a figure and a quiz topic."""

    id: Slug
    title: NonEmpty
    cell_side: sentences(2, 5)
    model_side: sentences(2, 5)
    takeaway: OneSentence
    figure: Slug  # the live figure the page draws for this section
    try_it: TryIt
    quiz_topic: TopicRef
    sources: Sources


class MappingRow(Frozen):
    """One line of the transformer-to-chromatin dictionary."""

    transformer: NonEmpty
    chromatin: NonEmpty
    note: NonEmpty
    origin: tuple[Slug, ...] = Field(min_length=1)  # section ids, or "extension"
    sources: Sources


class DerivationStep(Frozen):
    """One step of 'softmax is a Boltzmann distribution': words plus a formula for st.latex."""

    text: NonEmpty
    latex: NonEmpty
    sources: Sources


class Analogy(Frozen):
    sections: tuple[AnalogySection, ...] = Field(min_length=1)
    mapping: tuple[MappingRow, ...] = Field(min_length=1)
    derivation: tuple[DerivationStep, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_resolve(self) -> Analogy:
        require_unique(self.section_ids, "section id")
        require_unique([s.figure for s in self.sections], "figure")
        known = {*self.section_ids, EXTENSION}
        unknown = sorted({o for row in self.mapping for o in row.origin} - known)
        if unknown:
            raise ValueError(
                f"Mapping origin(s) {unknown} name no section; use a section id or {EXTENSION!r}"
            )
        return self

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    @property
    def figure_ids(self) -> tuple[str, ...]:
        return tuple(s.figure for s in self.sections)

    def section(self, section_id: str) -> AnalogySection:
        return by_id(self.sections, section_id, "analogy section")


# ---------------------------------------------------------------------------------------
# limitations.yaml
# ---------------------------------------------------------------------------------------


class Limitation(Frozen):
    """One place the analogy breaks, with the interactive demo that shows it breaking."""

    id: Slug
    title: NonEmpty
    origin: Literal["essay", "added"]  # the essay's own limitation, or one the app adds
    claim: sentences(2, 5)
    demo: Slug  # the interactive demonstration the page draws
    demo_caption: NonEmpty
    quiz_topic: TopicRef
    sources: Sources


class Timescale(Frozen):
    """One process for the timescale demo, as a range of durations in seconds."""

    label: NonEmpty
    side: Literal["cell", "model"]
    seconds_low: Annotated[float, Field(gt=0)]
    seconds_high: Annotated[float, Field(gt=0)]
    sources: Sources

    @model_validator(mode="after")
    def _ordered(self) -> Timescale:
        if self.seconds_high < self.seconds_low:
            raise ValueError(f"{self.label!r}: seconds_high is below seconds_low; swap them")
        return self


class Limitations(Frozen):
    limitations: tuple[Limitation, ...] = Field(min_length=1)
    timescales: tuple[Timescale, ...] = ()  # measured durations for the timescale demo

    @model_validator(mode="after")
    def _unique(self) -> Limitations:
        require_unique(self.ids, "limitation id")
        require_unique(self.demo_ids, "demo")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(x.id for x in self.limitations)

    @property
    def demo_ids(self) -> tuple[str, ...]:
        return tuple(x.demo for x in self.limitations)

    def from_origin(self, origin: str) -> tuple[Limitation, ...]:
        """The limitations the essay raises ("essay") or the app adds ("added"), in order."""
        return tuple(x for x in self.limitations if x.origin == origin)

    def get(self, limitation_id: str) -> Limitation:
        return by_id(self.limitations, limitation_id, "limitation")


# ---------------------------------------------------------------------------------------
# glossary.yaml
# ---------------------------------------------------------------------------------------


class GlossaryTerm(Frozen):
    term: NonEmpty
    field: Literal["model", "cell", "physics"]
    definition: sentences(1, 2)
    aliases: tuple[NonEmpty, ...] = ()
    sources: Sources


class Glossary(Frozen):
    terms: tuple[GlossaryTerm, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> Glossary:
        names = [t.term.lower() for t in self.terms]
        names += [a.lower() for t in self.terms for a in t.aliases]
        require_unique(names, "glossary term or alias")
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


class Reference(Frozen):
    id: RefId
    authors: NonEmpty
    year: Annotated[int, Field(ge=1800, le=2100)] | None = None  # None: undated web page
    title: NonEmpty
    venue: NonEmpty
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    note: NonEmpty | None = None  # what the app uses this source for
    cite_as: NonEmpty | None = None  # short form when the authors are not people's names

    def citation(self) -> str:
        """A one-line human citation, e.g. for a caption or the references page."""
        year = f" ({self.year})" if self.year is not None else ""
        return f"{self.authors}{year}. {self.title}. {self.venue}."

    def short(self) -> str:
        """An in-text citation: "Miller 2023", "Shea & Ackers 1985", "Chen et al. 2014"."""
        if self.cite_as is not None:
            return self.cite_as
        surnames = [_surname(name) for name in self.authors.split(", ")]
        if len(surnames) == 1:
            who = surnames[0]
        elif len(surnames) == 2:
            who = f"{surnames[0]} & {surnames[1]}"
        else:
            who = f"{surnames[0]} et al."
        return who if self.year is None else f"{who} {self.year}"


def _surname(name: str) -> str:
    """ "van der Walt S" -> "van der Walt": drop the trailing initials of a Vancouver-style name."""
    head, _, initials = name.rpartition(" ")
    return head if head and initials.isupper() and initials.isalpha() else name


class References(Frozen):
    references: tuple[Reference, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> References:
        require_unique([r.id for r in self.references], "reference id")
        return self

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.references)

    def get(self, ref_id: str) -> Reference:
        return by_id(self.references, ref_id, "reference")

    def short(self, ref_id: str) -> str:
        """The in-text citation of ``ref_id``, or the id itself if it is not listed."""
        known = {r.id: r for r in self.references}
        return known[ref_id].short() if ref_id in known else ref_id


# ---------------------------------------------------------------------------------------
# explore.yaml
# ---------------------------------------------------------------------------------------


class ExploreCaptions(Frozen):
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
    team_combined: NonEmpty  # teamwork: the heads' mean attention, a display view

    @field_validator("*")
    @classmethod
    def _one(cls, text: str) -> str:
        return sentences_between(text, 1, 1)


class Preset(Frozen):
    prompt: NonEmpty
    why: OneSentence  # one line: why try this prompt
    query: NonEmpty | None = None


class ControlHelp(Frozen):
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
        return sentences_between(text, 1, 3)


class ExploreText(Frozen):
    captions: ExploreCaptions
    presets: tuple[Preset, ...] = Field(min_length=len(REQUIRED_PRESETS))
    help: ControlHelp

    @model_validator(mode="after")
    def _essay_presets(self) -> ExploreText:
        prompts = [p.prompt for p in self.presets]
        require_unique(prompts, "preset prompt")
        missing = [p for p in REQUIRED_PRESETS if p not in prompts]
        if missing:
            raise ValueError(f"Presets must include the essay's examples; missing {missing}")
        return self
