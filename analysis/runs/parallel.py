"""Where runs execute: in this process, on a local Dask cluster, or on a Dask scheduler.

Every run is one task: a scenario shipped as a plain dict (``Scenario.to_dict``, validated
again on the worker with ``Scenario.from_dict``), a number of steps and a seed. A run's result
depends on nothing else, so results are identical whatever the number of workers or the order
in which they finish.

The ``client`` argument accepted by the analysis functions is one of:

- ``None`` (automatic): the Dask client already active in this process (``Client(...)`` made
  by the user), else the scheduler named by ``DASK_SCHEDULER_ADDRESS`` (Dask's
  ``scheduler-address`` setting), else a local Dask cluster sized to the machine (one
  single-threaded worker process per core), created and closed inside the call, unless the job
  is so small that starting the cluster would cost more than it saves (under
  :data:`LOCAL_CLUSTER_MIN_WORK` agent-steps, or a single run, or a single core); then the runs
  execute in this process;
- ``"serial"``: always in this process, one run after the other;
- ``"local"``: always a local Dask cluster, however small the job;
- a scheduler address such as ``"tcp://10.0.0.5:8786"``: connect, run, disconnect;
- a ``distributed.Client``: use it and leave it open.

The worker processes of a local cluster never import the user's ``__main__`` script (see
:func:`main_script_hidden`), so a script calling ``run_ensemble`` at top level works as written,
without an ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import itertools
import logging
import sys
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import pandas as pd

from coprod.model.errors import AnalysisError, CoprodError
from coprod.model.scenario import Scenario

#: Below this many agent-steps (citizens x steps x runs) a job runs in-process when
#: ``client=None``: a few seconds of serial work. Starting a local cluster and importing coprod
#: on its workers takes one to three seconds, so smaller jobs finish sooner serially.
LOCAL_CLUSTER_MIN_WORK = 10_000_000


class WorkerLost(CoprodError, RuntimeError):
    """A run's Dask worker process died more often than Dask retries a run (killed, out of memory).

    Dask runs a task again elsewhere when its worker dies, up to
    ``distributed.scheduler.allowed-failures`` times (3 by default); after that it gives up.
    """


@dataclass(frozen=True)
class RunTask:
    """One simulation to run: the caller's name for it, a scenario as plain data, steps, seed."""

    key: str
    scenario: dict[str, Any]
    steps: int
    seed: int


def run_task(scenario: dict[str, Any], steps: int, seed: int) -> pd.DataFrame:
    """Run one simulation from plain data; the function every worker executes.

    Returns the measures with ``step`` as a column, one row per step.
    """
    from coprod.model.run import run_scenario

    result = run_scenario(Scenario.from_dict(scenario, source="task"), steps=steps, seed=seed)
    return result.model_vars.reset_index()


def run_columns(scenario: dict[str, Any], steps: int, seed: int) -> dict[str, Any]:
    """:func:`run_task` as plain columns, ``{name: NumPy array}`` (``step`` first).

    What sweeps run on their workers: the arrays are taken out of the DataFrame on the worker,
    so the client, which takes in every run, only wraps them (in an Arrow table) and writes.
    """
    frame = run_task(scenario, steps, seed)
    return {column: frame[column].to_numpy() for column in frame.columns}


def available_cores() -> int:
    """Cores this process may use: Dask's count, which respects CPU affinity and cgroup limits."""
    from dask.system import cpu_count

    return cpu_count()


def active_client() -> Any:
    """The Dask client ``client=None`` should use: an active one, or a configured scheduler.

    Returns the ``distributed.Client`` made in this process (and still open), else the address
    in ``DASK_SCHEDULER_ADDRESS`` (Dask's ``scheduler-address`` setting), else None.
    """
    if "distributed" in sys.modules:  # no client can be active before distributed is imported
        from distributed import default_client

        try:
            return default_client()
        except ValueError:
            pass
    import dask

    address = dask.config.get("scheduler-address", default=None)
    return str(address) if address else None


def work_of(tasks: Sequence[RunTask]) -> int:
    """Agent-steps of a list of tasks: citizens x steps, summed."""
    return sum(t.scenario["population"]["citizens"] * t.steps for t in tasks)


def check_client(client: Any) -> None:
    """Reject a ``client`` value that is neither a keyword, an address nor a Client."""
    if client is None or client in ("serial", "local"):
        return
    if isinstance(client, str):
        if "://" not in client and ":" not in client:
            raise AnalysisError(
                f"scheduler = {client!r} is not allowed: use 'serial', 'local' or an address "
                "such as tcp://host:8786"
            )
        return
    if not hasattr(client, "submit") or not hasattr(client, "map"):
        raise AnalysisError(
            f"client = {client!r} is not allowed: use None, 'serial', 'local', a scheduler "
            "address or a distributed.Client"
        )


#: Agent-steps one Dask task aims at: short runs go in batches of about this much work, so the
#: scheduler's cost per task (about a millisecond) stays small against the work it carries.
BATCH_WORK = 50_000

#: Tasks kept in flight per worker: enough to keep each busy, few enough that the client
#: holds a bounded number of runs whatever the size of the job.
IN_FLIGHT_PER_WORKER = 3

#: The progress bar that runs started in this context report to (see :func:`reporting_progress`).
_PROGRESS: ContextVar[Any] = ContextVar("coprod_progress", default=None)


@contextmanager
def reporting_progress(bar: Any) -> Iterator[None]:
    """While open, every :func:`execute` adds its runs to ``bar`` and advances it per run.

    Args:
        bar: A progress bar with a ``total`` attribute and ``update(n)`` (a ``tqdm`` bar); the
            command line uses one so that ``compare`` and ``validate`` show progress as sweeps
            do.
    """
    token = _PROGRESS.set(bar)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


#: Whether local clusters started in this context serve Dask's dashboard (see
#: :func:`serving_dashboard`).
_DASHBOARD: ContextVar[bool] = ContextVar("coprod_dask_dashboard", default=False)


def check_dashboard() -> None:
    """Refuse, before anything runs, to serve Dask's dashboard without its package (bokeh)."""
    import importlib.util

    from coprod.model.errors import PreconditionError

    if importlib.util.find_spec("bokeh") is None:
        raise PreconditionError(
            "the Dask dashboard needs bokeh: python -m pip install 'coprod[dask-dashboard]'"
        )


@contextmanager
def serving_dashboard() -> Iterator[None]:
    """While open, local Dask clusters serve Dask's dashboard on loopback and print its link.

    The link goes to standard error when the cluster starts (a free port on 127.0.0.1), so a
    long ``--scheduler local`` job can be watched in the browser: task stream, workers, memory.
    """
    check_dashboard()
    token = _DASHBOARD.set(True)
    try:
        yield
    finally:
        _DASHBOARD.reset(token)


def _progress_started(n_tasks: int) -> Any:
    bar = _PROGRESS.get()
    if bar is not None:
        bar.total = (bar.total or 0) + n_tasks
        bar.refresh()
    return bar


def execute(
    tasks: Iterable[RunTask],
    client: Any = None,
    incremental: bool = True,
    function: Callable[[dict[str, Any], int, int], Any] | None = None,
    count: int | None = None,
    work: int | None = None,
) -> Iterator[tuple[RunTask, Any]]:
    """Run ``tasks`` and yield ``(task, measures)`` for each, in any order.

    On Dask the tasks are taken from ``tasks`` as they are submitted, in batches of short
    runs (:data:`BATCH_WORK`), with at most :data:`IN_FLIGHT_PER_WORKER` batches per worker
    in flight: the client holds a bounded number of runs whatever their number, and the
    first results arrive while the rest are not yet made.

    Args:
        tasks: The runs: a list, or an iterable consumed as they are submitted (then give
            ``count`` and ``work``).
        client: Where to run (see the module docstring).
        incremental: Kept for callers; runs are yielded as they finish either way.
        function: What a worker runs for each task, ``function(scenario, steps, seed)``; an
            importable module-level function returning plain data (default :func:`run_task`,
            the measures; ensembles with municipalities also ship their other tables).
        count: Number of tasks, when ``tasks`` is not a list.
        work: Their agent-steps, when ``tasks`` is not a list.

    Closing the generator early (an exception, Ctrl-C) cancels what has not run yet and closes
    any cluster or connection opened here.
    """
    check_client(client)
    if count is None or work is None:
        tasks = list(tasks)
        count, work = len(tasks), work_of(tasks)
    if count == 0:
        return
    function = run_task if function is None else function  # looked up now: tests replace it
    if client is None:
        client = active_client()
    bar = _progress_started(count)
    if _is_serial(client, count, work):
        for task in tasks:
            result = function(task.scenario, task.steps, task.seed)
            if bar is not None:
                bar.update(1)
            yield task, result
        return
    batch = batch_size(count, work, workers=available_cores())
    with _connect(client, count) as dask_client:
        yield from _execute_dask(iter(tasks), dask_client, function, count, work, batch, bar)


def batch_size(count: int, work: int, workers: int) -> int:
    """Runs per Dask task: about :data:`BATCH_WORK` agent-steps, yet a few tasks per worker."""
    per_run = max(1, work // max(1, count))
    by_work = max(1, BATCH_WORK // per_run)
    spread = max(1, -(-count // (workers * IN_FLIGHT_PER_WORKER * 4)))
    return min(by_work, spread)


def run_batch(
    function: Callable[[dict[str, Any], int, int], Any], runs: list[tuple[dict, int, int]]
) -> list[Any]:
    """Run several short runs in one task; the results in the order of ``runs``."""
    return [function(scenario, steps, seed) for scenario, steps, seed in runs]


def _is_serial(client: Any, count: int | Sequence[RunTask], work: int | None = None) -> bool:
    if not isinstance(count, int):  # a list of tasks
        count, work = len(count), work_of(count)
    if client == "serial":
        return True
    if client is not None:
        return False
    return count < 2 or available_cores() < 2 or work < LOCAL_CLUSTER_MIN_WORK


def _execute_dask(
    tasks: Iterator[RunTask],
    client: Any,
    function: Callable[[dict[str, Any], int, int], Any],
    count: int,
    work: int,
    batch: int,
    bar: Any = None,
) -> Iterator[tuple[RunTask, Any]]:
    from distributed import KilledWorker, as_completed

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    batch = min(batch, batch_size(count, work, workers))
    token = uuid.uuid4().hex[:12]  # names the futures of this call only; no effect on results
    in_flight: dict[str, list[RunTask]] = {}
    pending = as_completed(with_results=True, raise_errors=False)
    numbers = itertools.count()

    def submit() -> bool:
        chunk = list(itertools.islice(tasks, batch))
        if not chunk:
            return False
        key = f"coprod-{token}-{next(numbers)}"
        runs = [(t.scenario, t.steps, t.seed) for t in chunk]
        if batch == 1:
            future = client.submit(function, *runs[0], key=key, pure=False)
        else:
            future = client.submit(run_batch, function, runs, key=key, pure=False)
        in_flight[key] = chunk
        pending.add(future)
        return True

    try:
        for _ in range(workers * IN_FLIGHT_PER_WORKER):
            if not submit():
                break
        for future, result in pending:
            chunk = in_flight.pop(future.key)
            if future.status == "error":
                _raise_run_error(chunk[0] if len(chunk) == 1 else _batch_of(chunk), *result[1:])
            submit()
            if bar is not None:
                bar.update(len(chunk))
            yield from zip(chunk, [result] if batch == 1 else result, strict=True)
            future.release()
    except KilledWorker:
        raise WorkerLost(f"a run: {_LOST}") from None
    finally:
        if in_flight:
            client.cancel(list(pending.futures))


def _batch_of(chunk: list[RunTask]) -> RunTask:
    """A stand-in task naming the runs of a batch, for the message of a failed batch."""
    first = chunk[0]
    return RunTask(f"{first.key} (or one of {len(chunk) - 1} more in its batch)", {}, 0, 0)


_LOST = (
    "the Dask worker processes running it died (killed, or out of memory) more often than "
    "Dask retries a run"
)


def _raise_run_error(task: RunTask, exc: BaseException, traceback: Any) -> None:
    """Raise the error of a failed run: :class:`WorkerLost`, or the run's own exception."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        raise WorkerLost(f"run {task.key}: {_LOST}") from None
    raise exc.with_traceback(traceback)


@contextmanager
def _connect(client: Any, n_tasks: int) -> Iterator[Any]:
    """A usable ``distributed.Client``; whatever is opened here is closed on the way out."""
    if client is not None and not isinstance(client, str):
        yield client
        return
    from distributed import Client

    if isinstance(client, str) and client != "local":
        with short_message_logs(), Client(client, timeout="20s") as remote:
            yield remote
        return
    workers = max(1, min(available_cores(), n_tasks))
    with main_script_hidden(), local_cluster(workers) as cluster, Client(cluster) as local:
        yield local


#: Messages each of Dask's batched connections keeps, for debugging, after sending them
#: (``distributed.admin.low-level-log-length``; 1,000 by default). A message that starts a task
#: carries the task's runs, scenarios included (about 8 kB a run), so at the default a long
#: sweep's scheduler and client kept the last 1,000 batches of runs sent to each worker: their
#: memory grew with the runs (400 MB over 51,000 runs), up to a bound far above a sweep's size.
MESSAGE_LOG_LENGTH = 16


def short_message_logs() -> Any:
    """While open, Dask connections made keep :data:`MESSAGE_LOG_LENGTH` sent messages."""
    import dask

    return dask.config.set({"distributed.admin.low-level-log-length": MESSAGE_LOG_LENGTH})


@contextmanager
def main_script_hidden() -> Iterator[None]:
    """While open, new processes do not import the ``__main__`` script (or ``-m`` module).

    Python's ``spawn`` start method, which Dask uses for worker processes, runs the parent's
    main script again in each child unless it is guarded by ``if __name__ == "__main__":``; a
    script calling :func:`coprod.run_ensemble` at top level would start a cluster in every
    worker. The workers need nothing from the script (they run coprod's own functions), so its
    ``__file__`` and ``__spec__`` are hidden from ``multiprocessing`` while the cluster lives
    (as in an interactive session or a Jupyter kernel, whose ``__main__`` has no file).
    """
    main = sys.modules.get("__main__")
    saved = {key: vars(main)[key] for key in ("__file__", "__spec__") if key in vars(main)}
    if not saved:
        yield
        return
    vars(main).pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        vars(main).update(saved)


#: Dask settings of the local clusters coprod starts: the workers' event loops wake less
#: often (every 20 ms and 100 ms by default), leaving the core to the simulation.
LOCAL_CLUSTER_CONFIG = {
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.memory.monitor-interval": "1s",
}


@contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """A local Dask cluster of ``workers`` single-threaded worker processes on loopback."""
    import dask
    from distributed import LocalCluster

    # the scheduler, the workers (which take the config from here) and the clients of the
    # cluster keep few sent messages: all are made while it lives
    with short_message_logs():
        with dask.config.set(LOCAL_CLUSTER_CONFIG), warnings.catch_warnings():
            # another cluster on the machine holds the default port: a free one is used instead
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",  # the scheduler listens on this machine only
                dashboard_address="127.0.0.1:0" if _DASHBOARD.get() else None,
                silence_logs=logging.CRITICAL,  # coprod reports failed runs in one line
            )
        with cluster:
            if _DASHBOARD.get():
                print(f"Dask dashboard: {cluster.dashboard_link}", file=sys.stderr, flush=True)
            yield cluster


def connect(client: Any, n_tasks: int) -> Any:
    """A usable ``distributed.Client`` for ``client``, as a context manager.

    ``client`` takes the values of the module docstring; a cluster or connection opened here is
    closed on the way out.

    For callers that hand the client to a library that submits its own work (calibration
    through pyabc's Dask sampler). ``n_tasks`` caps the workers of a local cluster.
    """
    return _connect(client, n_tasks)
