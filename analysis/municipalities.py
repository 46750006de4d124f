"""Ensembles and comparisons with several municipalities: all three tables of every run.

:func:`coprod.run_ensemble` and :func:`~coprod.analysis.run_comparison` keep the model-level
measures. With several municipalities and an innovation process, a run also has measures per
municipality (``RunResult.municipality_vars``) and a summary per innovation
(``RunResult.innovations``). :func:`run_ensemble_detail` and :func:`run_comparison_detail` run
the same tasks with the same seeds (so their ``model_vars`` equal the plain functions' output)
and bring back all three tables from one run each, serial or on Dask.

Municipalities are placed at random in each replicate (their status offsets are permuted), so
municipality 3 of one replicate is not the same kind of place as municipality 3 of another.
Each municipality therefore carries its mean socio-economic ``status`` and its ``status_rank``
in the run (1 = best placed), and comparisons across replicates group by rank by default: in
a given replicate, rank 1 is the same place in every scenario (the world is drawn from the seed
before anything else happens).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from coprod.analysis.compare import _add_difference, _fmt, _summarise, comparison_tasks
from coprod.analysis.ensemble import ensemble_tasks
from coprod.analysis.parallel import RunTask, execute
from coprod.analysis.stats import HORIZON_WINDOW, horizon_means
from coprod.model.measures import MUNICIPALITY_MEASURES
from coprod.model.scenario import Scenario, ScenarioError

#: Ways to group municipalities across replicates in :func:`compare_municipalities`.
GROUPINGS = ("status_rank", "municipality")

#: Per-run innovation quantities compared by :func:`compare_innovations`, in table order.
INNOVATION_QUANTITIES = (
    "adopted",
    "trials",
    "reached_half",
    "months_to_half",
    "judged",
    "fit",
)


@dataclass(frozen=True)
class EnsembleDetail:
    """Every table of an ensemble's runs, stacked, each with ``replicate`` and ``seed`` columns.

    Attributes:
        model_vars: One row per replicate and step (as :func:`coprod.run_ensemble` returns).
        municipality_vars: One row per replicate, step and municipality: ``step``,
            ``municipality``, ``status`` (the municipality's mean socio-economic status, fixed
            for the run), ``status_rank`` (1 = best placed in that run) and the
            per-municipality measures.
        innovations: One row per replicate and innovation (empty without an innovation
            process): trials, adopters, months to reach half of the municipalities, fit.

    From :func:`run_comparison_detail`, each table also starts with a ``scenario`` column.
    """

    model_vars: pd.DataFrame
    municipality_vars: pd.DataFrame
    innovations: pd.DataFrame


def run_task_detail(
    scenario: dict[str, Any], steps: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run one simulation from plain data and return its three tables (what a worker runs).

    Only DataFrames travel back, never a model: ``(model_vars, municipality_vars,
    innovations)``, the measures with ``step`` as a column, the municipalities with their
    ``status`` and ``status_rank``.
    """
    from coprod.model.core import CoProductionModel
    from coprod.model.run import run_scenario

    resolved = Scenario.from_dict(scenario, source="task")
    result = run_scenario(resolved, steps=steps, seed=seed)
    # the world is drawn from the seed before the first step and status never changes, so a
    # fresh model with the same seed has the run's places
    world = CoProductionModel(resolved, seed=seed)
    status = np.asarray(world.municipality_mean(world.citizens.ses), dtype=float)
    mesa.Agent._ids.pop(world, None)  # Mesa keeps every model alive otherwise
    rank = np.empty(len(status), dtype=np.int64)
    rank[np.argsort(-status, kind="stable")] = np.arange(1, len(status) + 1)
    municipalities = result.municipality_vars.copy()
    index = municipalities["municipality"].to_numpy(dtype=np.int64)
    municipalities.insert(2, "status", status[index])
    municipalities.insert(3, "status_rank", rank[index])
    return result.model_vars.reset_index(), municipalities, result.innovations.copy()


def run_ensemble_detail(
    scenario: Scenario | str | Path,
    replicates: int = 20,
    steps: int | None = None,
    seed: int = 0,
    client: Any = None,
) -> EnsembleDetail:
    """Run an ensemble and keep every table of every run, not only the measures.

    Use it instead of :func:`coprod.run_ensemble` when the runs have several municipalities or
    an innovation process: it runs each replicate once (on Dask or serially) with the same
    seeds, so ``model_vars`` is exactly what :func:`coprod.run_ensemble` returns, and the
    per-municipality measures and innovation summaries come from those same runs rather than
    from running them again.

    Args:
        scenario: A :class:`Scenario`, a scenario name or a path to a TOML file.
        replicates: Number of runs, each with its own seed.
        steps: Months per run (default: the scenario's ``steps``).
        seed: Root seed of the replicate seeds.
        client: Where to run, as for :func:`coprod.run_ensemble`.

    Returns:
        An :class:`EnsembleDetail`; every table sorted by replicate, with ``replicate`` and
        ``seed`` as its first columns.
    """
    tasks = ensemble_tasks(scenario, replicates=replicates, steps=steps, seed=seed)
    keyed = {task.key: ("", int(task.key)) for task in tasks}
    return _gather(tasks, keyed, [""], client, with_scenario=False)


def run_comparison_detail(
    scenarios: Sequence[Scenario],
    replicates: int = 20,
    steps: int | None = None,
    seed: int = 0,
    client: Any = None,
) -> EnsembleDetail:
    """Run a comparison and keep every table of every run (see :func:`run_ensemble_detail`).

    The runs and seeds are those of :func:`~coprod.analysis.run_comparison`, so
    ``model_vars`` equals its output exactly and can go to ``compare_horizon`` unchanged.

    Args:
        scenarios: The scenarios; the first is the reference of later differences.
        replicates: Runs per scenario.
        steps: Months per run (default: each scenario's ``steps``).
        seed: Root seed of the replicate seeds, shared by all scenarios.
        client: Where to run, as for :func:`coprod.run_ensemble`.

    Returns:
        An :class:`EnsembleDetail` whose tables start with ``scenario``, ``replicate``,
        ``seed``, in the order of ``scenarios``.
    """
    labels, tasks, owner = comparison_tasks(scenarios, replicates, steps, seed)
    return _gather(tasks, owner, labels, client, with_scenario=True)


def _gather(
    tasks: list[RunTask],
    owner: dict[str, tuple[str, int]],
    labels: list[str],
    client: Any,
    with_scenario: bool,
) -> EnsembleDetail:
    parts: dict[tuple[int, int], tuple[pd.DataFrame, ...]] = {}
    for task, tables in execute(tasks, client=client, incremental=False, function=run_task_detail):
        label, replicate = owner[task.key]
        marked = []
        for table in tables:
            table = table.copy()
            table.insert(0, "seed", task.seed)
            table.insert(0, "replicate", replicate)
            if with_scenario:
                table.insert(0, "scenario", label)
            marked.append(table)
        parts[(labels.index(label), replicate)] = tuple(marked)
    order = sorted(parts)
    model_vars, municipality_vars, innovations = (
        _stack([parts[k][i] for k in order]) for i in range(3)
    )
    return EnsembleDetail(model_vars, municipality_vars, innovations)


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    filled = [f for f in frames if not f.empty]
    if not filled:  # e.g. no innovation process: keep the columns
        return frames[0].iloc[0:0].reset_index(drop=True)
    return pd.concat(filled, ignore_index=True)


# ---------------------------------------------------------------------- comparisons
def compare_municipalities(
    municipality_vars: pd.DataFrame,
    measures: Sequence[str] | None = None,
    by: str = "status_rank",
    window: int = HORIZON_WINDOW,
    reference: str | None = None,
) -> pd.DataFrame:
    """Horizon comparison per municipality: means across replicates with 95% intervals.

    Tells who gains and who loses under a process, place by place, where the model-level
    measures only give the average and the ``outcome_spread``.

    Args:
        municipality_vars: ``EnsembleDetail.municipality_vars`` of a comparison (with
            ``scenario``) or of an ensemble (treated as one scenario named after nothing).
        measures: Per-municipality measures to compare (default: all of them).
        by: ``"status_rank"`` (default; 1 = best-placed municipality of each run, the same
            place in every scenario of a replicate) or ``"municipality"`` (the index, which
            means the same kind of place across replicates only when
            ``population.municipality_diversity`` is 0).
        window: Months at the end of each run averaged into its horizon value.
        reference: Scenario the others are compared with (default: the first one).

    Returns:
        One row per scenario, ``by`` value and measure: ``mean``, ``sd``, ``n``, ``ci_low``,
        ``ci_high`` (t-interval across replicates) and ``diff``, ``diff_low``, ``diff_high``,
        ``p_value`` (the same place in the reference, Welch).
    """
    if by not in GROUPINGS:
        raise ScenarioError(f"by = {by!r} is not allowed: must be one of {', '.join(GROUPINGS)}")
    frame = _with_scenario(municipality_vars)
    for column in ("replicate", "step", by):
        if column not in frame.columns:
            raise ScenarioError(f"municipality_vars: no {column!r} column; use run_*_detail")
    if measures is None:
        names = [m for m in MUNICIPALITY_MEASURES if m in frame.columns]
    else:
        names = list(measures)
        unknown = [m for m in names if m not in frame.columns]
        if unknown:
            raise ScenarioError(
                f"measures: {unknown[0]!r} is not a per-municipality measure "
                f"(allowed: {', '.join(MUNICIPALITY_MEASURES)})"
            )
    if frame.empty:
        raise ScenarioError("municipality_vars is empty: nothing to compare")
    per_run = horizon_means(frame, ["scenario", "replicate", by], names, window=window)
    stats = _summarise(per_run, ["scenario", by], names)
    stats = stats.sort_values(["measure", by], kind="stable", key=_measure_order(names))
    stats = stats.reset_index(drop=True)
    reference = frame["scenario"].iloc[0] if reference is None else reference
    return _add_difference(stats, [by, "measure"], reference)


def innovation_runs(innovations: pd.DataFrame) -> pd.DataFrame:
    """One row per run: what its innovation process achieved.

    Args:
        innovations: ``EnsembleDetail.innovations`` (one row per run and innovation).

    Returns:
        Per ``scenario`` (if present) and ``replicate``: ``adopted`` (adoptions, counted once
        per municipality), ``trials`` (municipalities that tried an innovation, summed over
        innovations), ``reached_half`` (innovations adopted by at least half of the
        municipalities), ``months_to_half`` (median over those innovations of the months from
        first trial to half; NaN if none got there), ``judged`` (adoptions judged for fit) and
        ``fit`` (the share of judged adoptions that raised their place's public value; NaN if
        none was judged).
    """
    frame = _with_scenario(innovations)
    rows = []
    for (scenario, replicate), run in frame.groupby(["scenario", "replicate"], sort=False):
        judged = float(run["judged"].sum())
        fitted = float((run["fit"].fillna(0) * run["judged"]).sum())
        reached = run["months_to_half"].dropna()
        rows.append(
            {
                "scenario": scenario,
                "replicate": replicate,
                "adopted": float(run["adopters"].sum()),
                "trials": float(run["trials"].sum()),
                "reached_half": float(len(reached)),
                "months_to_half": float(reached.median()) if len(reached) else np.nan,
                "judged": judged,
                "fit": fitted / judged if judged else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["scenario", "replicate", *INNOVATION_QUANTITIES])


def compare_innovations(innovations: pd.DataFrame, reference: str | None = None) -> pd.DataFrame:
    """Innovation processes side by side: per-run quantities, means and 95% intervals.

    Answers whether one process adopts more, spreads faster or spreads what fits, with the
    same intervals as the measures (t across replicates, Welch for the difference). Runs of
    scenarios without an innovation process have no innovation rows and are left out.

    Args:
        innovations: ``EnsembleDetail.innovations`` of a comparison or ensemble.
        reference: Scenario the others are compared with (default: the first one).

    Returns:
        One row per scenario and quantity of :func:`innovation_runs` (``measure`` column):
        ``mean``, ``sd``, ``n`` (runs where it is defined), ``ci_low``, ``ci_high``, ``diff``,
        ``diff_low``, ``diff_high``, ``p_value``.
    """
    per_run = innovation_runs(innovations)
    if per_run.empty:
        raise ScenarioError(
            "no innovations to compare: set governance.innovation to central_pilot or "
            "experimentalism"
        )
    names = list(INNOVATION_QUANTITIES)
    stats = _summarise(per_run, ["scenario"], names)
    stats = stats.sort_values("measure", kind="stable", key=_measure_order(names))
    stats = stats.reset_index(drop=True)
    reference = per_run["scenario"].iloc[0] if reference is None else reference
    return _add_difference(stats, ["measure"], reference)


def _with_scenario(frame: pd.DataFrame) -> pd.DataFrame:
    if "scenario" in frame.columns:
        return frame
    return frame.assign(scenario="ensemble")


def _measure_order(names: list[str]):
    order = {name: i for i, name in enumerate(names)}

    def key(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == "measure" else column

    return key


# ---------------------------------------------------------------------- tables
def municipality_table(
    stats: pd.DataFrame, measure: str = "public_value", markdown: bool = False
) -> str:
    """One measure of :func:`compare_municipalities` as a table: a row per place.

    Each scenario's cell reads ``mean [low, high]``; after the reference, the difference to it
    with its Welch interval, ``*`` where that interval excludes zero.

    Args:
        stats: Output of :func:`compare_municipalities`.
        measure: The per-municipality measure to show.
        markdown: A Markdown table instead of fixed-width text.
    """
    by = next(c for c in GROUPINGS if c in stats.columns)
    rows = stats[stats["measure"] == measure]
    if rows.empty:
        raise ScenarioError(f"measure = {measure!r} is not in the comparison")
    scenarios = list(dict.fromkeys(rows["scenario"]))
    header = [by.replace("_", " ")] + [
        s if i == 0 else f"{s} (diff to {scenarios[0]})" for i, s in enumerate(scenarios)
    ]
    indexed = rows.set_index(["scenario", by])
    body = []
    for place in sorted(rows[by].unique()):
        line = [str(place)]
        for i, scenario in enumerate(scenarios):
            line.append(interval_cell(indexed.loc[(scenario, place)], with_diff=i > 0))
        body.append(line)
    return _render(header, body, markdown)


def innovations_table(stats: pd.DataFrame, markdown: bool = False) -> str:
    """The output of :func:`compare_innovations` as a table: a row per quantity."""
    scenarios = list(dict.fromkeys(stats["scenario"]))
    header = ["quantity"] + [
        s if i == 0 else f"{s} (diff to {scenarios[0]})" for i, s in enumerate(scenarios)
    ]
    indexed = stats.set_index(["scenario", "measure"])
    body = []
    for name in dict.fromkeys(stats["measure"]):
        line = [name]
        for i, scenario in enumerate(scenarios):
            line.append(interval_cell(indexed.loc[(scenario, name)], with_diff=i > 0))
        body.append(line)
    return _render(header, body, markdown)


def interval_cell(row: pd.Series, with_diff: bool) -> str:
    """``mean [low, high]``, then ``; diff [low, high]`` (``*`` if it excludes 0) if asked."""
    if np.isnan(row["mean"]):
        return "—"
    text = _fmt(row["mean"], row["ci_low"], row["ci_high"])
    if with_diff and not np.isnan(row["diff"]):
        text += "; " + _fmt(row["diff"], row["diff_low"], row["diff_high"], signed=True)
        text += " *" if row["diff_low"] > 0 or row["diff_high"] < 0 else ""
    return text


def _render(header: list[str], body: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *body]) + 2 for i in range(len(header))]
    return "\n".join(
        "".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *body]
    )


# ---------------------------------------------------------------------- files
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
    from coprod.analysis.output import write_frame, write_text

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


def check_municipalities(scenarios: Sequence[Scenario]) -> None:
    """Refuse a per-municipality comparison of scenarios with a single municipality."""
    for scenario in scenarios:
        if scenario.population.municipalities < 2:
            raise ScenarioError(
                f"--by-municipality: {scenario.name} has population.municipalities = "
                f"{scenario.population.municipalities}; compare scenarios with several "
                "municipalities (e.g. central_pilot experimentalism) or set "
                "population.municipalities"
            )
