"""What a Learn-page figure is made of, as data the page lays out in order.

A figure builder (lib.learn.analogy, lib.learn.limitations) computes its numbers and returns
a ``Figure``: charts, chromatin scenes, metrics, tables and messages, in reading order, with
``Row`` for parts shown side by side. The page only draws them (ui/learn.py), so every
figure's content is testable without Streamlit and cached for every session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Union

from lib.charts.spec import ChartSpec
from lib.chromatin.scene_model import ChromatinScene


@dataclass(frozen=True, eq=False)
class Scene:
    """A chromatin scene, animated in the browser; ``key`` names it stably on its page."""

    scene: ChromatinScene
    key: str


@dataclass(frozen=True)
class Message:
    """A named message of content/ui.yaml with its values."""

    name: str
    values: Mapping[str, object] = field(default_factory=dict)
    kind: Literal["caption", "info", "markdown"] = "caption"


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help_message: str | None = None  # a ui.yaml message name


@dataclass(frozen=True)
class Table:
    columns: Mapping[str, tuple]


@dataclass(frozen=True)
class Row:
    """Parts shown side by side, in equal columns."""

    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Expander:
    """Parts behind a labelled "more detail" expander."""

    label: str
    parts: tuple[Part, ...]


Part = Union[ChartSpec, Scene, Message, Metric, Table, Row, Expander]  # noqa: UP007


@dataclass(frozen=True, eq=False)
class Figure:
    parts: tuple[Part, ...]
