"""Many workshop sessions at once: step latency, server memory, models freed.

python benchmarks/dashboard_load.py                  # 20 sessions, 10 steps each, 2 rounds
python benchmarks/dashboard_load.py --sessions 40 --steps 20 --think 1

Starts the dashboard on a free loopback port and opens ``--sessions`` sessions at once over its
websocket, as that many browser tabs would (``tests/dashboard_sessions.py``: the server does all
its usual work, only the browsers' drawing is left out). Each session then clicks Step
``--steps`` times (plus 0-2), waiting ``--think`` seconds between clicks; a sample is the time
from the click until the month label and the participation chart show the next month. After
each round, half the sessions close their tab and half lose their connection; the server's
``CoProductionModel`` objects are counted (after a garbage collection) and its resident memory
read before, during and after.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import dashboard_sessions as sessions  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print one block of numbers per round."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--think", type=float, default=0.3, help="seconds between clicks")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)

    mib = 2**20
    # dropped connections are kept 3 s here instead of 30 minutes, so a round ends quickly
    with sessions.instrumented_server({"SOLARA_KERNEL_CULL_TIMEOUT": "3s"}) as url:
        base = sessions.models(url)
        print(f"server up: {base['models']} models, {base['rss'] / mib:.0f} MiB resident")
        for n in range(1, args.rounds + 1):
            started = time.perf_counter()
            played = sessions.load_round(url, args.sessions, args.steps, args.think)
            during = sessions.models(url)
            ms = [1000 * x for x in played.latencies]
            print(
                f"round {n}: {args.sessions} sessions open in {played.open_seconds:.1f} s; "
                f"{len(ms)} steps: median {statistics.median(ms):.0f} ms, "
                f"p95 {percentile(ms, 0.95):.0f} ms, max {max(ms):.0f} ms; "
                f"{during['models']} models, {during['rss'] / mib:.0f} MiB"
            )
            sessions.end_sessions(played.sessions)
            closed = time.perf_counter()
            freed = sessions.wait_for(
                lambda: sessions.models(url)["models"] == 0 and sessions.kernels(url)["total"] == 0
            )
            after = sessions.models(url)
            print(
                f"  ended: {'all models freed' if freed else 'MODELS LEFT'} "
                f"{time.perf_counter() - closed:.1f} s after the sessions ended "
                f"({after['models']} models, {after['rss'] / mib:.0f} MiB); "
                f"round took {time.perf_counter() - started:.1f} s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
