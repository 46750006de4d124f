"""Trust, efficacy and motivation move with experience.

Inputs acted upon and accepted proposals raise trust and efficacy, more so when open processes
make the results visible; inputs ignored, wrong decisions suffered and unmet needs lower them
(value co-destruction, Uppström & Lönn 2017; Jakobsen 2013; Van Ryzin's performance-trust link).
Monetary rewards crowd out intrinsic motivation, recognition supports it (Frey & Jegen 2001).
All traits revert slowly towards each citizen's own starting level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: Relative size of each experience's effect on trust and efficacy, in units of learning rate.
ACTED, ACCEPTED, REJECTED, IGNORED, WRONGED, CORRECTED_LATE = 1.0, 2.0, 0.5, 1.5, 2.5, 0.5
#: Open processes amplify good experiences by making results visible.
VISIBILITY = 0.5
#: Pull of trust by needs met above or below expectation (expectancy-disconfirmation,
#: Van Ryzin 2004), in units of learning rate, and the expected share of needs met.
SATISFACTION, EXPECTED_MET = 0.3, 0.7
#: Monthly reversion towards the starting level, in units of learning rate.
REVERSION = 0.2


def update_trust(model: CoProductionModel, record: StepRecord) -> None:
    """Apply this month's experiences to every citizen's trust, efficacy and motivation.

    The experiences with inputs (acted upon, accepted, rejected, ignored, wronged, corrected
    late) come from ``record``; needs met and this month's participation from the citizens.
    """
    c = model.citizens
    lr = model.scenario.behaviour.learning_rate
    g = model.local
    visible = 1.0 + VISIBILITY * g.at("open_processes", c.municipality)

    def at(who: np.ndarray):
        return visible[who] if np.ndim(visible) else visible

    for who, weight in ((record.acted, ACTED), (record.accepted, ACCEPTED)):
        _raise(c.trust, who, lr * weight * at(who))
        _raise(c.efficacy, who, lr * weight * at(who))
    rejected = record.rejected
    _lower(c.efficacy, rejected, lr * REJECTED / at(rejected))  # reasoned, public: hurts less
    _lower(c.trust, record.ignored, lr * IGNORED)
    _lower(c.efficacy, record.ignored, lr * IGNORED)
    _lower(c.trust, record.wronged, lr * WRONGED)
    _lower(c.efficacy, record.wronged, lr * WRONGED)
    _lower(c.trust, record.corrected_late, lr * CORRECTED_LATE)

    c.trust += lr * SATISFACTION * (c.met - EXPECTED_MET)
    c.trust += lr * REVERSION * (c.trust0 - c.trust)
    c.efficacy += lr * REVERSION * (c.efficacy0 - c.efficacy)

    crowding = model.scenario.behaviour.crowding_out
    participated = c.participated
    if g.monetary.any():
        paid = participated & g.monetary[c.municipality]
        c.motivation[paid] *= 1.0 - crowding
    if g.recognition.any():
        recognised = participated & g.recognition[c.municipality]
        c.motivation[recognised] += 0.3 * crowding * (1.0 - c.motivation[recognised])
    c.motivation += lr * REVERSION * (c.motivation0 - c.motivation)
    for trait in (c.trust, c.efficacy, c.motivation):
        np.clip(trait, 0.0, 1.0, out=trait)


def _raise(trait: np.ndarray, who: np.ndarray, rate: float | np.ndarray) -> None:
    trait[who] += np.minimum(rate, 1.0) * (1.0 - trait[who])


def _lower(trait: np.ndarray, who: np.ndarray, rate: float | np.ndarray) -> None:
    trait[who] -= np.minimum(rate, 1.0) * trait[who]
