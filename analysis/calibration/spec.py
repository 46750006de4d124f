"""Calibration files: what to fit, to which observations, checked before anything runs.

A calibration file names a base scenario, fixed overrides, priors over dotted scenario keys
(:mod:`coprod.analysis.calibration.priors`), the observed statistics to match and the ABC-SMC
budget::

    name = "my_platform"
    scenario = "socialgov"              # a name or a path (relative to this file)
    steps = 60
    seed = 1
    [set]
    "population.citizens" = 2000
    [parameters]
    "behaviour.weight_cost" = { uniform = [0.5, 4.0] }
    [[targets]]                         # the mean of a measure over months, inclusive
    measure = "top10_share"
    months = [49, 60]
    value = 0.62
    sd = 0.03
    [[series]]                          # an observed monthly series: a CSV of month,value
    measure = "adoption"
    file = "observed_adoption.csv"
    sd = 0.02
    [abc]
    population = 200
    generations = 8

Unknown keys, unknown measures, months outside ``steps``, priors outside a key's range and
missing or malformed series files are :class:`CalibrationError` s whose one-line message names
the key, the value and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coprod.analysis.calibration.priors import CalibrationError, Prior, parse_prior
from coprod.analysis.output import safe_name
from coprod.analysis.sweep.spec import base_scenario, explain, read_toml
from coprod.model.errors import InputError, ScenarioError
from coprod.model.measure_registry import MEASURES
from coprod.model.scenario import Scenario


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class TargetSpec(_Strict):
    """One observed statistic: the mean of ``measure`` over ``months`` (inclusive)."""

    measure: str
    months: list[int] = Field(min_length=2, max_length=2)
    value: float
    sd: float = Field(gt=0.0)


class SeriesSpec(_Strict):
    """An observed monthly series of ``measure`` in a CSV file of ``month,value`` rows."""

    measure: str
    file: str = Field(min_length=1)
    sd: float = Field(gt=0.0)


class AbcSpec(_Strict):
    """The ABC-SMC budget: particles per generation and when to stop."""

    population: int = Field(200, ge=2, le=1_000_000)
    generations: int = Field(8, ge=1, le=1_000)
    min_epsilon: float | None = Field(None, ge=0.0)


class CalibrationSpec(_Strict):
    """The contents of a calibration file, validated (unknown keys are rejected)."""

    name: str = "calibration"
    description: str = ""
    scenario: str = Field(min_length=1)
    steps: int | None = Field(None, ge=1, le=100_000)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    set: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(min_length=1)
    targets: list[TargetSpec] = Field(default_factory=list)
    series: list[SeriesSpec] = Field(default_factory=list)
    abc: AbcSpec = Field(default_factory=AbcSpec)


@dataclass(frozen=True)
class Observation:
    """One observed statistic as the sampler sees it: a name, the value, its sd and months.

    ``label`` names it in the pyabc history (``target1:top10_share`` or
    ``series1:adoption:m13``); ``first`` and ``last`` are the months averaged (equal for one
    month of a series).
    """

    label: str
    measure: str
    first: int
    last: int
    value: float
    sd: float
    group: str


@dataclass(frozen=True)
class CalibrationPlan:
    """A checked calibration: the spec, its base scenario, priors and observations."""

    spec: CalibrationSpec
    base: Scenario
    steps: int
    priors: list[Prior]
    observations: list[Observation]
    series_frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The calibrated keys, in file order."""
        return [p.key for p in self.priors]

    def observed(self) -> dict[str, float]:
        """The observed statistics by label, as pyabc wants them."""
        return {o.label: o.value for o in self.observations}

    def weights(self) -> dict[str, float]:
        """Distance weight of each statistic: one over its sd, so distances are in sds."""
        return {o.label: 1.0 / o.sd for o in self.observations}

    def fingerprint(self) -> str:
        """A hash of everything that defines the posterior (not the number of generations).

        A folder's history continues only a calibration with the same fingerprint: the same
        base scenario, steps, seed, priors, observations and population size.
        """
        content = {
            "base": self.base.to_dict(),
            "steps": self.steps,
            "seed": self.spec.seed,
            "priors": [p.__dict__ for p in self.priors],
            "observations": [o.__dict__ for o in self.observations],
            "population": self.spec.abc.population,
        }
        text = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------------- reading and checking
def load_calibration(path: str | Path) -> CalibrationPlan:
    """Read and check a calibration file; series files are read relative to its folder."""
    path = Path(path)
    data = read_toml(path, CalibrationError, "calibration")
    data.setdefault("name", path.stem)
    return plan_calibration(data, folder=path.parent, source=str(path))


def plan_calibration(
    data: dict[str, Any] | CalibrationSpec, folder: Path | None = None, source: str = "calibration"
) -> CalibrationPlan:
    """Check a calibration given as a dict (as read from TOML) or a spec.

    Args:
        data: The calibration.
        folder: Folder that relative paths (scenario, series files) are read from; default the
            working folder.
        source: Name used in error messages.
    """
    folder = Path(".") if folder is None else Path(folder)
    spec = data if isinstance(data, CalibrationSpec) else _validate(data, source)
    try:
        safe_name(spec.name, f"{source}: name")
    except ScenarioError as exc:
        raise CalibrationError(str(exc)) from None
    base = _base_scenario(spec, folder, source)
    steps = spec.steps if spec.steps is not None else base.steps
    fixed = [k for k in spec.parameters if k in spec.set]
    if fixed:
        raise CalibrationError(
            f"{source}: parameters: {fixed[0]} is also fixed in [set]; calibrate it or fix it"
        )
    priors = [parse_prior(k, v, base, source) for k, v in spec.parameters.items()]
    if not spec.targets and not spec.series:
        raise CalibrationError(
            f"{source}: nothing to calibrate against: add at least one [[targets]] or [[series]]"
        )
    observations: list[Observation] = []
    for i, target in enumerate(spec.targets, start=1):
        observations.append(_target(target, i, steps, source))
    frames: dict[str, pd.DataFrame] = {}
    for i, series in enumerate(spec.series, start=1):
        where = f"{source}: series[{i}]"
        _measure(series.measure, where)
        frame = read_series(folder / series.file, steps, where)
        frames[f"series{i}"] = frame
        sds = frame["sd"].fillna(series.sd) if "sd" in frame else [series.sd] * len(frame)
        for month, value, sd in zip(frame["month"], frame["value"], sds, strict=True):
            label = f"series{i}:{series.measure}:m{month}"
            observations.append(
                Observation(label, series.measure, month, month, value, float(sd), f"series{i}")
            )
    return CalibrationPlan(spec, base, steps, priors, observations, frames)


def _validate(data: dict[str, Any], source: str) -> CalibrationSpec:
    try:
        return CalibrationSpec.model_validate(data)
    except ValidationError as exc:
        raise CalibrationError(f"{source}: {explain(exc, _allowed_at)}") from None


def _allowed_at(loc: tuple[Any, ...]) -> list[str]:
    sections = {"targets": TargetSpec, "series": SeriesSpec, "abc": AbcSpec}
    named = [p for p in loc if isinstance(p, str)]
    model = sections.get(named[0], CalibrationSpec) if named else CalibrationSpec
    return list(model.model_fields)


def _base_scenario(spec: CalibrationSpec, folder: Path, source: str) -> Scenario:
    """The base scenario with ``set`` applied, found as a sweep's is (paths from ``folder``)."""
    try:
        return base_scenario(spec, folder, source)  # reads only .scenario and .set
    except InputError as exc:
        raise CalibrationError(str(exc)) from None


def _measure(measure: str, where: str) -> None:
    if measure not in MEASURES:
        raise CalibrationError(
            f"{where}: measure = {measure!r} is not a measure; known: {', '.join(MEASURES)}"
        )


def _target(target: TargetSpec, i: int, steps: int, source: str) -> Observation:
    where = f"{source}: targets[{i}]"
    _measure(target.measure, where)
    first, last = target.months
    if not 1 <= first <= last <= steps:
        raise CalibrationError(
            f"{where}: months = {target.months!r} is not allowed: give [first, last] with "
            f"1 <= first <= last <= steps ({steps})"
        )
    if not math.isfinite(target.value):
        raise CalibrationError(f"{where}: value = {target.value!r} is not a finite number")
    return Observation(
        f"target{i}:{target.measure}",
        target.measure,
        first,
        last,
        target.value,
        target.sd,
        f"target{i}",
    )


def read_series(path: Path, steps: int, where: str) -> pd.DataFrame:
    """Read an observed series: a CSV with columns ``month`` and ``value``, one row a month.

    An optional column ``sd`` gives a month its own uncertainty (blank: the series' ``sd``):
    the chance spread of an S-curve grows from its first months to its steep middle, and a
    month known better than another can count for more.

    Raises:
        CalibrationError: The file is missing or unreadable, lacks a column, or has a month
            outside ``1..steps``, a repeated month, a value that is not a finite number or an
            ``sd`` that is not a positive number.
    """
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise CalibrationError(f"{where}: series file not found: {path}") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise CalibrationError(f"{where}: cannot read series file {path}: {reason}") from None
    missing = [c for c in ("month", "value") if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise CalibrationError(
            f"{where}: {path}: no column {missing[0]!r} (the file needs columns month,value; "
            f"found: {found})"
        )
    if frame.empty:
        raise CalibrationError(f"{where}: {path}: the series has no rows")
    months = pd.to_numeric(frame["month"], errors="coerce")
    values = pd.to_numeric(frame["value"], errors="coerce")
    for row, (m, v, raw_m, raw_v) in enumerate(
        zip(months, values, frame["month"], frame["value"], strict=True), start=2
    ):
        if not (np.isfinite(m) and float(m).is_integer() and 1 <= m <= steps):
            raise CalibrationError(
                f"{where}: {path} line {row}: month = {raw_m!r} is not allowed: must be a "
                f"whole number from 1 to steps ({steps})"
            )
        if not np.isfinite(v):
            raise CalibrationError(
                f"{where}: {path} line {row}: value = {raw_v!r} is not a finite number"
            )
    if months.duplicated().any():
        month = int(months[months.duplicated()].iloc[0])
        raise CalibrationError(f"{where}: {path}: month {month} appears more than once")
    out = pd.DataFrame({"month": months.astype(int), "value": values.astype(float)})
    if "sd" in frame.columns:
        sds = pd.to_numeric(frame["sd"], errors="coerce")
        for row, (sd, raw) in enumerate(zip(sds, frame["sd"], strict=True), start=2):
            blank = pd.isna(raw) or (isinstance(raw, str) and not raw.strip())
            if not blank and not (np.isfinite(sd) and sd > 0):
                raise CalibrationError(
                    f"{where}: {path} line {row}: sd = {raw!r} is not allowed: must be a "
                    "positive number, or blank for the series' sd"
                )
        out["sd"] = sds.astype(float)
    return out.sort_values("month", ignore_index=True)


def resolved_toml(plan: CalibrationPlan, series_files: dict[str, str]) -> str:
    """The calibration as TOML with every default filled in and the base scenario resolved.

    Args:
        plan: The checked calibration.
        series_files: Each series' file name as written beside the resolved file.
    """
    from coprod.model.scenario import dumps_toml

    data = plan.spec.model_dump(mode="python", exclude_none=True)
    data["scenario"] = "scenario.toml"  # the resolved base scenario, [set] included
    data["set"] = {}
    data["steps"] = plan.steps
    for i, entry in enumerate(data.get("series", []), start=1):
        entry["file"] = series_files[f"series{i}"]
    parameters = data.pop("parameters")
    abc = data.pop("abc")
    text = dumps_toml(data)
    lines = ["", "[abc]", *(f"{k} = {v!r}" for k, v in abc.items()), "", "[parameters]"]
    for key, prior in parameters.items():
        inner = ", ".join(f"{k} = {_list(v)}" for k, v in prior.items())
        lines.append(f'"{key}" = {{ {inner} }}')
    return text + "\n".join(lines) + "\n"


def _list(value: Any) -> str:
    return "[" + ", ".join(repr(float(v)) for v in value) + "]"
