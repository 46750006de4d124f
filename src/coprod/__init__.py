"""coprod: an agent-based simulation of co-creation and co-production of public services.

Public API::

    from coprod import Scenario, CoProductionModel, run_scenario, run_ensemble
"""

from importlib.metadata import PackageNotFoundError, version

from coprod import model
from coprod.analysis.ensemble import run_ensemble
from coprod.model import *  # noqa: F403 - the model's public names are coprod's

try:
    __version__ = version("coprod")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0.0.0"

#: The model's public names with the ensemble runner and the version, in sorted order.
__all__ = ["__version__", "run_ensemble", *model.__all__]
__all__.sort()
