"""Global sensitivity analysis with SALib: Morris screening and Sobol indices.

The parameters of a sweep file span the input space (a ``{min, max}`` range as is; a list of
values as the interval ``[0, k)`` floored to an index; a whole-number range likewise floored).
SALib samples it (``SALib.sample.morris`` or ``SALib.sample.sobol``), every sample point runs
as a sweep point (so the runs resume like a sweep's), and each measure's output per point is
its horizon value (mean of the last 12 months) averaged over the replicates, which share their
seeds across points. ``SALib.analyze.morris`` or ``SALib.analyze.sobol`` then give the indices
with 95% confidence intervals (bootstrap half-widths, the ``*_conf`` columns).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coprod.analysis.output import write_frame
from coprod.analysis.runs.work_size import check_work
from coprod.analysis.stats import HORIZON_WINDOW, horizon_means
from coprod.analysis.sweep.folder import load_results, write_manifest
from coprod.analysis.sweep.plan import (
    EAGER_RUNS,
    ArrayPoints,
    SweepPlan,
    most_citizens,
    plan_sweep,
)
from coprod.analysis.sweep.run import run_sweep
from coprod.analysis.sweep.spec import Parameter, SweepError, SweepSpec, load_sweep
from coprod.analysis.sweep.summary import point_means

METHODS = ("morris", "sobol")

#: Base samples when neither the sweep file nor the caller says: Morris trajectories, Sobol N.
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}

#: Levels of the Morris grid.
MORRIS_LEVELS = 4

#: Copies of the sample matrix SALib holds while sampling (the base sequence, the matrix).
SAMPLE_COPIES = 3


def problem_of(parameters: Sequence[Parameter]) -> dict[str, Any]:
    """The SALib problem dict of a sweep's parameters (names are the dotted keys)."""
    return {
        "num_vars": len(parameters),
        "names": [p.key for p in parameters],
        "bounds": [list(p.bounds()) for p in parameters],
    }


def sample(problem: dict[str, Any], method: str, samples: int, seed: int) -> np.ndarray:
    """SALib's sample matrix for ``method``: ``samples`` trajectories (Morris) or base N (Sobol).

    Morris gives ``samples * (D + 1)`` rows, Sobol (first and total order) ``samples * (D + 2)``.
    """
    _check_method(method)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem, samples, calc_second_order=False, seed=seed)


def sensitivity_indices(
    problem: dict[str, Any], X: np.ndarray, Y: pd.DataFrame, method: str, seed: int = 0
) -> pd.DataFrame:
    """Indices of every output column of ``Y`` (rows aligned with the sample ``X``).

    Returns:
        One row per measure and parameter. Morris: ``mu``, ``mu_star``, ``mu_star_conf``,
        ``sigma``. Sobol: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``. ``*_conf`` is the half-width
        of the 95% confidence interval. An output that does not vary has indices 0.
    """
    _check_method(method)
    if len(X) != len(Y):
        raise ValueError(f"X has {len(X)} rows but Y has {len(Y)}")
    frames = []
    for measure in Y.columns:
        y = Y[measure].to_numpy(dtype=float)
        frame = _indices(problem, X, y, method, seed)
        frame.insert(0, "parameter", problem["names"])
        frame.insert(0, "measure", measure)
        frame.insert(0, "method", method)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _indices(problem: dict[str, Any], X: np.ndarray, y: np.ndarray, method: str, seed: int):
    flat = np.ptp(y) == 0
    if method == "morris":
        from SALib.analyze import morris

        if flat:
            zeros = np.zeros(problem["num_vars"])
            return pd.DataFrame(
                {"mu": zeros, "mu_star": zeros, "mu_star_conf": zeros, "sigma": zeros}
            )
        si = morris.analyze(problem, X, y, conf_level=0.95, num_levels=MORRIS_LEVELS, seed=seed)
        columns = ["mu", "mu_star", "mu_star_conf", "sigma"]
        return pd.DataFrame({c: np.asarray(si[c], dtype=float) for c in columns})
    from SALib.analyze import sobol

    columns = ["S1", "S1_conf", "ST", "ST_conf"]
    if flat:
        return pd.DataFrame({c: np.zeros(problem["num_vars"]) for c in columns})
    si = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=seed)
    return pd.DataFrame({c: np.asarray(si[c], dtype=float) for c in columns})


def analyze_function(
    problem: dict[str, Any],
    func: Callable[[np.ndarray], np.ndarray],
    method: str,
    samples: int,
    seed: int = 0,
    name: str = "y",
) -> pd.DataFrame:
    """Sensitivity of a plain function ``func(X) -> y`` (no simulation): sample, evaluate, analyse.

    Useful to check the wiring on a function with known indices (e.g. Ishigami).
    """
    X = sample(problem, method, samples, seed)
    Y = pd.DataFrame({name: np.asarray(func(X), dtype=float)})
    return sensitivity_indices(problem, X, Y, method, seed)


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise SweepError(f"method = {method!r} is not allowed: must be one of morris, sobol")


# ---------------------------------------------------------------------- on coprod
def plan_sensitivity(
    spec: SweepSpec | str | Path,
    method: str,
    samples: int | None = None,
    folder: Path | None = None,
    source: str = "sweep",
    yes: bool = False,
    client: Any = None,
) -> tuple[SweepPlan, dict[str, Any], np.ndarray]:
    """Check a sweep file for ``method`` and list its runs; nothing runs.

    The number of runs (base samples x rows per sample x replicates) and the size of the
    sample matrix are checked (:mod:`coprod.analysis.runs.work_size`) before SALib samples; ``yes``
    accepts a job over the run or time limits.

    Returns:
        The plan (one point per row of the sample), the SALib problem and the sample ``X``.
    """
    _check_method(method)
    if not isinstance(spec, SweepSpec):
        source = str(spec)
        spec, folder = load_sweep(spec)
    plan = plan_sweep(spec, folder, source, points=[])  # checks scenario and parameters
    n = samples or spec.samples or DEFAULT_SAMPLES[method]
    if n < 2 or (method == "sobol" and n & (n - 1)):
        rule = "a power of two >= 2" if method == "sobol" else "at least 2"
        raise SweepError(f"{source}: samples = {n} is not allowed for {method}: must be {rule}")
    problem = problem_of(plan.parameters)
    d = len(plan.parameters)
    rows = n * (d + 1 if method == "morris" else d + 2)
    check_work(
        f"{source}: {method} with samples = {n}: ",
        rows * spec.replicates,
        most_citizens(plan.base, plan.parameters),
        plan.steps,
        yes=yes,
        how="a smaller samples (or fewer replicates)",
        arrays={"the sample matrix": SAMPLE_COPIES * rows * d * 8},
        probe=plan.base.to_dict(),
        client=client,
    )
    X = sample(problem, method, n, spec.seed)
    if rows * spec.replicates > EAGER_RUNS:  # streamed: points mapped from X as they run
        points = ArrayPoints(plan.parameters, X, unit=False)
    else:
        points = [
            {p.key: p.value_at(float(x)) for p, x in zip(plan.parameters, row, strict=True)}
            for row in X
        ]
    extra = {"method": method, "samples": n, "problem": problem}
    plan = plan_sweep(
        spec, folder, source, points=points, kind="sensitivity", extra=extra, yes=True
    )
    return plan, problem, X


def point_outputs(
    results: pd.DataFrame, measures: Sequence[str], window: int = HORIZON_WINDOW
) -> pd.DataFrame:
    """Per design point: each measure's horizon value averaged over the replicates."""
    per_run = horizon_means(results, ["point", "replicate"], list(measures), window=window)
    return per_run.groupby("point")[list(measures)].mean().sort_index()


def run_sensitivity(
    spec: SweepSpec | str | Path,
    method: str,
    samples: int | None = None,
    out: str | Path | None = None,
    client: Any = None,
    progress: bool = True,
    yes: bool = False,
) -> pd.DataFrame:
    """Run a sensitivity analysis of coprod; returns the indices of :func:`sensitivity_indices`.

    Runs resume like a sweep's when ``out`` is given; the indices, tables and bar plots are
    written there too. ``yes`` accepts a job over the limits of
    :mod:`coprod.analysis.runs.work_size`.
    """
    plan, problem, X = plan_sensitivity(spec, method, samples, yes=yes, client=client)
    if out is None:
        results = run_sweep(plan, client=client, progress=progress)
        return indices_of(plan, problem, X, results)
    summary = run_sweep(plan, out=out, client=client, progress=progress, load=False)
    return indices_from_means(plan, problem, X, point_means(summary, plan.spec.measures), out)


def indices_of(
    plan: SweepPlan, problem: dict[str, Any], X: np.ndarray, results: pd.DataFrame, out=None
) -> pd.DataFrame:
    """Indices from a plan's finished results; with ``out``, write tables and bar plots."""
    return indices_from_means(plan, problem, X, point_outputs(results, plan.spec.measures), out)


def indices_from_means(
    plan: SweepPlan, problem: dict[str, Any], X: np.ndarray, Y: pd.DataFrame, out=None
) -> pd.DataFrame:
    """Indices from each point's measures averaged over its replicates (:func:`point_outputs`).

    ``Y`` may come from a summary gathered a batch of runs at a time
    (:func:`coprod.analysis.sweep.summary.point_means`); with ``out``, write tables and plots.
    """
    from coprod.analysis.plots import save_figure, sensitivity_figure

    if len(Y) != len(X):
        raise SweepError(f"{len(Y)} of {len(X)} sample points have results; run again to finish")
    indices = sensitivity_indices(problem, X, Y, plan.extra["method"], plan.spec.seed)
    if out is not None:
        out = Path(out)
        write_frame(out / "indices.csv", indices)
        write_frame(out / "indices.parquet", indices)
        save_figure(sensitivity_figure(indices), out / "sensitivity.png")
        write_manifest(plan, out, "complete", len(plan.runs))
    return indices


def load_indices(out: str | Path) -> pd.DataFrame:
    """The indices written by a sensitivity run."""
    return pd.read_parquet(Path(out) / "indices.parquet")


__all__ = [
    "METHODS",
    "analyze_function",
    "indices_from_means",
    "indices_of",
    "load_indices",
    "load_results",
    "plan_sensitivity",
    "point_outputs",
    "problem_of",
    "run_sensitivity",
    "sample",
    "sensitivity_indices",
]
