"""Small array helpers for the hot path: exact, allocation-light versions of common steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit


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


@njit(cache=True, nogil=True)
def sum_by_run(group, values, n_groups):
    """``np.bincount(group, weights=values, minlength=n_groups)`` for rows stored by group.

    Citizens are stored by neighbourhood, so a municipality's are one run of rows: each run is
    summed in a local variable and written once, where adding into ``sums[group[i]]`` row by
    row makes every addition wait for the store before it (three times slower at a million
    citizens). Rows out of order are still summed right, only slower.
    """
    sums = np.zeros(n_groups)
    if len(group) == 0:
        return sums
    current = group[0]
    running = 0.0
    for i in range(len(group)):
        if group[i] != current:
            sums[current] = running
            current = group[i]
            running = sums[current]
        running += values[i]
    sums[current] = running
    return sums


def columns(kind: type[Any], source: Any, **others: Any) -> Any:
    """The named tuple ``kind`` whose fields are ``source``'s attributes of the same names.

    A compiled pass takes a kind's arrays as one named tuple; filling it by name from the
    agents' state (``columns(Traits, model.citizens)``) rather than by position means a field
    can be neither forgotten nor swapped with another. ``others`` give fields ``source`` lacks.
    """
    return kind(**{f: others[f] if f in others else getattr(source, f) for f in kind._fields})
