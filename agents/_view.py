"""Thin agent views: a Mesa agent whose attributes read and write one row of NumPy arrays.

The model keeps each agent kind's state as a struct of arrays so that a step is computed for all
agents at once. A view makes one row look like an ordinary Mesa agent, so ``model.agents``,
inspection in a notebook and the dashboard work as usual without a Python loop on the hot path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mesa


class Column:
    """Descriptor exposing ``state.<name>[row]`` of the agent's kind as an attribute."""

    def __init__(self, doc: str = "") -> None:
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        value = getattr(agent.state, self.name)[agent.row]
        return value.item() if hasattr(value, "item") and value.ndim == 0 else value

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(agent.state, self.name)[agent.row] = value


def row_view(names: str) -> Callable[[type], type]:
    """Class decorator giving a view one :class:`Column` attribute per state array named.

    A view names the arrays it shows once, in one place (``names``: separated by white space, as
    for ``namedtuple``; their meaning is in the class docstring's ``Attributes``), instead of a
    descriptor line each; arrays it does not name, such as a kind's internal bookkeeping, stay
    off the Mesa agent.
    """

    def decorate(cls: type) -> type:
        for name in names.split():
            column = Column(f"``state.{name}`` at this agent's row")
            column.__set_name__(cls, name)
            setattr(cls, name, column)
        return cls

    return decorate


class ArrayAgent(mesa.Agent):
    """A Mesa agent that is a view onto row ``row`` of a struct-of-arrays ``state``."""

    def __init__(self, model: mesa.Model, state: Any, row: int) -> None:
        super().__init__(model)
        self.state = state
        self.row = row

    def __repr__(self) -> str:
        return f"{type(self).__name__}(unique_id={self.unique_id}, row={self.row})"
