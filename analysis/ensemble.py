"""Ensembles: many replicates of one scenario, as one tidy DataFrame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from coprod.analysis.seeds import replicate_seeds
from coprod.model.run import run_scenario
from coprod.model.scenario import Scenario, ScenarioError


def run_ensemble(
    scenario: Scenario | str | Path,
    replicates: int = 20,
    steps: int | None = None,
    seed: int = 0,
    client: Any = None,
) -> pd.DataFrame:
    """Run ``replicates`` runs of ``scenario`` and return them stacked.

    Every replicate's seed derives from ``seed`` through ``SeedSequence.spawn``, so the result
    does not depend on where or in which order replicates run. Columns: ``replicate``,
    ``seed``, ``step`` and every measure.
    """
    if not isinstance(scenario, Scenario):
        scenario = Scenario.load(scenario)
    if not isinstance(replicates, int) or replicates < 1:
        raise ScenarioError(f"replicates = {replicates!r} is not allowed: must be >= 1")
    if client is not None:
        raise ScenarioError("client: distributed ensembles are not available in this version")
    frames = []
    for replicate, child in enumerate(replicate_seeds(seed, replicates)):
        result = run_scenario(scenario, steps=steps, seed=child)
        frame = result.model_vars.reset_index()
        frame.insert(0, "seed", child)
        frame.insert(0, "replicate", replicate)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
