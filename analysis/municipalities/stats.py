"""Statistics per municipality and per innovation process, across replicates.

Municipalities are placed at random in each replicate (their status offsets are permuted), so
municipality 3 of one replicate is not the same kind of place as municipality 3 of another.
Each municipality therefore carries its mean socio-economic ``status`` and its ``status_rank``
in the run (1 = best placed), and comparisons across replicates group by rank by default: in
a given replicate, rank 1 is the same place in every scenario (the world is drawn from the seed
before anything else happens). Intervals are those of :mod:`coprod.analysis.stats`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from coprod.analysis.stats import HORIZON_WINDOW, add_difference, horizon_means, summarise
from coprod.model.errors import AnalysisError
from coprod.model.measures import MUNICIPALITY_MEASURES

#: Ways to group municipalities across replicates in :func:`compare_municipalities`.
GROUPINGS = ("status_rank", "municipality")

#: Per-run innovation quantities compared by :func:`compare_innovations`, in table order.
INNOVATION_QUANTITIES = (
    "adopted",
    "trials",
    "reached_half",
    "months_to_half",
    "judged",
    "fit",
    "decisions",
    "evaluations",
    "signal_to_noise",
    "flipped_share",
    "cf_judged",
    "cf_effect",
    "cf_fit",
)


def compare_municipalities(
    municipality_vars: pd.DataFrame,
    measures: Sequence[str] | None = None,
    by: str = "status_rank",
    window: int = HORIZON_WINDOW,
    reference: str | None = None,
) -> pd.DataFrame:
    """Horizon comparison per municipality: means across replicates with 95% intervals.

    Tells who gains and who loses under a process, place by place, where the model-level
    measures only give the average and the ``outcome_spread``.

    Args:
        municipality_vars: ``EnsembleDetail.municipality_vars`` of a comparison (with
            ``scenario``) or of an ensemble (treated as one scenario named after nothing).
        measures: Per-municipality measures to compare (default: all of them).
        by: ``"status_rank"`` (default; 1 = best-placed municipality of each run, the same
            place in every scenario of a replicate) or ``"municipality"`` (the index, which
            means the same kind of place across replicates only when
            ``population.municipality_diversity`` is 0).
        window: Months at the end of each run averaged into its horizon value.
        reference: Scenario the others are compared with (default: the first one).

    Returns:
        One row per scenario, ``by`` value and measure: ``mean``, ``sd``, ``n``, ``ci_low``,
        ``ci_high`` (t-interval across replicates) and ``diff``, ``diff_low``, ``diff_high``,
        ``p_value`` (the same place in the reference, Welch).
    """
    if by not in GROUPINGS:
        raise AnalysisError(f"by = {by!r} is not allowed: must be one of {', '.join(GROUPINGS)}")
    frame = with_scenario(municipality_vars)
    for column in ("replicate", "step", by):
        if column not in frame.columns:
            raise AnalysisError(f"municipality_vars: no {column!r} column; use run_*_detail")
    names = measures_to_compare(
        frame, measures, MUNICIPALITY_MEASURES, "per-municipality", "municipality_vars"
    )
    per_run = horizon_means(frame, ["scenario", "replicate", by], names, window=window)
    stats = summarise(per_run, ["scenario", by], names)
    stats = stats.sort_values(["measure", by], kind="stable", key=_measure_order(names))
    stats = stats.reset_index(drop=True)
    reference = frame["scenario"].iloc[0] if reference is None else reference
    return add_difference(stats, [by, "measure"], reference)


def innovation_runs(innovations: pd.DataFrame) -> pd.DataFrame:
    """One row per run: what its innovation process achieved, decided and how well it judged.

    Args:
        innovations: ``EnsembleDetail.innovations`` (one row per run and innovation).

    Returns:
        Per ``scenario`` (if present) and ``replicate``: ``adopted`` (adoptions, counted once
        per municipality), ``trials`` (municipalities that tried an innovation, summed over
        innovations), ``reached_half`` (innovations adopted by at least half of the
        municipalities), ``months_to_half`` (median over those innovations of the months from
        first trial to half; NaN if none got there), ``judged`` (adoptions judged for fit) and
        ``fit`` (the share of judged adoptions that raised their place's public value relative
        to the others; NaN if none was judged); and, where the table has them, ``decisions``
        (keep-or-drop decisions per place: a central verdict decides for every municipality),
        ``evaluations`` (the evaluations behind them), ``signal_to_noise`` (root mean square
        of the evaluations' noise-free effects over the noise's standard deviation),
        ``flipped_share`` (evaluations whose noise reversed the decision), ``cf_judged``
        (adoptions judged against a same-seed counterfactual), ``cf_effect`` (their mean
        public value with minus without) and ``cf_fit`` (the share with a positive one).
    """
    frame = with_scenario(innovations)
    rows = []
    for (scenario, replicate), run in frame.groupby(["scenario", "replicate"], sort=False):
        reached = run["months_to_half"].dropna()
        rows.append(
            {
                "scenario": scenario,
                "replicate": replicate,
                "adopted": float(run["adopters"].sum()),
                "trials": float(run["trials"].sum()),
                "reached_half": float(len(reached)),
                "months_to_half": float(reached.median()) if len(reached) else np.nan,
                **_weighted(run, "judged", {"fit": "fit"}),
                **_evaluation_quantities(run),
                **_weighted(run, "cf_judged", {"cf_effect": "cf_effect", "cf_fit": "cf_fit"}),
            }
        )
    return pd.DataFrame(rows, columns=["scenario", "replicate", *INNOVATION_QUANTITIES])


def _weighted(run: pd.DataFrame, count: str, means: dict[str, str]) -> dict[str, float]:
    """``count`` summed over the run's innovations, and ``means`` weighted by it (NaN if 0)."""
    if count not in run.columns:
        return {count: np.nan, **dict.fromkeys(means, np.nan)}
    weight = run[count].fillna(0).to_numpy(dtype=float)
    total = float(weight.sum())
    out = {count: total}
    for name, column in means.items():
        values = run[column].fillna(0).to_numpy(dtype=float)
        out[name] = float((values * weight).sum()) / total if total else np.nan
    return out


def _evaluation_quantities(run: pd.DataFrame) -> dict[str, float]:
    """Decisions, evaluations, their signal against the noise, and how often noise decided."""
    names = ("decisions", "evaluations", "signal_to_noise", "flipped_share")
    if "evaluations" not in run.columns:
        return dict.fromkeys(names, np.nan)
    n = run["evaluations"].to_numpy(dtype=float)
    total = float(n.sum())
    if not total:
        return {"decisions": 0.0, "evaluations": 0.0, "signal_to_noise": np.nan,
                "flipped_share": np.nan}  # fmt: skip
    rms = np.sqrt((n * run["signal_rms"].fillna(0).to_numpy(dtype=float) ** 2).sum() / total)
    noise = float((n * run["noise_sd"].fillna(0).to_numpy(dtype=float)).sum() / total)
    return {
        "decisions": float(run["decisions"].sum()),
        "evaluations": total,
        "signal_to_noise": rms / noise if noise > 0 else np.nan,
        "flipped_share": float(run["flipped"].sum()) / total,
    }


def compare_innovations(innovations: pd.DataFrame, reference: str | None = None) -> pd.DataFrame:
    """Innovation processes side by side: per-run quantities, means and 95% intervals.

    Answers whether one process adopts more, spreads faster or spreads what fits, with the
    same intervals as the measures (t across replicates, Welch for the difference). Runs of
    scenarios without an innovation process have no innovation rows and are left out.

    Args:
        innovations: ``EnsembleDetail.innovations`` of a comparison or ensemble.
        reference: Scenario the others are compared with (default: the first one).

    Returns:
        One row per scenario and quantity of :func:`innovation_runs` (``measure`` column):
        ``mean``, ``sd``, ``n`` (runs where it is defined), ``ci_low``, ``ci_high``, ``diff``,
        ``diff_low``, ``diff_high``, ``p_value``.
    """
    per_run = innovation_runs(innovations)
    if per_run.empty:
        raise AnalysisError(
            "no innovations to compare: set governance.innovation to central_pilot or "
            "experimentalism"
        )
    names = list(INNOVATION_QUANTITIES)
    stats = summarise(per_run, ["scenario"], names)
    stats = stats.sort_values("measure", kind="stable", key=_measure_order(names))
    stats = stats.reset_index(drop=True)
    reference = per_run["scenario"].iloc[0] if reference is None else reference
    return add_difference(stats, ["measure"], reference)


def with_scenario(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``, with a ``scenario`` column named ``ensemble`` if it has none."""
    if "scenario" in frame.columns:
        return frame
    return frame.assign(scenario="ensemble")


def _measure_order(names: list[str]):
    order = {name: i for i, name in enumerate(names)}

    def key(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == "measure" else column

    return key


def measures_to_compare(
    frame: pd.DataFrame,
    measures: Sequence[str] | None,
    allowed: Sequence[str],
    kind: str,
    table: str,
) -> list[str]:
    """The measures a comparison of places takes: ``measures``, or all of ``allowed`` there.

    Each must be a column of ``frame`` (``kind``, e.g. ``per-place``, and ``table`` name them
    in the error), and ``frame`` must hold rows: the comparison has nothing to say otherwise.
    """
    names = [m for m in allowed if m in frame.columns] if measures is None else list(measures)
    unknown = [m for m in names if m not in frame.columns]
    if unknown:
        raise AnalysisError(
            f"measures: {unknown[0]!r} is not a {kind} measure (allowed: {', '.join(allowed)})"
        )
    if frame.empty:
        raise AnalysisError(f"{table} is empty: nothing to compare")
    return names
