"""A sweep's files besides its runs: the design, the sweep file, the summary and its figure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coprod.analysis.output import write_frame, write_text
from coprod.analysis.stats import HORIZON_WINDOW, horizon_means
from coprod.analysis.sweep.folder import write_manifest
from coprod.analysis.sweep.plan import LazyPoints, SweepPlan
from coprod.analysis.sweep.spec import SweepSpec
from coprod.analysis.sweep.summary import summarise_horizons
from coprod.model.scenario import dumps_toml


def write_plan_files(plan: SweepPlan, out: Path, status: str, done: int) -> None:
    """Write the design, the resolved scenario, the sweep file and the manifest into ``out``.

    The design goes to ``design.csv`` and ``design.parquet``; a streamed plan's (over
    :data:`~coprod.analysis.sweep.plan.EAGER_RUNS` runs) to ``design.parquet`` only.
    """
    design = pd.DataFrame({"point": range(len(plan.points))})
    columns = plan.points.columns() if isinstance(plan.points, LazyPoints) else None
    for key in plan.keys:
        design[key] = columns[key] if columns else [p[key] for p in plan.points]
    if columns is None:  # a streamed plan's design (a million rows) is kept as Parquet only
        write_frame(out / "design.csv", design)
    write_frame(out / "design.parquet", design)
    write_text(out / "scenario.toml", plan.base.to_toml())
    write_text(out / "sweep.toml", spec_to_toml(plan.spec))
    write_manifest(plan, out, status, done)


def spec_to_toml(spec: SweepSpec) -> str:
    """The sweep as TOML, its base scenario pointing to the resolved ``scenario.toml`` beside it.

    Running ``coprod sweep <out>/sweep.toml --out <out>`` finds every run already finished.
    """
    top = spec.model_dump(exclude={"set", "parameters", "scenario", "samples", "steps"})
    top["scenario"] = "scenario.toml"
    if spec.samples is not None:
        top["samples"] = spec.samples
    if spec.steps is not None:
        top["steps"] = spec.steps
    top["parameters"] = {
        key: {b: given[b] for b in ("min", "max")} if isinstance(given, dict) else given
        for key, given in spec.parameters.items()
    }
    return dumps_toml(top)


def summarise_sweep(
    results: pd.DataFrame,
    parameters: list[str],
    measures: list[str],
    window: int = HORIZON_WINDOW,
) -> pd.DataFrame:
    """Per design point and measure: mean of the replicates' horizon values and its t-interval.

    Needs every run in memory; :func:`~coprod.analysis.sweep.summary.summarise_folder` gives
    the same table from an output folder a batch of runs at a time.

    Args:
        results: Tidy sweep results (from :func:`run_sweep` or :func:`load_results`).
        parameters: The parameter columns.
        measures: Measures to summarise.
        window: Months at the end of each run averaged into its horizon value.

    Returns:
        One row per point and measure: ``point``, the parameters, ``measure``, ``mean``, ``sd``,
        ``n``, ``ci_low``, ``ci_high``.
    """
    per_run = horizon_means(results, ["point", "replicate"], measures, window=window)
    design = results.drop_duplicates("point").set_index("point")[parameters]
    return summarise_horizons(per_run, design, parameters, measures)


def write_summary(
    plan: SweepPlan,
    out: Path,
    results: pd.DataFrame | None = None,
    summary: pd.DataFrame | None = None,
    done: int | None = None,
) -> None:
    """Summary tables and figure of a finished sweep, then the manifest marked complete.

    Args:
        plan: The sweep.
        out: Its output folder.
        results: Every run (tidy), to summarise here; or give ``summary`` and ``done``.
        summary: The summary already made (:class:`~coprod.analysis.sweep.summary.HorizonValues`).
        done: Runs finished, with ``summary``.
    """
    from coprod.analysis.plots import main_effects_figure, save_figure

    if results is not None:
        done = results["run"].nunique()
        if plan.kind == "sweep":
            summary = summarise_sweep(results, plan.keys, list(plan.spec.measures))
    complete = done == len(plan.runs)
    if plan.kind == "sweep" and summary is not None:
        write_frame(out / "summary.csv", summary)
        write_frame(out / "summary.parquet", summary)
        save_figure(main_effects_figure(summary, plan.keys), out / "main_effects.png")
    write_manifest(plan, out, "complete" if complete else "running", done or 0)
