"""Work-size guards: how many runs and agent-steps a job asks for, checked before it starts.

Every command that runs many simulations (sweep, sensitivity, compare, validate, and the
ensemble API) counts its runs and agent-steps (runs x citizens x months) from the numbers it
was given, before it draws a seed, builds a design or starts a cluster, and applies one rule
(docs/scale.md):

- **refused whatever**: an array the job must hold in this process (a sensitivity sample
  matrix, a Latin-hypercube design, the table of every run an in-memory call returns) that is
  larger than :data:`MEMORY_SHARE` of this machine's memory (or of the process's address-space
  limit, when one is set). No flag helps; the message says how far to go down.
- **refused unless** ``--yes`` (``yes=True``): more than :data:`MAX_RUNS` runs, or an estimated
  wall time over :data:`MAX_SECONDS` on the cores at hand. The time comes from a timed probe
  run of the job's own scenario (a few months), made only when the job has more than
  :data:`PROBE_FROM` agent-steps: below that no job of this model takes a day.

The refusal is one line (an :class:`~coprod.model.errors.InputError`, exit status 2) giving the
number of runs, the agent-steps, the estimate and how to proceed.
"""

from __future__ import annotations

import math
import os
import resource
import time
from typing import Any

from coprod.model.errors import InputError

#: Runs above which a job needs ``--yes``: ten million.
MAX_RUNS = 10_000_000

#: Estimated wall time above which a job needs ``--yes``: one day.
MAX_SECONDS = 24 * 3600

#: Agent-steps above which the time is estimated from a probe run (about a core-hour or less).
PROBE_FROM = 1_000_000_000

#: Months the probe run simulates (fewer if the job's runs are shorter).
PROBE_STEPS = 6

#: Share of memory one in-memory array may take.
MEMORY_SHARE = 0.5

#: Bytes per cell of a results table (float64), for the size of in-memory results.
CELL_BYTES = 8


class WorkSizeError(InputError):
    """A job is larger than the machine can hold or than coprod runs without ``--yes``."""


def memory_budget() -> int:
    """Bytes one array may take: :data:`MEMORY_SHARE` of physical memory or of the RLIMIT_AS."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        total = 8 * 2**30
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    if limit not in (resource.RLIM_INFINITY, -1) and limit > 0:
        total = min(total, limit)
    return int(total * MEMORY_SHARE)


def workers_of(client: Any) -> int | None:
    """Workers a job would use: the cores here, 1 for serial, a Client's workers; None if unknown.

    A scheduler address is not contacted before the check, so its workers are unknown.
    """
    from coprod.analysis.runs.parallel import available_cores

    if client == "serial":
        return 1
    if client is None or client == "local":
        return available_cores()
    if isinstance(client, str):
        return None
    try:
        return max(1, len(client.scheduler_info().get("workers", {})))
    except Exception:  # noqa: BLE001 - a closed or odd client: treat as unknown
        return None


def check_work(
    what: str,
    runs: int,
    citizens: int,
    steps: int,
    *,
    yes: bool = False,
    how: str = "fewer runs",
    arrays: dict[str, int] | None = None,
    probe: dict[str, Any] | None = None,
    client: Any = None,
) -> None:
    """Refuse a job beyond the rule of this module; return quietly otherwise.

    Args:
        what: The job, as the message starts (``"sweep ict: "``, ``"compare: "``).
        runs: Number of runs.
        citizens: Citizens per run (the largest, if they differ).
        steps: Months per run.
        yes: The user accepted a large job (``--yes``): only arrays that cannot fit refuse it.
        how: How to make the job smaller, in words (``"fewer replicates"``).
        arrays: Name to bytes of each array the job must hold in this process.
        probe: A scenario as plain data to time a probe run of (skipped with ``yes``).
        client: Where the job runs, for the number of workers in the time estimate.

    Raises:
        WorkSizeError: One line: runs, agent-steps, the estimate and how to proceed.
    """
    agent_steps = runs * citizens * steps
    size = f"{what}{runs:,} runs ({_sci(agent_steps)} agent-steps: runs x citizens x months)"
    budget = memory_budget()
    for name, nbytes in (arrays or {}).items():
        if nbytes > budget:
            raise WorkSizeError(
                f"{size} need {_bytes(nbytes)} for {name}, more than {_bytes(budget)} "
                f"({MEMORY_SHARE:.0%} of this machine's memory); use {how}"
            )
    if yes:
        return
    estimate, seconds = _estimate(agent_steps, steps, probe, client)
    if runs > MAX_RUNS:
        raise WorkSizeError(
            f"{size} is more than {MAX_RUNS:,} runs{estimate}; use {how}, or --yes "
            "(yes=True) to run it anyway"
        )
    if seconds is not None and seconds > MAX_SECONDS:
        raise WorkSizeError(
            f"{size}{estimate}, more than a day; use {how}, more workers (--scheduler), "
            "or --yes (yes=True) to run it anyway"
        )


def results_bytes(runs: int, steps: int, columns: int) -> int:
    """Bytes of a table of ``runs`` runs of ``steps`` months (plus month 0) and ``columns``."""
    return runs * (steps + 1) * columns * CELL_BYTES


def _estimate(
    agent_steps: int, steps: int, probe: dict[str, Any] | None, client: Any
) -> tuple[str, float | None]:
    """The time estimate as text (``", about 3.2 days on 2 cores..."``) and in seconds."""
    if probe is None or agent_steps <= PROBE_FROM:
        return "", None
    per_agent_step = probe_seconds(probe, steps)
    cpu = agent_steps * per_agent_step
    workers = workers_of(client)
    if workers is None:
        return f", about {_duration(cpu)} of one core (timed probe run)", None
    wall = cpu / workers
    cores = f"{workers} core{'s' if workers != 1 else ''}"
    return f", about {_duration(wall)} on {cores} (timed probe run)", wall


def probe_seconds(scenario: dict[str, Any], steps: int) -> float:
    """Seconds per agent-step of ``scenario``, from one timed run of a few months.

    The run includes building the model, so the estimate leans high for long runs.
    """
    from coprod.model.run import run_scenario
    from coprod.model.scenario import Scenario

    months = max(1, min(steps, PROBE_STEPS))
    built = Scenario.from_dict(scenario, source="probe")
    start = time.perf_counter()
    run_scenario(built, steps=months, seed=0)
    elapsed = time.perf_counter() - start
    return elapsed / (built.population.citizens * months)


def _sci(n: int) -> str:
    return f"{n:,}" if n < 10**7 else f"{n:.1e}"


def _bytes(n: int) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _duration(seconds: float) -> str:
    for unit, size in (("years", 365 * 86400), ("days", 86400), ("hours", 3600)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.1e} {unit}" if value >= 1e4 else f"{value:.1f} {unit}"
    return f"{math.ceil(seconds / 60)} minutes"
