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

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel

#: Months of age that triage by urgency can reorder (0 is strict first-come, first-served).
TRIAGE = 2.0
#: Staff slots one human review of an automated decision takes.
REVIEW_COST = 1.0 / 3.0
#: Probability that a wronged citizen appeals: a base plus a part rising with efficacy x literacy.
APPEAL_BASE, APPEAL_SKILL = 0.1, 0.6
#: Months of need one acted-upon report makes visible to the administration.
REPORT_VISIBILITY = 6.0
#: Productivity gain of a service when proposals from a share of its residents are implemented
#: (per unit share), its ceiling, and the monthly depreciation of gains towards 1.
QUALITY_GAIN, QUALITY_MAX, QUALITY_DEPRECIATION = 0.2, 1.6, 0.02
#: Proposals bundled by a community organisation are this much more likely to be accepted.
BUNDLING_BONUS = 1.3


def staff_capacity(model: CoProductionModel) -> np.ndarray:
    """Staff slots per administration this month (budget cuts cut staff as well)."""
    per_capita = model.scenario.administration.staff_per_capita
    population = model.administrations.population
    return model.local.capacity * per_capita * population * model.budget_multiplier


def process_inputs(model: CoProductionModel) -> None:
    """Handle, expire or keep every open input; record outcomes for the feedback phase."""
    c = model.citizens
    adm = model.administrations
    g = model.local
    settings = model.scenario.administration
    rng = model.rng
    step = model.steps

    staff = staff_capacity(model) * (1.0 - g.inclusion_outreach)
    automated_capacity = staff / (1.0 / g.speed + g.human_review * REVIEW_COST)
    capacity = np.where(g.automated, automated_capacity, staff * g.speed)
    # stochastic rounding keeps small municipalities' capacity unbiased
    capacity = np.floor(capacity + rng.random(len(capacity))).astype(np.int64)
    adm.capacity[:] = capacity

    pending = np.flatnonzero(c.pending_since >= 0)
    # oldest first, with triage by urgency mixing inputs a few months apart
    priority = c.pending_since[pending] + TRIAGE * rng.random(len(pending))
    if len(adm) == 1:
        order = np.argsort(priority)
    else:
        # citizens are stored by municipality, so ``pending`` comes in one block per
        # municipality: sorting each block by priority gives lexsort's order, much faster
        bounds = np.searchsorted(c.municipality[pending], np.arange(1, len(adm)))
        blocks = np.split(np.arange(len(pending)), bounds)
        order = np.concatenate([b[np.argsort(priority[b])] for b in blocks])
    queue = pending[order]
    muni = c.municipality[queue]
    first = np.searchsorted(muni, np.arange(len(adm)))
    rank = np.arange(len(queue)) - first[muni]
    take = rank < capacity[muni]
    handled = queue[take]
    waiting = queue[~take]
    age = step - c.pending_since[handled]
    expired = waiting[step - c.pending_since[waiting] >= settings.expiry]

    where = c.municipality[handled]
    automated = g.automated[where]
    error_rate = np.where(automated, settings.algorithm_error, g.human_error[where])
    wrong = rng.random(len(handled)) < error_rate
    reviewed = automated & (rng.random(len(handled)) < g.human_review[where])
    appeal_p = APPEAL_BASE + APPEAL_SKILL * c.efficacy[handled] * c.literacy[handled]
    appealed = g.appeals[where] & (rng.random(len(handled)) < appeal_p)
    uncorrected = wrong & ~reviewed & ~appealed
    sound = ~uncorrected

    is_proposal = c.pending_kind[handled] == 1
    reports = handled[~is_proposal & sound]
    proposals = handled[is_proposal & sound]
    bundled = c.member[proposals] >= 0
    acceptance = g.acceptance[c.municipality[proposals]]
    accept_p = acceptance * np.where(bundled, BUNDLING_BONUS, 1.0)
    accepted_mask = rng.random(len(proposals)) < accept_p
    accepted = proposals[accepted_mask]

    _record_reports(model, reports)
    _implement(model, accepted)

    model.step_info.update(
        acted=reports,
        accepted=accepted,
        rejected=proposals[~accepted_mask],
        wronged=handled[uncorrected],
        corrected_late=handled[wrong & appealed & ~reviewed],
        ignored=expired,
        handled_in_time=np.bincount(
            where[age <= settings.target_delay], minlength=len(adm)
        ).astype(float),
    )
    n_muni = len(adm)
    adm.handled[:] = np.bincount(c.municipality[handled], minlength=n_muni)
    adm.expired[:] = np.bincount(c.municipality[expired], minlength=n_muni)
    resolved = adm.handled + adm.expired
    # responsiveness per municipality; a month with nothing resolved keeps the last value
    timely = np.divide(
        model.step_info["handled_in_time"], resolved, out=np.zeros(n_muni), where=resolved > 0
    )
    adm.responsiveness[:] = np.where(resolved > 0, timely, adm.responsiveness)
    adm.errors[:] = np.bincount(c.municipality[handled[uncorrected]], minlength=n_muni)
    adm.decisions[:] = adm.handled
    adm.implemented += np.bincount(c.municipality[accepted], minlength=n_muni)
    c.pending_since[handled] = -1
    c.pending_since[expired] = -1
    adm.backlog[:] = np.bincount(c.municipality[c.pending_since >= 0], minlength=n_muni)


def _record_reports(model: CoProductionModel, reporters: np.ndarray) -> None:
    """An acted-upon report makes the reporter's need in that domain visible."""
    c = model.citizens
    cells = c.hood[reporters].astype(np.int64) * model.n_domains + c.pending_domain[reporters]
    need = c.need[reporters, c.pending_domain[reporters]] * REPORT_VISIBILITY
    model.step_info["reported_need"] = np.bincount(
        cells, weights=need, minlength=model.hoods.data.size
    ).reshape(model.hoods.data.shape)


def _implement(model: CoProductionModel, accepted: np.ndarray) -> None:
    """Each implemented proposal raises the productivity of its service in its neighbourhood."""
    c = model.citizens
    h = model.hoods
    q = h.quality
    q -= QUALITY_DEPRECIATION * (q - 1.0)
    gain = QUALITY_GAIN / np.maximum(h.population[c.hood[accepted]], 1)
    np.add.at(q, (c.hood[accepted], c.pending_domain[accepted]), gain)
    np.minimum(q, QUALITY_MAX, out=q)
