"""Draw a chromatin scene: the components-v2 element of ui/components/chromatin_scene."""

from __future__ import annotations

from lib.chromatin.scene_model import ChromatinScene
from ui.components.chromatin_scene import chromatin_scene


def show_scene(scene: ChromatinScene, *, key: str) -> None:
    chromatin_scene(scene, key=key)
