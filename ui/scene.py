"""Draw a chromatin scene (lib.learn.figure.SceneView)."""

from __future__ import annotations

from lib.charts import scene as scene_charts
from lib.learn.figure import SceneView
from ui.charts import altair_chart


def show_scene(view: SceneView) -> None:
    altair_chart(
        scene_charts.chromatin_scene(list(view.labels), view.attention, view.occupancy,
                                     view.energies, closed=view.closed, species=view.species,
                                     bound=view.bound, unbound=view.unbound, title=view.title),
        alt=scene_charts.scene_description(list(view.labels), view.occupancy,
                                           closed=view.closed, species=view.species),
    )
