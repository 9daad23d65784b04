"""The teacher guide and the student worksheet, drawn from content/teachers.yaml.

Everything here is text (Markdown from our own content, never user text) and links built by
ui/links.py from each activity's settings, so a link in the plan opens its page set up
exactly, and an activity whose settings a page no longer reads is reported, not linked.
The print stylesheet (ui/print.css) is a fixed file: printing leaves the sidebar and every
control out, and the answer lines of the worksheet are fixed markup with no text in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import streamlit as st

from lib.content.schema.teachers import Activity, Objective, TeacherGuide
from ui import state
from ui.links import activity_link, param_docs, param_table
from ui.text import site_content, warn_once

PRINT_CSS = Path(__file__).resolve().parent / "print.css"
VIEWS = {"guide": "Guide for the teacher", "worksheet": "Worksheet for students"}
OTHER_TITLES = {"teachers": "Teacher guide", "class": "Class results"}
LINE = '<div class="ca-line"></div>'


def print_styles() -> None:
    """The print stylesheet (a fixed file, with no user text in it)."""
    st.html(PRINT_CSS)


def guide() -> TeacherGuide | None:
    """The guide's content; a problem in teachers.yaml is shown, and None returned."""
    warn_once("teachers.yaml", intro="The teacher guide is unavailable.")
    return site_content().teachers


def view_picker(guide: TeacherGuide) -> str:
    """Guide or worksheet (kept in the URL as ``view``); drawn on screen only."""
    with st.container(key="screen_only"):
        st.segmented_control("View to print", options=list(VIEWS), format_func=VIEWS.get,
                             **state.bind(state.TEACHER_VIEW))
        st.caption(guide.print_hint)
    return state.TEACHER_VIEW.get()


def _cite(ids: Iterable[str]) -> str:
    refs = site_content().references
    return "; ".join(refs.short(i) if refs else i for i in ids)


def _objectives(objectives: Iterable[Objective]) -> None:
    st.markdown("\n".join(f"- {o.text} *({_cite(o.sources)})*" for o in objectives))


def _title(guide: TeacherGuide, page: str) -> str:
    described = guide.page(page)
    return described.title if described else OTHER_TITLES.get(page, page)


# ---- the guide

def show_guide(guide: TeacherGuide, *, shape: tuple[int, int] | None) -> None:
    st.title("Teacher guide")
    st.write(guide.intro)
    _pages(guide)
    _lesson(guide, shape=shape)
    _class_results(guide)
    _parameters(guide, shape=shape)
    _sources(guide)


def _pages(guide: TeacherGuide) -> None:
    st.header("Learning objectives by page")
    for page in guide.pages:
        st.subheader(page.title)
        first = ", ".join(_title(guide, p) for p in page.prerequisites) or "nothing: start here"
        reading = "suits pre-reading" if page.pre_reading else "best done in class"
        st.markdown(f"{page.summary}  \n**Do first:** {first} · **When:** {reading}")
        st.markdown("**Students will be able to:**")
        _objectives(page.objectives)
    st.header("Pre-reading")
    st.markdown("These pages can be read before class, without a teacher: "
                + ", ".join(f"**{p.title}**" for p in guide.pre_reading) + ".")


def _lesson(guide: TeacherGuide, *, shape: tuple[int, int] | None) -> None:
    lesson = guide.lesson
    st.header(lesson.title)
    st.write(lesson.summary)
    rows, start = ["| minutes | activity | page |", "|---|---|---|"], 0
    for activity in lesson.activities:
        rows.append(f"| {start}–{start + activity.minutes} | {activity.title} | "
                    f"{_title(guide, activity.page)} |")
        start += activity.minutes
    st.markdown("\n".join(rows))
    start = 0
    for number, activity in enumerate(lesson.activities, start=1):
        st.subheader(f"{number}. {activity.title} ({activity.minutes} min, from minute {start})")
        start += activity.minutes
        st.write(activity.do)
        _activity_link(guide, activity, shape=shape)
        st.markdown("**Ask the class:**")
        st.markdown("\n".join(
            f"{i}. {q.ask}  \n   *Listen for:* {q.listen_for} *({_cite(q.sources)})*"
            for i, q in enumerate(activity.questions, start=1)))


def _activity_link(guide: TeacherGuide, activity: Activity, *,
                   shape: tuple[int, int] | None) -> None:
    if shape is None:
        return  # no model: the page explains why above; the plan still reads
    link, problems = activity_link(activity.page, activity.link, layers=shape[0],
                                   heads=shape[1])
    for problem in problems:
        st.warning(f"The link of activity '{activity.id}' in teachers.yaml: {problem}")
    st.markdown(f"[Open {_title(guide, activity.page)} set up for this activity]({link})")


def _class_results(guide: TeacherGuide) -> None:
    st.header("Anonymous class results")
    st.write(guide.class_results.intro)
    st.markdown("\n".join(f"{i}. {step}"
                          for i, step in enumerate(guide.class_results.steps, start=1)))


def _parameters(guide: TeacherGuide, *, shape: tuple[int, int] | None) -> None:
    st.header("Link parameters")
    st.write(guide.link_parameters.intro)
    if shape is None:
        return
    docs = {page: {name: (text.meaning, text.example) for name, text in params.items()}
            for page, params in guide.link_parameters.pages.items()}
    try:
        rows = param_docs(docs, layers=shape[0], heads=shape[1])
    except KeyError as missing:
        st.warning(f"teachers.yaml does not describe the link parameter {missing}; add it under "
                   "link_parameters.")
        return
    st.markdown(param_table(rows))


def _sources(guide: TeacherGuide) -> None:
    refs = site_content().references
    cited = _cited(guide)
    if refs is None or not cited:
        return
    st.header("Sources")
    known = {r.id: r for r in refs.references}
    st.markdown("\n".join(f"- {known[i].citation()}" for i in cited if i in known))


def _cited(guide: TeacherGuide) -> list[str]:
    """Reference ids in the order the guide first cites them."""
    ids = [s for p in guide.pages for o in p.objectives for s in o.sources]
    ids += [s for a in guide.lesson.activities for q in a.questions for s in q.sources]
    ids += [s for o in guide.worksheet.objectives for s in o.sources]
    return list(dict.fromkeys(ids))


# ---- the worksheet

def show_worksheet(guide: TeacherGuide) -> None:
    sheet = guide.worksheet
    st.title(sheet.title)
    st.write(sheet.intro)
    st.header("Objectives")
    _objectives(sheet.objectives)
    st.header("Tasks")
    for number, task in enumerate(sheet.tasks, start=1):
        activity = guide.activity(task.activity)
        st.markdown(f"**Task {number}: {activity.title}** ({_title(guide, activity.page)})  \n"
                    f"{task.text}")
        answer_lines(task.lines)


def answer_lines(count: int) -> None:
    """``count`` blank lines to write on: fixed markup, no text (styled by print.css)."""
    st.html(f'<div class="ca-lines">{LINE * count}</div>')
