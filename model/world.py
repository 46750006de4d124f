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


def _split(total: int, parts: int) -> np.ndarray:
    """``total`` items in ``parts`` groups whose sizes differ by at most one."""
    sizes = np.full(parts, total // parts, dtype=np.int64)
    sizes[: total % parts] += 1
    return sizes


def build(scenario: Scenario, rng: np.random.Generator) -> World:
    """Create the initial world of ``scenario`` with every draw from ``rng``."""
    pop = scenario.population
    n_muni, per_muni = pop.municipalities, pop.neighbourhoods
    n_hoods = n_muni * per_muni
    n_domains = len(scenario.services.domains)

    # neighbourhoods: status means spread by segregation, shuffled within each municipality
    spread = 0.4 * pop.ses_segregation * np.linspace(-1.0, 1.0, per_muni) if per_muni > 1 else [0]
    ses_mean = np.concatenate([0.5 + rng.permutation(spread) for _ in range(n_muni)])
    if n_muni > 1 and pop.municipality_diversity > 0:
        offsets = 0.25 * pop.municipality_diversity * np.linspace(-1.0, 1.0, n_muni)
        ses_mean = ses_mean + np.repeat(rng.permutation(offsets), per_muni)
    hood_muni = np.repeat(np.arange(n_muni, dtype=np.int32), per_muni)
    hood_pop = np.concatenate([_split(int(s), per_muni) for s in _split(pop.citizens, n_muni)])

    citizens = _citizens(scenario, rng, ses_mean, hood_pop, hood_muni)
    hoods = Neighbourhoods(
        municipality=hood_muni,
        population=hood_pop,
        ses_mean=ses_mean,
        quality=np.ones((n_hoods, n_domains)),
        data=np.zeros((n_hoods, n_domains)),
        resources=np.zeros((n_hoods, n_domains)),
        effort=np.zeros((n_hoods, n_domains)),
        level=np.zeros((n_hoods, n_domains)),
    )
    adjacency = network.small_world(citizens.hood, citizens.municipality, rng)
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
    return World(citizens, businesses, organisations, administrations, hoods, adjacency, degree)


def _citizens(
    scenario: Scenario,
    rng: np.random.Generator,
    ses_mean: np.ndarray,
    hood_pop: np.ndarray,
    hood_muni: np.ndarray,
) -> CitizenState:
    n = int(hood_pop.sum())
    n_domains = len(scenario.services.domains)
    hood = np.repeat(np.arange(len(hood_pop), dtype=np.int32), hood_pop)
    ses = np.clip(ses_mean[hood] + SES_SPREAD * rng.standard_normal(n), 0.01, 0.99)
    age = 18.0 + 72.0 * rng.beta(1.4, 1.8, n)
    literacy = sigmoid(
        5.0 * (ses - 0.5) - 1.4 * (age - 45.0) / 20.0 + 0.3 + 0.7 * rng.standard_normal(n)
    )
    spare = np.clip(rng.beta(2.0, 2.5, n) + 0.2 * (age > 67), 0.0, 1.0)
    motivation = np.clip(rng.beta(1.2, 3.0, n) + 0.05 * (ses - 0.5), 0.0, 1.0)
    trust = np.clip(rng.beta(5.0, 5.0, n) + 0.1 * (ses - 0.5), 0.0, 1.0)
    efficacy = np.clip(rng.beta(3.0, 4.0, n) + 0.2 * (ses - 0.5), 0.0, 1.0)
    need = np.clip(rng.beta(2.0, 3.0, (n, n_domains)) + 0.3 * (0.5 - ses)[:, None], 0.02, 1.0)
    ranks = np.argsort(np.argsort(ses, kind="stable"), kind="stable")
    quintile = (ranks * 5 // max(n, 1) + 1).astype(np.int8)  # 1 bottom .. 5 top, as q1..q5
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
