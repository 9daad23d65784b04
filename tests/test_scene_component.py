"""The scene's Streamlit wrapper, in AppTest: what a page's rerun hands to the browser."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parent / "apps"))
from scene_cases import build  # noqa: E402

from lib.chromatin.scene_model import decode_scene_payload, describe_scene  # noqa: E402

PAGE = """
import sys
sys.path.insert(0, {apps!r})
from scene_cases import build
from ui.components.chromatin_scene import chromatin_scene
chromatin_scene(build("markup"), key="scene", autoplay=False, speed={speed!r})
"""


def run_page():
    source = PAGE.format(apps=str(Path(__file__).resolve().parent / "apps"), speed=5)
    return AppTest.from_string(source, default_timeout=60).run()


def test_the_page_sends_the_scene_payload_and_options():
    at = run_page()
    assert not at.exception
    [element] = at.get("bidi_component")
    assert element.proto.component_name == "chromatin_scene"
    assert "export default function mount" in element.proto.js_content
    data = json.loads(element.proto.json)
    assert data["options"] == {"autoplay": False, "speed": 5}
    scene = build("markup")
    decoded = decode_scene_payload(data)
    assert decoded.labels == scene.labels  # markup travels as data, untouched
    np.testing.assert_allclose(decoded.equilibrium, scene.equilibrium, rtol=1e-6)
    assert data["description"] == describe_scene(scene)


def test_an_unknown_speed_is_refused_with_the_choices():
    from ui.components.chromatin_scene import chromatin_scene

    with pytest.raises(ValueError, match=r"speed must be one of \(0.25, 0.5, 1, 2"):
        chromatin_scene(build("one"), key="scene", speed=3)
