"""What the Learn pages (the analogy, the limitations) share: section headers with glossary
tooltips, links to Explore and the quiz, sources, and drawing a lib.learn Figure."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.errors import StreamlitAPIException

from lib.charts.spec import ChartSpec
from lib.learn.figure import Expander, Figure, Message, Metric, Part, Row, Scene, Table
from lib.learn.text import terms_in, tooltip
from ui.charts import show
from ui.scene import show_scene
from ui.text import message, say, site_content

QUIZ_PAGE = "pages/quiz.py"
EXPLORE_PAGE = "pages/explore.py"
LEARN_FILES = ("analogy.yaml", "limitations.yaml", "glossary.yaml", "references.yaml",
               "quiz/topics.yaml")


def content():
    """All teaching content; problems in the files these pages use are shown, not fatal."""
    loaded = site_content()
    for problem in loaded.problems_in(*LEARN_FILES):
        st.warning(f"Some teaching text is unavailable or unchecked. {problem}")
    return loaded


def section_header(title: str, *, anchor: str, texts: Iterable[str]) -> None:
    """A subheader whose help tooltip defines the glossary terms used in the section."""
    glossary = site_content().glossary
    st.subheader(title, anchor=anchor, help=tooltip(terms_in([title, *texts], glossary)),
                 divider="gray")


def sources(ids: Iterable[str]) -> None:
    refs = site_content().references
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


def links(*, topic: str, explore: dict[str, str] | None = None) -> None:
    """'Try it in Explore' (with every setting of the figure) and 'Quiz yourself' (its topic)."""
    left, right = st.columns(2)
    if explore is not None:
        with left:
            st.page_link(EXPLORE_PAGE, label="Try it in Explore", icon="🔍",
                         query_params=explore,
                         help=message("try_it_help", prompt=explore["prompt"]))
    with right:
        try:
            st.page_link(QUIZ_PAGE, label="Quiz yourself on this", icon="📝",
                         query_params={"topics": topic},
                         help=message("quiz_link_help", topic=topic))
        except StreamlitAPIException:  # the quiz page is not part of this app's navigation
            say("quiz_unavailable", topic=topic)


@contextmanager
def live_figure(what: str) -> Iterator[None]:
    """Run one live figure; if it fails, say so and let the rest of the page render."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - one broken figure must not blank the page
        st.error(message("figure_failed", what=what, error=error) or str(error))


def no_model_note() -> None:
    say("no_model", st.info)


def show_figure(figure: Figure | None) -> None:
    """Draw a figure's parts in order (nothing when it could not be computed)."""
    if figure is None:
        no_model_note()
        return
    for part in figure.parts:
        _show_part(part)


def _show_part(part: Part) -> None:
    if isinstance(part, ChartSpec):
        show(part)
    elif isinstance(part, Scene):
        show_scene(part.scene, key=part.key)
    elif isinstance(part, Message):
        shows = {"caption": st.caption, "info": st.info, "markdown": st.markdown}
        say(part.name, shows[part.kind], **part.values)
    elif isinstance(part, Metric):
        st.metric(part.label, part.value,
                  help=message(part.help_message) if part.help_message else None)
    elif isinstance(part, Table):
        st.dataframe(dict(part.columns), hide_index=True)
    elif isinstance(part, Expander):
        with st.expander(part.label):
            for inner in part.parts:
                _show_part(inner)
    elif isinstance(part, Row):
        for column, inner in zip(st.columns(len(part.parts)), part.parts, strict=True):
            with column:
                _show_part(inner)


def glossary_expander() -> None:
    glossary = site_content().glossary
    with st.expander("Glossary: the words of both fields"):
        if glossary is None:
            st.warning("The glossary file could not be loaded; see the message at the top.")
            return
        fields = {"model": "Transformers", "cell": "The cell", "physics": "Physics"}
        for column, (field, name) in zip(st.columns(len(fields)), fields.items(), strict=True):
            with column:
                st.markdown(f"**{name}**")
                for term in sorted((t for t in glossary.terms if t.field == field),
                                   key=lambda t: t.term.lower()):
                    also = f" (also: {', '.join(term.aliases)})" if term.aliases else ""
                    st.markdown(f"- **{term.term}**{also}: {term.definition}")


def references_expander() -> None:
    refs = site_content().references
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


# ---- model probes behind the limitation demos, measured once per server

@st.cache_data(show_spinner=False, max_entries=16)
def timed_forward_pass(_loaded, model_id: str, text: str):
    from lib.learn.probes import time_forward_pass

    return time_forward_pass(_loaded, text)


@st.cache_data(show_spinner=False, max_entries=16)
def ablation(_loaded, model_id: str, text: str, layer: int):
    from lib.learn.probes import head_ablation

    return head_ablation(_loaded, text, layer=layer)


@st.cache_data(show_spinner=False, max_entries=16)
def repeat_gap(_loaded, model_id: str, text: str) -> float:
    from lib.learn.probes import repeat_difference

    return repeat_difference(_loaded, text)


@st.cache_data(show_spinner=False, max_entries=16)
def memory_gap(_loaded, model_id: str, earlier: str, text: str) -> float:
    from lib.learn.probes import memory_difference

    return memory_difference(_loaded, earlier, text)
