"""From one prompt's attention to the small, frozen view models the pages draw.

The serving path is one pure pipeline: prompt -> attention (``store``) -> view. A view is
a function of its settings alone (layer, head, level, special tokens, temperature, query),
so a view computed for one session serves every session with the same inputs; the pages
only lay them out. Views hold windows and rows, never the [layers, heads, seq, seq] tensor.

The bridge between the two sides is the identity of Shea & Ackers (1985) and Bintu et al.
(2005): an attention row a gives binding energies eps_j = -kT ln a_j, whose Boltzmann
occupancy is a again. Energies come from the row at T = 1 and are evaluated at kT = T, so
one temperature drives both sides (lib/chromatin/from_attention.py). Rollout is Abnar &
Zuidema (2020); head patterns follow Clark et al. (2019).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.attention.context import ContextComparison, compare_contexts, shared_words
from lib.attention.extract import AttentionResult
from lib.attention.heads import HeadProfile, one_head_per_pattern, profile_heads
from lib.attention.relevance import (
    HeadChoice,
    Level,
    Relevance,
    ShownMatrix,
    SpecialMode,
    default_query,
    label_index,
    level_groups,
    select_relevance,
    special_groups,
    view_matrix,
    word_starts,
)
from lib.charts.window import Window, window_around
from lib.chromatin import SpeciesOccupancy, species_occupancy
from lib.chromatin.from_attention import ChromatinState, chromatin_from_attention
from lib.chromatin.scene_model import (
    SCENE_EVENTS,
    SEARCH_SHARE,
    ChromatinScene,
    scene_from_attention,
)

HEATMAP_WINDOW = 24  # rows and columns a heatmap shows around the query
ROW_WINDOW = 40  # keys the bars and the scene show around the query
GRID_WINDOW = 32  # tokens each small heatmap of the Teamwork grid shows


@dataclass(frozen=True)
class PromptFacts:
    """The shape of one analysed prompt, and whether it had to be cut."""

    model_name: str
    model_kind: str
    num_layers: int
    num_heads: int
    seq_len: int
    truncated: bool
    original_chars: int


def facts_of(result: AttentionResult) -> PromptFacts:
    return PromptFacts(result.model_name, result.model_kind, result.num_layers, result.num_heads,
                       result.seq_len, result.truncated, result.original_chars)


@dataclass(frozen=True)
class RowSettings:
    """What one attention row depends on besides the prompt: a hashable cache key."""

    layer: int
    head: HeadChoice
    level: Level = "token"
    special: SpecialMode = "keep"
    temperature: float = 1.0


@dataclass(frozen=True, eq=False)
class QueryRow:
    """One query's attention row at temperature T, and the chromatin state it drives."""

    relevance: Relevance  # the row as shown: tempered, special tokens as asked  [n]
    chromatin: ChromatinState  # energies from the row at T = 1, occupancy at kT = T  [n]

    @property
    def largest_gap(self) -> float:
        """Largest |occupancy - attention|: zero up to rounding, the identity at work."""
        return float(np.abs(self.chromatin.equilibrium.occupancy - self.relevance.weights).max())


def query_row(result: AttentionResult, *, query: int, settings: RowSettings) -> QueryRow:
    """The row of level index ``query`` and its chromatin state (the two sides' one bridge)."""
    options = dict(query=query, layer=settings.layer, head=settings.head, level=settings.level,
                   special=settings.special)
    reference = select_relevance(result, **options)
    shown = select_relevance(result, **options, temperature=settings.temperature)
    chromatin = chromatin_from_attention(reference.weights, temperature=settings.temperature,
                                         reservoir=shown.reservoir, closed=shown.closed)
    return QueryRow(shown, chromatin)


@dataclass(frozen=True, eq=False)
class QueryOptions:
    """Every token (or word) of a prompt that can be the query, and a sensible default."""

    labels: tuple[str, ...]  # [n] at the chosen level
    special: np.ndarray  # bool [n]
    default: int


def query_options(result: AttentionResult, *, level: Level) -> QueryOptions:
    labels, _ = level_groups(result, level=level)
    special = special_groups(result, level=level)
    starts = word_starts(result) if level == "token" else None
    return QueryOptions(tuple(labels), special, default_query(labels, special, starts=starts))


def resolve_query(options: QueryOptions, query: object, *, word: str | None = None) -> int:
    """The option named ``word`` (a link's query), else ``query`` if it is the index of an
    option, else the default. (A widget can hand back a stale value of another type when
    its options change under it: that is not an index.)"""
    named = label_index(options.labels, word)
    if named is not None:
        return named
    valid = isinstance(query, int) and 0 <= query < len(options.labels)
    return int(query) if valid else options.default


@dataclass(frozen=True, eq=False)
class ExploreView:
    """Everything the Explore page draws for one prompt and one set of controls."""

    options: QueryOptions
    query: int  # level index of the query
    row: QueryRow
    row_window: Window  # over the row's keys
    heatmap: ShownMatrix  # rows and columns already windowed around the query
    heatmap_query: int  # index of the query among the heatmap's rows, -1 if hidden
    sink_share: float  # share of the query's row on [CLS]/[SEP] (0 unless they are kept)
    split_words: tuple[tuple[str, tuple[str, ...]], ...]  # words the tokenizer cut in pieces
    model_name: str
    model_kind: str
    num_layers: int
    num_heads: int


def explore_view(result: AttentionResult, *, query: object, word: str | None = None,
                 settings: RowSettings) -> ExploreView:
    """The Explore page for the query index ``query`` (or the word ``word``, from a link)."""
    options = query_options(result, level=settings.level)
    chosen = resolve_query(options, query, word=word)
    row = query_row(result, query=chosen, settings=settings)
    centre = max(row.relevance.query, 0)
    heat = _heatmap_window(result, query=chosen, settings=settings)
    return ExploreView(
        options=options,
        query=chosen,
        row=row,
        row_window=window_around(len(row.relevance.labels), centre, size=ROW_WINDOW),
        heatmap=heat,
        heatmap_query=heat.rows.index(chosen) if chosen in heat.rows else -1,
        sink_share=float(row.relevance.weights[row.relevance.special].sum()),
        split_words=split_words(result),
        model_name=result.model_name,
        model_kind=result.model_kind,
        num_layers=result.num_layers,
        num_heads=result.num_heads,
    )


def split_words(result: AttentionResult) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each word the tokenizer cut into pieces, with its pieces ("neuron": "ne", "uron")."""
    _, groups = level_groups(result, level="word")
    return tuple(("".join(result.tokens[p] for p in members),
                  tuple(result.tokens[p] for p in members))
                 for members in groups if len(members) > 1)


def _heatmap_window(result: AttentionResult, *, query: int, settings: RowSettings) -> ShownMatrix:
    """The heatmap's rows and columns around the query, as the page shows them."""
    total = len(level_groups(result, level=settings.level)[0])
    rows = window_around(total, query, size=HEATMAP_WINDOW)
    full = view_matrix(result, layer=settings.layer, head=settings.head, level=settings.level,
                       temperature=settings.temperature, special=settings.special,
                       queries=range(rows.start, rows.stop))
    keys = np.asarray(full.keys)
    columns = window_around(keys.size, int(np.searchsorted(keys, query)), size=HEATMAP_WINDOW)
    part = columns.as_slice()
    return ShownMatrix(
        matrix=full.matrix[:, part],
        labels=full.labels[part],
        keys=full.keys[part],
        rows=full.rows,
    )


@dataclass(frozen=True, eq=False)
class HeadsView:
    """Every head of one layer profiled as a TF species, with small windowed heatmaps."""

    profiles: tuple[HeadProfile, ...]
    titles: tuple[str, ...]  # "TF 3: previous-token, 2.1 bits"  [heads]
    grid: np.ndarray  # [heads, w, w] token-level matrices in the grid window
    grid_labels: tuple[str, ...]  # [w]
    grid_window: Window
    default_team: tuple[int, ...]  # one head per distinct pattern


def heads_view(result: AttentionResult, *, layer: int) -> HeadsView:
    profiles = profile_heads(result, layer=layer)
    window = window_around(result.seq_len, result.seq_len // 2, size=GRID_WINDOW)
    span = range(window.start, window.stop)
    grid = np.stack([
        view_matrix(result, layer=layer, head=h, queries=span).matrix[:, window.as_slice()]
        for h in range(result.num_heads)
    ])  # [heads, w, w]
    return HeadsView(
        profiles=profiles,
        titles=tuple(f"TF {p.head}: {p.pattern}, {p.entropy_bits:.1f} bits" for p in profiles),
        grid=grid,
        grid_labels=tuple(result.tokens[window.as_slice()]),
        grid_window=window,
        default_team=tuple(one_head_per_pattern(profiles)),
    )


@dataclass(frozen=True, eq=False)
class TeamView:
    """Several heads' rows for one query, each a TF species on the same stretch of DNA."""

    heads: tuple[int, ...]
    labels: tuple[str, ...]  # [n]
    keys: tuple[int, ...]  # [n]
    rows: np.ndarray  # [species, n] attention at T = 1
    species: SpeciesOccupancy  # occupancy at kT = T  [species, n]
    query: int  # index of the query among the labels, -1 if hidden
    window: Window  # over the labels


def team_view(result: AttentionResult, *, query: int, layer: int, heads: tuple[int, ...],
              temperature: float = 1.0, special: SpecialMode = "keep") -> TeamView:
    """One species per head: the Teamwork page and the analogy's teamwork figure."""
    shown = [select_relevance(result, query=query, layer=layer, head=h, special=special)
             for h in heads]
    rows = np.stack([rel.weights for rel in shown])  # [species, n]
    first = shown[0]
    return TeamView(
        heads=tuple(heads),
        labels=first.labels,
        keys=first.keys,
        rows=rows,
        species=species_occupancy(rows, kT=temperature),
        query=first.query,
        window=window_around(len(first.labels), max(first.query, 0), size=ROW_WINDOW),
    )


@dataclass(frozen=True, eq=False)
class ContextView:
    """One word in two prompts: its row in each (the TF it sends), aligned by key text."""

    word: str
    rows: tuple[QueryRow, QueryRow]
    comparison: ContextComparison


def context_words(result_a: AttentionResult, result_b: AttentionResult) -> tuple[str, ...]:
    """Words found in both prompts, in prompt A's order."""
    labels = [level_groups(r, level="word")[0] for r in (result_a, result_b)]
    return tuple(shared_words(*labels))


def context_view(result_a: AttentionResult, result_b: AttentionResult, *, word: str,
                 settings: RowSettings) -> ContextView:
    """The shared ``word``'s rows in both prompts at word level (settings.level is ignored)."""
    word_level = RowSettings(layer=settings.layer, head=settings.head, level="word",
                             special=settings.special, temperature=settings.temperature)
    rows = []
    for result in (result_a, result_b):
        labels = level_groups(result, level="word")[0]
        query = label_index(labels, word)
        rows.append(query_row(result, query=query, settings=word_level))
    a, b = (row.relevance for row in rows)
    return ContextView(word, (rows[0], rows[1]),
                       compare_contexts(a.labels, a.weights, b.labels, b.weights))


def limitation_row(result: AttentionResult, *, layer: int) -> Relevance:
    """The row every limitation demo starts from: the prompt's last word, mean of heads,
    whole words, special tokens dropped (a model's sink would hide the words otherwise)."""
    options = query_options(result, level="word")
    return select_relevance(result, query=options.default,
                            layer=min(layer, result.num_layers - 1), level="word",
                            special="drop")


def species_name(head: HeadChoice) -> str:
    """What one TF species stands for on the chromatin side."""
    if head == "mean":
        return "TF (mean of the heads)"
    if head == "rollout":
        return "TF (rollout)"
    return f"TF species of head {head}"


def row_scene(row: QueryRow, window: Window, *, species: str, seed: int = 0,
              events: int | None = SCENE_EVENTS) -> ChromatinScene:
    """The animated scene of one row in its window: the same energies, evaluated at kT = T.

    Energies come from the row at T = 1; the tooltips' "attention" is the row as the page
    shows it (tempered to T, special tokens as asked), and loci keep the page's numbers.
    In reservoir mode the molecule's unbound share is the special tokens' mass, so its
    equilibrium is the shown attention exactly; otherwise it gets a short search time between
    loci (SEARCH_SHARE), and its share of bound time on each locus is the attention weight.
    """
    part = window.as_slice()
    reference = np.exp(-row.chromatin.energies[part])  # the row at T = 1, up to a constant
    reservoir = row.relevance.reservoir
    return scene_from_attention(
        reference, row.relevance.labels[part], species=(species,),
        closed=row.relevance.closed[part], unbound=reservoir if reservoir > 0 else SEARCH_SHARE,
        kT=row.chromatin.temperature, events=events, seed=seed,
        shown_attention=row.relevance.weights[part], numbers=row.relevance.keys[part])


def explore_scene(result: AttentionResult, *, query: object, word: str | None = None,
                  settings: RowSettings) -> ChromatinScene:
    view = explore_view(result, query=query, word=word, settings=settings)
    return row_scene(view.row, view.row_window, species=species_name(settings.head))


def context_scenes(result_a: AttentionResult, result_b: AttentionResult, *, word: str,
                   settings: RowSettings) -> tuple[ChromatinScene, ChromatinScene]:
    view = context_view(result_a, result_b, word=word, settings=settings)
    scenes = [row_scene(row, window_around(len(row.relevance.labels),
                                           max(row.relevance.query, 0), size=ROW_WINDOW),
                        species=f"the TF '{word}' sends, prompt {name}")
              for row, name in zip(view.rows, ("A", "B"), strict=True)]
    return scenes[0], scenes[1]


def team_scene(result: AttentionResult, *, query: int, layer: int, heads: tuple[int, ...],
               temperature: float = 1.0) -> ChromatinScene:
    """One species per head; energies from the rows at T = 1, evaluated at kT = T, and the
    tooltips' "attention" is each head's row tempered to T, as the slider shows it."""
    team = team_view(result, query=query, layer=layer, heads=heads, temperature=temperature)
    part = team.window.as_slice()
    shown = np.stack([select_relevance(result, query=query, layer=layer, head=h,
                                       temperature=temperature).weights
                      for h in heads])  # [species, n], special tokens kept as in team_view
    return scene_from_attention(team.rows[:, part], team.labels[part],
                                species=tuple(f"TF {h}" for h in heads),
                                unbound=SEARCH_SHARE, kT=temperature, events=SCENE_EVENTS,
                                shown_attention=shown[:, part], numbers=team.keys[part])


@dataclass(frozen=True, eq=False)
class ReceivedView:
    """One word in two prompts as a locus: how much each other word's TF binds it."""

    word: str
    comparison: ContextComparison  # keys = the query words, weights = their attention to word
    mean_received: tuple[float, float]  # average attention the word gets, in A and in B


def received_view(result_a: AttentionResult, result_b: AttentionResult, *, word: str,
                  settings: RowSettings) -> ReceivedView:
    """The shared ``word``'s column in both prompts at word level: its occupancy as a locus,
    by every other word's TF (special tokens as asked by ``settings.special``)."""
    columns = []
    for result in (result_a, result_b):
        matrix = view_matrix(result, layer=settings.layer, head=settings.head, level="word",
                             temperature=settings.temperature, special=settings.special)
        key = label_index(matrix.labels, word)
        rows = [matrix.rows.index(k) for k in matrix.keys if k in matrix.rows]
        queries = [matrix.labels[i] for i, k in enumerate(matrix.keys) if k in matrix.rows]
        columns.append((tuple(queries), matrix.matrix[rows, key]))
    (labels_a, col_a), (labels_b, col_b) = columns
    return ReceivedView(word, compare_contexts(labels_a, col_a, labels_b, col_b),
                        (float(col_a.mean()), float(col_b.mean())))
