"""Comparing scenarios: ensembles side by side, means with 95% intervals, differences (Welch).

Every scenario runs with the same replicate seeds. For each measure the comparison reports the
mean across replicates and its t-interval, at the horizon (each replicate's mean over its last
12 months) and month by month, and the difference to the first scenario (the reference) with a
Welch interval and p-value. All functions take and return tidy DataFrames.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from coprod.analysis.runs.ensemble import check_ensemble_size, ensemble_tasks, marked_runs
from coprod.analysis.runs.parallel import RunTask
from coprod.analysis.stats import (
    HORIZON_WINDOW,
    add_difference,
    format_interval,
    horizon_means,
    summarise,
)
from coprod.analysis.wording import MARKER_LEGEND, marked_change
from coprod.model.errors import AnalysisError
from coprod.model.measure_registry import COMPARISON, MEASURES
from coprod.model.scenario import Scenario

#: Measures printed by ``coprod compare`` (the files hold every measure).
TABLE_MEASURES = COMPARISON

#: Columns that identify one run in a comparison's tidy frame.
RUN_KEYS = ["scenario", "replicate"]


def scenario_labels(scenarios: Sequence[Scenario]) -> list[str]:
    """Names of the scenarios, made unique with ``-2``, ``-3``... where names repeat."""
    labels: list[str] = []
    for s in scenarios:
        label, k = s.name, 2
        while label in labels:
            label, k = f"{s.name}-{k}", k + 1
        labels.append(label)
    return labels


def comparison_tasks(
    scenarios: Sequence[Scenario],
    replicates: int,
    steps: int | None,
    seed: int,
    yes: bool = False,
    client: Any = None,
    posterior: Any = None,
) -> tuple[list[str], list[RunTask], dict[str, tuple[str, int]]]:
    """The runs of one ensemble per scenario, as one job (same replicate seeds in each).

    Returns:
        The scenarios' labels (:func:`scenario_labels`), the tasks keyed ``label/replicate``,
        and each key's ``(label, replicate)``.
    """
    if len(scenarios) < 1:
        raise AnalysisError("compare: give at least one scenario")
    labels = scenario_labels(scenarios)
    if not yes and isinstance(replicates, int) and replicates >= 1:
        biggest = max(scenarios, key=lambda s: s.population.citizens * (steps or s.steps))
        months = max(steps or s.steps for s in scenarios)
        what = "compare: "
        check_ensemble_size(what, len(scenarios) * replicates, biggest, months, client=client)
    tasks, owner = [], {}
    for label, scenario in zip(labels, scenarios, strict=True):
        tasks_of = ensemble_tasks(scenario, replicates, steps, seed, yes=True, posterior=posterior)
        for task in tasks_of:
            keyed = RunTask(f"{label}/{task.key}", task.scenario, task.steps, task.seed)
            owner[keyed.key] = (label, int(task.key))
            tasks.append(keyed)
    return labels, tasks, owner


def run_comparison(
    scenarios: Sequence[Scenario],
    replicates: int = 20,
    steps: int | None = None,
    seed: int = 0,
    client: Any = None,
    yes: bool = False,
    posterior: Any = None,
) -> pd.DataFrame:
    """Run an ensemble of every scenario (same replicate seeds) and stack them.

    Args:
        scenarios: Two or more scenarios; the first is the reference of the differences.
        replicates: Runs per scenario.
        steps: Months per run (default: each scenario's ``steps``).
        seed: Root seed of the replicate seeds, shared by all scenarios.
        client: Where to run, as for :func:`coprod.run_ensemble`.
        yes: Accept a comparison over the limits of :mod:`coprod.analysis.runs.work_size`.
        posterior: A calibration's posterior (file or DataFrame): replicate ``i`` of every
            scenario runs with the same parameter set drawn from it (as for
            :func:`coprod.run_ensemble`), so the intervals include parameter uncertainty.

    Returns:
        Tidy runs: ``scenario``, ``replicate``, ``seed``, ``step`` and every measure, in the
        order of ``scenarios``.
    """
    labels, tasks, owner = comparison_tasks(
        scenarios, replicates, steps, seed, yes, client, posterior
    )
    runs = marked_runs(tasks, owner, labels, client, with_scenario=True)
    return pd.concat([tables[0] for tables in runs], ignore_index=True)


def _measures(frame: pd.DataFrame, measures: Sequence[str] | None) -> list[str]:
    if measures is None:
        return [m for m in MEASURES if m in frame.columns]
    unknown = [m for m in measures if m not in frame.columns]
    if unknown:
        raise AnalysisError(f"measures: {unknown[0]!r} is not a column of the results")
    return list(measures)


def compare_horizon(
    runs: pd.DataFrame,
    measures: Sequence[str] | None = None,
    window: int = HORIZON_WINDOW,
    reference: str | None = None,
) -> pd.DataFrame:
    """Horizon comparison: each measure's mean over the last ``window`` months, per scenario.

    Args:
        runs: Tidy runs with ``scenario``, ``replicate``, ``step`` and measure columns (the
            output of :func:`run_comparison`).
        measures: Measures to compare (default: every measure present).
        window: Months at the end of each run averaged into its horizon value.
        reference: Scenario the others are compared with (default: the first one).

    Returns:
        One row per scenario and measure: ``mean``, ``sd``, ``n``, ``ci_low``, ``ci_high``
        (t-interval across replicates) and ``diff``, ``diff_low``, ``diff_high``, ``p_value``
        (the difference to the reference, Welch).
    """
    names = _measures(runs, measures)
    per_run = horizon_means(runs, RUN_KEYS, names, window=window)
    stats = summarise(per_run, ["scenario"], names)
    reference = runs["scenario"].iloc[0] if reference is None else reference
    return add_difference(stats, ["measure"], reference)


def compare_over_time(
    runs: pd.DataFrame,
    measures: Sequence[str] | None = None,
    reference: str | None = None,
) -> pd.DataFrame:
    """Month-by-month comparison: mean, t-interval and Welch difference per scenario and step.

    Returns:
        One row per scenario, step and measure, with the columns of :func:`compare_horizon`.
    """
    names = _measures(runs, measures)
    stats = summarise(runs[["scenario", "step", *names]], ["scenario", "step"], names)
    reference = runs["scenario"].iloc[0] if reference is None else reference
    return add_difference(stats, ["step", "measure"], reference)


def horizon_table(horizon: pd.DataFrame, measures: Sequence[str] | None = None) -> str:
    """The horizon comparison as fixed-width text, one row per measure and scenario.

    Each row reads ``mean [low, high]`` and, after the reference, the difference to it with its
    Welch interval; a difference whose interval excludes zero is marked ``* better`` or
    ``* worse`` (:func:`marked_change`), and the last line is the legend of those marks.
    """
    scenarios = list(dict.fromkeys(horizon["scenario"]))
    names = list(dict.fromkeys(horizon["measure"])) if measures is None else list(measures)
    rows = horizon.set_index(["measure", "scenario"])
    mw = max(len("measure"), *(len(n) for n in names)) + 2
    sw = max(len("scenario"), *(len(s) for s in scenarios)) + 2
    lines = [
        f"{'measure':<{mw}}{'scenario':<{sw}}{'mean [95% CI]':<26}"
        f"difference to {scenarios[0]} [95% CI]"
    ]
    for name in names:
        for i, scenario in enumerate(scenarios):
            r = rows.loc[(name, scenario)]
            line = f"{name if i == 0 else '':<{mw}}{scenario:<{sw}}"
            line += f"{format_interval(r['mean'], r['ci_low'], r['ci_high']):<26}"
            if i > 0:
                line += format_interval(r["diff"], r["diff_low"], r["diff_high"], signed=True)
                line += marked_change(name, r["diff"], r["diff_low"], r["diff_high"])
            lines.append(line.rstrip())
    lines.append(MARKER_LEGEND)
    return "\n".join(lines)
