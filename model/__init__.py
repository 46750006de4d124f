"""The co-production model: world, schedule, services, governance and measures.

The public names are loaded on first use, so importing a light module of the package (its
errors, the measure registry) does not load Mesa and pandas.
"""

from __future__ import annotations

from coprod.lazy import lazy_names

#: Public name -> module that defines it.
_EXPORTS = {
    "CoProductionModel": "coprod.model.core",
    "CoprodError": "coprod.model.errors",
    "RunResult": "coprod.model.run",
    "Scenario": "coprod.model.scenario",
    "ScenarioError": "coprod.model.errors",
    "run_scenario": "coprod.model.run",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_names(__name__, _EXPORTS, globals())
