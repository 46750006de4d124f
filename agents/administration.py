"""Administrations: one per municipality, holding budget, staff capacity and the input queue.

The administration allocates professional resources across neighbourhoods and domains with the
rule its ICT role implies (Nieuwenhuizen & Meijer 2021: instrumental, transformative and
substitutive roles; Bovens & Zouridis 2002 on system-level bureaucracies), processes citizens'
inputs with limited capacity, and implements accepted proposals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coprod.agents._view import ArrayAgent, row_view


@dataclass
class AdministrationState:
    """All administrations' state as arrays, one row per municipality."""

    population: np.ndarray  # int64, residents
    budget: np.ndarray  # public budget this step, money units per month
    spending: np.ndarray  # spent this step, all items
    overhead: np.ndarray  # spent this step on anything but front-line resources
    capacity: np.ndarray  # staff time for inputs this step (staff slots)
    staff: np.ndarray  # staff slots planned at the last budget round (NaN before the first)
    workload: np.ndarray  # (municipalities, 12) staff time demanded by the inputs of the
    # last 12 months, month of the year in columns
    backlog: np.ndarray  # open inputs waiting after this step
    handled: np.ndarray  # inputs handled this step
    expired: np.ndarray  # inputs dropped unanswered this step
    errors: np.ndarray  # uncorrected erroneous decisions this step
    decisions: np.ndarray  # decisions taken this step (inputs and allocations)
    captured: np.ndarray  # resources allocated under capture this step
    implemented: np.ndarray  # cumulative proposals implemented
    responsiveness: np.ndarray  # share of inputs resolved this step that came in time

    def __len__(self) -> int:
        return len(self.population)


@row_view(
    "population budget spending capacity staff backlog handled expired errors captured "
    "implemented responsiveness"
)
class Administration(ArrayAgent):
    """One municipality's administration, a view onto its row of its state arrays.

    Attributes:
        population: Residents.
        budget: Budget this step.
        spending: Spending this step.
        capacity: Staff time for inputs this step, staff slots.
        staff: Staff slots planned at the last budget round.
        backlog: Open inputs waiting.
        handled: Inputs handled this step.
        expired: Inputs dropped unanswered this step.
        errors: Uncorrected erroneous decisions this step.
        captured: Resources allocated under capture this step.
        implemented: Proposals implemented so far.
        responsiveness: Share of inputs handled within the target delay.
    """
