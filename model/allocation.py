"""The administration spends its budget and allocates professional resources.

The allocation rule follows the ICT role (Nieuwenhuizen & Meijer 2021): professional needs
assessment, costly and noisy but unbiased (none); assessment mixed with demand signals from
reports (instrumental) and platform data (transformative); or an algorithm that decides from the
data alone (substitutive), cheap but blind to needs nobody reported or left a trace of (Clark,
Brudney & Jang 2013 on the distributional bias of demand-driven allocation). An algorithmic
allocation that strays from assessed need by more than ``ALLOCATION_TOLERANCE`` would not be
upheld by a review against the rules: it is unlawful unless human review or an appeal corrects
it. Partners who lobby undetected capture a share of resources (see model/partners.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from coprod.model.arrays import cached
from coprod.model.decisions import APPEAL_BASE, APPEAL_SKILL
from coprod.model.inputs import staff_capacity
from coprod.model.partners import capture_share
from coprod.model.world import BUDGET_PER_CAPITA

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: Money units per staff slot per month, and per automated decision.
STAFF_COST, AUTOMATED_DECISION_COST = 1.0, 0.1
#: Log-normal noise of professional needs assessment.
ASSESSMENT_NOISE = 0.15
#: Share of the visible-need record kept from one month to the next (about a year's memory).
DATA_MEMORY = 0.9
#: Relative departure of a cell's algorithmic share from its assessed-need share beyond which a
#: review against the rules would not uphold the allocation.
ALLOCATION_TOLERANCE = 0.25


def overhead(model: CoProductionModel, budget_multiplier: float) -> np.ndarray:
    """Spending per municipality on everything but front-line professional resources.

    Staff cost is the staff employed: an algorithm's saving of case workers is already in the
    staff planned, because an automated input takes ``1 / speed`` of a human decision's staff
    time (and its human review adds some back; model/inputs.py). Discounting the staff cost
    again would count the saving twice. Each automated decision costs
    ``AUTOMATED_DECISION_COST`` to run.
    """
    adm = model.administrations
    g = model.local
    staff_cost = STAFF_COST * staff_capacity(model, budget_multiplier)
    staff_cost = staff_cost + g.automated * AUTOMATED_DECISION_COST * adm.handled
    cost = staff_cost + (g.assessment_cost + g.platform_cost) * adm.budget
    if g.incentive_cost.any():
        c = model.citizens
        paid = np.bincount(c.municipality[c.participated], minlength=len(adm))
        cost = cost + g.incentive_cost * paid
    return np.minimum(cost, adm.budget)


def update_visible_need(model: CoProductionModel, record: StepRecord) -> None:
    """Fold this month's reports, platform traces and outreach into the record of need.

    Reports and outreach come from ``record``; platform traces count only while the platform
    is up. The record of need (``hoods.data``) persists, fading by ``DATA_MEMORY`` a month.
    """
    h = model.hoods
    visible = record.reported_need
    c = model.citizens
    traced = model.local.platform_traces[c.municipality] & c.adopted
    if record.platform_up and traced.any():
        users = np.flatnonzero(traced)
        cells = c.hood[users].astype(np.int64)[:, None] * model.n_domains + np.arange(
            model.n_domains
        )
        visible = visible + np.bincount(
            cells.ravel(), weights=c.need[users].ravel(), minlength=h.data.size
        ).reshape(h.data.shape)
    if record.outreach_need is not None:
        visible = visible + record.outreach_need
    h.data *= DATA_MEMORY
    h.data += (1.0 - DATA_MEMORY) * visible


def allocate_resources(model: CoProductionModel, record: StepRecord) -> None:
    """Set the budget, spend overhead, and allocate the rest over neighbourhoods and domains.

    Reads the month's budget and need multipliers and platform status, the need made visible
    and the partners' sponsoring from ``record``; sets each cell's resources and each
    administration's budget, spending, capture, errors and decisions.
    """
    adm = model.administrations
    h = model.hoods
    g = model.local
    adm.budget[:] = BUDGET_PER_CAPITA * g.budget * record.budget_multiplier * adm.population
    adm.overhead[:] = overhead(model, record.budget_multiplier)
    frontline = adm.budget - adm.overhead

    update_visible_need(model, record)
    cell_muni = np.repeat(h.municipality, model.n_domains).reshape(h.data.shape)
    weight, assessed = _need_weight(model, record.need_multiplier, cell_muni)
    weight, errors = _automated_errors(model, weight, assessed, cell_muni)

    captured_share = capture_share(model, record)
    shares = weight / _by_muni_sum(weight, cell_muni, len(adm))[cell_muni]
    public = (1.0 - captured_share)[cell_muni] * frontline[cell_muni] * shares
    partner_cells = record.sponsored
    captured = captured_share * frontline
    if captured.sum() > 0:
        b = model.businesses
        lobby_cells = b.hood[record.lobbying].astype(np.int64) * model.n_domains
        pulls = (
            np.bincount(lobby_cells + b.domain[record.lobbying], minlength=weight.size)
            .reshape(weight.shape)
            .astype(float)
        )
        pull_total = _by_muni_sum(pulls, cell_muni, len(adm))
        to_partners = np.where(
            pull_total[cell_muni] > 0, pulls / np.maximum(pull_total, 1)[cell_muni], shares
        )
        public = public + captured[cell_muni] * to_partners
    else:
        captured = np.zeros(len(adm))
    h.resources[:] = public + partner_cells
    adm.captured[:] = captured
    adm.spending[:] = adm.overhead + frontline
    adm.errors += errors
    if record.unlawful_grants is not None:
        adm.errors += record.unlawful_grants
    adm.decisions += weight.size / len(adm)


def _need_weight(
    model: CoProductionModel, need_multiplier: float, cell_muni: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's claim on front-line resources as the ICT role weighs it, and assessed need.

    Noisy professional assessment of true need, mixed with the visible-need record by the
    role's data weight.
    """
    c = model.citizens
    g = model.local
    true_need = cached(model, "cell_need", lambda: model.cell_sum(c.need)) * need_multiplier
    assessed = true_need * np.exp(ASSESSMENT_NOISE * model.rng.standard_normal(true_need.shape))
    data_weight = g.data_weight[cell_muni]
    weight = (1.0 - data_weight) * assessed
    if g.data_weight.any():
        n_muni = len(model.administrations)
        weight = weight + data_weight * _scaled_like(model.hoods.data, assessed, cell_muni, n_muni)
    return weight, assessed


def _automated_errors(
    model: CoProductionModel, weight: np.ndarray, assessed: np.ndarray, cell_muni: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cell weights after review and appeals of unlawful algorithmic allocations, and errors.

    A cell's allocation by an algorithm is unlawful when its share of the municipality's
    weight departs from its share of assessed need by more than ``ALLOCATION_TOLERANCE`` of
    the latter. A review (probability ``human_review``) or, for a cell given too little, an
    appeal by its residents (probability rising with their mean efficacy x literacy) sets it to
    its assessed-need share; the rest stand and count as errors. Without an algorithm the
    weights are returned unchanged and there are no errors.
    """
    g = model.local
    n_muni = len(model.administrations)
    errors = np.zeros(n_muni)
    if not g.automated.any():
        return weight, errors
    c = model.citizens
    rng = model.rng
    total = _by_muni_sum(weight, cell_muni, n_muni)[cell_muni]
    due = assessed / _by_muni_sum(assessed, cell_muni, n_muni)[cell_muni]
    share = weight / total
    unlawful = g.automated[cell_muni] & (np.abs(share - due) > ALLOCATION_TOLERANCE * due)
    reviewed = rng.random(weight.shape) < g.human_review[cell_muni]
    skill = model.cell_mean_by_hood(c.efficacy * c.literacy)[:, None]
    appeal_p = APPEAL_BASE + APPEAL_SKILL * skill
    shorted = share < due
    appealed = g.appeals[cell_muni] & shorted & (rng.random(weight.shape) < appeal_p)
    weight = np.where(unlawful & (reviewed | appealed), due * total, weight)
    uncorrected = unlawful & ~reviewed & ~appealed
    errors = np.bincount(cell_muni[uncorrected], minlength=n_muni).astype(float)
    return weight, errors


def _by_muni_sum(values: np.ndarray, cell_muni: np.ndarray, n_muni: int) -> np.ndarray:
    return np.bincount(cell_muni.ravel(), weights=values.ravel(), minlength=n_muni)


def _scaled_like(
    data: np.ndarray, reference: np.ndarray, cell_muni: np.ndarray, n_muni: int
) -> np.ndarray:
    """Rescale ``data`` to ``reference``'s total per municipality; uniform where data is empty."""
    data_total = _by_muni_sum(data, cell_muni, n_muni)
    ref_total = _by_muni_sum(reference, cell_muni, n_muni)
    cells = np.bincount(cell_muni.ravel(), minlength=n_muni)
    uniform = ref_total / np.maximum(cells, 1)
    scaled = data * (ref_total / np.where(data_total > 0, data_total, 1.0))[cell_muni]
    return np.where(data_total[cell_muni] > 0, scaled, uniform[cell_muni])
