"""The co-production model: world, schedule, services, governance and measures."""

from coprod.model.core import CoProductionModel
from coprod.model.errors import CoprodError, ScenarioError
from coprod.model.run import RunResult, run_scenario
from coprod.model.scenario import Scenario

__all__ = [
    "CoProductionModel",
    "CoprodError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "run_scenario",
]
