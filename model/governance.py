"""Governance in force in each municipality, as arrays indexed by municipality.

A scenario sets the same rules everywhere; innovations between municipalities then change them
locally (Evers & Ewert 2021: co-productive services emerge as local social innovations). Every
phase reads the rules from here, indexed by the municipality of the agent or cell concerned, so
a mixed landscape of rules is computed as fast as a uniform one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coprod.model.rules import (
    FEATURE_COST,
    ICT_ROLES,
    INCENTIVE_COST,
    INCENTIVE_UTILITY,
    PARADIGMS,
)
from coprod.model.scenario import Governance, Platform, Scenario

#: The settings that can differ between municipalities, as dotted scenario keys.
LOCAL_KEYS = tuple(
    [f"governance.{k}" for k in Governance.model_fields if k != "innovation"]
    + [f"platform.{k}" for k in Platform.model_fields]
)

#: Rules each municipality takes from its governance paradigm, under the paradigm's own names.
PARADIGM_RULES = ("delivery", "cocreation", "invitation", "acceptance", "business_openness")

#: Rules each municipality takes from its ICT role, under the role's own names (and
#: ``human_error``, the role's ``error_rate``).
ROLE_RULES = (
    "platform",
    "speed",
    "assessment_cost",
    "data_weight",
    "platform_traces",
    "automated",
)


class LocalGovernance:
    """The rules of each municipality: settings as given, and the arrays derived from them."""

    def __init__(self, scenario: Scenario, municipalities: int) -> None:
        base = {
            **{f"governance.{k}": v for k, v in scenario.governance.model_dump().items()},
            **{f"platform.{k}": v for k, v in scenario.platform.model_dump().items()},
        }
        base.pop("governance.innovation")
        self.base: dict[str, Any] = dict(base)  # the scenario's settings, the same everywhere
        self.settings: list[dict[str, Any]] = [dict(base) for _ in range(municipalities)]
        self._derive()

    def __len__(self) -> int:
        return len(self.settings)

    def get(self, municipality: int, key: str) -> Any:
        """The value of a dotted key in one municipality."""
        return self.settings[municipality][key]

    def set(self, municipality: int, key: str, value: Any) -> Any:
        """Change one setting in one municipality; returns the value it replaced."""
        if key not in LOCAL_KEYS:
            raise KeyError(f"{key!r} cannot differ between municipalities; allowed: {LOCAL_KEYS}")
        previous = self.settings[municipality][key]
        self.settings[municipality][key] = value
        self._derive()
        return previous

    def _column(self, key: str, dtype: Any = float) -> np.ndarray:
        return np.array([s[key] for s in self.settings], dtype=dtype)

    def _derive(self) -> None:
        paradigms = [PARADIGMS[s["governance.paradigm"]] for s in self.settings]
        roles = [ICT_ROLES[s["governance.ict_role"]] for s in self.settings]
        for name in PARADIGM_RULES:
            setattr(self, name, np.array([getattr(p, name) for p in paradigms]))
        for name in ROLE_RULES:
            setattr(self, name, np.array([getattr(r, name) for r in roles]))
        self.human_error = np.array([r.error_rate for r in roles])
        self.transformative = self._column("governance.ict_role", object) == "transformative"
        self.offline_channel = self._column("governance.offline_channel", bool)
        self.human_review = self._column("governance.human_review")
        self.appeals = self._column("governance.appeals", bool)
        self.inclusion_outreach = self._column("governance.inclusion_outreach")
        self.capacity = self._column("governance.capacity")
        self.budget = self._column("governance.budget")
        incentives = self._column("governance.incentives", object)
        self.monetary = incentives == "monetary"
        self.recognition = incentives == "recognition"
        self.incentive_utility = np.array([INCENTIVE_UTILITY[i] for i in incentives])
        self.incentive_cost = np.array([INCENTIVE_COST[i] for i in incentives])
        for feature in ("open_data", "open_services", "open_processes", "personalisation"):
            # a platform feature acts only where a platform exists
            setattr(self, feature, self._column(f"platform.{feature}", bool) & self.platform)
        self.platform_cost = np.array([r.platform_cost for r in roles]) + sum(
            share * getattr(self, name) for name, share in FEATURE_COST.items()
        )
        # rules every municipality shares are read as one scalar, without a per-citizen gather
        self._uniform = {
            name: bool(np.all(value == value[0]))
            for name, value in vars(self).items()
            if isinstance(value, np.ndarray) and value.ndim == 1 and len(value)
        }

    def at(self, name: str, where: np.ndarray) -> Any:
        """Rule ``name`` for each municipality index in ``where``; a scalar when all agree."""
        values = getattr(self, name)
        if self._uniform.get(name, False):
            return values[0]
        return values[where]
