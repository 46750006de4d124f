"""Writing a validation: the pattern table, the runs behind it, four figures and the report.

The folder holds ``patterns.csv`` (one row per check), ``runs.parquet`` (every run, tidy, with
the ensemble it belongs to), ``bass.csv`` (the Bass fit of each replicate), one figure per
pattern, ``manifest.json`` and ``validation.md`` / ``validation.html``, the table and figures for
readers. Every file is written atomically. Axes name the measures in the measure registry's
words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from coprod.analysis.output import manifest, write_frame, write_json, write_text
from coprod.analysis.plots import save_figure, subplots
from coprod.analysis.stats import describe, simulated_months, t_interval
from coprod.analysis.validate.patterns import (
    BASS_P_MEAN,
    BASS_Q_MEAN,
    BUDGET_CUT,
    FIXMYSTREET_ONE_OFF,
    FIXMYSTREET_TOP1,
    FIXMYSTREET_TOP10,
    MAJORITY,
    TOP1_RANGE,
    Validation,
    bass_curve,
    cut_step,
    fit_bass,
    horizon_values,
)
from coprod.model.measure_registry import measure

#: Figure files, in the order the report shows them.
FIGURES = (
    "participation_inequality.png",
    "adoption_curve.png",
    "digital_divide.png",
    "coproduction_function.png",
    "capacity.png",
    "incentives.png",
    "safeguards.png",
)


def write_validation(validation: Validation, folder: str | Path) -> list[Path]:
    """Write a validation's tables, runs, figures, manifest and report into ``folder``."""
    from coprod.analysis.report import build_report, render_html, render_markdown

    folder = Path(folder)
    files = [
        write_frame(folder / "patterns.csv", validation.table()),
        write_frame(folder / "runs.parquet", validation.runs),
        write_frame(folder / "bass.csv", validation.bass),
    ]
    builders = (
        inequality_figure, adoption_figure, divide_figure, coproduction_figure, capacity_figure,
        incentives_figure, safeguards_figure,
    )  # fmt: skip
    for name, build in zip(FIGURES, builders, strict=True):
        save_figure(build(validation), folder / name)
        files.append(folder / name)
    checked = [c for c in validation.checks if c.passed is not None]
    files.append(
        write_json(
            folder / "manifest.json",
            manifest(
                kind="validate",
                **validation.settings,
                patterns=len(checked),
                passed=sum(bool(c.passed) for c in checked),
                files=[p.name for p in files] + ["validation.md", "validation.html"],
            ),
        )
    )
    report = build_report(folder)
    files.append(write_text(folder / "validation.md", render_markdown(report)))
    files.append(write_text(folder / "validation.html", render_html(report)))
    return files


def _axes() -> tuple[Figure, Any]:
    return subplots(figsize=(7.5, 4.5))


def _finish(ax: Any, title: str, grid: str = "both") -> None:
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis=grid)


def _ensemble(validation: Validation, label: str) -> pd.DataFrame:
    return validation.runs[validation.runs["ensemble"] == label]


def _band(ax, frame: pd.DataFrame, measure: str, label: str) -> None:
    """Mean of ``measure`` over replicates, month by month, with its 95% t-interval."""
    stats = describe(frame.groupby("step"), measure)
    (line,) = ax.plot(stats.index, stats["mean"], label=label)
    low, high = stats["ci_low"].fillna(stats["mean"]), stats["ci_high"].fillna(stats["mean"])
    ax.fill_between(stats.index, low, high, alpha=0.2, color=line.get_color())


def inequality_figure(validation: Validation) -> Figure:
    """Top-10% and top-1% shares of reports, and one-off reporters, beside FixMyStreet's."""
    fig, ax = _axes()
    default = _ensemble(validation, "default")
    _band(ax, default, "report_top10_share", "top 10% of reporters (coprod)")
    _band(ax, default, "report_top1_share", "top 1% of reporters (coprod)")
    _band(ax, default, "one_off_reporters", "reporters who reported once (coprod)")
    ax.axhline(FIXMYSTREET_ONE_OFF, ls="--", color="C2", lw=1, label="FixMyStreet, one report")
    ax.axhline(FIXMYSTREET_TOP10, ls="--", color="C0", lw=1, label="FixMyStreet, top 10%")
    ax.axhline(FIXMYSTREET_TOP1, ls="--", color="C1", lw=1, label="FixMyStreet, top 1%")
    ax.axhspan(*TOP1_RANGE, color="C1", alpha=0.08, label="range checked for the top 1%")
    ax.axhline(MAJORITY, ls=":", color="grey", lw=1, label="half of all contributions")
    _finish(ax, "Participation inequality: reports made by the most active")
    ax.set(xlabel="month", ylabel="share of reports or of reporters", ylim=(0, 1))
    return fig


def adoption_figure(validation: Validation) -> Figure:
    """Mean adoption curve, the Bass curve fitted to it and one with the published means."""
    fig, ax = _axes()
    default = _ensemble(validation, "default")
    _band(ax, default, "adoption", "coprod (mean and 95% band)")
    mean = simulated_months(default).groupby("step")["adoption"].mean()
    fit = fit_bass(mean.index.to_numpy() / 12.0, mean.to_numpy())
    steps = np.arange(0, int(default["step"].max()) + 1)
    if not np.isnan(fit["p"]):
        m, p, q = fit["m"], fit["p"], fit["q"]
        fitted = f"Bass curve fitted to the mean: p = {p:.3f}, q = {q:.2f} per year"
        published = f"published mean p = {BASS_P_MEAN}, q = {BASS_Q_MEAN} (same m)"
        for (p_, q_), ls, color, label in (
            ((p, q), "--", "k", fitted),
            ((BASS_P_MEAN, BASS_Q_MEAN), ":", "grey", published),
        ):
            ax.plot(steps, bass_curve(steps / 12.0, m, p_, q_), ls=ls, color=color, label=label)
    _finish(ax, "Adoption of the digital channel: an S-curve")
    ax.set(xlabel="month", ylabel=measure("adoption").label, ylim=(0, 1))
    return fig


def divide_figure(validation: Validation) -> Figure:
    """Participation gap over time with and without the offline channel."""
    fig, ax = _axes()
    _band(
        ax, _ensemble(validation, "offline_channel"), "participation_gap", "offline channel kept"
    )
    _band(
        ax,
        _ensemble(validation, "no_offline_channel"),
        "participation_gap",
        "offline channel closed",
    )
    ax.axhline(0, color="grey", lw=0.8)
    _finish(ax, "Digital divide: instrumental ICT with and without the counter")
    ax.set(xlabel="month", ylabel=measure("participation_gap").label)
    return fig


def coproduction_figure(validation: Validation) -> Figure:
    """Effectiveness with the full and the cut budget, for complements and substitutes."""
    fig, ax = _axes()
    kinds = ("complements", "substitutes")
    x = np.arange(len(kinds))
    for offset, suffix, name in (
        (-0.18, "", "full budget"),
        (0.18, "_cut", f"{BUDGET_CUT:.0%} cut"),
    ):
        values = [
            horizon_values(_ensemble(validation, kind + suffix), "effectiveness") for kind in kinds
        ]
        means = np.array([v.mean() for v in values])
        low, _ = t_interval(means, [v.std(ddof=1) for v in values], [len(v) for v in values])
        ax.bar(
            x + offset, means, width=0.36, yerr=np.nan_to_num(means - low), capsize=4, label=name
        )
    ax.set_xticks(x, [f"effort {kind} professional work" for kind in kinds])
    _finish(ax, "Co-production function: what a cut costs (Parks et al. 1981)", grid="y")
    ax.set(ylabel=measure("effectiveness").label, ylim=(0, 1))
    return fig


def capacity_figure(validation: Validation) -> Figure:
    """Responsiveness month by month with and without the capacity check's budget cut."""
    fig, ax = _axes()
    default = _ensemble(validation, "default")
    _band(ax, default, "responsiveness", "no cut")
    _band(ax, _ensemble(validation, "budget_cut"), "responsiveness", f"{BUDGET_CUT:.0%} cut")
    ax.axvline(cut_step(int(default["step"].max())), ls=":", color="grey", lw=1, label="the cut")
    _finish(ax, "Capacity: responsiveness after a budget cut, same worlds")
    ax.set(xlabel="month", ylabel=measure("responsiveness").label, ylim=(0, 1.02))
    return fig


def incentives_figure(validation: Validation) -> Figure:
    """Intrinsic motivation month by month without incentives, with money, with recognition."""
    fig, ax = _axes()
    for label, name in (
        ("default", "no incentives"),
        ("monetary", "monetary rewards"),
        ("recognition", "recognition"),
    ):
        _band(ax, _ensemble(validation, label), "intrinsic_motivation", name)
    _finish(ax, "Incentives: intrinsic motivation, same worlds (Deci et al. 1999)")
    ax.set(xlabel="month", ylabel=measure("intrinsic_motivation").label)
    return fig


def safeguards_figure(validation: Validation) -> Figure:
    """Lawfulness and efficiency under automation, without and with review and appeals."""
    fig, ax = _axes()
    for label, name in (("automated", "no safeguards"), ("safeguarded", "review and appeals")):
        frame = _ensemble(validation, label)
        _band(ax, frame, "lawfulness", f"lawfulness, {name}")
        _band(ax, frame, "efficiency", f"efficiency, {name}")
    _finish(ax, "Safeguards under substitutive ICT: what review restores and what it costs")
    ax.set(xlabel="month", ylabel="share", ylim=(0, 1.02))
    return fig
