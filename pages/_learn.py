"""Streamlit glue shared by the Learn pages (analogy, limitations): headers with glossary
tooltips, links to Explore and the quiz, sources, guarded live figures, cached probes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.errors import StreamlitAPIException

from lib.learn.text import terms_in, tooltip
from pages import _common as ui

QUIZ_PAGE = "pages/quiz.py"
EXPLORE_PAGE = "pages/explore.py"
LEARN_FILES = (
    "analogy.yaml",
    "limitations.yaml",
    "glossary.yaml",
    "references.yaml",
    "quiz/topics.yaml",
)


def content():
    """All teaching content; problems in the files these pages use are shown, not fatal."""
    loaded = ui.site_content()
    for problem in loaded.problems_in(*LEARN_FILES):
        st.warning(f"Some teaching text is unavailable or unchecked. {problem}")
    return loaded


def section_header(title: str, *, anchor: str, texts: Iterable[str]) -> None:
    """A subheader whose help tooltip defines the glossary terms used in the section."""
    glossary = ui.site_content().glossary
    st.subheader(
        title, anchor=anchor, help=tooltip(terms_in([title, *texts], glossary)), divider="gray"
    )


def sources(ids: Iterable[str]) -> None:
    refs = ui.site_content().references
    ids = list(ids)
    if not ids:
        return
    if refs is None:
        st.caption("Sources: " + ", ".join(ids) + " (the references file is unavailable).")
        return
    cited = []
    for ref_id in ids:
        try:
            cited.append(refs.get(ref_id).citation())
        except KeyError:
            cited.append(f"{ref_id} (missing from references.yaml)")
    st.caption("Sources: " + " · ".join(cited))


def links(*, topic: str, try_it=None) -> None:
    """'Try it in Explore' (with the section's settings) and 'Quiz yourself' (on its topic)."""
    left, right = st.columns(2)
    if try_it is not None:
        with left:
            st.page_link(
                EXPLORE_PAGE,
                label="Try it in Explore",
                icon="🔍",
                query_params=ui.try_it_params(try_it),
                help=ui.message("try_it_help", prompt=try_it.prompt),
            )
    with right:
        try:
            st.page_link(
                QUIZ_PAGE,
                label="Quiz yourself on this",
                icon="📝",
                query_params={"topic": topic},
                help=ui.message("quiz_link_help", topic=topic),
            )
        except StreamlitAPIException:  # the quiz page is not part of this app's navigation
            ui.say("quiz_unavailable", topic=topic)


@contextmanager
def live_figure(what: str) -> Iterator[None]:
    """Run one live figure; if it fails, say so and let the rest of the page render."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - one broken figure must not blank the page
        st.error(ui.message("figure_failed", what=what, error=error) or str(error))


def no_model_note() -> None:
    ui.say("no_model", st.info)


def attention(prompt: str):
    """Real attention for ``prompt`` or None (with a note under the model's own message)."""
    result = ui.attention_for(prompt)
    if result is None:
        no_model_note()
    return result


@st.cache_data(show_spinner=False, max_entries=16)
def timed_forward_pass(_loaded, model_id: str, text: str):
    from lib.learn.probes import time_forward_pass

    return time_forward_pass(_loaded, text)


@st.cache_data(show_spinner=False, max_entries=16)
def ablation(_loaded, model_id: str, text: str, layer: int):
    from lib.learn.probes import head_ablation

    return head_ablation(_loaded, text, layer=layer)


def fmt_difference(value: float) -> str:
    return "0 (identical)" if value == 0.0 else f"{value:.1e}"


def glossary_expander() -> None:
    glossary = ui.site_content().glossary
    with st.expander("Glossary: the words of both fields"):
        if glossary is None:
            st.warning("The glossary file could not be loaded; see the message at the top.")
            return
        fields = {"model": "Transformers", "cell": "The cell", "physics": "Physics"}
        columns = st.columns(len(fields))
        for column, (field, name) in zip(columns, fields.items(), strict=True):
            with column:
                st.markdown(f"**{name}**")
                for term in sorted(
                    (t for t in glossary.terms if t.field == field), key=lambda t: t.term.lower()
                ):
                    also = f" (also: {', '.join(term.aliases)})" if term.aliases else ""
                    st.markdown(f"- **{term.term}**{also}: {term.definition}")


def references_expander() -> None:
    refs = ui.site_content().references
    with st.expander("References: full citations"):
        if refs is None:
            st.warning("The references file could not be loaded; see the message at the top.")
            return
        for ref in refs.references:
            line = ref.citation()
            if ref.url:
                line += f" [{ref.url}]({ref.url})"
            if ref.note:
                line += f" — {ref.note}"
            st.markdown(f"- {line}")
