"""Interval estimates across replicates: Student t intervals and Welch differences.

Replicates are independent runs (their seeds spawned from one root seed), so the mean of a
measure over replicates has a t-interval with ``n - 1`` degrees of freedom, and the difference
between two scenarios a Welch interval (unequal variances, Welch-Satterthwaite degrees of
freedom). With one replicate there is no interval (NaN); with no spread the interval has width 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

#: Months at the end of a run averaged into its horizon value.
HORIZON_WINDOW = 12

#: Confidence level of every interval.
CONFIDENCE = 0.95


def t_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the t-interval of a mean, elementwise."""
    mean, sd, n = (np.asarray(x, dtype=float) for x in (mean, sd, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(n > 1, n - 1, np.nan)
        half = stats.t.ppf(0.5 + confidence / 2, df) * sd / np.sqrt(n)
    half = np.where(sd == 0, np.where(n > 1, 0.0, np.nan), half)
    return mean - half, mean + half


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
    lo, hi = t_interval(agg["mean"], agg["std"], agg["count"])
    agg["ci_low"], agg["ci_high"] = lo, hi
    return agg.rename(columns={"std": "sd", "count": "n"})


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
        window: Months at the end of each run (all steps if a run is shorter).

    Returns:
        One row per run: the ``by`` columns and the measures.
    """
    last = frame.groupby(by, sort=False)["step"].transform("max")
    tail = frame[frame["step"] > last - window]
    return tail.groupby(by, sort=False)[measures].mean().reset_index()
