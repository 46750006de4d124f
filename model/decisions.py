"""Decisions on citizens' cases: who decides, how often wrongly, and what corrects it.

Under substitutive ICT an algorithm decides cases, human staff otherwise (Bovens & Zouridis
2002 on system-level bureaucracies). A wrong decision stands unless a human reviews the automated
decision or the citizen appeals; appeals take skill, so they favour the literate and
efficacious (Nieuwenhuizen & Meijer 2021 on lawfulness at risk).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel

#: Probability that a wronged citizen appeals: a base plus a part rising with efficacy x literacy.
APPEAL_BASE, APPEAL_SKILL = 0.1, 0.6


def judge_cases(
    model: CoProductionModel, handled: np.ndarray, domains: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per handled input: whether the decision was wrong, reviewed, and appealed.

    Args:
        model: The model, for the citizens, the local rules and the random generator.
        handled: The citizen (row) behind each input decided this month.
        domains: The service domain each input concerns.

    Automated decisions err at ``administration.algorithm_error``, human ones at the ICT
    role's error rate; only automated decisions are reviewed; a citizen appeals with a
    probability rising with efficacy x literacy where appeals exist.
    """
    c = model.citizens
    g = model.local
    rng = model.rng
    where = c.municipality[handled]
    automated = g.automated[where]
    error_rate = np.where(
        automated, model.scenario.administration.algorithm_error, g.human_error[where]
    )
    wrong = rng.random(len(handled)) < error_rate
    reviewed = automated & (rng.random(len(handled)) < g.human_review[where])
    appeal_p = APPEAL_BASE + APPEAL_SKILL * c.efficacy[handled] * c.literacy[handled]
    appealed = g.appeals[where] & (rng.random(len(handled)) < appeal_p)
    return wrong, reviewed, appealed
