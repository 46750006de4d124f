"""Posterior draws for ensembles and comparisons, so their intervals carry parameter uncertainty.

A calibration's ``posterior.parquet`` holds weighted particles: one column per calibrated
scenario key and ``weight``. Given it, replicate ``i`` of an ensemble runs with the parameter set
of particle ``k_i``, drawn with probability proportional to its weight from
``SeedSequence([seed, POSTERIOR_STREAM])``. The draws depend on the root seed and the number of
replicates only, so every scenario of a comparison gets the same draws for the same replicate
(paired), just as it gets the same replicate seeds, and the spread across replicates includes
parameter uncertainty as well as chance.

Only pandas and NumPy are needed here: comparisons with a posterior do not need pyabc.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coprod.model.errors import InputError, ScenarioError
from coprod.model.scenario import Scenario

#: Distinguishes the stream of posterior draws from the replicate seeds of the same root seed.
POSTERIOR_STREAM = 0xCA1B


class PosteriorError(InputError):
    """A posterior file or table cannot be used; the message names the file and the problem."""


def load_posterior(posterior: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Read and check a posterior: key columns and ``weight`` (non-negative, not all zero).

    Args:
        posterior: A ``posterior.parquet`` (or ``.csv``) written by ``coprod calibrate``, or
            the same as a DataFrame.

    Raises:
        PosteriorError: The file is missing or unreadable, has no ``weight`` or no parameter
            column, or holds weights or values that are not finite numbers.
    """
    source = "posterior"
    if not isinstance(posterior, pd.DataFrame):
        path = Path(posterior)
        source = str(path)
        try:
            if path.suffix == ".csv":
                posterior = pd.read_csv(path)
            else:
                posterior = pd.read_parquet(path)
        except FileNotFoundError:
            raise PosteriorError(f"posterior file not found: {path}") from None
        except Exception as exc:  # pyarrow raises several kinds for a file that is not Parquet
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise PosteriorError(f"cannot read posterior {path}: {reason}") from None
    if "weight" not in posterior.columns:
        raise PosteriorError(f"{source}: no 'weight' column; give a coprod posterior.parquet")
    keys = [c for c in posterior.columns if c != "weight"]
    if not keys or posterior.empty:
        raise PosteriorError(f"{source}: no parameter columns or no particles")
    frame = posterior[[*keys, "weight"]]
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise PosteriorError(f"{source}: every column must hold numbers") from None
    weights = values[:, -1]
    if not np.isfinite(values).all() or (weights < 0).any() or weights.sum() <= 0:
        raise PosteriorError(
            f"{source}: values and weights must be finite, weights >= 0 and not all zero"
        )
    return frame.reset_index(drop=True)


def posterior_draws(
    posterior: str | Path | pd.DataFrame, replicates: int, seed: int
) -> pd.DataFrame:
    """The parameter set of each replicate, drawn from the weighted posterior.

    Returns:
        One row per replicate: ``replicate``, ``particle`` (the row of the posterior drawn) and
        one column per key.
    """
    frame = load_posterior(posterior)
    weights = frame["weight"].to_numpy(dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), POSTERIOR_STREAM]))
    rows = rng.choice(len(frame), size=int(replicates), replace=True, p=weights / weights.sum())
    draws = frame.drop(columns="weight").iloc[rows].reset_index(drop=True)
    draws.insert(0, "particle", rows)
    draws.insert(0, "replicate", np.arange(int(replicates)))
    return draws


def scenarios_with_draws(
    scenario: Scenario, draws: pd.DataFrame, where: str = "posterior"
) -> list[Scenario]:
    """``scenario`` with each replicate's drawn parameters set.

    Raises:
        PosteriorError: A column is not a key of the scenario, or a value is outside its range.
    """
    keys = [c for c in draws.columns if c not in ("replicate", "particle")]
    result = []
    for row in draws[keys].itertuples(index=False):
        overrides: dict[str, Any] = {k: float(v) for k, v in zip(keys, row, strict=True)}
        try:
            result.append(scenario.with_overrides(overrides))
        except ScenarioError as exc:
            raise PosteriorError(f"{where}: {str(exc).removeprefix('override: ')}") from None
    return result
