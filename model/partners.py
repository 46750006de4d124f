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
    production.
    """
    b = model.businesses
    if len(b) == 0:
        record.sponsored = np.zeros_like(model.hoods.resources)
        record.data_services = np.zeros((len(model.administrations), model.n_domains))
        return
    rng = model.rng
    g = model.local
    up = record.platform_up
    open_data = g.open_data & up
    open_services = g.open_services & up
    muni = b.municipality
    openness = 1.0 + 0.5 * open_data[muni] + 0.5 * open_services[muni]
    trust = model.municipality_mean(model.citizens.trust)[muni]
    p_engage = g.business_openness[muni] * (0.5 + b.csr) * openness * (0.5 + trust)
    draws = rng.random(len(b))
    np.maximum(b.barred - 1, 0, out=b.barred)
    b.engaged[:] = np.where(b.engaged, draws >= DISENGAGE, (draws < p_engage) & (b.barred == 0))
    _lobby(model, record)
    b.months_engaged += b.engaged

    n_muni = len(model.administrations)
    per_muni = _businesses_per_municipality(model)
    budget = model.administrations.budget
    sponsor = SPONSOR_SHARE * budget[b.municipality] / per_muni[b.municipality]
    sponsor = np.where(open_services[muni], 2.0 * sponsor, sponsor)
    cells = b.hood.astype(np.int64) * model.n_domains + b.domain
    record.sponsored = np.bincount(
        cells, weights=sponsor * b.engaged, minlength=model.hoods.resources.size
    ).reshape(model.hoods.resources.shape)

    reusing = b.engaged & open_data[muni]
    gain = np.zeros((n_muni, model.n_domains))
    np.add.at(gain, (muni[reusing], b.domain[reusing]), 1.0)
    factor = DATA_SERVICE_GAIN * np.where(g.transformative, 1.0, 0.5)
    gain = factor[:, None] * gain / per_muni[:, None] * model.n_domains
    record.data_services = np.minimum(gain, DATA_SERVICE_GAIN)


def detection(model: CoProductionModel) -> np.ndarray:
    """Probability per municipality that a partner's lobbying this month is detected.

    Routine audit everywhere; where processes are open, the public can see them, and the more
    residents take part in co-creation the more eyes there are.
    """
    g = model.local
    p = np.full(len(model.administrations), DETECT_BASE)
    if g.open_processes.any():
        watching = model.municipality_mean(model.citizens.cocreated)
        p = p + g.open_processes * (DETECT_OPEN + DETECT_WATCH * watching)
    return np.minimum(p, 1.0)


def _lobby(model: CoProductionModel, record: StepRecord) -> None:
    """Engaged partners decide whether to lobby; some are caught, undone and barred.

    A partner's gain this month is an opportunity of random size (exponential, mean 1, in
    months of the mean gain); it lobbies when ``(1 - p) · gain - p · EXCLUSION`` exceeds its
    moral cost ``SCRUPLE · csr``. Caught lobbying captures nothing and ends the engagement for
    ``EXCLUSION`` months. Two uniform draws per business (none while no business is engaged).
    """
    b = model.businesses
    rng = model.rng
    if not b.engaged.any():  # nobody to lobby: no draws needed
        b.lobbied[:] = False
        b.detected[:] = False
        record.lobbying = np.zeros(0, dtype=np.intp)
        return
    p = detection(model)[b.municipality]
    gain = -np.log1p(-rng.random(len(b)))
    b.lobbied[:] = b.engaged & ((1.0 - p) * gain - p * EXCLUSION > SCRUPLE * b.csr)
    b.detected[:] = b.lobbied & (rng.random(len(b)) < p)
    b.engaged &= ~b.detected
    b.barred[b.detected] = EXCLUSION
    record.lobbying = np.flatnonzero(b.lobbied & ~b.detected)


def capture_share(model: CoProductionModel, record: StepRecord) -> np.ndarray:
    """Share of each municipality's public resources that undetected lobbyists pull their way."""
    b = model.businesses
    n_muni = len(model.administrations)
    lobbying = record.lobbying if record.lobbying is not None else np.zeros(0, dtype=np.intp)
    lobbyists = np.bincount(b.municipality[lobbying], minlength=n_muni)
    return np.minimum(
        CAPTURE_MAX, CAPTURE_PER_PARTNER * lobbyists / _businesses_per_municipality(model)
    )


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
    orgs.activity[:] = np.minimum(
        1.0, BASE_ACTIVITY + OUTREACH_ACTIVITY * outreach[orgs.municipality]
    )
    c = model.citizens
    record.outreach_need = None
    if not outreach.any():
        return
    low = c.contributions < LOW_PARTICIPATION
    reach = np.minimum(1.0, OUTREACH_REACH * outreach)[c.municipality]
    reached = low & (model.rng.random(len(c)) < reach)
    idx = np.flatnonzero(reached)
    cells = c.hood[idx].astype(np.int64)[:, None] * model.n_domains + np.arange(model.n_domains)
    record.outreach_need = np.bincount(
        cells.ravel(), weights=c.need[idx].ravel(), minlength=model.hoods.data.size
    ).reshape(model.hoods.data.shape)
    if len(orgs) == 0:
        return
    joins = idx[(c.member[idx] < 0) & (model.rng.random(len(idx)) < OUTREACH_RECRUIT)]
    org_of_hood = np.full(len(model.hoods), -1, dtype=np.int32)
    org_of_hood[orgs.hood] = np.arange(len(orgs), dtype=np.int32)
    joins = joins[org_of_hood[c.hood[joins]] >= 0]
    c.member[joins] = org_of_hood[c.hood[joins]]
    orgs.members[:] = np.bincount(c.member[c.member >= 0], minlength=len(orgs))
