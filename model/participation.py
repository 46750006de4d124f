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

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from coprod.model import arrays, feedback, network, played
from coprod.model.arrays import cached, columns, row_sum
from coprod.model.input_queue import PROPOSAL, REPORT

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.scenario import Behaviour
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
#: Incidents a citizen meets per month per unit of unmet need (need units, summed over the
#: service cells they use), at median latent activity.
INCIDENT_RATE = 1.0
#: Utility cost of a first act, or of returning after dropping out (finding the channel,
#: registering, learning how it works).
FIRST_USE_COST = 1.5
#: Monthly hazard that an engaged citizen with one act drops out; the extra hazard after a bad
#: experience (ignored, wronged, rejected); the exponent of its decline with acts made
#: (Wilkinson 2008: the probability of stopping falls as 1 / contributions made).
QUIT_HAZARD, BAD_EXPERIENCE_QUIT, MOMENTUM = 0.3, 0.5, 1.0
#: Hours one act takes: a report, a unit of delivery effort (a month's volunteering at effort
#: 1), a proposal.
REPORT_HOURS, DELIVERY_HOURS, PROPOSAL_HOURS = 0.25, 4.0, 3.0
#: Contribution weights of the acts (report, delivery per unit of effort, proposal).
REPORT_WEIGHT, PROPOSAL_WEIGHT = 1.0, 1.5


class ChannelCosts(NamedTuple):
    """The channels' costs, read from the module's constants at call time."""

    offline: float
    digital_floor: float
    digital_literacy: float
    personalisation_factor: float
    assisted: float
    assisted_activity: float


def channel_costs() -> ChannelCosts:
    """The module's channel constants as they stand now (tests change them)."""
    return ChannelCosts(
        OFFLINE_COST,
        DIGITAL_FLOOR,
        DIGITAL_LITERACY,
        PERSONALISATION_FACTOR,
        ASSISTED_COST,
        ASSISTED_ACTIVITY,
    )


@njit(cache=True, nogil=True, inline="always")
def cheapest_channel(k, offline, platform, adopted, personalised, literacy, member, activity):
    """The cost of the cheapest open channel (ODD 7.3); infinite where none is open.

    Offline ``OFFLINE_COST``; digital for adopters while the platform is up, ``DIGITAL_FLOOR +
    DIGITAL_LITERACY · (1 - literacy)`` (times ``PERSONALISATION_FACTOR``); assisted for
    members while either is open, ``ASSISTED_COST - ASSISTED_ACTIVITY · activity``.
    """
    cost = k.offline if offline else np.inf
    if platform and adopted:
        digital = k.digital_floor + k.digital_literacy * (1.0 - literacy)
        if personalised:
            digital *= k.personalisation_factor
        cost = min(cost, digital)
    if member and (offline or platform):
        cost = min(cost, k.assisted - k.assisted_activity * activity)
    return cost


def channel_cost(model: CoProductionModel, platform_up: bool = True) -> np.ndarray:
    """Each citizen's cost of the cheapest open channel; infinite where none is open.

    ``platform_up`` is False during a platform outage, which closes the digital channel.
    """
    c = model.citizens
    g = model.local
    organisations = model.organisations
    activity = organisations.activity if len(organisations) else np.zeros(1)
    cost = np.empty(len(c))
    channels = Channels(g.offline_channel, g.platform & platform_up, g.personalisation, activity)
    _channel_cost_of(
        c.municipality, c.literacy, c.adopted, c.member, channels, channel_costs(), cost
    )
    return cost


class Channels(NamedTuple):
    """Per municipality: which channels are open; per organisation: its activity."""

    offline: np.ndarray
    platform: np.ndarray
    personalisation: np.ndarray
    activity: np.ndarray


@njit(cache=True, nogil=True)
def _channel_cost_of(municipality, literacy, adopted, member, channels, k, cost):
    """:func:`channel_cost` for each citizen (:func:`cheapest_channel`)."""
    for i in range(len(municipality)):
        m = municipality[i]
        o = member[i]
        cost[i] = cheapest_channel(
            k,
            channels.offline[m],
            channels.platform[m],
            adopted[i],
            channels.personalisation[m],
            literacy[i],
            o >= 0,
            channels.activity[o] if o >= 0 else 0.0,
        )


def citizens_decide(model: CoProductionModel, record: StepRecord) -> None:
    """Draw this month's reports, deliveries and proposals for all citizens at once.

    Reads the month's platform status and need multiplier from ``record``; the acts go into
    the administration's queue (reports and proposals), the neighbourhoods' effort (delivery),
    the citizens' counts and engagement, and ``record.hours`` (time given, for the measures).
    """
    c = model.citizens
    participated = c.participated  # last month's acts, before this month's replace them
    cost = channel_cost(model, record.platform_up)
    reachable = np.isfinite(cost)
    utility = _utility(model, participated, cost, reachable, record)
    reports = _draw_reports(model, utility, reachable)
    delivers = _draw_deliveries(model, utility, reachable)
    proposes = _draw_proposals(model, utility, reachable)
    played.force_acts(model, reports, delivers, proposes, reachable)  # played residents' acts

    _submit_reports(model, reports)
    domain, effort = _domains_and_effort(model, delivers, proposes, record.need_multiplier)
    proposers = np.flatnonzero(proposes)
    model.queue.add(proposers, model.steps, PROPOSAL, domain[proposers], c.municipality[proposers])

    _count_acts(model, reports, delivers, proposes, effort, record)
    model.need_multiplier_met = record.need_multiplier  # production meets this month's needs


def call_open(model: CoProductionModel) -> bool:
    """Whether the annual call for proposals is open this month.

    The call opens in the first month of every year (steps 1, 13, 25, ...) and runs for
    ``administration.call_months`` months, as participatory budgeting and consultations run
    in yearly cycles.
    """
    return (model.steps - 1) % 12 < model.scenario.administration.call_months


def _count_acts(
    model: CoProductionModel,
    reports: np.ndarray,
    delivers: np.ndarray,
    proposes: np.ndarray,
    effort: np.ndarray,
    record: StepRecord,
) -> None:
    """Contributions, counts of acts, this month's flags, engagement and hours given.

    One compiled pass over the citizens (:func:`_count_acts_of`): with millions of citizens the
    dozen updates, each a pass over arrays far larger than the processor's caches, cost more in
    moving memory than in adding.
    """
    c = model.citizens
    hours = np.empty(len(c))
    counts = columns(Counts, c)
    _count_acts_of(reports, delivers, proposes, effort, model.steps, counts, act_weights(), hours)
    record.hours = hours


class Counts(NamedTuple):
    """The citizens' arrays that count their acts (changed in place)."""

    contributions: np.ndarray
    reports: np.ndarray
    deliveries: np.ndarray
    proposals: np.ndarray
    coproduced: np.ndarray
    cocreated: np.ndarray
    last_proposal: np.ndarray
    acts: np.ndarray
    engaged: np.ndarray


class ActWeights(NamedTuple):
    """Contribution weights and hours of the acts, from the module's constants."""

    report: float
    proposal: float
    report_hours: float
    delivery_hours: float
    proposal_hours: float


def act_weights() -> ActWeights:
    """The acts' contribution weights and hours, from the module's constants as they are now."""
    return ActWeights(REPORT_WEIGHT, PROPOSAL_WEIGHT, REPORT_HOURS, DELIVERY_HOURS, PROPOSAL_HOURS)


@njit(cache=True, nogil=True, inline="always")
def contribution(k, reports, effort, proposed):
    """``REPORT_WEIGHT · reports + effort + PROPOSAL_WEIGHT · [propose]`` (ODD 7.3)."""
    return k.report * reports + effort + k.proposal * (1.0 if proposed else 0.0)


@njit(cache=True, nogil=True, inline="always")
def hours_given(k, reports, effort, proposed):
    """``REPORT_HOURS · reports + DELIVERY_HOURS · effort + PROPOSAL_HOURS · [propose]``."""
    return (
        k.report_hours * reports
        + k.delivery_hours * effort
        + k.proposal_hours * (1.0 if proposed else 0.0)
    )


@njit(cache=True, nogil=True)
def _count_acts_of(reports, delivers, proposes, effort, month, counts, k, hours):
    """:func:`_count_acts` for each citizen (:func:`contribution`, :func:`hours_given`)."""
    for i in range(len(reports)):
        reported = reports[i]
        delivered = delivers[i]
        proposed = proposes[i]
        counts.contributions[i] += contribution(k, reported, effort[i], proposed)
        counts.reports[i] += reported
        counts.deliveries[i] += delivered
        counts.proposals[i] += proposed
        counts.coproduced[i] = delivered or reported > 0
        counts.cocreated[i] = proposed
        if proposed:
            counts.last_proposal[i] = month
        counts.acts[i] += reported + delivered + proposed
        if counts.coproduced[i] or proposed:
            counts.engaged[i] = True  # a first act clears the first-use barrier
        hours[i] = hours_given(k, reported, effort[i], proposed)


def _utility(
    model: CoProductionModel,
    participated: np.ndarray,
    cost: np.ndarray,
    reachable: np.ndarray,
    record: StepRecord,
) -> np.ndarray:
    """Each citizen's utility of taking part, before the act-specific offsets.

    When adoption will diffuse this month, the share of adopting neighbours it needs is taken
    in the same pass over the network (``record.adopting_peers``): nobody adopts or drops the
    platform between the two phases.
    """
    c = model.citizens
    b = model.scenario.behaviour
    g = model.local
    peers = _network_pass(model, participated, record)
    organisations = model.organisations
    utility = np.empty(len(c))
    traits = columns(Traits, c)
    local = Local(
        g.invitation,
        g.incentive_utility,
        organisations.activity if len(organisations) else np.zeros(1),
    )
    _utility_of(traits, participated, peers, cost, local, utility_weights(b), utility)
    return utility


class Traits(NamedTuple):
    """The citizens' arrays the utility of taking part reads."""

    municipality: np.ndarray
    motivation: np.ndarray
    efficacy: np.ndarray
    trust: np.ndarray
    met: np.ndarray
    spare_time: np.ndarray
    engaged: np.ndarray
    member: np.ndarray


class Local(NamedTuple):
    """Per municipality: invitation and incentive utility; per organisation: its activity."""

    invitation: np.ndarray
    incentive: np.ndarray
    activity: np.ndarray


class UtilityWeights(NamedTuple):
    """The utility's weights (``behaviour.*``) and the module's utility constants."""

    base: float
    motivation: float
    efficacy: float
    trust: float
    need: float
    peers: float
    habit: float
    cost: float
    first_use: float
    mobilisation: float


def utility_weights(b: Behaviour) -> UtilityWeights:
    """The utility's weights from the scenario's ``behaviour`` and the module's constants now."""
    return UtilityWeights(
        b.participation_base,
        b.weight_motivation,
        b.weight_efficacy,
        b.weight_trust,
        b.weight_need,
        b.weight_peers,
        b.weight_habit,
        b.weight_cost,
        FIRST_USE_COST,
        MOBILISATION,
    )


@njit(cache=True, nogil=True, inline="always")
def effective_cost(cost, spare_time):
    """``cost · (1.5 - spare_time)``; 0 where no channel is open (the citizen cannot act)."""
    return (cost if cost < np.inf else 0.0) * (1.5 - spare_time)


@njit(cache=True, nogil=True, inline="always")
def utility(w, motivation, efficacy, trust, met, peers, habit, effective, local, engaged):
    """The utility ``U`` of taking part (ODD 7.3), before the act-specific offsets.

    ``habit``: took part last month; ``local``: invitation + incentive utility + mobilisation
    (``MOBILISATION · activity`` for members); not engaged pays ``FIRST_USE_COST``.
    """
    u = (
        w.base
        + w.motivation * motivation
        + w.efficacy * efficacy
        + w.trust * trust
        + w.need * (1.0 - met)
        + w.peers * peers
        + w.habit * (1.0 if habit else 0.0)
        - w.cost * effective
        + local
    )
    if not engaged:
        u -= w.first_use
    return u


@njit(cache=True, nogil=True)
def _utility_of(c, participated, peers, cost, local, w, out):
    """:func:`_utility` for each citizen (:func:`utility`)."""
    for i in range(len(out)):
        m = c.municipality[i]
        o = c.member[i]
        here = local.invitation[m] + local.incentive[m]
        if o >= 0:
            here += w.mobilisation * local.activity[o]
        out[i] = utility(
            w,
            c.motivation[i],
            c.efficacy[i],
            c.trust[i],
            c.met[i],
            peers[i],
            participated[i],
            effective_cost(cost[i], c.spare_time[i]),
            here,
            c.engaged[i],
        )


def _network_pass(
    model: CoProductionModel, participated: np.ndarray, record: StepRecord
) -> np.ndarray:
    """The share of participating neighbours, and what later phases read from the network.

    One product of the adjacency serves the participating neighbours, the adopting ones when
    adoption diffuses this month (``record.adopting_peers``) and the neighbours' trust when it
    moves trust (``record.heard_trust``): with millions of citizens the products are bound by
    fetching the neighbours' values from memory, which sit side by side. Nobody adopts, and
    no trust changes, between this phase and those that read them.
    """
    c = model.citizens
    diffuses = _adoption_diffuses(model, record)
    hears = model.scenario.behaviour.trust_social_influence > 0.0
    if not (diffuses or hears):
        return network.peer_share(model.adjacency, model.degree, participated)
    columns = [participated] + [c.adopted] * diffuses + [c.trust] * hears
    counts = network.neighbour_sums(model.adjacency, *columns)
    shares = np.empty((1 + diffuses, len(c)), dtype=np.float32)
    heard = np.empty(len(c) if hears else 0)
    _shares_and_heard(counts, model.degree, feedback.inverse_degree(model), shares, heard)
    if diffuses:
        record.adopting_peers = shares[1]
    if hears:
        record.heard_trust = heard
    return shares[0]


@njit(cache=True, nogil=True)
def _shares_and_heard(counts, degree, inverse_degree, shares, heard):
    """Shares of neighbours from the first columns of ``counts``; heard trust from the last.

    As :func:`network.peer_share` and :func:`feedback.heard_from` compute them, in single
    precision: ``count / degree`` (0 without ties) for each row of ``shares``, and ``sum *
    inverse_degree`` widened to double precision into ``heard`` when it has a row per citizen.
    """
    last = counts.shape[1] - 1
    for i in range(counts.shape[0]):
        d = degree[i]
        for column in range(shares.shape[0]):
            shares[column, i] = counts[i, column] / d if d > 0 else np.float32(0.0)
        if len(heard):
            heard[i] = np.float64(counts[i, last] * inverse_degree[i])


def _draw_reports(
    model: CoProductionModel, utility: np.ndarray, reachable: np.ndarray
) -> np.ndarray:
    """Reports per citizen this month: incidents met, thinned by the probability of reporting.

    Incidents arise at ``INCIDENT_RATE`` per unit of last month's unmet need (summed over the
    citizen's service cells), scaled by latent activity; each is reported with probability
    ``sigmoid(U + REPORT_OFFSET)``. A thinned Poisson process is Poisson, so one draw per
    citizen gives the count (by inversion of one uniform).
    """
    c = model.citizens
    need_total = cached(model, "need_total_base", lambda: row_sum(c.need))
    unmet = 1.0 - c.met
    unmet *= need_total
    unmet *= INCIDENT_RATE * model.need_multiplier_met
    unmet *= c.activity
    rate = arrays.sigmoid(utility + REPORT_OFFSET)
    rate *= unmet
    rate[~reachable] = 0.0
    return poisson_by_inversion(model.rng.random(len(c)), rate)


def poisson_by_inversion(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson counts with means ``lam`` from uniforms ``u`` (inverse of the Poisson CDF).

    Most means are small, so most counts are 0 (``u < exp(-lam)``); the others are found by
    adding the probabilities of 1, 2, ... until the CDF passes ``u`` (at most 10,000), one
    citizen at a time in a compiled loop: much faster than ``Generator.poisson`` for a million
    small means, and one uniform per citizen.
    """
    counts = np.empty(len(u), dtype=np.int32)
    _invert_poisson(u, lam, np.exp(-lam), counts)
    return counts


@njit(cache=True, nogil=True, inline="always")
def poisson_count(u, lam, none):
    """The Poisson count with mean ``lam`` at uniform ``u``: the k with cdf(k-1) <= u < cdf(k).

    ``none`` is ``exp(-lam)``, the probability of no event (over all citizens NumPy's
    vectorised ``exp`` gives it faster than one call per citizen). Adds the probabilities of
    1, 2, ... until the CDF passes ``u`` (at most 10,000).
    """
    p = none
    cdf = p
    k = 0
    while u >= cdf and k < 10_000:
        k += 1
        p *= lam / k
        cdf += p
    return k


@njit(cache=True, nogil=True, inline="always")
def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``: a utility's probability.

    For one value (the rules, the baseline); over all citizens at once the phases call
    :func:`coprod.model.arrays.sigmoid`, NumPy's vectorised ``exp`` being faster there.
    """
    return 1.0 / (1.0 + np.exp(-x))


@njit(cache=True, nogil=True)
def _invert_poisson(u, lam, none, counts):
    """:func:`poisson_by_inversion` for each citizen (:func:`poisson_count`)."""
    for i in range(len(u)):
        counts[i] = poisson_count(u[i], lam[i], none[i])


def _draw_deliveries(
    model: CoProductionModel, utility: np.ndarray, reachable: np.ndarray
) -> np.ndarray:
    """Who gives time to a service this month (where the paradigm opens delivery)."""
    c = model.citizens
    delivery = model.local.at("delivery", c.municipality)
    if not np.any(delivery):
        return np.zeros(len(c), dtype=bool)
    x = utility + DELIVER_OFFSET
    x += c.spare_time - 0.5
    x += cached(model, "log_activity", lambda: np.log(c.activity))
    return reachable & delivery & (model.rng.random(len(c)) < arrays.sigmoid(x))


def _draw_proposals(
    model: CoProductionModel, utility: np.ndarray, reachable: np.ndarray
) -> np.ndarray:
    """Who proposes this month: only while the annual call is open, where co-creation is."""
    c = model.citizens
    cocreation = model.local.at("cocreation", c.municipality)
    if not (np.any(cocreation) and call_open(model)):
        return np.zeros(len(c), dtype=bool)
    x = utility + COCREATE_OFFSET
    x += c.efficacy - 0.5
    x += cached(model, "log_activity", lambda: np.log(c.activity))
    return reachable & cocreation & (model.rng.random(len(c)) < arrays.sigmoid(x))


def _submit_reports(model: CoProductionModel, reports: np.ndarray) -> None:
    """Each report joins the queue about a domain drawn in proportion to unmet need there.

    A report concerns the service cell where its incident happened, and incidents arise in
    proportion to last month's unmet need in each of the reporter's cells (one uniform per
    report).
    """
    c = model.citizens
    owners = _report_owners(reports)
    if len(owners) == 0:
        return
    pick = model.rng.random(len(owners))
    domain = _report_domains(
        owners, c.need, model.need_multiplier_met, model.hoods.level, c.hood, pick
    )
    model.queue.add(owners, model.steps, REPORT, domain, c.municipality[owners])


@njit(cache=True, nogil=True)
def _report_owners(reports):
    """The reporter's row once for each of their reports, in row order."""
    owners = np.empty(reports.sum(), dtype=np.int64)
    at = 0
    for i in range(len(reports)):
        for _ in range(reports[i]):
            owners[at] = i
            at += 1
    return owners


@njit(cache=True, nogil=True)
def _report_domains(owners, need, multiplier, level, hood, pick):
    """Each report's domain: the first whose cumulative unmet need passes ``pick`` of the total.

    The unmet need of a cell is ``max(need * multiplier - level, 0)``, accumulated over the
    domains left to right (as ``np.cumsum``); a report whose pick is at or past every step
    (all needs met, or rounding) goes to the last domain.
    """
    domains = need.shape[1]
    chosen = np.empty(len(owners), dtype=np.int16)
    cumulative = np.empty(domains)
    for r in range(len(owners)):
        i = owners[r]
        h = hood[i]
        total = 0.0
        for j in range(domains):
            gap = max(need[i, j] * multiplier - level[h, j], 0.0)
            total = gap if j == 0 else total + gap
            cumulative[j] = total
        threshold = pick[r] * total
        passed = 0
        for j in range(domains):
            if cumulative[j] <= threshold:
                passed += 1
        chosen[r] = min(passed, domains - 1)
    return chosen


def _domains_and_effort(
    model: CoProductionModel, delivers: np.ndarray, proposes: np.ndarray, need_multiplier: float
) -> tuple[np.ndarray, np.ndarray]:
    """The domain each deliverer and proposer turns to, and each citizen's delivery effort.

    The domain is the one in which the citizen's need is furthest from the service level (the
    first on ties); delivery effort is ``0.5 + spare_time``, also summed into the
    neighbourhoods' effort per domain (``hoods.effort``).
    """
    c = model.citizens
    domain = np.zeros(len(c), dtype=np.int16)
    effort = np.zeros(len(c))
    cells = model.hoods.effort
    cells[:] = 0.0
    _domains_and_effort_of(
        delivers,
        proposes,
        c.need,
        need_multiplier,
        model.hoods.level,
        c.hood,
        c.spare_time,
        domain,
        effort,
        cells,
    )
    return domain, effort


@njit(cache=True, nogil=True)
def _domains_and_effort_of(
    delivers, proposes, need, multiplier, level, hood, spare_time, domain, effort, cells
):
    """:func:`_domains_and_effort` for each citizen, in row order."""
    for i in range(len(delivers)):
        if not (delivers[i] or proposes[i]):
            continue
        h = hood[i]
        best = 0
        best_gap = need[i, 0] * multiplier - level[h, 0]
        for j in range(1, need.shape[1]):
            gap = need[i, j] * multiplier - level[h, j]
            if gap > best_gap:
                best = j
                best_gap = gap
        domain[i] = best
        if delivers[i]:
            given = 0.5 + spare_time[i]
            effort[i] = given
            cells[h, best] += given


def update_engagement(model: CoProductionModel, record: StepRecord) -> None:
    """Engaged citizens drop out: a hazard that falls with acts made, raised by bad experiences.

    The monthly hazard of an engaged citizen is
    ``(QUIT_HAZARD + BAD_EXPERIENCE_QUIT * [ignored, wronged or rejected this month])
    / acts ** MOMENTUM`` (capped at 1): the probability of stopping falls with contributions
    made (Wilkinson 2008), and an unanswered or wrong answer drives people away. A citizen who
    drops out faces the first-use barrier again.
    """
    c = model.citizens
    engaged = np.flatnonzero(c.engaged)
    if len(engaged) == 0:
        return
    bad = np.zeros(len(c), dtype=bool)
    for rows in (record.ignored, record.wronged, record.rejected):
        if rows is not None:
            bad[rows] = True
    draw = model.rng.random(len(engaged))
    k = Dropout(QUIT_HAZARD, BAD_EXPERIENCE_QUIT, MOMENTUM)
    _drop_out(engaged, bad, c.acts, draw, k, c.engaged)


class Dropout(NamedTuple):
    """The dropout hazard's constants, read from the module at call time."""

    hazard: float
    bad_experience: float
    momentum: float


@njit(cache=True, nogil=True, inline="always")
def quit_hazard(k, bad, acts):
    """``(QUIT_HAZARD + BAD_EXPERIENCE_QUIT · [bad]) / max(acts, 1) ^ MOMENTUM`` (ODD 7.10)."""
    return (k.hazard + (k.bad_experience if bad else 0.0)) / max(acts, 1) ** k.momentum


@njit(cache=True, nogil=True)
def _drop_out(rows, bad, acts, draw, k, engaged):
    """:func:`update_engagement` for each engaged row: quits when its draw is below the hazard."""
    for r in range(len(rows)):
        i = rows[r]
        if draw[r] < quit_hazard(k, bad[i], acts[i]):
            engaged[i] = False


def _adoption_diffuses(model: CoProductionModel, record: StepRecord) -> bool:
    """Whether :func:`diffuse_adoption` spreads the platform this month."""
    return bool(model.local.platform.any() and record.platform_up)


def diffuse_adoption(model: CoProductionModel, record: StepRecord) -> None:
    """Adoption of the digital channel spreads by innovation and imitation (Bass 1969, Rogers).

    The monthly hazard of a non-adopter is ``(p + q * share of adopting neighbours)`` times a
    readiness that grows with digital literacy; personalisation and open services make the
    platform more attractive. Nothing diffuses while there is no platform or it is down
    (``record.platform_up``).
    """
    g = model.local
    if not _adoption_diffuses(model, record):
        return
    c = model.citizens
    b = model.scenario.behaviour
    share = record.adopting_peers
    if share is None:  # called without the month's decisions (a phase on its own)
        share = network.peer_share(model.adjacency, model.degree, c.adopted)
    draw = model.rng.random(len(c))
    platform = Platforms(g.personalisation, g.open_services, g.platform)
    k = Diffusion(float(b.adoption_innovation), float(b.adoption_imitation))
    _adopt(c.municipality, share, c.literacy, draw, platform, k, c.adopted)


class Platforms(NamedTuple):
    """Per municipality: personalisation, open services, a platform at all."""

    personalisation: np.ndarray
    open_services: np.ndarray
    platform: np.ndarray


class Diffusion(NamedTuple):
    """Bass coefficients per month (``behaviour.adoption_*``)."""

    innovation: float
    imitation: float


@njit(cache=True, nogil=True, inline="always")
def adoption_hazard(k, share, literacy, personalised, open_services):
    """``min(1, (innovation + imitation · share) · readiness)`` (ODD 7.4).

    ``readiness = 2 · literacy²``, times 1.25 with personalisation and 1.15 with open services
    (assumptions).
    """
    readiness = 2.0 * literacy**2
    if personalised:
        readiness *= 1.25
    if open_services:
        readiness *= 1.15
    return min((k.innovation + k.imitation * share) * readiness, 1.0)


@njit(cache=True, nogil=True)
def _adopt(municipality, share, literacy, draw, platform, k, adopted):
    """:func:`diffuse_adoption` for each citizen: adopt when the draw is below the hazard."""
    for i in range(len(adopted)):
        m = municipality[i]
        hazard = adoption_hazard(
            k, share[i], literacy[i], platform.personalisation[m], platform.open_services[m]
        )
        if draw[i] < hazard and platform.platform[m]:
            adopted[i] = True
