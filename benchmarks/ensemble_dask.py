"""Ensemble throughput: serial in-process runs against a local Dask cluster of 2 workers.

Runs one ensemble (the configuration below) serially and on Dask, ``repeats`` times each,
interleaved so that both sides meet the same load on the machine, and prints median wall times,
runs per second and the speed-up. The warm figure runs on a cluster started beforehand the way
coprod starts its own (``coprod.analysis.runs.parallel.local_cluster``): the cost of the runs
alone.
The cold figure includes starting and closing the cluster, as ``run_ensemble(...,
client="local")`` does. Both must give results identical to the serial ones. The bar for the
warm speed-up on a 2-core machine is 1.6x; other work on the machine lowers it.

    python benchmarks/ensemble_dask.py [--citizens 2000] [--replicates 16] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import pandas as pd
from distributed import Client

from coprod import Scenario, run_ensemble
from coprod.analysis.runs.parallel import local_cluster

#: The benchmark ensemble: scenario, size and seeds.
CONFIGURATION = {
    "scenario": "socialgov",
    "citizens": 2_000,
    "steps": 120,
    "replicates": 16,
    "seed": 42,
    "repeats": 5,
    "workers": 2,
}


def timed(func) -> tuple[float, object]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for key, value in CONFIGURATION.items():
        parser.add_argument(f"--{key}", type=type(value), default=value)
    cfg = parser.parse_args()
    scenario = Scenario.load(cfg.scenario).with_overrides({"population.citizens": cfg.citizens})
    args = {"replicates": cfg.replicates, "steps": cfg.steps, "seed": cfg.seed}
    print(
        f"ensemble: {cfg.scenario}, {cfg.citizens} citizens, {cfg.steps} steps, "
        f"{cfg.replicates} replicates; {cfg.repeats} repeats, medians; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start"
    )

    serial, warm, cold = [], [], []
    with local_cluster(cfg.workers) as cluster, Client(cluster) as client:
        run_ensemble(scenario, client=client, **{**args, "replicates": cfg.workers})  # warm-up
        reference = run_ensemble(scenario, client="serial", **args)
        for _ in range(cfg.repeats):  # interleaved, so both sides meet the same machine load
            seconds, frame = timed(lambda: run_ensemble(scenario, client="serial", **args))
            serial.append(seconds)
            seconds, frame = timed(lambda: run_ensemble(scenario, client=client, **args))
            pd.testing.assert_frame_equal(frame, reference, check_exact=True)
            warm.append(seconds)

    for _ in range(cfg.repeats):
        seconds, frame = timed(lambda: run_ensemble(scenario, client="local", **args))
        pd.testing.assert_frame_equal(frame, reference, check_exact=True)
        cold.append(seconds)

    s, w, c = (statistics.median(x) for x in (serial, warm, cold))
    runs = cfg.replicates
    print(f"serial                     {s:7.2f} s  {runs / s:6.2f} runs/s")
    print(f"dask {cfg.workers} workers (warm)      {w:7.2f} s  {runs / w:6.2f} runs/s")
    print(f"dask {cfg.workers} workers (cold)      {c:7.2f} s  {runs / c:6.2f} runs/s")
    print(f"speed-up warm {s / w:.2f}x, cold {s / c:.2f}x (results identical to serial)")
    print(
        f"load average at the end {os.getloadavg()[0]:.2f} (other work on the machine skews times)"
    )


if __name__ == "__main__":
    main()
