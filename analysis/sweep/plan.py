"""Sweep plans: a checked design of parameter points x replicates, each run with a fixed id.

Every run has an id fixed by the design: its point and replicate number and a hash of the
fully resolved scenario, steps and seed, so a sweep resumed later finds its finished runs by id.
Replicate ``r`` runs with the same seed at every point (common random numbers), so differences
between points are not blurred by different random draws. Planning runs and writes nothing.

Plans of up to :data:`EAGER_RUNS` runs list their points and runs, every point checked against
the scenario schema before anything runs. Larger plans are streamed: their points and runs are
sequences computed on demand (a grid point from its index, a Latin-hypercube point from its row
of the design), so planning takes the same time and memory for a million runs as for ten, and
the runs, ids and seeds are exactly those the listed plan would have. A large plan's fingerprint
hashes what determines its runs (base scenario, design, steps, seeds) instead of every run id.
The number of runs is checked against :mod:`coprod.analysis.runs.work_size` first.
"""

from __future__ import annotations

import hashlib
import json
import math
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coprod.analysis.runs.seeds import replicate_seeds
from coprod.analysis.runs.work_size import check_work
from coprod.analysis.sweep.spec import (
    Parameter,
    SweepError,
    SweepSpec,
    base_scenario,
    design_points,
    design_size,
    lhs_unit,
    load_sweep,
    parameters_of,
)
from coprod.model.scenario import Scenario

#: Plans of up to this many runs list their runs (and check every point) before running;
#: larger ones are streamed.
EAGER_RUNS = 20_000

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
    points: Sequence[dict[str, Any]]
    steps: int
    seeds: list[int]
    runs: Sequence[SweepRun]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The varied parameters' dotted keys, in the order of the sweep file."""
        return [p.key for p in self.parameters]

    @property
    def fingerprint(self) -> str:
        """A hash of every run id: two plans with the same fingerprint run the same runs.

        A streamed plan hashes what fixes its run ids instead (base scenario, points, steps,
        seeds), so no run is listed to compute it.
        """
        if isinstance(self.runs, LazyRuns):
            return digest(
                {
                    "kind": self.kind,
                    "base": self.base.to_dict(),
                    "points": self.points.fingerprint(),
                    "steps": self.steps,
                    "seeds": self.seeds,
                }
            )
        return digest([r.run_id for r in self.runs])


def plan_sweep(
    spec: SweepSpec | str | Path,
    folder: Path | None = None,
    source: str = "sweep",
    points: list[dict[str, Any]] | None = None,
    kind: str = "sweep",
    extra: dict[str, Any] | None = None,
    yes: bool = False,
    client: Any = None,
    arrays: dict[str, int] | None = None,
) -> SweepPlan:
    """Check a sweep and list its runs; nothing runs and nothing is written.

    Args:
        spec: A :class:`SweepSpec`, or the path of a sweep file.
        folder: Folder against which a relative base-scenario path is read.
        source: Name used in error messages (the sweep file's path).
        points: Design points to use instead of the spec's design (sensitivity designs).
        kind: What the plan is for, recorded in the manifest (``sweep``, ``sensitivity``).
        extra: More manifest fields.
        yes: Accept a job over the run or time limits of :mod:`coprod.analysis.runs.work_size`.
        client: Where the plan will run, for the time estimate of the work-size check.
        arrays: Arrays the caller holds for this plan (name to bytes), for the same check.

    Raises:
        SweepError: An unknown key, a misspelt parameter or a value the scenario rejects.
        WorkSizeError: A plan beyond the rule of :mod:`coprod.analysis.runs.work_size`.
    """
    if not isinstance(spec, SweepSpec):
        source = str(spec)
        spec, folder = load_sweep(spec)
    base = base_scenario(spec, folder, source)
    parameters = parameters_of(spec.parameters, base, source)
    steps = spec.steps if spec.steps is not None else base.steps
    n_points = len(points) if points is not None else design_size(spec, parameters, source)
    arrays = dict(arrays or {})
    if points is None and spec.design == "lhs":
        arrays["the Latin-hypercube design"] = n_points * len(parameters) * 8
    check_work(
        f"{source}: ",
        n_points * spec.replicates,
        most_citizens(base, parameters),
        steps,
        yes=yes,
        how="fewer points, samples or replicates",
        arrays=arrays,
        probe=base.to_dict(),
        client=client,
    )
    seeds = replicate_seeds(spec.seed, spec.replicates)
    if n_points * spec.replicates > EAGER_RUNS:
        if points is None:
            points = lazy_points(spec, parameters)
        runs = LazyRuns(base, points, steps, seeds, source)
        return SweepPlan(spec, kind, base, parameters, points, steps, seeds, runs, extra or {})
    if points is None:
        points = design_points(spec, parameters, source)
    runs = listed_runs(base, points, steps, seeds, source)
    return SweepPlan(spec, kind, base, parameters, list(points), steps, seeds, runs, extra or {})


def listed_runs(
    base: Scenario, points: list[dict[str, Any]], steps: int, seeds: list[int], source: str
) -> list[SweepRun]:
    """Every run of a small plan, point by point and replicate by replicate."""
    runs = []
    for i, values in enumerate(points):
        data = point_scenario(base, values, i, source)
        for r, seed in enumerate(seeds):
            runs.append(
                SweepRun(run_id_of(i, r, data, steps, seed), i, r, seed, dict(values), data)
            )
    return runs


def most_citizens(base: Scenario, parameters: list[Parameter]) -> int:
    """Citizens of the largest run: the base's, or the most a swept citizens key can take."""
    for p in parameters:
        if p.key == "population.citizens":
            return int(max(p.values) if p.values is not None else p.high)
    return base.population.citizens


def point_scenario(base: Scenario, values: dict[str, Any], i: int, source: str) -> dict:
    """Point ``i``'s scenario as plain data; a combination the scenario rejects is an error."""
    try:
        return base.with_overrides(values).to_dict()
    except SweepError:
        raise
    except Exception as exc:  # a combination the scenario rejects (e.g. too few citizens)
        raise SweepError(f"{source}: point {i} {values}: {exc}") from None


def run_id_of(point: int, replicate: int, data: dict[str, Any], steps: int, seed: int) -> str:
    """A run's id: point, replicate and a hash of the resolved scenario, steps and seed."""
    run_hash = digest({"scenario": data, "steps": steps, "seed": seed})[:10]
    return f"{point:05d}-{replicate:03d}-{run_hash}"


class LazyPoints(Sequence):
    """Design points computed from their index, never all held at once."""

    def __init__(self, parameters: list[Parameter], count: int) -> None:
        """A design of ``count`` points over ``parameters``."""
        self.parameters = parameters
        self.count = count

    def __len__(self) -> int:
        """Number of points."""
        return self.count

    def __getitem__(self, i):  # noqa: D105
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.count))]
        if i < 0:
            i += self.count
        if not 0 <= i < self.count:
            raise IndexError(i)
        return self.at(i)

    def __eq__(self, other: object) -> bool:
        """Equal to another sequence holding the same points in the same order."""
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    @abstractmethod
    def at(self, i: int) -> dict[str, Any]:
        """Point ``i``."""

    @abstractmethod
    def fingerprint(self) -> Any:
        """Plain data that fixes every point."""

    @abstractmethod
    def columns(self) -> dict[str, Any]:
        """Each parameter's value at every point, as arrays (the design table's columns)."""


class GridPoints(LazyPoints):
    """Every combination of the parameters' values, the first parameter varying slowest."""

    def __init__(self, parameters: list[Parameter]) -> None:
        """The full grid over ``parameters`` (each a list of values)."""
        super().__init__(parameters, math.prod(len(p.values) for p in parameters))

    def at(self, i: int) -> dict[str, Any]:
        """Point ``i``: its index written in the mixed radix of the value counts."""
        values = {}
        for p in reversed(self.parameters):
            i, k = divmod(i, len(p.values))
            values[p.key] = p.values[k]
        return {p.key: values[p.key] for p in self.parameters}

    def fingerprint(self) -> Any:
        """The parameters' values in order."""
        return {"grid": [[p.key, list(p.values)] for p in self.parameters]}

    def columns(self) -> dict[str, Any]:
        """Each parameter's value at every point, the same as :meth:`at` gives."""
        shape = [len(p.values) for p in self.parameters]
        index = np.unravel_index(np.arange(self.count), shape)
        return {p.key: _pick(p.values, k) for p, k in zip(self.parameters, index, strict=True)}


class ArrayPoints(LazyPoints):
    """Points given as rows of an array, mapped to values by ``Parameter.value_at[_unit]``."""

    def __init__(self, parameters: list[Parameter], array: Any, unit: bool) -> None:
        """Rows of ``array`` in the unit cube (``unit``) or in the parameters' bounds."""
        super().__init__(parameters, len(array))
        self.array = array
        self.unit = unit

    def at(self, i: int) -> dict[str, Any]:
        """Point ``i``: row ``i`` of the array mapped onto the parameters."""
        row = self.array[i]
        if self.unit:
            pairs = zip(self.parameters, row, strict=True)
            return {p.key: p.value_at_unit(float(u)) for p, u in pairs}
        return {p.key: p.value_at(float(x)) for p, x in zip(self.parameters, row, strict=True)}

    def columns(self) -> dict[str, Any]:
        """Each parameter's value at every point, the same as :meth:`at` gives (vectorised)."""
        result = {}
        for j, p in enumerate(self.parameters):
            x = np.asarray(self.array[:, j], dtype=float)
            if self.unit:
                low, high = p.bounds()
                x = low + x * (high - low)
            if p.values is not None:
                result[p.key] = _pick(p.values, np.minimum(np.floor(x), len(p.values) - 1))
            elif p.kind == "int":
                result[p.key] = np.minimum(np.floor(x), int(p.high)).astype(np.int64)
            else:
                result[p.key] = x
        return result

    def fingerprint(self) -> Any:
        """The parameters and a hash of the array's bytes."""
        return {
            "keys": [[p.key, p.kind, p.values, p.low, p.high] for p in self.parameters],
            "unit": self.unit,
            "array": hashlib.sha256(self.array.tobytes()).hexdigest(),
        }


def _pick(values: tuple[Any, ...], index: Any) -> np.ndarray:
    """``values[i]`` for every ``i`` of ``index``, as an array of the values' own type."""
    return np.asarray(values)[np.asarray(index, dtype=np.int64)]


def lazy_points(spec: SweepSpec, parameters: list[Parameter]) -> LazyPoints:
    """The spec's design (grid or Latin hypercube) as points computed on demand."""
    if spec.design == "grid":
        return GridPoints(parameters)
    return ArrayPoints(parameters, lhs_unit(len(parameters), spec.samples, spec.seed), unit=True)


class LazyRuns(Sequence):
    """The runs of a streamed plan, point by point and replicate by replicate, on demand.

    A point's scenario is checked when its runs are first reached, so a combination the
    scenario rejects stops the sweep there, with the same message as a listed plan gives.
    """

    def __init__(
        self, base: Scenario, points: Sequence, steps: int, seeds: list[int], source: str
    ) -> None:
        """Runs of every point of ``points`` with each of ``seeds``."""
        self.base, self.points, self.steps = base, points, steps
        self.seeds, self.source = seeds, source

    def __len__(self) -> int:
        """Number of runs: points x replicates."""
        return len(self.points) * len(self.seeds)

    def __getitem__(self, k):  # noqa: D105
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        i, r = divmod(k, len(self.seeds))
        return self._runs_of(i, self.points[i], replicates=[r])[0]

    def __iter__(self) -> Iterator[SweepRun]:
        """Every run in plan order, each point's scenario resolved once."""
        for i, values in enumerate(self.points):
            yield from self._runs_of(i, values, range(len(self.seeds)))

    def __contains__(self, run: object) -> bool:
        """Whether a run, or a run id, belongs to this plan (checked from the id alone)."""
        run_id = run.run_id if isinstance(run, SweepRun) else run
        if not isinstance(run_id, str):
            return False
        parts = run_id.split("-")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return False
        i, r = int(parts[0]), int(parts[1])
        if i >= len(self.points) or r >= len(self.seeds):
            return False
        return self[i * len(self.seeds) + r].run_id == run_id

    def _runs_of(self, i: int, values: dict[str, Any], replicates) -> list[SweepRun]:
        data = point_scenario(self.base, values, i, self.source)
        return [
            SweepRun(
                run_id_of(i, r, data, self.steps, self.seeds[r]),
                i,
                r,
                self.seeds[r],
                dict(values),
                data,
            )
            for r in replicates
        ]


def digest(data: Any) -> str:
    """SHA-256 of ``data`` as canonical JSON (sorted keys), in hex: a run id's content hash."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
