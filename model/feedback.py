"""Trust, efficacy and motivation move with experience, with neighbours and with rewards.

Inputs acted upon and accepted proposals raise trust and efficacy, more so when open processes
make the results visible; inputs ignored, wrong decisions suffered and unmet needs lower them
(value co-destruction, Uppström & Lönn 2017; Jakobsen 2013; Van Ryzin's performance-trust link).
Bad experiences weigh more than equally good ones (the asymmetry principle, Slovic 1993).
Trust reverts towards each citizen's reference level, which itself drifts slowly towards the
trust the citizen lives with, so lasting damage or lasting gains stay; and trust moves towards
what the citizen's network neighbours think (social influence, DeGroot 1974).
A reward changes intrinsic motivation as it is felt (Frey & Jegen 2001): an expected payment
for taking part is felt as controlling and crowds it out, recognition is felt as supportive and
crowds it in (Deci, Koestner & Ryan 1999).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from coprod.model import network
from coprod.model.arrays import cached, columns

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: Size of each experience's effect on trust and efficacy, in units of learning rate, before
#: the asymmetry that makes falls weigh more: a report answered or left unanswered (1), a
#: decision in one's case for or against one (2), a reasoned rejection, a late correction.
ACTED, ACCEPTED, REJECTED, IGNORED, WRONGED, CORRECTED_LATE = 1.0, 2.0, 0.5, 1.0, 2.0, 0.5
#: Open processes amplify good experiences by making results visible.
VISIBILITY = 0.5
#: Pull of trust by needs met above or below expectation (expectancy-disconfirmation,
#: Van Ryzin 2004), in units of learning rate, and the expected share of needs met.
SATISFACTION, EXPECTED_MET = 0.3, 0.7
#: Monthly reversion towards the reference level, in units of learning rate.
REVERSION = 0.2


def update_trust(model: CoProductionModel, record: StepRecord) -> None:
    """Apply this month's experiences, neighbours and rewards to trust, efficacy, motivation.

    The experiences with inputs (acted upon, accepted, rejected, ignored, wronged, corrected
    late) come from ``record`` (a row listed twice had the experience twice); needs met and
    this month's participation from the citizens; neighbours' trust is read as it stood before
    this month's experiences (simultaneous update).
    """
    c = model.citizens
    b = model.scenario.behaviour
    lr = b.learning_rate
    influence = b.trust_social_influence
    heard = None
    if influence > 0.0:  # taken in the month's pass over the network, or here on its own
        heard = record.heard_trust if record.heard_trust is not None else _heard(model)
    _experiences(model, record, lr, b.trust_asymmetry)
    g = model.local
    c_arrays = columns(Learners, c, degree=model.degree)
    learning = Learning(
        lr,
        b.trust_asymmetry,
        influence,
        b.trust_reference_drift,
        b.crowding_out,
        SATISFACTION,
        EXPECTED_MET,
        REVERSION,
    )
    rewards = Rewards(g.recognition, g.monetary)
    _pull_and_revert(c_arrays, heard if heard is not None else np.zeros(0), rewards, learning)


class Learners(NamedTuple):
    """The citizens' arrays the monthly learning reads and changes."""

    municipality: np.ndarray
    trust: np.ndarray
    efficacy: np.ndarray
    motivation: np.ndarray
    trust_ref: np.ndarray
    efficacy0: np.ndarray
    motivation0: np.ndarray
    met: np.ndarray
    participated: np.ndarray
    degree: np.ndarray


class Rewards(NamedTuple):
    """Per municipality: whether participants are recognised, or paid."""

    recognition: np.ndarray
    monetary: np.ndarray


class Learning(NamedTuple):
    """The learning parameters (``behaviour.*``) and the module's constants, at call time."""

    rate: float  # learning_rate, λ
    asymmetry: float  # trust_asymmetry, α
    influence: float  # trust_social_influence
    drift: float  # trust_reference_drift
    crowding: float  # crowding_out
    satisfaction: float
    expected_met: float
    reversion: float


@njit(cache=True, nogil=True, inline="always")
def clip01(x):
    """``x`` clipped to [0, 1]."""
    if x < 0.0:
        return 0.0
    return 1.0 if x > 1.0 else x


@njit(cache=True, nogil=True, inline="always")
def trust_after(p, trust, trust_ref, met, heard, has_ties):
    """Trust pulled by needs met and neighbours, then reverted a step (ODD 7.10, unclipped).

    ``g = met - EXPECTED_MET``; ``trust += λ · SATISFACTION · g · (α if g < 0 else 1) +
    influence · (heard - trust)`` (with ties); ``trust += λ · REVERSION · (trust_ref - trust)``.
    """
    g = met - p.expected_met
    pull = p.rate * p.satisfaction * g * (p.asymmetry if g < 0.0 else 1.0)
    if has_ties:
        pull += p.influence * (heard - trust)
    trust += pull
    return trust + p.rate * p.reversion * (trust_ref - trust)


@njit(cache=True, nogil=True, inline="always")
def motivation_after(p, motivation, motivation0, recognised, paid):
    """Rewards as felt, then reversion (ODD 7.10, unclipped).

    Recognition ``motivation += c · (1 - motivation)``; payment ``motivation *= 1 - c``;
    then ``motivation += λ · REVERSION · (motivation0 - motivation)``.
    """
    if recognised:
        motivation += p.crowding * (1.0 - motivation)
    if paid:
        motivation *= 1.0 - p.crowding
    return motivation + p.rate * p.reversion * (motivation0 - motivation)


@njit(cache=True, nogil=True)
def _pull_and_revert(c, heard, rewards, p):
    """Each citizen's month of learning after the experiences, in one pass (:func:`_learn`).

    The loop is written once for each case of what is known for all citizens before it
    starts (neighbours heard or not, rewards anywhere or not): a loop free of those tests,
    and of the lookup of who took part where, is one the compiler computes for several
    citizens at once, twice as fast at a million citizens.
    """
    hears = len(heard) > 0
    if rewards.recognition.any() or rewards.monetary.any():
        for i in range(len(c.trust)):
            m = c.municipality[i]
            took_part = c.participated[i]
            recognised = took_part & rewards.recognition[m]
            paid = took_part & rewards.monetary[m]
            if hears:
                _learn(c, i, heard[i], c.degree[i] > 0, p, recognised, paid)
            else:
                _learn(c, i, 0.0, False, p, recognised, paid)
    elif hears:
        for i in range(len(c.trust)):
            _learn(c, i, heard[i], c.degree[i] > 0, p, False, False)
    else:
        for i in range(len(c.trust)):
            _learn(c, i, 0.0, False, p, False, False)


@njit(cache=True, nogil=True, inline="always")
def _learn(c, i, heard, has_ties, p, recognised, paid):
    """Citizen ``i``'s month of learning.

    :func:`trust_after`, efficacy's reversion, :func:`motivation_after`, clipping, and the
    drift of trust's reference ``trust_ref += drift · (trust - trust_ref)``.
    """
    trust = trust_after(p, c.trust[i], c.trust_ref[i], c.met[i], heard, has_ties)
    efficacy = c.efficacy[i] + p.rate * p.reversion * (c.efficacy0[i] - c.efficacy[i])
    motivation = motivation_after(p, c.motivation[i], c.motivation0[i], recognised, paid)
    trust = clip01(trust)
    c.trust[i] = trust
    c.efficacy[i] = clip01(efficacy)
    c.motivation[i] = clip01(motivation)
    c.trust_ref[i] += p.drift * (trust - c.trust_ref[i])


def _heard(model: CoProductionModel) -> np.ndarray:
    """Neighbours' mean trust before this month's experiences; 0 for citizens without ties.

    One sparse product (the peer mean of 7.1), taken in the adjacency's own single precision,
    which avoids converting the matrix every month; the mean is exact to about 1e-7, far below
    any effect in the model.
    """
    return heard_from(model, network.neighbour_sums(model.adjacency, model.citizens.trust)[:, 0])


def heard_from(model: CoProductionModel, sums: np.ndarray) -> np.ndarray:
    """:func:`_heard` from the neighbours' summed trust (float32, one per citizen)."""
    heard = np.empty(len(sums))
    _heard_of(sums, inverse_degree(model), heard)
    return heard


@njit(cache=True, nogil=True, inline="always")
def heard_trust(total, inverse_degree):
    """Neighbours' mean trust ``total · (1 / degree)``, in the network's single precision.

    ``total`` and ``inverse_degree`` are float32, so is their product; it is widened to
    double precision for the trust update. 0 for a citizen without ties (inverse 0).
    """
    return np.float64(total * inverse_degree)


@njit(cache=True, nogil=True)
def _heard_of(sums, inverse, heard):
    """:func:`heard_trust` for each citizen."""
    for i in range(len(sums)):
        heard[i] = heard_trust(sums[i], inverse[i])


def inverse_degree(model: CoProductionModel) -> np.ndarray:
    """``1 / degree`` in the network's single precision, 0 for a citizen without ties."""
    return cached(
        model,
        ("inverse_degree", id(model.degree)),
        lambda: np.divide(
            1.0, model.degree, out=np.zeros_like(model.degree), where=model.degree > 0
        ),
    )


def _experiences(
    model: CoProductionModel, record: StepRecord, lr: float, asymmetry: float
) -> None:
    """Each experience with an input raises or lowers trust and efficacy; falls weigh more."""
    c = model.citizens
    visible = 1.0 + VISIBILITY * model.local.at("open_processes", c.municipality)
    for name, traits, up, rate in experiences(lr, asymmetry, visible):
        _move(tuple(getattr(c, t) for t in traits), getattr(record, name), rate, up)


def experiences(
    lr: float, asymmetry: float, visible: float | np.ndarray
) -> tuple[tuple[str, tuple[str, ...], bool, float | np.ndarray], ...]:
    """The experiences with inputs in the order they apply (ODD 7.10, the table).

    Each is its name (the record's field), the traits it moves, whether towards 1, and its rate
    ``k`` for :func:`experienced` (per citizen where ``visible``, ``1 + VISIBILITY · open
    processes``, is).
    """
    fall = lr * asymmetry
    both = ("trust", "efficacy")
    return (
        ("acted", both, True, lr * ACTED * visible),
        ("accepted", both, True, lr * ACCEPTED * visible),
        ("rejected", ("efficacy",), False, fall * REJECTED / visible),  # reasoned: hurts less
        ("ignored", both, False, fall * IGNORED),
        ("wronged", both, False, fall * WRONGED),
        ("corrected_late", ("trust",), False, fall * CORRECTED_LATE),
    )


@njit(cache=True, nogil=True, inline="always")
def experienced(x, times, rate, up):
    """A trait after ``times`` experiences of rate ``k`` (``rate``): towards 1 (``up``) or 0.

    It keeps ``(1 - min(k, 1))^times`` of its distance, as ``times`` experiences in a row.
    """
    kept = 1.0 - min(rate, 1.0)
    if times != 1.0:  # one experience, the usual case, needs no power (the same number)
        kept **= times
    return 1.0 - kept * (1.0 - x) if up else x * kept


def _move(
    traits: tuple[np.ndarray, ...], who: np.ndarray | None, rate: float | np.ndarray, up: bool
) -> None:
    """:func:`experienced` for each listed row, the times it is listed (a citizen's count)."""
    if who is None or len(who) == 0:
        return
    if len(who) == 1 or bool(np.all(who[1:] > who[:-1])):  # already unique (and sorted)
        rows, times = who, np.ones(len(who))
    else:
        rows, counts = np.unique(who, return_counts=True)
        times = counts.astype(np.float64)
    rates = rate[rows] if np.ndim(rate) else np.full(len(rows), rate)
    for trait in traits:
        _experienced_each(trait, rows, times, rates, up)


@njit(cache=True, nogil=True)
def _experienced_each(trait, rows, times, rates, up):
    """:func:`experienced` for each of ``rows``, in place."""
    for k in range(len(rows)):
        trait[rows[k]] = experienced(trait[rows[k]], times[k], rates[k], up)
