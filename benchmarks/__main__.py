"""Run coprod's benchmarks and write RESULTS.md, results.json and scaling.png.

python -m benchmarks                 # the full setting, written to benchmarks/
python -m benchmarks --quick         # a quick check, written to a temporary folder
python -m benchmarks --only scaling  # some measurements only (throughput, scaling, ensemble)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.configurations import CONFIGURATIONS, SCENARIO
from benchmarks.machine import describe
from benchmarks.report import markdown, plot, summarise

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MEASUREMENTS = ("throughput", "scaling", "ensemble")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def probe(request: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh Python process and return what it reports."""
    from benchmarks.versus import probe_in

    return probe_in(ROOT, sys.executable, request)


def seeds(root: int, replications: int) -> list[int]:
    from coprod.analysis.runs.seeds import replicate_seeds

    return replicate_seeds(root, replications)


def run_throughput(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for n in cfg["sizes"]:
        log(f"throughput: {n:,} citizens")
        out.append(
            probe(
                {
                    "kind": "throughput",
                    "scenario": SCENARIO,
                    "citizens": n,
                    "seeds": seeds(cfg["seed"], cfg["replications"]),
                    "warmup": cfg["warmup"],
                    "steps": cfg["steps"][n],
                    "baseline_steps": cfg["baseline_steps"][n],
                }
            )
        )
    return out


def run_scaling(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    plan = [("coprod", n, cfg["steps"][n]) for n in cfg["sizes"]]
    plan += [("baseline", n, cfg["baseline_steps"][n]) for n in cfg["baseline_sizes"]]
    for model, n, steps in plan:
        for seed in seeds(cfg["seed"], cfg["replications"]):
            log(f"scaling: {model}, {n:,} citizens, seed {seed}")
            request = {
                "kind": "scaling",
                "model": model,
                "scenario": SCENARIO,
                "citizens": n,
                "seed": seed,
                "warmup": cfg["warmup"],
                "steps": steps,
                "phase_steps": cfg["phase_steps"].get(n, 0) if model == "coprod" else 0,
            }
            out.append(probe(request))
    return out


def run_ensemble_benchmark(cfg: dict[str, Any]) -> dict[str, Any]:
    from benchmarks.ensemble_throughput import measure

    log(f"ensemble: serial against {cfg['workers']} Dask workers")
    return measure(SCENARIO, cfg["runs"], cfg["workers"], cfg["seed"], cfg.get("repeats", 1))


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the quick setting")
    parser.add_argument("--only", default=",".join(MEASUREMENTS), help="comma-separated list")
    parser.add_argument("--out", type=Path, help="output folder (default: benchmarks/)")
    args = parser.parse_args(argv)
    setting = "quick" if args.quick else "full"
    only = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = set(only) - set(MEASUREMENTS)
    if unknown:
        parser.error(f"unknown measurement(s) {sorted(unknown)}; choose from {MEASUREMENTS}")
    out = args.out or (Path(tempfile.mkdtemp(prefix="coprod-bench-")) if args.quick else HERE)
    out.mkdir(parents=True, exist_ok=True)

    cfg = CONFIGURATIONS[setting]
    start = time.perf_counter()
    results: dict[str, Any] = {
        "setting": setting,
        "scenario": SCENARIO,
        "machine": describe(ROOT),
        "configuration": {k: cfg[k] for k in only},
    }
    runners = {
        "throughput": run_throughput,
        "scaling": run_scaling,
        "ensemble": run_ensemble_benchmark,
    }
    results["load_average"] = {"start": os.getloadavg()}
    for name in only:
        results[name] = runners[name](cfg[name])
        results["load_average"][f"after {name}"] = os.getloadavg()
    results["elapsed_s"] = time.perf_counter() - start

    summary = summarise(results)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    if "scaling" in summary:
        plot(summary, out / "scaling.png")
    (out / "RESULTS.md").write_text(markdown(results, summary))
    log(f"wrote {out / 'RESULTS.md'} in {results['elapsed_s'] / 60:.1f} minutes")
    return out


if __name__ == "__main__":
    main()
