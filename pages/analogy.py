"""The analogy, parallel by parallel: both sides in words, a live figure from the real model
and the chromatin model, a link into Explore and a quiz link; then the mapping and the maths."""

import numpy as np
import streamlit as st

from lib.attention.context import compare_contexts
from lib.attention.heads import one_head_per_pattern, profile_heads
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


def _query(labels, word: str | None) -> int:
    # Fallback: the last word before [SEP] when the section names no word or it is missing.
    return figures.find_label(labels, word, fallback=len(labels) - 2)


def _row(result, section, *, level="token", word=None):
    labels, _ = level_groups(result, level=level)
    query = _query(labels, word or section.try_it.query)
    head = section.try_it.head if section.try_it.head is not None else "mean"
    # [CLS]/[SEP] soak up most attention in this model (a sink); drop them and renormalise so
    # the words are visible. Explore can show that mass as an unbound reservoir instead.
    return select_relevance(
        result, query=query, layer=_layer(section), head=head, level=level, special="drop"
    )


def _compare_rows(rows, *, names: tuple[str, str], alt: str):
    """Two rows of one word aligned by word, drawn side by side; returns the comparison."""
    comparison = compare_contexts(rows[0].labels, rows[0].weights, rows[1].labels, rows[1].weights)
    ui.altair_chart(
        attention_charts.context_bars(
            comparison.keys,
            comparison.weights_a,
            comparison.weights_b,
            name_a=names[0],
            name_b=names[1],
        ),
        alt=alt,
    )
    return comparison


def fig_input(section) -> None:
    result = learn.attention(section.try_it.prompt)
    if result is None:
        return
    share = figures.received_share(result, layer=_layer(section))
    energies = binding_energies(share.share)
    occupancy = equilibrium_occupancy(energies).occupancy
    ui.altair_chart(
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
    ui.say(
        "input_share",
        layer=_layer(section),
        top=", ".join(f"'{share.labels[i]}' {share.share[i]:.0%}" for i in top),
    )


def fig_decision(section) -> None:
    result = learn.attention(section.try_it.prompt)
    if result is None:
        return
    rel = _row(result, section)
    chromatin = chromatin_from_attention(rel.weights)
    ui.altair_chart(
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
    ui.say("decision_gap", gap=float(np.abs(rel.weights - chromatin.equilibrium.occupancy).max()))


def fig_context(section) -> None:
    prompts = (str(ui.DEFAULTS["context_a"]), section.try_it.prompt)
    results = [learn.attention(p) for p in prompts]
    if any(r is None for r in results):
        return
    comparison = _compare_rows(
        [_row(r, section, level="word") for r in results],
        names=prompts,
        alt=f"Attention of '{section.try_it.query}' in two prompts, aligned by word.",
    )
    ui.say("context_distance", tv=comparison.tv_distance)


def fig_teamwork(section) -> None:
    result = learn.attention(section.try_it.prompt)
    if result is None:
        return
    layer = _layer(section)
    profiles = profile_heads(result, layer=layer)
    heads = one_head_per_pattern(profiles)
    labels, _ = level_groups(result, level="token")
    query = _query(labels, section.try_it.query)
    shown = [
        select_relevance(result, query=query, layer=layer, head=h, special="drop") for h in heads
    ]
    labels = list(shown[0].labels)
    rows = np.stack([rel.weights for rel in shown])  # [species, n]
    team = species_occupancy(rows)
    names = [f"head {h}: {profiles[h].pattern}" for h in heads]
    ui.altair_chart(
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
    ui.say("teamwork_heads")


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
        ui.say("dynamics_word_missing", st.info, word=word)
        return
    comparison = _compare_rows(
        [_row(r, section, level="word") for r in results],
        names=("before the edit", "after the edit"),
        alt=f"The row of '{word}' before and after editing the prompt.",
    )
    ui.say("dynamics_recomputed", tv=comparison.tv_distance)


def fig_instructions(section) -> None:
    result = learn.attention(section.try_it.prompt)
    if result is None:
        return
    labels, _ = level_groups(result, level="token")
    query = _query(labels, section.try_it.query)
    keys, rows = figures.rows_across_layers(result, query=query, special="drop")
    ui.altair_chart(
        learn_charts.layer_rows_heatmap(
            rows, keys, title=f"'{labels[query]}' in every layer: same prompt, different weights"
        ),
        alt=f"Attention of '{labels[query]}' at each of the {len(rows)} layers.",
    )
    ui.say("instructions_layers")


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
    ui.altair_chart(
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
        help=ui.message("entropy_help"),
    )


# The function that draws each figure id named in content/analogy.yaml.
FIGURES = {
    "input_tokens_loci": fig_input,
    "decision_row_occupancy": fig_decision,
    "context_two_prompts": fig_context,
    "teamwork_heads_species": fig_teamwork,
    "dynamics_recompute": fig_dynamics,
    "instructions_weights_genome": fig_instructions,
    "temperature_boltzmann": fig_why,
}

ui.model_picker()
st.title("The analogy: transcription factors as cellular attention")
ui.say("analogy_intro")
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
            FIGURES[section.figure](section)
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
