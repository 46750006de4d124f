"""Initialisation: municipalities, neighbourhoods, citizens, businesses, organisations, network.

Neighbourhoods within a municipality differ in mean socio-economic status, so inequality is
spatial; digital literacy rises with status and falls with age (van Deursen & van Dijk 2014 on
the digital divide; Clark, Brudney & Jang 2013, cited by Nieuwenhuizen & Meijer 2021, on who
reports through digital channels); efficacy and motivation rise with
status (Verba, Schlozman & Brady 1995); needs, above all for care, are higher where status is
low. Citizens are stored sorted by neighbourhood, which keeps every group a contiguous block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from coprod.agents.administration import AdministrationState
from coprod.agents.business import BusinessState
from coprod.agents.citizen import CitizenState
from coprod.agents.community_organisation import CommunityOrganisationState
from coprod.model import network
from coprod.model.arrays import sigmoid
from coprod.model.memory import retain_freed_memory
from coprod.model.places import Places, neighbours, places_for
from coprod.model.scenario import Scenario

#: Standard deviation of citizens' status around their neighbourhood's mean.
SES_SPREAD = 0.15
#: Share of citizens using the digital channel at the start, per unit of squared literacy.
INITIAL_ADOPTION = 0.01
#: Probability that a resident of a neighbourhood with a community organisation is a member.
MEMBERSHIP = 0.12
#: Standard deviation of the logarithm of citizens' latent activity (log-normal, median 1).
ACTIVITY_SPREAD = 1.0
#: Public budget per resident per month at ``governance.budget = 1`` (money units).
BUDGET_PER_CAPITA = 1.0
#: Shape of the adults' age distribution: ``18 + 72 * Beta(1.4, 1.8)`` years.
AGE_SHAPE = (1.4, 1.8)
#: Age from which a citizen counts in a places table's ``share_65_plus``.
OLD_AGE = 65.0


@dataclass
class Neighbourhoods:
    """Neighbourhood-level state; ``(hoods, domains)`` arrays hold one cell per service."""

    municipality: np.ndarray  # int32
    population: np.ndarray  # int64
    ses_mean: np.ndarray
    quality: np.ndarray  # productivity multiplier from implemented co-created improvements
    data: np.ndarray  # need made visible to the administration (reports, traces, outreach)
    resources: np.ndarray  # professional resources allocated this step (money units)
    effort: np.ndarray  # co-producers' effort this step (effort units)
    level: np.ndarray  # service level per resident, in need units

    def __len__(self) -> int:
        return len(self.population)


@dataclass
class World:
    """Everything :func:`build` creates, handed to the model."""

    citizens: CitizenState
    businesses: BusinessState
    organisations: CommunityOrganisationState
    administrations: AdministrationState
    hoods: Neighbourhoods
    adjacency: sp.csr_matrix
    degree: np.ndarray
    places: Places | None = None


def _split(total: int, parts: int) -> np.ndarray:
    """``total`` items in ``parts`` groups whose sizes differ by at most one."""
    sizes = np.full(parts, total // parts, dtype=np.int64)
    sizes[: total % parts] += 1
    return sizes


def _empty_neighbourhoods(
    municipality: np.ndarray, population: np.ndarray, ses_mean: np.ndarray, n_domains: int
) -> Neighbourhoods:
    """Neighbourhoods before the first month: quality 1, nothing seen, allocated or made."""
    cells = (len(population), n_domains)
    return Neighbourhoods(
        municipality=municipality,
        population=population,
        ses_mean=ses_mean,
        quality=np.ones(cells),
        data=np.zeros(cells),
        resources=np.zeros(cells),
        effort=np.zeros(cells),
        level=np.zeros(cells),
    )


def build(scenario: Scenario, rng: np.random.Generator) -> World:
    """Create the initial world of ``scenario`` with every draw from ``rng``.

    With ``population.places`` the neighbourhoods, their municipalities and residents come
    from the places table (:mod:`coprod.model.places`); without, they are drawn (docs/ODD.md 5).
    """
    pop = scenario.population
    places = places_for(scenario)
    n_domains = len(scenario.services.domains)
    ses_mean, hood_muni, hood_pop = _neighbourhoods(scenario, places, rng)
    n_muni = int(hood_muni[-1]) + 1
    # a step's temporaries are arrays of citizens x domains: keep them once freed (see module)
    retain_freed_memory(8 * int(hood_pop.sum()) * n_domains)
    citizens = _citizens(
        scenario,
        rng,
        ses_mean,
        hood_pop,
        hood_muni,
        old_share=places.column("share_65_plus") if places is not None else None,
        skills=places.column("digital_skills") if places is not None else None,
    )
    hoods = _empty_neighbourhoods(hood_muni, hood_pop, ses_mean, n_domains)
    adjacency = _network(scenario, places, citizens, rng)
    degree = np.asarray(adjacency.sum(axis=1)).ravel().astype(np.float32)

    businesses = _businesses(pop.businesses, rng, hood_muni, n_domains)
    organisations = _organisations(pop.community_organisations, rng, hood_muni)
    _enrol_members(citizens, organisations, rng)
    # drawn after every other draw, so the rest of the world is as it was without it
    citizens.activity[:] = rng.lognormal(0.0, ACTIVITY_SPREAD, len(citizens))
    muni_pop = np.bincount(hood_muni, weights=hood_pop, minlength=n_muni).astype(np.int64)
    zeros = np.zeros(n_muni)
    administrations = AdministrationState(
        population=muni_pop,
        budget=BUDGET_PER_CAPITA * scenario.governance.budget * muni_pop,
        spending=zeros.copy(),
        overhead=zeros.copy(),
        capacity=zeros.copy(),
        staff=np.full(n_muni, np.nan),  # not yet planned: staffed to the ceiling
        workload=np.zeros((n_muni, 12)),
        backlog=zeros.copy(),
        handled=zeros.copy(),
        expired=zeros.copy(),
        errors=zeros.copy(),
        decisions=zeros.copy(),
        captured=zeros.copy(),
        implemented=zeros.copy(),
        responsiveness=np.ones(n_muni),
    )
    return World(
        citizens, businesses, organisations, administrations, hoods, adjacency, degree, places
    )


def _network(
    scenario: Scenario, places: Places | None, citizens: CitizenState, rng: np.random.Generator
) -> sp.csr_matrix:
    """The social network; with a places table's geometry, leaning towards nearby places."""
    pop = scenario.population
    nearby = None
    if places is not None and places.geometry is not None:
        nearby = neighbours(places, pop.place_ties, pop.place_distance)
    return network.small_world(
        citizens.hood, citizens.municipality, rng, nearby=nearby, nearby_share=pop.nearby_ties
    )


def _neighbourhoods(
    scenario: Scenario, places: Places | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Neighbourhoods' mean status, municipality and citizens: drawn, or from the places."""
    if places is not None:
        return _place_status(scenario, places, rng), places.municipality, places.agents
    pop = scenario.population
    n_muni, per_muni = pop.municipalities, pop.neighbourhoods
    # neighbourhoods: status means spread by segregation, shuffled within each municipality
    spread = 0.4 * pop.ses_segregation * np.linspace(-1.0, 1.0, per_muni) if per_muni > 1 else [0]
    ses_mean = np.concatenate([0.5 + rng.permutation(spread) for _ in range(n_muni)])
    if n_muni > 1 and pop.municipality_diversity > 0:
        offsets = 0.25 * pop.municipality_diversity * np.linspace(-1.0, 1.0, n_muni)
        ses_mean = ses_mean + np.repeat(rng.permutation(offsets), per_muni)
    hood_muni = np.repeat(np.arange(n_muni, dtype=np.int32), per_muni)
    hood_pop = np.concatenate([_split(int(s), per_muni) for s in _split(pop.citizens, n_muni)])
    return ses_mean, hood_muni, hood_pop


def _place_status(scenario: Scenario, places: Places, rng: np.random.Generator) -> np.ndarray:
    """Neighbourhoods' mean status: from the table's ``ses`` rank, else drawn as without places.

    A rank ``r`` (0 lowest, 1 highest) gives ``0.5 + 0.4 * ses_segregation * (2r - 1)``, the
    spread the stylised town draws from; without the column each municipality's neighbourhoods
    get that spread shuffled, and municipalities the ``municipality_diversity`` offsets.
    """
    pop = scenario.population
    rank = places.column("ses")
    if rank is not None:
        return 0.5 + 0.4 * pop.ses_segregation * (2.0 * rank - 1.0)
    muni = places.municipality
    n_muni = len(places.municipalities)
    ses_mean = np.empty(len(muni))
    for m in range(n_muni):  # one array operation per municipality, not per citizen
        rows = np.flatnonzero(muni == m)
        k = len(rows)
        spread = 0.4 * pop.ses_segregation * np.linspace(-1.0, 1.0, k) if k > 1 else np.zeros(1)
        ses_mean[rows] = 0.5 + rng.permutation(spread)
    if n_muni > 1 and pop.municipality_diversity > 0:
        offsets = 0.25 * pop.municipality_diversity * np.linspace(-1.0, 1.0, n_muni)
        ses_mean = ses_mean + rng.permutation(offsets)[muni]
    return ses_mean


def _citizens(
    scenario: Scenario,
    rng: np.random.Generator,
    ses_mean: np.ndarray,
    hood_pop: np.ndarray,
    hood_muni: np.ndarray,
    old_share: np.ndarray | None = None,
    skills: np.ndarray | None = None,
) -> CitizenState:
    n = int(hood_pop.sum())
    n_domains = len(scenario.services.domains)
    hood = np.repeat(np.arange(len(hood_pop), dtype=np.int32), hood_pop)
    ses = np.clip(ses_mean[hood] + SES_SPREAD * rng.standard_normal(n), 0.01, 0.99)
    age = 18.0 + 72.0 * rng.beta(AGE_SHAPE[0], AGE_SHAPE[1], n)
    if old_share is not None:
        age = _with_old_share(age, hood, old_share)
    skill = 5.0 * (ses - 0.5) - 1.4 * (age - 45.0) / 20.0 + 0.3 + 0.7 * rng.standard_normal(n)
    if skills is not None:
        skill = skill + _skill_shift(skill, hood, hood_pop, skills)[hood]
    literacy = sigmoid(skill)
    spare = np.clip(rng.beta(2.0, 2.5, n) + 0.2 * (age > 67), 0.0, 1.0)
    motivation = np.clip(rng.beta(1.2, 3.0, n) + 0.05 * (ses - 0.5), 0.0, 1.0)
    trust = np.clip(rng.beta(5.0, 5.0, n) + 0.1 * (ses - 0.5), 0.0, 1.0)
    efficacy = np.clip(rng.beta(3.0, 4.0, n) + 0.2 * (ses - 0.5), 0.0, 1.0)
    need = np.clip(rng.beta(2.0, 3.0, (n, n_domains)) + 0.3 * (0.5 - ses)[:, None], 0.02, 1.0)
    quintile = _quintiles(ses)
    adopted = rng.random(n) < INITIAL_ADOPTION * literacy**2  # the platform's first users
    return CitizenState(
        hood=hood,
        municipality=hood_muni[hood],
        ses=ses,
        quintile=quintile,
        age=age,
        literacy=literacy,
        spare_time=spare,
        motivation=motivation,
        motivation0=motivation.copy(),
        trust=trust,
        trust0=trust.copy(),
        efficacy=efficacy,
        efficacy0=efficacy.copy(),
        need=need,
        met=np.full(n, 0.5),
        adopted=adopted,
        member=np.full(n, -1, dtype=np.int32),
        contributions=np.zeros(n),
        coproduced=np.zeros(n, dtype=bool),
        cocreated=np.zeros(n, dtype=bool),
        activity=np.ones(n),
        engaged=np.zeros(n, dtype=bool),
        acts=np.zeros(n, dtype=np.int32),
        reports=np.zeros(n, dtype=np.int32),
        deliveries=np.zeros(n, dtype=np.int32),
        proposals=np.zeros(n, dtype=np.int32),
        cases=np.zeros(n, dtype=np.int32),
    )


def _quintiles(ses: np.ndarray) -> np.ndarray:
    """Each citizen's status quintile, 1 (bottom) to 5 (top), as q1..q5; ties by row."""
    n = len(ses)
    # each citizen's rank: the inverse of the stable sort order, by one scatter (what a second
    # stable argsort of the order gives, without sorting a permutation of ten million)
    order = np.argsort(ses, kind="stable")
    ranks = np.empty(n, dtype=np.intp)
    ranks[order] = np.arange(n)
    return (ranks * 5 // max(n, 1) + 1).astype(np.int8)


def _with_old_share(age: np.ndarray, hood: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Ages redrawn by quantile so that each neighbourhood's share aged 65+ is ``share``.

    Each citizen keeps their quantile ``p`` of the age distribution; the part below 65 is
    stretched over ``1 - share`` of the quantiles and the part above over ``share``, so the
    shape of each part stays as drawn (identity where ``share`` is the default share).
    """
    from scipy.stats import beta

    a, b = AGE_SHAPE
    p = beta.cdf((age - 18.0) / 72.0, a, b)
    cut = beta.cdf((OLD_AGE - 18.0) / 72.0, a, b)  # quantile of 65 by default
    s = np.clip(share[hood], 0.0, 1.0)
    young = p < 1.0 - s
    q = np.where(
        young,
        p / np.maximum(1.0 - s, 1e-12) * cut,
        cut + (p - (1.0 - s)) / np.maximum(s, 1e-12) * (1.0 - cut),
    )
    return 18.0 + 72.0 * beta.ppf(np.clip(q, 0.0, 1.0), a, b)


def _skill_shift(
    skill: np.ndarray, hood: np.ndarray, hood_pop: np.ndarray, share: np.ndarray
) -> np.ndarray:
    """Per neighbourhood, the shift of the literacy logit that gives ``share`` basic skills.

    At least basic digital skills is literacy of 0.5 or more (a logit of 0 or more); the shift
    puts ``round((1 - share) * size)`` of each neighbourhood's citizens below, the rest above.
    Citizens are sorted by neighbourhood, so one sort by (neighbourhood, logit) serves all.
    """
    order = np.lexsort((skill, hood))
    ordered = skill[order]
    starts = np.r_[0, np.cumsum(hood_pop)[:-1]]
    below = np.clip(np.rint((1.0 - share) * hood_pop).astype(np.int64), 0, hood_pop)
    last = starts + hood_pop - 1
    lower = np.where(below > 0, ordered[np.minimum(starts + below - 1, last)], -np.inf)
    upper = np.where(below < hood_pop, ordered[np.minimum(starts + below, last)], np.inf)
    cut = np.where(
        np.isinf(lower), upper - 1.0, np.where(np.isinf(upper), lower + 1.0, (lower + upper) / 2)
    )
    return -cut


def _businesses(
    count: int, rng: np.random.Generator, hood_muni: np.ndarray, n_domains: int
) -> BusinessState:
    hood = rng.integers(0, len(hood_muni), count).astype(np.int32)
    return BusinessState(
        municipality=hood_muni[hood],
        hood=hood,
        domain=rng.integers(0, n_domains, count).astype(np.int16),
        csr=rng.beta(2.0, 4.0, count),
        engaged=np.zeros(count, dtype=bool),
        months_engaged=np.zeros(count, dtype=np.int32),
        lobbied=np.zeros(count, dtype=bool),
        detected=np.zeros(count, dtype=bool),
        barred=np.zeros(count, dtype=np.int32),
    )


def _organisations(
    count: int, rng: np.random.Generator, hood_muni: np.ndarray
) -> CommunityOrganisationState:
    # spread over neighbourhoods first, so every neighbourhood gets one before any gets two
    order = rng.permutation(len(hood_muni))
    hood = order[np.arange(count) % len(hood_muni)].astype(np.int32)
    return CommunityOrganisationState(
        municipality=hood_muni[hood],
        hood=hood,
        activity=np.full(count, 0.3),
        members=np.zeros(count, dtype=np.int32),
    )


def _enrol_members(
    citizens: CitizenState, organisations: CommunityOrganisationState, rng: np.random.Generator
) -> None:
    """Residents of a neighbourhood with an organisation join one of its organisations."""
    if len(organisations) == 0:
        return
    n_hoods = int(citizens.hood.max()) + 1
    per_hood = np.bincount(organisations.hood, minlength=n_hoods)
    has_org = per_hood[citizens.hood] > 0
    joins = has_org & (rng.random(len(citizens)) < MEMBERSHIP)
    # choose one of the neighbourhood's organisations uniformly
    by_hood = np.argsort(organisations.hood, kind="stable")
    first = np.searchsorted(organisations.hood[by_hood], np.arange(n_hoods))
    idx = np.flatnonzero(joins)
    pick = (rng.random(len(idx)) * per_hood[citizens.hood[idx]]).astype(np.int64)
    citizens.member[idx] = by_hood[first[citizens.hood[idx]] + pick]
    organisations.members[:] = np.bincount(citizens.member[idx], minlength=len(organisations))
