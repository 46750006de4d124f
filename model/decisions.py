"""Decisions on citizens' cases: what the rules entitle, what the decision-maker sees, who errs.

A case is a claim for service in a domain. Its **merit** is the citizen's need there, and the
rules entitle the claim when merit exceeds ``ENTITLEMENT``. Whoever decides does not see merit;
they estimate it and grant the claim when the estimate exceeds the threshold, so a decision is
wrong when estimate and merit fall on different sides of it. Errors are then not a setting but
come from how each decision-maker estimates, and from who brings cases:

- an **algorithm** (substitutive ICT; Bovens & Zouridis 2002) estimates merit from the data a
  citizen leaves — administrative records, platform traces, past cases. Where data are
  thin its estimate shrinks towards the population's mean need (the prior), so it under-serves
  high-need residents who leave little data and over-serves low-need ones (O'Neil 2016;
  Eubanks 2018; Clark, Brudney & Jang 2013 on distributional bias of data-driven service);
  on top of that it has a model error whose size follows from ``administration.algorithm_error``;
- a **professional** (all other ICT roles) assesses the person with noise whose size follows from
  the role's human error rate, and with discretion that leans towards high-status clients by
  ``administration.professional_bias`` (Lipsky 1980 on street-level discretion; Einstein & Glick
  2017 and Jilke, Van Dooren & Rys 2018 on unequal treatment by front-line officials).

A wrongful denial wrongs the citizen; it stands unless a human reviews the automated decision or
the citizen appeals, and appeals take skill, so they favour the literate and efficacious
(Nieuwenhuizen & Meijer 2021 on lawfulness at risk). A wrongful grant wrongs nobody in person but
is unlawful all the same; only a review catches it. Both count against ``lawfulness``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit
from scipy.optimize import brentq
from scipy.special import ndtr

from coprod.model.arrays import cached, columns

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: Probability that a wronged citizen appeals: a base plus a part rising with efficacy x literacy.
APPEAL_BASE, APPEAL_SKILL = 0.1, 0.6
#: Need (need units) above which the rules entitle a claim: above the typical (mean) need.
ENTITLEMENT = 0.5
#: Data points the algorithm holds on everyone (administrative records), on each adopter where
#: platform traces are used (months of digital use), and the data at which its estimate weighs
#: data and prior equally (the prior's weight in data points).
DATA_RECORDS, DATA_TRACES, DATA_PRIOR = 1.0, 6.0, 3.0
#: Most cases the error calibration looks at (an evenly spaced sample of all claims).
CALIBRATION_SAMPLE = 20_000


def decision_rules(model: CoProductionModel, algorithm_noise: float) -> Rules:
    """The decision rules' numbers: the module's constants as they are now, and the scenario's."""
    return Rules(
        ENTITLEMENT,
        DATA_RECORDS,
        DATA_TRACES,
        DATA_PRIOR,
        APPEAL_BASE,
        APPEAL_SKILL,
        float(algorithm_noise),
        float(model.scenario.administration.professional_bias),
    )


def judge_cases(
    model: CoProductionModel,
    handled: np.ndarray,
    domains: np.ndarray,
    *,
    record: StepRecord | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per handled input: whether the decision wrongly denied it, was reviewed, was appealed.

    Args:
        model: The model, for the citizens, the local rules and the random generator.
        handled: The citizen (row) behind each input decided this month.
        domains: The service domain each input concerns.
        record: Where given, the wrongful grants that no review caught are added per
            municipality to ``record.unlawful_grants`` (they count against lawfulness).

    Draws one normal (the estimate's noise) and two uniforms (review, appeal) per case.
    Reviews (automated decisions only, with probability ``governance.human_review``) check the
    decision against the rules and correct it; appeals (where ``governance.appeals``) come only
    from those denied, with a probability rising with efficacy x literacy. Every decision goes
    on file, also a citizen's second and third this month, and every estimate reads the file
    as it stood before the month's decisions. The cases are judged in one compiled pass
    (:func:`_judge_each`): a month's few hundred cases cost more in per-call overhead of
    small array operations than in arithmetic.
    """
    c = model.citizens
    g = model.local
    rng = model.rng
    n = len(handled)
    noise = rng.standard_normal(n)
    review_draw = rng.random(n)
    appeal_draw = rng.random(n)
    if np.count_nonzero(g.automated):
        prior = cached(model, "need_prior", lambda: c.need.mean(axis=0))
        algorithm_noise = _algorithm_noise(model)
    else:
        prior, algorithm_noise = _NO_PRIOR, 0.0
    wrong = np.empty(n, dtype=bool)
    reviewed = np.empty(n, dtype=bool)
    appealed = np.empty(n, dtype=bool)
    unlawful = np.zeros(len(model.administrations), dtype=np.int64)
    _judge_each(
        Cases(
            np.asarray(handled, dtype=np.int64),
            np.asarray(domains, dtype=np.int64),
            noise,
            review_draw,
            appeal_draw,
        ),
        columns(CaseFile, c),
        Deciders(g.automated, g.platform_traces, g.human_review, g.appeals, _human_noise(model)),
        np.asarray(prior, dtype=np.float64),
        decision_rules(model, algorithm_noise),
        Judged(wrong, reviewed, appealed, unlawful),
    )
    if record is not None:
        previous = record.unlawful_grants
        record.unlawful_grants = unlawful if previous is None else previous + unlawful
    return wrong, reviewed, appealed


#: The prior passed to :func:`_judge_each` where no municipality decides by algorithm.
_NO_PRIOR = np.zeros(0)


class Rules(NamedTuple):
    """The decision rules' numbers, read from the module and the scenario at call time."""

    entitlement: float
    data_records: float
    data_traces: float
    data_prior: float
    appeal_base: float
    appeal_skill: float
    algorithm_noise: float  # sd of the algorithm's model error (from algorithm_error)
    professional_bias: float  # administration.professional_bias


class Cases(NamedTuple):
    """This month's handled cases: the citizen row, the domain and the case's three draws."""

    handled: np.ndarray
    domains: np.ndarray
    noise: np.ndarray
    review_draw: np.ndarray
    appeal_draw: np.ndarray


class CaseFile(NamedTuple):
    """The citizens' arrays a decision reads (``cases`` is the file, updated after)."""

    municipality: np.ndarray
    need: np.ndarray
    ses: np.ndarray
    efficacy: np.ndarray
    literacy: np.ndarray
    adopted: np.ndarray
    cases: np.ndarray


class Deciders(NamedTuple):
    """Per municipality: who decides and the safeguards."""

    automated: np.ndarray
    platform_traces: np.ndarray
    human_review: np.ndarray
    appeals: np.ndarray
    sd_human: np.ndarray


class Judged(NamedTuple):
    """Outputs per case (wrong denial, reviewed, appealed) and unlawful grants per municipality."""

    wrong: np.ndarray
    reviewed: np.ndarray
    appealed: np.ndarray
    unlawful: np.ndarray


@njit(cache=True, nogil=True, inline="always")
def estimate(k, automated, merit, prior, points, ses, sd_human, noise):
    """The decision-maker's estimate of merit.

    Algorithm: ``w · merit + (1 - w) · prior + sd · noise`` with ``w = points / (points +
    DATA_PRIOR)``; professional: ``merit + bias · (ses - 0.5) + sd_human · noise``.
    """
    if automated:
        w = points / (points + k.data_prior)
        return w * merit + (1.0 - w) * prior + k.algorithm_noise * noise
    return merit + k.professional_bias * (ses - 0.5) + sd_human * noise


@njit(cache=True, nogil=True, inline="always")
def data_points(k, traced, cases):
    """Data points held on a citizen: ``DATA_RECORDS + DATA_TRACES · [traced] + cases``."""
    return k.data_records + k.data_traces * (1.0 if traced else 0.0) + cases


@njit(cache=True, nogil=True, inline="always")
def appeal_probability(k, skill):
    """How likely a wronged citizen appeals: ``APPEAL_BASE + APPEAL_SKILL · skill``.

    ``skill`` is efficacy x literacy: a citizen's own for a case, a neighbourhood's mean for an
    algorithm's allocation to it.
    """
    return k.appeal_base + k.appeal_skill * skill


@njit(cache=True, nogil=True, inline="always")
def judgement(k, merit, estimate, reviewed, appeal_draw, efficacy, literacy, may_appeal):
    """(wrongly denied, appealed, unlawful grant no review caught) of one decision.

    Granted when the estimate exceeds ``ENTITLEMENT``, entitled when merit does; a denied
    citizen appeals where appeals exist with ``APPEAL_BASE + APPEAL_SKILL · efficacy ·
    literacy``.
    """
    entitled = merit > k.entitlement
    granted = estimate > k.entitlement
    appealed = (
        may_appeal and not granted and appeal_draw < appeal_probability(k, efficacy * literacy)
    )
    return entitled and not granted, appealed, granted and not entitled and not reviewed


@njit(cache=True, nogil=True)
def _judge_each(cases, c, deciders, prior, k, out):
    """:func:`judge_cases` for each case: estimate, decision, review, appeal, file.

    The cases go on file only after all are estimated.
    """
    for i in range(len(cases.handled)):
        row = cases.handled[i]
        m = c.municipality[row]
        d = cases.domains[i]
        merit = c.need[row, d]
        automated = deciders.automated[m]
        traced = c.adopted[row] and deciders.platform_traces[m]
        guess = estimate(
            k,
            automated,
            merit,
            prior[d] if automated else 0.0,
            data_points(k, traced, c.cases[row]),
            c.ses[row],
            deciders.sd_human[m],
            cases.noise[i],
        )
        reviewed = automated and cases.review_draw[i] < deciders.human_review[m]
        wrong, appealed, unlawful = judgement(
            k,
            merit,
            guess,
            reviewed,
            cases.appeal_draw[i],
            c.efficacy[row],
            c.literacy[row],
            deciders.appeals[m],
        )
        out.reviewed[i] = reviewed
        out.appealed[i] = appealed
        out.wrong[i] = wrong
        if unlawful:
            out.unlawful[m] += 1
    for i in range(len(cases.handled)):
        c.cases[cases.handled[i]] += 1


def _algorithm_noise(model: CoProductionModel) -> float:
    """Standard deviation of the algorithm's model error, from ``algorithm_error``."""
    error = model.scenario.administration.algorithm_error
    return cached(model, ("decision_noise", error), lambda: noise_for(error, model.citizens.need))


def _human_noise(model: CoProductionModel) -> np.ndarray:
    """Standard deviation of professionals' assessment per municipality, from the role's rate."""
    rates = model.local.human_error
    need = model.citizens.need

    def noises() -> np.ndarray:
        return np.array(
            [cached(model, ("decision_noise", r), lambda r=r: noise_for(r, need)) for r in rates]
        )

    return cached(model, ("human_noise", rates.tobytes()), noises)


def noise_for(error_rate: float, need: np.ndarray) -> float:
    """The noise of an unbiased estimate of merit that errs at ``error_rate`` over all claims.

    An estimate ``merit + sd · N(0, 1)`` decides a claim wrongly with probability
    ``Φ(-|merit - ENTITLEMENT| / sd)``; ``sd`` is set so that the mean of that over every
    citizen's claim in every domain (an evenly spaced sample of at most ``CALIBRATION_SAMPLE``)
    is ``error_rate``: the decision-maker's error rate on a full-information case of this
    population. Solved for the log of ``sd`` with SciPy's Brent method; 0 for a rate of 0, and
    at most 10 need units (a rate no noise that large reaches gives 10).
    """
    if error_rate <= 0.0:
        return 0.0
    flat = np.asarray(need, dtype=float).ravel()
    distance = np.abs(flat[:: max(1, flat.size // CALIBRATION_SAMPLE)] - ENTITLEMENT)

    def excess(log_sd: float) -> float:
        return float(ndtr(-distance / np.exp(log_sd)).mean()) - error_rate

    lo, hi = -12.0, float(np.log(10.0))
    if excess(hi) <= 0.0:
        return 10.0
    if excess(lo) >= 0.0:
        return float(np.exp(lo))
    return float(np.exp(brentq(excess, lo, hi, xtol=1e-14)))
