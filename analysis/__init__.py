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
    "run_ensemble": "runs.ensemble",
    "run_comparison": "compare.comparison",
    "compare_horizon": "compare.comparison",
    "compare_over_time": "compare.comparison",
    "horizon_table": "compare.comparison",
    "EnsembleDetail": "municipalities.runs",
    "run_ensemble_detail": "municipalities.runs",
    "run_comparison_detail": "municipalities.runs",
    "compare_municipalities": "municipalities.stats",
    "compare_innovations": "municipalities.stats",
    "innovation_runs": "municipalities.stats",
    "municipality_table": "municipalities.output",
    "innovations_table": "municipalities.output",
    "write_municipality_comparison": "municipalities.output",
    "compare_places": "municipalities.place_comparison",
    "place_comparison_table": "municipalities.place_comparison",
    "write_place_comparison": "municipalities.place_comparison",
    "place_figure": "municipalities.place_plots",
    "horizon_means": "stats",
    "t_interval": "stats",
    "welch": "stats",
    "summarise": "stats",
    "add_difference": "stats",
    "format_interval": "stats",
    "load_sweep": "sweep.spec",
    "sweep_from_dict": "sweep.spec",
    "CoprodError": "errors",
    "InputError": "errors",
    "ScenarioError": "errors",
    "AnalysisError": "errors",
    "PreconditionError": "errors",
    "SweepError": "sweep.spec",
    "ReportError": "report",
    "OutputError": "output",
    "WorkerLost": "runs.parallel",
    "plan_sweep": "sweep.run",
    "run_sweep": "sweep.run",
    "load_results": "sweep.run",
    "summarise_sweep": "sweep.run",
    "summarise_folder": "sweep.run",
    "run_sensitivity": "sweep.sensitivity",
    "sensitivity_indices": "sweep.sensitivity",
    "analyze_function": "sweep.sensitivity",
    "plan_sensitivity": "sweep.sensitivity",
    "build_report": "report",
    "write_report": "report",
    "timeseries_figure": "plots",
    "value_profile_figure": "plots",
    "main_effects_figure": "plots",
    "sensitivity_figure": "plots",
    "overview_figure": "plots",
    "ema_model": "sweep.ema",
    "calibrate": "calibration.fit",
    "CalibrationResult": "calibration.fit",
    "CalibrationError": "calibration.priors",
    "load_calibration": "calibration.spec",
    "plan_calibration": "calibration.spec",
    "load_posterior": "calibration.posterior",
    "posterior_draws": "calibration.posterior",
    "PosteriorError": "calibration.posterior",
}

_EXPORTS = {
    name: f"coprod.{'model' if module == 'errors' else 'analysis'}.{module}"
    for name, module in _EXPORTS.items()
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_names(__name__, _EXPORTS, globals())
