"""coprod as an EMA Workbench model: uncertainties, levers and outcomes over scenario keys.

Exploratory modelling (Kwakkel 2017, the EMA Workbench) treats a simulation as a function from
uncertain factors and policy levers to outcomes. :func:`ema_model` wraps coprod that way: each
uncertainty or lever is a dotted scenario key (``governance.budget``) with a ``(low, high)``
range or a list of values; each outcome is a measure's horizon value (mean of the last 12
months), and each measure named in ``series`` is also an outcome month by month (a
``TimeSeriesOutcome`` called ``<measure>_series``). The model is a workbench
``ReplicatorModel``: every experiment runs ``replicates`` times, with seeds derived from
``seed`` and the same in every experiment (common random numbers), and the workbench keeps each
replicate: ``<measure>`` is the mean over the replicates (directed by the measure registry,
for the workbench's optimisers), ``<measure>_replicates`` has one column per replicate, and a
series one row per replicate, so the spread between replicates stays visible. The model
function is a picklable object, so the workbench's multiprocessing evaluator can run it too::

    from ema_workbench import SequentialEvaluator, perform_experiments
    from coprod.analysis.sweep.ema import ema_model

    model = ema_model(
        "substitutive_automation",
        uncertainties={"administration.algorithm_error": (0.02, 0.3)},
        levers={"governance.human_review": (0.0, 1.0), "governance.appeals": [False, True]},
        outcomes=["lawfulness", "effectiveness", "trust"],
        series=["trust"],
        steps=60,
        replicates=5,
    )
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=20, policies=4,
                                                    evaluator=evaluator)
    outcomes["lawfulness"].shape              # (80,): mean over the replicates
    outcomes["lawfulness_replicates"].shape   # (80, 5): experiments x replicates
    outcomes["trust_series"].shape            # (80, 5, 60): experiments x replicates x months

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

import numpy as np

from coprod.analysis.runs.parallel import run_task
from coprod.analysis.runs.seeds import replicate_seeds
from coprod.analysis.stats import HORIZON_WINDOW, simulated_months
from coprod.analysis.sweep.spec import Parameter, SweepError, parameters_of
from coprod.model.measure_registry import EMA_DEFAULTS, MEASURES, measure
from coprod.model.scenario import Scenario

#: Outcomes reported when none are named: participation and the three public-value families.
DEFAULT_OUTCOMES = EMA_DEFAULTS


def ema_name(key: str) -> str:
    """The workbench name of a dotted key: ``governance.budget`` -> ``governance__budget``."""
    return key.replace(".", "__")


def series_name(measure_name: str) -> str:
    """The workbench name of a measure's month-by-month outcome: ``trust`` -> ``trust_series``."""
    return f"{measure_name}_series"


@dataclass(frozen=True)
class CoprodFunction:
    """The model function: scenario keys and a replicate's seed in, its outcomes out."""

    scenario: dict[str, Any]
    steps: int
    outcomes: tuple[str, ...]
    series: tuple[str, ...] = ()
    window: int = HORIZON_WINDOW

    def __call__(self, seed: int, **values: Any) -> dict[str, Any]:
        """Run one replicate with ``values`` (dotted keys) set and ``seed``.

        Returns:
            Each outcome's horizon mean (mean of the last ``window`` months) and, for each
            measure in ``series``, its values for months 1 to ``steps`` as an array.
        """
        overrides = {k: v.item() if hasattr(v, "item") else v for k, v in values.items()}
        data = Scenario.from_dict(self.scenario).with_overrides(overrides).to_dict()
        months = simulated_months(run_task(data, self.steps, int(seed)))
        result: dict[str, Any] = {
            name: float(months[name].iloc[-self.window :].mean()) for name in self.outcomes
        }
        for name in self.series:
            result[series_name(name)] = months[name].to_numpy(dtype=float)
        return result


def ema_model(
    scenario: Scenario | str | Path = "coproduction",
    uncertainties: Mapping[str, Any] | None = None,
    levers: Mapping[str, Any] | None = None,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    series: Sequence[str] = (),
    steps: int | None = None,
    replicates: int = 1,
    seed: int = 0,
    name: str = "coprod",
) -> Any:
    """Build an ``ema_workbench.ReplicatorModel`` that runs coprod.

    Args:
        scenario: The base scenario (a :class:`Scenario`, a name or a TOML path).
        uncertainties: Dotted key to ``(low, high)`` or a list of values: factors outside a
            policy maker's control.
        levers: The same for the policy options.
        outcomes: Measures reported as horizon means, one per replicate.
        series: Measures also reported month by month (``<measure>_series``, months 1 to
            ``steps``), one series per replicate.
        steps: Months per run (default: the scenario's ``steps``).
        replicates: Runs per experiment, all kept; their seeds derive from ``seed`` and are
            the same in every experiment (common random numbers).
        seed: Root seed.
        name: The workbench model's name (a Python identifier).

    Returns:
        An ``ema_workbench.ReplicatorModel`` with uncertainties, levers, replications (one
        ``seed`` each) and outcomes set.

    Raises:
        SweepError: An unknown key, value or measure.
    """
    from ema_workbench import ReplicatorModel

    if not isinstance(scenario, Scenario):
        scenario = Scenario.load(scenario)
    _check_outcomes([*outcomes, *series], replicates)
    given, given_levers = _factors(uncertainties, levers)
    function = CoprodFunction(
        scenario=scenario.to_dict(),
        steps=steps if steps is not None else scenario.steps,
        outcomes=tuple(outcomes),
        series=tuple(series),
    )
    model = ReplicatorModel(name, function=function)
    model.replications = [{"seed": int(s)} for s in replicate_seeds(seed, replicates)]
    model.uncertainties = [
        _ema_parameter(p) for p in parameters_of(given, scenario, "uncertainties")
    ]
    model.levers = [_ema_parameter(p) for p in parameters_of(given_levers, scenario, "levers")]
    model.outcomes = [
        *(_ema_outcome(m) for m in outcomes),
        *(_ema_replicates(m) for m in outcomes),
        *(_ema_series(m) for m in series),
    ]
    return model


def _factors(
    uncertainties: Mapping[str, Any] | None, levers: Mapping[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The uncertainties and levers as dicts; a key may not be both."""
    given, given_levers = _values(uncertainties), _values(levers)
    overlap = set(given) & set(given_levers)
    if overlap:
        raise SweepError(f"{sorted(overlap)[0]}: both an uncertainty and a lever")
    return given, given_levers


def _values(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Each key's list of values as given, or its ``(low, high)`` as a range."""
    return {k: list(v) if isinstance(v, list) else _range(v) for k, v in (given or {}).items()}


def _ema_outcome(name: str) -> Any:
    """A workbench outcome for measure ``name``, directed as the measure registry says.

    The mean of the replicates' horizon values. Its kind (maximise, minimise, or only report)
    and expected range come from the registry, so the workbench's optimisers pursue the better
    side of every measure.
    """
    from ema_workbench import ScalarOutcome

    m = measure(name)
    kind = {True: ScalarOutcome.MAXIMIZE, False: ScalarOutcome.MINIMIZE}.get(
        m.higher_is_better, ScalarOutcome.INFO
    )
    bounded = all(math.isfinite(v) for v in m.range)
    if "expected_range" not in inspect.signature(ScalarOutcome).parameters:  # EMA Workbench 3
        return ScalarOutcome(name, kind=kind, variable_name=name, function=_mean)
    return ScalarOutcome(
        name,
        kind=kind,
        variable_name=name,
        function=_mean,
        expected_range=m.range if bounded else None,
    )


def _mean(values: Any) -> float:
    """The mean of the replicates' values (a module-level function, so it pickles)."""
    return float(np.mean(values))


def replicates_name(measure_name: str) -> str:
    """The workbench name of a measure's per-replicate outcome: ``trust_replicates``."""
    return f"{measure_name}_replicates"


def _ema_replicates(name: str) -> Any:
    """A workbench outcome holding measure ``name``'s horizon value of every replicate."""
    from ema_workbench import ArrayOutcome

    return ArrayOutcome(replicates_name(name), variable_name=name)


def _ema_series(name: str) -> Any:
    """A workbench time-series outcome of measure ``name``, month by month."""
    from ema_workbench import TimeSeriesOutcome

    return TimeSeriesOutcome(series_name(name), variable_name=series_name(name))


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
