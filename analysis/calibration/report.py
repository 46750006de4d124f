"""The report of a calibration folder: what was fitted to what, the posterior, the checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coprod.analysis.calibration.output import NOT_IDENTIFIED, WEAKLY_IDENTIFIED
from coprod.analysis.report import ReportError, Section


def _table(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise ReportError(f"{folder}: {name} is missing; was the calibration interrupted?")
    return pd.read_csv(path)


def calibration_report(folder: Path, info: dict) -> tuple[str, list, list[Section]]:
    """Title, facts and sections of a ``coprod calibrate`` folder's report."""
    summary = _table(folder, "summary.csv")
    generations = _table(folder, "generations.csv")
    predictive = _table(folder, "predictive.csv")
    progress = Section(
        "Generations",
        tables=[
            generations.assign(
                generation=generations["generation"] + 1,
                acceptance_rate=generations["acceptance_rate"].map(lambda v: f"{v:.1%}"),
                epsilon=generations["epsilon"].map(lambda v: f"{v:.4g}"),
            )
        ],
    )
    names = ["marginals.png", "pairs.png", "predictive.png", "generations.png"]
    figures = Section("Figures", figures=[folder / n for n in names if (folder / n).is_file()])
    return (
        f"coprod calibration: {info.get('name')}",
        _facts(info, generations),
        [_posterior(summary, info), _check(predictive), progress, figures],
    )


def _facts(info: dict, generations: pd.DataFrame) -> list[tuple[str, str]]:
    last = generations.iloc[-1]
    facts = [
        ("kind", "calibration (ABC-SMC, pyabc)"),
        ("calibration", f"{info.get('name')}: {info.get('description') or ''}".rstrip(": ")),
        ("base scenario", str(info.get("scenario"))),
        ("months", str(info.get("steps"))),
        ("seed", str(info.get("seed"))),
        ("particles per generation", str(info.get("population"))),
        (
            "generations",
            f"{len(generations)} (of at most {info.get('max_generations')}); final epsilon "
            f"{last['epsilon']:.4g}; {int(generations['simulations'].sum())} simulations",
        ),
    ]
    return facts


def _posterior(summary: pd.DataFrame, info: dict) -> Section:
    rows = []
    for _, r in summary.iterrows():
        row = {
            "parameter": r["parameter"],
            "prior": r["prior"],
            "prior 90%": f"{r['prior_low']:.4g} – {r['prior_high']:.4g}",
            "scenario value": f"{r['default']:.4g}",
            "posterior median": f"{r['median']:.4g}",
            "posterior 90%": f"{r['low']:.4g} – {r['high']:.4g}",
            "mean": f"{r['mean']:.4g}",
        }
        if "width_ratio" in summary.columns:  # folders written before the check lack it
            row["width / prior"] = f"{r['width_ratio']:.2f}"
            row["identified"] = r["identified"]
        rows.append(row)
    text = [
        "Weighted particles of the last generation. The 90% credible interval runs from "
        "the 5% to the 95% weighted quantile; `width / prior` is its width over the prior's "
        "90% interval (in the logarithm for log priors). Above "
        f"{NOT_IDENTIFIED:g} the observations do not identify the parameter, above "
        f"{WEAKLY_IDENTIFIED:g} only weakly. `posterior.parquet` holds the particles; "
        "`coprod compare ... --posterior` draws from them."
    ]
    statement = info.get("identification")
    if statement:
        text.append("Identification: " + "; ".join(statement) + ".")
    return Section("Posterior", text=text, tables=[pd.DataFrame(rows)])


def _check(predictive: pd.DataFrame) -> Section:
    targets = predictive[predictive["group"].str.startswith("target")]
    series = predictive[predictive["group"].str.startswith("series")]
    check_rows = [
        {
            "observed": f"{r['measure']}, months {int(r['first'])}–{int(r['last'])}",
            "value ± sd": f"{r['observed']:.4g} ± {r['sd']:.3g}",
            "simulated mean": f"{r['mean']:.4g}",
            "simulated 90%": f"{r['low']:.4g} – {r['high']:.4g}",
        }
        for _, r in targets.iterrows()
    ]
    for _, rows_of in series.groupby("group", sort=False):
        inside = rows_of["observed"].between(rows_of["low"], rows_of["high"])
        gap = (rows_of["mean"] - rows_of["observed"]).abs().mean()
        check_rows.append(
            {
                "observed": f"{rows_of['measure'].iloc[0]}, series ({len(rows_of)} months)",
                "value ± sd": _series_sd(rows_of["sd"]),
                "simulated mean": f"mean |difference| {gap:.3g}",
                "simulated 90%": f"covers {int(inside.sum())} of {len(rows_of)} months",
            }
        )
    return Section(
        "Posterior-predictive check",
        text=[
            "Each observation against the simulated values of the last generation's particles. "
            "Only these observations were used to fit; every other pattern remains an "
            "independent check (`coprod validate`)."
        ],
        tables=[pd.DataFrame(check_rows)],
    )


def _series_sd(sds: pd.Series) -> str:
    """A series' sd, or the range of its months' own sds."""
    low, high = float(sds.min()), float(sds.max())
    return f"sd {low:.3g}" if low == high else f"sd {low:.3g} to {high:.3g}"
