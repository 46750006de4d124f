"""What one month's phases hand to each other: the step record.

``CoProductionModel.step()`` makes a fresh :class:`StepRecord` at the start of every month and
passes it to the phases in schedule order. Each field says which phase writes it and which
phases read it, so the data flow of a step can be read in one place, and a phase can be run on
its own with a record built by hand (as tests/test_phases.py does).

Nothing in the record outlives its month. State that persists from month to month lives with
its owner instead: agents' arrays (``model.citizens``, ``model.administrations``, ...), the
neighbourhoods' visible-need record and service quality (``model.hoods``), the local governance,
and ``CoProductionModel.resolved_window`` (the inputs resolved, and resolved in time, in each of
the last 12 months, which the model-level responsiveness pools).

Array fields are None until the phase that writes them has run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class StepRecord:
    """The quantities one month's phases pass on to later phases of the same month."""

    # ---------------------------------------------------------------- events: the month's terms
    budget_multiplier: float = 1.0
    """Scale of budget and staff from active budget cuts.

    Written by events; read by inputs (staff capacity) and allocation (budget, overhead).
    """

    need_multiplier: float = 1.0
    """Scale of every citizen's need from active demand shocks.

    Written by events; read by participation (most unmet domain), allocation (true need) and
    production (needs met).
    """

    platform_up: bool = True
    """False during a platform outage: no digital channel, adoption, traces or open data.

    Written by events; read by participation (channel cost, adoption), partners (open data and
    services) and allocation (platform traces).
    """

    # ---------------------------------------------------------------- participation
    hours: np.ndarray | None = None
    """Hours each citizen gave to co-production and co-creation this month (per citizen row).

    Written by participation; read by measures (burden).
    """

    adopting_peers: np.ndarray | None = None
    """Each citizen's share of network neighbours who have adopted the platform (float32).

    Written by participation (the month's decisions, in the same pass over the network as the
    participating neighbours) when adoption diffuses this month; read by the adoption phase.
    """

    heard_trust: np.ndarray | None = None
    """Each citizen's neighbours' mean trust at the start of the month (0 without ties).

    Written by participation, in the same pass over the network as the participating
    neighbours, where neighbours' trust moves trust (``behaviour.trust_social_influence`` above
    0): no phase in between changes trust. Read by feedback, which otherwise takes its own pass.
    """

    # ---------------------------------------------------------------- partners
    sponsored: np.ndarray | None = None
    """``(hoods, domains)`` resources engaged businesses add to their services (money units).

    Written by partners (businesses); read by allocation (added to the cells, and the cells
    captured resources are pulled towards).
    """

    lobbying: np.ndarray | None = None
    """Business rows that lobbied for allocation in their favour this month and were not caught.

    Written by partners (businesses); read by allocation (capture, towards their cells).
    """

    data_services: np.ndarray | None = None
    """``(municipalities, domains)`` productivity gain from businesses reusing open data.

    Written by partners (businesses); read by production.
    """

    outreach_need: np.ndarray | None = None
    """``(hoods, domains)`` need that outreach made visible, or None when nobody does outreach.

    Written by partners (organisations); read by allocation (the visible-need record).
    """

    # ---------------------------------------------------------------- inputs: outcomes
    # Each outcome field holds the citizen rows who had that experience this month, each row
    # once (sorted), however many of the citizen's inputs had it.

    acted: np.ndarray | None = None
    """Citizen rows with a report handled soundly. Written by inputs; read by feedback."""

    accepted: np.ndarray | None = None
    """Citizen rows with a proposal accepted. Written by inputs; read by feedback."""

    rejected: np.ndarray | None = None
    """Citizen rows with a proposal rejected.

    Written by inputs; read by feedback and participation (dropout).
    """

    wronged: np.ndarray | None = None
    """Citizen rows who suffered an uncorrected wrong decision.

    Written by inputs; read by feedback and participation (dropout).
    """

    corrected_late: np.ndarray | None = None
    """Citizen rows whose wrong decision an appeal corrected (not a review).

    Written by inputs; read by feedback.
    """

    ignored: np.ndarray | None = None
    """Citizen rows with an input expired unanswered.

    Written by inputs; read by feedback and participation (dropout).
    """

    handled_in_time: np.ndarray | None = None
    """Inputs per municipality handled within the target delay.

    Written by inputs (which also derives the administrations' responsiveness from it); read by
    measures (model-level responsiveness).
    """

    unlawful_grants: np.ndarray | None = None
    """Claims per municipality granted this month though the rules do not entitle them, and
    not caught by a review.

    Written by inputs (through ``decisions.judge_cases``); read by allocation, which adds them
    to the administrations' uncorrected errors (lawfulness).
    """

    reported_need: np.ndarray | None = None
    """``(hoods, domains)`` need that acted-upon reports made visible.

    Written by inputs; read by allocation (the visible-need record).
    """

    # ---------------------------------------------------------------- production
    useful_output: np.ndarray | None = None
    """Need met per municipality, summed over citizens and domains.

    Written by production; read by measures (efficiency).
    """

    gross_output: np.ndarray | None = None
    """Service level times residents per municipality, summed over domains.

    Written by production; read by measures (efficiency).
    """

    # ---------------------------------------------------------------- measures
    municipality_public_value: np.ndarray | None = None
    """Public value per municipality this month; None when municipalities are not measured.

    Written by the measures phase (``CoProductionModel._collect``) from the per-municipality
    measures, which are computed with several municipalities or an innovation process; read by
    the model-level measures (outcome spread).
    """
