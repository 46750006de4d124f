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

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from coprod.model import decisions, world
from coprod.model.arrays import cached, columns
from coprod.model.inputs import staff_capacity
from coprod.model.partners import capture_share

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


class AllocationParams(NamedTuple):
    """The allocation's parameters: this month's multipliers and the constants at call time."""

    budget_per_capita: float  # world.BUDGET_PER_CAPITA
    budget_multiplier: float
    need_multiplier: float
    staff_cost: float
    decision_cost: float
    tolerance: float  # ALLOCATION_TOLERANCE
    appeal_base: float  # decisions.APPEAL_BASE
    appeal_skill: float  # decisions.APPEAL_SKILL
    review_assessment_cost: float
    cells_per_muni: float  # allocation decisions per municipality: its cells


class Overheads(NamedTuple):
    """What the overhead reads besides the budget, per municipality (and who took part)."""

    staff: np.ndarray
    automated: np.ndarray
    handled: np.ndarray
    assessment_cost: np.ndarray
    platform_cost: np.ndarray
    incentive_cost: np.ndarray
    participated: np.ndarray  # citizens; empty where no incentive is paid
    municipality: np.ndarray  # citizens'


class Rules(NamedTuple):
    """Each municipality's allocation rules and population."""

    budget: np.ndarray  # governance budget level
    population: np.ndarray
    data_weight: np.ndarray
    automated: np.ndarray
    human_review: np.ndarray
    appeals: np.ndarray


class Cells(NamedTuple):
    """The neighbourhood x domain cells allocation reads and writes."""

    municipality: np.ndarray  # per neighbourhood
    need: np.ndarray  # true need
    data: np.ndarray  # the record of visible need
    sponsored: np.ndarray
    resources: np.ndarray


class Draws(NamedTuple):
    """The month's draws per cell; review, appeal and skill are empty without an algorithm."""

    noise: np.ndarray  # the assessment's log-normal factor
    review: np.ndarray
    appeal: np.ndarray
    skill: np.ndarray  # per neighbourhood: mean efficacy x literacy


class Lobbying(NamedTuple):
    """Undetected lobbyists and what they capture."""

    captured_share: np.ndarray  # per municipality
    lobbying: np.ndarray  # business indices
    hood: np.ndarray  # businesses'
    domain: np.ndarray  # businesses'


class Traces(NamedTuple):
    """The citizens' arrays the record of visible need reads: platform traces of need."""

    municipality: np.ndarray
    adopted: np.ndarray
    hood: np.ndarray
    need: np.ndarray


class Books(NamedTuple):
    """Each administration's accounts the allocation sets or adds to."""

    budget: np.ndarray
    overhead: np.ndarray
    captured: np.ndarray
    spending: np.ndarray
    errors: np.ndarray
    decisions: np.ndarray
    unlawful_grants: np.ndarray  # this month's, from decisions; empty if none


# ------------------------------------------------------------------------------ the rules


@njit(cache=True, nogil=True, inline="always")
def budget_of(level, population, p):
    """A municipality's budget: ``BUDGET_PER_CAPITA x governance budget x multiplier x pop``."""
    return p.budget_per_capita * level * p.budget_multiplier * population


@njit(cache=True, nogil=True, inline="always")
def overhead_cost(budget, staff, automated_decisions, fixed_share, incentive, p):
    """Spending on all but front-line resources, at most the budget.

    ``STAFF_COST x staff + AUTOMATED_DECISION_COST x automated decisions + (assessment +
    platform cost share) x budget + incentive x citizens paid`` (``incentive``: their cost).
    """
    spent = p.staff_cost * staff + p.decision_cost * automated_decisions
    spent = spent + fixed_share * budget + incentive
    return min(spent, budget)


@njit(cache=True, nogil=True, inline="always")
def visible_need(record, visible, memory):
    """The record of need: ``DATA_MEMORY x record + (1 - DATA_MEMORY) x visible this month``."""
    return memory * record + (1.0 - memory) * visible


@njit(cache=True, nogil=True, inline="always")
def need_weight(assessed, scaled_record, data_weight):
    """A cell's claim: ``(1 - data weight) x assessed need + data weight x scaled record``.

    The record of visible need is scaled to assessed need's total in the municipality
    (:func:`scaled_record`); the data weight is the ICT role's.
    """
    return (1.0 - data_weight) * assessed + data_weight * scaled_record


@njit(cache=True, nogil=True, inline="always")
def scaled_record(data, data_total, assessed_total, cells):
    """A cell's record of visible need, rescaled to assessed need's total; uniform if empty."""
    if data_total > 0:
        return data * (assessed_total / data_total)
    return assessed_total / max(cells, 1)


@njit(cache=True, nogil=True, inline="always")
def unlawful(share, due, tolerance):
    """An algorithmic share departing from the assessed-need share by more than the tolerance."""
    return abs(share - due) > tolerance * due


@njit(cache=True, nogil=True, inline="always")
def cell_resources(share, frontline, captured_share, captured, to_partners, sponsored):
    """A cell's resources: its share of the public front line, of what is captured, sponsors'.

    ``(1 - captured share) x frontline x share + captured x to_partners + sponsored``, where
    ``to_partners`` is the cell's share of the lobbyists' pulls (of the weights where no
    lobbyist has a cell).
    """
    return (1.0 - captured_share) * frontline * share + captured * to_partners + sponsored


# ------------------------------------------------------------------------------ the passes


def allocation_params(model: CoProductionModel, record: StepRecord) -> AllocationParams:
    """This month's allocation parameters, with the module constants as they are now."""
    return AllocationParams(
        budget_per_capita=float(world.BUDGET_PER_CAPITA),
        budget_multiplier=float(record.budget_multiplier),
        need_multiplier=float(record.need_multiplier),
        staff_cost=float(STAFF_COST),
        decision_cost=float(AUTOMATED_DECISION_COST),
        tolerance=float(ALLOCATION_TOLERANCE),
        appeal_base=float(decisions.APPEAL_BASE),
        appeal_skill=float(decisions.APPEAL_SKILL),
        review_assessment_cost=float(REVIEW_ASSESSMENT_COST),
        cells_per_muni=model.hoods.data.size / len(model.administrations),
    )


def overhead(model: CoProductionModel, budget_multiplier: float) -> np.ndarray:
    """Spending per municipality on everything but front-line professional resources.

    Staff cost is the staff employed: an algorithm's saving of case workers is already in the
    staff planned, because an automated input takes ``1 / speed`` of a human decision's staff
    time (and its human review adds some back; model/inputs.py). Discounting the staff cost
    again would count the saving twice. Each automated decision costs
    ``AUTOMATED_DECISION_COST`` to run.
    """
    cost = np.empty(len(model.administrations))
    p = cost_params(float(budget_multiplier))
    _overhead_of(_overheads(model, budget_multiplier), model.administrations.budget, p, cost)
    return cost


def cost_params(budget_multiplier: float) -> AllocationParams:
    """The parameters :func:`overhead_cost` reads (the costs), the others neutral."""
    return AllocationParams(
        budget_per_capita=float(world.BUDGET_PER_CAPITA),
        budget_multiplier=budget_multiplier,
        need_multiplier=1.0,
        staff_cost=float(STAFF_COST),
        decision_cost=float(AUTOMATED_DECISION_COST),
        tolerance=float(ALLOCATION_TOLERANCE),
        appeal_base=0.0,
        appeal_skill=0.0,
        review_assessment_cost=float(REVIEW_ASSESSMENT_COST),
        cells_per_muni=1.0,
    )


def _overheads(model: CoProductionModel, budget_multiplier: float) -> Overheads:
    """What :func:`_overhead_of` reads besides the budget.

    The citizens who took part last month count only where an incentive is paid.
    """
    adm = model.administrations
    g = model.local
    c = model.citizens
    paid = g.incentive_cost.any()
    return Overheads(
        staff_capacity(model, budget_multiplier),
        g.automated,
        adm.handled,
        g.assessment_cost,
        g.platform_cost,
        g.incentive_cost,
        c.participated if paid else np.zeros(0, dtype=c.participated.dtype),
        c.municipality,
    )


@njit(cache=True, nogil=True)
def _overhead_of(o, budget, p, cost):
    """:func:`overhead_cost` for each municipality, counting the citizens paid an incentive."""
    paid = np.zeros(len(cost), dtype=np.int64)
    for i in range(len(o.participated)):
        if o.participated[i]:
            paid[o.municipality[i]] += 1
    for m in range(len(cost)):
        automated_decisions = o.handled[m] if o.automated[m] else 0.0
        cost[m] = overhead_cost(
            budget[m],
            o.staff[m],
            automated_decisions,
            o.assessment_cost[m] + o.platform_cost[m],
            o.incentive_cost[m] * paid[m],
            p,
        )


def update_visible_need(model: CoProductionModel, record: StepRecord) -> None:
    """Fold this month's reports, platform traces and outreach into the record of need.

    Reports and outreach come from ``record``; platform traces count only while the platform
    is up. The record of need (``hoods.data``) persists, fading by ``DATA_MEMORY`` a month
    (:func:`visible_need`).
    """
    c = model.citizens
    h = model.hoods
    traces = model.local.platform_traces
    none = np.zeros((0, h.data.shape[1]))
    _fold_visible_need(
        h.data,
        record.reported_need,
        record.outreach_need if record.outreach_need is not None else none,
        traces if record.platform_up else np.zeros(0, dtype=traces.dtype),
        columns(Traces, c),
        float(DATA_MEMORY),
    )


@njit(cache=True, nogil=True)
def _fold_visible_need(data, reported, outreach, platform_traces, citizens, memory):
    """:func:`update_visible_need` in one pass over the citizens and one over the cells.

    The traces of adopters in municipalities whose platform leaves them (``platform_traces``;
    empty while the platform is down) are summed per cell; ``outreach`` is empty without
    outreach.
    """
    n_domains = data.shape[1]
    visible = reported.copy()
    if len(platform_traces) > 0:
        for i in range(len(citizens.municipality)):
            if platform_traces[citizens.municipality[i]] and citizens.adopted[i]:
                for d in range(n_domains):
                    visible[citizens.hood[i], d] += citizens.need[i, d]
    if len(outreach) > 0:
        visible += outreach
    for h in range(data.shape[0]):
        for d in range(n_domains):
            data[h, d] = visible_need(data[h, d], visible[h, d], memory)


def allocate_resources(model: CoProductionModel, record: StepRecord) -> None:
    """Set the budget, spend overhead, and allocate the rest over neighbourhoods and domains.

    Reads the month's budget and need multipliers and platform status, the need made visible
    and the partners' sponsoring from ``record``; sets each cell's resources and each
    administration's budget, spending, capture, errors and decisions.

    The draws are made here, in the order the allocation uses them (assessment noise, then
    for an algorithm reviews and appeals); the arithmetic is one compiled pass over the
    municipalities and cells (:func:`_allocate_resources_of`).
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
    review_draw = appeal_draw = np.zeros((0, cell_need.shape[1]))
    skill = np.zeros(0)
    if g.automated.any():
        review_draw = rng.random(cell_need.shape)
        skill = model.cell_mean_by_hood(c.efficacy * c.literacy)
        appeal_draw = rng.random(cell_need.shape)
    b = model.businesses
    lobbying = record.lobbying if record.lobbying is not None else np.zeros(0, dtype=np.intp)
    grants = record.unlawful_grants
    _allocate_resources_of(
        Rules(g.budget, adm.population, g.data_weight, g.automated, g.human_review, g.appeals),
        Cells(h.municipality, cell_need, h.data, record.sponsored, h.resources),
        Draws(noise, review_draw, appeal_draw, skill),
        Lobbying(capture_share(model, record), lobbying, b.hood, b.domain),
        _overheads(model, record.budget_multiplier),
        allocation_params(model, record),
        Books(
            adm.budget,
            adm.overhead,
            adm.captured,
            adm.spending,
            adm.errors,
            adm.decisions,
            grants if grants is not None else np.zeros(0),
        ),
    )


@njit(cache=True, nogil=True)
def _allocate_resources_of(rules, cells, draws, lobby, overheads, p, books):
    """:func:`allocate_resources` after the draws.

    The budget (:func:`budget_of`), then the overhead (:func:`overhead_cost`); weights by the
    ICT role (:func:`_need_weights`), corrected where an algorithm allocated unlawfully
    (:func:`_automated_errors`; only with review draws), each cell checked adding its share
    of a professional needs assessment to the overhead; then shared out (:func:`_share_out`).
    """
    n_muni = len(books.budget)
    for m in range(n_muni):
        books.budget[m] = budget_of(rules.budget[m], rules.population[m], p)
    _overhead_of(overheads, books.budget, p, books.overhead)
    weight, assessed = _need_weights(cells, rules.data_weight, draws.noise, n_muni, p)
    new_errors = np.zeros(n_muni)
    if draws.review.shape[0] > 0:
        checked = np.zeros(n_muni)
        _automated_errors(
            cells.municipality, weight, assessed, rules, draws, p, new_errors, checked
        )
        for m in range(n_muni):
            cell_cost = p.review_assessment_cost * books.budget[m] / p.cells_per_muni
            books.overhead[m] = min(books.overhead[m] + checked[m] * cell_cost, books.budget[m])
    captured_total = 0.0
    for m in range(n_muni):
        books.captured[m] = lobby.captured_share[m] * (books.budget[m] - books.overhead[m])
        captured_total += books.captured[m]
    _share_out(weight, cells, lobby, books, captured_total > 0)
    for m in range(n_muni):
        if not captured_total > 0:
            books.captured[m] = 0.0
        books.spending[m] = books.overhead[m] + (books.budget[m] - books.overhead[m])
        books.errors[m] += new_errors[m]
        if len(books.unlawful_grants) > 0:
            books.errors[m] += books.unlawful_grants[m]
        books.decisions[m] += p.cells_per_muni


@njit(cache=True, nogil=True)
def _share_out(weight, cells, lobby, books, any_captured):
    """Each cell's resources (:func:`cell_resources`) from its weight's share.

    What is captured goes to the lobbyists' cells (one pull per lobbying partner), or by share
    where no lobbyist has a cell in the municipality; sponsorship is added on top.
    """
    n_muni = len(books.budget)
    hood_muni = cells.municipality
    weight_total = _by_muni_sum(weight, hood_muni, n_muni)
    pulls = np.zeros(weight.shape)
    pull_total = np.zeros(n_muni)
    if any_captured:
        for i in lobby.lobbying:
            pulls[lobby.hood[i], lobby.domain[i]] += 1.0
        pull_total = _by_muni_sum(pulls, hood_muni, n_muni)
    for h in range(weight.shape[0]):
        m = hood_muni[h]
        frontline = books.budget[m] - books.overhead[m]
        captured = books.captured[m] if any_captured else 0.0
        for d in range(weight.shape[1]):
            share = weight[h, d] / weight_total[m]
            to_partners = pulls[h, d] / pull_total[m] if pull_total[m] > 0 else share
            cells.resources[h, d] = cell_resources(
                share,
                frontline,
                lobby.captured_share[m],
                captured,
                to_partners,
                cells.sponsored[h, d],
            )


@njit(cache=True, nogil=True)
def _need_weights(cells, data_weight, noise, n_muni, p):
    """Each cell's claim on front-line resources (:func:`need_weight`), and assessed need.

    Assessed need is true need times the month's need multiplier times the assessment's noise.
    """
    hood_muni = cells.municipality
    shape = cells.need.shape
    assessed = np.empty(shape)
    for h in range(shape[0]):
        for d in range(shape[1]):
            assessed[h, d] = cells.need[h, d] * p.need_multiplier * noise[h, d]
    data_total = _by_muni_sum(cells.data, hood_muni, n_muni)
    assessed_total = _by_muni_sum(assessed, hood_muni, n_muni)
    n_cells = np.zeros(n_muni, dtype=np.int64)
    for h in range(shape[0]):
        n_cells[hood_muni[h]] += shape[1]
    weight = np.empty(shape)
    for h in range(shape[0]):
        m = hood_muni[h]
        for d in range(shape[1]):
            scaled = scaled_record(cells.data[h, d], data_total[m], assessed_total[m], n_cells[m])
            weight[h, d] = need_weight(assessed[h, d], scaled, data_weight[m])
    return weight, assessed


@njit(cache=True, nogil=True)
def _automated_errors(hood_muni, weight, assessed, rules, draws, p, errors, checked):
    """Cell weights after review and appeals of unlawful algorithmic allocations, and errors.

    A cell's allocation by an algorithm is :func:`unlawful` when its share of the
    municipality's weight departs from its share of assessed need by more than
    ``ALLOCATION_TOLERANCE`` of the latter. A review (probability ``human_review``) or, for a
    cell given too little, an appeal by its residents (probability ``APPEAL_BASE +
    APPEAL_SKILL x`` their mean efficacy x literacy) sets it to its assessed-need share; the
    rest stand and count as ``errors``. ``weight`` is corrected in place. Every cell reviewed
    or appealed, lawful or not, is counted in ``checked`` (a reviewer does not know
    beforehand which allocations stray).
    """
    n_muni = len(errors)
    weight_total = _by_muni_sum(weight, hood_muni, n_muni)
    assessed_total = _by_muni_sum(assessed, hood_muni, n_muni)
    for h in range(weight.shape[0]):
        m = hood_muni[h]
        if not rules.automated[m]:
            continue
        appeal_p = decisions.appeal_probability(p, draws.skill[h])
        for d in range(weight.shape[1]):
            total = weight_total[m]
            due = assessed[h, d] / assessed_total[m]
            share = weight[h, d] / total
            reviewed = draws.review[h, d] < rules.human_review[m]
            appealed = rules.appeals[m] and share < due and draws.appeal[h, d] < appeal_p
            if reviewed or appealed:
                checked[m] += 1.0
            if unlawful(share, due, p.tolerance):
                if reviewed or appealed:
                    weight[h, d] = due * total
                else:
                    errors[m] += 1.0


@njit(cache=True, nogil=True)
def _by_muni_sum(values, hood_muni, n_muni):
    """Sum of a ``(hoods, domains)`` array per municipality."""
    sums = np.zeros(n_muni)
    for h in range(values.shape[0]):
        m = hood_muni[h]
        for d in range(values.shape[1]):
            sums[m] += values[h, d]
    return sums
