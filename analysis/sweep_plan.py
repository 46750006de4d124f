"""Sweep plans: a checked design of parameter points x replicates, each run with a fixed id.

Every run has an id fixed by the design: its point and replicate number and a hash of the
fully resolved scenario, steps and seed, so a sweep resumed later finds its finished runs by id.
Replicate ``r`` runs with the same seed at every point (common random numbers), so differences
between points are not blurred by different random draws. Planning runs and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coprod.analysis.seeds import replicate_seeds
from coprod.analysis.sweep_spec import (
    Parameter,
    SweepError,
    SweepSpec,
    base_scenario,
    design_points,
    load_sweep,
    parameters_of,
)
from coprod.model.scenario import Scenario

#: Columns that identify a run in a sweep's results, before the parameter columns.
RUN_COLUMNS = ["run", "point", "replicate", "seed"]


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: its id, design point, replicate, seed and parameter values."""

    run_id: str
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]
    scenario: dict[str, Any]


@dataclass(frozen=True)
class SweepPlan:
    """A checked sweep: the base scenario, the design points and every run, before running."""

    spec: SweepSpec
    kind: str
    base: Scenario
    parameters: list[Parameter]
    points: list[dict[str, Any]]
    steps: int
    seeds: list[int]
    runs: list[SweepRun]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The varied parameters' dotted keys, in the order of the sweep file."""
        return [p.key for p in self.parameters]

    @property
    def fingerprint(self) -> str:
        """A hash of every run id: two plans with the same fingerprint run the same runs."""
        return digest([r.run_id for r in self.runs])


def plan_sweep(
    spec: SweepSpec | str | Path,
    folder: Path | None = None,
    source: str = "sweep",
    points: list[dict[str, Any]] | None = None,
    kind: str = "sweep",
    extra: dict[str, Any] | None = None,
) -> SweepPlan:
    """Check a sweep and list its runs; nothing runs and nothing is written.

    Args:
        spec: A :class:`SweepSpec`, or the path of a sweep file.
        folder: Folder against which a relative base-scenario path is read.
        source: Name used in error messages (the sweep file's path).
        points: Design points to use instead of the spec's design (sensitivity designs).
        kind: What the plan is for, recorded in the manifest (``sweep``, ``sensitivity``).
        extra: More manifest fields.

    Raises:
        SweepError: An unknown key, a misspelt parameter or a value the scenario rejects.
    """
    if not isinstance(spec, SweepSpec):
        source = str(spec)
        spec, folder = load_sweep(spec)
    base = base_scenario(spec, folder, source)
    parameters = parameters_of(spec.parameters, base, source)
    if points is None:
        points = design_points(spec, parameters, source)
    steps = spec.steps if spec.steps is not None else base.steps
    seeds = replicate_seeds(spec.seed, spec.replicates)
    runs = []
    for i, values in enumerate(points):
        try:
            data = base.with_overrides(values).to_dict()
        except SweepError:
            raise
        except Exception as exc:  # a combination the scenario rejects (e.g. too few citizens)
            raise SweepError(f"{source}: point {i} {values}: {exc}") from None
        for r, seed in enumerate(seeds):
            run_hash = digest({"scenario": data, "steps": steps, "seed": seed})[:10]
            run_id = f"{i:05d}-{r:03d}-{run_hash}"
            runs.append(SweepRun(run_id, i, r, seed, dict(values), data))
    return SweepPlan(spec, kind, base, parameters, list(points), steps, seeds, runs, extra or {})


def digest(data: Any) -> str:
    """SHA-256 of ``data`` as canonical JSON (sorted keys), in hex: a run id's content hash."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
