"""Calibration benchmark: a three-parameter ABC-SMC calibration on Dask, with the machine's speed.

python -m benchmarks.calibration          # 2,000 citizens, 60 months, 200 particles, 8 generations
python -m benchmarks.calibration --quick    # a small check of the same pipeline (about a minute)

The observations are simulated with known parameter values (an ensemble of 8 runs), so the
benchmark also shows whether the posterior covers them. The machine's speed that day is measured
in the same run, before and after the calibration: agent-steps per second of coprod and of the
per-agent Mesa baseline (benchmarks/baseline.py) at 2,000 citizens, in a fresh process each.
Results go to benchmarks/CALIBRATION.md and benchmarks/calibration.json (or, with --quick, to a
temporary folder).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.__main__ import ROOT, probe, seeds
from benchmarks.configurations import SCENARIO
from benchmarks.machine import describe

HERE = Path(__file__).resolve().parent

#: The calibration measured: sizes, budget and the parameter values the observations come from.
SETTINGS: dict[str, dict[str, Any]] = {
    "full": {"citizens": 2_000, "steps": 60, "population": 200, "generations": 8},
    "quick": {"citizens": 500, "steps": 24, "population": 20, "generations": 2},
}
TRUE = {
    "behaviour.weight_cost": 2.4,
    "behaviour.weight_habit": 1.5,
    "behaviour.adoption_imitation": 0.2,
}
PRIORS = {
    "behaviour.weight_cost": {"uniform": [0.5, 4.0]},
    "behaviour.weight_habit": {"uniform": [0.0, 3.0]},
    "behaviour.adoption_imitation": {"uniform": [0.05, 0.5]},
}
#: Observed statistics: measure, months (the last 12 of the run), sd.
TARGETS = [("participation_rate", 0.01), ("top10_share", 0.02), ("adoption", 0.03)]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine_speed(citizens: int, replications: int = 3) -> dict[str, float]:
    """Median agent-steps per second of coprod and the baseline at ``citizens``."""
    result = probe(
        {
            "kind": "throughput",
            "scenario": SCENARIO,
            "citizens": citizens,
            "seeds": seeds(7, replications),
            "warmup": 1,
            "steps": 60,
            "baseline_steps": 10,
        }
    )
    coprod = statistics.median(result["coprod"])
    baseline = statistics.median(result["baseline"])
    ratios = [c / b for c, b in zip(result["coprod"], result["baseline"], strict=True)]
    return {"coprod": coprod, "baseline": baseline, "ratio": statistics.median(ratios)}


def calibration_file(setting: dict[str, Any]) -> dict[str, Any]:
    """The calibration, with observations simulated from :data:`TRUE`."""
    from coprod import Scenario, run_ensemble

    steps = setting["steps"]
    fixed = {"population.citizens": setting["citizens"]}
    truth = Scenario.load(SCENARIO).with_overrides(fixed | TRUE)
    runs = run_ensemble(truth, replicates=8, steps=steps, seed=99, client="serial")
    window = runs[runs.step > steps - 12]
    targets = [
        {"measure": m, "months": [steps - 11, steps], "value": float(window[m].mean()), "sd": sd}
        for m, sd in TARGETS
    ]
    return {
        "name": "benchmark",
        "scenario": SCENARIO,
        "steps": steps,
        "seed": 1,
        "set": fixed,
        "parameters": PRIORS,
        "targets": targets,
        "abc": {"population": setting["population"], "generations": setting["generations"]},
    }


def run(setting_name: str, out: Path) -> dict[str, Any]:
    from coprod.analysis import calibrate

    setting = SETTINGS[setting_name]
    machine = describe(ROOT)
    log(f"machine speed at {setting['citizens']:,} citizens (before)")
    before = machine_speed(setting["citizens"])
    data = calibration_file(setting)
    log(f"calibration: {setting}")
    loads = [os.getloadavg()[0]]
    start = time.perf_counter()

    def progress(line: str) -> None:
        loads.append(os.getloadavg()[0])
        log(line)

    result = calibrate(data, out=out / "calibration", scheduler="local", progress=progress)
    wall = time.perf_counter() - start
    log("machine speed (after)")
    after = machine_speed(setting["citizens"])
    gens = result.generations
    summary = result.summary.set_index("parameter")
    return {
        "setting": setting_name,
        **setting,
        "machine": machine,
        "wall_seconds": wall,
        "simulations": int(gens["simulations"].sum()),
        "simulations_per_second": float(gens["simulations"].sum() / wall),
        "by_generation": gens.to_dict(orient="records"),
        "posterior": {
            key: {
                "true": TRUE[key],
                "median": float(summary.loc[key, "median"]),
                "low": float(summary.loc[key, "low"]),
                "high": float(summary.loc[key, "high"]),
                "prior_low": float(summary.loc[key, "prior_low"]),
                "prior_high": float(summary.loc[key, "prior_high"]),
                "width_ratio": float(summary.loc[key, "width_ratio"]),
                "identified": str(summary.loc[key, "identified"]),
            }
            for key in TRUE
        },
        "load_average": loads,
        "speed_before": before,
        "speed_after": after,
    }


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        "# Calibration benchmark",
        "",
        f"Written by `python -m benchmarks.calibration` on {m['date']} (setting `{r['setting']}`"
        f"; scenario `{SCENARIO}`), on {m['cores']} cores ({m['cpu']}), coprod commit "
        f"{m['commit']}. Benchmarks are measurements, not tests: the machine is shared and its "
        "speed varies from day to day, so read the calibration's speed beside the machine's "
        "speed measured in the same run.",
        "",
        "## The calibration",
        "",
        f"Three parameters, {r['citizens']:,} citizens, {r['steps']} months, {r['population']} "
        f"particles, {r['generations']} generations, on a local Dask cluster (one worker per "
        "core). The observations (mean of participation, top-10% share and adoption over the "
        "last 12 months) were simulated with the values below (8 runs).",
        "",
        "| | |",
        "|---|---|",
        f"| wall time | {r['wall_seconds'] / 60:.1f} min |",
        f"| simulations | {r['simulations']:,} |",
        f"| simulations per second | {r['simulations_per_second']:.2f} |",
        f"| agent-steps per second in the calibration | "
        f"{r['simulations_per_second'] * r['citizens'] * r['steps'] / 1e6:.2f} M |",
        f"| load average (1 min) at the start and after each generation | "
        f"{', '.join(f'{x:.1f}' for x in r.get('load_average', [])) or 'not recorded'} |",
        "",
        "| generation | epsilon | simulations | acceptance rate |",
        "|---:|---:|---:|---:|",
    ]
    for g in r["by_generation"]:
        lines.append(
            f"| {g['generation'] + 1} | {g['epsilon']:.3g} | {g['simulations']:,} | "
            f"{g['acceptance_rate']:.1%} |"
        )
    lines += [
        "",
        "| parameter | true | prior 90% | posterior median | posterior 90% | width / prior "
        "| covers |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for key, p in r["posterior"].items():
        covers = "yes" if p["low"] <= p["true"] <= p["high"] else "no"
        ratio = (p["high"] - p["low"]) / (p["prior_high"] - p["prior_low"])  # uniform priors
        lines.append(
            f"| `{key}` | {p['true']:g} | {p['prior_low']:.3g} – {p['prior_high']:.3g} | "
            f"{p['median']:.3g} | {p['low']:.3g} – {p['high']:.3g} | {ratio:.2f} | {covers} |"
        )
    lines += [
        "",
        "## The machine's speed in the same run",
        "",
        f"Agent-steps per second at {r['citizens']:,} citizens (`{SCENARIO}`), median of 3 "
        "replications in a fresh process:",
        "",
        "| | coprod | per-agent baseline | coprod / baseline |",
        "|---|---:|---:|---:|",
    ]
    for label in ("before", "after"):
        s = r[f"speed_{label}"]
        lines.append(
            f"| {label} the calibration | {s['coprod'] / 1e6:.2f} M | {s['baseline'] / 1e3:.0f} k"
            f" | {s['ratio']:.1f}x |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small check of the pipeline")
    args = parser.parse_args(argv)
    setting = "quick" if args.quick else "full"
    out = Path(tempfile.mkdtemp(prefix="coprod-calibration-")) if args.quick else HERE
    with tempfile.TemporaryDirectory() as scratch:
        result = run(setting, Path(scratch))
    (out / "calibration.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    (out / "CALIBRATION.md").write_text(markdown(result))
    log(f"wrote {out / 'CALIBRATION.md'} and {out / 'calibration.json'}")


if __name__ == "__main__":
    main()
