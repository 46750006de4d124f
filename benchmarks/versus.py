"""This checkout against an earlier one, in the same run: a step at a million citizens, and
the speed against the per-agent baseline at ten thousand.

    python -m benchmarks.versus --before /path/to/earlier/checkout [--python /its/venv/python]
    python -m benchmarks.versus --before ../coprod-old --citizens 1000000 --replications 5

A refactoring that promises "no slower than today" is measured against today's code on the
same machine at the same time: the two trees' step probes alternate (before, now, before, now,
...), so a busy spell of the machine falls on both, and the medians and their ratio are
reported. Each probe is a fresh process of that tree's own ``benchmarks.probe`` with that tree
first on the import path, so each measures its own ``coprod``. The throughput against the
baseline is this tree's own (coprod and its baseline interleaved per replication, as
``python -m benchmarks --only throughput`` measures it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.configurations import SCENARIO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def probe_in(tree: Path, python: str, request: dict[str, Any]) -> dict[str, Any]:
    """Run ``benchmarks.probe`` of ``tree`` with ``python`` in a fresh process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(tree), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [python, "-m", "benchmarks.probe", json.dumps(request)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe in {tree} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(
    before: Path, before_python: str, citizens: int, steps: int, replications: int
) -> dict[str, Any]:
    """Median step times of both trees at ``citizens``, alternating, and this tree's speed-up."""
    step: dict[str, list[float]] = {"before": [], "now": []}
    trees = {"before": (before, before_python), "now": (ROOT, sys.executable)}
    for seed in range(replications):
        for which, (tree, python) in trees.items():
            request = {
                "kind": "scaling",
                "model": "coprod",
                "scenario": SCENARIO,
                "citizens": citizens,
                "seed": seed,
                "warmup": 1,
                "steps": steps,
                "phase_steps": 0,
            }
            result = probe_in(tree, python, request)
            step[which].append(statistics.median(result["step_s"]))
            print(f"{which}: seed {seed}, {step[which][-1]:.3f} s a step", file=sys.stderr)
    speed = probe_in(
        ROOT,
        sys.executable,
        {
            "kind": "throughput",
            "scenario": SCENARIO,
            "citizens": 10_000,
            "seeds": list(range(replications)),
            "warmup": 2,
            "steps": 30,
            "baseline_steps": 3,
        },
    )
    ratios = [c / b for c, b in zip(speed["coprod"], speed["baseline"], strict=True)]
    return {
        "citizens": citizens,
        "step_before_s": statistics.median(step["before"]),
        "step_now_s": statistics.median(step["now"]),
        "step_ratio_now_over_before": statistics.median(step["now"])
        / statistics.median(step["before"]),
        "steps_before_s": step["before"],
        "steps_now_s": step["now"],
        "speedup_at_10000": statistics.median(ratios),
        "speedups_at_10000": ratios,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.versus", description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="the earlier checkout")
    parser.add_argument("--python", default=sys.executable, help="its interpreter")
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=3, help="timed steps per probe")
    parser.add_argument("--replications", type=int, default=5)
    args = parser.parse_args(argv)
    if not (args.before / "benchmarks" / "probe.py").is_file():
        parser.error(f"--before {args.before}: not a coprod checkout (no benchmarks/probe.py)")
    result = measure(
        args.before.resolve(), args.python, args.citizens, args.steps, args.replications
    )
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
