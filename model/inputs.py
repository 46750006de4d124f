"""The administration handles citizens' inputs: a queue with limited capacity per month.

Inputs (reports and proposals) wait oldest first; each administration handles as many as its
staff capacity allows, the rest wait, and inputs older than ``administration.expiry`` months are
dropped unanswered: ignored inputs are a source of value co-destruction (Uppström & Lönn 2017).
Under substitutive ICT an algorithm decides: fast and cheap, but a share
``administration.algorithm_error`` of its decisions is wrong, and only human review or appeals
correct them (Bovens & Zouridis 2002; Nieuwenhuizen & Meijer 2021 on lawfulness at risk).
Accepted proposals are implemented and raise the productivity of the service they concern.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from coprod.model.decisions import judge_cases

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: Months of age that triage by urgency can reorder (0 is strict first-come, first-served).
TRIAGE = 2.0
#: Staff slots one human review of an automated decision takes.
REVIEW_COST = 1.0 / 3.0
#: Months of need one acted-upon report makes visible to the administration.
REPORT_VISIBILITY = 6.0
#: Productivity gain of a service when proposals from a share of its residents are implemented
#: (per unit share), its ceiling, and the monthly depreciation of gains towards 1.
QUALITY_GAIN, QUALITY_MAX, QUALITY_DEPRECIATION = 0.2, 1.6, 0.02
#: Proposals bundled by a community organisation are this much more likely to be accepted.
BUNDLING_BONUS = 1.3


def staff_capacity(model: CoProductionModel, budget_multiplier: float) -> np.ndarray:
    """Staff slots per administration this month (budget cuts cut staff as well)."""
    per_capita = model.scenario.administration.staff_per_capita
    population = model.administrations.population
    return model.local.capacity * per_capita * population * budget_multiplier


def process_inputs(model: CoProductionModel, record: StepRecord) -> None:
    """Handle, expire or keep every open input; record outcomes for the feedback phase.

    Staff capacity follows ``record.budget_multiplier``. Who was acted upon, accepted,
    rejected, wronged, corrected late or ignored goes into ``record`` for the feedback phase,
    the need reports made visible for allocation, and inputs handled in time for the measures.
    """
    c = model.citizens
    settings = model.scenario.administration
    capacity = _capacity(model, record.budget_multiplier)
    handled, expired = _queue(model, capacity)
    age = model.steps - c.pending_since[handled]
    wrong, reviewed, appealed = judge_cases(
        model, handled, c.pending_domain[handled], record=record
    )
    uncorrected = wrong & ~reviewed & ~appealed
    sound = ~uncorrected

    is_proposal = c.pending_kind[handled] == 1
    reports = handled[~is_proposal & sound]
    proposals = handled[is_proposal & sound]
    accepted_mask = _accept(model, proposals)
    accepted = proposals[accepted_mask]

    record.reported_need = _reported_need(model, reports)
    _implement(model, accepted)

    record.acted = reports
    record.accepted = accepted
    record.rejected = proposals[~accepted_mask]
    record.wronged = handled[uncorrected]
    record.corrected_late = handled[wrong & appealed & ~reviewed]
    record.ignored = expired
    record.handled_in_time = np.bincount(
        c.municipality[handled][age <= settings.target_delay],
        minlength=len(model.administrations),
    ).astype(float)
    _count_outcomes(model, handled, expired, record)
    _close(model, handled, expired)


def _capacity(model: CoProductionModel, budget_multiplier: float) -> np.ndarray:
    """Inputs each administration can handle this month (also kept in its ``capacity``)."""
    g = model.local
    staff = staff_capacity(model, budget_multiplier) * (1.0 - g.inclusion_outreach)
    automated_capacity = staff / (1.0 / g.speed + g.human_review * REVIEW_COST)
    capacity = np.where(g.automated, automated_capacity, staff * g.speed)
    # stochastic rounding keeps small municipalities' capacity unbiased
    capacity = np.floor(capacity + model.rng.random(len(capacity))).astype(np.int64)
    model.administrations.capacity[:] = capacity
    return capacity


def _queue(model: CoProductionModel, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The open inputs handled this month and those that expire waiting (citizen rows).

    Each administration takes its inputs oldest first, with triage by urgency mixing inputs a
    few months apart, up to its capacity; of the rest, those too old expire.
    """
    c = model.citizens
    n_muni = len(model.administrations)
    step = model.steps
    pending = np.flatnonzero(c.pending_since >= 0)
    priority = c.pending_since[pending] + TRIAGE * model.rng.random(len(pending))
    if n_muni == 1:
        order = np.argsort(priority)
    else:
        # citizens are stored by municipality, so ``pending`` comes in one block per
        # municipality: sorting each block by priority gives lexsort's order, much faster
        bounds = np.searchsorted(c.municipality[pending], np.arange(1, n_muni))
        blocks = np.split(np.arange(len(pending)), bounds)
        order = np.concatenate([b[np.argsort(priority[b])] for b in blocks])
    queue = pending[order]
    muni = c.municipality[queue]
    first = np.searchsorted(muni, np.arange(n_muni))
    rank = np.arange(len(queue)) - first[muni]
    take = rank < capacity[muni]
    handled = queue[take]
    waiting = queue[~take]
    expiry = model.scenario.administration.expiry
    expired = waiting[step - c.pending_since[waiting] >= expiry]
    return handled, expired


def _accept(model: CoProductionModel, proposals: np.ndarray) -> np.ndarray:
    """Which soundly handled proposals are accepted (bundled ones more often)."""
    c = model.citizens
    bundled = c.member[proposals] >= 0
    acceptance = model.local.acceptance[c.municipality[proposals]]
    accept_p = acceptance * np.where(bundled, BUNDLING_BONUS, 1.0)
    return model.rng.random(len(proposals)) < accept_p


def _count_outcomes(
    model: CoProductionModel, handled: np.ndarray, expired: np.ndarray, record: StepRecord
) -> None:
    """Each administration's counts of the month, and its responsiveness.

    A month in which an administration resolved nothing keeps its last responsiveness.
    """
    c = model.citizens
    adm = model.administrations
    n_muni = len(adm)
    adm.handled[:] = np.bincount(c.municipality[handled], minlength=n_muni)
    adm.expired[:] = np.bincount(c.municipality[expired], minlength=n_muni)
    resolved = adm.handled + adm.expired
    timely = np.divide(record.handled_in_time, resolved, out=np.zeros(n_muni), where=resolved > 0)
    adm.responsiveness[:] = np.where(resolved > 0, timely, adm.responsiveness)
    adm.errors[:] = np.bincount(c.municipality[record.wronged], minlength=n_muni)
    adm.decisions[:] = adm.handled
    adm.implemented += np.bincount(c.municipality[record.accepted], minlength=n_muni)


def _close(model: CoProductionModel, handled: np.ndarray, expired: np.ndarray) -> None:
    """Handled and expired inputs leave the queue; what is left is the backlog."""
    c = model.citizens
    c.pending_since[handled] = -1
    c.pending_since[expired] = -1
    model.administrations.backlog[:] = np.bincount(
        c.municipality[c.pending_since >= 0], minlength=len(model.administrations)
    )


def _reported_need(model: CoProductionModel, reporters: np.ndarray) -> np.ndarray:
    """``(hoods, domains)`` need made visible: each acted-upon report shows the reporter's."""
    c = model.citizens
    cells = c.hood[reporters].astype(np.int64) * model.n_domains + c.pending_domain[reporters]
    need = c.need[reporters, c.pending_domain[reporters]] * REPORT_VISIBILITY
    return np.bincount(cells, weights=need, minlength=model.hoods.data.size).reshape(
        model.hoods.data.shape
    )


def _implement(model: CoProductionModel, accepted: np.ndarray) -> None:
    """Each implemented proposal raises the productivity of its service in its neighbourhood."""
    c = model.citizens
    h = model.hoods
    q = h.quality
    q -= QUALITY_DEPRECIATION * (q - 1.0)
    gain = QUALITY_GAIN / np.maximum(h.population[c.hood[accepted]], 1)
    np.add.at(q, (c.hood[accepted], c.pending_domain[accepted]), gain)
    np.minimum(q, QUALITY_MAX, out=q)
