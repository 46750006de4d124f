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
from numba import njit

from coprod.model.arrays import cached, minimum
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
#: Share of the budget a professional needs assessment of every cell costs (the assessment
#: cost of the ICT role ``none``): a review or an appeal of one cell's algorithmic
#: allocation checks it against assessed need, so it costs that share over the cells.
REVIEW_ASSESSMENT_COST = 0.10


def overhead(model: CoProductionModel, budget_multiplier: float) -> np.ndarray:
    """Spending per municipality on everything but front-line professional resources.

    Staff cost is the staff employed: an algorithm's saving of case workers is already in the
    staff planned, because an automated input takes ``1 / speed`` of a human decision's staff
    time (and its human review adds some back; model/inputs.py). Discounting the staff cost
    again would count the saving twice. Each automated decision costs
    ``AUTOMATED_DECISION_COST`` to run.
    """
    cost = np.empty(len(model.administrations))
    _overhead_of(*_overhead_inputs(model, budget_multiplier), model.administrations.budget, cost)
    return cost


def _overhead_inputs(model: CoProductionModel, budget_multiplier: float) -> tuple:
    """What :func:`_overhead_of` reads besides the budget, in its order.

    The citizens who took part last month count only where an incentive is paid (None
    otherwise). The costs are ``(STAFF_COST, AUTOMATED_DECISION_COST)``, read at each call.
    """
    adm = model.administrations
    g = model.local
    c = model.citizens
    return (
        staff_capacity(model, budget_multiplier), g.automated, adm.handled,
        g.assessment_cost, g.platform_cost, g.incentive_cost,
        c.participated if g.incentive_cost.any() else None, c.municipality,
        (STAFF_COST, AUTOMATED_DECISION_COST),
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _overhead_of(
    staff, automated, handled, assessment_cost, platform_cost, incentive_cost,
    participated, municipality, costs, budget, cost,
):  # fmt: skip
    """:func:`overhead` for each municipality, in the order of the array updates it replaces.

    Staff, automated decisions, assessment and platform, and (when ``participated`` is given)
    an incentive for each citizen who took part last month; at most the budget. ``costs`` is
    ``(STAFF_COST, AUTOMATED_DECISION_COST)``.
    """
    staff_unit_cost, decision_cost = costs
    paid = np.zeros(len(cost), dtype=np.int64)
    if participated is not None:
        for i in range(len(participated)):
            if participated[i]:
                paid[municipality[i]] += 1
    for m in range(len(cost)):
        staff_cost = staff_unit_cost * staff[m]
        algorithm = 1.0 if automated[m] else 0.0
        staff_cost = staff_cost + algorithm * decision_cost * handled[m]
        spent = staff_cost + (assessment_cost[m] + platform_cost[m]) * budget[m]
        if participated is not None:
            spent = spent + incentive_cost[m] * paid[m]
        cost[m] = minimum(spent, budget[m])


def update_visible_need(model: CoProductionModel, record: StepRecord) -> None:
    """Fold this month's reports, platform traces and outreach into the record of need.

    Reports and outreach come from ``record``; platform traces count only while the platform
    is up. The record of need (``hoods.data``) persists, fading by ``DATA_MEMORY`` a month.
    """
    c = model.citizens
    traces = model.local.platform_traces
    _fold_visible_need(
        model.hoods.data, record.reported_need, record.outreach_need,
        traces if record.platform_up else None, c.municipality, c.adopted, c.hood, c.need,
        DATA_MEMORY,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _fold_visible_need(
    data, reported, outreach, platform_traces, municipality, adopted, hood, need, memory
):
    """:func:`update_visible_need` in one pass over the citizens and one over the cells.

    ``memory`` is ``DATA_MEMORY``, the share of the record kept from last month.

    The traces of adopters in municipalities whose platform leaves them (``platform_traces``;
    None while the platform is down) are summed per cell in citizen order, as ``np.bincount``
    sums them; they are added to the reports only when someone left a trace.
    """
    n_domains = data.shape[1]
    traced = np.zeros(data.shape)
    any_traced = False
    if platform_traces is not None:
        for i in range(len(municipality)):
            if platform_traces[municipality[i]] and adopted[i]:
                any_traced = True
                for d in range(n_domains):
                    traced[hood[i], d] += need[i, d]
    for h in range(data.shape[0]):
        for d in range(n_domains):
            visible = reported[h, d]
            if any_traced:
                visible = visible + traced[h, d]
            if outreach is not None:
                visible = visible + outreach[h, d]
            data[h, d] *= memory
            data[h, d] += (1.0 - memory) * visible


def allocate_resources(model: CoProductionModel, record: StepRecord) -> None:
    """Set the budget, spend overhead, and allocate the rest over neighbourhoods and domains.

    Reads the month's budget and need multipliers and platform status, the need made visible
    and the partners' sponsoring from ``record``; sets each cell's resources and each
    administration's budget, spending, capture, errors and decisions.

    The draws are made here, in the order the allocation uses them (assessment noise, then
    for an algorithm reviews and appeals); the arithmetic is one compiled pass over the
    municipalities and cells (:func:`_allocate_resources_of`), which with a few dozen cells
    costs less than the NumPy calls it replaces.
    """
    adm = model.administrations
    h = model.hoods
    g = model.local
    c = model.citizens
    rng = model.rng
    update_visible_need(model, record)
    cell_need = cached(model, "cell_need", lambda: model.cell_sum(c.need))
    noise = rng.standard_normal(cell_need.shape)
    noise *= ASSESSMENT_NOISE
    np.exp(noise, out=noise)
    review_draw = appeal_draw = skill = None
    if g.automated.any():
        review_draw = rng.random(cell_need.shape)
        skill = model.cell_mean_by_hood(c.efficacy * c.literacy)
        appeal_draw = rng.random(cell_need.shape)
    b = model.businesses
    lobbying = record.lobbying if record.lobbying is not None else np.zeros(0, dtype=np.intp)
    _allocate_resources_of(
        g.budget, record.budget_multiplier, adm.population,
        _overhead_inputs(model, record.budget_multiplier),
        h.municipality, cell_need, record.need_multiplier, noise, h.data, g.data_weight,
        g.automated, review_draw, appeal_draw, g.human_review, g.appeals, skill,
        capture_share(model, record), lobbying, b.hood, b.domain,
        record.sponsored, record.unlawful_grants, h.data.size / len(adm),
        adm.budget, adm.overhead, h.resources, adm.captured, adm.spending, adm.errors,
        adm.decisions, BUDGET_PER_CAPITA, (ALLOCATION_TOLERANCE, APPEAL_BASE, APPEAL_SKILL),
        REVIEW_ASSESSMENT_COST,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _allocate_resources_of(
    governance_budget, budget_multiplier, population, overhead_inputs,
    hood_muni, cell_need, need_multiplier, noise, data, data_weight,
    automated, review_draw, appeal_draw, human_review, appeals, skill,
    captured_share, lobbying, business_hood, business_domain,
    sponsored, unlawful_grants, decisions_per_muni,
    budget, overhead, resources, captured, spending, errors, decisions,
    budget_per_capita, review_rule, review_assessment_cost,
):  # fmt: skip
    """:func:`allocate_resources` after the draws, in the order of the array updates it replaces.

    The budget, then the overhead (:func:`overhead`); weights by the ICT role
    (:func:`_need_weight`), corrected where an algorithm allocated unlawfully
    (:func:`_automated_errors`; only with ``review_draw``), shared out per municipality; the
    captured part goes to the lobbyists' cells, or by share where no lobbyist has a cell
    there. Sums per municipality run over the cells in order, as ``np.bincount`` adds them.
    Whether anything was captured is the sign of a sum of captures, none negative, which a
    plain sum gives as NumPy's pairwise sum does.

    ``budget_per_capita`` is ``BUDGET_PER_CAPITA``; ``review_rule`` is
    ``(ALLOCATION_TOLERANCE, APPEAL_BASE, APPEAL_SKILL)``, passed to :func:`_automated_errors`;
    each cell a review or an appeal checks adds ``review_assessment_cost``
    (``REVIEW_ASSESSMENT_COST``) of the budget over the cells to the overhead.
    The staff and decision costs come with ``overhead_inputs`` (:func:`_overhead_inputs`).
    """
    n_muni = len(budget)
    for m in range(n_muni):
        budget[m] = budget_per_capita * governance_budget[m] * budget_multiplier * population[m]
    _overhead_of(*overhead_inputs, budget, overhead)
    weight, assessed = _need_weight(
        hood_muni, n_muni, cell_need, need_multiplier, noise, data, data_weight
    )
    new_errors = np.zeros(n_muni)
    if review_draw is not None:
        checked = np.zeros(n_muni)
        _automated_errors(
            hood_muni, n_muni, weight, assessed, automated, review_draw, appeal_draw,
            human_review, appeals, skill, new_errors, checked, review_rule,
        )  # fmt: skip
        # each cell checked costs its share of a professional needs assessment
        for m in range(n_muni):
            cell_cost = review_assessment_cost * budget[m] / decisions_per_muni
            overhead[m] = min(overhead[m] + checked[m] * cell_cost, budget[m])
    weight_total = _by_muni_sum(weight, hood_muni, n_muni)
    captured_total = 0.0
    for m in range(n_muni):
        captured[m] = captured_share[m] * (budget[m] - overhead[m])
        captured_total += captured[m]
    _share_out(
        weight, weight_total, hood_muni, n_muni, budget, overhead, captured_share, captured,
        captured_total > 0, lobbying, business_hood, business_domain, sponsored, resources,
    )  # fmt: skip
    for m in range(n_muni):
        if not captured_total > 0:
            captured[m] = 0.0
        spending[m] = overhead[m] + (budget[m] - overhead[m])
        errors[m] += new_errors[m]
        if unlawful_grants is not None:
            errors[m] += unlawful_grants[m]
        decisions[m] += decisions_per_muni


@njit(cache=True, nogil=True)
def _share_out(
    weight, weight_total, hood_muni, n_muni, budget, overhead, captured_share, captured,
    any_captured, lobbying, business_hood, business_domain, sponsored, resources,
):  # fmt: skip
    """Each cell's resources: its weight's share of the municipality's frontline budget.

    What is captured goes to the lobbyists' cells (one pull per lobbying partner), or by share
    where no lobbyist has a cell in the municipality; sponsorship is added on top.
    """
    pulls = np.zeros(weight.shape)
    pull_total = np.zeros(n_muni)
    if any_captured:
        for i in lobbying:
            pulls[business_hood[i], business_domain[i]] += 1.0
        pull_total = _by_muni_sum(pulls, hood_muni, n_muni)
    for h in range(weight.shape[0]):
        m = hood_muni[h]
        frontline = budget[m] - overhead[m]
        for d in range(weight.shape[1]):
            share = weight[h, d] / weight_total[m]
            public = (1.0 - captured_share[m]) * frontline * share
            if any_captured:
                if pull_total[m] > 0:
                    to_partners = pulls[h, d] / max(pull_total[m], 1.0)
                else:
                    to_partners = share
                public = public + captured[m] * to_partners
            resources[h, d] = public + sponsored[h, d]


@njit(cache=True, nogil=True)
def _need_weight(hood_muni, n_muni, cell_need, need_multiplier, noise, data, data_weight):
    """Each cell's claim on front-line resources as the ICT role weighs it, and assessed need.

    Noisy professional assessment of true need, mixed with the visible-need record by the
    role's data weight; the record is rescaled to assessed need's total per municipality,
    uniform where the record is empty.
    """
    assessed = np.empty(cell_need.shape)
    weight = np.empty(cell_need.shape)
    n_domains = cell_need.shape[1]
    for h in range(cell_need.shape[0]):
        m = hood_muni[h]
        for d in range(n_domains):
            assessed[h, d] = cell_need[h, d] * need_multiplier * noise[h, d]
            weight[h, d] = (1.0 - data_weight[m]) * assessed[h, d]
    if not np.any(data_weight != 0.0):
        return weight, assessed
    data_total = _by_muni_sum(data, hood_muni, n_muni)
    assessed_total = _by_muni_sum(assessed, hood_muni, n_muni)
    cells = np.zeros(n_muni, dtype=np.int64)
    for h in range(cell_need.shape[0]):
        cells[hood_muni[h]] += n_domains
    for h in range(cell_need.shape[0]):
        m = hood_muni[h]
        for d in range(n_domains):
            if data_total[m] > 0:
                scaled = data[h, d] * (assessed_total[m] / data_total[m])
            else:
                scaled = assessed_total[m] / max(cells[m], 1)
            weight[h, d] = weight[h, d] + data_weight[m] * scaled
    return weight, assessed


@njit(cache=True, nogil=True)
def _automated_errors(
    hood_muni, n_muni, weight, assessed, automated, review_draw, appeal_draw,
    human_review, appeals, skill, errors, checked, review_rule,
):  # fmt: skip
    """Cell weights after review and appeals of unlawful algorithmic allocations, and errors.

    A cell's allocation by an algorithm is unlawful when its share of the municipality's
    weight departs from its share of assessed need by more than ``ALLOCATION_TOLERANCE`` of
    the latter. A review (probability ``human_review``) or, for a cell given too little, an
    appeal by its residents (probability rising with their mean efficacy x literacy,
    ``skill``) sets it to its assessed-need share; the rest stand and count as ``errors``.
    ``weight`` is corrected in place. Every cell reviewed or appealed, lawful or not, is
    counted in ``checked`` (a reviewer does not know beforehand which allocations stray).
    ``review_rule`` is ``(ALLOCATION_TOLERANCE, APPEAL_BASE, APPEAL_SKILL)``.
    """
    tolerance, appeal_base, appeal_skill = review_rule
    weight_total = _by_muni_sum(weight, hood_muni, n_muni)
    assessed_total = _by_muni_sum(assessed, hood_muni, n_muni)
    for h in range(weight.shape[0]):
        m = hood_muni[h]
        appeal_p = appeal_base + appeal_skill * skill[h]
        for d in range(weight.shape[1]):
            total = weight_total[m]
            due = assessed[h, d] / assessed_total[m]
            share = weight[h, d] / total
            unlawful = automated[m] and abs(share - due) > tolerance * due
            reviewed = review_draw[h, d] < human_review[m]
            appealed = appeals[m] and share < due and appeal_draw[h, d] < appeal_p
            if automated[m] and (reviewed or appealed):
                checked[m] += 1.0
            if unlawful and (reviewed or appealed):
                weight[h, d] = due * total
            elif unlawful:
                errors[m] += 1.0


@njit(cache=True, nogil=True)
def _by_muni_sum(values, hood_muni, n_muni):
    """Sum of a ``(hoods, domains)`` array per municipality, cell after cell."""
    sums = np.zeros(n_muni)
    for h in range(values.shape[0]):
        m = hood_muni[h]
        for d in range(values.shape[1]):
            sums[m] += values[h, d]
    return sums
