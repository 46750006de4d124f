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

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel

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


def channel_cost(model: CoProductionModel) -> np.ndarray:
    """Each citizen's cost of the cheapest open channel; infinite where none is open."""
    c = model.citizens
    g = model.local
    muni = c.municipality
    offline = g.offline_channel[muni]
    cost = np.where(offline, OFFLINE_COST, np.inf)
    digital_up = g.platform[muni] & model.platform_up
    digital = DIGITAL_FLOOR + DIGITAL_LITERACY * (1.0 - c.literacy)
    digital = np.where(g.personalisation[muni], digital * PERSONALISATION_FACTOR, digital)
    cost = np.where(digital_up & c.adopted, np.minimum(cost, digital), cost)
    if len(model.organisations):
        # organisations submit on their members' behalf through whichever channel is open
        members = (c.member >= 0) & (offline | digital_up)
        activity = model.organisations.activity[c.member[members]]
        assisted = ASSISTED_COST - ASSISTED_ACTIVITY * activity
        cost[members] = np.minimum(cost[members], assisted)
    return cost


def citizens_decide(model: CoProductionModel) -> None:
    """Draw this month's reports, deliveries and proposals for all citizens at once."""
    c = model.citizens
    b = model.scenario.behaviour
    g = model.local
    muni = c.municipality
    rng = model.rng
    n = len(c)

    peers = network.peer_share(model.adjacency, model.degree, c.participated)
    cost = channel_cost(model)
    reachable = np.isfinite(cost)
    effective_cost = np.where(reachable, cost, 0.0) * (1.5 - c.spare_time)
    unmet = 1.0 - c.met
    utility = (
        b.participation_base
        + b.weight_motivation * c.motivation
        + b.weight_efficacy * c.efficacy
        + b.weight_trust * c.trust
        + b.weight_need * unmet
        + b.weight_peers * peers
        + b.weight_habit * c.participated  # last month's participation: habit
        - b.weight_cost * effective_cost
        + g.invitation[muni]
        + g.incentive_utility[muni]
    )
    if len(model.organisations):
        members = c.member >= 0
        utility[members] += MOBILISATION * model.organisations.activity[c.member[members]]

    free = c.pending_since < 0
    draws = rng.random((3, n))
    reports = reachable & free & (unmet > REPORT_THRESHOLD)
    reports &= draws[0] < _sigmoid(utility + REPORT_OFFSET)
    delivers = reachable & g.delivery[muni]
    delivers &= draws[1] < _sigmoid(utility + DELIVER_OFFSET + (c.spare_time - 0.5))
    proposes = reachable & free & g.cocreation[muni]
    proposes &= draws[2] < _sigmoid(utility + COCREATE_OFFSET + (c.efficacy - 0.5))
    reports &= ~proposes  # one open input per citizen: the proposal goes in

    domain = _most_unmet_domain(model)
    step = model.steps
    inputs = reports | proposes
    c.pending_since[inputs] = step
    c.pending_kind[inputs] = proposes[inputs]
    c.pending_domain[inputs] = domain[inputs]

    effort = np.where(delivers, 0.5 + c.spare_time, 0.0)
    cells = c.hood.astype(np.int64) * model.n_domains + domain
    model.hoods.effort[:] = np.bincount(
        cells, weights=effort, minlength=model.hoods.effort.size
    ).reshape(model.hoods.effort.shape)

    c.contributions += REPORT_WEIGHT * reports + effort + PROPOSAL_WEIGHT * proposes
    c.coproduced[:] = reports | delivers
    c.cocreated[:] = proposes


def diffuse_adoption(model: CoProductionModel) -> None:
    """Adoption of the digital channel spreads by innovation and imitation (Bass 1969, Rogers).

    The monthly hazard of a non-adopter is ``(p + q * share of adopting neighbours)`` times a
    readiness that grows with digital literacy; personalisation and open services make the
    platform more attractive. Nothing diffuses while there is no platform or it is down.
    """
    g = model.local
    if not (g.platform.any() and model.platform_up):
        return
    c = model.citizens
    b = model.scenario.behaviour
    muni = c.municipality
    share = network.peer_share(model.adjacency, model.degree, c.adopted)
    readiness = 2.0 * c.literacy**2
    readiness *= np.where(g.personalisation[muni], 1.25, 1.0)
    readiness *= np.where(g.open_services[muni], 1.15, 1.0)
    hazard = np.minimum(1.0, (b.adoption_innovation + b.adoption_imitation * share) * readiness)
    c.adopted |= (model.rng.random(len(c)) < hazard) & g.platform[muni]


def _most_unmet_domain(model: CoProductionModel) -> np.ndarray:
    """The domain in which each citizen's need is furthest from the service level."""
    c = model.citizens
    gap = c.need * model.need_multiplier - model.hoods.level[c.hood]
    return np.argmax(gap, axis=1).astype(np.int16)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
