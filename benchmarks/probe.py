"""One measurement in a fresh process, so that peak memory belongs to that measurement alone.

``python -m benchmarks.probe '<json>'`` prints one JSON line. The request names a ``kind``:

- ``"scaling"``: build one model (``"coprod"`` or ``"baseline"``) of ``citizens`` citizens, time
  its construction and each of ``steps`` steps after ``warmup``, then (coprod only) time each
  phase of ``phase_steps`` more steps (``overrides``: other scenario keys); construction and
  steps also in CPU time of the process (user and system, which other work on the machine
  does not lengthen); memory is the process's resident set after the imports, after
  construction, and at its peak (``ru_maxrss``).
- ``"throughput"``: for each seed, build coprod and the baseline in turn, step each
  ``warmup`` steps and then time ``steps`` (``baseline_steps``) steps; agent-steps per second
  per replication.
"""

from __future__ import annotations

import gc
import inspect
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def current_rss_mb() -> float:
    """Resident set size of this process now, in MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(
    model_kind: str,
    scenario_name: str,
    citizens: int,
    seed: int,
    overrides: dict[str, Any] | None = None,
):
    """A coprod model or a baseline model of ``citizens`` citizens (and other ``overrides``)."""
    from coprod import CoProductionModel, Scenario

    changes = {**(overrides or {}), "population.citizens": citizens}
    scenario = Scenario.load(scenario_name).with_overrides(changes)
    if model_kind == "coprod":
        return CoProductionModel(scenario, seed=seed)
    from benchmarks.baseline import BaselineModel

    return BaselineModel(scenario, seed=seed)


def release(model) -> None:
    """Let a finished model's agents and arrays be freed before the next replication.

    Mesa registers a model in a class-level registry when a Mesa agent is created for it (the
    baseline's agents; coprod's agent views only when ``model.agents`` is read), which keeps the
    model alive (mesa issue #3179). Emptying the model leaves only a bare object there, so the
    garbage collector does not walk a finished replication's agents during the next one.
    """
    model.remove_all_agents()
    vars(model).clear()


def time_steps(model, steps: int, cpu: list[float] | None = None) -> list[float]:
    """Wall time of each of ``steps`` steps, in seconds (and CPU time appended to ``cpu``)."""
    times = []
    for _ in range(steps):
        start, start_cpu = time.perf_counter(), time.process_time()
        model.step()
        times.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return times


@contextmanager
def phase_timer(model) -> Iterator[dict[str, list[float]]]:
    """Time every phase the model's ``step`` calls, by name, while the context is open.

    The phases are found in the code of ``step`` itself: module functions it calls (wrapped in
    the module's namespace) and the model's own methods (wrapped on the instance), so the
    breakdown follows the schedule as it is, whatever phases it has.
    """
    step = type(model).step
    namespace = step.__globals__
    times: dict[str, list[float]] = {}
    patched_globals: dict[str, Callable] = {}
    patched_methods: list[str] = []

    def timed(name: str, func: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                times.setdefault(name, []).append(time.perf_counter() - start)

        return wrapper

    for name in step.__code__.co_names:
        if inspect.isfunction(namespace.get(name)):
            patched_globals[name] = namespace[name]
            namespace[name] = timed(name, namespace[name])
        elif inspect.ismethod(getattr(model, name, None)) and name != "step":
            setattr(model, name, timed(name, getattr(model, name)))
            patched_methods.append(name)
    try:
        yield times
    finally:
        namespace.update(patched_globals)
        for name in patched_methods:
            delattr(model, name)


def scaling(request: dict[str, Any]) -> dict[str, Any]:
    """Construction, step times, phase times and memory of one model in this process."""
    import coprod  # noqa: F401  (the imports are part of the process, not of the model)

    if request["model"] == "baseline":
        import benchmarks.baseline  # noqa: F401
    gc.collect()
    import_rss = current_rss_mb()
    start, start_cpu = time.perf_counter(), time.process_time()
    model = build(
        request["model"],
        request["scenario"],
        request["citizens"],
        request["seed"],
        request.get("overrides"),
    )
    construct_s = time.perf_counter() - start
    construct_cpu_s = time.process_time() - start_cpu
    construct_rss = current_rss_mb()
    construct_peak = peak_rss_mb()
    time_steps(model, request["warmup"])
    step_cpu_s: list[float] = []
    step_s = time_steps(model, request["steps"], step_cpu_s)
    phases: dict[str, float] = {}
    if request["model"] == "coprod" and request.get("phase_steps"):
        with phase_timer(model) as times:
            time_steps(model, request["phase_steps"])
        phases = {name: statistics.median(values) for name, values in times.items()}
    return {
        "model": request["model"],
        "citizens": request["citizens"],
        "seed": request["seed"],
        "import_rss_mb": import_rss,
        "construct_s": construct_s,
        "construct_rss_mb": construct_rss,
        "construct_peak_mb": construct_peak,
        "step_s": step_s,
        "construct_cpu_s": construct_cpu_s,
        "step_cpu_s": step_cpu_s,
        "phase_s": phases,
        "peak_rss_mb": peak_rss_mb(),
    }


def throughput(request: dict[str, Any]) -> dict[str, Any]:
    """Agent-steps per second of coprod and the baseline, interleaved per replication."""
    n = request["citizens"]
    result: dict[str, Any] = {"citizens": n, "coprod": [], "baseline": []}
    steps = {"coprod": request["steps"], "baseline": request["baseline_steps"]}
    for seed in request["seeds"]:
        for kind in ("coprod", "baseline"):
            model = build(kind, request["scenario"], n, seed)
            time_steps(model, request["warmup"])
            elapsed = sum(time_steps(model, steps[kind]))
            result[kind].append(n * steps[kind] / elapsed)
            release(model)
            del model
            gc.collect()
    return result


def main(argv: list[str]) -> None:
    request = json.loads(argv[0])
    kinds = {"scaling": scaling, "throughput": throughput}
    print(json.dumps(kinds[request["kind"]](request)))


if __name__ == "__main__":
    main(sys.argv[1:])
