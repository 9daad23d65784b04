"""The scenes the test app shows, built without Streamlit so tests can compare with them."""

from __future__ import annotations

import numpy as np

from lib.chromatin.scene_model import ChromatinScene, scene_from_attention

MARKUP = ("<img src=x onerror=alert(1)>", "<b>bold</b>", "</text><script>alert(2)</script>",
          "a & b", "  ", "\"quote'")
SENTENCE = ("The", "transcription", "factor", "binds", "the", "promoter", "of", "a", "gene",
            "in", "open", "chromatin")


def build(case: str) -> ChromatinScene:
    """play: 12 loci, 3 species of 4 copies, one a pioneer; markup: labels that look like
    HTML; many: 64 loci and 7 species, one copy each; long: 512 loci (a page would window
    them) and 10^4 events, the payload bound's case; one: a single locus and species."""
    rng = np.random.default_rng(3)
    if case == "markup":
        labels, species, copies = MARKUP, 1, 2
    elif case == "many":
        labels, species, copies = tuple(f"w{j}" for j in range(64)), 7, 1
    elif case == "play":
        labels, species, copies = SENTENCE, 3, 4
    elif case == "one":
        labels, species, copies = ("alone",), 1, 1
    elif case == "long":
        labels, species, copies = tuple(f"t{j}" for j in range(512)), 1, 3
    else:
        raise ValueError(f"unknown case {case!r}: use play, markup, many, one or long")
    n = len(labels)
    closed = np.zeros(n, dtype=bool)
    closed[2::4] = True
    return scene_from_attention(
        rng.dirichlet(np.full(n, 0.6), size=species), labels, closed=closed, copies=copies,
        pioneer=np.arange(species) == species - 1, pioneer_penalty=3.0, hold_open=2.0,
        unbound=0.35, events=10_000 if case == "long" else 4_000, seed=1,
    )
