"""Charts as templates: each Vega-Lite spec is built once, and a rerun only fills in data.

Building an Altair chart, converting it to Vega-Lite and validating it costs tens of
milliseconds, and a Streamlit server does it for every chart of every rerun of every
session under one interpreter lock. Here each chart's spec is built once, at import, from
Altair with named data sources (``alt.NamedData``); a rerun makes small Arrow tables for
those names and, where a chart's size or wording depends on its data, replaces a few
top-level keys. Validation against the Vega-Lite schema happens in the tests, on every
template with realistic data, never while serving.

Vega-Lite: Satyanarayan et al. (2017), "Vega-Lite: A Grammar of Interactive Graphics".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import numpy as np
import pyarrow as pa


@dataclass(frozen=True, eq=False)
class ChartSpec:
    """One chart for one rerun: a shared template, its data, and what it says in words."""

    template: Mapping[str, Any]  # a Vega-Lite spec built once and shared: never mutated
    datasets: Mapping[str, pa.Table]  # the data for this chart, by the template's names
    alt: str  # text alternative that states the chart's main finding
    overrides: Mapping[str, Any] = field(default_factory=dict)  # top-level keys for this chart

    def vega_lite(self) -> dict[str, Any]:
        """The spec Streamlit sends: the template, its overrides, and Arrow datasets."""
        return {**self.template, **self.overrides, "datasets": dict(self.datasets)}

    def with_values(self) -> dict[str, Any]:
        """The same spec with plain JSON rows, for schema validation and for reading back."""
        datasets = {name: table.to_pylist() for name, table in self.datasets.items()}
        return {**self.template, **self.overrides, "datasets": datasets}

    def frame(self, name: str):
        """One dataset as a pandas DataFrame (tests)."""
        return self.datasets[name].to_pandas()


def template(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite dict of an Altair chart built on named data (unvalidated: tests do it)."""
    return chart.to_dict(validate=False)


def table(**columns: Sequence | np.ndarray) -> pa.Table:
    """An Arrow table from equal-length columns (numpy arrays stay zero-copy where they can)."""
    return pa.table({name: _column(values) for name, values in columns.items()})


def _column(values):
    if isinstance(values, np.ndarray):
        return values
    return pa.array(list(values))


def replaced(spec: Mapping[str, Any], path: Sequence[str | int], value: Any) -> dict[str, Any]:
    """A copy of ``spec`` with the value at ``path`` replaced, copying only along the path."""
    head, *rest = path
    copy = list(spec) if isinstance(spec, list) else dict(spec)
    copy[head] = replaced(spec[head], rest, value) if rest else value
    return copy


def axis_angle(count: int) -> int:
    """Label angle that keeps ``count`` category labels apart on a horizontal axis."""
    return 0 if count <= 8 else (-50 if count <= 32 else -90)


def indexed_label(index: int, label: str) -> str:
    """'3 Paris': an index keeps repeated tokens apart; a blank token shows as ␣."""
    return f"{index}\u2009{label}" if str(label).strip() else f"{index}\u2009\u2423"
