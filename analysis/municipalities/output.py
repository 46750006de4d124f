"""The tables and files of a per-municipality comparison: text, Markdown, CSV and Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coprod.analysis.municipalities.runs import EnsembleDetail
from coprod.analysis.municipalities.stats import (
    GROUPINGS,
    compare_innovations,
    compare_municipalities,
)
from coprod.analysis.output import write_frame, write_text
from coprod.analysis.stats import interval_rows
from coprod.analysis.wording import MARKER_LEGEND
from coprod.model.errors import AnalysisError


def municipality_table(
    stats: pd.DataFrame, measure: str = "public_value", markdown: bool = False
) -> str:
    """One measure of :func:`compare_municipalities` as a table: a row per place.

    Each scenario's cell reads ``mean [low, high]``; after the reference, the difference to it
    with its Welch interval, marked ``* better`` (worse) where that interval excludes zero;
    the table ends with the legend of the marks.

    Args:
        stats: Output of :func:`compare_municipalities`.
        measure: The per-municipality measure to show.
        markdown: A Markdown table instead of fixed-width text.
    """
    by = next(c for c in GROUPINGS if c in stats.columns)
    rows = stats[stats["measure"] == measure]
    if rows.empty:
        raise AnalysisError(f"measure = {measure!r} is not in the comparison")
    scenarios, body = interval_rows(rows, by, sorted(rows[by].unique()), measure)
    header = [by.replace("_", " ")] + scenario_headers(scenarios)
    body = [[str(row[0]), *row[1:]] for row in body]
    return render_table(header, body, markdown) + legend(markdown)


def innovations_table(stats: pd.DataFrame, markdown: bool = False) -> str:
    """The output of :func:`compare_innovations` as a table: a row per quantity."""
    scenarios, body = interval_rows(stats, "measure", dict.fromkeys(stats["measure"]))
    header = ["quantity"] + scenario_headers(scenarios)
    return render_table(header, body, markdown) + legend(markdown)


def legend(markdown: bool) -> str:
    """The line after a marked table that says what its marks mean."""
    return ("\n\n" if markdown else "\n") + MARKER_LEGEND


def scenario_headers(scenarios: list[str]) -> list[str]:
    """Column headers: the reference scenario, then each other one with its difference."""
    return [s if i == 0 else f"{s} (diff to {scenarios[0]})" for i, s in enumerate(scenarios)]


def render_table(header: list[str], body: list[list[str]], markdown: bool) -> str:
    """A table as Markdown or as fixed-width text."""
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *body]) + 2 for i in range(len(header))]
    return "\n".join(
        "".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *body]
    )


def write_municipality_comparison(detail: EnsembleDetail, folder: Path) -> list[Path]:
    """Write per-municipality and innovation tables of a comparison into ``folder``.

    Files (each atomically): ``municipality_runs.parquet`` (every run's per-municipality
    rows), ``municipalities.csv``/``.parquet`` (:func:`compare_municipalities` by status
    rank), ``innovations_runs.parquet`` (every run's innovation rows),
    ``innovations.csv``/``.parquet`` (:func:`compare_innovations`, when a scenario has an
    innovation process) and ``municipalities.md`` (the public value by place and the
    innovation summary as Markdown tables).

    Returns:
        The files written.
    """
    folder = Path(folder)
    by_place = compare_municipalities(detail.municipality_vars)
    files = [
        write_frame(folder / "municipality_runs.parquet", detail.municipality_vars),
        write_frame(folder / "municipalities.csv", by_place),
        write_frame(folder / "municipalities.parquet", by_place),
    ]
    runs = detail.municipality_vars
    text = [
        "# Municipalities and innovations",
        "",
        f"{runs['scenario'].nunique()} scenarios x {runs['replicate'].nunique()} replicates, "
        f"{int(runs['step'].max())} months, {runs['municipality'].nunique()} municipalities. "
        "Horizon values: mean of the last 12 months of each run; mean across replicates "
        "[95% t-interval]; difference to the first scenario [95% Welch interval], * where it "
        "excludes zero. Rank 1 is the best-placed municipality (highest mean socio-economic "
        "status) of each run, the same place in every scenario of a replicate.",
        "",
        "## Public value by place",
        "",
        municipality_table(by_place, "public_value", markdown=True),
    ]
    if not detail.innovations.empty:
        summary = compare_innovations(detail.innovations)
        files += [
            write_frame(folder / "innovations_runs.parquet", detail.innovations),
            write_frame(folder / "innovations.csv", summary),
            write_frame(folder / "innovations.parquet", summary),
        ]
        text += [
            "",
            "## Innovations per run",
            "",
            "adopted: adoptions (once per municipality); trials: municipalities that tried an "
            "innovation; reached_half: innovations adopted by half of the municipalities; "
            "months_to_half: median months from first trial to half (runs where one got "
            "there); judged: adoptions judged for fit; fit: share of judged adoptions that "
            "raised their place's public value.",
            "",
            innovations_table(summary, markdown=True),
        ]
    files.append(write_text(folder / "municipalities.md", "\n".join(text) + "\n"))
    return files


def summary_text(detail: EnsembleDetail) -> str:
    """The short per-place and innovation tables ``coprod compare --by-municipality`` prints."""
    text = [
        "public value by place (status rank 1 = best placed), horizon mean [95% CI]:",
        municipality_table(compare_municipalities(detail.municipality_vars, ["public_value"])),
    ]
    if not detail.innovations.empty:
        text += [
            "innovations per run, mean [95% CI]:",
            innovations_table(compare_innovations(detail.innovations)),
        ]
    return "\n".join(text)
