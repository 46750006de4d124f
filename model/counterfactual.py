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
``evaluation_window`` months of the branches, and over ``counterfactual_replicates`` pairs of
branches, each pair on its own random stream.

The branches draw from copies of the model's generator, so the model's own run is the same with
or without this judgement. Each pair costs ``FIT_MONTHS`` steps per month with adoptions, plus
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
    """Record ``cf_effect`` (with minus without) and ``cf_se`` for each of this month's adoptions.

    With ``innovation_process.counterfactual_replicates`` = R, the comparison is made on R
    pairs of branches: the first pair on a copy of the model's own generator, each further pair
    on a fresh generator seeded from a copy of it (so the run is unchanged). ``cf_effect`` is
    the mean over the pairs, ``cf_se`` its standard error (NaN with one pair). More pairs are
    needed because the pair's common random numbers do not stay common: the branches' draws
    part as soon as one resident acts differently, so one pair's difference is mostly the
    place's own fluctuation (docs/ODD.md 7.13).

    Args:
        model: The model, during its innovation phase (the month not yet finished).
        record: This month's step record so far (the events' terms).
        adoptions: ``(municipality, innovation, settings the adoption replaced)``.
    """
    process = model.scenario.innovation_process
    window = process.evaluation_window
    replicates = process.counterfactual_replicates
    seeds = [None, *copy.deepcopy(model.rng).integers(0, 2**63, size=replicates - 1)]
    innovations = sorted({j for _, j, _ in adoptions})
    diffs: dict[int, list[np.ndarray]] = {j: [] for j in innovations}
    for seed in seeds:
        with_ = branch(model, record, [], seed=seed)[-window:].mean(axis=0)
        for j in innovations:
            undo = [adoption for adoption in adoptions if adoption[1] == j]
            without = branch(model, record, undo, seed=seed)[-window:].mean(axis=0)
            diffs[j].append(with_ - without)
    state = model.innovation
    for j in innovations:
        pairs = np.asarray(diffs[j])
        for muni in {muni for muni, jj, _ in adoptions if jj == j}:
            state.cf_effect[muni, j] = pairs[:, muni].mean()
            if len(pairs) > 1:
                state.cf_se[muni, j] = pairs[:, muni].std(ddof=1) / np.sqrt(len(pairs))


def branch(
    model: CoProductionModel,
    record: StepRecord,
    undo: list[tuple[int, int, dict[str, Any]]],
    months: int = FIT_MONTHS,
    seed: int | None = None,
) -> np.ndarray:
    """Public value per month and municipality of a fork with the adoptions ``undo`` undone.

    The fork finishes the current month from a copy of ``record`` and runs ``months - 1``
    more with the innovation process frozen; with ``seed`` it draws from a fresh generator
    seeded with it instead of a copy of the model's.

    Returns:
        ``(months, municipalities)``: the fork's public value from this month on.
    """
    twin = model.fork()
    if seed is not None:
        twin.rng = np.random.default_rng(int(seed))
    twin.innovation.frozen = True
    twin.innovation.pending = []
    for muni, _, replaced in undo:
        for key, value in replaced.items():
            twin.local.set(muni, key, value)
    twin.finish_month(copy.deepcopy(record))
    for _ in range(months - 1):
        twin.step()
    return np.asarray(twin.innovation.history[-months:])
