"""The chromatin scene as a Streamlit components-v2 element: inline HTML/CSS/JS, no build.

scene.js and scene.css are read once at import and registered once per process. The page
passes a ChromatinScene; its payload (lib.chromatin.scene_model.scene_payload) is sent as
the component's data, and playback runs in the browser without rerunning the script.
Identical reruns cost little: Streamlit's message cache sends a reference instead of the
element when the browser already holds it.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import streamlit as st

from lib.chromatin.scene_model import ChromatinScene, describe_scene, scene_payload

_HERE = Path(__file__).resolve().parent
SPEEDS = (0.25, 0.5, 1, 2, 5, 10, 25, 100)  # the speed menu in scene.js

_mount = st.components.v2.component(
    "chromatin_scene",
    css=(_HERE / "scene.css").read_text(encoding="utf-8"),
    js=(_HERE / "scene.js").read_text(encoding="utf-8"),
)
# Each scene's payload, built once: a scene is a frozen view shared by every session, and its
# encoding and digest would otherwise be redone on every rerun that shows it. Weak keys, so
# a scene the view memo drops takes its payload with it.
_PAYLOADS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _payload(scene: ChromatinScene, description: str | None, time_unit: str) -> dict:
    made = _PAYLOADS.setdefault(scene, {})
    key = (description, time_unit)
    if key not in made:
        made[key] = scene_payload(
            scene, description=describe_scene(scene) if description is None else description,
            time_unit=time_unit)
    return made[key]


def chromatin_scene(
    scene: ChromatinScene,
    *,
    key: str,
    description: str | None = None,
    autoplay: bool = True,
    speed: float = 1,
    time_unit: str = "1/k0",
) -> None:
    """Draw `scene` and animate its trajectory in the browser.

    `description` is the text alternative (default: describe_scene, the main finding in
    numbers). `autoplay` starts playback on load unless the reader prefers reduced
    motion. `speed` is simulated time per second, one of SPEEDS.
    """
    if speed not in SPEEDS:
        raise ValueError(f"speed must be one of {SPEEDS}, got {speed!r}.")
    payload = {**_payload(scene, description, time_unit),
               "options": {"autoplay": bool(autoplay), "speed": speed}}
    _mount(key=key, data=payload, width="stretch", height="content")
