"""Governance rules as tables: what each paradigm opens and what each ICT role changes.

Every number here is a model parameter documented in docs/ODD.md (section Submodels) with its
rationale. They are fixed per paradigm or role rather than scenario keys because they define the
paradigm or role; scenario keys choose between them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParadigmRule:
    """What a governance paradigm lets citizens and businesses do (Wimmer & Scherer 2018)."""

    delivery: bool  # citizens may give time to service delivery (co-production proper)
    cocreation: bool  # citizens may propose and vote on service changes (co-creation)
    invitation: float  # utility shift from being invited and recognised as a partner
    acceptance: float  # probability that a handled proposal is accepted and implemented
    business_openness: float  # base monthly propensity of a business to engage


PARADIGMS: dict[str, ParadigmRule] = {
    # the administration produces alone; citizens can only report problems or complain
    "traditional": ParadigmRule(False, False, -0.4, 0.0, 0.004),
    # co-creation of ideas only (consultation, participatory budgeting of ideas)
    "consultation": ParadigmRule(False, True, 0.0, 0.25, 0.008),
    # citizens share delivery of the services
    "coproduction": ParadigmRule(True, False, 0.2, 0.0, 0.012),
    # all actors on par on the full platform: delivery and co-creation, high acceptance
    "socialgov": ParadigmRule(True, True, 0.4, 0.45, 0.025),
}


@dataclass(frozen=True)
class IctRule:
    """What an ICT role changes in the administration (Nieuwenhuizen & Meijer 2021)."""

    platform: bool  # a digital channel for citizens exists
    speed: float  # inputs handled per unit of staff capacity
    assessment_cost: float  # share of budget spent on professional needs assessment
    data_weight: float  # weight of reports and platform data against professional assessment
    platform_traces: bool  # adopters' use of digital services is itself data on need
    automated: bool  # an algorithm decides from the data
    error_rate: float  # human error rate on full-information claims: sets assessment noise
    platform_cost: float  # share of budget spent running the platform


ICT_ROLES: dict[str, IctRule] = {
    "none": IctRule(False, 1.0, 0.10, 0.0, False, False, 0.02, 0.0),
    "instrumental": IctRule(True, 1.3, 0.08, 0.3, False, False, 0.02, 0.02),
    "transformative": IctRule(True, 1.6, 0.05, 0.7, True, False, 0.02, 0.03),
    # automated decisions err at the scenario's administration.algorithm_error instead
    "substitutive": IctRule(True, 4.0, 0.01, 1.0, True, True, 0.0, 0.03),
}

#: Extra share of budget per platform feature switched on.
FEATURE_COST = {
    "open_data": 0.005,
    "open_services": 0.005,
    "open_processes": 0.005,
    "personalisation": 0.01,
}

#: Utility shift and budget cost (money units per act) of incentives for participation.
INCENTIVE_UTILITY = {"none": 0.0, "recognition": 0.2, "monetary": 0.6}
INCENTIVE_COST = {"none": 0.0, "recognition": 0.02, "monetary": 0.3}
