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
from numba import njit

from coprod.model.arrays import minimum

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

    Three compiled passes around NumPy's power functions (kept there: their last bits are
    NumPy's, and small exponents such as 0.5 take its exact square root): the CES inputs of
    each cell (:func:`_ces_inputs`), their weighted mix (:func:`_ces_mix`), then the levels,
    needs met and outputs (:func:`_serve`); each value is computed with the operations, in the
    order, of the array expressions they replace (:func:`ces`).
    """
    h = model.hoods
    s = model.scenario.services
    inputs = np.empty((2, *h.level.shape))
    _ces_inputs(
        h.population, h.resources, h.effort, h.municipality, model.local.delivery,
        RESOURCES_REF / model.n_domains, s.baseline_effort, (EFFORT_SCALE, EFFORT_REF),
        inputs,
    )  # fmt: skip
    weight_r, rho = 1.0 - s.coproducer_weight, s.substitution
    if abs(rho) < 1e-6:
        aggregate = inputs[0] ** weight_r * inputs[1] ** (1.0 - weight_r)
    else:
        aggregate = _ces_mix(inputs**rho, weight_r) ** (1.0 / rho)

    cit = model.citizens
    n_muni = len(model.administrations)
    record.useful_output = np.zeros(n_muni)
    record.gross_output = np.zeros(n_muni)
    _serve(
        aggregate, h.quality, record.data_services, h.municipality, h.population, h.level,
        cit.need, float(record.need_multiplier), cit.hood, cit.municipality, cit.met,
        record.useful_output, record.gross_output, TFP,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _ces_inputs(
    population, resources, effort, municipality, delivers, resources_ref, baseline_effort,
    effort_units, out,
):  # fmt: skip
    """Each cell's resources ``out[0]`` and effort ``out[1]`` per resident, as :func:`ces` takes.

    Each is relative to its default level and at least 1e-9. Effort counts only where the
    municipality has citizens deliver services; elsewhere every resident gives the baseline.
    ``effort_units`` is ``(EFFORT_SCALE, EFFORT_REF)``, passed at each call so that the
    module's current values are used.
    """
    effort_scale, effort_ref = effort_units
    baseline_only = baseline_effort / (baseline_effort + effort_ref)
    for k in range(resources.shape[0]):
        residents = np.float64(max(population[k], 1))
        delivered = delivers[municipality[k]]
        for j in range(resources.shape[1]):
            r = resources[k, j] / residents / resources_ref
            if delivered:
                c = effort_scale * effort[k, j] / residents
                c = (baseline_effort + c) / (baseline_effort + effort_ref)
            else:
                c = baseline_only
            out[0, k, j] = r if r > 1e-9 or r != r else 1e-9
            out[1, k, j] = c if c > 1e-9 or c != c else 1e-9


@njit(cache=True, nogil=True)
def _ces_mix(powered, weight_r):
    """Each cell's ``weight_r * r^rho + (1 - weight_r) * c^rho``, from ``powered = [r, c]^rho``."""
    out = np.empty(powered.shape[1:])
    for k in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[k, j] = weight_r * powered[0, k, j] + (1.0 - weight_r) * powered[1, k, j]
    return out


@njit(cache=True, nogil=True)
def _serve(
    aggregate, quality, data_services, hood_municipality, population, level,
    need, need_multiplier, hood, municipality, met, useful, gross, tfp,
):  # fmt: skip
    """Levels of the cells, then each citizen's needs met, and each municipality's outputs.

    A cell's level is ``tfp * quality * (1 + data services) * aggregate``; a citizen's needs
    met is the sum over domains of the smaller of need and level over the sum of needs (each
    sum as :func:`coprod.model.arrays.row_sum` makes it, :func:`_row_total`; the sum of needs
    here rather than kept, as reading it back from memory costs more than adding it again);
    useful output adds each citizen's needs met, gross output each cell's level times its
    residents, in the order of ``np.bincount``. ``tfp`` is the module's :data:`TFP`, passed at
    each call so that its current value is used.
    """
    domains = level.shape[1]
    values = np.empty(domains)
    wanted = np.empty(domains)
    for k in range(level.shape[0]):
        gains = data_services[hood_municipality[k]]
        residents = np.float64(population[k])
        for j in range(domains):
            level[k, j] = tfp * quality[k, j] * (1.0 + gains[j]) * aggregate[k, j]
            values[j] = level[k, j] * residents
        gross[hood_municipality[k]] += _row_total(values)
    if len(hood) == 0:
        return
    # useful output gathers each run of citizens of one municipality in a register: the same
    # additions in the same order, without a round trip through memory for each
    current = municipality[0]
    running = useful[current]
    for i in range(len(hood)):
        cell = hood[i]
        if domains < 8:
            need_total = need[i, 0] * need_multiplier
            total = minimum(need_total, level[cell, 0])
            for j in range(1, domains):
                wants = need[i, j] * need_multiplier
                need_total += wants
                total += minimum(wants, level[cell, j])
        else:
            for j in range(domains):
                wanted[j] = need[i, j] * need_multiplier
                values[j] = minimum(wanted[j], level[cell, j])
            need_total = _row_total(wanted)
            total = _row_total(values)
        met[i] = total / need_total
        if municipality[i] != current:
            useful[current] = running
            current = municipality[i]
            running = useful[current]
        running += total
    useful[current] = running


@njit(cache=True, nogil=True)
def _row_total(values):
    """The sum of one row as :func:`coprod.model.arrays.row_sum` makes it.

    Left to right for fewer than 8 values; for 8 or more, NumPy's pairwise sum after its zero
    start: as ``pairwise_sum`` in NumPy's ``loops_utils.h``, eight running sums, added in pairs,
    then the values left over. That is the whole sum for up to 128 values, a block NumPy does
    not split (the scenario allows at most 20 domains).
    """
    count = len(values)
    if count < 8:
        total = values[0]
        for j in range(1, count):
            total += values[j]
        return total
    s0, s1, s2, s3 = values[0], values[1], values[2], values[3]
    s4, s5, s6, s7 = values[4], values[5], values[6], values[7]
    j = 8
    while j < count - count % 8:
        s0 += values[j]
        s1 += values[j + 1]
        s2 += values[j + 2]
        s3 += values[j + 3]
        s4 += values[j + 4]
        s5 += values[j + 5]
        s6 += values[j + 6]
        s7 += values[j + 7]
        j += 8
    total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    while j < count:
        total += values[j]
        j += 1
    return 0.0 + total
