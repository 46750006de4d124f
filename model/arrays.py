"""Small array helpers for the hot path: exact, allocation-light versions of common steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def row_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` of a ``(n, d)`` array, bit for bit, much faster for few columns.

    NumPy sums fewer than 8 elements left to right, which column additions reproduce exactly;
    a reduction along a short last axis is slow, column additions are not.
    """
    d = a.shape[1]
    if d >= 8 or d == 0:
        return a.sum(axis=1)
    out = a[:, 0].copy()
    for j in range(1, d):
        out += a[:, j]
    return out


def cached(model: Any, key: Any, make: Callable[[], Any]) -> Any:
    """A value computed once per model and key (for quantities that do not change)."""
    cache = model.__dict__.setdefault("_array_cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))``, bit for bit, in one buffer (``x`` is left alone)."""
    out = np.negative(x)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def unique_rows(rows: np.ndarray) -> np.ndarray:
    """``np.unique(rows)`` of an index array, bit for bit, without its per-call overhead.

    The hot path takes the unique citizen rows of a month's outcomes several times a step;
    for the short arrays of a small population, ``np.unique``'s checks cost more than its sort.
    """
    if len(rows) < 2:
        return rows.copy()
    ordered = np.sort(rows)
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]
