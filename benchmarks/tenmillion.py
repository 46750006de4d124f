"""Ten million citizens against one million: time per step, construction and peak memory.

python -m benchmarks.tenmillion                  # measure, print, write the RESULTS.md section
python -m benchmarks.tenmillion --no-write       # measure and print only
python -m benchmarks.tenmillion --steps 3 --worlds town
python -m benchmarks.tenmillion --sizes 10000 100000 --no-write   # a quick check
python -m benchmarks.tenmillion --rewrite        # the section again from tenmillion.json

Each world (the ``socialgov`` town of 8 neighbourhoods; 4 municipalities of 1,000
neighbourhoods each) is built at 1,000,000 and then at 10,000,000 citizens, back to back, each
in a fresh process (:mod:`benchmarks.probe`), and the ratios are taken within the pair, so that
both sizes meet the same load on a shared machine. The load average (1 minute) is recorded
before and after each process. Peak memory is the process's peak resident set (``ru_maxrss``,
the interpreter and libraries included) divided by the citizens. The bars (issue 17, item 6):
step and construction at 10,000,000 at most 11x those at 1,000,000, peak memory at most
1.2 KB per citizen. A measurement, not a test.

Writes ``tenmillion.json`` and the section between the ``tenmillion`` markers of
``RESULTS.md`` (appended the first time; the rest of the file is left as it is), both
atomically.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.__main__ import probe
from benchmarks.machine import describe

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = "socialgov"
SIZES = (1_000_000, 10_000_000)
#: The worlds measured: scenario overrides besides the citizens.
WORLDS: dict[str, dict[str, Any]] = {
    "town": {},
    "thousand": {"population.municipalities": 4, "population.neighbourhoods": 1_000},
}
WORLD_NAMES = {
    "town": "socialgov: 1 municipality, 8 neighbourhoods",
    "thousand": "socialgov, 4 municipalities x 1,000 neighbourhoods",
}
#: Bars: ratios of 10,000,000 to 1,000,000, and bytes of peak memory per citizen.
MAX_RATIO = 11.0
MAX_BYTES_PER_CITIZEN = 1200.0
#: Memory a 10,000,000-citizen process may need, checked before starting one over 2,000,000.
NEED_AT_TEN_MILLION = 12e9
START, END = "<!-- tenmillion:start -->", "<!-- tenmillion:end -->"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def available_bytes() -> float | None:
    """``MemAvailable`` of /proc/meminfo, or None where there is none."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def load() -> float:
    """The 1-minute load average."""
    return round(os.getloadavg()[0], 2)


def measure(world: str, citizens: int, steps: int, seed: int) -> dict[str, Any]:
    """One fresh process: construction, ``steps`` timed steps after one warm-up, memory."""
    if citizens > 2_000_000:
        free = available_bytes()
        if free is not None and free < NEED_AT_TEN_MILLION:
            raise SystemExit(
                f"{free / 1e9:.1f} GB available, {NEED_AT_TEN_MILLION / 1e9:.0f} GB needed for "
                f"{citizens:,} citizens; not started"
            )
    before = load()
    start = time.perf_counter()
    result = probe(
        {
            "kind": "scaling",
            "model": "coprod",
            "scenario": SCENARIO,
            "citizens": citizens,
            "overrides": WORLDS[world],
            "seed": seed,
            "warmup": 1,
            "steps": steps,
        }
    )
    result.update(
        world=world,
        wall_s=time.perf_counter() - start,
        load_before=before,
        load_after=load(),
        step_median_s=statistics.median(result["step_s"]),
        step_cpu_median_s=statistics.median(result["step_cpu_s"]),
        bytes_per_citizen=result["peak_rss_mb"] * 2**20 / citizens,
    )
    return result


def ratios(small: dict[str, Any], large: dict[str, Any]) -> dict[str, float]:
    """Large over small: step and construction (wall and CPU time), peak memory, and size."""
    return {
        "size": large["citizens"] / small["citizens"],
        "step": large["step_median_s"] / small["step_median_s"],
        "step_cpu": large["step_cpu_median_s"] / small["step_cpu_median_s"],
        "construction": large["construct_s"] / small["construct_s"],
        "construction_cpu": large["construct_cpu_s"] / small["construct_cpu_s"],
        "peak_memory": large["peak_rss_mb"] / small["peak_rss_mb"],
    }


def _time(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{1000 * seconds:.0f} ms"


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def markdown(runs: dict[str, Any]) -> str:
    """The RESULTS.md section, between its markers."""
    m = runs["machine"]
    lines = [
        START,
        f"## Ten million citizens (`python -m benchmarks.tenmillion`, {m['date']})",
        "",
        f"Scenario `{SCENARIO}`, seed {runs['seed']}, coprod commit {m['commit']}, "
        f"{m['cores']} cores, {m['memory_gb']:.1f} GB. Each world is built at "
        f"{runs['sizes'][0]:,} and then at {runs['sizes'][1]:,} citizens, back to back, each "
        "in a fresh process; "
        f"time per step is the median of {runs['steps']} steps after one warm-up step; peak "
        "memory is the process's peak resident set (interpreter and libraries included). The "
        "machine is shared: the load average (1 minute, on its cores) is given before and "
        "after each process, and ratios are taken within the pair. CPU time (user and system "
        "time of the process) is what the work itself costs, which other work on the machine "
        "does not lengthen as it lengthens the wall time. Bars (issue 17, item 6): "
        f"at most {MAX_RATIO:g}x for step and construction, at most "
        f"{MAX_BYTES_PER_CITIZEN / 1000:.1f} KB of peak memory per citizen.",
        "",
        "| world | citizens | construction (CPU) | time per step (min – max) | CPU per step | "
        "peak memory | bytes per citizen | load before → after |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for world, pair in runs["worlds"].items():
        for r in pair["runs"]:
            lines.append(
                f"| {WORLD_NAMES[world]} | {r['citizens']:,} | {_time(r['construct_s'])} "
                f"({_time(r['construct_cpu_s'])}) | "
                f"{_time(r['step_median_s'])} ({_time(min(r['step_s']))} – "
                f"{_time(max(r['step_s']))}) | {_time(r['step_cpu_median_s'])} | "
                f"{r['peak_rss_mb'] / 1024:.2f} GB | "
                f"{r['bytes_per_citizen']:.0f} | {r['load_before']:.1f} → {r['load_after']:.1f} |"
            )
    lines += [
        "",
        f"| world | step ratio (CPU) | construction ratio (CPU) | peak memory ratio | "
        f"step ≤ {MAX_RATIO:g}x (CPU) | construction ≤ {MAX_RATIO:g}x (CPU) | "
        f"≤ {MAX_BYTES_PER_CITIZEN:.0f} B per citizen |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for world, pair in runs["worlds"].items():
        q = pair["ratios"]
        worst = max(r["bytes_per_citizen"] for r in pair["runs"])
        lines.append(
            f"| {WORLD_NAMES[world]} | {q['step']:.1f}x ({q['step_cpu']:.1f}x) | "
            f"{q['construction']:.1f}x ({q['construction_cpu']:.1f}x) | "
            f"{q['peak_memory']:.1f}x | {_verdict(q['step'] <= MAX_RATIO)} "
            f"({_verdict(q['step_cpu'] <= MAX_RATIO)}) | "
            f"{_verdict(q['construction'] <= MAX_RATIO)} "
            f"({_verdict(q['construction_cpu'] <= MAX_RATIO)}) | "
            f"{_verdict(worst <= MAX_BYTES_PER_CITIZEN)} |"
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def insert_section(document: str, section: str) -> str:
    """``document`` with its ``tenmillion`` section replaced by ``section`` (or appended)."""
    if START in document and END in document:
        head, rest = document.split(START, 1)
        tail = rest.split(END, 1)[1]
        return head + section.rstrip("\n") + tail
    return document.rstrip("\n") + "\n\n" + section


def main(argv: list[str] | None = None) -> None:
    """Measure both sizes of each world, print the section and (by default) write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="timed steps per process")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--worlds", nargs="+", choices=sorted(WORLDS), default=list(WORLDS))
    parser.add_argument("--sizes", nargs=2, type=int, default=list(SIZES), metavar="N")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--rewrite", action="store_true", help="write the section again from tenmillion.json"
    )
    args = parser.parse_args(argv)
    results = HERE / "RESULTS.md"
    if args.rewrite:
        runs = json.loads((HERE / "tenmillion.json").read_text(encoding="utf-8"))
        section = markdown(runs)
        write_atomic(results, insert_section(results.read_text(encoding="utf-8"), section))
        print(section)
        return
    runs: dict[str, Any] = {
        "machine": describe(ROOT),
        "seed": args.seed,
        "steps": args.steps,
        "sizes": args.sizes,
        "worlds": {},
    }
    for world in args.worlds:
        pair = []
        for citizens in args.sizes:
            log(f"{world}: {citizens:,} citizens (load {load():.1f})")
            pair.append(measure(world, citizens, args.steps, args.seed))
            log(
                f"  construction {pair[-1]['construct_s']:.1f} s, "
                f"step {pair[-1]['step_median_s']:.2f} s, "
                f"peak {pair[-1]['peak_rss_mb'] / 1024:.2f} GB"
            )
        runs["worlds"][world] = {"runs": pair, "ratios": ratios(*pair)}
    section = markdown(runs)
    print(section)
    if args.no_write:
        return
    write_atomic(HERE / "tenmillion.json", json.dumps(runs, indent=1) + "\n")
    write_atomic(results, insert_section(results.read_text(encoding="utf-8"), section))


if __name__ == "__main__":
    main()
