"""Sweep at scale: a 100,000-run sweep of a small model on a local Dask cluster of 2 workers.

python -m benchmarks.sweep_scale            # 100,000 runs of 100 citizens x 12 months
python -m benchmarks.sweep_scale --quick    # 400 runs: a check of the pipeline (about a minute)

Runs ``run_sweep(plan, out, client, load=False)`` as ``coprod sweep`` does (a streamed plan,
batched tasks, each run written as it finishes, the summary gathered a batch at a time) and
measures: time to the first run file, runs per second, the client's peak memory (the client
process also hosts the local cluster's scheduler) and its resident set over time, and where the
time goes: the runs on the workers (Dask's task stream), Dask and the client around them. For
reference it times the same runs in this process (the cost of a run alone) and the client's
own cost per run (building, writing and summarising a run's table), and measures the machine's
speed that day (coprod and the per-agent baseline at 2,000 citizens, before and after, as the
calibration benchmark does). ``--max-minutes`` stops a sweep that would run longer (the
figures then cover the runs done). Results go to benchmarks/SWEEP_SCALE.md and
benchmarks/sweep_scale.json (or, with --quick, to a temporary folder); the paper estimate of a
10-million-run Sobol analysis on 100 workers is computed from them.
"""

from __future__ import annotations

import _thread
import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.__main__ import ROOT
from benchmarks.configurations import SCENARIO
from benchmarks.machine import describe

HERE = Path(__file__).resolve().parent

#: What is measured: the sweep's size, the cluster, and the runs timed alone for reference.
SETTINGS: dict[str, dict[str, Any]] = {
    "full": {
        "runs": 100_000,
        "citizens": 100,
        "steps": 12,
        "workers": 2,
        "alone_runs": 300,
        "max_minutes": 120,
        "speed_citizens": 2_000,
    },
    "quick": {
        "runs": 400,
        "citizens": 100,
        "steps": 12,
        "workers": 2,
        "alone_runs": 20,
        "max_minutes": 10,
        "speed_citizens": 500,
    },
}

#: The paper estimate: runs, workers and the Sobol design they stand for.
ESTIMATE = {"runs": 10_000_000, "workers": 100, "parameters": 10}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rss_mb() -> float:
    """Resident set of this process now, in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """Peak resident set of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process so far (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def sweep_spec(setting: dict[str, Any]) -> Any:
    """A Latin-hypercube sweep of ``runs`` points, one replicate each (a streamed plan)."""
    from coprod.analysis.sweep.spec import sweep_from_dict

    return sweep_from_dict(
        {
            "name": "sweep_scale",
            "scenario": SCENARIO,
            "design": "lhs",
            "samples": setting["runs"],
            "replicates": 1,
            "steps": setting["steps"],
            "seed": 17,
            "measures": ["participation_rate", "trust", "effectiveness"],
            "set": {"population.citizens": setting["citizens"]},
            "parameters": {
                "behaviour.weight_cost": {"min": 0.5, "max": 4.0},
                "governance.budget": {"min": 0.5, "max": 1.5},
            },
        }
    )


def alone(plan: Any, count: int, scratch: Path) -> dict[str, float]:
    """The first ``count`` runs of ``plan`` timed in this process, and the client's cost of each.

    The run is what a worker does (:func:`coprod.analysis.runs.parallel.run_task`); the client's
    part is what :func:`coprod.analysis.sweep.run.run_sweep` does with a finished run
    (:class:`coprod.analysis.sweep.run.FinishedRuns`): build its table, write it (atomically, with
    fsync) and gather it into the summary.
    """
    from coprod.analysis.runs.parallel import run_columns
    from coprod.analysis.sweep.run import FinishedRuns

    runs = [plan.runs[k] for k in range(count + 1)]
    run_columns(runs[0].scenario, plan.steps, runs[0].seed)  # warm-up: imports, caches
    frames, run_s = [], []
    for run in runs[1:]:
        start = time.perf_counter()
        frames.append(run_columns(run.scenario, plan.steps, run.seed))
        run_s.append(time.perf_counter() - start)
    finished = FinishedRuns(plan, scratch)
    start = time.perf_counter()
    for run, frame in zip(runs[1:], frames, strict=True):
        finished.add(run, frame)
    finished.summary()
    client_s = (time.perf_counter() - start) / count
    sizes = [p.stat().st_size for p in (scratch / "runs").glob("run-*.parquet")]
    return {
        "run_s": statistics.median(run_s),
        "run_s_mean": statistics.fmean(run_s),
        "client_s": client_s,
        "file_bytes": statistics.fmean(sizes),
    }


class Watcher(threading.Thread):
    """Samples the sweep while it runs: first run file, runs done, resident set, load."""

    def __init__(self, runs: Path, start: float, deadline: float, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.runs, self.start_time, self.deadline, self.every = runs, start, deadline, every
        self.first: float | None = None
        self.samples: list[dict[str, float]] = []
        self.stopped = threading.Event()
        self.interrupted = False

    def run(self) -> None:
        last = 0.0
        while not self.stopped.is_set():
            now = time.perf_counter()
            if self.first is None and self.runs.is_dir():
                with os.scandir(self.runs) as entries:
                    if any(e.name.startswith("run-") for e in entries):
                        self.first = now - self.start_time
            if now - last >= self.every:
                last = now
                done = sum(1 for _ in self.runs.glob("run-*")) if self.runs.is_dir() else 0
                self.samples.append(
                    {
                        "s": now - self.start_time,
                        "runs": done,
                        "rss_mb": rss_mb(),
                        "load": os.getloadavg()[0],
                    }
                )
            if now > self.deadline and not self.interrupted:
                self.interrupted = True
                _thread.interrupt_main()  # run_sweep cancels what is in flight and stops
            time.sleep(0.05 if self.first is None else 0.5)


def task_stream_figures(stream: list[dict[str, Any]]) -> dict[str, float]:
    """Tasks, their compute time on the workers, and the span from first start to last stop."""
    computes = [
        (s["start"], s["stop"])
        for task in stream
        for s in task.get("startstops", [])
        if s["action"] == "compute"
    ]
    if not computes:
        return {"tasks": 0, "compute_s": 0.0, "first_start": 0.0, "last_stop": 0.0}
    return {
        "tasks": len(computes),
        "compute_s": sum(b - a for a, b in computes),
        "first_start": min(a for a, _ in computes),
        "last_stop": max(b for _, b in computes),
    }


def machine_speed(citizens: int) -> dict[str, float]:
    """coprod's and the per-agent baseline's agent-steps per second (fresh process, median)."""
    from benchmarks.calibration import machine_speed as speed

    return speed(citizens)


def run(setting_name: str, scratch: Path) -> dict[str, Any]:
    """Measure the setting; everything is written under ``scratch``."""
    from distributed import Client, get_task_stream

    from coprod.analysis.runs.parallel import batch_size, local_cluster
    from coprod.analysis.sweep.run import plan_sweep, run_sweep

    setting = SETTINGS[setting_name]
    result: dict[str, Any] = {"setting": setting_name, **setting, "machine": describe(ROOT)}
    result["load_average"] = {"start": os.getloadavg()}
    log(f"machine speed at {setting['speed_citizens']:,} citizens (before)")
    result["speed_before"] = machine_speed(setting["speed_citizens"])
    result["load_average"]["after speed (before)"] = os.getloadavg()

    spec = sweep_spec(setting)
    start = time.perf_counter()
    plan = plan_sweep(spec)
    result["plan_s"] = time.perf_counter() - start
    log(f"{setting['alone_runs']} runs alone in this process")
    result["alone"] = alone(plan, setting["alone_runs"], scratch / "alone")
    result["load_average"]["after runs alone"] = os.getloadavg()
    work = len(plan.runs) * setting["citizens"] * plan.steps
    result["batch"] = batch_size(len(plan.runs), work, setting["workers"])

    log(f"sweep: {len(plan.runs):,} runs on {setting['workers']} local Dask workers")
    out = scratch / "sweep"
    start = time.perf_counter()
    with local_cluster(setting["workers"]) as cluster, Client(cluster) as client:
        result["cluster_start_s"] = time.perf_counter() - start
        rss_before = rss_mb()
        cpu_before = cpu_seconds()
        deadline = time.perf_counter() + 60 * setting["max_minutes"]
        started = time.perf_counter()
        wall_clock = time.time()
        watcher = Watcher(out / "runs", started, deadline)
        watcher.start()
        summary = None
        try:
            with get_task_stream(client) as stream:
                summary = run_sweep(plan, out, client=client, progress=False, load=False)
        except KeyboardInterrupt:
            log("stopped at the time limit")
        wall = time.perf_counter() - started
        watcher.stopped.set()
        watcher.join()
        cpu = cpu_seconds() - cpu_before
        tasks = task_stream_figures(stream.data)
    done = sum(1 for _ in (out / "runs").glob("run-*.parquet"))
    result["load_average"]["after sweep"] = os.getloadavg()
    log("machine speed (after)")
    result["speed_after"] = machine_speed(setting["speed_citizens"])
    result["load_average"]["end"] = os.getloadavg()
    first = watcher.first if watcher.first is not None else float("nan")
    last_stop = tasks["last_stop"] - wall_clock if tasks["tasks"] else wall
    result["sweep"] = {
        "runs_done": done,
        "complete": summary is not None and done == len(plan.runs),
        "wall_s": wall,
        "first_result_s": first,
        "runs_per_s": done / wall,
        "runs_per_s_after_first": (done - 1) / (wall - first) if done > 1 else float("nan"),
        "client_rss_before_mb": rss_before,
        "client_peak_mb": peak_rss_mb(),
        "client_cpu_s": cpu,
        "tasks": tasks["tasks"],
        "worker_compute_s": tasks["compute_s"],
        "last_task_end_s": last_stop,
        "summary_after_last_task_s": wall - last_stop,
        "summary_rows": 0 if summary is None else len(summary),
        "interrupted": watcher.interrupted,
        "samples": watcher.samples,
    }
    return result


def figures(r: dict[str, Any]) -> dict[str, float]:
    """Derived figures: where the time went, per run and per task."""
    s, a = r["sweep"], r["alone"]
    runs, workers = s["runs_done"], r["workers"]
    busy = workers * s["last_task_end_s"]  # worker-seconds available until the last task ended
    return {
        "compute_per_run_s": s["worker_compute_s"] / max(1, runs),
        "worker_utilisation": s["worker_compute_s"] / busy if busy else float("nan"),
        "idle_per_task_s": (busy - s["worker_compute_s"]) / max(1, s["tasks"]),
        "client_cpu_per_run_s": s["client_cpu_s"] / max(1, runs),
        "alone_runs_per_s_on_workers": workers / a["run_s"],
    }


def estimate(r: dict[str, Any]) -> dict[str, Any]:
    """A 10-million-run Sobol analysis on 100 workers, on paper, from the measured costs.

    A run costs what it cost alone in one process here (a worker with a core to itself), and
    what it cost on a worker in the sweep (this machine's load included) as the slow case; the
    workers wait between tasks as long as they did here; one client takes in every run.
    """
    from coprod.analysis.runs.parallel import batch_size

    f = figures(r)
    runs, workers = ESTIMATE["runs"], ESTIMATE["workers"]
    batch = batch_size(runs, runs * r["citizens"] * r["steps"], workers)
    tasks = -(-runs // batch)
    wait_per_run = f["idle_per_task_s"] / r["batch"]
    cases = {}
    for case, per_run in (("alone", r["alone"]["run_s"]), ("loaded", f["compute_per_run_s"])):
        wall = runs * (per_run + wait_per_run) / workers
        cases[case] = {
            "per_run_s": per_run,
            "core_hours": runs * per_run / 3600,
            "wall_h": wall / 3600,
            "tasks_per_s": tasks / wall,
            "runs_per_s": runs / wall,
        }
    return {
        "runs": runs,
        "workers": workers,
        "batch": batch,
        "tasks": tasks,
        "wait_per_run_s": wait_per_run,
        "cases": cases,
        "client_h": runs * r["alone"]["client_s"] / 3600,
        "client_runs_per_s": 1 / r["alone"]["client_s"],
        "storage_gb": runs * r["alone"]["file_bytes"] / 1e9,
        "horizon_values_mb": runs * (2 + 3) * 8 / 2**20,
        "sobol_base_n": runs // (2 * ESTIMATE["parameters"] + 2),
        "sample_matrix_mb": runs * ESTIMATE["parameters"] * 8 / 2**20,
    }


def markdown(r: dict[str, Any]) -> str:
    m, s, a = r["machine"], r["sweep"], r["alone"]
    f, e = figures(r), estimate(r)
    loads = ", ".join(f"{k}: {v[0]:.1f}" for k, v in r["load_average"].items())
    rss = [x["rss_mb"] for x in s["samples"]]
    quick = " --quick" if r["setting"] == "quick" else ""
    lines = [
        "# Sweep at scale",
        "",
        f"Written by `python -m benchmarks.sweep_scale{quick}`"
        f" on {m['date']} (setting `{r['setting']}`; scenario `{SCENARIO}`), on {m['cores']} "
        f"cores ({m['cpu']}), coprod commit {m['commit']}. A measurement, not a test: the "
        "machine is shared, so read the figures beside the load and the machine's speed measured "
        "in the same run.",
        "",
        "## The sweep",
        "",
        f"A Latin-hypercube sweep of {r['runs']:,} runs (two parameters, one replicate each) of "
        f"{r['citizens']} citizens x {r['steps']} months, run by `run_sweep(plan, out, client, "
        f"load=False)` (what `coprod sweep` runs) on a local Dask cluster of {r['workers']} "
        f"single-threaded workers: a streamed plan, {r['batch']} runs per task, 3 tasks per "
        "worker in flight, every run written to its own Parquet file as it finished, the "
        "summary gathered a batch of runs at a time.",
        "",
        "| | |",
        "|---|---|",
        f"| runs done | {s['runs_done']:,} of {r['runs']:,}"
        + ("" if s["complete"] else " (stopped at the time limit)")
        + " |",
        f"| planning (streamed plan) | {r['plan_s']:.2f} s |",
        f"| starting the cluster (not in the wall time) | {r['cluster_start_s']:.1f} s |",
        f"| time to the first run file | {s['first_result_s']:.1f} s |",
        f"| wall time | {s['wall_s'] / 60:.1f} min |",
        f"| runs per second | {s['runs_per_s']:.1f} ({s['runs_per_s_after_first']:.1f} after "
        "the first) |",
        f"| summary after the last task | {s['summary_after_last_task_s']:.1f} s |",
        f"| client peak memory (with the scheduler) | {s['client_peak_mb']:.0f} MB (resident set "
        f"{s['client_rss_before_mb']:.0f} MB before the sweep; during it "
        + (f"{min(rss):.0f} – {max(rss):.0f} MB" if rss else "not sampled")
        + ") |",
        f"| tasks | {s['tasks']:,} |",
        f"| load average (1 min) | {loads} (on {m['cores']} cores) |",
        "",
        "## Where the time goes",
        "",
        "| | |",
        "|---|---|",
        f"| a run alone in one process (median of {r['alone_runs']}) | "
        f"{a['run_s'] * 1e3:.1f} ms ({f['alone_runs_per_s_on_workers']:.0f} runs/s on "
        f"{r['workers']} cores if nothing else ran) |",
        f"| a run on a worker in the sweep (task stream: compute time / runs) | "
        f"{f['compute_per_run_s'] * 1e3:.1f} ms |",
        f"| workers busy with runs, until the last task ended | "
        f"{100 * f['worker_utilisation']:.0f}% |",
        f"| worker time not in runs, per task (Dask, waiting for the client) | "
        f"{f['idle_per_task_s'] * 1e3:.0f} ms ({f['idle_per_task_s'] / r['batch'] * 1e3:.1f} ms "
        "per run) |",
        f"| client CPU (with the scheduler) per run | {f['client_cpu_per_run_s'] * 1e3:.1f} ms |",
        f"| client's own work per run, timed alone (table, write with fsync, summary) | "
        f"{a['client_s'] * 1e3:.1f} ms |",
        f"| run file | {a['file_bytes'] / 1e3:.0f} kB |",
        "",
        "## The machine's speed in the same run",
        "",
        f"Agent-steps per second at {r['speed_citizens']:,} citizens (`{SCENARIO}`), median of "
        "3 replications in a fresh process (`benchmarks.calibration.machine_speed`):",
        "",
        "| | coprod | per-agent baseline | coprod / baseline |",
        "|---|---:|---:|---:|",
    ]
    for label in ("before", "after"):
        sp = r[f"speed_{label}"]
        lines.append(
            f"| {label} the sweep | {sp['coprod'] / 1e6:.2f} M | {sp['baseline'] / 1e3:.0f} k | "
            f"{sp['ratio']:.1f}x |"
        )
    lines += [
        "",
        f"## On paper: {e['runs']:,} runs on {e['workers']} workers",
        "",
        f"A Sobol analysis of {ESTIMATE['parameters']} parameters with second-order indices takes "
        f"N x {2 * ESTIMATE['parameters'] + 2} runs: {e['runs']:,} runs is N = "
        f"{e['sobol_base_n']:,} (2^19 = 524,288 gives 11.5 M; the figures scale linearly). "
        f"Assumed: runs of {r['citizens']} citizens x {r['steps']} months costing what they "
        "cost here, alone in one process (a worker with a core to itself) or on a worker in "
        "this sweep (this machine's load included); one single-threaded worker per core; "
        f"batches of {e['batch']} runs; the workers waiting between tasks as long as here "
        f"({e['wait_per_run_s'] * 1e3:.1f} ms a run); one client taking in every run as "
        "`run_sweep` does.",
        "",
        "| | a run as alone here | a run as in this sweep |",
        "|---|---:|---:|",
    ]
    al, lo = e["cases"]["alone"], e["cases"]["loaded"]
    lines += [
        f"| a run on a worker | {al['per_run_s'] * 1e3:.1f} ms | {lo['per_run_s'] * 1e3:.1f} ms |",
        f"| worker time | {al['core_hours']:,.0f} core-hours | {lo['core_hours']:,.0f} "
        "core-hours |",
        f"| wall time on {e['workers']} workers, if the client keeps up | "
        f"{al['wall_h']:.1f} h | {lo['wall_h']:.1f} h |",
        f"| tasks a second at the scheduler ({e['tasks']:,} in all) | {al['tasks_per_s']:.0f} | "
        f"{lo['tasks_per_s']:.0f} |",
        f"| runs a second the client must take in | {al['runs_per_s']:,.0f} | "
        f"{lo['runs_per_s']:,.0f} |",
        "",
        f"One client writing a file per run takes in about {e['client_runs_per_s']:.0f} runs a "
        f"second ({e['client_h']:.1f} h for all of them, measured alone here): "
        + (
            "at this many workers the client, not Dask, sets the pace. "
            if e["client_runs_per_s"] < al["runs_per_s"]
            else "it keeps up. "
        )
        + "Dask's scheduler handles some thousands of tasks a second, far above what batches "
        "of this size ask. Storage: "
        f"{e['storage_gb']:,.0f} GB in {e['runs']:,} files of {a['file_bytes'] / 1e3:.0f} kB "
        f"(most of a file is Parquet's metadata). Client memory: the Sobol sample matrix "
        f"{e['sample_matrix_mb']:,.0f} MB (SALib holds about three copies) and the horizon "
        f"values {e['horizon_values_mb']:,.0f} MB.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small check of the pipeline")
    parser.add_argument("--max-minutes", type=float, help="stop the sweep after this long")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite SWEEP_SCALE.md from sweep_scale.json"
    )
    args = parser.parse_args(argv)
    if args.report_only:
        result = json.loads((HERE / "sweep_scale.json").read_text())
        result["figures"], result["estimate"] = figures(result), estimate(result)
        (HERE / "sweep_scale.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
        (HERE / "SWEEP_SCALE.md").write_text(markdown(result))
        log(f"wrote {HERE / 'SWEEP_SCALE.md'} from {HERE / 'sweep_scale.json'}")
        return
    setting = "quick" if args.quick else "full"
    if args.max_minutes:
        SETTINGS[setting]["max_minutes"] = args.max_minutes
    out = Path(tempfile.mkdtemp(prefix="coprod-sweep-scale-")) if args.quick else HERE
    with tempfile.TemporaryDirectory(prefix="coprod-sweep-scale-") as scratch:
        result = run(setting, Path(scratch))
    result["figures"] = figures(result)
    result["estimate"] = estimate(result)
    (out / "sweep_scale.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    (out / "SWEEP_SCALE.md").write_text(markdown(result))
    log(f"wrote {out / 'SWEEP_SCALE.md'} and {out / 'sweep_scale.json'}")


if __name__ == "__main__":
    main()
