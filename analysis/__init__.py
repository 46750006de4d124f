"""Analysis: ensembles, comparisons, sweeps, sensitivity, plots, reports and the CLI.

The functions below are importable from here for notebooks; each is a stateless function
(DataFrame in, DataFrame or figure out) or runs simulations and returns a DataFrame. They are
loaded on first use, so ``import coprod`` stays light::

    from coprod.analysis import run_comparison, compare_horizon, run_sweep, run_sensitivity
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: Public name -> module that defines it.
_EXPORTS = {
    "run_ensemble": "ensemble",
    "run_comparison": "compare",
    "compare_horizon": "compare",
    "compare_over_time": "compare",
    "horizon_table": "compare",
    "EnsembleDetail": "municipalities",
    "run_ensemble_detail": "municipalities",
    "run_comparison_detail": "municipalities",
    "compare_municipalities": "municipalities",
    "compare_innovations": "municipalities",
    "innovation_runs": "municipalities",
    "municipality_table": "municipalities",
    "innovations_table": "municipalities",
    "write_municipality_comparison": "municipalities",
    "horizon_means": "stats",
    "t_interval": "stats",
    "welch": "stats",
    "load_sweep": "sweep_spec",
    "sweep_from_dict": "sweep_spec",
    "SweepError": "sweep_spec",
    "OutputError": "output",
    "WorkerLost": "parallel",
    "plan_sweep": "sweep",
    "run_sweep": "sweep",
    "load_results": "sweep",
    "summarise_sweep": "sweep",
    "run_sensitivity": "sensitivity",
    "sensitivity_indices": "sensitivity",
    "analyze_function": "sensitivity",
    "plan_sensitivity": "sensitivity",
    "build_report": "report",
    "write_report": "report",
    "timeseries_figure": "plots",
    "value_profile_figure": "plots",
    "main_effects_figure": "plots",
    "sensitivity_figure": "plots",
    "overview_figure": "plots",
    "ema_model": "ema",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'coprod.analysis' has no attribute {name!r}")
    return getattr(import_module(f"coprod.analysis.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
