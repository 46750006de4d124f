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

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from coprod.model import network
from coprod.model.arrays import cached

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
    # needs met against expectation, neighbours, reversion: one compiled pass over the
    # citizens (with millions, a dozen passes over arrays far larger than the processor's
    # caches cost more in moving memory than in arithmetic)
    hears = heard is not None  # weighted: influence for citizens with ties, 0 for the others
    _pull_and_revert(
        c.trust, c.efficacy, c.met, c.trust_ref, c.efficacy0,
        heard if hears else c.met, _weight(model, influence) if hears else c.met, hears,
        lr * SATISFACTION, b.trust_asymmetry, lr * REVERSION, EXPECTED_MET,
    )  # fmt: skip
    _rewards(model)
    _revert_and_clip(
        c.trust, c.efficacy, c.motivation, c.motivation0, c.trust_ref,
        lr * REVERSION, b.trust_reference_drift,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _pull_and_revert(
    trust, efficacy, met, trust_ref, efficacy0, heard, weight, hears,
    satisfaction, asymmetry, reversion, expected_met,
):  # fmt: skip
    """Trust pulled by needs met and by neighbours, then trust and efficacy revert a step.

    Each citizen's sums in the order of the array updates they replace: ``pull = (met -
    expected_met) * satisfaction``, plus ``min(pull, 0) * (asymmetry - 1)`` when falls weigh
    more, plus ``(heard - trust) * weight``; then trust and efficacy revert a step towards
    their reference levels: ``trait += (target - trait) * reversion``.
    """
    for i in range(len(trust)):
        pull = met[i] - expected_met
        pull *= satisfaction
        if asymmetry != 1.0:
            pull += min(pull, 0.0) * (asymmetry - 1.0)
        if hears:
            pull += (heard[i] - trust[i]) * weight[i]
        trust[i] += pull
        if reversion != 0.0:
            trust[i] += (trust_ref[i] - trust[i]) * reversion
            efficacy[i] += (efficacy0[i] - efficacy[i]) * reversion


@njit(cache=True, nogil=True)
def _revert_and_clip(trust, efficacy, motivation, motivation0, trust_ref, reversion, drift):
    """Motivation reverts, traits are clipped to [0, 1], trust's reference drifts.

    Each step towards a target is ``trait += (target - trait) * rate``, as in
    :func:`_pull_and_revert`; the order is that of the array updates they replace.
    """
    for i in range(len(trust)):
        if reversion != 0.0:
            motivation[i] += (motivation0[i] - motivation[i]) * reversion
        trust[i] = min(max(trust[i], 0.0), 1.0)
        efficacy[i] = min(max(efficacy[i], 0.0), 1.0)
        motivation[i] = min(max(motivation[i], 0.0), 1.0)
        if drift != 0.0:
            trust_ref[i] += (trust[i] - trust_ref[i]) * drift


def _heard(model: CoProductionModel) -> np.ndarray:
    """Neighbours' mean trust before this month's experiences; 0 for citizens without ties.

    One sparse product (the peer mean of 7.1), taken in the adjacency's own single precision,
    which avoids converting the matrix every month; the mean is exact to about 1e-7, far below
    any effect in the model.
    """
    return heard_from(model, network.neighbour_sums(model.adjacency, model.citizens.trust)[:, 0])


def heard_from(model: CoProductionModel, sums: np.ndarray) -> np.ndarray:
    """:func:`_heard` from the neighbours' summed trust (float32, one per citizen; changed)."""
    sums *= inverse_degree(model)
    return sums.astype(np.float64)


def inverse_degree(model: CoProductionModel) -> np.ndarray:
    """``1 / degree`` in the network's single precision, 0 for a citizen without ties."""
    return cached(
        model,
        ("inverse_degree", id(model.degree)),
        lambda: np.divide(
            1.0, model.degree, out=np.zeros_like(model.degree), where=model.degree > 0
        ),
    )


def _weight(model: CoProductionModel, influence: float) -> np.ndarray:
    """The neighbours' pull on each citizen: ``influence``, or 0 for a citizen without ties."""
    degree = model.degree
    return cached(model, ("influence", id(degree), influence), lambda: influence * (degree > 0))


def _experiences(
    model: CoProductionModel, record: StepRecord, lr: float, asymmetry: float
) -> None:
    """Each experience with an input raises or lowers trust and efficacy; falls weigh more."""
    c = model.citizens
    visible = 1.0 + VISIBILITY * model.local.at("open_processes", c.municipality)
    fall = lr * asymmetry
    for who, weight in ((record.acted, ACTED), (record.accepted, ACCEPTED)):
        _move((c.trust, c.efficacy), who, lr * weight * visible, up=True)
    # a reasoned, public rejection hurts less
    _move((c.efficacy,), record.rejected, fall * REJECTED / visible, up=False)
    for who, weight in ((record.ignored, IGNORED), (record.wronged, WRONGED)):
        _move((c.trust, c.efficacy), who, fall * weight, up=False)
    _move((c.trust,), record.corrected_late, fall * CORRECTED_LATE, up=False)


def _rewards(model: CoProductionModel) -> None:
    """This month's rewarded participants' motivation moves as the reward is felt.

    Cognitive evaluation theory (Deci & Ryan 1985): every reward has a controlling and an
    informational side, and the kind of reward decides which one is felt. A payment that is
    expected and contingent on taking part is felt as controlling: it takes ``crowding_out``
    of the intrinsic motivation there is (there is nothing to crowd out in someone who has
    none, as rewards do not undermine interest in tasks of little initial interest; Deci,
    Koestner & Ryan 1999). Recognition is felt as informational and raises motivation by
    ``crowding_out`` of its distance to 1.
    """
    c = model.citizens
    g = model.local
    crowding = model.scenario.behaviour.crowding_out
    if not (g.monetary.any() or g.recognition.any()):
        return
    participated = c.participated
    if g.recognition.any():
        recognised = np.flatnonzero(participated & g.recognition[c.municipality])
        c.motivation[recognised] += crowding * (1.0 - c.motivation[recognised])
    if g.monetary.any():
        paid = np.flatnonzero(participated & g.monetary[c.municipality])
        c.motivation[paid] *= 1.0 - crowding


def _move(
    traits: tuple[np.ndarray, ...], who: np.ndarray | None, rate: float | np.ndarray, up: bool
) -> None:
    """Apply one experience per listed row, towards 1 (``up``) or 0, by ``min(rate, 1)``.

    A row listed k times keeps ``(1 - rate)^k`` of its distance, as k experiences in a row.
    """
    if who is None or len(who) == 0:
        return
    if len(who) == 1 or bool(np.all(who[1:] > who[:-1])):  # already unique (and sorted)
        rows = who
        rate = rate[rows] if np.ndim(rate) else rate
        kept = 1.0 - np.minimum(rate, 1.0)  # equal to the power below with every count 1
    else:
        rows, times = np.unique(who, return_counts=True)
        rate = rate[rows] if np.ndim(rate) else rate
        kept = (1.0 - np.minimum(rate, 1.0)) ** times
    for trait in traits:
        if up:
            trait[rows] = 1.0 - kept * (1.0 - trait[rows])
        else:
            trait[rows] *= kept
