"""The model's compiled passes (numba) read the model's constants when they run.

numba compiles a module's global values into a kernel as constants. The model's constants
(docs/ODD.md tables them) are its assumptions, which tests and analysts change at run time to
see what follows (``monkeypatch.setattr(participation, "FIRST_USE_COST", 0.0)``), so every
compiled pass takes the constants it uses as arguments, read from the module when it is
called. Kind codes (``REPORT``, ``PROPOSAL``: labels, not assumptions) may be compiled in.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import numpy as np
from numba.core.registry import CPUDispatcher

import coprod.model
from coprod import CoProductionModel, Scenario

#: Constants that label things rather than assume them.
LABELS = {"REPORT", "PROPOSAL"}


def compiled_passes() -> list[tuple[str, str, CPUDispatcher]]:
    """(module, name, kernel) of every compiled function defined in the model's modules."""
    found = []
    for info in pkgutil.iter_modules(coprod.model.__path__):
        module = importlib.import_module(f"coprod.model.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.py_func.__module__ == module.__name__:
                found.append((info.name, name, value))
    return found


def test_the_model_has_compiled_passes():
    names = {name for _, name, _ in compiled_passes()}
    assert {"_sums", "_utility_of", "_count_acts_of", "_pull_and_revert"} <= names


def test_no_compiled_pass_reads_a_constant_of_its_module():
    frozen = []
    for module_name, name, kernel in compiled_passes():
        module = importlib.import_module(f"coprod.model.{module_name}")
        for used in kernel.py_func.__code__.co_names:
            value = getattr(module, used, None)
            if (
                re.fullmatch(r"[A-Z][A-Z0-9_]*", used)
                and used not in LABELS
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            ):
                frozen.append(f"{module_name}.{name} reads {used}")
    assert frozen == []


def test_a_constant_changed_at_run_time_changes_a_compiled_pass(monkeypatch):
    from coprod.model import participation

    def contributions_made(**constants) -> float:
        for name, value in constants.items():
            monkeypatch.setattr(participation, name, value)
        model = CoProductionModel(
            Scenario.load("socialgov").with_overrides({"population.citizens": 500}), seed=2
        )
        for _ in range(6):
            model.step()
        return float(np.sum(model.citizens.contributions))

    default = contributions_made()
    assert contributions_made(REPORT_WEIGHT=2.0) > default
