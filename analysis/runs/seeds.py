"""Replicate seeds derived from one root seed (NumPy ``SeedSequence``)."""

from __future__ import annotations

import numpy as np


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """``replicates`` independent 32-bit seeds spawned from ``root``, the same on every machine."""
    children = np.random.SeedSequence(int(root)).spawn(int(replicates))
    return [int(child.generate_state(1)[0]) for child in children]
