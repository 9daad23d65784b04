"""Schema of content/teachers.yaml: the teacher guide, its lesson plan, the worksheet, the
class-results steps and the meaning of every link parameter.

What the schema checks on its own: page names are the app's pages, prerequisites name pages
the guide describes and never form a loop, the lesson's minutes add up to its length, every
worksheet task belongs to an activity of the lesson, every question to the class is a
question, and every objective and expected answer cites at least one source (the loader
checks the ids against references.yaml). What needs the running app's parameters is checked
by the tests: each activity's link parses without a problem, and ``link_parameters``
describes exactly the parameters the pages read (ui/links.py).

Lesson length: one 50-minute class period, the unit the lecturer's review asked for;
certainty-based marking of the closing quiz follows Gardner-Medwin (2006).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from lib.content.schema.base import (
    Frozen,
    NonEmpty,
    OneSentence,
    Sources,
    require_unique,
    sentences,
)
from lib.content.schema.learn import Slug

PageName = Literal["explore", "context", "teamwork", "analogy", "limitations", "quiz",
                   "teachers", "class"]
LinkPage = Literal["explore", "context", "teamwork", "limitations", "quiz", "teachers"]
Minutes = Annotated[int, Field(ge=1, le=60)]


class Objective(Frozen):
    """What a student can do afterwards; it states science, so it cites its sources."""

    text: OneSentence
    sources: Sources


class PageGuide(Frozen):
    page: PageName
    title: NonEmpty
    summary: OneSentence
    pre_reading: bool  # suits reading before class, without a teacher
    prerequisites: tuple[PageName, ...] = ()  # pages to work through first
    objectives: tuple[Objective, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _not_its_own_prerequisite(self) -> PageGuide:
        if self.page in self.prerequisites:
            raise ValueError(f"Page {self.page!r} lists itself as a prerequisite; remove it")
        return self


class ClassQuestion(Frozen):
    """A question to ask the class, and what a good answer says (with its sources)."""

    ask: NonEmpty
    listen_for: sentences(1, 2)
    sources: Sources

    @field_validator("ask")
    @classmethod
    def _is_a_question(cls, text: str) -> str:
        if not text.endswith("?"):
            raise ValueError(f"{text[:40]!r}… is asked of the class: end it with a question mark")
        return text


class Activity(Frozen):
    id: Slug
    title: NonEmpty
    minutes: Minutes
    page: PageName
    link: dict[str, NonEmpty] = Field(default_factory=dict)  # link parameters, as text
    do: sentences(1, 4)  # what the students do
    questions: tuple[ClassQuestion, ...] = Field(min_length=1)


class Lesson(Frozen):
    title: NonEmpty
    minutes: Minutes
    summary: sentences(1, 4)
    activities: tuple[Activity, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _timed(self) -> Lesson:
        require_unique([a.id for a in self.activities], "activity id")
        total = sum(a.minutes for a in self.activities)
        if total != self.minutes:
            raise ValueError(
                f"The activities take {total} minutes, not the lesson's {self.minutes}; change the "
                "minutes of an activity or of the lesson"
            )
        return self


class Task(Frozen):
    activity: Slug  # the lesson activity this task belongs to
    text: NonEmpty
    lines: Annotated[int, Field(ge=1, le=10)]  # blank answer lines on the printed sheet


class Worksheet(Frozen):
    title: NonEmpty
    intro: sentences(1, 3)
    objectives: tuple[Objective, ...] = Field(min_length=1)
    tasks: tuple[Task, ...] = Field(min_length=1)


class ClassResults(Frozen):
    intro: sentences(1, 3)
    steps: tuple[OneSentence, ...] = Field(min_length=1)


class ParamText(Frozen):
    meaning: OneSentence
    example: NonEmpty  # a value the parameter takes, as it is written in a link


class LinkParameters(Frozen):
    intro: sentences(1, 4)
    pages: dict[LinkPage, dict[NonEmpty, ParamText]]


class TeacherGuide(Frozen):
    intro: sentences(1, 4)
    print_hint: OneSentence
    pages: tuple[PageGuide, ...] = Field(min_length=1)
    lesson: Lesson
    worksheet: Worksheet
    class_results: ClassResults
    link_parameters: LinkParameters

    @model_validator(mode="after")
    def _references_resolve(self) -> TeacherGuide:
        require_unique([p.page for p in self.pages], "page")
        described = {p.page for p in self.pages}
        for page in self.pages:
            unknown = sorted(set(page.prerequisites) - described)
            if unknown:
                raise ValueError(f"Page {page.page!r} needs {unknown}, which the guide does not "
                                 "describe; add them to pages or drop them")
        self._no_loops()
        activities = {a.id for a in self.lesson.activities}
        orphans = sorted({t.activity for t in self.worksheet.tasks} - activities)
        if orphans:
            raise ValueError(f"Worksheet tasks name activities {orphans} that the lesson does not "
                             f"have; use one of {sorted(activities)}")
        return self

    def _no_loops(self) -> None:
        needs = {p.page: set(p.prerequisites) for p in self.pages}
        done: set[str] = set()
        while len(done) < len(needs):
            ready = {page for page, first in needs.items() if page not in done and first <= done}
            if not ready:
                raise ValueError(f"The prerequisites of {sorted(set(needs) - done)} form a loop; "
                                 "break it so there is a page to start from")
            done |= ready

    def page(self, name: str) -> PageGuide | None:
        return next((p for p in self.pages if p.page == name), None)

    @property
    def pre_reading(self) -> tuple[PageGuide, ...]:
        return tuple(p for p in self.pages if p.pre_reading)

    def activity(self, activity_id: str) -> Activity:
        return next(a for a in self.lesson.activities if a.id == activity_id)
