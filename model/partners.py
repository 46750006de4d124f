"""Businesses and community organisations act: engagement, open-data reuse, lobbying, outreach.

Businesses engage more where the paradigm treats them as partners, where open data and open
services give them something to build on, and where they trust the administration; engaged
partners sponsor or deliver part of a service. A partner may also lobby to pull allocation its
way (capture). It does so when the gain outweighs the expected cost: detection is likelier where
processes are open and citizens watch them, and a partner caught loses what it pulled and its
engagement for a while (Becker 1968 on the expected cost of an offence; Olken 2007 on detection
by audits and by citizens' monitoring). Integrity follows from these choices. Community
organisations mobilise and assist their members; inclusion outreach funds them and lets them
reach residents who do not take part, recruit them and make their needs visible (Clark,
Brudney & Jang 2013; Evers & Ewert 2021).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from coprod.model.arrays import cached

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: Monthly probability that an engaged business ends its engagement.
DISENGAGE = 0.1
#: Resources a partner adds to its service each month, as a share of its municipality's budget
#: divided by the number of businesses there; open services double it (businesses deliver).
SPONSOR_SHARE = 0.08
#: Share of public resources lobbying partners capture per unit share of the municipality's
#: businesses, and its ceiling.
CAPTURE_PER_PARTNER, CAPTURE_MAX = 0.2, 0.3
#: Monthly probability that lobbying is detected by routine audit, its rise where processes are
#: open, and the further rise per unit share of residents co-creating (citizens who watch).
DETECT_BASE, DETECT_OPEN, DETECT_WATCH = 0.02, 0.1, 1.0
#: Months a business caught lobbying is barred from engagement (its sanction, counted in
#: months of the gain it forgoes).
EXCLUSION = 12
#: A business's moral cost of capture, in months of gain, per unit of social responsibility.
SCRUPLE = 2.0
#: Productivity gain of a domain's services when all of a municipality's businesses reuse open
#: data for it (transformative ICT; half as much under other roles).
DATA_SERVICE_GAIN = 0.3
#: Organisation activity without funding, and its rise per unit of outreach share.
BASE_ACTIVITY, OUTREACH_ACTIVITY = 0.3, 3.5
#: Monthly share of low-participation residents reached per unit of outreach share, and the
#: probability that a reached resident joins an organisation of the neighbourhood.
OUTREACH_REACH, OUTREACH_RECRUIT = 2.0, 0.05
#: Cumulative contributions below which a resident counts as a low participant.
LOW_PARTICIPATION = 2.0


def businesses_engage(model: CoProductionModel, record: StepRecord) -> None:
    """Businesses start or end engagement; engaged ones add resources and data services.

    Open data and open services count only while the platform is up (``record.platform_up``);
    the sponsored resources and data-service gains go into ``record`` for allocation and
    production. With a few dozen businesses the month is a handful of small steps, cheaper in
    two compiled passes (:func:`_engage_of`, :func:`_lobby_and_sponsor_of`) than as dozens of
    NumPy calls; the draws are made here, in the order and sizes they always had.
    """
    b = model.businesses
    if len(b) == 0:
        record.sponsored = np.zeros_like(model.hoods.resources)
        record.data_services = np.zeros((len(model.administrations), model.n_domains))
        return
    g = model.local
    c = model.citizens
    adm = model.administrations
    up = bool(record.platform_up)
    draws = model.rng.random(len(b))
    anyone_engaged = _engage_of(
        b.municipality, b.csr, draws, g.business_openness, g.open_data, g.open_services, up,
        c.municipality, c.trust, adm.population, b.engaged, b.barred, float(DISENGAGE),
    )  # fmt: skip
    p, log_of_rest, caught = _lobby_draws(model) if anyone_engaged else (None, None, None)
    record.lobbying, record.sponsored, record.data_services = _lobby_and_sponsor_of(
        b.municipality, b.hood, b.domain, b.csr, p, log_of_rest, caught,
        b.engaged, b.lobbied, b.detected, b.barred, b.months_engaged,
        adm.budget, _businesses_per_municipality(model), g.open_data, g.open_services, up,
        g.transformative, model.n_domains, model.hoods.resources.shape[0],
        (int(EXCLUSION), float(SCRUPLE), float(SPONSOR_SHARE), float(DATA_SERVICE_GAIN)),
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _engage_of(
    municipality, csr, draws, business_openness, open_data, open_services, up,
    citizen_municipality, trust, population, engaged, barred, disengage,
):  # fmt: skip
    """:func:`businesses_engage`'s start and end of engagement, for each business.

    A business's propensity rises with its municipality's mean trust, its social
    responsibility and the open data and services it can build on; engaged ones end with
    probability ``disengage`` (``DISENGAGE``, passed in), barred ones may not start. Returns
    whether any is engaged.
    """
    trust_sum = _sum_by_municipality(citizen_municipality, trust, len(population))
    anyone_engaged = False
    for i in range(len(municipality)):
        m = municipality[i]
        openness = 1.0 + 0.5 * np.float64(open_data[m] and up)
        openness = openness + 0.5 * np.float64(open_services[m] and up)
        mean_trust = trust_sum[m] / np.float64(max(population[m], 1))
        p_engage = business_openness[m] * (0.5 + csr[i]) * openness * (0.5 + mean_trust)
        barred[i] = max(barred[i] - 1, 0)
        if engaged[i]:
            engaged[i] = draws[i] >= disengage
        else:
            engaged[i] = draws[i] < p_engage and barred[i] == 0
        anyone_engaged = anyone_engaged or engaged[i]
    return anyone_engaged


@njit(cache=True, nogil=True)
def _sum_by_municipality(municipality, values, n_muni):
    """``np.bincount(municipality, weights=values, minlength=n_muni)``, bit for bit.

    Each municipality's sum is taken value by value in index order, as ``np.bincount`` adds
    them; a run of citizens of one municipality is summed in a register, not through memory.
    """
    sums = np.zeros(n_muni)
    if len(municipality) == 0:
        return sums
    current = municipality[0]
    running = 0.0
    for i in range(len(municipality)):
        m = municipality[i]
        if m != current:
            sums[current] = running
            running = sums[m]
            current = m
        running += values[i]
    sums[current] = running
    return sums


def _lobby_draws(model: CoProductionModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Detection and the two uniform draws per business of a month's lobbying.

    A partner's gain this month is an opportunity of random size (exponential, mean 1, in
    months of the mean gain): ``-log(1 - U)``, of which this returns ``log(1 - U)`` (taken in
    NumPy, whose logarithm a compiled one need not match to the last bit). Then the draws
    that decide whether lobbying is caught. None are made while no business is engaged.
    """
    p = detection(model)
    log_of_rest = np.log1p(-model.rng.random(len(model.businesses)))
    caught = model.rng.random(len(model.businesses))
    return p, log_of_rest, caught


@njit(cache=True, nogil=True)
def _lobby_and_sponsor_of(
    municipality, hood, domain, csr, p, log_of_rest, caught,
    engaged, lobbied, detected, barred, months_engaged,
    budget, per_muni, open_data, open_services, up, transformative, n_domains, n_hoods, params,
):  # fmt: skip
    """Engaged partners lobby, some are caught; the rest sponsor and reuse open data.

    ``params`` is ``(EXCLUSION, SCRUPLE, SPONSOR_SHARE, DATA_SERVICE_GAIN)``, the module's
    values when it is called. A partner lobbies when ``(1 - p) · gain - p · EXCLUSION``
    exceeds its moral cost ``SCRUPLE · csr``; caught lobbying captures nothing and ends the
    engagement for ``EXCLUSION`` months. Nobody lobbies without draws (``p`` None: nobody
    engaged). Each cell's sponsorship is added business by business, in the order
    ``np.bincount`` added its weights (others add zero, as their weight times False did); the
    counts of businesses reusing open data are whole numbers. Returns the undetected
    lobbyists' indices, the sponsored resources per cell and the data-service gains per
    municipality and domain.
    """
    exclusion, scruple, sponsor_share, data_service_gain = params
    undetected = 0
    for i in range(len(municipality)):
        if p is None:
            lobbied[i] = False
            detected[i] = False
            continue
        p_i = p[municipality[i]]
        gain = -log_of_rest[i]
        lobbied[i] = engaged[i] and (1.0 - p_i) * gain - p_i * exclusion > scruple * csr[i]
        detected[i] = lobbied[i] and caught[i] < p_i
        if detected[i]:
            engaged[i] = False
            barred[i] = exclusion
        elif lobbied[i]:
            undetected += 1
    lobbying = np.empty(undetected, dtype=np.intp)
    sponsored = np.zeros(n_hoods * n_domains)
    reusing = np.zeros((len(budget), n_domains))
    k = 0
    for i in range(len(municipality)):
        if lobbied[i] and not detected[i]:
            lobbying[k] = i
            k += 1
        m = municipality[i]
        months_engaged[i] += engaged[i]
        sponsor = sponsor_share * budget[m] / per_muni[m]
        if open_services[m] and up:
            sponsor = 2.0 * sponsor
        sponsored[np.int64(hood[i]) * n_domains + domain[i]] += sponsor * np.float64(engaged[i])
        if engaged[i] and open_data[m] and up:
            reusing[m, domain[i]] += 1.0
    data_services = np.empty_like(reusing)
    for m in range(len(budget)):
        factor = data_service_gain * (1.0 if transformative[m] else 0.5)
        for d in range(n_domains):
            gain = factor * reusing[m, d] / per_muni[m] * n_domains
            data_services[m, d] = min(gain, data_service_gain)
    return lobbying, sponsored.reshape((n_hoods, n_domains)), data_services


def detection(model: CoProductionModel) -> np.ndarray:
    """Probability per municipality that a partner's lobbying this month is detected.

    Routine audit everywhere; where processes are open, the public can see them, and the more
    residents take part in co-creation the more eyes there are. The rates are passed in when
    it is called (not frozen into the compiled pass), so a run may change them.
    """
    g = model.local
    c = model.citizens
    return _detection_of(
        g.open_processes, c.municipality, c.cocreated, model.administrations.population,
        float(DETECT_BASE), float(DETECT_OPEN), float(DETECT_WATCH),
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _detection_of(open_processes, citizen_municipality, cocreated, population, base, open_, watch):
    """:func:`detection` per municipality; co-creating residents are counted only where needed."""
    p = np.full(len(population), base)
    if not open_processes.any():
        return np.minimum(p, 1.0)
    watchers = np.zeros(len(population), dtype=np.int64)
    for i in range(len(citizen_municipality)):
        if cocreated[i]:
            watchers[citizen_municipality[i]] += 1
    for m in range(len(population)):
        watching = np.float64(watchers[m]) / np.float64(max(population[m], 1))
        p[m] = min(p[m] + np.float64(open_processes[m]) * (open_ + watch * watching), 1.0)
    return p


def capture_share(model: CoProductionModel, record: StepRecord) -> np.ndarray:
    """Share of each municipality's public resources that undetected lobbyists pull their way."""
    lobbying = record.lobbying if record.lobbying is not None else np.zeros(0, dtype=np.intp)
    return _capture_share_of(
        model.businesses.municipality, lobbying, _businesses_per_municipality(model),
        float(CAPTURE_PER_PARTNER), float(CAPTURE_MAX),
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _capture_share_of(municipality, lobbying, per_muni, per_partner, ceiling):
    """:func:`capture_share` from the lobbyists counted per municipality (whole numbers).

    ``per_partner`` and ``ceiling`` are ``CAPTURE_PER_PARTNER`` and ``CAPTURE_MAX``, passed in.
    """
    lobbyists = np.zeros(len(per_muni), dtype=np.int64)
    for i in lobbying:
        lobbyists[municipality[i]] += 1
    share = np.empty(len(per_muni))
    for m in range(len(per_muni)):
        share[m] = min(ceiling, per_partner * np.float64(lobbyists[m]) / per_muni[m])
    return share


def _businesses_per_municipality(model: CoProductionModel) -> np.ndarray:
    """Businesses in each municipality, at least 1 (a divisor); businesses never move."""
    b = model.businesses
    n_muni = len(model.administrations)
    return cached(
        model,
        "businesses_per_municipality",
        lambda: np.maximum(np.bincount(b.municipality, minlength=n_muni), 1),
    )


def organisations_act(model: CoProductionModel, record: StepRecord) -> None:
    """Outreach funds organisations, which reach, recruit and make visible low participants.

    The need of the residents reached goes into ``record.outreach_need`` (None without
    outreach) for the allocation's visible-need record.
    """
    orgs = model.organisations
    outreach = model.local.inclusion_outreach
    record.outreach_need = None
    if not _fund_of(
        orgs.municipality, outreach, orgs.activity, float(BASE_ACTIVITY), float(OUTREACH_ACTIVITY)
    ):
        return
    c = model.citizens
    reached, outreach_need = _reach_of(
        c.contributions, c.municipality, c.hood, c.need, outreach,
        model.rng.random(len(c)), len(model.hoods),
        float(OUTREACH_REACH), float(LOW_PARTICIPATION),
    )  # fmt: skip
    record.outreach_need = outreach_need
    if len(orgs) == 0:
        return
    _recruit_of(
        reached, model.rng.random(len(reached)), c.member, c.hood, orgs.hood, len(model.hoods),
        orgs.members, float(OUTREACH_RECRUIT),
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _reach_of(contributions, municipality, hood, need, outreach, draws, n_hoods, per_share, low):
    """The low participants outreach reaches this month, and their need per cell.

    ``per_share`` is ``OUTREACH_REACH`` and ``low`` is ``LOW_PARTICIPATION``, passed in.

    Each cell's need is added resident by resident and domain by domain, in the order
    ``np.bincount`` added the flattened rows. Returns the residents reached (a view, in index
    order) and the need, ``(hoods, domains)``.
    """
    n_domains = need.shape[1]
    reached = np.empty(len(contributions), dtype=np.intp)
    outreach_need = np.zeros((n_hoods, n_domains))
    k = 0
    for i in range(len(contributions)):
        reach = min(1.0, per_share * outreach[municipality[i]])
        if contributions[i] < low and draws[i] < reach:
            reached[k] = i
            k += 1
            for d in range(n_domains):
                outreach_need[hood[i], d] += need[i, d]
    return reached[:k], outreach_need


@njit(cache=True, nogil=True)
def _recruit_of(reached, draws, member, hood, org_hood, n_hoods, members, recruit):
    """Reached residents without an organisation join their neighbourhood's, if it has one.

    Each joins with probability ``recruit`` (``OUTREACH_RECRUIT``, passed in).

    A neighbourhood with several organisations sends recruits to the last of them, as the
    fancy assignment did; every organisation's members are then counted afresh.
    """
    org_of_hood = np.full(n_hoods, -1, dtype=np.int32)
    for j in range(len(org_hood)):
        org_of_hood[org_hood[j]] = j
    for k in range(len(reached)):
        i = reached[k]
        if member[i] < 0 and draws[k] < recruit and org_of_hood[hood[i]] >= 0:
            member[i] = org_of_hood[hood[i]]
    members[:] = 0
    for i in range(len(member)):
        if member[i] >= 0:
            members[member[i]] += 1


@njit(cache=True, nogil=True)
def _fund_of(municipality, outreach, activity, base, per_share):
    """Each organisation's activity under its municipality's outreach; whether any funds it.

    ``base`` and ``per_share`` are ``BASE_ACTIVITY`` and ``OUTREACH_ACTIVITY``, passed in.
    """
    for i in range(len(municipality)):
        activity[i] = min(1.0, base + per_share * outreach[municipality[i]])
    return (outreach != 0.0).any()
