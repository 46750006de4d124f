"""Comparing places: per-neighbourhood horizon means across replicates, scenario against scenario.

With a places table (``population.places``) a neighbourhood is the same place in every replicate
and every scenario: it keeps its name, municipality and residents, and its status rank when the
table gives one. ``coprod compare --by-place`` compares each of them as ``--by-municipality``
compares municipalities: the mean of the last 12 months of each run, a 95% t-interval across
replicates, and the difference to the first scenario with its Welch interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from coprod.analysis.municipalities.output import legend, render_table, scenario_headers
from coprod.analysis.municipalities.runs import EnsembleDetail
from coprod.analysis.municipalities.stats import measures_to_compare, with_scenario
from coprod.analysis.output import write_frame, write_text
from coprod.analysis.stats import (
    HORIZON_WINDOW,
    add_difference,
    horizon_means,
    interval_rows,
    summarise,
)
from coprod.model.errors import AnalysisError
from coprod.model.measure_registry import PLACE_MEASURES

#: The columns that name a place in a comparison (index in the model, municipality, name).
PLACE_KEYS = ("place", "municipality", "name")


def compare_places(
    place_vars: pd.DataFrame,
    measures: Sequence[str] | None = None,
    window: int = HORIZON_WINDOW,
    reference: str | None = None,
) -> pd.DataFrame:
    """Horizon comparison per neighbourhood: means across replicates with 95% intervals.

    Args:
        place_vars: ``EnsembleDetail.place_vars`` of a comparison (with ``scenario``) or of an
            ensemble.
        measures: Per-place measures to compare (default: all of them).
        window: Months at the end of each run averaged into its horizon value.
        reference: Scenario the others are compared with (default: the first one).

    Returns:
        One row per scenario, place (``place`` index, ``municipality`` index and ``name``) and
        measure, places in the model's order:
        ``mean``, ``sd``, ``n``, ``ci_low``, ``ci_high`` and ``diff``, ``diff_low``,
        ``diff_high``, ``p_value`` (the same place in the reference, Welch).
    """
    frame = with_scenario(place_vars)
    for column in ("replicate", "step", *PLACE_KEYS):
        if column not in frame.columns:
            raise AnalysisError(f"place_vars: no {column!r} column; use run_comparison_detail")
    names = measures_to_compare(frame, measures, PLACE_MEASURES, "per-place", "place_vars")
    frame = frame.assign(name=frame["name"].astype(str))
    keys = list(PLACE_KEYS)
    per_run = horizon_means(frame, ["scenario", "replicate", *keys], names, window=window)
    stats = summarise(per_run, ["scenario", *keys], names)
    order = {name: i for i, name in enumerate(names)}
    stats = stats.assign(_order=stats["measure"].map(order))
    stats = stats.sort_values(["_order", "place"], kind="stable").drop(columns="_order")
    stats = stats.reset_index(drop=True)
    reference = frame["scenario"].iloc[0] if reference is None else reference
    return add_difference(stats, [*keys, "measure"], reference)


def place_comparison_table(
    stats: pd.DataFrame, measure: str = "participation_rate", markdown: bool = False
) -> str:
    """One measure of :func:`compare_places` as a table: a row per neighbourhood."""
    rows = stats[stats["measure"] == measure]
    if rows.empty:
        raise AnalysisError(f"measure = {measure!r} is not in the comparison")
    label = rows["name"].astype(str)
    if rows.groupby("name")["municipality"].nunique().max() > 1:  # a name in two places
        label = rows["municipality"].astype(str) + ": " + label
    rows = rows.assign(place=label)
    places = list(dict.fromkeys(rows["place"]))
    scenarios, body = interval_rows(rows, "place", places, measure)
    header = ["place"] + scenario_headers(scenarios)
    return render_table(header, [[str(r[0]), *r[1:]] for r in body], markdown) + legend(markdown)


def write_place_comparison(detail: EnsembleDetail, folder: Path) -> list[Path]:
    """Write the per-place tables of a comparison into ``folder`` (each file atomically).

    Files: ``place_runs.parquet`` (every run's per-place rows), ``places.csv``/``.parquet``
    (:func:`compare_places`) and ``places.md`` (participation and needs met by place).
    """
    folder = Path(folder)
    by_place = compare_places(detail.place_vars)
    runs = detail.place_vars
    files = [
        write_frame(folder / "place_runs.parquet", runs),
        write_frame(folder / "places.csv", by_place),
        write_frame(folder / "places.parquet", by_place),
    ]
    text = [
        "# Places",
        "",
        f"{runs['scenario'].nunique()} scenarios x {runs['replicate'].nunique()} replicates, "
        f"{int(runs['step'].max())} months, {runs['place'].nunique()} neighbourhoods. Horizon "
        "values: mean of the last 12 months of each run; mean across replicates [95% "
        "t-interval]; difference to the first scenario [95% Welch interval], * where it "
        "excludes zero.",
    ]
    shown = (("participation_rate", "Participation"), ("effectiveness", "Needs met"))
    for measure, title in shown:
        text += ["", f"## {title} by place", "", place_comparison_table(by_place, measure, True)]
    files.append(write_text(folder / "places.md", "\n".join(text) + "\n"))
    return files


def place_summary_text(detail: EnsembleDetail) -> str:
    """The per-place table ``coprod compare --by-place`` prints (participation)."""
    stats = compare_places(detail.place_vars, ["participation_rate"])
    return "participation by place, horizon mean [95% CI]:\n" + place_comparison_table(stats)
