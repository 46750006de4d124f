"""A calibration's results folder: posterior, summary, resolved file, figures and manifest.

Everything is read back from pyabc's history (``history.db``), so the files can be rewritten
from the folder alone, and each is written atomically (:mod:`coprod.analysis.output`):

- ``posterior.parquet``: one row per particle of the last generation, one column per calibrated
  key (its dotted name) and ``weight`` (the particle weights, summing to one);
- ``summary.csv``: per key the prior, the posterior mean, median and 90% credible interval,
  and how much narrower than the prior's that interval is (``width_ratio``, ``identified``);
- ``generations.csv``: epsilon, simulations and acceptance rate by generation;
- ``predictive.csv``: every observed statistic against the distribution of its simulated values
  among the last generation's particles (a posterior-predictive check);
- ``calibration.toml`` (the resolved file, runnable again), ``scenario.toml`` (the resolved base
  scenario), ``observed/`` (copies of the series files), figures and ``manifest.json``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from coprod.analysis.calibration.spec import CalibrationPlan, resolved_toml
from coprod.analysis.output import manifest, write_frame, write_json, write_text

#: Quantiles of the credible interval reported (a central 90% interval).
INTERVAL = (0.05, 0.95)
#: A posterior 90% interval wider than this share of the prior's 90% interval: the observations
#: say hardly anything about the parameter ("not identified by these targets"). An ABC posterior
#: of a parameter the statistics do not depend on keeps about the prior's width (0.9-1.0 in the
#: recovery tests), one the statistics pin down a small share of it.
NOT_IDENTIFIED = 0.8
#: Below :data:`NOT_IDENTIFIED` and above this share the parameter is only weakly identified.
WEAKLY_IDENTIFIED = 0.5
#: Two parameters whose posterior correlation (on their priors' scales) exceeds this in size
#: trade off: several combinations fit about equally well (a ridge in ``pairs.png``).
TRADE_OFF = 0.7


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile ``q`` of weighted values (weights need not sum to one), interpolated."""
    order = np.argsort(values, kind="stable")
    x = np.asarray(values, dtype=float)[order]
    w = np.asarray(weights, dtype=float)[order]
    cumulative = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cumulative, x))


def posterior_summary(plan: CalibrationPlan, posterior: pd.DataFrame) -> pd.DataFrame:
    """Per calibrated key: prior, its 90% interval, posterior mean, median, 90% interval.

    ``width_ratio`` is the posterior 90% interval's width over the prior's, both on the
    prior's own scale (the logarithm for ``loguniform`` and ``lognormal`` priors, whose spread
    is in orders of magnitude); ``identified`` reads it: ``no`` above :data:`NOT_IDENTIFIED`
    (these observations do not identify the parameter), ``weakly`` above
    :data:`WEAKLY_IDENTIFIED`, else ``yes``.
    """
    w = posterior["weight"].to_numpy(dtype=float)
    rows = []
    for prior in plan.priors:
        x = posterior[prior.key].to_numpy(dtype=float)
        p_low, p_high = prior.quantiles(INTERVAL)
        low, high = (weighted_quantile(x, w, q) for q in INTERVAL)
        ratio = width_ratio(prior.kind, low, high, p_low, p_high)
        rows.append(
            {
                "parameter": prior.key,
                "prior": prior.describe(),
                "prior_low": p_low,
                "prior_high": p_high,
                "mean": float(np.average(x, weights=w)),
                "median": weighted_quantile(x, w, 0.5),
                "low": low,
                "high": high,
                "default": _default(plan, prior.key),
                "width_ratio": ratio,
                "identified": identified(ratio),
            }
        )
    return pd.DataFrame(rows)


def _scale(kind: str, value: float) -> float:
    """A value on its prior's own scale: the logarithm for priors spread over magnitudes."""
    return math.log(value) if kind in LOG_PRIORS and value > 0 else value


#: Prior kinds that are uniform or normal in the logarithm of the parameter.
LOG_PRIORS = ("loguniform", "lognormal")


def width_ratio(kind: str, low: float, high: float, prior_low: float, prior_high: float) -> float:
    """Width of the posterior 90% interval over the prior's, on the prior's own scale."""
    prior = _scale(kind, prior_high) - _scale(kind, prior_low)
    if not prior > 0:
        return float("nan")
    return float((_scale(kind, high) - _scale(kind, low)) / prior)


def identified(ratio: float) -> str:
    """``yes``, ``weakly`` or ``no``: how far the observations narrowed the prior down."""
    if not np.isfinite(ratio) or ratio > NOT_IDENTIFIED:
        return "no"
    return "weakly" if ratio > WEAKLY_IDENTIFIED else "yes"


def trade_offs(plan: CalibrationPlan, posterior: pd.DataFrame) -> list[tuple[str, str, float]]:
    """Pairs of keys whose weighted posterior correlation exceeds :data:`TRADE_OFF` in size.

    Correlations are taken on the priors' own scales (the logarithm for log priors), so a
    ridge that is straight in the logarithm of a rate is found.
    """
    w = posterior["weight"].to_numpy(dtype=float)
    columns = {
        p.key: np.asarray(
            [_scale(p.kind, v) for v in posterior[p.key].to_numpy(dtype=float)], dtype=float
        )
        for p in plan.priors
    }
    pairs = []
    keys = list(columns)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            r = _weighted_correlation(columns[a], columns[b], w)
            if np.isfinite(r) and abs(r) > TRADE_OFF:
                pairs.append((a, b, r))
    return pairs


def _weighted_correlation(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    cov = np.average((x - mx) * (y - my), weights=w)
    vx, vy = np.average((x - mx) ** 2, weights=w), np.average((y - my) ** 2, weights=w)
    return float(cov / math.sqrt(vx * vy)) if vx > 0 and vy > 0 else float("nan")


def identification_lines(summary: pd.DataFrame, pairs: list[tuple[str, str, float]]) -> list[str]:
    """What the observations identify, in words: for the command's output and the report.

    One line per parameter the observations do not identify or identify weakly, one per pair
    that trades off, or one line saying that every parameter is identified.
    """
    lines = []
    for _, r in summary.iterrows():
        share = f"its 90% interval is {r['width_ratio']:.0%} of the prior's"
        if r["identified"] == "no":
            lines.append(
                f"{r['parameter']}: not identified by these targets ({share}); fix it, or add "
                "observations that depend on it"
            )
        elif r["identified"] == "weakly":
            lines.append(f"{r['parameter']}: weakly identified ({share})")
    for a, b, rho in pairs:
        lines.append(
            f"{a} and {b} trade off (posterior correlation {rho:+.2f}): several combinations "
            "fit about equally well"
        )
    if not lines:
        lines.append(
            "every parameter is identified: each 90% interval is at most "
            f"{WEAKLY_IDENTIFIED:.0%} of its prior's"
        )
    return lines


def _default(plan: CalibrationPlan, key: str) -> float:
    node = plan.base.to_dict()
    for part in key.split("."):
        node = node[part]
    return float(node)


def read_posterior(url: str, plan: CalibrationPlan) -> pd.DataFrame:
    """The last generation's particles from the history: key columns and ``weight``."""
    from pyabc import History

    history = History(url, _id=1, create=False)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    posterior = frame.reset_index(drop=True)[plan.keys].astype(float)
    posterior["weight"] = np.asarray(weights, dtype=float) / np.sum(weights)
    return posterior


def predictive_table(url: str, plan: CalibrationPlan) -> pd.DataFrame:
    """Each observed statistic against its simulated values among the last particles.

    Returns:
        One row per statistic: ``label``, ``group`` (``target1``, ``series1``...), ``measure``,
        ``first``, ``last`` (months), ``observed``, ``sd`` and the weighted ``mean``, ``low``
        and ``high`` (90% interval) of the simulated values.
    """
    from pyabc import History

    history = History(url, _id=1, create=False)
    weights, stats = history.get_weighted_sum_stats(t=history.max_t)
    w = np.asarray(weights, dtype=float)
    rows = []
    for o in plan.observations:
        x = np.asarray([s[o.label] for s in stats], dtype=float)
        ok = np.isfinite(x)
        rows.append(
            {
                "label": o.label,
                "group": o.group,
                "measure": o.measure,
                "first": o.first,
                "last": o.last,
                "observed": o.value,
                "sd": o.sd,
                "mean": float(np.average(x[ok], weights=w[ok])) if ok.any() else np.nan,
                "low": weighted_quantile(x[ok], w[ok], INTERVAL[0]) if ok.any() else np.nan,
                "high": weighted_quantile(x[ok], w[ok], INTERVAL[1]) if ok.any() else np.nan,
            }
        )
    return pd.DataFrame(rows)


def write_start(plan: CalibrationPlan, folder: Path) -> list[Path]:
    """Write what defines the calibration before it runs: resolved file, scenario, series.

    The manifest written here (``complete`` false) carries the fingerprint that a later run on
    the same folder is checked against.
    """
    folder = Path(folder)
    names = {key: f"observed/{key}.csv" for key in plan.series_frames}
    files = [write_frame(folder / name, plan.series_frames[key]) for key, name in names.items()]
    files.append(write_text(folder / "scenario.toml", plan.base.to_toml()))
    files.append(write_text(folder / "calibration.toml", resolved_toml(plan, names)))
    existing = folder / "manifest.json"
    if not existing.exists():
        files.append(write_json(existing, _manifest(plan, folder, files, complete=False)))
    return files


def write_calibration(plan: CalibrationPlan, folder: Path, url: str, resumed_from: int):
    """Read the history and write the results; the manifest last."""
    from coprod.analysis.calibration.fit import CalibrationResult, generation_table
    from coprod.analysis.calibration.plots import (
        generations_figure,
        marginals_figure,
        pairs_figure,
        predictive_figure,
    )
    from coprod.analysis.plots import save_figure

    folder = Path(folder)
    files = write_start(plan, folder)
    posterior = read_posterior(url, plan)
    summary = posterior_summary(plan, posterior)
    pairs = trade_offs(plan, posterior)
    statement = identification_lines(summary, pairs)
    generations = generation_table(url)
    predictive = predictive_table(url, plan)
    files += [
        write_frame(folder / "posterior.parquet", posterior),
        write_frame(folder / "summary.csv", summary),
        write_frame(folder / "generations.csv", generations),
        write_frame(folder / "predictive.csv", predictive),
    ]
    figures = {
        "marginals.png": marginals_figure(plan, posterior),
        "pairs.png": pairs_figure(plan, posterior),
        "generations.png": generations_figure(generations),
        "predictive.png": predictive_figure(predictive, plan),
    }
    for name, fig in figures.items():
        if fig is not None:
            save_figure(fig, folder / name)
            files.append(folder / name)
    files.append(folder / "history.db")
    info = _manifest(plan, folder, files, complete=True)
    info.update(
        generations=len(generations),
        simulations=int(generations["simulations"].sum()),
        final_epsilon=float(generations["epsilon"].iloc[-1]),
        resumed_from=resumed_from,
        not_identified=summary.loc[summary["identified"] == "no", "parameter"].tolist(),
        trade_offs=[{"parameters": [a, b], "correlation": rho} for a, b, rho in pairs],
        identification=statement,
    )
    files.append(write_json(folder / "manifest.json", info))
    return CalibrationResult(
        folder, posterior, summary, generations, files, resumed_from, identification=statement
    )


def _manifest(plan: CalibrationPlan, folder: Path, files: list[Path], complete: bool) -> dict:
    spec = plan.spec
    return manifest(
        kind="calibrate",
        name=spec.name,
        description=spec.description,
        scenario=plan.base.name,
        steps=plan.steps,
        seed=spec.seed,
        parameters=plan.keys,
        priors={p.key: p.describe() for p in plan.priors},
        observations=len(plan.observations),
        population=spec.abc.population,
        max_generations=spec.abc.generations,
        min_epsilon=spec.abc.min_epsilon,
        fingerprint=plan.fingerprint(),
        complete=complete,
        files=sorted({str(Path(f).relative_to(folder)) for f in files}),
    )
