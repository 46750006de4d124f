"""coprod: an agent-based simulation of co-creation and co-production of public services.

Public API::

    from coprod import Scenario, CoProductionModel, run_scenario, run_ensemble

The names are loaded on first use, so ``import coprod`` (and the ``coprod`` command's help and
one-line errors) do not wait for Mesa, pandas or Dask.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from coprod.lazy import lazy_names
from coprod.model import __all__ as _model_names

try:
    __version__ = version("coprod")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0.0.0"

#: Public name -> module that defines it.
_EXPORTS = {"run_ensemble": "coprod.analysis.runs.ensemble"} | {
    name: "coprod.model" for name in _model_names
}
#: The subpackages, also loaded on first use (``coprod.model``, ``coprod.analysis``, ...).
_SUBPACKAGES = ("model", "agents", "analysis", "dashboard", "scenarios")

#: The model's public names with the ensemble runner and the version, in sorted order.
__all__ = sorted(["__version__", *_EXPORTS])
_getattr, __dir__ = lazy_names(__name__, _EXPORTS, globals())


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return import_module(f"coprod.{name}")
    return _getattr(name)
