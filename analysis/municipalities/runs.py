"""Running ensembles and comparisons that keep all three tables of every run.

:func:`coprod.run_ensemble` and :func:`~coprod.analysis.run_comparison` keep the model-level
measures. With several municipalities and an innovation process, a run also has measures per
municipality (``RunResult.municipality_vars``) and a summary per innovation
(``RunResult.innovations``). :func:`run_ensemble_detail` and :func:`run_comparison_detail` run
the same tasks with the same seeds (so their ``model_vars`` equal the plain functions' output)
and bring back all three tables from one run each, serial or on Dask. Each run builds its model
once: the municipalities' status comes with its :class:`~coprod.RunResult`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coprod.analysis.compare.comparison import comparison_tasks
from coprod.analysis.runs.ensemble import ensemble_owner, ensemble_tasks, marked_runs
from coprod.analysis.runs.parallel import RunTask
from coprod.model.errors import PreconditionError
from coprod.model.scenario import Scenario


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
        place_vars: One row per replicate, step and neighbourhood (``RunResult.place_vars``,
            with ``municipality_name`` where the scenario has places); empty unless asked for
            with ``places=True``.

    From :func:`run_comparison_detail`, each table also starts with a ``scenario`` column.
    """

    model_vars: pd.DataFrame
    municipality_vars: pd.DataFrame
    innovations: pd.DataFrame
    place_vars: pd.DataFrame = field(default_factory=pd.DataFrame)


def run_task_detail(
    scenario: dict[str, Any], steps: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run one simulation from plain data and return its three tables (what a worker runs).

    Only DataFrames travel back, never a model: ``(model_vars, municipality_vars,
    innovations)``, the measures with ``step`` as a column, the municipalities with their
    ``status`` and ``status_rank``.
    """
    from coprod.model.run import run_scenario

    result = run_scenario(Scenario.from_dict(scenario, source="task"), steps=steps, seed=seed)
    return _detail_tables(result)


def _detail_tables(result: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    status = result.municipality_status.to_numpy(dtype=float)
    rank = np.empty(len(status), dtype=np.int64)
    rank[np.argsort(-status, kind="stable")] = np.arange(1, len(status) + 1)
    municipalities = result.municipality_vars.copy()
    index = municipalities["municipality"].to_numpy(dtype=np.int64)
    municipalities.insert(2, "status", status[index])
    municipalities.insert(3, "status_rank", rank[index])
    return result.model_vars.reset_index(), municipalities, result.innovations.copy()


def run_task_places(
    scenario: dict[str, Any], steps: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`run_task_detail`'s three tables and the run's ``place_vars`` (a worker's job)."""
    from coprod.model.run import run_scenario

    result = run_scenario(Scenario.from_dict(scenario, source="task"), steps=steps, seed=seed)
    return (*_detail_tables(result), place_table(result))


def place_table(result: Any) -> pd.DataFrame:
    """A run's ``place_vars`` with plain-text names and, with places, the municipality's name."""
    frame = result.place_vars.copy()
    frame["name"] = frame["name"].astype(str)
    if result.places is not None:
        names = list(result.places.municipalities)
        frame.insert(4, "municipality_name", [names[i] for i in frame["municipality"]])
    return frame


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
    seeds, so ``model_vars`` is exactly what :func:`coprod.run_ensemble` returns (the arguments
    are the same), and the per-municipality measures and innovation summaries come from those
    same runs rather than from running them again.

    Returns:
        An :class:`EnsembleDetail`; every table sorted by replicate, with ``replicate`` and
        ``seed`` as its first columns.
    """
    tasks = ensemble_tasks(scenario, replicates=replicates, steps=steps, seed=seed)
    return gather_detail(tasks, ensemble_owner(tasks), [""], client, with_scenario=False)


def run_comparison_detail(
    scenarios: Sequence[Scenario],
    replicates: int = 20,
    steps: int | None = None,
    seed: int = 0,
    client: Any = None,
    posterior: Any = None,
    places: bool = False,
) -> EnsembleDetail:
    """Run a comparison and keep every table of every run (see :func:`run_ensemble_detail`).

    The arguments, runs and seeds are those of :func:`~coprod.analysis.run_comparison`, so
    ``model_vars`` equals its output exactly and can go to ``compare_horizon`` unchanged.
    With ``places``, the runs' per-neighbourhood measures come back too (``place_vars``).

    Returns:
        An :class:`EnsembleDetail` whose tables start with ``scenario``, ``replicate``,
        ``seed``, in the order of ``scenarios``.
    """
    labels, tasks, owner = comparison_tasks(
        scenarios, replicates, steps, seed, client=client, posterior=posterior
    )
    return gather_detail(tasks, owner, labels, client, with_scenario=True, places=places)


def gather_detail(
    tasks: list[RunTask],
    owner: dict[str, tuple[str, int]],
    labels: list[str],
    client: Any,
    with_scenario: bool,
    places: bool = False,
) -> EnsembleDetail:
    """Run ``tasks`` with :func:`run_task_detail` and stack each table in label, replicate order.

    Args:
        tasks: The runs.
        owner: Each task key's ``(label, replicate)``.
        labels: The labels in the order the tables list them.
        client: Where to run, as for :func:`coprod.run_ensemble`.
        with_scenario: Start each table with a ``scenario`` column (the label).
        places: Bring back each run's ``place_vars`` too.
    """
    function = run_task_places if places else run_task_detail
    runs = marked_runs(tasks, owner, labels, client, with_scenario, function=function)
    tables = [_stack([run[i] for run in runs]) for i in range(len(runs[0]))]
    return EnsembleDetail(*tables)


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    filled = [f for f in frames if not f.empty]
    if not filled:  # e.g. no innovation process: keep the columns
        return frames[0].iloc[0:0].reset_index(drop=True)
    return pd.concat(filled, ignore_index=True)


def check_municipalities(scenarios: Sequence[Scenario]) -> None:
    """Refuse a per-municipality comparison of scenarios with a single municipality.

    Raises:
        PreconditionError: A scenario has ``population.municipalities`` below 2.
    """
    for scenario in scenarios:
        if scenario.population.municipalities < 2:
            raise PreconditionError(
                f"--by-municipality: {scenario.name} has population.municipalities = "
                f"{scenario.population.municipalities}; compare scenarios with several "
                "municipalities (e.g. central_pilot experimentalism) or set "
                "population.municipalities"
            )


def check_places(scenarios: Sequence[Scenario]) -> None:
    """Refuse a per-place comparison of scenarios without a places table.

    Raises:
        PreconditionError: A scenario has no ``population.places``.
    """
    for scenario in scenarios:
        if scenario.population.places is None:
            raise PreconditionError(
                f"--by-place: {scenario.name} has no population.places; compare scenarios on "
                "the same places table (e.g. columbus_socialgov, or --set "
                "population.places=FILE)"
            )
