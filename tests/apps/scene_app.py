"""A tiny app that mounts only the chromatin scene, for browser tests and measurements.

Start it from the repository root with PYTHONPATH=. (tests do). Query parameters:
?case=play|markup|many (see scene_cases.build), ?autoplay=0 to start paused.
"""

import streamlit as st
from scene_cases import build

from ui.components.chromatin_scene import chromatin_scene

params = st.query_params
case = params.get("case", "play")
st.title("Chromatin scene")
chromatin_scene(st.cache_data(build)(case), key=f"scene-{case}",
                autoplay=params.get("autoplay", "1") != "0")
st.button("Rerun")  # a control elsewhere on the page: its reruns must not reset playback
st.session_state.runs = st.session_state.get("runs", 0) + 1
st.caption(f"case: {case}; script runs: {st.session_state.runs}")
