"""Interval estimates across replicates: Student t intervals and Welch differences.

Replicates are independent runs (their seeds spawned from one root seed), so the mean of a
measure over replicates has a t-interval with ``n - 1`` degrees of freedom, and the difference
between two scenarios a Welch interval (unequal variances, Welch-Satterthwaite degrees of
freedom). With one replicate there is no interval (NaN); with no spread the interval has width 0.

A bounded measure's interval never leaves the measure's range (the registry's ``range``: a
share lies in [0, 1]): the symmetric t-interval is intersected with the range. The mean itself
lies in the range, so the clipped interval covers it at least as often as the unclipped one, and
no table reports an impossible value such as ``responsiveness 0.969 [0.901, 1.037]``.

This module is the one home of summary statistics across replicates (:func:`summarise`,
:func:`add_difference`, :func:`describe`, :func:`mean_interval`) and of how an interval is
written in tables and reports (:func:`format_interval`, :func:`interval_cell`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from coprod.analysis.wording import marked_change
from coprod.model.errors import AnalysisError
from coprod.model.measure_registry import BY_NAME

#: Months at the end of a run averaged into its horizon value.
HORIZON_WINDOW = 12

#: Step label of the initial state, measured before the first month (Mesa's convention).
INITIAL_STEP = 0

#: Confidence level of every interval.
CONFIDENCE = 0.95


def measure_range(measures: Any) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest value of each measure, elementwise, from the measure registry.

    Args:
        measures: A measure name or an array of them; a name the registry does not know (a
            derived quantity, a difference) has no bounds (``-inf``, ``inf``).
    """
    names = np.asarray(measures, dtype=object)
    unknown = (-np.inf, np.inf)
    low = np.vectorize(
        lambda m: BY_NAME[m].range[0] if m in BY_NAME else unknown[0], otypes=[float]
    )
    high = np.vectorize(
        lambda m: BY_NAME[m].range[1] if m in BY_NAME else unknown[1], otypes=[float]
    )
    return low(names), high(names)


def t_interval(
    mean: np.ndarray,
    sd: np.ndarray,
    n: np.ndarray,
    confidence: float = CONFIDENCE,
    measure: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the t-interval of a mean, elementwise.

    Args:
        mean: Means across replicates.
        sd: Standard deviations across replicates.
        n: Numbers of replicates.
        confidence: Confidence level.
        measure: The measure (a name, or one per element) whose registry range the interval
            is kept within; None (or an unregistered name) for no bounds.
    """
    mean, sd, n = (np.asarray(x, dtype=float) for x in (mean, sd, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(n > 1, n - 1, np.nan)
        half = stats.t.ppf(0.5 + confidence / 2, df) * sd / np.sqrt(n)
    half = np.where(sd == 0, np.where(n > 1, 0.0, np.nan), half)
    low, high = mean - half, mean + half
    if measure is None:
        return low, high
    floor, ceiling = measure_range(measure)
    return np.maximum(low, floor), np.minimum(high, ceiling)  # NaN (no interval) stays NaN


def welch(
    mean_a: np.ndarray,
    sd_a: np.ndarray,
    n_a: np.ndarray,
    mean_b: np.ndarray,
    sd_b: np.ndarray,
    n_b: np.ndarray,
    confidence: float = CONFIDENCE,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Difference ``a - b`` with its Welch interval and two-sided p-value, elementwise.

    Returns:
        ``(difference, lower, upper, p_value)``.
    """
    arrays = (mean_a, sd_a, n_a, mean_b, sd_b, n_b)
    mean_a, sd_a, n_a, mean_b, sd_b, n_b = (np.asarray(x, dtype=float) for x in arrays)
    diff = mean_a - mean_b
    with np.errstate(divide="ignore", invalid="ignore"):
        va, vb = sd_a**2 / n_a, sd_b**2 / n_b
        se = np.sqrt(va + vb)
        df = (va + vb) ** 2 / (
            np.where(n_a > 1, va**2 / (n_a - 1), np.nan)
            + np.where(n_b > 1, vb**2 / (n_b - 1), np.nan)
        )
        half = stats.t.ppf(0.5 + confidence / 2, df) * se
        p = 2 * stats.t.sf(np.abs(diff) / se, df)
    defined = (n_a > 1) & (n_b > 1)
    flat = defined & (se == 0)
    half = np.where(flat, 0.0, np.where(defined, half, np.nan))
    p = np.where(flat, np.where(diff == 0, 1.0, 0.0), np.where(defined, p, np.nan))
    return diff, diff - half, diff + half, p


def describe(groups: pd.core.groupby.DataFrameGroupBy, column: str) -> pd.DataFrame:
    """Mean, standard deviation, count and t-interval of ``column`` in each group."""
    agg = groups[column].agg(["mean", "std", "count"])
    lo, hi = t_interval(agg["mean"], agg["std"], agg["count"], measure=column)
    agg["ci_low"], agg["ci_high"] = lo, hi
    return agg.rename(columns={"std": "sd", "count": "n"})


def simulated_months(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of simulated months (step 1 on), without the initial state (step 0).

    Works on tidy runs (a ``step`` column) and on ``model_vars`` (index ``step``).
    """
    steps = frame["step"] if "step" in frame.columns else frame.index.to_series(index=frame.index)
    return frame[steps.to_numpy() > INITIAL_STEP]


def horizon_means(
    frame: pd.DataFrame,
    by: list[str],
    measures: list[str],
    window: int = HORIZON_WINDOW,
) -> pd.DataFrame:
    """Mean of each measure over the last ``window`` steps of each run.

    Args:
        frame: Tidy runs: the ``by`` columns (identifying one run), ``step`` and the measures.
        by: Columns that identify a run, e.g. ``["scenario", "replicate"]``.
        measures: Measures to average.
        window: Months at the end of each run (all months if a run is shorter; the initial
            state, step 0, is never part of it).

    Returns:
        One row per run: the ``by`` columns and the measures.
    """
    frame = simulated_months(frame)
    last = frame.groupby(by, sort=False)["step"].transform("max")
    tail = frame[frame["step"] > last - window]
    return tail.groupby(by, sort=False)[measures].mean().reset_index()


def mean_interval(values: np.ndarray, measure: str | None = None) -> tuple[float, float, float]:
    """Mean of ``values`` (one per replicate) with its t-interval, within ``measure``'s range."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    lo, hi = t_interval(mean, values.std(ddof=1), len(values), measure=measure)
    return mean, float(lo), float(hi)


def summarise(values: pd.DataFrame, by: list[str], measures: list[str]) -> pd.DataFrame:
    """Mean, sd, n and t-interval per group and measure, in long format.

    Args:
        values: One row per run (e.g. :func:`horizon_means`): the ``by`` columns and measures.
        by: Columns that make a group, e.g. ``["scenario"]``.
        measures: Measure columns to summarise.

    Returns:
        One row per group and measure (in order of first appearance): the ``by`` columns,
        ``measure``, ``mean``, ``sd``, ``n``, ``ci_low``, ``ci_high`` (the t-interval, kept
        within the measure's range).
    """
    long = values.melt(id_vars=by, value_vars=measures, var_name="measure")
    table = long.groupby([*by, "measure"], sort=False)["value"].agg(["mean", "std", "count"])
    table = table.rename(columns={"std": "sd", "count": "n"}).reset_index()
    table["ci_low"], table["ci_high"] = t_interval(
        table["mean"], table["sd"], table["n"], measure=table["measure"]
    )
    return table


def add_difference(table: pd.DataFrame, keys: list[str], reference: str) -> pd.DataFrame:
    """Add each row's difference to the ``reference`` scenario's row with the same ``keys``.

    Args:
        table: Output of :func:`summarise` with a ``scenario`` column (changed in place).
        keys: Columns that pair a row with the reference's, e.g. ``["measure"]``.
        reference: The scenario the others are compared with.

    Returns:
        ``table`` with ``diff``, ``diff_low``, ``diff_high`` (Welch interval) and ``p_value``;
        the reference's own rows have a difference of 0 and no p-value.

    Raises:
        AnalysisError: ``reference`` is not one of the scenarios.
    """
    ref = table.loc[table["scenario"] == reference, [*keys, "mean", "sd", "n"]]
    if ref.empty:
        raise AnalysisError(f"reference = {reference!r} is not one of the scenarios")
    aligned = table[keys].merge(ref, on=keys, how="left", validate="many_to_one")
    diff, lo, hi, p = welch(
        *(table[c].to_numpy() for c in ("mean", "sd", "n")),
        *(aligned[c].to_numpy() for c in ("mean", "sd", "n")),
    )
    table["diff"], table["diff_low"], table["diff_high"], table["p_value"] = diff, lo, hi, p
    own = (table["scenario"] == reference).to_numpy()
    table.loc[own, ["diff", "diff_low", "diff_high"]] = 0.0
    table.loc[own, "p_value"] = np.nan
    return table


def format_interval(mean: float, low: float, high: float, signed: bool = False) -> str:
    """``mean [low, high]``, three decimals, ``+`` signs if ``signed``; ``mean`` if no interval."""
    sign = "+" if signed else ""
    if pd.isna(low):
        return f"{mean:{sign}.3f}"
    return f"{mean:{sign}.3f} [{low:{sign}.3f}, {high:{sign}.3f}]"


def format_difference(row: pd.Series, measure: str) -> str:
    """A row's signed difference with its interval, marked where the interval excludes zero.

    The mark is `` * better`` (worse; higher or lower for a neutral quantity), judged by
    ``measure``'s direction in the registry.
    """
    text = format_interval(row["diff"], row["diff_low"], row["diff_high"], signed=True)
    return text + marked_change(measure, row["diff"], row["diff_low"], row["diff_high"])


def interval_cell(row: pd.Series, with_diff: bool, measure: str) -> str:
    """``mean [low, high]``, then, if asked, the difference marked by :func:`format_difference`."""
    if np.isnan(row["mean"]):
        return "—"
    text = format_interval(row["mean"], row["ci_low"], row["ci_high"])
    if with_diff and not np.isnan(row["diff"]):
        text += "; " + format_difference(row, measure)
    return text


def interval_rows(
    table: pd.DataFrame, key: str, items: Iterable[Any], measure: str | None = None
) -> tuple[list[str], list[list[Any]]]:
    """A wide table of intervals: a row per item of ``key``, a column per scenario.

    Args:
        table: Output of :func:`add_difference` (``scenario``, ``key``, intervals, differences).
        key: The column whose values make the rows, e.g. ``status_rank`` or ``measure``.
        items: The values of ``key`` to show, in order.
        measure: The measure every row shows, whose direction words the differences; by
            default each row's item (for tables with a row per measure).

    Returns:
        The scenarios in order, and per item the item followed by each scenario's
        :func:`interval_cell` (with the difference after the first scenario).
    """
    scenarios = list(dict.fromkeys(table["scenario"]))
    indexed = table.set_index(["scenario", key])
    body = [
        [
            item,
            *(
                interval_cell(indexed.loc[(s, item)], i > 0, measure or str(item))
                for i, s in enumerate(scenarios)
            ),
        ]
        for item in items
    ]
    return scenarios, body
