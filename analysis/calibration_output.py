"""A calibration's results folder: posterior, summary, resolved file, figures and manifest.

Everything is read back from pyabc's history (``history.db``), so the files can be rewritten
from the folder alone, and each is written atomically (:mod:`coprod.analysis.output`):

- ``posterior.parquet``: one row per particle of the last generation, one column per calibrated
  key (its dotted name) and ``weight`` (the particle weights, summing to one);
- ``summary.csv``: per key the prior, the posterior mean, median and 90% credible interval;
- ``generations.csv``: epsilon, simulations and acceptance rate by generation;
- ``predictive.csv``: every observed statistic against the distribution of its simulated values
  among the last generation's particles (a posterior-predictive check);
- ``calibration.toml`` (the resolved file, runnable again), ``scenario.toml`` (the resolved base
  scenario), ``observed/`` (copies of the series files), figures and ``manifest.json``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coprod.analysis.calibration_spec import CalibrationPlan, resolved_toml
from coprod.analysis.output import manifest, write_frame, write_json, write_text

#: Quantiles of the credible interval reported (a central 90% interval).
INTERVAL = (0.05, 0.95)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile ``q`` of weighted values (weights need not sum to one), interpolated."""
    order = np.argsort(values, kind="stable")
    x = np.asarray(values, dtype=float)[order]
    w = np.asarray(weights, dtype=float)[order]
    cumulative = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cumulative, x))


def posterior_summary(plan: CalibrationPlan, posterior: pd.DataFrame) -> pd.DataFrame:
    """Per calibrated key: prior, its 90% interval, posterior mean, median, 90% interval."""
    w = posterior["weight"].to_numpy(dtype=float)
    rows = []
    for prior in plan.priors:
        x = posterior[prior.key].to_numpy(dtype=float)
        p_low, p_high = prior.quantiles(INTERVAL)
        low, high = (weighted_quantile(x, w, q) for q in INTERVAL)
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
            }
        )
    return pd.DataFrame(rows)


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
    from coprod.analysis.calibration import CalibrationResult, generation_table
    from coprod.analysis.calibration_plots import (
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
    )
    files.append(write_json(folder / "manifest.json", info))
    return CalibrationResult(folder, posterior, summary, generations, files, resumed_from)


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
