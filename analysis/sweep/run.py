"""Sweeps: run a design of parameter points x replicates, one Parquet file per finished run.

Every run has an id fixed by the design (:mod:`coprod.analysis.sweep.plan`). Results go to
``<out>/runs/run-<id>.parquet``, each written atomically as soon as the run finishes, so an
interrupted sweep (Ctrl-C, a killed process, a lost machine) resumes when started again: finished
runs are found by id and skipped, and only the missing ones run. A folder holding a different
sweep is refused rather than mixed (:mod:`coprod.analysis.sweep.folder`). A full disk, a folder
made read-only or a Dask worker lost for good stops the sweep with an error that says how many
runs are kept; running it again resumes.

This module runs and resumes; the plan, the output folder (lock, manifest, checks) and the other
files (design, summary) have their own modules, and every name stays importable from here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from coprod.analysis.output import OutputError
from coprod.analysis.runs.parallel import RunTask, WorkerLost, check_client, execute, run_columns
from coprod.analysis.runs.work_size import check_work, results_bytes
from coprod.analysis.sweep.folder import (
    check_output,
    finished_runs,
    load_results,
    locked,
    model_digest,
    run_path,
    sorted_results,
    write_manifest,
)
from coprod.analysis.sweep.output import (
    spec_to_toml,
    summarise_sweep,
    write_plan_files,
    write_summary,
)
from coprod.analysis.sweep.plan import RUN_COLUMNS, SweepPlan, SweepRun, digest, plan_sweep
from coprod.analysis.sweep.run_table import RunTables, write_table
from coprod.analysis.sweep.spec import SweepError, SweepSpec
from coprod.analysis.sweep.summary import HorizonValues, summarise_folder

__all__ = [
    "RUN_COLUMNS",
    "SweepPlan",
    "SweepRun",
    "check_output",
    "digest",
    "finished_runs",
    "load_results",
    "locked",
    "model_digest",
    "plan_sweep",
    "run_path",
    "run_sweep",
    "spec_to_toml",
    "summarise_folder",
    "summarise_sweep",
    "write_manifest",
    "write_plan_files",
    "write_summary",
]


def run_sweep(
    spec: SweepSpec | SweepPlan | str | Path,
    out: str | Path | None = None,
    client: Any = None,
    progress: bool = True,
    yes: bool = False,
    load: bool = True,
) -> pd.DataFrame:
    """Run a sweep (resuming from ``out`` if it was interrupted) and return every run.

    Runs are generated as they are submitted and at most a few batches per worker are in
    flight (:func:`coprod.analysis.runs.parallel.execute`), so memory does not grow with the number
    of runs while they run; each is written as it finishes, and the summary is gathered a
    batch of runs at a time (:mod:`coprod.analysis.sweep.summary`).

    Args:
        spec: A sweep file path, a :class:`SweepSpec` or a :class:`SweepPlan`.
        out: Output folder. ``None`` runs in memory and writes nothing.
        client: Where to run, as for :func:`coprod.run_ensemble`.
        progress: Show a progress bar (runs done, rate, time left) on standard error.
        yes: Accept a sweep over the limits of :mod:`coprod.analysis.runs.work_size`.
        load: With ``out``, load every run at the end and return it (True), or return only
            the summary (False; the table of ``summary.csv``), so that memory stays bounded
            whatever the number of runs. Ignored without ``out``.

    Returns:
        The tidy results: ``run``, ``point``, ``replicate``, ``seed``, one column per
        parameter, ``step`` and every measure; sorted by point, replicate and step. With
        ``out`` and ``load=False``, the summary: one row per point and measure (``point``, the
        parameters, ``measure``, ``mean``, ``sd``, ``n``, ``ci_low``, ``ci_high``).
    """
    check_client(client)
    plan = spec if isinstance(spec, SweepPlan) else plan_sweep(spec, yes=yes, client=client)
    if out is None:
        check_in_memory(plan)
        frames = [
            _run_frame(run, pd.DataFrame(columns), plan)
            for run, columns in _execute(plan, plan.runs, client, progress, done=0)
        ]
        return sorted_results(pd.concat(frames, ignore_index=True))
    out = Path(out)
    summary = _run_to_folder(plan, out, client, progress)
    return load_results(out) if load else summary


def _run_to_folder(plan: SweepPlan, out: Path, client: Any, progress: bool) -> pd.DataFrame:
    """Run what is missing in ``out``, write each run and the summary; return the summary."""
    check_output(plan, out)
    with locked(out):
        done = finished_runs(plan, out)
        runs = FinishedRuns(plan, out)
        try:
            write_plan_files(plan, out, status="running", done=len(done))
            todo = (run for run in plan.runs if run.run_id not in done)
            for run, columns in _execute(plan, todo, client, progress, done=len(done)):
                runs.add(run, columns)
            summary = runs.summary(earlier=done)
            write_summary(plan, out, summary=summary, done=runs.values.runs)
        except OutputError as exc:
            raise exc.add(f"{_kept(plan, out)}, and the sweep resumes from there") from None
        except WorkerLost as exc:
            raise WorkerLost(
                f"{exc}; {_kept(plan, out)}: run the same command again to resume"
            ) from None
    if summary is None:
        raise SweepError(f"{out}: no finished runs in {out / 'runs'}")
    return summary


#: Rows of run tables kept before they go to the summary: a small Arrow table costs about
#: 30 kB in memory, so 5,000 rows (385 runs of 12 months) hold about 12 MB.
TABLE_ROWS = 5_000


class FinishedRuns:
    """What the client does with each finished run: write it, and gather it into the summary.

    Each run's table is built as Arrow (:class:`~coprod.analysis.sweep.run_table.RunTables`) and
    written to its own file at once; the tables are kept until they hold :data:`TABLE_ROWS`
    rows, then handed to :class:`~coprod.analysis.sweep.summary.HorizonValues` (which reduces
    them to horizon values a batch at a time) and dropped.
    """

    def __init__(self, plan: SweepPlan, out: Path) -> None:
        self.plan, self.out = plan, out
        self.values = HorizonValues(plan.keys, list(plan.spec.measures))
        self.tables = RunTables(plan.keys)
        self._buffer: list[Any] = []
        self._rows = 0

    def add(self, run: SweepRun, columns: dict[str, Any]) -> None:
        """Write one finished run (its measures as :func:`~.parallel.run_columns` gives them).

        Its table is kept for the summary until a batch is full.
        """
        table = self.tables.table(_head(run, self.plan), columns)
        write_table(run_path(self.out, run.run_id), table)
        self._buffer.append(table)
        self._rows += table.num_rows
        if self._rows >= min(self.values.batch_rows, TABLE_ROWS):
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._buffer:
            tables = pa.concat_tables(self._buffer, promote_options="permissive")
            self.values.add(tables.to_pandas())
        self._buffer, self._rows = [], 0

    def summary(self, earlier: Iterable[str] = ()) -> pd.DataFrame | None:
        """The summary of the runs added and of the ``earlier`` ones read from the folder.

        None if there are no runs at all.
        """
        self._flush()
        self.values.add_files(run_path(self.out, run_id) for run_id in sorted(earlier))
        return self.values.summary() if self.values.runs else None


def _kept(plan: SweepPlan, out: Path) -> str:
    kept = len(finished_runs(plan, out, tidy=False))
    return f"{kept} of {len(plan.runs)} runs are kept in {out}"


def check_in_memory(plan: SweepPlan) -> None:
    """Refuse, before it runs, a sweep whose results would not fit in memory (no ``out``)."""
    from coprod.model.measure_registry import MEASURES

    columns = len(RUN_COLUMNS) + len(plan.keys) + 1 + len(MEASURES)
    size = results_bytes(len(plan.runs), plan.steps, columns)
    check_work(
        "sweep in memory: ",
        len(plan.runs),
        plan.base.population.citizens,
        plan.steps,
        yes=True,
        how="an output folder (out=...) or fewer runs",
        arrays={"its results table": size},
    )


def _execute(
    plan: SweepPlan, runs: Iterable[SweepRun], client: Any, progress: bool, done: int
) -> Iterator[tuple[SweepRun, dict[str, Any]]]:
    from tqdm.auto import tqdm

    by_id: dict[str, SweepRun] = {}

    def tasks() -> Iterator[RunTask]:  # made as they are submitted; dropped as they finish
        for run in runs:
            by_id[run.run_id] = run
            yield RunTask(run.run_id, run.scenario, plan.steps, run.seed)

    count = len(plan.runs) - done
    work = count * plan.base.population.citizens * plan.steps
    with tqdm(
        total=len(plan.runs),
        initial=done,
        unit="run",
        desc=plan.spec.name,
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        for task, columns in execute(
            tasks(), client=client, count=count, work=work, function=run_columns
        ):
            yield by_id.pop(task.key), columns
            bar.update(1)


def _head(run: SweepRun, plan: SweepPlan) -> dict[str, Any]:
    """The values a run's table repeats on every row: ids, seed, parameter values."""
    head = {"run": run.run_id, "point": run.point, "replicate": run.replicate, "seed": run.seed}
    head.update({key: run.values[key] for key in plan.keys})
    return head


def _run_frame(run: SweepRun, frame: pd.DataFrame, plan: SweepPlan) -> pd.DataFrame:
    head = _head(run, plan)
    ids = pd.DataFrame({k: [v] * len(frame) for k, v in head.items()})
    return pd.concat([ids, frame.reset_index(drop=True)], axis=1)
