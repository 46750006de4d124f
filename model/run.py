"""Running a scenario: one run to a :class:`RunResult`, reproducible from scenario and seed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coprod.model.core import CoProductionModel
from coprod.model.places import Places
from coprod.model.scenario import Scenario, ScenarioError


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run: measures per step, and what produced them.

    ``municipality_status`` is each municipality's mean socio-economic status (index: the
    municipality), drawn with the world and fixed for the run. ``place_vars`` has one row per
    step and neighbourhood (``CoProductionModel.place_vars``); ``places`` is the places table
    with its geometry when the scenario names one (``population.places``), else None.
    """

    model_vars: pd.DataFrame
    scenario: Scenario
    seed: int
    municipality_vars: pd.DataFrame = field(default_factory=pd.DataFrame)
    innovations: pd.DataFrame = field(default_factory=pd.DataFrame)
    municipality_status: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    place_vars: pd.DataFrame = field(default_factory=pd.DataFrame)
    places: Places | None = None


def run_scenario(
    scenario: Scenario | str | Path, steps: int | None = None, seed: int | None = None
) -> RunResult:
    """Run ``scenario`` for ``steps`` months (default: the scenario's ``steps``) from ``seed``."""
    if not isinstance(scenario, Scenario):
        scenario = Scenario.load(scenario)
    if steps is None:
        steps = scenario.steps
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ScenarioError(f"steps = {steps!r} is not allowed: must be a whole number >= 1")
    model = CoProductionModel(scenario, seed=seed)
    for _ in range(steps):
        model.step()
    # the result holds no reference to the model, so an ensemble's finished models can be freed
    # (Mesa registers a model in a class-level dict only when an agent is created, and the run
    # never asks for the agent views that would create them)
    return RunResult(
        model_vars=model.model_vars,
        scenario=model.scenario,
        seed=model.seed,
        municipality_vars=model.municipality_vars,
        innovations=model.innovation_summary(),
        municipality_status=pd.Series(model.municipality_mean(model.citizens.ses), name="status"),
        place_vars=model.place_vars,
        places=model.places,
    )
