"""The administration's queue of open inputs: one row per report or proposal, not per citizen.

A citizen may have several inputs open at once (several reports a month for the most active),
so the queue is a struct of arrays of its own: who submitted each input (the citizen row),
when (the month), what kind (0 report, 1 proposal), about which service domain, and in which
municipality. Inputs are appended as citizens submit them and leave when handled or expired;
the order of the rows is the order of submission, which keeps runs reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import NamedTuple

import numpy as np
from numba import njit

#: Kind codes of an input.
REPORT, PROPOSAL = 0, 1


def _empty(dtype: type) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


@dataclass
class InputQueue:
    """Open inputs as arrays, one row per input."""

    owner: np.ndarray = field(default_factory=lambda: _empty(np.int64))  # citizen row
    since: np.ndarray = field(default_factory=lambda: _empty(np.int32))  # month submitted
    kind: np.ndarray = field(default_factory=lambda: _empty(np.int8))  # REPORT or PROPOSAL
    domain: np.ndarray = field(default_factory=lambda: _empty(np.int16))  # service domain
    municipality: np.ndarray = field(default_factory=lambda: _empty(np.int32))

    def __len__(self) -> int:
        return len(self.owner)

    def add(
        self,
        owner: np.ndarray,
        since: int,
        kind: np.ndarray | int,
        domain: np.ndarray,
        municipality: np.ndarray,
    ) -> None:
        """Append new inputs (all submitted in month ``since``)."""
        n = len(owner)
        if n == 0:
            return
        new = {
            "owner": np.asarray(owner, dtype=np.int64),
            "since": np.full(n, since, dtype=np.int32),
            "kind": np.broadcast_to(np.asarray(kind, dtype=np.int8), (n,)),
            "domain": np.asarray(domain, dtype=np.int16),
            "municipality": np.asarray(municipality, dtype=np.int32),
        }
        for name in _COLUMNS:
            setattr(self, name, np.concatenate([getattr(self, name), new[name]]))

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the inputs where ``mask`` is True (the others are resolved).

        The columns are compacted in one compiled pass (:func:`_compact`): a month's queue
        of a few hundred rows costs more in per-call overhead than in copying.
        """
        kept = np.count_nonzero(mask)
        columns = Columns(*(getattr(self, name) for name in _COLUMNS))
        out = Columns(*(np.empty(kept, dtype=column.dtype) for column in columns))
        _compact(mask, columns, out)
        for name, column in zip(_COLUMNS, out, strict=True):
            setattr(self, name, column)

    def per_owner(self, citizens: int) -> np.ndarray:
        """Open inputs per citizen row."""
        return np.bincount(self.owner, minlength=citizens)


class Columns(NamedTuple):
    """The queue's five columns, for a compiled pass."""

    owner: np.ndarray
    since: np.ndarray
    kind: np.ndarray
    domain: np.ndarray
    municipality: np.ndarray


@njit(cache=True, nogil=True)
def _compact(mask, columns, kept):
    """The rows of the five ``columns`` where ``mask`` is True, in order, into ``kept``."""
    n = 0
    for i in range(len(mask)):
        if mask[i]:
            kept.owner[n] = columns.owner[i]
            kept.since[n] = columns.since[i]
            kept.kind[n] = columns.kind[i]
            kept.domain[n] = columns.domain[i]
            kept.municipality[n] = columns.municipality[i]
            n += 1


#: The queue's columns, in declaration order (looked up once: ``fields`` is slow per call).
_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(InputQueue))
