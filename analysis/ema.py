"""coprod as an EMA Workbench model: uncertainties, levers and outcomes over scenario keys.

Exploratory modelling (Kwakkel 2017, the EMA Workbench) treats a simulation as a function from
uncertain factors and policy levers to outcomes. :func:`ema_model` wraps coprod that way: each
uncertainty or lever is a dotted scenario key (``governance.budget``) with a ``(low, high)``
range or a list of values; each outcome is a measure's horizon value (mean of the last 12
months) averaged over ``replicates`` runs whose seeds derive from ``seed``. The model function
is a picklable object, so the workbench's multiprocessing evaluator can run it too::

    from ema_workbench import SequentialEvaluator, perform_experiments
    from coprod.analysis.ema import ema_model

    model = ema_model(
        "substitutive_automation",
        uncertainties={"administration.algorithm_error": (0.02, 0.3)},
        levers={"governance.human_review": (0.0, 1.0), "governance.appeals": [False, True]},
        outcomes=["lawfulness", "effectiveness", "trust"],
        steps=60,
    )
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=20, policies=4,
                                                    evaluator=evaluator)

Workbench names must be Python identifiers, so ``governance.budget`` appears in the
experiments table as ``governance__budget`` (see :func:`ema_name`).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from coprod.analysis.parallel import run_task
from coprod.analysis.seeds import replicate_seeds
from coprod.analysis.stats import HORIZON_WINDOW, simulated_months
from coprod.analysis.sweep_spec import Parameter, SweepError, parameters_of
from coprod.model.measure_registry import EMA_DEFAULTS, MEASURES, measure
from coprod.model.scenario import Scenario

#: Outcomes reported when none are named: participation and the three public-value families.
DEFAULT_OUTCOMES = EMA_DEFAULTS


def ema_name(key: str) -> str:
    """The workbench name of a dotted key: ``governance.budget`` -> ``governance__budget``."""
    return key.replace(".", "__")


@dataclass(frozen=True)
class CoprodFunction:
    """The model function: scenario keys in, horizon means of the outcomes out."""

    scenario: dict[str, Any]
    steps: int
    seeds: tuple[int, ...]
    outcomes: tuple[str, ...]
    window: int = HORIZON_WINDOW

    def __call__(self, **values: Any) -> dict[str, float]:
        """Run the replicates with ``values`` (dotted keys) set; return each outcome's mean."""
        overrides = {k: v.item() if hasattr(v, "item") else v for k, v in values.items()}
        data = Scenario.from_dict(self.scenario).with_overrides(overrides).to_dict()
        horizon = []
        for seed in self.seeds:
            frame = run_task(data, self.steps, seed)
            months = simulated_months(frame)
            horizon.append(months[list(self.outcomes)].iloc[-self.window :].mean())
        means = pd.concat(horizon, axis=1).mean(axis=1)
        return {name: float(means[name]) for name in self.outcomes}


def ema_model(
    scenario: Scenario | str | Path = "coproduction",
    uncertainties: Mapping[str, Any] | None = None,
    levers: Mapping[str, Any] | None = None,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    steps: int | None = None,
    replicates: int = 1,
    seed: int = 0,
    name: str = "coprod",
) -> Any:
    """Build an ``ema_workbench.Model`` that runs coprod.

    Args:
        scenario: The base scenario (a :class:`Scenario`, a name or a TOML path).
        uncertainties: Dotted key to ``(low, high)`` or a list of values: factors outside a
            policy maker's control.
        levers: The same for the policy options.
        outcomes: Measures reported (horizon means, averaged over replicates).
        steps: Months per run (default: the scenario's ``steps``).
        replicates: Runs per experiment; their seeds derive from ``seed`` and are the same in
            every experiment (common random numbers).
        seed: Root seed.
        name: The workbench model's name (a Python identifier).

    Returns:
        An ``ema_workbench.Model`` with uncertainties, levers and scalar outcomes set.

    Raises:
        SweepError: An unknown key, value or measure.
    """
    from ema_workbench import Model

    if not isinstance(scenario, Scenario):
        scenario = Scenario.load(scenario)
    _check_outcomes(outcomes, replicates)
    given, given_levers = _values(uncertainties), _values(levers)
    overlap = set(given) & set(given_levers)
    if overlap:
        raise SweepError(f"{sorted(overlap)[0]}: both an uncertainty and a lever")
    function = CoprodFunction(
        scenario=scenario.to_dict(),
        steps=steps if steps is not None else scenario.steps,
        seeds=tuple(replicate_seeds(seed, replicates)),
        outcomes=tuple(outcomes),
    )
    model = Model(name, function=function)
    model.uncertainties = [
        _ema_parameter(p) for p in parameters_of(given, scenario, "uncertainties")
    ]
    model.levers = [_ema_parameter(p) for p in parameters_of(given_levers, scenario, "levers")]
    model.outcomes = [_ema_outcome(m) for m in outcomes]
    return model


def _values(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Each key's list of values as given, or its ``(low, high)`` as a range."""
    return {k: list(v) if isinstance(v, list) else _range(v) for k, v in (given or {}).items()}


def _ema_outcome(name: str) -> Any:
    """A workbench outcome for measure ``name``, directed as the measure registry says.

    Its kind (maximise, minimise, or only report) and expected range come from the registry,
    so the workbench's optimisers pursue the better side of every measure.
    """
    from ema_workbench import ScalarOutcome

    m = measure(name)
    kind = {True: ScalarOutcome.MAXIMIZE, False: ScalarOutcome.MINIMIZE}.get(
        m.higher_is_better, ScalarOutcome.INFO
    )
    bounded = all(math.isfinite(v) for v in m.range)
    if "expected_range" not in inspect.signature(ScalarOutcome).parameters:  # EMA Workbench 3
        return ScalarOutcome(name, kind=kind)
    return ScalarOutcome(name, kind=kind, expected_range=m.range if bounded else None)


def _check_outcomes(outcomes: Sequence[str], replicates: int) -> None:
    """Refuse an outcome that is not a measure, or fewer than one replicate."""
    unknown = [m for m in outcomes if m not in MEASURES]
    if unknown:
        raise SweepError(f"outcomes: {unknown[0]!r} is not a measure")
    if not isinstance(replicates, int) or replicates < 1:
        raise SweepError(f"replicates = {replicates!r} is not allowed: must be >= 1")


def _range(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2:
        return {"min": value[0], "max": value[1]}
    return value  # a dict {min, max} as in sweep files, or something parameters_of rejects


def _ema_parameter(p: Parameter) -> Any:
    from ema_workbench import (
        BooleanParameter,
        CategoricalParameter,
        IntegerParameter,
        RealParameter,
    )

    name, var = ema_name(p.key), p.key
    if p.is_range:
        if p.kind == "int":
            return IntegerParameter(name, int(p.low), int(p.high), variable_name=var)
        return RealParameter(name, float(p.low), float(p.high), variable_name=var)
    if p.kind == "bool" and set(p.values) == {True, False}:
        return BooleanParameter(name, variable_name=var)
    return CategoricalParameter(name, list(p.values), variable_name=var)
