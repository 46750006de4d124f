"""Citizens decide, all at once, whether to co-produce and co-create this month.

A citizen's propensity is a logistic function of intrinsic motivation, efficacy, trust, unmet
need, the share of network neighbours who took part last month and the cost of the cheapest
channel open to them (Verba, Schlozman & Brady 1995; Alford 2009 on motivations of
co-producers; Jakobsen 2013 on lowering costs raising co-production). Channels: the offline
counter, the digital platform (cost falls with digital literacy, personalisation lowers it),
and assisted access through a community organisation. Reports and proposals become inputs in
the administration's queue; delivery effort enters the co-production function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from coprod.model import network
from coprod.model.arrays import cached, sigmoid

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: Cost of the offline channel (counter, phone, letter), in utility units.
OFFLINE_COST = 0.7
#: Digital channel cost: a floor plus a part that falls with digital literacy.
DIGITAL_FLOOR, DIGITAL_LITERACY = 0.15, 0.6
#: Personalisation multiplies the digital cost by this factor (Wimmer & Scherer 2018).
PERSONALISATION_FACTOR = 0.7
#: Assisted access through a community organisation, lowered further by its activity.
ASSISTED_COST, ASSISTED_ACTIVITY = 0.55, 0.3
#: Utility of being mobilised by an organisation at full activity.
MOBILISATION = 0.6
#: Act-specific utility offsets: reporting is easiest, proposing hardest.
REPORT_OFFSET, DELIVER_OFFSET, COCREATE_OFFSET = 0.0, -0.3, -1.0
#: Unmet need below which a citizen has nothing to report.
REPORT_THRESHOLD = 0.1
#: Contribution weights of the acts (report, delivery per unit of effort, proposal).
REPORT_WEIGHT, PROPOSAL_WEIGHT = 1.0, 1.5


def channel_cost(model: CoProductionModel, platform_up: bool = True) -> np.ndarray:
    """Each citizen's cost of the cheapest open channel; infinite where none is open.

    ``platform_up`` is False during a platform outage, which closes the digital channel.
    """
    c = model.citizens
    g = model.local
    muni = c.municipality
    offline = g.at("offline_channel", muni)
    if np.ndim(offline):
        cost = np.where(offline, OFFLINE_COST, np.inf)
    else:
        cost = np.full(len(c), OFFLINE_COST if offline else np.inf)
    digital_up = g.at("platform", muni) & platform_up
    if np.any(digital_up):
        digital = cached(
            model, "digital_cost", lambda: DIGITAL_FLOOR + DIGITAL_LITERACY * (1.0 - c.literacy)
        )
        personal = g.at("personalisation", muni)
        if np.ndim(personal):
            digital = np.where(personal, digital * PERSONALISATION_FACTOR, digital)
        elif personal:
            digital = digital * PERSONALISATION_FACTOR
        np.minimum(cost, digital, out=cost, where=c.adopted & digital_up)
    if len(model.organisations):
        # organisations submit on their members' behalf through whichever channel is open
        members = (c.member >= 0) & (offline | digital_up)
        assisted = ASSISTED_COST - ASSISTED_ACTIVITY * model.organisations.activity
        np.minimum(cost, assisted.take(c.member), out=cost, where=members)
    return cost


def citizens_decide(model: CoProductionModel, record: StepRecord) -> None:
    """Draw this month's reports, deliveries and proposals for all citizens at once.

    Reads the month's platform status and need multiplier from ``record``; the acts themselves
    go into the citizens' arrays (open inputs, contributions) and the neighbourhoods' effort,
    where the administration and production find them.
    """
    c = model.citizens
    participated = c.participated  # last month's acts, before this month's replace them
    cost = channel_cost(model, record.platform_up)
    reachable = np.isfinite(cost)
    utility = _utility(model, participated, cost, reachable)
    reports, delivers, proposes = _draw_acts(model, utility, reachable)

    domain = _most_unmet_domain(model, record.need_multiplier)
    _submit_inputs(model, reports | proposes, proposes, domain)
    effort = _deliver_effort(model, delivers, domain)

    acts = REPORT_WEIGHT * reports
    acts += effort
    acts += PROPOSAL_WEIGHT * proposes
    c.contributions += acts
    c.coproduced[:] = reports | delivers
    c.cocreated[:] = proposes


def _utility(
    model: CoProductionModel, participated: np.ndarray, cost: np.ndarray, reachable: np.ndarray
) -> np.ndarray:
    """Each citizen's utility of taking part, before the act-specific offsets."""
    c = model.citizens
    b = model.scenario.behaviour
    g = model.local
    muni = c.municipality
    peers = network.peer_share(model.adjacency, model.degree, participated)
    effective_cost = np.where(reachable, cost, 0.0)
    effective_cost *= 1.5 - c.spare_time
    unmet = 1.0 - c.met
    # the same sum, term by term and in the same order, accumulated in one buffer
    utility = b.weight_motivation * c.motivation
    utility += b.participation_base
    utility += b.weight_efficacy * c.efficacy
    utility += b.weight_trust * c.trust
    utility += b.weight_need * unmet
    utility += b.weight_peers * peers
    utility += b.weight_habit * participated  # last month's participation: habit
    effective_cost *= b.weight_cost
    utility -= effective_cost
    utility += g.at("invitation", muni)
    utility += g.at("incentive_utility", muni)
    if len(model.organisations):
        members = c.member >= 0
        mobilised = MOBILISATION * model.organisations.activity
        np.add(utility, mobilised.take(c.member), out=utility, where=members)
    return utility


def _draw_acts(
    model: CoProductionModel, utility: np.ndarray, reachable: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who reports, who delivers and who proposes this month (one draw each per citizen)."""
    c = model.citizens
    g = model.local
    muni = c.municipality
    n = len(c)
    free = c.pending_since < 0
    draws = model.rng.random((3, n))
    reports = reachable & free
    reports &= 1.0 - c.met > REPORT_THRESHOLD
    reports &= draws[0] < sigmoid(utility + REPORT_OFFSET)
    delivery = g.at("delivery", muni)
    if np.any(delivery):
        delivers = reachable & delivery
        x = utility + DELIVER_OFFSET
        x += c.spare_time - 0.5
        delivers &= draws[1] < sigmoid(x)
    else:
        delivers = np.zeros(n, dtype=bool)
    cocreation = g.at("cocreation", muni)
    if np.any(cocreation):
        proposes = reachable & free & cocreation
        x = utility + COCREATE_OFFSET
        x += c.efficacy - 0.5
        proposes &= draws[2] < sigmoid(x)
        reports &= ~proposes  # one open input per citizen: the proposal goes in
    else:
        proposes = np.zeros(n, dtype=bool)
    return reports, delivers, proposes


def _submit_inputs(
    model: CoProductionModel, submits: np.ndarray, proposes: np.ndarray, domain: np.ndarray
) -> None:
    """Reports and proposals join the administration's queue, each about its domain."""
    c = model.citizens
    inputs = np.flatnonzero(submits)
    c.pending_since[inputs] = model.steps
    c.pending_kind[inputs] = proposes[inputs]
    c.pending_domain[inputs] = domain[inputs]


def _deliver_effort(
    model: CoProductionModel, delivers: np.ndarray, domain: np.ndarray
) -> np.ndarray:
    """Each citizen's delivery effort, also summed into the neighbourhoods' effort per domain."""
    c = model.citizens
    n = len(c)
    doers = np.flatnonzero(delivers)
    effort = np.zeros(n)
    effort[doers] = 0.5 + c.spare_time[doers]
    cells = c.hood[doers].astype(np.int64) * model.n_domains + domain[doers]
    model.hoods.effort[:] = np.bincount(
        cells, weights=effort[doers], minlength=model.hoods.effort.size
    ).reshape(model.hoods.effort.shape)
    return effort


def diffuse_adoption(model: CoProductionModel, record: StepRecord) -> None:
    """Adoption of the digital channel spreads by innovation and imitation (Bass 1969, Rogers).

    The monthly hazard of a non-adopter is ``(p + q * share of adopting neighbours)`` times a
    readiness that grows with digital literacy; personalisation and open services make the
    platform more attractive. Nothing diffuses while there is no platform or it is down
    (``record.platform_up``).
    """
    g = model.local
    if not (g.platform.any() and record.platform_up):
        return
    c = model.citizens
    b = model.scenario.behaviour
    muni = c.municipality
    share = network.peer_share(model.adjacency, model.degree, c.adopted)
    readiness = cached(model, "readiness", lambda: 2.0 * c.literacy**2)
    for feature, factor in (("personalisation", 1.25), ("open_services", 1.15)):
        on = g.at(feature, muni)
        if np.ndim(on):
            readiness = readiness * np.where(on, factor, 1.0)
        elif on:
            readiness = readiness * factor
    hazard = b.adoption_imitation * share
    hazard += b.adoption_innovation
    hazard = hazard * readiness
    np.minimum(hazard, 1.0, out=hazard)
    adopt = model.rng.random(len(c)) < hazard
    adopt &= g.at("platform", muni)
    c.adopted |= adopt


def _most_unmet_domain(model: CoProductionModel, need_multiplier: float) -> np.ndarray:
    """The domain in which each citizen's need is furthest from the service level.

    Equal to ``argmax(need * multiplier - level[hood], axis=1)`` (the first domain on ties),
    computed one domain at a time: a reduction along a short axis is slow.
    """
    c = model.citizens
    level = model.hoods.level
    nm = need_multiplier
    need = c.need
    best_gap = need[:, 0] * nm
    best_gap -= level[:, 0].take(c.hood)
    best = np.zeros(len(c), dtype=np.int16)
    for j in range(1, need.shape[1]):
        gap = need[:, j] * nm
        gap -= level[:, j].take(c.hood)
        best = np.where(gap > best_gap, np.int16(j), best)
        np.maximum(best_gap, gap, out=best_gap)
    return best
