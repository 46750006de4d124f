"""The files of a comparison: runs, horizon and month-by-month tables, scenarios, figures.

Besides the full tables, ``horizon.md`` gives the key measures for a reader: each difference to
the reference marked better or worse by the measure registry's direction, with the legend of
the marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from coprod.analysis.compare.comparison import compare_horizon, compare_over_time, scenario_labels
from coprod.analysis.output import manifest, safe_name, write_frame, write_json, write_text
from coprod.analysis.plots import save_figure, timeseries_figure, value_profile_figure
from coprod.analysis.report import comparison_table, markdown_table
from coprod.analysis.stats import HORIZON_WINDOW
from coprod.analysis.wording import MARKER_LEGEND
from coprod.model.scenario import Scenario


def write_comparison(
    runs: pd.DataFrame,
    scenarios: Sequence[Scenario],
    folder: Path,
    seed: int,
    extra_files: Sequence[Path] = (),
) -> tuple[pd.DataFrame, list[Path]]:
    """Write a comparison's tables, scenarios and figures to ``folder``; the manifest last.

    Args:
        runs: The output of :func:`coprod.analysis.compare.comparison.run_comparison`.
        scenarios: The scenarios compared, in the same order.
        folder: Output folder.
        seed: Root seed of the replicate seeds.
        extra_files: Files already written into ``folder`` for this comparison (such as the
            per-municipality tables), listed in the manifest with the others.

    Returns:
        The horizon comparison and the files written.
    """
    folder = Path(folder)
    for label in scenario_labels(scenarios):  # each names a file in folder/scenarios/
        safe_name(label, "scenario name")
    horizon = compare_horizon(runs)
    over_time = compare_over_time(runs)
    labels = scenario_labels(scenarios)
    files = [
        write_frame(folder / "runs.parquet", runs),
        write_frame(folder / "horizon.csv", horizon),
        write_frame(folder / "horizon.parquet", horizon),
        write_text(folder / "horizon.md", horizon_markdown(horizon)),
        write_frame(folder / "over_time.csv", over_time),
        write_frame(folder / "over_time.parquet", over_time),
    ]
    for label, scenario in zip(labels, scenarios, strict=True):
        files.append(write_text(folder / "scenarios" / f"{label}.toml", scenario.to_toml()))
    for name, fig in (
        ("timeseries.png", timeseries_figure(over_time)),
        ("value_profile.png", value_profile_figure(horizon)),
    ):
        save_figure(fig, folder / name)
        files.append(folder / name)
    files.extend(Path(f) for f in extra_files)
    seeds = runs.drop_duplicates("replicate").sort_values("replicate")["seed"].tolist()
    files.append(
        write_json(
            folder / "manifest.json",
            manifest(
                kind="compare",
                scenarios=labels,
                reference=labels[0],
                seed=seed,
                seeds=seeds,
                replicates=int(runs["replicate"].nunique()),
                steps=int(runs["step"].max()),
                files=[str(p.relative_to(folder)) for p in files],
            ),
        )
    )
    return horizon, files


def horizon_markdown(horizon: pd.DataFrame) -> str:
    """The key measures at the horizon as Markdown: a table with marked differences, a legend."""
    scenarios = list(dict.fromkeys(horizon["scenario"]))
    lines = [
        f"# Key measures at the horizon: {' vs '.join(scenarios)}",
        "",
        f"Mean of the last {HORIZON_WINDOW} months of each replicate, across replicates with "
        f"its 95% t-interval; the difference to {scenarios[0]} with its 95% Welch interval.",
        "",
        markdown_table(comparison_table(horizon, scenarios)),
        "",
        MARKER_LEGEND,
    ]
    return "\n".join(lines) + "\n"
