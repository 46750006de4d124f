"""coprod: an agent-based simulation of co-creation and co-production of public services.

Public API::

    from coprod import Scenario, CoProductionModel, run_scenario, run_ensemble
"""

from importlib.metadata import PackageNotFoundError, version

from coprod.analysis.ensemble import run_ensemble
from coprod.model import (
    CoprodError,
    CoProductionModel,
    RunResult,
    Scenario,
    ScenarioError,
    run_scenario,
)

try:
    __version__ = version("coprod")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0.0.0"

__all__ = [
    "CoProductionModel",
    "CoprodError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "run_ensemble",
    "run_scenario",
]
