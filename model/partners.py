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

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from coprod.model import played
from coprod.model.arrays import cached, columns, sum_by_run

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


class PartnerParams(NamedTuple):
    """The partners' constants, read when a pass is called."""

    disengage: float
    exclusion: int
    scruple: float
    sponsor_share: float
    data_service_gain: float


class Firms(NamedTuple):
    """The businesses' arrays (``model.businesses``)."""

    municipality: np.ndarray
    hood: np.ndarray
    domain: np.ndarray
    csr: np.ndarray
    engaged: np.ndarray
    lobbied: np.ndarray
    detected: np.ndarray
    barred: np.ndarray
    months_engaged: np.ndarray


class Openness(NamedTuple):
    """Each municipality's rules for partners (``model.local``) and whether the platform is up."""

    business_openness: np.ndarray
    open_data: np.ndarray
    open_services: np.ndarray
    transformative: np.ndarray
    up: bool


class LobbyDraws(NamedTuple):
    """A month's lobbying: detection per municipality, log(1 - U) and the caught draw per firm.

    Empty while nobody is engaged (no draws are made then).
    """

    p: np.ndarray
    log_of_rest: np.ndarray
    caught: np.ndarray


# ------------------------------------------------------------------------------ the rules


@njit(cache=True, nogil=True, inline="always")
def engagement_propensity(openness, csr, open_data, open_services, mean_trust):
    """A business's monthly chance of engaging.

    ``business openness x (0.5 + csr) x (1 + 0.5 open data + 0.5 open services) x
    (0.5 + mean trust)``: the paradigm's openness, social responsibility, what open data and
    services give it to build on (while the platform is up) and its municipality's trust.
    """
    built_on = 1.0 + (0.5 if open_data else 0.0) + (0.5 if open_services else 0.0)
    return openness * (0.5 + csr) * built_on * (0.5 + mean_trust)


@njit(cache=True, nogil=True, inline="always")
def stays_engaged(engaged, draw, propensity, barred, disengage):
    """Engaged next month: an engaged one ends with ``DISENGAGE``; a barred one cannot start."""
    if engaged:
        return draw >= disengage
    return draw < propensity and barred == 0


@njit(cache=True, nogil=True, inline="always")
def lobbies(gain, p_detect, csr, p):
    """A partner lobbies when ``(1 - p) x gain - p x EXCLUSION > SCRUPLE x csr`` (Becker 1968)."""
    return (1.0 - p_detect) * gain - p_detect * p.exclusion > p.scruple * csr


@njit(cache=True, nogil=True, inline="always")
def sponsorship(budget, businesses, open_services, p):
    """An engaged partner's resources: ``SPONSOR_SHARE x budget / businesses``, x 2 if open."""
    sponsor = p.sponsor_share * budget / businesses
    return 2.0 * sponsor if open_services else sponsor


@njit(cache=True, nogil=True, inline="always")
def data_service_gain(reusing, businesses, n_domains, transformative, p):
    """A domain's data-service gain from the businesses reusing open data for it.

    ``DATA_SERVICE_GAIN x reusing / businesses x domains`` (half under other roles than
    transformative), at most ``DATA_SERVICE_GAIN``.
    """
    factor = p.data_service_gain * (1.0 if transformative else 0.5)
    return min(factor * reusing / businesses * n_domains, p.data_service_gain)


@njit(cache=True, nogil=True, inline="always")
def detection_probability(open_processes, watching, base, open_, watch):
    """Monthly chance that lobbying is caught, at most 1.

    ``DETECT_BASE`` (routine audit), plus where processes are open ``DETECT_OPEN +
    DETECT_WATCH x`` the share of residents co-creating (Olken 2007).
    """
    if not open_processes:
        return min(base, 1.0)
    return min(base + (open_ + watch * watching), 1.0)


@njit(cache=True, nogil=True, inline="always")
def captured_share(lobbyists, businesses, per_partner, ceiling):
    """Share of public resources captured: ``CAPTURE_PER_PARTNER x`` lobbyists' share, capped."""
    return min(ceiling, per_partner * lobbyists / businesses)


@njit(cache=True, nogil=True, inline="always")
def organisation_activity(outreach, base, per_share):
    """An organisation's activity: ``BASE_ACTIVITY + OUTREACH_ACTIVITY x outreach``, at most 1."""
    return min(1.0, base + per_share * outreach)


@njit(cache=True, nogil=True, inline="always")
def outreach_reach(outreach, per_share):
    """Monthly chance a low participant is reached: ``OUTREACH_REACH x outreach``, at most 1."""
    return min(1.0, per_share * outreach)


# ------------------------------------------------------------------------------ the passes


def partner_params() -> PartnerParams:
    """The module's constants as they are now."""
    return PartnerParams(
        float(DISENGAGE),
        int(EXCLUSION),
        float(SCRUPLE),
        float(SPONSOR_SHARE),
        float(DATA_SERVICE_GAIN),
    )


def businesses_engage(model: CoProductionModel, record: StepRecord) -> None:
    """Businesses start or end engagement; engaged ones add resources and data services.

    Open data and open services count only while the platform is up (``record.platform_up``);
    the sponsored resources and data-service gains go into ``record`` for allocation and
    production. Two compiled passes (:func:`_engage_of`, :func:`_lobby_and_sponsor_of`)
    apply the rules; the draws are made here, in the order and sizes they always had.
    """
    b = model.businesses
    if len(b) == 0:
        record.sponsored = np.zeros_like(model.hoods.resources)
        record.data_services = np.zeros((len(model.administrations), model.n_domains))
        return
    g = model.local
    c = model.citizens
    adm = model.administrations
    firms = columns(Firms, b)
    rules = Openness(
        g.business_openness,
        g.open_data,
        g.open_services,
        g.transformative,
        bool(record.platform_up),
    )
    p = partner_params()
    draws = model.rng.random(len(b))
    anyone_engaged = _engage_of(firms, draws, rules, c.municipality, c.trust, adm.population, p)
    anyone_engaged = played.force_engagement(model, anyone_engaged)  # played businesses
    if anyone_engaged:
        lobby = LobbyDraws(*_lobby_draws(model))
        played.force_lobbying(model, lobby.log_of_rest)
    else:
        lobby = LobbyDraws(np.zeros(0), np.zeros(0), np.zeros(0))
    record.lobbying, record.sponsored, record.data_services = _lobby_and_sponsor_of(
        firms,
        lobby,
        rules,
        adm.budget,
        _businesses_per_municipality(model),
        model.hoods.resources.shape,
        p,
    )


@njit(cache=True, nogil=True)
def _engage_of(firms, draws, rules, citizen_municipality, trust, population, p):
    """Each business's start or end of engagement; whether any is engaged.

    :func:`engagement_propensity` and :func:`stays_engaged` for each business.
    """
    trust_sum = sum_by_run(citizen_municipality, trust, len(population))
    anyone_engaged = False
    for i in range(len(firms.municipality)):
        m = firms.municipality[i]
        mean_trust = trust_sum[m] / np.float64(max(population[m], 1))
        propensity = engagement_propensity(
            rules.business_openness[m],
            firms.csr[i],
            rules.open_data[m] and rules.up,
            rules.open_services[m] and rules.up,
            mean_trust,
        )
        firms.barred[i] = max(firms.barred[i] - 1, 0)
        firms.engaged[i] = stays_engaged(
            firms.engaged[i], draws[i], propensity, firms.barred[i], p.disengage
        )
        anyone_engaged = anyone_engaged or firms.engaged[i]
    return anyone_engaged


def _lobby_draws(model: CoProductionModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Detection and the two uniform draws per business of a month's lobbying.

    A partner's gain this month is an opportunity of random size (exponential, mean 1, in
    months of the mean gain): ``-log(1 - U)``, of which this returns ``log(1 - U)``. Then the
    draws that decide whether lobbying is caught. None are made while no business is engaged.
    """
    p = detection(model)
    log_of_rest = np.log1p(-model.rng.random(len(model.businesses)))
    caught = model.rng.random(len(model.businesses))
    return p, log_of_rest, caught


@njit(cache=True, nogil=True)
def _lobby_and_sponsor_of(firms, lobby, rules, budget, per_muni, shape, p):
    """Engaged partners lobby (:func:`lobbies`), some are caught; the rest sponsor and reuse.

    Caught lobbying captures nothing and ends the engagement for ``EXCLUSION`` months.
    Nobody lobbies without draws (nobody engaged). Returns the undetected lobbyists'
    indices, the sponsored resources per cell (:func:`sponsorship`) and the data-service
    gains per municipality and domain (:func:`data_service_gain`).
    """
    n_hoods, n_domains = shape
    undetected = 0
    for i in range(len(firms.municipality)):
        if len(lobby.p) == 0:
            firms.lobbied[i] = False
            firms.detected[i] = False
            continue
        p_i = lobby.p[firms.municipality[i]]
        firms.lobbied[i] = firms.engaged[i] and lobbies(
            -lobby.log_of_rest[i], p_i, firms.csr[i], p
        )
        firms.detected[i] = firms.lobbied[i] and lobby.caught[i] < p_i
        if firms.detected[i]:
            firms.engaged[i] = False
            firms.barred[i] = p.exclusion
        elif firms.lobbied[i]:
            undetected += 1
    lobbying = np.empty(undetected, dtype=np.intp)
    sponsored = np.zeros((n_hoods, n_domains))
    reusing = np.zeros((len(budget), n_domains))
    k = 0
    for i in range(len(firms.municipality)):
        if firms.lobbied[i] and not firms.detected[i]:
            lobbying[k] = i
            k += 1
        m = firms.municipality[i]
        firms.months_engaged[i] += firms.engaged[i]
        if firms.engaged[i]:
            open_services = rules.open_services[m] and rules.up
            sponsored[firms.hood[i], firms.domain[i]] += sponsorship(
                budget[m], per_muni[m], open_services, p
            )
            if rules.open_data[m] and rules.up:
                reusing[m, firms.domain[i]] += 1.0
    data_services = np.empty_like(reusing)
    for m in range(len(budget)):
        for d in range(n_domains):
            data_services[m, d] = data_service_gain(
                reusing[m, d], per_muni[m], n_domains, rules.transformative[m], p
            )
    return lobbying, sponsored, data_services


def detection(model: CoProductionModel) -> np.ndarray:
    """Probability per municipality that a partner's lobbying this month is detected.

    Routine audit everywhere; where processes are open, the public can see them, and the more
    residents take part in co-creation the more eyes there are. The rates are passed in when
    it is called (not frozen into the compiled pass), so a run may change them.
    """
    g = model.local
    c = model.citizens
    return _detection_of(
        g.open_processes,
        c.municipality,
        c.cocreated,
        model.administrations.population,
        float(DETECT_BASE),
        float(DETECT_OPEN),
        float(DETECT_WATCH),
    )


@njit(cache=True, nogil=True)
def _detection_of(open_processes, citizen_municipality, cocreated, population, base, open_, watch):
    """:func:`detection` per municipality; co-creating residents are counted only where needed."""
    p = np.empty(len(population))
    watchers = np.zeros(len(population), dtype=np.int64)
    if open_processes.any():
        for i in range(len(citizen_municipality)):
            if cocreated[i]:
                watchers[citizen_municipality[i]] += 1
    for m in range(len(population)):
        watching = np.float64(watchers[m]) / np.float64(max(population[m], 1))
        p[m] = detection_probability(open_processes[m], watching, base, open_, watch)
    return p


def capture_share(model: CoProductionModel, record: StepRecord) -> np.ndarray:
    """Share of each municipality's public resources that undetected lobbyists pull their way."""
    lobbying = record.lobbying if record.lobbying is not None else np.zeros(0, dtype=np.intp)
    return _capture_share_of(
        model.businesses.municipality,
        lobbying,
        _businesses_per_municipality(model),
        float(CAPTURE_PER_PARTNER),
        float(CAPTURE_MAX),
    )


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
        share[m] = captured_share(np.float64(lobbyists[m]), per_muni[m], per_partner, ceiling)
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
    if _fund_of(
        orgs.municipality, outreach, orgs.activity, float(BASE_ACTIVITY), float(OUTREACH_ACTIVITY)
    ):
        _reach_and_recruit(model, record, outreach)
    played.reach_out(model, record)  # played organisations' outreach in their neighbourhoods


def _reach_and_recruit(model: CoProductionModel, record: StepRecord, outreach: np.ndarray) -> None:
    """The municipalities' outreach reaches low participants, and organisations recruit them."""
    orgs = model.organisations
    c = model.citizens
    reached, outreach_need = _reach_of(
        c.contributions,
        c.municipality,
        c.hood,
        c.need,
        outreach,
        model.rng.random(len(c)),
        len(model.hoods),
        float(OUTREACH_REACH),
        float(LOW_PARTICIPATION),
    )
    record.outreach_need = outreach_need
    if len(orgs) == 0:
        return
    _recruit_of(
        reached,
        model.rng.random(len(reached)),
        c.member,
        c.hood,
        orgs.hood,
        len(model.hoods),
        orgs.members,
        float(OUTREACH_RECRUIT),
    )


@njit(cache=True, nogil=True)
def _reach_of(contributions, municipality, hood, need, outreach, draws, n_hoods, per_share, low):
    """The low participants outreach reaches this month, and their need per cell.

    ``per_share`` is ``OUTREACH_REACH`` and ``low`` is ``LOW_PARTICIPATION``, passed in.

    A low participant is reached with :func:`outreach_reach`. Returns the residents reached
    (a view, in index order) and their need per cell, ``(hoods, domains)``.
    """
    n_domains = need.shape[1]
    reached = np.empty(len(contributions), dtype=np.intp)
    outreach_need = np.zeros((n_hoods, n_domains))
    k = 0
    for i in range(len(contributions)):
        reach = outreach_reach(outreach[municipality[i]], per_share)
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

    A neighbourhood with several organisations sends recruits to the last of them; every
    organisation's members are then counted afresh.
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
        activity[i] = organisation_activity(outreach[municipality[i]], base, per_share)
    return (outreach != 0.0).any()
