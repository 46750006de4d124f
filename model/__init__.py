"""The co-production model: world, schedule, services, governance and measures."""

from coprod.model.core import CoProductionModel
from coprod.model.run import RunResult, run_scenario
from coprod.model.scenario import Scenario, ScenarioError

__all__ = ["CoProductionModel", "RunResult", "Scenario", "ScenarioError", "run_scenario"]
