"""Read what AppTest rendered: Vega-Lite charts with their data, and alerts.

Streamlit sends Altair charts as ``vega_lite_chart`` elements whose datasets are Arrow
IPC streams; decoding them lets tests assert on the numbers the browser receives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class RenderedChart:
    spec: dict
    datasets: dict[str, pd.DataFrame]
    alt: str

    def frame(self) -> pd.DataFrame:
        """All rows of all datasets (most charts here have one)."""
        frames = list(self.datasets.values())
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def text(self) -> str:
        return json.dumps(self.spec, ensure_ascii=False)


def walk(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from walk(child)


def charts(at) -> list[RenderedChart]:
    found = []
    for element in walk(at.main):
        if getattr(element, "type", "") != "vega_lite_chart":
            continue
        proto = element.proto
        datasets = {}
        for dataset in proto.datasets:
            table = pa.ipc.open_stream(dataset.data.data).read_all()
            datasets[dataset.name] = table.to_pandas()
        found.append(RenderedChart(json.loads(proto.spec), datasets, proto.alt))
    return found


def scenes(at) -> list:
    """Every chromatin scene on the page, decoded as the browser decodes it (scene.js)."""
    from lib.chromatin.scene_model import decode_scene_payload

    return [decode_scene_payload(json.loads(payload)) for payload in scene_payloads(at)]


def scene_payloads(at) -> list[str]:
    """Every scene's payload as sent: equal iff the scenes are equal."""
    return [element.proto.json for element in walk(at.main) if is_scene(element)]


def is_scene(element) -> bool:
    """A chromatin scene (the page's other components-v2 elements store or copy things)."""
    return (getattr(element, "type", "") == "bidi_component"
            and element.proto.component_name == "chromatin_scene")


def chart_with(at, field: str, *, title: str | None = None) -> RenderedChart:
    """The first chart whose data has column ``field`` (and whose spec mentions ``title``)."""
    for chart in charts(at):
        frame = chart.frame()
        if field in frame.columns and (title is None or title in chart.text()):
            return chart
    raise AssertionError(f"no chart with a '{field}' column" + (f" and '{title}'" if title else ""))


def page_errors(at) -> list[str]:
    """Messages of exceptions and st.error elements (empty when the run was clean)."""
    return [e.message for e in at.exception] + [e.value for e in at.error]
