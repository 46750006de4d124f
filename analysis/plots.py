"""Figures of a run's measures: participation, adoption, trust and the three value families."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from coprod.model.measure_registry import (
    ATTITUDES,
    BY_NAME,
    FAMILIES,
    PARTICIPATION,
    TIMESERIES,
)

#: Panels of the overview figure: title and the measures drawn in it (the last three are the
#: public-value families of the measure registry).
PANELS: dict[str, tuple[str, ...]] = {
    "Participation": PARTICIPATION,
    "Digital channel and inequality": ("adoption", "participation_gap", "top10_share"),
    "Citizens' trust and efficacy": ATTITUDES,
    **{family.title: family.members for family in FAMILIES.values()},
}


def unit_label(measures: Iterable[str]) -> str:
    """An axis label naming the measures' unit and range, from the registry.

    ``share (0 to 1)`` for shares, ``share or score (0 to 1)`` for a panel mixing both,
    ``hours per month`` for an unbounded measure; ``value`` when none is registered.
    """
    known = [BY_NAME[m] for m in measures if m in BY_NAME]
    if not known:
        return "value"
    text = " or ".join(dict.fromkeys(m.unit for m in known))
    ranges = {m.range for m in known}
    if len(ranges) == 1:
        low, high = ranges.pop()
        if math.isfinite(high):
            text += f" ({low:g} to {high:g})"
    return text


def subplots(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None, **kwargs: Any
) -> tuple[Figure, Any]:
    """A figure and its axes, made with matplotlib's Figure API (constrained layout).

    Unlike ``pyplot.subplots`` it neither selects a backend nor keeps the figure in pyplot's
    state, so importing or using coprod leaves a notebook's matplotlib set-up as it was: the
    figures display in Jupyter like any other and need no closing.
    """
    kwargs.pop("constrained_layout", None)
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kwargs)


def overview_figure(model_vars: pd.DataFrame, title: str = "") -> Figure:
    """Six panels of the main measures over time (months)."""
    fig, axes = subplots(2, 3, figsize=(14, 7.5), sharex=True, constrained_layout=True)
    for ax, (panel, columns) in zip(axes.ravel(), PANELS.items(), strict=True):
        for column in columns:
            ax.plot(model_vars.index, model_vars[column], label=column.replace("_", " "))
        ax.set_title(panel)
        ax.set_ylabel(unit_label(columns))
        ax.set_ylim(-0.05 if panel.startswith("Digital") else 0.0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    for ax in axes[1]:
        ax.set_xlabel("month")
    if title:
        fig.suptitle(title)
    return fig


def save_figure(fig: Figure, path) -> None:
    """Save a figure as PNG atomically (rendered by matplotlib's Agg canvas, whatever backend)."""
    from coprod.analysis.output import atomic_write

    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110))


#: Public values by family (Nieuwenhuizen & Meijer 2021) and the model's family composites.
VALUE_FAMILIES: dict[str, tuple[str, ...]] = {n: f.members for n, f in FAMILIES.items()}
FAMILY_COLUMNS: dict[str, str] = {n: f.composite for n, f in FAMILIES.items()}


def timeseries_figure(over_time: pd.DataFrame, measures: tuple[str, ...] = TIMESERIES) -> Figure:
    """Mean of each measure over time, one line and 95% band per scenario.

    Args:
        over_time: The output of :func:`coprod.analysis.compare.comparison.compare_over_time`.
        measures: Measures to draw, one panel each (those absent are skipped).
    """
    present = [m for m in measures if m in set(over_time["measure"])]
    cols = 4
    rows = max(1, -(-len(present) // cols))
    fig, axes = subplots(
        rows, cols, figsize=(4 * cols, 2.8 * rows), sharex=True, constrained_layout=True
    )
    flat = list(np.atleast_1d(axes).ravel())
    scenarios = list(dict.fromkeys(over_time["scenario"]))
    for ax, measure in zip(flat, present, strict=False):
        sub = over_time[over_time["measure"] == measure]
        for i, scenario in enumerate(scenarios):
            s = sub[sub["scenario"] == scenario]
            color = f"C{i % 10}"
            ax.plot(s["step"], s["mean"], color=color, label=scenario, lw=1.4)
            ax.fill_between(s["step"], s["ci_low"], s["ci_high"], color=color, alpha=0.2, lw=0)
        ax.set_title(measure.replace("_", " "), fontsize=10)
        ax.set_ylabel(unit_label([measure]), fontsize=9)
        ax.grid(alpha=0.3)
    for ax in flat[len(present) :]:
        ax.set_visible(False)
    for ax in flat[-cols:]:
        ax.set_xlabel("month")
    if flat and present:
        handles, labels = flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4))
    fig.suptitle("Mean over replicates with 95% confidence bands")
    return fig


def value_profile_figure(horizon: pd.DataFrame) -> Figure:
    """Public-value profile per scenario: horizon means with 95% intervals, by value family.

    One panel per family (performing, responsive, proper governance); in each, the family's
    values and its composite, with one bar per scenario.

    Args:
        horizon: The output of :func:`coprod.analysis.compare.comparison.compare_horizon`.
    """
    rows = horizon.set_index(["measure", "scenario"])
    scenarios = list(dict.fromkeys(horizon["scenario"]))
    fig, axes = subplots(1, 3, figsize=(15, 4.6), sharey=True, constrained_layout=True)
    width = 0.8 / max(1, len(scenarios))
    for ax, (family, members) in zip(axes, VALUE_FAMILIES.items(), strict=True):
        columns = [m for m in (*members, FAMILY_COLUMNS[family]) if m in rows.index]
        x = np.arange(len(columns))
        for i, scenario in enumerate(scenarios):
            means = np.array([rows.loc[(m, scenario), "mean"] for m in columns])
            low = np.array([rows.loc[(m, scenario), "ci_low"] for m in columns])
            high = np.array([rows.loc[(m, scenario), "ci_high"] for m in columns])
            err = np.nan_to_num(np.vstack([means - low, high - means]))
            offset = (i - (len(scenarios) - 1) / 2) * width
            ax.bar(x + offset, means, width, yerr=err, capsize=2, label=scenario, color=f"C{i}")
        ax.set_xticks(x, [c.replace("_", " ") for c in columns], rotation=20, ha="right")
        ax.set_title(FAMILIES[family].title)
        ax.set_ylim(0, 1.05)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel(
        "horizon mean (last 12 months), "
        + unit_label(m for members in VALUE_FAMILIES.values() for m in members)
    )
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4), fontsize=9)
    fig.suptitle("Public-value profile (95% confidence intervals across replicates)")
    return fig


def main_effects_figure(summary: pd.DataFrame, parameters: list[str]) -> Figure:
    """Horizon mean of each measure against each parameter, one panel per pair.

    Each point of the design is a dot with its 95% interval; for parameters with a list of
    values a line joins the mean over all points at each value (the main effect). The panels of
    one measure share its y axis, so the parameters' effects compare at a glance.

    Args:
        summary: The output of :func:`coprod.analysis.sweep.run.summarise_sweep`.
        parameters: Parameter columns, one panel column each.
    """
    measures = list(dict.fromkeys(summary["measure"]))
    fig, axes = subplots(
        len(measures),
        len(parameters),
        figsize=(3.4 * len(parameters) + 0.6, 2.4 * len(measures) + 0.6),
        squeeze=False,
        sharey="row",
        constrained_layout=True,
    )
    for i, measure in enumerate(measures):
        sub = summary[summary["measure"] == measure]
        for j, key in enumerate(parameters):
            ax = axes[i, j]
            x = sub[key]
            numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
            levels = sorted(x.unique()) if not numeric else None
            pos = x if numeric else x.map({v: k for k, v in enumerate(levels)})
            err = np.nan_to_num(
                np.vstack([sub["mean"] - sub["ci_low"], sub["ci_high"] - sub["mean"]])
            )
            ax.errorbar(pos, sub["mean"], yerr=err, fmt="o", ms=3, alpha=0.5, color="C0", lw=0.8)
            if x.nunique() <= 12:
                effect = sub.groupby(pos)["mean"].mean()
                ax.plot(effect.index, effect.to_numpy(), "-", color="C3", lw=1.6)
            if levels is not None:
                ax.set_xticks(range(len(levels)), [str(v) for v in levels])
            ax.grid(alpha=0.3)
            if i == len(measures) - 1:
                ax.set_xlabel(key)
            if j == 0:
                ax.set_ylabel(f"{measure.replace('_', ' ')}\n{unit_label([measure])}")
    fig.suptitle("Horizon means per design point (95% intervals) and main effects")
    return fig


def sensitivity_figure(indices: pd.DataFrame) -> Figure:
    """Bar plots of sensitivity indices with 95% intervals, one panel per measure.

    Morris: ``mu_star`` (overall influence) and ``sigma`` (interactions, non-linearity).
    Sobol: first-order ``S1`` and total ``ST`` indices. Sobol panels share the index axis, so
    the measures' sensitivities compare at a glance; Morris effects are in each measure's units.

    Args:
        indices: The output of :func:`coprod.analysis.sweep.sensitivity.sensitivity_indices`.
    """
    method = indices["method"].iloc[0]
    bars = (
        [("mu_star", "mu_star_conf"), ("sigma", None)]
        if method == "morris"
        else [("S1", "S1_conf"), ("ST", "ST_conf")]
    )
    measures = list(dict.fromkeys(indices["measure"]))
    names = list(dict.fromkeys(indices["parameter"]))
    cols = min(3, len(measures))
    rows = -(-len(measures) // cols)
    fig, axes = subplots(
        rows,
        cols,
        figsize=(5.2 * cols, 0.5 * len(names) * rows + 1.6 * rows),
        squeeze=False,
        sharex=method == "sobol",  # indices are shares of variance; Morris keeps each unit
        constrained_layout=True,
    )
    y = np.arange(len(names))
    for ax, measure in zip(axes.ravel(), measures, strict=False):
        sub = indices[indices["measure"] == measure].set_index("parameter").loc[names]
        for k, (column, conf) in enumerate(bars):
            err = sub[conf].to_numpy() if conf else None
            ax.barh(y + (k - 0.5) * 0.4, sub[column], 0.4, xerr=err, capsize=2, label=column)
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_title(measure.replace("_", " "))
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel(
            f"effect on {unit_label([measure])}" if method == "morris" else "share of variance"
        )
    for ax in axes.ravel()[len(measures) :]:
        ax.set_visible(False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    title = "Morris screening" if method == "morris" else "Sobol indices"
    fig.suptitle(f"{title} (95% confidence intervals)")
    return fig
