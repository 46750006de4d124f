"""Measures of participation and public value, computed from the arrays once per step.

Column names are part of coprod's public API (README.md, Measures); they, their order, ranges
and value families are defined once in :mod:`coprod.model.measure_registry`, and ``MEASURES``,
``MUNICIPALITY_MEASURES`` and ``PUBLIC_VALUE_COMPONENTS`` are re-exported here from it.
Formulas are documented in docs/ODD.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from coprod.model.arrays import cached
from coprod.model.innovation import fit_measures
from coprod.model.measure_registry import (
    FAMILIES,
    MEASURES,
    MUNICIPALITY_MEASURES,
    PLACE_MEASURES,
    PUBLIC_VALUE_COMPONENTS,
    family_composite,
)

#: Months over which co-creation's reach is counted: a year, as calls for proposals and
#: participatory budgets run in yearly cycles.
REACH_MONTHS = 12

#: Months over which ``responsiveness`` counts the inputs resolved: one whole cycle of the
#: annual call for proposals and of the budget round. The monthly share swings with the
#: cycle (in ``socialgov`` from 1 before a call to 0 three months after it, when the call's
#: proposals are resolved late); over a whole cycle every month weighs in once, whatever the
#: month the window ends. ``responsiveness_month`` keeps the monthly share.
RESPONSIVENESS_MONTHS = 12

_NAN = float("nan")

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: Share of needs met at or above which a citizen counts as satisfied.
SATISFIED = 0.75


def _unit(x: float) -> float:
    """``x`` clipped to [0, 1] (a plain float: ``np.clip`` is slow on one number)."""
    return min(1.0, max(0.0, x))


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (NaN, not defined, when all are zero)."""
    total = values.sum()
    n = len(values)
    if n == 0 or total <= 0:
        return _NAN
    ordered = np.sort(values)
    cum = np.cumsum(ordered)
    return _unit(float((n + 1 - 2 * cum.sum() / total) / n))


def top_share(values: np.ndarray, share: float = 0.1) -> float:
    """Share of the total held by the top ``share`` of values (NaN when the total is 0)."""
    total = values.sum()
    if total <= 0:
        return _NAN
    k = max(1, int(np.ceil(share * len(values))))
    return min(1.0, float(np.partition(values, len(values) - k)[-k:].sum() / total))


def _sorted_positive(values: np.ndarray) -> np.ndarray:
    """The positive ones of non-negative ``values``, sorted.

    The zeros, most citizens' contributions in most months, are left out rather than sorted
    or summed: they add nothing to a running total, and with millions of citizens sorting an
    array that is mostly zeros costs far more than its size suggests (a sort at 10,000,000
    citizens took 60 times one at 1,000,000).
    """
    return np.sort(values[values > 0])


def _inequality(contributions: np.ndarray, reports: np.ndarray) -> dict[str, float]:
    """Participation inequality: over all contributions, and over reports per reporter.

    The contribution shares come from one sort of the contributions (the top shares among
    those who contributed, as participation inequality is reported); the report shares count
    reports alone, as reporting platforms such as FixMyStreet count their users.
    """
    gini_top = ("contribution_gini", "top10_share", "top1_share")
    reported = ("one_off_reporters", "report_top10_share", "report_top1_share")
    return {
        **dict(zip(gini_top, _gini_top(contributions), strict=True)),
        **dict(zip(reported, report_shares(reports), strict=True)),
    }


def report_shares(reports: np.ndarray) -> tuple[float, float, float]:
    """Share of reporters who reported once, and the shares of reports by the top 10% and 1%.

    Reporters are the citizens with at least one report so far; the top shares are those of
    the most active tenth and hundredth of them (at least one), as platforms such as
    FixMyStreet report their users. Before anyone has reported, all three are NaN (not
    defined), as the contribution shares are. Two partial sorts (``np.partition``) instead
    of a full sort keep the cost linear in the number of reporters.
    """
    counts = reports[reports > 0]
    n = len(counts)
    if n == 0:
        return _NAN, _NAN, _NAN
    total = float(counts.sum())
    top10 = max(1, int(np.ceil(0.1 * n)))
    top1 = max(1, int(np.ceil(0.01 * n)))
    tenth = np.partition(counts, n - top10)[n - top10 :]
    hundredth = np.partition(tenth, top10 - top1)[top10 - top1 :]
    return (
        np.count_nonzero(counts == 1) / n,
        float(tenth.sum()) / total,
        float(hundredth.sum()) / total,
    )


def _gini_top(values: np.ndarray) -> tuple[float, float, float]:
    """``gini(values)`` and the shares of the top 10% and top 1% of the positive values.

    One sort serves all three; equal to :func:`gini` and :func:`top_share` of the positive
    values up to rounding in the last bit (the sums run in sorted order). Before anyone has
    contributed there is no distribution of contributions: all three are NaN (not defined),
    not 0 (which would read "perfectly equal").
    """
    n = len(values)
    if n == 0:
        return _NAN, _NAN, _NAN
    ordered = _sorted_positive(values)
    contributors = len(ordered)
    if contributors == 0:
        return _NAN, _NAN, _NAN
    cum = np.cumsum(ordered)  # the running total over all values: zeros in front add nothing
    total = cum[-1]
    top10 = max(1, int(np.ceil(0.1 * contributors)))
    top1 = max(1, int(np.ceil(0.01 * contributors)))
    return (
        _unit(float((n + 1 - 2 * cum.sum() / values.sum()) / n)),
        min(1.0, float(ordered[contributors - top10 :].sum() / total)),
        min(1.0, float(ordered[contributors - top1 :].sum() / total)),
    )


def collect_measures(model: CoProductionModel, record: StepRecord) -> dict[str, float]:
    """All model-level measures for the step just taken, from the arrays and ``record``.

    What is not defined is NaN, not 0: see ``NOT_BEFORE_FIRST_MONTH`` and
    ``UNDEFINED_WITHOUT_DENOMINATOR``.
    """
    c = model.citizens
    adm = model.administrations
    participated = c.participated
    quintile = cached(model, "quintile", lambda: c.quintile.astype(np.intp) - 1)  # q1 -> 0
    by_q = cached(model, "by_quintile", lambda: np.bincount(quintile, minlength=5).clip(min=1))
    part_q = np.bincount(quintile, weights=participated, minlength=5) / by_q
    met_q = np.bincount(quintile, weights=c.met, minlength=5) / by_q

    responsiveness, responsiveness_month = _responsiveness(model, record)
    spending = float(adm.spending.sum())
    decisions = float(adm.decisions.sum())

    m = {
        "participation_rate": np.count_nonzero(participated) / len(c),
        "coproduction_rate": np.count_nonzero(c.coproduced) / len(c),
        "cocreation_rate": np.count_nonzero(c.cocreated) / len(c),
        "participation_gap": float(part_q[4] - part_q[0]),
        **_inequality(c.contributions, c.reports),
        "adoption": np.count_nonzero(c.adopted) / len(c),
        "trust": float(c.trust.mean()),
        "efficacy": float(c.efficacy.mean()),
        "intrinsic_motivation": float(c.motivation.mean()),
        "effectiveness": float(c.met.mean()),
        "efficiency": _efficiency(model, record, spending),
        "responsiveness": responsiveness,
        "equality": 1.0 - abs(float(met_q[4] - met_q[0])),
        "lawfulness": 1.0 - float(adm.errors.sum()) / decisions if decisions else _NAN,
        "integrity": _integrity(model),
        "business_engagement": float(model.businesses.engaged.mean())
        if len(model.businesses)
        else 0.0,
        "innovations_adopted": float(model.innovations_adopted),
        "innovation_reach": float(model.innovation.adopted.mean(axis=0).max())
        if model.innovation is not None
        else 0.0,
        "outcome_spread": _outcome_spread(model, record),
        "satisfaction": np.count_nonzero(c.met >= SATISFIED) / len(c),
        "backlog": float(adm.backlog.sum()) / len(c),
        "spending_per_capita": spending / len(c),
    }
    for q in range(5):
        m[f"participation_q{q + 1}"] = float(part_q[q])
        m[f"needs_met_q{q + 1}"] = float(met_q[q])
    m.update(_burden(model, record, quintile, by_q, participated))
    m["responsiveness_month"] = responsiveness_month
    return _completed(model, m)


def _completed(model: CoProductionModel, m: dict[str, float]) -> dict[str, float]:
    """``m`` with reach, the NaNs of step 0 and the family composites, in column order.

    The composites come after the NaNs: a family with an undefined member is undefined too.
    """
    m["cocreation_reach"] = _cocreation_reach(model)
    # innovation: whether what was adopted fits the places that adopted it (7.13)
    m.update(fit_measures(model.innovation))
    if model.steps == 0:
        for name in NOT_BEFORE_FIRST_MONTH:
            m[name] = _NAN
    for family in FAMILIES.values():
        m[family.composite] = family_composite(m, family.name)
    return {name: m[name] for name in MEASURES}


#: Measures of what happens in a month, or of its outcome: NaN at step 0, the initial state,
#: where no month has been run, rather than 0 or their placeholders (needs met start at 0.5
#: for everyone, which would read as perfect equality and no satisfied resident). States that
#: exist before the first month (trust, efficacy, motivation, adoption, backlog, innovations
#: so far) keep their values.
NOT_BEFORE_FIRST_MONTH: tuple[str, ...] = (
    "participation_rate",
    "coproduction_rate",
    "cocreation_rate",
    "participation_gap",
    "effectiveness",
    "efficiency",
    "equality",
    "lawfulness",
    "integrity",
    "business_engagement",
    "satisfaction",
    "spending_per_capita",
    *(f"participation_q{q}" for q in range(1, 6)),
    *(f"needs_met_q{q}" for q in range(1, 6)),
    *(f"burden_q{q}" for q in range(1, 6)),
    "coproducer_hours",
)

#: Measures that are ratios and NaN in any month whose denominator is 0: no contribution yet
#: (the contribution shares), no report yet (the report shares), nothing resolved
#: (responsiveness over the year, and this month), no money spent or nothing produced
#: (efficiency), no decision (lawfulness), no resources allocated (integrity); and the
#: family composites over them.
UNDEFINED_WITHOUT_DENOMINATOR: tuple[str, ...] = (
    "contribution_gini",
    "top10_share",
    "top1_share",
    "one_off_reporters",
    "report_top10_share",
    "report_top1_share",
    "efficiency",
    "responsiveness",
    "lawfulness",
    "integrity",
    "responsiveness_month",
    *(family.composite for family in FAMILIES.values()),
)


def _burden(
    model: CoProductionModel,
    record: StepRecord,
    quintile: np.ndarray,
    by_q: np.ndarray,
    participated: np.ndarray,
) -> dict[str, float]:
    """Hours given per resident of each status fifth, and per resident who took part."""
    hours = record.hours if record.hours is not None else np.zeros(len(model.citizens))
    per_q = np.bincount(quintile, weights=hours, minlength=5) / by_q
    actors = np.count_nonzero(participated)
    m = {f"burden_q{q + 1}": float(per_q[q]) for q in range(5)}
    m["coproducer_hours"] = float(hours.sum()) / actors if actors else 0.0
    return m


def _cocreation_reach(model: CoProductionModel) -> float:
    """Share of citizens who made a proposal in the last 12 months (this one included)."""
    c = model.citizens
    return np.count_nonzero(c.last_proposal > model.steps - REACH_MONTHS) / len(c)


def _responsiveness(model: CoProductionModel, record: StepRecord) -> tuple[float, float]:
    """Share of the inputs resolved in time: over the last 12 months, and this month.

    Resolved are the inputs handled or expired (dropped unanswered) in a month; in time, those
    handled within ``administration.target_delay`` months. The first value pools the counts of
    the last ``RESPONSIVENESS_MONTHS`` months (this one included; all months so far in the
    first year), so a month's share weighs by its inputs and the yearly call cycle evens out.
    Both are NaN, not defined, where nothing was resolved (always at step 0). The counts of
    each month are model state, ``model.resolved_window`` (a ring of ``(in time, resolved)``
    rows by month), which only this function writes.
    """
    adm = model.administrations
    in_time = float(record.handled_in_time.sum())
    resolved = float((adm.handled + adm.expired).sum()) if model.steps else 0.0
    window = model.resolved_window
    window[model.steps % len(window)] = (in_time, resolved)
    pooled_in_time, pooled = window.sum(axis=0)
    return (
        float(pooled_in_time / pooled) if pooled else _NAN,
        in_time / resolved if resolved else _NAN,
    )


def _efficiency(model: CoProductionModel, record: StepRecord, spending: float) -> float:
    """Share of spending reaching the front line times the share of output meeting a need.

    NaN (not defined) without money spent or services produced; rounding can pass 1.
    """
    useful_share = _useful_share(record)
    if spending <= 0 or np.isnan(useful_share):
        return _NAN
    overhead_share = float(model.administrations.overhead.sum()) / spending
    return min(1.0, (1.0 - overhead_share) * useful_share)


def _useful_share(record: StepRecord) -> float:
    """Share of the services produced that met a need (NaN when nothing was produced)."""
    gross = float(record.gross_output.sum())
    return float(record.useful_output.sum()) / gross if gross > 0 else _NAN


def _outcome_spread(model: CoProductionModel, record: StepRecord) -> float:
    """Spread of public value between municipalities.

    0 with one municipality (there is no spread); NaN where there are several and their
    public values were not measured (step 0, before the first month).
    """
    if record.municipality_public_value is None:
        return 0.0 if len(model.administrations) == 1 else _NAN
    return float(np.std(record.municipality_public_value))


def collect_municipality_measures(
    model: CoProductionModel, record: StepRecord
) -> dict[str, np.ndarray]:
    """Measures per municipality for the step just taken, one array entry per municipality."""
    c = model.citizens
    adm = model.administrations
    n = len(adm)
    mean = model.municipality_mean
    groups = c.municipality.astype(np.int64) * 5 + (c.quintile - 1)
    per_group = np.bincount(groups, minlength=5 * n).clip(min=1)
    met_q = (np.bincount(groups, weights=c.met, minlength=5 * n) / per_group).reshape(n, 5)
    gross = record.gross_output
    useful = record.useful_output
    overhead_share = _ratio(adm.overhead, adm.spending)
    m = {
        "participation_rate": mean(c.participated),
        "adoption": mean(c.adopted),
        "trust": mean(c.trust),
        "efficacy": mean(c.efficacy),
        "effectiveness": mean(c.met),
        "efficiency": np.minimum(1.0, (1.0 - overhead_share) * _ratio(useful, gross)),
        "responsiveness": adm.responsiveness.copy(),
        "equality": 1.0 - np.abs(met_q[:, 4] - met_q[:, 0]),
        "lawfulness": 1.0 - _ratio(adm.errors, adm.decisions),
        "integrity": _integrity_by_municipality(model, n),
        "backlog": adm.backlog / np.maximum(adm.population, 1),
        "innovations": model.innovation.adopted.sum(axis=1).astype(float)
        if model.innovation is not None
        else np.zeros(n),
    }
    m["public_value"] = np.mean([m[k] for k in PUBLIC_VALUE_COMPONENTS], axis=0)
    return {name: m[name] for name in MUNICIPALITY_MEASURES}


def collect_place_measures(model: CoProductionModel, record: StepRecord) -> np.ndarray:
    """Measures per neighbourhood for the step just taken: ``(hoods, PLACE_MEASURES)`` floats.

    Citizens are stored sorted by neighbourhood, so each sum is one ``np.add.reduceat`` over the
    blocks (a sequential pass; ``np.bincount`` over the neighbourhood index where a block is
    empty), divided by the neighbourhoods' residents. At step 0 the measures of the month
    (taking part, needs met, hours) are NaN, as the model-level ones.
    """
    c = model.citizens
    population = model.hoods.population
    n = len(population)
    starts = cached(model, "hood_starts", lambda: np.r_[0, np.cumsum(population)[:-1]])
    if population.min() > 0:

        def total(values: np.ndarray) -> np.ndarray:
            if values.dtype == bool:  # counted as bytes: whole numbers, exactly
                return np.add.reduceat(values.view(np.uint8), starts, dtype=np.int64)
            return np.add.reduceat(values, starts, dtype=np.float64)

    else:  # pragma: no cover - every neighbourhood has residents in the worlds coprod builds

        def total(values: np.ndarray) -> np.ndarray:
            return np.bincount(c.hood, weights=values.astype(np.float64), minlength=n)

    out = np.empty((n, len(PLACE_MEASURES)))
    out[:, 0] = total(c.participated)
    out[:, 1] = total(c.adopted)
    out[:, 2] = total(c.trust)
    out[:, 3] = total(c.met)
    out[:, 4] = total(record.hours) if record.hours is not None else 0.0
    out /= np.maximum(population, 1)[:, None]
    if model.steps == 0:  # no month yet: taking part, needs met and hours are not defined
        out[:, [0, 3, 4]] = np.nan
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _captured_cells(model: CoProductionModel) -> np.ndarray:
    """Service cells (neighbourhood x domain, flat) whose partner lobbied unseen this month."""
    b = model.businesses
    unseen = b.lobbied & ~b.detected
    if not unseen.any():  # most months: no sort needed
        return np.zeros(0, dtype=np.int64)
    return np.unique(b.hood[unseen].astype(np.int64) * model.n_domains + b.domain[unseen])


def _integrity(model: CoProductionModel) -> float:
    """1 minus the share of resources allocated under capture (NaN without resources).

    Resources are allocated under capture in the service cells where a partner lobbied
    unseen this month: the allocation there was steered, whatever share it moved.
    """
    resources = model.hoods.resources
    total = float(resources.sum())
    if total <= 0:  # nothing allocated: not defined
        return _NAN
    return 1.0 - float(resources.ravel()[_captured_cells(model)].sum()) / total


def _integrity_by_municipality(model: CoProductionModel, n: int) -> np.ndarray:
    """``_integrity`` per municipality."""
    resources = model.hoods.resources
    cell_muni = np.repeat(model.hoods.municipality, model.n_domains)
    total = np.bincount(cell_muni, weights=resources.ravel(), minlength=n)
    cells = _captured_cells(model)
    captured = np.bincount(cell_muni[cells], weights=resources.ravel()[cells], minlength=n)
    return 1.0 - _ratio(captured, total)
