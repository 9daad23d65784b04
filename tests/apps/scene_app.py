"""A tiny app that mounts only the chromatin scene, for browser tests and measurements.

Query parameters pick the scenario: ?case=play (12 molecules, 3 species, a pioneer),
?case=markup (labels that look like HTML), ?case=many (64 loci, 7 species),
?autoplay=0 to start paused.
"""

import numpy as np
import streamlit as st

from lib.chromatin.scene_model import scene_from_attention
from ui.components.chromatin_scene import chromatin_scene

MARKUP = ["<img src=x onerror=alert(1)>", "<b>bold</b>", "</text><script>alert(2)</script>",
          "a & b", "  ", "\"quote'"]


@st.cache_data
def build(case: str):
    rng = np.random.default_rng(3)
    if case == "markup":
        n, labels, species, copies = len(MARKUP), MARKUP, 1, 2
    elif case == "many":
        n, species, copies = 64, 7, 1
        labels = [f"w{j}" for j in range(n)]
    else:
        labels = ["The", "transcription", "factor", "binds", "the", "promoter", "of", "a", "gene", "in", "open", "chromatin"]
        n, species, copies = len(labels), 3, 4
    rows = rng.dirichlet(np.full(n, 0.6), size=species)
    closed = np.zeros(n, dtype=bool)
    closed[2::4] = True
    pioneer = np.arange(species) == species - 1
    return scene_from_attention(
        rows, labels, closed=closed, copies=copies, pioneer=pioneer, pioneer_penalty=2.0,
        hold_open=2.0, events=4_000, seed=1,
    )


params = st.query_params
case = params.get("case", "play")
st.title("Chromatin scene")
chromatin_scene(build(case), key=f"scene-{case}", autoplay=params.get("autoplay", "1") != "0")
st.caption(f"case: {case}")
