"""Figures of a calibration: posteriors over priors, pairs, generations, predictive checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coprod.analysis.calibration.spec import CalibrationPlan
from coprod.analysis.plots import subplots


def _grid(n: int, width: float = 4.0, height: float = 3.0) -> tuple[Figure, np.ndarray]:
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = subplots(
        rows, cols, figsize=(width * cols, height * rows), squeeze=False, constrained_layout=True
    )
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()


def marginals_figure(plan: CalibrationPlan, posterior: pd.DataFrame) -> Figure:
    """Each key's weighted posterior histogram over its prior density."""
    fig, axes = _grid(len(plan.priors))
    w = posterior["weight"].to_numpy(dtype=float)
    for ax, prior in zip(axes, plan.priors, strict=False):
        low, high = prior.quantiles((0.001, 0.999))
        grid = np.linspace(low, high, 200)
        ax.plot(grid, prior.pdf(grid), color="0.4", label="prior")
        ax.hist(
            posterior[prior.key],
            bins=np.linspace(low, high, 31),
            weights=w,
            density=True,
            alpha=0.6,
            label="posterior",
        )
        ax.set_title(prior.key, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Posterior (last generation) over prior")
    return fig


def pairs_figure(plan: CalibrationPlan, posterior: pd.DataFrame) -> Figure | None:
    """Every pair of keys: the last generation's particles, sized by weight."""
    keys = plan.keys
    if len(keys) < 2:
        return None
    pairs = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :]]
    fig, axes = _grid(len(pairs), 3.6, 3.4)
    w = posterior["weight"].to_numpy(dtype=float)
    size = 8 + 60 * w / w.max()
    for ax, (a, b) in zip(axes, pairs, strict=False):
        ax.scatter(posterior[a], posterior[b], s=size, alpha=0.5)
        ax.set_xlabel(a, fontsize=9)
        ax.set_ylabel(b, fontsize=9)
        ax.grid(alpha=0.3)
    fig.suptitle("Posterior pairs (point size: weight)")
    return fig


def generations_figure(generations: pd.DataFrame) -> Figure:
    """Epsilon (the acceptance threshold) and the acceptance rate by generation."""
    fig, (left, right) = subplots(1, 2, figsize=(9, 3.2), constrained_layout=True)
    x = generations["generation"] + 1
    left.plot(x, generations["epsilon"], marker="o")
    left.set_yscale("log")
    left.set_title("epsilon (distance threshold, in sds)")
    right.plot(x, generations["acceptance_rate"], marker="o", color="C1")
    right.set_title("acceptance rate")
    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("generation")
        ax.grid(alpha=0.3)
    return fig


def predictive_figure(predictive: pd.DataFrame, plan: CalibrationPlan) -> Figure:
    """Observed against simulated: each target as a point and interval, each series as a band."""
    groups = list(dict.fromkeys(predictive["group"]))
    fig, axes = _grid(len(groups), 4.2, 3.0)
    for ax, group in zip(axes, groups, strict=False):
        rows = predictive[predictive["group"] == group]
        measure = rows["measure"].iloc[0]
        if group.startswith("series"):
            months = rows["last"]
            ax.fill_between(months, rows["low"], rows["high"], alpha=0.3, label="simulated 90%")
            ax.plot(months, rows["mean"], label="simulated mean")
            ax.errorbar(
                months,
                rows["observed"],
                yerr=rows["sd"],
                fmt="o",
                ms=3,
                color="k",
                label="observed ± sd",
            )
            ax.set_xlabel("month")
        else:
            r = rows.iloc[0]
            ax.errorbar(
                [0],
                [r["mean"]],
                yerr=[[r["mean"] - r["low"]], [r["high"] - r["mean"]]],
                fmt="s",
                label="simulated (90%)",
            )
            ax.errorbar(
                [1], [r["observed"]], yerr=[r["sd"]], fmt="o", color="k", label="observed ± sd"
            )
            ax.set_xticks([0, 1], ["simulated", "observed"])
            ax.set_xlim(-0.7, 1.7)
            ax.set_title(f"months {int(r['first'])}–{int(r['last'])}", fontsize=9)
        ax.set_ylabel(measure)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Posterior-predictive check: observed against the last generation")
    return fig
