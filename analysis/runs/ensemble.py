"""Ensembles: many replicates of one scenario, run on Dask, returned as one tidy DataFrame.

Replicate seeds derive from one root seed through NumPy's ``SeedSequence`` and each run depends
only on its scenario and seed, so the result is identical serial or parallel, whatever the
number of workers (see :mod:`coprod.analysis.runs.parallel` for the ``client`` values).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from coprod.analysis.runs.parallel import RunTask, execute
from coprod.analysis.runs.seeds import replicate_seeds
from coprod.model.errors import AnalysisError
from coprod.model.scenario import Scenario


def run_ensemble(
    scenario: Scenario | str | Path, replicates: int = 20, steps: int | None = None,
    seed: int = 0, client: Any = None, yes: bool = False,
    posterior: str | Path | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Run ``replicates`` runs of ``scenario`` and return them stacked.

    Args:
        scenario: A :class:`Scenario`, a scenario name or a path to a TOML file.
        replicates: Number of runs, each with its own seed.
        steps: Months per run (default: the scenario's ``steps``).
        seed: Root seed; replicate ``i`` runs with ``SeedSequence(seed).spawn(...)[i]``.
        client: Where to run: ``None`` (a local Dask cluster sized to the machine, or in this
            process when the job is too small to be worth one), ``"serial"`` (in this process),
            ``"local"`` (always a local cluster), a scheduler address (``"tcp://host:8786"``)
            or a ``distributed.Client``.
        yes: Accept an ensemble over the run or time limits of
            :mod:`coprod.analysis.runs.work_size` (one whose table would not fit in memory is
            refused regardless).
        posterior: A calibration's ``posterior.parquet`` (or its DataFrame): each replicate
            runs with a parameter set drawn from it, seeded by ``seed``
            (:func:`coprod.analysis.calibration.posterior.posterior_draws`), so the spread across
            replicates includes parameter uncertainty.

    Returns:
        One row per replicate and step, sorted by both: columns ``replicate``, ``seed``,
        ``step`` and every measure.
    """
    tasks = ensemble_tasks(
        scenario, replicates, steps, seed, yes=yes, client=client, posterior=posterior
    )
    runs = marked_runs(tasks, ensemble_owner(tasks), [""], client, with_scenario=False)
    return pd.concat([tables[0] for tables in runs], ignore_index=True)


def ensemble_tasks(
    scenario: Scenario | str | Path, replicates: int, steps: int | None, seed: int,
    yes: bool = False, client: Any = None,
    posterior: str | Path | pd.DataFrame | None = None,
) -> list[RunTask]:
    """The runs of an ensemble, validated, before anything runs (``key`` is the replicate).

    With ``yes`` the work-size check (:func:`check_ensemble_size`) is skipped: the caller
    checked, or accepts a large ensemble. With a ``posterior``, replicate ``i`` runs with the
    ``i``-th parameter set drawn from it; the draws depend on ``seed`` and ``replicates``
    only, as the replicate seeds do.
    """
    if not isinstance(scenario, Scenario):
        scenario = Scenario.load(scenario)
    if not isinstance(replicates, int) or isinstance(replicates, bool) or replicates < 1:
        raise AnalysisError(f"replicates = {replicates!r} is not allowed: must be >= 1")
    if steps is None:
        steps = scenario.steps
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise AnalysisError(f"steps = {steps!r} is not allowed: must be a whole number >= 1")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise AnalysisError(f"seed = {seed!r} is not allowed: must be a whole number >= 0")
    if not yes:
        check_ensemble_size("ensemble: ", replicates, scenario, steps, client=client)
    data = [scenario.to_dict()] * replicates
    if posterior is not None:
        from coprod.analysis.calibration.posterior import posterior_draws, scenarios_with_draws

        drawn = scenarios_with_draws(scenario, posterior_draws(posterior, replicates, seed))
        data = [s.to_dict() for s in drawn]
    return [
        RunTask(key=str(replicate), scenario=data[replicate], steps=steps, seed=child)
        for replicate, child in enumerate(replicate_seeds(seed, replicates))
    ]


def check_ensemble_size(
    what: str, runs: int, scenario: Scenario, steps: int, client: Any = None
) -> None:
    """Refuse an in-memory ensemble or comparison beyond :mod:`coprod.analysis.runs.work_size`.

    Its table of every run and month is held in memory, so it must fit whatever ``--yes``
    says; beyond that the run and time limits apply.
    """
    from coprod.analysis.runs.work_size import check_work, results_bytes
    from coprod.model.measure_registry import MEASURES

    size = results_bytes(runs, steps, len(MEASURES) + 4)
    arrays = {"the table of every run and month": size}
    check_work(what, runs, scenario.population.citizens, steps, how="fewer replicates",
               arrays=arrays, probe=scenario.to_dict(), client=client)


def ensemble_owner(tasks: list[RunTask]) -> dict[str, tuple[str, int]]:
    """Each task key's ``("", replicate)``: an ensemble is a comparison of one unnamed scenario."""
    return {task.key: ("", int(task.key)) for task in tasks}


def marked_runs(
    tasks: list[RunTask],
    owner: dict[str, tuple[str, int]],
    labels: list[str],
    client: Any,
    with_scenario: bool,
    function: Callable[[dict[str, Any], int, int], Any] | None = None,
) -> list[list[pd.DataFrame]]:
    """Run ``tasks`` and return every run's tables, marked, in label then replicate order.

    Runs finish in any order, on Dask or serially; marking each table with its run and sorting
    is what makes every stacked result the same whatever the number of workers.

    Args:
        tasks: The runs.
        owner: Each task key's ``(label, replicate)``.
        labels: The labels in the order the result lists them.
        client: Where to run, as for :func:`run_ensemble`.
        with_scenario: Start each table with a ``scenario`` column (the label).
        function: What each run executes (see :func:`~coprod.analysis.runs.parallel.execute`),
            returning one table or a tuple of tables.

    Returns:
        One list of tables per run, each table starting with ``replicate`` and ``seed``
        (``scenario``, ``replicate``, ``seed`` with ``with_scenario``).
    """
    runs: dict[tuple[int, int], list[pd.DataFrame]] = {}
    for task, result in execute(tasks, client=client, incremental=False, function=function):
        label, replicate = owner[task.key]
        tables = [result] if isinstance(result, pd.DataFrame) else list(result)
        for table in tables:
            table.insert(0, "seed", task.seed)
            table.insert(0, "replicate", replicate)
            if with_scenario:
                table.insert(0, "scenario", label)
        runs[(labels.index(label), replicate)] = tables
    return [runs[k] for k in sorted(runs)]
