"""The analogy, parallel by parallel: both sides in words, a live figure from the real model
and the chromatin model, a link into Explore and a quiz link; then the mapping and the maths."""

import numpy as np
import streamlit as st

from lib.attention.context import compare_contexts
from lib.attention.heads import profile_heads
from lib.attention.relevance import level_groups, select_relevance
from lib.charts import attention as attention_charts
from lib.charts import learn as learn_charts
from lib.charts import scene as scene_charts
from lib.chromatin import binding_energies, equilibrium_occupancy, species_occupancy
from lib.chromatin.from_attention import chromatin_from_attention
from lib.learn import figures
from pages import _common as ui
from pages import _learn as learn
from pages._site import require_entry

require_entry()

DEFAULT_LAYER = 2  # a middle layer: past the positional patterns of layer 0, before the last


def _layer(section) -> int:
    return section.try_it.layer if section.try_it.layer is not None else DEFAULT_LAYER


def _row(result, section, *, level="token", word=None):
    labels, _ = level_groups(result, level=level)
    query = figures.find_label(labels, word or section.try_it.query, fallback=len(labels) - 2)
    head = section.try_it.head if section.try_it.head is not None else "mean"
    # [CLS]/[SEP] soak up most attention in this model (a sink); drop them and renormalise so
    # the words are visible. Explore can show that mass as an unbound reservoir instead.
    return select_relevance(
        result, query=query, layer=_layer(section), head=head, level=level, special="drop"
    )


def fig_input(section) -> None:
    result = learn.attention(section.try_it.prompt)
    if result is None:
        return
    share = figures.received_share(result, layer=_layer(section))
    energies = binding_energies(share.share)
    occupancy = equilibrium_occupancy(energies).occupancy
    st.altair_chart(
        scene_charts.chromatin_scene(
            list(share.labels),
            share.share,
            occupancy,
            energies,
            title="Each token of the prompt is one locus on the strand",
        ),
        alt=scene_charts.scene_description(list(share.labels), occupancy),
    )
    top = np.argsort(share.share)[::-1][:3]
    st.caption(
        f"Glyph size: the share of all attention (layer {_layer(section)}, mean of heads) "
        "that each token receives. Most goes to a few: "
        + ", ".join(f"'{share.labels[i]}' {share.share[i]:.0%}" for i in top)
        + "."
    )


def fig_decision(section) -> None:
    result = learn.attention(section.try_it.prompt)
    if result is None:
        return
    rel = _row(result, section)
    chromatin = chromatin_from_attention(rel.weights)
    st.altair_chart(
        scene_charts.attention_vs_occupancy_bars(
            list(rel.labels),
            rel.weights,
            chromatin.equilibrium.occupancy,
            title=f"Attention of '{rel.labels[rel.query]}' beside the TF occupancy it implies",
        ),
        alt=scene_charts.bars_description(
            list(rel.labels), rel.weights, chromatin.equilibrium.occupancy
        ),
    )
    gap = np.abs(rel.weights - chromatin.equilibrium.occupancy).max()
    st.caption(
        f"Energies ε = −ln a drive the chromatin side; the largest difference between "
        f"the two bar sets is {gap:.1e}. [CLS] and [SEP] are left out and the row "
        "renormalised; Explore can show their share as an unbound reservoir."
    )


def fig_context(section) -> None:
    prompts = (str(ui.DEFAULTS["context_a"]), section.try_it.prompt)
    results = [learn.attention(p) for p in prompts]
    if any(r is None for r in results):
        return
    rows = [_row(r, section, level="word") for r in results]
    comparison = compare_contexts(rows[0].labels, rows[0].weights, rows[1].labels, rows[1].weights)
    st.altair_chart(
        attention_charts.context_bars(
            comparison.keys,
            comparison.weights_a,
            comparison.weights_b,
            name_a=prompts[0],
            name_b=prompts[1],
        ),
        alt=f"Attention of '{section.try_it.query}' in two prompts, aligned by word.",
    )
    st.caption(
        f"Same word, two contexts: total-variation distance {comparison.tv_distance:.2f} "
        "(0 = the same row, 1 = nothing in common)."
    )


def fig_teamwork(section) -> None:
    result = learn.attention(section.try_it.prompt)
    if result is None:
        return
    layer = _layer(section)
    profiles = profile_heads(result, layer=layer)
    distinct = list(dict.fromkeys(p.pattern for p in profiles))
    heads = [next(p.head for p in profiles if p.pattern == pat) for pat in distinct][:3]
    labels, _ = level_groups(result, level="token")
    query = figures.find_label(labels, section.try_it.query, fallback=len(labels) - 2)
    shown = [
        select_relevance(result, query=query, layer=layer, head=h, special="drop") for h in heads
    ]
    labels = list(shown[0].labels)
    rows = np.stack([rel.weights for rel in shown])  # [species, n]
    team = species_occupancy(rows)
    names = [f"head {h}: {profiles[h].pattern}" for h in heads]
    st.altair_chart(
        scene_charts.chromatin_scene(
            labels,
            rows,
            team.occupancy,
            team.energies,
            species=names,
            title=f"Three heads of layer {layer} as three TF species",
        ),
        alt=scene_charts.scene_description(labels, team.occupancy, species=names),
    )
    st.caption("Each head has its own binding preferences; the layer combines them all.")


def fig_dynamics(section) -> None:
    word = section.try_it.query
    edited = st.text_input(
        f"Edit the prompt (keep the word '{word}') to recompute everything",
        key="an_dynamics",
        value=f"{section.try_it.prompt} in the spring",
        max_chars=300,
    )
    results = [learn.attention(p) for p in (section.try_it.prompt, edited)]
    if any(r is None for r in results):
        return
    labels = [level_groups(r, level="word")[0] for r in results]
    if word.casefold() not in [w.casefold() for w in labels[1]]:
        st.info(f"The edited prompt no longer contains '{word}'; put it back to compare.")
        return
    rows = [_row(r, section, level="word") for r in results]
    comparison = compare_contexts(rows[0].labels, rows[0].weights, rows[1].labels, rows[1].weights)
    st.altair_chart(
        attention_charts.context_bars(
            comparison.keys,
            comparison.weights_a,
            comparison.weights_b,
            name_a="before the edit",
            name_b="after the edit",
        ),
        alt=f"The row of '{word}' before and after editing the prompt.",
    )
    st.caption(
        f"Nothing is carried over: the row is recomputed from scratch "
        f"(changed by {comparison.tv_distance:.2f} in total variation)."
    )


def fig_instructions(section) -> None:
    result = learn.attention(section.try_it.prompt)
    if result is None:
        return
    labels, _ = level_groups(result, level="token")
    query = figures.find_label(labels, section.try_it.query, fallback=len(labels) - 2)
    keys, rows = figures.rows_across_layers(result, query=query, special="drop")
    st.altair_chart(
        learn_charts.layer_rows_heatmap(
            rows, keys, title=f"'{labels[query]}' in every layer: same prompt, different weights"
        ),
        alt=f"Attention of '{labels[query]}' at each of the {len(rows)} layers.",
    )
    st.caption(
        "Each layer applies its own trained query and key weights to the same context, "
        "so each focuses differently."
    )


def fig_why(section) -> None:
    result = learn.attention(section.try_it.prompt)
    if result is None:
        return
    temperature = st.slider(
        "Temperature T (the same number as kT on the chromatin side)",
        0.1,
        5.0,
        value=float(section.try_it.temperature or 1.0),
        step=0.1,
        key="an_temperature",
        help=ui.help_for("temperature"),
    )
    rel = _row(result, section)
    comparison = figures.temperature_comparison(rel.weights, temperature=temperature)
    st.altair_chart(
        scene_charts.attention_vs_occupancy_bars(
            list(rel.labels),
            comparison.tempered_attention,
            comparison.occupancy,
            attention_title="softmax(s/T)",
            occupancy_title="Boltzmann at kT = T",
            title=f"T = {temperature:.1f}: the two formulas give the same numbers",
        ),
        alt=scene_charts.bars_description(
            list(rel.labels), comparison.tempered_attention, comparison.occupancy
        ),
    )
    left, right = st.columns(2)
    left.metric("Largest difference between the sides", f"{comparison.max_difference:.1e}")
    right.metric(
        "Spread of the row (entropy)",
        f"{comparison.entropy_bits:.2f} bits",
        help="Low T: a picky binder (low entropy). High T: a promiscuous one.",
    )


FIGURES = {
    "input": fig_input,
    "decision": fig_decision,
    "context": fig_context,
    "teamwork": fig_teamwork,
    "dynamics": fig_dynamics,
    "instructions": fig_instructions,
    "why_it_works": fig_why,
}

ui.model_picker()
st.title("The analogy: transcription factors as cellular attention")
st.caption(
    "Six parallels from the essay, then why they hold. Every figure is computed live "
    "from the bundled model's real attention and the chromatin model it drives."
)
site = learn.content()
analogy = site.analogy
if analogy is None:
    st.error(
        "The analogy text could not be loaded (see the warning above), so this page "
        "can only show the glossary and references."
    )
else:
    for section in analogy.sections:
        learn.section_header(
            section.title, anchor=section.id, texts=[section.cell_side, section.model_side]
        )
        cell, model = st.columns(2, gap="large")
        cell.markdown("**In the cell**")
        cell.write(section.cell_side)
        model.markdown("**In the transformer**")
        model.write(section.model_side)
        st.markdown(f"**In short:** {section.takeaway}")
        with learn.live_figure(section.title):
            FIGURES[section.id](section)
        learn.links(topic=section.quiz_topic, try_it=section.try_it)
        learn.sources(section.sources)

    learn.section_header(
        "The full mapping",
        anchor="mapping",
        texts=[f"{r.transformer} {r.chromatin}" for r in analogy.mapping],
    )
    st.dataframe(
        {
            "transformer": [r.transformer for r in analogy.mapping],
            "chromatin": [r.chromatin for r in analogy.mapping],
            "why it fits (or where it strains)": [r.note for r in analogy.mapping],
            "from": [", ".join(r.origin) for r in analogy.mapping],
        },
        hide_index=True,
        width="stretch",
    )

    learn.section_header(
        "Derivation: softmax is a Boltzmann distribution",
        anchor="derivation",
        texts=[step.text for step in analogy.derivation],
    )
    for number, step in enumerate(analogy.derivation, start=1):
        st.markdown(f"**{number}.** {step.text}")
        st.latex(step.latex)
        learn.sources(step.sources)

learn.glossary_expander()
learn.references_expander()
