"""Ensemble throughput: the same ensemble serially in this process and on a local Dask cluster.

When ``run_ensemble`` accepts a ``client`` (``"serial"`` or a ``distributed.Client``), both sides
go through it; otherwise the Dask side maps ``coprod.run_scenario`` over the replicate seeds on
the cluster itself and the serial side loops over them, and the result says which way it went.
The cluster is started, and its workers import coprod, before the clock starts; that start-up
time is reported on its own. Both sides must give identical measures.
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
from coprod.analysis.seeds import replicate_seeds


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


def _through_api(client, scenario: Scenario, args: tuple) -> tuple[Callable, Callable]:
    return (
        lambda: run_ensemble(scenario, *args, client="serial"),
        lambda: run_ensemble(scenario, *args, client=client),
    )


def _own_way(client, scenario: Scenario, args: tuple) -> tuple[Callable, Callable]:
    return (lambda: _own_serial(scenario, *args), lambda: _own_dask(client, scenario, *args))


def accepts_client() -> bool:
    """Whether ``run_ensemble`` runs on a given client (``"serial"`` accepted as one)."""
    tiny = Scenario.load("socialgov").with_overrides({"population.citizens": 100})
    try:
        run_ensemble(tiny, replicates=1, steps=1, seed=0, client="serial")
    except (ScenarioError, TypeError, ValueError):
        return False
    return True


def measure(
    scenario_name: str, runs: list[dict[str, int]], workers: int, seed: int, repeats: int = 1
) -> dict[str, Any]:
    """Wall times of each ensemble in ``runs``, serial and on ``workers`` Dask workers.

    Each ensemble runs ``repeats`` times each way, alternating serial and Dask.
    """
    from distributed import Client, LocalCluster

    through_api = accepts_client()
    start = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    client.run(importlib.import_module, "coprod.model.run")
    startup = time.perf_counter() - start
    results = []
    try:
        for run in runs:
            scenario = Scenario.load(scenario_name).with_overrides(
                {"population.citizens": run["citizens"]}
            )
            args = (run["replicates"], run["steps"], seed)
            if through_api:
                serial, dask = _through_api(client, scenario, args)
            else:
                serial, dask = _own_way(client, scenario, args)
            serial_s, dask_s, identical = [], [], True
            for _ in range(repeats):
                start = time.perf_counter()
                serial_frame = serial()
                serial_s.append(time.perf_counter() - start)
                start = time.perf_counter()
                dask_frame = dask()
                dask_s.append(time.perf_counter() - start)
                identical &= serial_frame.reset_index(drop=True).equals(
                    dask_frame.reset_index(drop=True)
                )
                del serial_frame, dask_frame
                gc.collect()
            results.append({**run, "serial_s": serial_s, "dask_s": dask_s, "identical": identical})
    finally:
        client.close()
        cluster.close()
    return {
        "through_run_ensemble": through_api,
        "workers": workers,
        "repeats": repeats,
        "startup_s": startup,
        "runs": results,
    }
