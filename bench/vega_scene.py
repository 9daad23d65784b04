"""The rival design for issue 13, kept only to measure it: the scene as a Vega-Lite chart
animated by a timer selection (Vega-Lite 6 `time` encoding), as st.vega_lite_chart draws it.

Vega cannot run the trajectory itself, so every animation frame is precomputed here: each
molecule's position and every site's running share at `frames` evenly spaced times, in
long tables that the timer filters frame by frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.chromatin.molecules import BIND, UNBIND
from lib.chromatin.scene_model import ChromatinScene


def frame_tables(scene: ChromatinScene, *, frames: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each molecule's position, and every site's running share, at each frame."""
    traj = scene.trajectory
    n, n_species = len(scene.labels), len(scene.species)
    at = np.linspace(0.0, traj.total_time, frames)  # [frames]
    molecules = traj.species_of.size
    place = np.full(molecules, -1)
    since = np.zeros(molecules)
    held = np.zeros((n_species, n))
    cursor = 0
    tf_rows, share_rows = [], []
    homes = np.random.default_rng(0).uniform(0.1, 0.9, size=molecules) * n
    for f, t in enumerate(at):
        while cursor < traj.times.size and traj.times[cursor] <= t:
            m, j, kind = traj.molecule[cursor], traj.locus[cursor], traj.kind[cursor]
            if kind == BIND:
                place[m], since[m] = j, traj.times[cursor]
            elif kind == UNBIND:
                held[traj.species_of[m], j] += traj.times[cursor] - since[m]
                place[m] = -1
            cursor += 1
        now = held.copy()
        for m in np.flatnonzero(place >= 0):
            now[traj.species_of[m], place[m]] += t - since[m]
        for m in range(molecules):
            bound = place[m] >= 0
            tf_rows.append((f, float(place[m] if bound else homes[m]),
                            1.0 + 0.3 * traj.species_of[m] if bound else 4.0 + (m % 3),
                            scene.species[traj.species_of[m]]))
        share = now / max(t, 1e-12)
        for s in range(n_species):
            for j in range(n):
                share_rows.append((f, j + 0.25 * s, scene.species[s], float(share[s, j])))
    return (pd.DataFrame(tf_rows, columns=["frame", "x", "y", "species"]),
            pd.DataFrame(share_rows, columns=["frame", "x", "species", "share"]))


def animated_specs(scene: ChromatinScene) -> tuple[dict, dict]:
    """Two timer-driven Vega-Lite 6 unit charts: the molecules, and the running shares.

    Vega-Lite 6 refuses to animate layered or concatenated views ("Animation involving
    facet, layer, or concat is currently unsupported"), so the strand, the labels and the
    bars cannot share the molecules' chart; each chart runs its own timer.
    """
    colours = {"domain": list(scene.species), "range": list(scene.colours)}
    shapes = {"domain": list(scene.species),
              "range": ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down",
                        "stroke"][: len(scene.species)]}
    x = {"field": "x", "type": "quantitative", "axis": None,
         "scale": {"domain": [-1, len(scene.labels)]}}
    timer = [{"name": "frame", "select": {"type": "point", "on": "timer"}}]
    molecules = {
        "width": "container", "height": 200, "params": timer,
        "transform": [{"filter": {"param": "frame"}}],
        "mark": {"type": "point", "filled": True, "size": 220},
        "encoding": {"x": x,
                     "y": {"field": "y", "type": "quantitative", "axis": None,
                           "scale": {"domain": [0, 7]}},
                     "color": {"field": "species", "scale": colours},
                     "shape": {"field": "species", "scale": shapes},
                     "time": {"field": "frame", "type": "ordinal"}},
    }
    shares = {
        "width": "container", "height": 90, "params": timer,
        "transform": [{"filter": {"param": "frame"}}],
        "mark": {"type": "bar", "width": 6},
        "encoding": {"x": x,
                     "y": {"field": "share", "type": "quantitative",
                           "scale": {"domain": [0, float(scene.equilibrium.max()) * 1.2]}},
                     "color": {"field": "species", "scale": colours},
                     "time": {"field": "frame", "type": "ordinal"}},
    }
    return molecules, shares
