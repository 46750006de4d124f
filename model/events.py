"""Timed events: budget cut, demand shock, platform outage, trust scandal.

An event starts at its ``step`` and, where it has a ``duration``, ends after that many months;
a budget cut or demand shock without a duration is permanent, a platform outage without one
lasts three months, a trust scandal is a one-off drop of every citizen's trust by ``size``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.scenario import Event
    from coprod.model.step_record import StepRecord

#: Months a platform outage lasts when the scenario gives no duration.
DEFAULT_OUTAGE = 3


def active(event: Event, step: int) -> bool:
    """Whether ``event`` is in force at ``step``."""
    if step < event.step:
        return False
    duration = event.duration
    if duration is None:
        duration = DEFAULT_OUTAGE if event.kind == "platform_outage" else None
    return duration is None or step < event.step + duration


def apply_events(model: CoProductionModel, record: StepRecord) -> None:
    """Set this month's budget and need multipliers and platform status; apply scandals.

    The multipliers and platform status go into ``record`` for the later phases of the month;
    a scandal changes the citizens' trust itself, which persists.
    """
    budget, need, up, scandals = month_effects(model.events, model.steps)
    for factor in scandals:
        model.citizens.trust *= factor
    record.budget_multiplier = budget
    record.need_multiplier = need
    record.platform_up = up


def month_effects(events: Iterable[Event], step: int) -> tuple[float, float, bool, list[float]]:
    """The events' effects at ``step``: budget and need multipliers, platform up, scandals.

    One rule for the model and the per-agent baseline benchmark: the last item lists the factor
    each scandal striking this month multiplies trust by, applied one after the other (not as
    one product) so that trust comes out the same to the last bit.
    """
    budget, need, up = 1.0, 1.0, True
    scandals = []
    for event in events:
        if event.kind == "trust_scandal":
            if event.step == step:
                scandals.append(1.0 - event.size)
            continue
        if not active(event, step):
            continue
        if event.kind == "budget_cut":
            budget *= 1.0 - event.size
        elif event.kind == "demand_shock":
            need *= 1.0 + event.size
        elif event.kind == "platform_outage":
            up = False
    return budget, need, up, scandals
