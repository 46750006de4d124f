"""Service production: a CES co-production function of professional resources and effort.

Output of a neighbourhood and domain combines professional resources R and co-producers' effort C
(Parks et al. 1981): ``level = TFP * quality * (a r^rho + (1 - a) c^rho)^(1/rho)`` with r and c
per resident, each relative to its default level, so that the default world produces the same
level whatever rho is and rho only matters away from it. ``rho = services.substitution``: near 1
citizen effort substitutes for professional work, 0 is Cobb-Douglas, negative complements.
Every citizen contributes a baseline of effort (using the service at all is co-production), so
output stays positive when nobody volunteers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from coprod.model.arrays import cached, row_sum

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: Service level per resident (need units) produced at default resources and effort.
TFP = 0.30
#: Professional resources per resident, all domains together, at the default budget (money
#: units per month); each domain's reference is this divided by the number of domains.
RESOURCES_REF = 0.84
#: Effort units per resident that count as one unit of co-producer effort, and the extra
#: effort per resident of the default world on top of the baseline.
EFFORT_SCALE, EFFORT_REF = 3.0, 0.1


def ces(r: np.ndarray, c: np.ndarray, weight_r: float, rho: float) -> np.ndarray:
    """Constant-elasticity-of-substitution aggregate of ``r`` and ``c`` (Cobb-Douglas at 0)."""
    r = np.maximum(r, 1e-9)
    c = np.maximum(c, 1e-9)
    if abs(rho) < 1e-6:
        return r**weight_r * c ** (1.0 - weight_r)
    return (weight_r * r**rho + (1.0 - weight_r) * c**rho) ** (1.0 / rho)


def produce_services(model: CoProductionModel, record: StepRecord) -> None:
    """Compute every service level and each citizen's share of needs met.

    Reads the businesses' data-service gains and the month's need multiplier from ``record``
    and writes each municipality's useful and gross output there for the measures.
    """
    h = model.hoods
    s = model.scenario.services
    pop = np.maximum(h.population, 1)[:, None]
    r = h.resources / pop / (RESOURCES_REF / model.n_domains)
    c = (s.baseline_effort + EFFORT_SCALE * h.effort / pop) / (s.baseline_effort + EFFORT_REF)
    baseline_only = s.baseline_effort / (s.baseline_effort + EFFORT_REF)
    c = np.where(model.local.delivery[h.municipality][:, None], c, baseline_only)
    boost = 1.0 + record.data_services[h.municipality]
    h.level[:] = TFP * h.quality * boost * ces(r, c, 1.0 - s.coproducer_weight, s.substitution)

    cit = model.citizens
    nm = record.need_multiplier
    need = cit.need if nm == 1.0 else cit.need * nm
    met = np.take(h.level, cit.hood, axis=0)
    np.minimum(need, met, out=met)
    met_total = row_sum(met)
    need_total = cached(model, ("need_total", nm), lambda: row_sum(need))
    cit.met[:] = met_total / need_total
    n_muni = len(model.administrations)
    record.useful_output = np.bincount(cit.municipality, weights=met_total, minlength=n_muni)
    record.gross_output = np.bincount(
        h.municipality, weights=(h.level * h.population[:, None]).sum(axis=1), minlength=n_muni
    )
