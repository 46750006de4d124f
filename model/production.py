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

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from coprod.model.arrays import columns

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
#: Smallest relative input of the co-production function (keeps its powers finite).
FLOOR = 1e-9


class ProductionParams(NamedTuple):
    """The production function's parameters: the scenario's and the module's, at call time."""

    tfp: float
    resources_ref: float  # per resident and domain
    baseline_effort: float
    effort_scale: float
    effort_ref: float
    weight_r: float  # 1 - services.coproducer_weight
    rho: float  # services.substitution
    floor: float
    need_multiplier: float


class Cells(NamedTuple):
    """The neighbourhood x domain cells production reads and writes (``model.hoods``)."""

    population: np.ndarray
    resources: np.ndarray
    effort: np.ndarray
    quality: np.ndarray
    municipality: np.ndarray
    level: np.ndarray


class Served(NamedTuple):
    """The citizens' arrays of needs met (``model.citizens``)."""

    hood: np.ndarray
    municipality: np.ndarray
    need: np.ndarray
    met: np.ndarray


# ------------------------------------------------------------------------------ the rules


@njit(cache=True, nogil=True, inline="always")
def relative_inputs(resources, effort, residents, delivers, p):
    """Resources ``r`` and effort ``c`` per resident, each relative to its default level.

    ``r = resources / residents / resources_ref``; ``c = (baseline + EFFORT_SCALE x effort /
    residents) / (baseline + EFFORT_REF)`` where citizens deliver the service, the baseline's
    share ``baseline / (baseline + EFFORT_REF)`` elsewhere (using a service is co-production).
    """
    r = resources / residents / p.resources_ref
    if delivers:
        c = (p.baseline_effort + p.effort_scale * effort / residents) / (
            p.baseline_effort + p.effort_ref
        )
    else:
        c = p.baseline_effort / (p.baseline_effort + p.effort_ref)
    return r, c


@njit(cache=True, nogil=True, inline="always")
def coproduction(r, c, p):
    """The CES co-production function ``(a r^rho + (1 - a) c^rho)^(1/rho)`` (Parks et al. 1981).

    ``a = p.weight_r``; Cobb-Douglas ``r^a c^(1-a)`` at ``rho = 0`` (``|rho| < 1e-6``); each
    input at least ``FLOOR``.
    """
    r = max(r, p.floor)
    c = max(c, p.floor)
    if abs(p.rho) < 1e-6:
        return r**p.weight_r * c ** (1.0 - p.weight_r)
    return (p.weight_r * r**p.rho + (1.0 - p.weight_r) * c**p.rho) ** (1.0 / p.rho)


@njit(cache=True, nogil=True, inline="always")
def service_level(quality, data_services, aggregate, p):
    """A cell's level: ``TFP x quality x (1 + data services) x co-production``."""
    return p.tfp * quality * (1.0 + data_services) * aggregate


@njit(cache=True, nogil=True, inline="always")
def needs_met(need, level, p):
    """A citizen's share of needs met: ``sum_d min(need_d x m, level_d) / sum_d need_d x m``.

    ``need`` and ``level`` are the citizen's and its cell's rows; ``m`` the month's need
    multiplier. Returns the share and the need met (the sum of the minima).
    """
    wanted = 0.0
    met = 0.0
    for d in range(len(need)):
        wants = need[d] * p.need_multiplier
        wanted += wants
        met += min(wants, level[d])
    return met / wanted, met


# ------------------------------------------------------------------------------ the passes


def production_params(model: CoProductionModel, need_multiplier: float) -> ProductionParams:
    """The parameters of this month's production, from the scenario and the module now."""
    s = model.scenario.services
    return ProductionParams(
        tfp=float(TFP),
        resources_ref=float(RESOURCES_REF) / model.n_domains,
        baseline_effort=float(s.baseline_effort),
        effort_scale=float(EFFORT_SCALE),
        effort_ref=float(EFFORT_REF),
        weight_r=1.0 - float(s.coproducer_weight),
        rho=float(s.substitution),
        floor=float(FLOOR),
        need_multiplier=float(need_multiplier),
    )


def produce_services(model: CoProductionModel, record: StepRecord) -> None:
    """Compute every service level and each citizen's share of needs met.

    Reads the businesses' data-service gains and the month's need multiplier from ``record``
    and writes each municipality's useful and gross output there for the measures. The levels
    (:func:`_levels`) and needs met (:func:`_serve`) are compiled passes over the cells and the
    citizens that apply :func:`coproduction`, :func:`service_level` and :func:`needs_met`.
    """
    h = model.hoods
    c = model.citizens
    p = production_params(model, record.need_multiplier)
    cells = columns(Cells, h)
    n_muni = len(model.administrations)
    record.useful_output = np.zeros(n_muni)
    record.gross_output = np.zeros(n_muni)
    _levels(cells, model.local.delivery, record.data_services, p, record.gross_output)
    served = columns(Served, c)
    _serve(served, h.level, p, record.useful_output)


@njit(cache=True, nogil=True)
def _levels(cells, delivers, data_services, p, gross):
    """Each cell's level (:func:`service_level`), and each municipality's gross output.

    Gross output adds each cell's level times its residents.
    """
    for k in range(cells.level.shape[0]):
        m = cells.municipality[k]
        residents = np.float64(max(cells.population[k], 1))
        for j in range(cells.level.shape[1]):
            r, c = relative_inputs(
                cells.resources[k, j], cells.effort[k, j], residents, delivers[m], p
            )
            cells.level[k, j] = service_level(
                cells.quality[k, j], data_services[m, j], coproduction(r, c, p), p
            )
            gross[m] += cells.level[k, j] * np.float64(cells.population[k])


@njit(cache=True, nogil=True)
def _serve(served, level, p, useful):
    """Each citizen's needs met (:func:`needs_met`), and each municipality's useful output.

    Citizens are stored by neighbourhood, so a municipality's are one run: its useful output is
    summed in a local variable and written back once per run (a read and write of ``useful``
    for each of millions of citizens would make every addition wait for the one before).
    """
    if len(served.hood) == 0:
        return
    current = served.municipality[0]
    running = useful[current]
    for i in range(len(served.hood)):
        share, met = needs_met(served.need[i], level[served.hood[i]], p)
        served.met[i] = share
        if served.municipality[i] != current:
            useful[current] = running
            current = served.municipality[i]
            running = useful[current]
        running += met
    useful[current] = running
