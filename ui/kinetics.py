"""The kinetic Monte Carlo panel shared by the Explore pages: TFs visibly bind and fall off."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lib.charts import scene as scene_charts
from lib.charts.window import Window
from lib.chromatin import kinetic_frames, running_tv_distance, simulate
from lib.chromatin.from_attention import ChromatinState, frames_in_window
from ui import state
from ui.charts import altair_chart
from ui.text import help_for, say

FRAMES = 60


SCRUB_TIME = 40.0  # in units of 1/k0: long enough to see dozens of bind/unbind events


@st.cache_data(show_spinner=False, max_entries=32)
def _run(energies: np.ndarray, closed: np.ndarray, kT: float, w0: float, events: int, seed: int):
    # k_on = 1/w0 makes the simulated unbound share equal the attention reservoir (k0 = 1).
    k_on = 1.0 / w0 if w0 > 0 else 1.0
    trajectory = simulate(energies, events=events, rng=seed, kT=kT, closed=closed, k_on=k_on)
    return trajectory, kinetic_frames(trajectory, frames=FRAMES, t_max=SCRUB_TIME)


def kinetic_panel(labels, weights, chromatin: ChromatinState, *, window: Window) -> None:
    """A toggle, then the simulation: it costs a third of a rerun, so it runs only when asked."""
    st.toggle("Watch one TF bind and fall off (kinetic simulation)", **state.bind(state.KINETIC_ON),
              help=help_for("kinetic_toggle"))
    if state.KINETIC_ON.get():
        _simulation(labels, weights, chromatin, window=window)


@st.fragment
def _simulation(labels, weights, chromatin: ChromatinState, *, window: Window) -> None:
    """Seeded Gillespie run: a time slider over frames and the convergence to equilibrium.

    A fragment: scrubbing the time slider reruns only this panel, not the whole page.
    """
    with st.container(border=True):
        left, right = st.columns(2)
        seed = left.number_input("Random seed", 0, 10_000, **state.bind(state.KINETIC_SEED),
                                 help=help_for("kinetic_seed"))
        events = right.select_slider(
            "Binding events", options=[1_000, 10_000, 100_000], **state.bind(state.KINETIC_EVENTS),
            help=help_for("kinetic_events"),
        )
        w0 = chromatin.reservoir_weight
        trajectory, frames = _run(chromatin.energies, chromatin.closed, chromatin.temperature,
                                  w0, int(events), int(seed))
        frame = st.slider("Time (frame)", 0, FRAMES - 1, **state.bind(state.KINETIC_FRAME),
                          help=help_for("kinetic_frame"))
        part = window.as_slice()
        shown = frames_in_window(frames, window.start, window.stop)
        altair_chart(
            scene_charts.kinetic_frame(list(labels[part]), weights[part],
                                       chromatin.energies[part], shown, frame,
                                       closed=chromatin.closed[part]),
            alt=scene_charts.kinetic_frame_description(list(labels[part]), shown, frame),
        )
        target = chromatin.equilibrium.occupancy
        times, tv = running_tv_distance(trajectory, target, over="total" if w0 > 0 else "bound")
        altair_chart(scene_charts.convergence_chart(times, tv),
                        alt=scene_charts.convergence_description(times, tv))
        say("kinetic_converged", events=int(events), tv=float(tv[-1]))
