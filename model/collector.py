"""Mesa's DataCollector for the model's measures, at the cost of appending them.

The measures of a month are computed once, into ``model.measures``, by
:func:`coprod.model.measures.collect_measures`. Mesa's ``DataCollector.collect`` would call one
reporter per measure and deep-copy each value it returns, which costs more than some phases of a
small model's month; the values are numbers that nothing can change after they are stored, so
:class:`MeasureCollector` appends them as they are. Everything else is Mesa's: the reporters it
names, ``model_vars`` and ``get_model_vars_dataframe()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import mesa


class MeasureCollector(mesa.DataCollector):
    """A ``mesa.DataCollector`` whose model reporters read ``model.measures``."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = tuple(names)
        super().__init__(model_reporters={name: _reporter(name) for name in self._names})

    def collect(self, model: Any) -> None:
        """Append the month's measures (``model.measures``), one value per reporter."""
        measures = model.measures
        model_vars = self.model_vars
        for name in self._names:
            model_vars[name].append(measures[name])


def _reporter(name: str) -> Callable[[Any], float]:
    def report(model: Any) -> float:
        return model.measures[name]

    report.__name__ = f"report_{name}"
    return report
