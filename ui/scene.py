"""Draw a chromatin scene: the components-v2 element of ui/components/chromatin_scene."""

from __future__ import annotations

from lib.chromatin.scene_model import ChromatinScene
from ui.components.chromatin_scene import chromatin_scene

TIME_UNIT = "dwell times"  # of the strongest locus (1/k0); the More detail notes say so


def show_scene(scene: ChromatinScene, *, key: str) -> None:
    chromatin_scene(scene, key=key, time_unit=TIME_UNIT)
