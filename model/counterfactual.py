"""Fit of an adoption against a same-seed counterfactual: the place with and without it.

Whether an adopted innovation helped its place cannot be read off the place's own before-and-
after (other things change meanwhile), nor off the difference in differences that decided the
adoption (it shares that decision's baseline, so it is no independent check). Here it is judged
against a counterfactual: at the month of the decision the model is forked, from the same state
and the same random stream (common random numbers). In one branch the month's adoptions stand;
in one branch per innovation adopted that month, that innovation's adoptions are undone (each
adopting place gets back the settings the adoption replaced), so two innovations decided in the
same month are judged apart, while the places that adopted the same innovation in the same
month (all of them when a central programme scales it) are undone together, as the decision's
alternative. The branches run ``FIT_MONTHS`` months with the innovation process frozen (no new
trials, evaluations or decisions, so what differs between them is the adoption alone), and an
adoption's fit is its place's public value with minus without, averaged over the last
``evaluation_window`` months of the branches.

The branches draw from copies of the model's generator, so the model's own run is the same with
or without this judgement. It costs ``FIT_MONTHS`` steps per month with adoptions, plus
``FIT_MONTHS`` per innovation adopted in it.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from coprod.model.innovation import FIT_MONTHS

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord


def judge_adoptions(
    model: CoProductionModel,
    record: StepRecord,
    adoptions: list[tuple[int, int, dict[str, Any]]],
) -> None:
    """Record ``cf_effect`` (with minus without) for each of this month's adoptions.

    Args:
        model: The model, during its innovation phase (the month not yet finished).
        record: This month's step record so far (the events' terms).
        adoptions: ``(municipality, innovation, settings the adoption replaced)``.
    """
    window = model.scenario.innovation_process.evaluation_window
    with_ = branch(model, record, [])[-window:].mean(axis=0)
    for j in sorted({j for _, j, _ in adoptions}):
        undo = [adoption for adoption in adoptions if adoption[1] == j]
        without = branch(model, record, undo)[-window:].mean(axis=0)
        for muni, _, _ in undo:
            model.innovation.cf_effect[muni, j] = with_[muni] - without[muni]


def branch(
    model: CoProductionModel,
    record: StepRecord,
    undo: list[tuple[int, int, dict[str, Any]]],
    months: int = FIT_MONTHS,
) -> np.ndarray:
    """Public value per month and municipality of a fork with the adoptions ``undo`` undone.

    The fork finishes the current month from a copy of ``record`` and runs ``months - 1``
    more with the innovation process frozen.

    Returns:
        ``(months, municipalities)``: the fork's public value from this month on.
    """
    twin = model.fork()
    twin.innovation.frozen = True
    twin.innovation.pending = []
    for muni, _, replaced in undo:
        for key, value in replaced.items():
            twin.local.set(muni, key, value)
    twin.finish_month(copy.deepcopy(record))
    for _ in range(months - 1):
        twin.step()
    return np.asarray(twin.innovation.history[-months:])
