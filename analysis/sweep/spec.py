"""Sweep files: a parameter study described as data (TOML), checked before anything runs.

A sweep file names a base scenario, fixed overrides, the parameters to vary (dotted scenario
keys, each with a list of values or a ``{min, max}`` range), the design (``grid``: every
combination of the values; ``lhs``: a Latin hypercube of ``samples`` points), ``replicates``,
``steps``, ``seed`` and the ``measures`` to summarise::

    name = "ict_and_safeguards"
    scenario = "substitutive_automation"
    design = "grid"
    replicates = 4
    steps = 60
    seed = 7
    measures = ["effectiveness", "lawfulness", "equality"]

    [set]
    "population.citizens" = 600

    [parameters]
    "governance.human_review" = [0.0, 0.5, 1.0]
    "governance.budget" = { min = 0.6, max = 1.4 }

Unknown keys, misspelt parameters and values the scenario schema rejects are errors whose
one-line message names the key, before any run starts.
"""

from __future__ import annotations

import itertools
import math
import tomllib
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coprod.analysis.output import safe_name
from coprod.model.errors import InputError, ScenarioError
from coprod.model.measure_registry import MEASURES, SWEEP_DEFAULTS
from coprod.model.scenario import Scenario

#: Measures summarised when a sweep file does not say.
DEFAULT_MEASURES = SWEEP_DEFAULTS


class SweepError(InputError):
    """A sweep file or sweep argument is invalid; the message names the key and the rule."""


class SweepSpec(BaseModel):
    """The contents of a sweep file, validated (unknown keys are rejected)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: str = "sweep"
    description: str = ""
    scenario: str = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(min_length=1)
    design: Literal["grid", "lhs"] = "grid"
    samples: int | None = Field(None, ge=1, le=1_000_000)
    replicates: int = Field(3, ge=1, le=100_000)
    steps: int | None = Field(None, ge=1, le=100_000)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    measures: list[str] = Field(default_factory=lambda: list(DEFAULT_MEASURES), min_length=1)


@dataclass(frozen=True)
class Parameter:
    """One varied scenario key: a list of ``values`` or a numeric range ``[low, high]``."""

    key: str
    kind: str  # "float", "int", "bool" or "str": the type the scenario schema expects
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None

    @property
    def is_range(self) -> bool:
        """Whether the parameter is a ``{min, max}`` range rather than a list of values."""
        return self.values is None

    def bounds(self) -> tuple[float, float]:
        """Bounds in the sampling space: the range, ``[low, high + 1)`` or ``[0, len(values))``.

        Whole-number ranges and value lists map a sample ``x`` by flooring it, so every whole
        number or value is equally likely.
        """
        if self.values is not None:
            return 0.0, float(len(self.values))
        if self.kind == "int":
            return float(self.low), float(self.high) + 1.0
        return float(self.low), float(self.high)

    def value_at(self, x: float) -> Any:
        """The parameter value at ``x``, a point of :meth:`bounds`."""
        if self.values is not None:
            return self.values[min(int(math.floor(x)), len(self.values) - 1)]
        if self.kind == "int":
            return min(int(math.floor(x)), int(self.high))
        return float(x)

    def value_at_unit(self, u: float) -> Any:
        """The parameter value at ``u`` in ``[0, 1)``, mapped linearly onto :meth:`bounds`."""
        low, high = self.bounds()
        return self.value_at(low + u * (high - low))


# ---------------------------------------------------------------------- reading and checking
def read_toml(path: Path, error: type[InputError], what: str) -> dict[str, Any]:
    """Read a TOML file of kind ``what`` (``sweep``, ``calibration``), raising ``error``.

    Each failure (missing, unreadable, not UTF-8, not TOML) is one line naming the file.
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what} file not found: {path}") from None
    except OSError as exc:
        raise error(f"cannot read {what} file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise error(f"{path}: not valid TOML: values nested too deeply") from None


def load_sweep(path: str | Path) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep file; returns the spec and the folder relative paths use."""
    path = Path(path)
    data = read_toml(path, SweepError, "sweep")
    data.setdefault("name", path.stem)
    return sweep_from_dict(data, source=str(path)), path.parent


def sweep_from_dict(data: dict[str, Any], source: str = "sweep") -> SweepSpec:
    """Validate a sweep given as a dict (as read from TOML)."""
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        allowed = list(SweepSpec.model_fields)
        raise SweepError(f"{source}: {explain(exc, lambda loc: allowed)}") from None
    unknown = [m for m in spec.measures if m not in MEASURES]
    if unknown:
        raise SweepError(
            f"{source}: measures: {unknown[0]!r} is not a measure; known: {', '.join(MEASURES)}"
        )
    if spec.design == "lhs" and spec.samples is None:
        raise SweepError(f"{source}: samples: design = 'lhs' needs samples = <number of points>")
    try:  # the name becomes part of the default output folder, runs/sweep-<name>
        safe_name(spec.name, f"{source}: name")
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None
    return spec


def explain(exc: ValidationError, allowed_at: Callable[[tuple[Any, ...]], list[str]]) -> str:
    """A file's validation errors in one line.

    ``allowed_at(loc)`` names the keys allowed where an unknown key was found.
    """
    problems = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            allowed = ", ".join(allowed_at(err["loc"][:-1]))
            problems.append(f"unknown key {key!r} (allowed: {allowed})")
        elif err["type"] == "missing":
            problems.append(f"{key}: this key is required")
        else:
            problems.append(f"{key} = {err.get('input')!r} is not allowed: {err['msg'].lower()}")
    return "; ".join(problems)


def base_scenario(spec: SweepSpec, folder: Path | None = None, source: str = "sweep") -> Scenario:
    """The sweep's base scenario with its fixed ``set`` overrides applied.

    A scenario given as a path (ending in ``.toml`` or with a folder) is read relative to
    ``folder``, the sweep file's folder, unless it is absolute.
    """
    name = spec.scenario
    if folder is not None and (name.endswith(".toml") or "/" in name):
        candidate = Path(name)
        name = str(candidate if candidate.is_absolute() else folder / candidate)
    try:
        scenario = Scenario.load(name)
    except ScenarioError as exc:
        raise SweepError(f"{source}: scenario: {exc}") from None
    if spec.set:
        scenario = _with(scenario, spec.set, f"{source}: set")
    return scenario


def parameters_of(
    given_parameters: dict[str, Any], base: Scenario, source: str = "sweep"
) -> list[Parameter]:
    """Check parameters against the scenario schema and ``base``, and type their values.

    Args:
        given_parameters: Dotted key to a list of values or a ``{"min": ..., "max": ...}`` range.
        base: The scenario the values must be valid in.
        source: Name used in error messages.
    """
    result = []
    for key, given in given_parameters.items():
        where = f"{source}: parameters: {key}"
        kind = schema_kind(key, f"{source}: parameters")
        if isinstance(given, list):
            if not given:
                raise SweepError(f"{where}: give at least one value")
            values = tuple(_coerce(v, kind, where) for v in given)
            for value in values:
                _with(base, {key: value}, f"{source}: parameters")
            result.append(Parameter(key, kind, values=values))
        elif isinstance(given, dict):
            result.append(_range(key, kind, given, base, where, source))
        else:
            raise SweepError(
                f"{where} = {given!r} is not allowed: give a list of values or "
                "a range { min = ..., max = ... }"
            )
    return result


def _range(
    key: str, kind: str, given: dict[str, Any], base: Scenario, where: str, source: str
) -> Parameter:
    extra = sorted(set(given) - {"min", "max"})
    if extra:
        raise SweepError(f"{where}: unknown key {extra[0]!r} in a range (allowed: min, max)")
    if "min" not in given or "max" not in given:
        raise SweepError(f"{where}: a range needs both min and max")
    if kind not in ("float", "int"):
        raise SweepError(f"{where}: a {kind} key cannot take a range; give a list of values")
    low, high = (_coerce(given[b], kind, f"{where}.{b}") for b in ("min", "max"))
    if not low < high:
        raise SweepError(f"{where}: min = {low!r} must be less than max = {high!r}")
    for value in (low, high):
        _with(base, {key: value}, f"{source}: parameters")
    return Parameter(key, kind, low=low, high=high)


def schema_kind(key: str, where: str = "parameters") -> str:
    """The type (``float``, ``int``, ``bool``, ``str``) the scenario schema has at ``key``."""
    model: Any = Scenario
    parts = key.split(".")
    for i, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            here = ".".join(parts[:i]) or "the top level"
            allowed = ", ".join(sorted(fields)) if fields else "none"
            raise SweepError(
                f"{where}: unknown key {key!r}: no {part!r} in {here} (allowed there: {allowed})"
            )
        model = fields[part].annotation
    if typing.get_origin(model) is Literal:
        return "str"
    if model in (bool, int, float, str):
        return model.__name__
    raise SweepError(f"{where}: {key!r} is not a single value and cannot be swept")


def _coerce(value: Any, kind: str, where: str) -> Any:
    if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    ok = {"float": float, "int": int, "bool": bool, "str": str}[kind]
    if not isinstance(value, ok) or (kind == "int" and isinstance(value, bool)):
        raise SweepError(f"{where} = {value!r} is not allowed: must be a {kind}")
    return value


def _with(scenario: Scenario, overrides: dict[str, Any], where: str) -> Scenario:
    try:
        return scenario.with_overrides(overrides)
    except ScenarioError as exc:
        raise SweepError(f"{where}: {str(exc).removeprefix('override: ')}") from None


# ---------------------------------------------------------------------- designs
def grid_points(parameters: list[Parameter], source: str = "sweep") -> list[dict[str, Any]]:
    """Every combination of the parameters' values, the first parameter varying slowest."""
    ranged = [p.key for p in parameters if p.is_range]
    if ranged:
        raise SweepError(
            f"{source}: parameters: {ranged[0]} is a range; design = 'grid' needs a list of "
            "values (ranges are for design = 'lhs')"
        )
    keys = [p.key for p in parameters]
    combos = itertools.product(*(p.values for p in parameters))
    return [dict(zip(keys, combo, strict=True)) for combo in combos]


def lhs_points(parameters: list[Parameter], samples: int, seed: int) -> list[dict[str, Any]]:
    """A Latin hypercube of ``samples`` points, drawn from ``seed``.

    Each parameter's range is cut into ``samples`` equal strata with one point in each, and the
    strata of different parameters are paired at random.
    """
    unit = lhs_unit(len(parameters), samples, seed)
    return [
        {p.key: p.value_at_unit(float(u)) for p, u in zip(parameters, row, strict=True)}
        for row in unit
    ]


def lhs_unit(dimensions: int, samples: int, seed: int) -> np.ndarray:
    """The Latin hypercube of :func:`lhs_points` in the unit cube: ``samples`` x ``dimensions``.

    The whole design is drawn at once (8 bytes a cell: 48 MB for a million points of six
    parameters), since every column is a permutation of all strata; a streamed sweep keeps
    this array and maps one row at a time to parameter values.
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x1A5]))
    unit = np.empty((samples, dimensions))
    for j in range(dimensions):
        unit[:, j] = (rng.permutation(samples) + rng.random(samples)) / samples
    return unit


def design_size(spec: SweepSpec, parameters: list[Parameter], source: str = "sweep") -> int:
    """Number of points of the spec's design, counted without listing them."""
    if spec.design == "lhs":
        return int(spec.samples)
    ranged = [p.key for p in parameters if p.is_range]
    if ranged:
        grid_points(parameters, source)  # raises the message for a range in a grid
    return math.prod(len(p.values) for p in parameters)


def design_points(spec: SweepSpec, parameters: list[Parameter], source: str = "sweep"):
    """The points of the spec's design, in a fixed order (``grid`` or ``lhs``)."""
    if spec.design == "grid":
        return grid_points(parameters, source)
    return lhs_points(parameters, spec.samples, spec.seed)
