"""Analysis: ensembles, comparisons, sweeps, sensitivity, plots, reports and the CLI.

The functions below are importable from here for notebooks; each is a stateless function
(DataFrame in, DataFrame or figure out) or runs simulations and returns a DataFrame. They are
loaded on first use, so ``import coprod`` stays light::

    from coprod.analysis import run_comparison, compare_horizon, run_sweep, run_sensitivity
    from coprod.analysis import calibrate  # needs the optional extra: coprod[calibrate]
"""

from __future__ import annotations

from coprod.lazy import lazy_names

#: Public name -> module that defines it.
_EXPORTS = {
    "run_ensemble": "ensemble",
    "run_comparison": "compare",
    "compare_horizon": "compare",
    "compare_over_time": "compare",
    "horizon_table": "compare",
    "EnsembleDetail": "municipality_runs",
    "run_ensemble_detail": "municipality_runs",
    "run_comparison_detail": "municipality_runs",
    "compare_municipalities": "municipality_stats",
    "compare_innovations": "municipality_stats",
    "innovation_runs": "municipality_stats",
    "municipality_table": "municipality_output",
    "innovations_table": "municipality_output",
    "write_municipality_comparison": "municipality_output",
    "compare_places": "place_comparison",
    "place_comparison_table": "place_comparison",
    "write_place_comparison": "place_comparison",
    "place_figure": "place_plots",
    "horizon_means": "stats",
    "t_interval": "stats",
    "welch": "stats",
    "summarise": "stats",
    "add_difference": "stats",
    "format_interval": "stats",
    "load_sweep": "sweep_spec",
    "sweep_from_dict": "sweep_spec",
    "CoprodError": "errors",
    "InputError": "errors",
    "ScenarioError": "errors",
    "AnalysisError": "errors",
    "PreconditionError": "errors",
    "SweepError": "sweep_spec",
    "ReportError": "report",
    "OutputError": "output",
    "WorkerLost": "parallel",
    "plan_sweep": "sweep",
    "run_sweep": "sweep",
    "load_results": "sweep",
    "summarise_sweep": "sweep",
    "summarise_folder": "sweep",
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
    "calibrate": "calibration",
    "CalibrationResult": "calibration",
    "CalibrationError": "calibration_priors",
    "load_calibration": "calibration_spec",
    "plan_calibration": "calibration_spec",
    "load_posterior": "posterior",
    "posterior_draws": "posterior",
    "PosteriorError": "posterior",
}

_EXPORTS = {
    name: f"coprod.{'model' if module == 'errors' else 'analysis'}.{module}"
    for name, module in _EXPORTS.items()
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_names(__name__, _EXPORTS, globals())
