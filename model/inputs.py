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

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from coprod.model.arrays import columns
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


class StaffParams(NamedTuple):
    """The staff-time and planning constants, read when a pass is called."""

    report_time: float  # REPORT_STAFF_TIME
    proposal_time: float  # PROPOSAL_STAFF_TIME
    review_cost: float  # REVIEW_COST
    planning_slack: float
    backlog_horizon: float


class SettleParams(NamedTuple):
    """The constants of acceptance, report visibility and service quality, at call time."""

    bundling_bonus: float
    report_visibility: float
    quality_gain: float
    quality_max: float
    quality_depreciation: float


class QueueRows(NamedTuple):
    """The queue's columns (``model.queue``), one row per open input."""

    owner: np.ndarray
    since: np.ndarray
    kind: np.ndarray
    domain: np.ndarray
    municipality: np.ndarray


class Handling(NamedTuple):
    """Each municipality's ICT role as input handling sees it."""

    speed: np.ndarray
    automated: np.ndarray
    human_review: np.ndarray


class Proposers(NamedTuple):
    """The citizens' arrays settling reads: membership, place and need."""

    member: np.ndarray
    municipality: np.ndarray
    hood: np.ndarray
    need: np.ndarray


class Decided(NamedTuple):
    """Queue rows by outcome: sound reports, accepted and rejected proposals, expired inputs."""

    reports: np.ndarray
    accepted: np.ndarray
    rejected: np.ndarray
    expired: np.ndarray


class Verdicts(NamedTuple):
    """Per handled input: decided wrongly, reviewed, appealed, and left wrong."""

    wrong: np.ndarray
    reviewed: np.ndarray
    appealed: np.ndarray
    uncorrected: np.ndarray


class Outcomes(NamedTuple):
    """The citizens with each outcome, each once, filled from the front."""

    acted: np.ndarray
    accepted: np.ndarray
    rejected: np.ndarray
    wronged: np.ndarray
    corrected_late: np.ndarray
    ignored: np.ndarray


class Counts(NamedTuple):
    """Each administration's counts of the month and its responsiveness."""

    handled: np.ndarray
    expired: np.ndarray
    responsiveness: np.ndarray
    errors: np.ndarray
    decisions: np.ndarray
    implemented: np.ndarray
    backlog: np.ndarray
    handled_in_time: np.ndarray


# ------------------------------------------------------------------------------ the rules


@njit(cache=True, nogil=True, inline="always")
def staff_employed(ceiling, planned, budget_multiplier, outreach):
    """Staff slots employed: the plan (the ceiling before the first) within the ceiling.

    A budget cut cuts it at once, in proportion; inclusion outreach takes its share
    ``outreach`` of the staff from inputs.
    """
    employed = ceiling if planned != planned else min(planned, ceiling)
    return employed * budget_multiplier * (1.0 - outreach)


@njit(cache=True, nogil=True, inline="always")
def input_staff_time(kind, p):
    """Staff time of an input of ``kind`` at speed 1: a proposal's or a report's."""
    return p.proposal_time if kind == PROPOSAL else p.report_time


@njit(cache=True, nogil=True, inline="always")
def staff_time(kind, speed, automated, human_review, p):
    """Staff slots an input takes: its kind's staff time over the ICT role's speed.

    An automated decision also takes a human review of ``human_review x REVIEW_COST`` of
    its staff time: reviews cost staff time.
    """
    reviews = human_review * p.review_cost if automated else 0.0
    return input_staff_time(kind, p) * (1.0 / speed + reviews)


@njit(cache=True, nogil=True, inline="always")
def planned_staff(mean_workload, backlog, share, ceiling, p):
    """Staff planned at a budget round: ``(1 + slack) x mean workload + backlog / horizon``.

    Divided by the share of staff left for inputs after outreach, within the ceiling.
    """
    expected = mean_workload * (1.0 + p.planning_slack) + backlog / p.backlog_horizon
    return min(expected / share, ceiling) if share > 0 else ceiling


@njit(cache=True, nogil=True, inline="always")
def triage_priority(since, draw, triage):
    """An input's place in its class: its month plus up to ``TRIAGE`` months of triage."""
    return since + triage * draw


@njit(cache=True, nogil=True, inline="always")
def acceptance_probability(acceptance, member, p):
    """A sound proposal's chance: ``acceptance``, ``x BUNDLING_BONUS`` if its owner is a member."""
    return acceptance * (p.bundling_bonus if member >= 0 else 1.0)


@njit(cache=True, nogil=True, inline="always")
def depreciated_quality(quality, p):
    """Service quality depreciates towards 1 by ``QUALITY_DEPRECIATION`` a month."""
    return quality - p.quality_depreciation * (quality - 1.0)


@njit(cache=True, nogil=True, inline="always")
def implemented_quality(quality, population, p):
    """An accepted proposal adds ``QUALITY_GAIN`` over its neighbourhood's population."""
    return quality + p.quality_gain / max(population, 1)


# ------------------------------------------------------------------------------ the passes


def staff_params() -> StaffParams:
    """The staff-time and planning constants as they are now."""
    return StaffParams(
        float(REPORT_STAFF_TIME),
        float(PROPOSAL_STAFF_TIME),
        float(REVIEW_COST),
        float(PLANNING_SLACK),
        float(BACKLOG_HORIZON),
    )


def _queue_rows(model: CoProductionModel) -> QueueRows:
    q = model.queue
    return columns(QueueRows, q)


def staff_ceiling(model: CoProductionModel) -> np.ndarray:
    """Most staff slots per administration: ``capacity x staff_per_capita x population``."""
    per_capita = model.scenario.administration.staff_per_capita
    return model.local.capacity * per_capita * model.administrations.population


def staff_capacity(model: CoProductionModel, budget_multiplier: float) -> np.ndarray:
    """Staff slots employed per administration this month.

    The staff planned at the last budget round (the ceiling before the first), within the
    ceiling; a budget cut cuts it at once, in proportion.
    """
    staff = np.empty(len(model.administrations))
    _staff_of(model, float(budget_multiplier), 0.0, staff)
    return staff


def _staff_of(
    model: CoProductionModel,
    budget_multiplier: float,
    outreach: np.ndarray | float,
    staff: np.ndarray,
) -> None:
    """:func:`staff_employed` of each administration into ``staff``; ``outreach`` may be 0."""
    adm = model.administrations
    ceiling = staff_ceiling(model)
    share = np.broadcast_to(np.asarray(outreach, dtype=np.float64), ceiling.shape)
    _staff_each(ceiling, adm.staff, budget_multiplier, share, staff)


@njit(cache=True, nogil=True)
def _staff_each(ceiling, planned, budget_multiplier, outreach, staff):
    """Each administration's staff (:func:`staff_employed`)."""
    for m in range(len(ceiling)):
        staff[m] = staff_employed(ceiling[m], planned[m], budget_multiplier, outreach[m])


@njit(cache=True, nogil=True)
def _staff_time_each(queue, handling, p, month, cost, arrivals, backlog):
    """Staff slots each input takes (:func:`staff_time`), and the month's workload.

    The staff time of inputs submitted in ``month`` is added per municipality to
    ``arrivals``, that of the older ones to ``backlog``.
    """
    for i in range(len(queue.kind)):
        m = queue.municipality[i]
        cost[i] = staff_time(
            queue.kind[i], handling.speed[m], handling.automated[m], handling.human_review[m], p
        )
        if queue.since[i] == month:
            arrivals[m] += cost[i]
        else:
            backlog[m] += cost[i]


def plan_staff(model: CoProductionModel, arrivals: np.ndarray, backlog: np.ndarray) -> None:
    """Record this month's workload; at each annual budget round, resize the staff.

    At the first month of every year after the first (steps 13, 25, ...), each administration
    plans ``(1 + PLANNING_SLACK) x`` last year's mean monthly workload plus the staff time of
    the inputs waiting from earlier months (``backlog``) spread over ``BACKLOG_HORIZON``
    months, divided by the share of staff left for inputs after inclusion outreach, within the
    ceiling (:func:`planned_staff`). Administrations staff to the work they expect and the
    work already waiting: a planner who sized staff to the flow alone would never clear a
    backlog, and queueing delays rise steeply as utilisation nears 1 (Kingman 1961), hence
    the slack.
    """
    adm = model.administrations
    step = model.steps
    month = (step - 1) % 12
    if month == 0 and step > 1:
        share = 1.0 - model.local.inclusion_outreach
        mean = adm.workload.mean(axis=1)
        _plan_of(mean, backlog, share, staff_ceiling(model), staff_params(), adm.staff)
    adm.workload[:, month] = arrivals


@njit(cache=True, nogil=True)
def _plan_of(mean_workload, backlog, share, ceiling, p, staff):
    """Each administration's :func:`planned_staff`, into ``staff``."""
    for m in range(len(staff)):
        staff[m] = planned_staff(mean_workload[m], backlog[m], share[m], ceiling[m], p)


def _plan_appeals(model: CoProductionModel, appealed: np.ndarray) -> None:
    """Appeals decided this month take staff time, and the budget round plans for it.

    An appeal is a human reconsideration of the decision, as a review is: ``REVIEW_COST`` per
    unit of the input's staff time (:func:`input_staff_time`), added to this month's workload
    (``appealed`` are rows of the queue).
    """
    q = model.queue
    adm = model.administrations
    p = staff_params()
    month = (model.steps - 1) % 12
    _add_appeals(q.kind[appealed], q.municipality[appealed], p, adm.workload[:, month])


@njit(cache=True, nogil=True)
def _add_appeals(kind, municipality, p, workload):
    """Each appeal's review, ``REVIEW_COST x`` its input's staff time, into ``workload``."""
    for i in range(len(kind)):
        workload[municipality[i]] += input_staff_time(kind[i], p) * p.review_cost


def process_inputs(model: CoProductionModel, record: StepRecord) -> None:
    """Handle, expire or keep every open input; record outcomes for the feedback phase.

    Staff follows the plan and ``record.budget_multiplier``. The citizens who were acted upon,
    accepted, rejected, wronged, corrected late or ignored go into ``record`` for the feedback
    phase (each citizen row once), the need reports made visible for allocation, and inputs
    handled in time for the measures. The bookkeeping is done in compiled passes around the
    random draws and the queue's sort, into arrays allocated here.
    """
    q = model.queue
    handled, expired = _handle_in_order(model, record)
    owners = q.owner[handled]
    wrong, reviewed, appealed = judge_cases(model, owners, q.domain[handled], record=record)
    if appealed.any():
        _plan_appeals(model, handled[appealed])
    uncorrected, reports, accepted, rejected = _settle_decided(
        model, record, handled, wrong, reviewed, appealed
    )
    decided = Decided(reports, accepted, rejected, expired)
    _record_outcomes(
        model, record, owners, decided, Verdicts(wrong, reviewed, appealed, uncorrected)
    )
    adm = model.administrations
    record.handled_in_time = np.empty(len(adm))
    keep = np.ones(len(q), dtype=bool)
    counts = columns(Counts, adm, handled_in_time=record.handled_in_time)
    target = model.scenario.administration.target_delay
    _tally(handled, decided, uncorrected, _queue_rows(model), model.steps, target, counts, keep)
    q.keep(keep)


def _handle_in_order(
    model: CoProductionModel, record: StepRecord
) -> tuple[np.ndarray, np.ndarray]:
    """Plan staff from this month's arrivals and the backlog, then take the queue in order.

    Returns the queue rows handled this month and those that expire (:func:`_queue`).
    """
    g = model.local
    n_muni = len(model.administrations)
    cost = np.empty(len(model.queue))
    arrivals = np.zeros(n_muni)
    backlog = np.zeros(n_muni)
    handling = Handling(g.speed, g.automated, g.human_review)
    p = staff_params()
    _staff_time_each(_queue_rows(model), handling, p, model.steps, cost, arrivals, backlog)
    plan_staff(model, arrivals, backlog)
    capacity = _capacity(model, record.budget_multiplier)
    return _queue(model, capacity, cost)


def _settle_decided(
    model: CoProductionModel,
    record: StepRecord,
    handled: np.ndarray,
    wrong: np.ndarray,
    reviewed: np.ndarray,
    appealed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sound reports show need; sound proposals are accepted or rejected (one draw each).

    Returns which handled inputs stay wrongly decided, and the queue rows of the sound reports,
    the accepted and the rejected proposals; sets ``record.reported_need`` and implements the
    accepted proposals.
    """
    q = model.queue
    c = model.citizens
    h = model.hoods
    n = len(handled)
    uncorrected = np.empty(n, dtype=bool)
    reports = np.empty(n, dtype=np.int64)
    proposals = np.empty(n, dtype=np.int64)
    n_reports, n_proposals = _sort_decided(
        handled, q.kind, wrong, reviewed, appealed, uncorrected, reports, proposals
    )
    reports = reports[:n_reports]
    proposals = proposals[:n_proposals]
    accept_draw = model.rng.random(n_proposals)
    reported_need = np.zeros(h.data.shape)
    accepted = np.empty(n_proposals, dtype=np.int64)
    rejected = np.empty(n_proposals, dtype=np.int64)
    params = SettleParams(
        float(BUNDLING_BONUS),
        float(REPORT_VISIBILITY),
        float(QUALITY_GAIN),
        float(QUALITY_MAX),
        float(QUALITY_DEPRECIATION),
    )
    n_accepted = _settle(
        Decided(reports, accepted, rejected, proposals),
        accept_draw,
        _queue_rows(model),
        columns(Proposers, c),
        model.local.acceptance,
        h.population,
        h.quality,
        reported_need,
        params,
    )
    record.reported_need = reported_need
    return uncorrected, reports, accepted[:n_accepted], rejected[: n_proposals - n_accepted]


def _record_outcomes(
    model: CoProductionModel,
    record: StepRecord,
    owners: np.ndarray,
    decided: Decided,
    verdicts: Verdicts,
) -> None:
    """The citizens acted upon, accepted, rejected, wronged, corrected late and ignored.

    Each citizen row once, sorted, however many inputs of theirs had that outcome.
    """
    n = len(owners)
    out = Outcomes(
        np.empty(len(decided.reports), dtype=np.int64),
        np.empty(len(decided.accepted), dtype=np.int64),
        np.empty(len(decided.rejected), dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty(len(decided.expired), dtype=np.int64),
    )
    counts = _outcome_owners(model.queue.owner, owners, decided, verdicts, out)
    record.acted = out.acted[: counts[0]]
    record.accepted = out.accepted[: counts[1]]
    record.rejected = out.rejected[: counts[2]]
    record.wronged = out.wronged[: counts[3]]
    record.corrected_late = out.corrected_late[: counts[4]]
    record.ignored = out.ignored[: counts[5]]


def _capacity(model: CoProductionModel, budget_multiplier: float) -> np.ndarray:
    """Staff time for inputs this month (slots; also kept in ``capacity``).

    Inclusion outreach takes its share of the staff.
    """
    staff = model.administrations.capacity
    _staff_of(model, float(budget_multiplier), model.local.inclusion_outreach, staff)
    return staff.copy()


def _queue(
    model: CoProductionModel, capacity: np.ndarray, cost: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The queue rows handled this month and those that expire waiting.

    Each administration takes its urgent inputs (need above ``URGENT_NEED``) before the
    routine ones, and within each class the oldest first, with triage mixing inputs up to
    ``TRIAGE`` months apart for reasons the model does not see (:func:`triage_priority`),
    while their staff time adds up to no more than its staff time plus a uniform draw of at
    most one slot (which keeps small administrations' throughput unbiased); of the rest,
    those too old expire.
    """
    q = model.queue
    rows = _queue_rows(model)
    slack = model.rng.random(len(model.administrations))
    triage = model.rng.random(len(q))
    priority = np.empty(len(q))
    routine = np.empty(len(q), dtype=bool)
    urgent = float(URGENT_NEED)
    _triage_each(rows, model.citizens.need, triage, float(TRIAGE), urgent, priority, routine)
    order = np.lexsort((priority, routine, q.municipality))
    expiry = model.scenario.administration.expiry
    handled = np.empty(len(q), dtype=np.int64)
    expired = np.empty(len(q), dtype=np.int64)
    n_handled, n_expired = _take_in_order(
        order, rows, cost, capacity + slack, model.steps, expiry, handled, expired
    )
    return handled[:n_handled], expired[:n_expired]


@njit(cache=True, nogil=True)
def _triage_each(queue, need, triage, triage_months, urgent_need, priority, routine):
    """Each input's sort keys: :func:`triage_priority`, and whether it is routine.

    An input is routine where its owner's need is at most ``urgent_need`` (``URGENT_NEED``).
    """
    for i in range(len(queue.since)):
        priority[i] = triage_priority(queue.since[i], triage[i], triage_months)
        routine[i] = need[queue.owner[i], queue.domain[i]] <= urgent_need


@njit(cache=True, nogil=True)
def _take_in_order(order, queue, cost, capacity, month, expiry, handled, expired):
    """Walk the sorted queue: each administration takes inputs while its staff time lasts.

    ``capacity`` is each administration's staff time plus its slack draw. Fills ``handled``
    and ``expired`` (queue rows, in the sorted order) from the front; returns how many each.
    """
    n_handled = n_expired = 0
    spent = 0.0
    for i in range(len(order)):
        row = order[i]
        m = queue.municipality[row]
        if i == 0 or m != queue.municipality[order[i - 1]]:
            spent = 0.0
        spent += cost[row]
        if spent <= capacity[m]:
            handled[n_handled] = row
            n_handled += 1
        elif month - queue.since[row] >= expiry:
            expired[n_expired] = row
            n_expired += 1
    return n_handled, n_expired


@njit(cache=True, nogil=True)
def _sort_decided(handled, kind, wrong, reviewed, appealed, uncorrected, reports, proposals):
    """Which decisions stand wrong (``uncorrected``), and the soundly decided inputs.

    A wrong decision stands unless a review or an appeal corrected it. Fills ``reports`` and
    ``proposals`` (queue rows) from the front and returns how many of each.
    """
    n_reports = n_proposals = 0
    for i in range(len(handled)):
        uncorrected[i] = wrong[i] and not reviewed[i] and not appealed[i]
        if uncorrected[i]:
            continue
        if kind[handled[i]] == PROPOSAL:
            proposals[n_proposals] = handled[i]
            n_proposals += 1
        else:
            reports[n_reports] = handled[i]
            n_reports += 1
    return n_reports, n_proposals


@njit(cache=True, nogil=True)
def _settle(decided, accept_draw, queue, citizens, acceptance, population, quality, shown, p):
    """Accept proposals, make reported need visible, implement what was accepted.

    ``decided`` holds the sound reports and, in its ``expired`` place, the sound proposals;
    its ``accepted`` and ``rejected`` are filled from the front (queue rows). A proposal is
    accepted with :func:`acceptance_probability`. Each acted-upon report shows its owner's
    need in its cell (``REPORT_VISIBILITY`` months of it) in ``shown``. Service quality
    depreciates (:func:`depreciated_quality`), each accepted proposal adds to it
    (:func:`implemented_quality`), within ``QUALITY_MAX``. Returns how many were accepted.
    """
    proposals = decided.expired
    n_accepted = n_rejected = 0
    for i in range(len(proposals)):
        proposer = queue.owner[proposals[i]]
        chance = acceptance_probability(
            acceptance[citizens.municipality[proposer]], citizens.member[proposer], p
        )
        if accept_draw[i] < chance:
            decided.accepted[n_accepted] = proposals[i]
            n_accepted += 1
        else:
            decided.rejected[n_rejected] = proposals[i]
            n_rejected += 1
    for row in decided.reports:
        reporter = queue.owner[row]
        d = queue.domain[row]
        shown[citizens.hood[reporter], d] += citizens.need[reporter, d] * p.report_visibility
    for j in range(quality.shape[0]):
        for d in range(quality.shape[1]):
            quality[j, d] = depreciated_quality(quality[j, d], p)
    for i in range(n_accepted):
        row = decided.accepted[i]
        j = citizens.hood[queue.owner[row]]
        d = queue.domain[row]
        quality[j, d] = implemented_quality(quality[j, d], population[j], p)
    for j in range(quality.shape[0]):
        for d in range(quality.shape[1]):
            quality[j, d] = min(quality[j, d], p.quality_max)
    return n_accepted


@njit(cache=True, nogil=True)
def _distinct(values, n):
    """Sort the first ``n`` of ``values`` and move each distinct one to the front, once.

    Returns how many are distinct: the front of ``values`` is then ``np.unique`` of the
    first ``n``.
    """
    values[:n].sort()
    distinct = 0
    for i in range(n):
        if i == 0 or values[i] != values[distinct - 1]:
            values[distinct] = values[i]
            distinct += 1
    return distinct


@njit(cache=True, nogil=True)
def _owners_of(owner, rows, out):
    """The distinct citizens behind the queue ``rows``, at the front of ``out``; how many."""
    for i in range(len(rows)):
        out[i] = owner[rows[i]]
    return _distinct(out, len(rows))


@njit(cache=True, nogil=True)
def _outcome_owners(owner, owners, decided, verdicts, out):
    """The citizens acted upon, accepted, rejected, wronged, corrected late and ignored.

    Each citizen row once, in ascending order, at the front of its array in ``out``; returns
    how many each. ``owners`` are the citizens behind the handled inputs, in the order of the
    ``verdicts``. A wrong decision an appeal corrected without a review came late.
    """
    n_wronged = n_late = 0
    for i in range(len(owners)):
        if verdicts.uncorrected[i]:
            out.wronged[n_wronged] = owners[i]
            n_wronged += 1
        if verdicts.wrong[i] and verdicts.appealed[i] and not verdicts.reviewed[i]:
            out.corrected_late[n_late] = owners[i]
            n_late += 1
    return (
        _owners_of(owner, decided.reports, out.acted),
        _owners_of(owner, decided.accepted, out.accepted),
        _owners_of(owner, decided.rejected, out.rejected),
        _distinct(out.wronged, n_wronged),
        _distinct(out.corrected_late, n_late),
        _owners_of(owner, decided.expired, out.ignored),
    )


@njit(cache=True, nogil=True)
def _tally(handled, decided, uncorrected, queue, month, target_delay, counts, keep):
    """Each administration's counts of the month (inputs, not citizens), and responsiveness.

    Inputs handled within ``target_delay`` months count in ``handled_in_time``; a month in
    which an administration resolved nothing keeps its last responsiveness. Handled and
    expired inputs are cleared from ``keep``; what is left is the ``backlog``.
    """
    n_muni = len(counts.handled)
    handled_count = np.zeros(n_muni, dtype=np.int64)
    error_count = np.zeros(n_muni, dtype=np.int64)
    expired_count = np.zeros(n_muni, dtype=np.int64)
    implemented_count = np.zeros(n_muni, dtype=np.int64)
    in_time = np.zeros(n_muni, dtype=np.int64)
    waiting = np.zeros(n_muni, dtype=np.int64)
    for i in range(len(handled)):
        row = handled[i]
        m = queue.municipality[row]
        handled_count[m] += 1
        if month - queue.since[row] <= target_delay:
            in_time[m] += 1
        if uncorrected[i]:
            error_count[m] += 1
        keep[row] = False
    for row in decided.expired:
        expired_count[queue.municipality[row]] += 1
        keep[row] = False
    for row in decided.accepted:
        implemented_count[queue.municipality[row]] += 1
    for row in range(len(keep)):
        if keep[row]:
            waiting[queue.municipality[row]] += 1
    for m in range(n_muni):
        counts.handled_in_time[m] = in_time[m]
        counts.handled[m] = handled_count[m]
        counts.expired[m] = expired_count[m]
        resolved = counts.handled[m] + counts.expired[m]
        if resolved > 0:
            counts.responsiveness[m] = counts.handled_in_time[m] / resolved
        counts.errors[m] = error_count[m]
        counts.decisions[m] = counts.handled[m]
        counts.implemented[m] += implemented_count[m]
        counts.backlog[m] = waiting[m]
