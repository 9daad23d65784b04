"""Arrays that leave a pure function are frozen: the results are shared by every session on a
server (lib/pipeline), so nobody may write into them. One helper, for every module."""

from __future__ import annotations

import numpy as np


def readonly(x: np.ndarray) -> np.ndarray:
    """``x`` itself, with writing switched off."""
    x.setflags(write=False)
    return x
