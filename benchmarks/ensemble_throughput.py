"""Ensemble throughput: the same ensemble serially in this process and on local Dask clusters.

When ``run_ensemble`` accepts a ``client`` (``"serial"`` or a ``distributed.Client``), both sides
go through it; otherwise the Dask side maps ``coprod.run_scenario`` over the replicate seeds on
the cluster itself and the serial side loops over them, and the result says which way it went.

Two clusters of the same size are measured: one whose worker processes start without
``MALLOC_TRIM_THRESHOLD_``, and one with Dask's default worker environment, which sets it to
64 KiB. That setting makes glibc return freed memory to the system at once and fixes the size
above which allocations are mapped afresh, so every NumPy temporary of more than 128 KiB (16,000
citizens and up) is mapped and faulted in anew: coprod's steps then run much slower.
The clusters are started, and their workers import coprod, before the clock starts; that
start-up time is reported on its own. Serial and Dask ensembles must give identical measures.
"""

from __future__ import annotations

import gc
import importlib
import logging
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from coprod import Scenario, ScenarioError, run_ensemble, run_scenario
from coprod.analysis.runs.seeds import replicate_seeds

#: The worker environments compared: a label, and the Dask configuration to start workers with.
WORKER_ENVIRONMENTS = {
    "without MALLOC_TRIM_THRESHOLD_": {
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None
    },
    "Dask's default worker environment": {},
}


def _frame(scenario: Scenario, steps: int, seed: int) -> pd.DataFrame:
    return run_scenario(scenario, steps=steps, seed=seed).model_vars.reset_index()


def _own_serial(scenario: Scenario, replicates: int, steps: int, seed: int) -> pd.DataFrame:
    seeds = replicate_seeds(seed, replicates)
    frames = [_frame(scenario, steps, s).assign(replicate=i) for i, s in enumerate(seeds)]
    return pd.concat(frames, ignore_index=True)


def _own_dask(client, scenario: Scenario, replicates: int, steps: int, seed: int):
    seeds = replicate_seeds(seed, replicates)
    futures = client.map(_frame, [scenario] * replicates, [steps] * replicates, seeds, pure=False)
    frames = client.gather(futures)
    return pd.concat([f.assign(replicate=i) for i, f in enumerate(frames)], ignore_index=True)


def accepts_client() -> bool:
    """Whether ``run_ensemble`` runs on a given client (``"serial"`` accepted as one)."""
    tiny = Scenario.load("socialgov").with_overrides({"population.citizens": 100})
    try:
        run_ensemble(tiny, replicates=1, steps=1, seed=0, client="serial")
    except (ScenarioError, TypeError, ValueError):
        return False
    return True


def _runner(through_api: bool, client: Any, scenario: Scenario, args: tuple) -> Callable:
    if client == "serial":
        if through_api:
            return lambda: run_ensemble(scenario, *args, client="serial")
        return lambda: _own_serial(scenario, *args)
    if through_api:
        return lambda: run_ensemble(scenario, *args, client=client)
    return lambda: _own_dask(client, scenario, *args)


def _start_cluster(workers: int, config: dict[str, Any]):
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(config):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    client = Client(cluster)
    client.run(importlib.import_module, "coprod.model.run")
    return cluster, client


def _timed(func: Callable) -> tuple[float, pd.DataFrame]:
    start = time.perf_counter()
    frame = func()
    return time.perf_counter() - start, frame.reset_index(drop=True)


def measure(
    scenario_name: str, runs: list[dict[str, int]], workers: int, seed: int, repeats: int = 1
) -> dict[str, Any]:
    """Wall times of each ensemble in ``runs``: serial, and on each cluster of ``workers``.

    Each ensemble runs ``repeats`` times each way, the ways alternating. The cluster without
    ``MALLOC_TRIM_THRESHOLD_`` starts first: a Dask nanny also writes the variable into this
    process's environment, which later clusters' workers would inherit.
    """
    through_api = accepts_client()
    clusters, startup = {}, {}
    for label, config in WORKER_ENVIRONMENTS.items():
        start = time.perf_counter()
        clusters[label] = _start_cluster(workers, config)
        startup[label] = time.perf_counter() - start
    env = {
        label: sorted({str(v) for v in client.run(_malloc_setting).values()})
        for label, (_, client) in clusters.items()
    }
    results = []
    try:
        for run in runs:
            scenario = Scenario.load(scenario_name).with_overrides(
                {"population.citizens": run["citizens"]}
            )
            args = (run["replicates"], run["steps"], seed)
            ways = {"serial": _runner(through_api, "serial", scenario, args)}
            for label, (_, client) in clusters.items():
                ways[label] = _runner(through_api, client, scenario, args)
            times: dict[str, list[float]] = {way: [] for way in ways}
            identical = True
            for _ in range(repeats):
                reference = None
                for way, func in ways.items():
                    seconds, frame = _timed(func)
                    times[way].append(seconds)
                    if reference is None:
                        reference = frame
                    else:
                        identical &= reference.equals(frame)
                del reference, frame
                gc.collect()
            results.append({**run, "seconds": times, "identical": identical})
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()
    return {
        "through_run_ensemble": through_api,
        "workers": workers,
        "repeats": repeats,
        "startup_s": startup,
        "worker_malloc_trim_threshold": env,
        "runs": results,
    }


def _malloc_setting() -> str | None:
    import os

    return os.environ.get("MALLOC_TRIM_THRESHOLD_")
