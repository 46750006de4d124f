"""The administration handles citizens' inputs: a queue with limited staff time per month.

Inputs (reports and proposals, several per citizen possible; model/input_queue.py) wait oldest
first; each takes staff time by its kind (a proposal more than a report, an automated decision
less, its human review more). Administrations staff to the workload they expect: at each
annual budget round the staff is resized to last year's mean workload plus a planning slack,
plus the staff time of the backlog spread over the coming year, within a ceiling, and a budget
cut cuts staff at once. Each administration handles inputs while
its staff time lasts, the rest wait, and inputs older than ``administration.expiry`` months are
dropped unanswered: ignored inputs are a source of value co-destruction (Uppström & Lönn 2017).
Under substitutive ICT an algorithm decides: fast and cheap, but a share
``administration.algorithm_error`` of its decisions is wrong, and only human review or appeals
correct them (Bovens & Zouridis 2002; Nieuwenhuizen & Meijer 2021 on lawfulness at risk).
Accepted proposals are implemented and raise the productivity of the service they concern.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from coprod.model.arrays import unique_rows
from coprod.model.decisions import ENTITLEMENT, judge_cases
from coprod.model.input_queue import PROPOSAL

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: Months of age that triage can reorder for reasons the model does not see (0 is strict
#: first-come, first-served among inputs of equal urgency).
TRIAGE = 2.0
#: Need (need units) above which intake marks an input urgent; urgent inputs are taken before
#: all others (two priority classes, as service-level agreements set them by category;
#: triage as a rationing device, Lipsky 1980). The entitlement threshold: a case that merits
#: service.
URGENT_NEED = ENTITLEMENT
#: Staff slots one human review of an automated decision takes, per unit of the input's
#: staff time.
REVIEW_COST = 1.0 / 3.0
#: Staff time of an input by kind (report, proposal), in staff slots at ``speed`` 1: a
#: proposal must be assessed, costed and answered with reasons, a report checked and routed.
REPORT_STAFF_TIME, PROPOSAL_STAFF_TIME = 1.0, 3.0
#: Staff planned above last year's mean workload at each annual budget round.
PLANNING_SLACK = 0.2
#: Months over which the budget round plans to clear the backlog it finds (the budget year).
BACKLOG_HORIZON = 12.0
#: Months of need one acted-upon report makes visible to the administration.
REPORT_VISIBILITY = 6.0
#: Productivity gain of a service when proposals from a share of its residents are implemented
#: (per unit share), its ceiling, and the monthly depreciation of gains towards 1.
QUALITY_GAIN, QUALITY_MAX, QUALITY_DEPRECIATION = 0.2, 1.6, 0.02
#: Proposals bundled by a community organisation are this much more likely to be accepted.
BUNDLING_BONUS = 1.3


def staff_ceiling(model: CoProductionModel) -> np.ndarray:
    """Most staff slots per administration: ``capacity x staff_per_capita x population``."""
    per_capita = model.scenario.administration.staff_per_capita
    return model.local.capacity * per_capita * model.administrations.population


def staff_capacity(model: CoProductionModel, budget_multiplier: float) -> np.ndarray:
    """Staff slots employed per administration this month.

    The staff planned at the last budget round (the ceiling before the first), within the
    ceiling; a budget cut cuts it at once, in proportion.
    """
    ceiling = staff_ceiling(model)
    planned = model.administrations.staff
    staff = np.where(np.isnan(planned), ceiling, np.minimum(planned, ceiling))
    return staff * budget_multiplier


def input_staff_time(model: CoProductionModel, kind: np.ndarray, muni: np.ndarray) -> np.ndarray:
    """Staff slots each input takes: its kind's staff time over the ICT role's speed.

    An automated decision takes ``1 / speed`` of the kind's time, plus a human review of it
    ``governance.human_review x REVIEW_COST``: reviews cost staff time.
    """
    g = model.local
    per_unit = 1.0 / g.speed + g.automated * g.human_review * REVIEW_COST
    time = np.where(kind == PROPOSAL, PROPOSAL_STAFF_TIME, REPORT_STAFF_TIME)
    return time * per_unit[muni]


def plan_staff(model: CoProductionModel, arrivals: np.ndarray, backlog: np.ndarray) -> None:
    """Record this month's workload; at each annual budget round, resize the staff.

    At the first month of every year after the first (steps 13, 25, ...), each administration
    plans ``(1 + PLANNING_SLACK) x`` last year's mean monthly workload plus the staff time of
    the inputs waiting from earlier months (``backlog``) spread over ``BACKLOG_HORIZON``
    months, divided by the share of staff left for inputs after inclusion outreach, within the
    ceiling. Administrations staff to the work they expect and the work already waiting: a
    planner who sized staff to the flow alone would never clear a backlog, and queueing delays
    rise steeply as utilisation nears 1 (Kingman 1961), hence the slack.
    """
    adm = model.administrations
    step = model.steps
    month = (step - 1) % 12
    if month == 0 and step > 1:
        share = 1.0 - model.local.inclusion_outreach
        expected = adm.workload.mean(axis=1) * (1.0 + PLANNING_SLACK)
        expected = expected + backlog / BACKLOG_HORIZON
        need = np.divide(expected, share, out=np.full(len(adm), np.inf), where=share > 0)
        adm.staff[:] = np.minimum(need, staff_ceiling(model))
    adm.workload[:, month] = arrivals


def process_inputs(model: CoProductionModel, record: StepRecord) -> None:
    """Handle, expire or keep every open input; record outcomes for the feedback phase.

    Staff follows the plan and ``record.budget_multiplier``. The citizens who were acted upon,
    accepted, rejected, wronged, corrected late or ignored go into ``record`` for the feedback
    phase (each citizen row once, however many of their inputs had that outcome), the need
    reports made visible for allocation, and inputs handled in time for the measures.
    """
    q = model.queue
    settings = model.scenario.administration
    n_muni = len(model.administrations)
    cost = input_staff_time(model, q.kind, q.municipality)
    new = q.since == model.steps
    arrivals = np.bincount(q.municipality, weights=np.where(new, cost, 0.0), minlength=n_muni)
    backlog = np.bincount(q.municipality, weights=np.where(new, 0.0, cost), minlength=n_muni)
    plan_staff(model, arrivals, backlog)
    capacity = _capacity(model, record.budget_multiplier)
    handled, expired = _queue(model, capacity, cost)
    owners = q.owner[handled]
    domains = q.domain[handled]
    age = model.steps - q.since[handled]
    wrong, reviewed, appealed = judge_cases(model, owners, domains, record=record)
    uncorrected = wrong & ~reviewed & ~appealed
    sound = ~uncorrected

    is_proposal = q.kind[handled] == PROPOSAL
    reports = handled[~is_proposal & sound]
    proposals = handled[is_proposal & sound]
    accepted_mask = _accept(model, q.owner[proposals])
    accepted = proposals[accepted_mask]

    record.reported_need = _reported_need(model, reports)
    _implement(model, accepted)

    record.acted = unique_rows(q.owner[reports])
    record.accepted = unique_rows(q.owner[accepted])
    record.rejected = unique_rows(q.owner[proposals[~accepted_mask]])
    record.wronged = unique_rows(owners[uncorrected])
    record.corrected_late = unique_rows(owners[wrong & appealed & ~reviewed])
    record.ignored = unique_rows(q.owner[expired])
    record.handled_in_time = np.bincount(
        q.municipality[handled][age <= settings.target_delay], minlength=n_muni
    ).astype(float)
    _count_outcomes(model, handled, expired, uncorrected, accepted, record)
    _close(model, handled, expired)


def _capacity(model: CoProductionModel, budget_multiplier: float) -> np.ndarray:
    """Staff time for inputs this month (slots; also kept in ``capacity``).

    Inclusion outreach takes its share of the staff.
    """
    staff = staff_capacity(model, budget_multiplier) * (1.0 - model.local.inclusion_outreach)
    model.administrations.capacity[:] = staff
    return staff


def _queue(
    model: CoProductionModel, capacity: np.ndarray, cost: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The queue rows handled this month and those that expire waiting.

    Each administration takes its urgent inputs (need above ``URGENT_NEED``) before the
    routine ones, and within each class the oldest first, with triage mixing inputs up to
    ``TRIAGE`` months apart for reasons the model does not see, while their staff time adds
    up to no more than its staff time plus a uniform draw of at most one slot (which keeps
    small administrations' throughput unbiased); of the rest, those too old expire.
    """
    q = model.queue
    n_muni = len(model.administrations)
    slack = model.rng.random(n_muni)
    priority = q.since + TRIAGE * model.rng.random(len(q))
    routine = model.citizens.need[q.owner, q.domain] <= URGENT_NEED
    order = np.lexsort((priority, routine, q.municipality))
    muni = q.municipality[order]
    spent = np.cumsum(cost[order])
    first = np.searchsorted(muni, np.arange(n_muni))
    before = np.concatenate([[0.0], spent])[first]  # staff time of earlier municipalities
    take = spent - before[muni] <= capacity[muni] + slack[muni]
    handled = order[take]
    waiting = order[~take]
    expiry = model.scenario.administration.expiry
    expired = waiting[model.steps - q.since[waiting] >= expiry]
    return handled, expired


def _accept(model: CoProductionModel, proposers: np.ndarray) -> np.ndarray:
    """Which soundly handled proposals are accepted (bundled ones more often)."""
    c = model.citizens
    bundled = c.member[proposers] >= 0
    acceptance = model.local.acceptance[c.municipality[proposers]]
    accept_p = acceptance * np.where(bundled, BUNDLING_BONUS, 1.0)
    return model.rng.random(len(proposers)) < accept_p


def _count_outcomes(
    model: CoProductionModel,
    handled: np.ndarray,
    expired: np.ndarray,
    uncorrected: np.ndarray,
    accepted: np.ndarray,
    record: StepRecord,
) -> None:
    """Each administration's counts of the month (inputs, not citizens), and responsiveness.

    A month in which an administration resolved nothing keeps its last responsiveness.
    """
    muni = model.queue.municipality
    adm = model.administrations
    n_muni = len(adm)
    adm.handled[:] = np.bincount(muni[handled], minlength=n_muni)
    adm.expired[:] = np.bincount(muni[expired], minlength=n_muni)
    resolved = adm.handled + adm.expired
    timely = np.divide(record.handled_in_time, resolved, out=np.zeros(n_muni), where=resolved > 0)
    adm.responsiveness[:] = np.where(resolved > 0, timely, adm.responsiveness)
    adm.errors[:] = np.bincount(muni[handled[uncorrected]], minlength=n_muni)
    adm.decisions[:] = adm.handled
    adm.implemented += np.bincount(muni[accepted], minlength=n_muni)


def _close(model: CoProductionModel, handled: np.ndarray, expired: np.ndarray) -> None:
    """Handled and expired inputs leave the queue; what is left is the backlog."""
    q = model.queue
    keep = np.ones(len(q), dtype=bool)
    keep[handled] = False
    keep[expired] = False
    q.keep(keep)
    model.administrations.backlog[:] = np.bincount(
        q.municipality, minlength=len(model.administrations)
    )


def _reported_need(model: CoProductionModel, reports: np.ndarray) -> np.ndarray:
    """``(hoods, domains)`` need made visible: each acted-upon report shows its owner's need."""
    c = model.citizens
    q = model.queue
    owners = q.owner[reports]
    domains = q.domain[reports]
    cells = c.hood[owners].astype(np.int64) * model.n_domains + domains
    need = c.need[owners, domains] * REPORT_VISIBILITY
    return np.bincount(cells, weights=need, minlength=model.hoods.data.size).reshape(
        model.hoods.data.shape
    )


def _implement(model: CoProductionModel, accepted: np.ndarray) -> None:
    """Each implemented proposal raises the productivity of its service in its neighbourhood."""
    c = model.citizens
    h = model.hoods
    q = h.quality
    owners = model.queue.owner[accepted]
    q -= QUALITY_DEPRECIATION * (q - 1.0)
    gain = QUALITY_GAIN / np.maximum(h.population[c.hood[owners]], 1)
    np.add.at(q, (c.hood[owners], model.queue.domain[accepted]), gain)
    np.minimum(q, QUALITY_MAX, out=q)
