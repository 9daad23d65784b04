"""The page the scene benchmark drives: a few ordinary elements, plus the chromatin scene
as the components-v2 element (?mode=v2), as a timer-animated Vega-Lite chart (?mode=vega),
or nothing (?mode=none). ?case picks the scene (tests/apps/scene_cases.py). The button
reruns the script without changing anything, as a control elsewhere on a page would.
Start from the repository root with PYTHONPATH=.:tests/apps.
"""

import streamlit as st
from scene_cases import build

from bench.vega_scene import animated_specs, frame_tables
from ui.components.chromatin_scene import chromatin_scene

params = st.query_params
mode, case = params.get("mode", "v2"), params.get("case", "play")
scene = st.cache_data(build)(case)
st.title("Scene benchmark")
st.button("Rerun", key="rerun")
st.slider("An unrelated control", 0, 10, 3, key="unrelated")
st.write("A paragraph of text that every mode shows.")
if mode == "v2":
    chromatin_scene(scene, key="scene", autoplay=params.get("autoplay", "1") != "0")
elif mode == "vega":
    tables = st.cache_data(frame_tables)(scene, frames=int(params.get("frames", 600)))
    for table, spec in zip(tables, animated_specs(scene), strict=True):
        # Inline values: the animation compiler cannot find a named (Arrow) dataset.
        st.vega_lite_chart({**spec, "data": {"values": table.to_dict("records")}},
                           width="stretch")
