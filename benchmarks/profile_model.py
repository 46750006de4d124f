"""Where coprod spends time and memory: cProfile of construction and steps, memory by part.

    python -m benchmarks.profile_model --citizens 1000000 --steps 5 [--top 25]

Prints the functions that take the most time in construction (cumulative) and in the steps
(own time), then the memory of the model's parts: citizens' state arrays, the network's sparse
matrix, and the Mesa agent views (the resident set added by creating them).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import time

import numpy as np

from benchmarks.probe import current_rss_mb, peak_rss_mb, phase_timer, release


def _stats(profile: cProfile.Profile, sort: str, top: int) -> str:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats(sort).print_stats(top)
    return "\n".join(line for line in out.getvalue().splitlines() if line.strip())


def _array_bytes(state) -> int:
    return sum(v.nbytes for v in vars(state).values() if isinstance(v, np.ndarray))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_model")
    parser.add_argument("--scenario", default="socialgov")
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    from coprod import CoProductionModel, Scenario

    scenario = Scenario.load(args.scenario).with_overrides({"population.citizens": args.citizens})
    gc.collect()
    before = current_rss_mb()
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    model = CoProductionModel(scenario, seed=args.seed)
    profile.disable()
    built_s = time.perf_counter() - start
    built_mb = current_rss_mb() - before
    print(f"== construction of {args.citizens:,} citizens: {built_s:.2f} s under cProfile")
    print(_stats(profile, "cumulative", args.top))

    model.step()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.steps):
        model.step()
    profile.disable()
    print(f"\n== {args.steps} steps under cProfile, by own time")
    print(_stats(profile, "tottime", args.top))

    with phase_timer(model) as times:
        for _ in range(args.steps):
            model.step()
    total = sum(sum(v) for v in times.values())
    print(f"\n== phases of a step (no profiler), mean of {args.steps} steps")
    for name, values in sorted(times.items(), key=lambda kv: -sum(kv[1])):
        mean_ms = 1e3 * sum(values) / len(values)
        print(f"{name:>22}  {mean_ms:9.2f} ms  {100 * sum(values) / total:5.1f}%")

    c = model.citizens
    arrays = _array_bytes(c) + sum(
        _array_bytes(s) for s in (model.businesses, model.organisations, model.administrations)
    )
    adj = model.adjacency
    network = adj.data.nbytes + adj.indices.nbytes + adj.indptr.nbytes + model.degree.nbytes
    views = len(model.agents)
    gc.collect()
    rss = current_rss_mb()
    release(model)
    del model
    gc.collect()
    print("\n== memory")
    print(f"resident set added by construction   {built_mb:8.0f} MB")
    print(f"agents' state arrays                  {arrays / 2**20:8.0f} MB")
    print(f"network (CSR matrix and degrees)      {network / 2**20:8.0f} MB")
    print(
        f"resident set freed by deleting model  {rss - current_rss_mb():8.0f} MB "
        f"({views:,} Mesa agent views and everything else the model holds)"
    )
    print(f"process peak                          {peak_rss_mb():8.0f} MB")


if __name__ == "__main__":
    main()
