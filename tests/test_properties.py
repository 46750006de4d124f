"""Property-based tests over the space of valid scenarios (Hypothesis).

A strategy draws scenarios from inside the schema's ranges: governance, platform, population,
behaviour, services, administration and innovation settings, with small worlds (60-400
citizens, 1-3 municipalities), few months (3-15) and optional events. For every drawn scenario
a run must finish with finite measures inside their documented ranges (docs/ODD.md), spending
never above budget, agent counts unchanged, and the same seed must give the same measures.

``EXAMPLES`` records how many scenarios each property is tried on; docs/reliability.md reports
the totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod.model.core import CoProductionModel
from coprod.model.measures import MEASURES, NOT_BEFORE_FIRST_MONTH, UNDEFINED_WITHOUT_DENOMINATOR
from coprod.model.run import run_scenario
from coprod.model.scenario import (
    EVENT_KINDS,
    ICT_ROLES,
    INCENTIVES,
    INNOVATIONS,
    PARADIGMS,
    Behaviour,
    Scenario,
)

#: Scenarios tried per property (``max_examples``).
EXAMPLES = {"run_invariants": 400, "same_seed_same_run": 120}

#: Measures bounded by [-1, 1]; every other measure not listed below by [0, 1], exactly (no
#: slack for rounding: efficiency is capped at 1, ``test_efficiency_never_exceeds_one``).
SIGNED = {"participation_gap", "innovation_benefit"}
#: Measures with only a lower bound of 0 (``innovations_adopted`` also has an upper bound).
NON_NEGATIVE = (
    {"backlog", "spending_per_capita", "innovations_adopted", "outcome_spread"}
    | {f"burden_q{q}" for q in range(1, 6)}
    | {"coproducer_hours"}
    | {"innovations_fit", "innovations_misfit"}
)


def _tried(prop: str):
    """Hypothesis settings for a property tried on ``EXAMPLES[prop]`` scenarios."""
    return settings(
        max_examples=EXAMPLES[prop],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def _fraction():
    return st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def scenarios(draw) -> Scenario:
    """A valid scenario with a small world and few months."""
    citizens = draw(st.integers(60, 400))
    municipalities = draw(st.integers(1, 3))
    neighbourhoods = draw(st.integers(1, min(8, citizens // (5 * municipalities))))
    steps = draw(st.integers(3, 15))
    population = {
        "citizens": citizens,
        "businesses": draw(st.integers(0, 20)),
        "community_organisations": draw(st.integers(0, 5)),
        "municipalities": municipalities,
        "neighbourhoods": neighbourhoods,
        "ses_segregation": draw(_fraction()),
        "municipality_diversity": draw(_fraction()),
    }
    governance = {
        "paradigm": draw(st.sampled_from(PARADIGMS)),
        "ict_role": draw(st.sampled_from(ICT_ROLES)),
        "offline_channel": draw(st.booleans()),
        "human_review": draw(_fraction()),
        "appeals": draw(st.booleans()),
        "inclusion_outreach": draw(_fraction()),
        "incentives": draw(st.sampled_from(INCENTIVES)),
        "capacity": draw(st.floats(0.01, 20.0)),
        "budget": draw(st.floats(0.01, 10.0)),
        "innovation": draw(st.sampled_from(INNOVATIONS)),
    }
    platform = {
        key: draw(st.booleans())
        for key in ("open_data", "open_services", "open_processes", "personalisation")
    }
    behaviour = {"participation_base": draw(st.floats(-20.0, 20.0))}
    for key in (
        "weight_motivation",
        "weight_efficacy",
        "weight_trust",
        "weight_need",
        "weight_peers",
        "weight_cost",
        "weight_habit",
    ):
        behaviour[key] = draw(st.floats(0.0, 20.0))
    for key in (
        "adoption_innovation",
        "adoption_imitation",
        "learning_rate",
        "crowding_out",
    ):
        behaviour[key] = draw(_fraction())
    services = {
        "domains": draw(
            st.lists(
                st.sampled_from(["public_space", "care", "mobility", "waste", "youth"]),
                min_size=1,
                max_size=4,
                unique=True,
            )
        ),
        "substitution": draw(st.floats(-5.0, 0.95)),
        "coproducer_weight": draw(_fraction()),
        "baseline_effort": draw(st.floats(0.0, 5.0)),
    }
    administration = {
        "target_delay": draw(st.integers(0, 24)),
        "expiry": draw(st.integers(1, 60)),
        "algorithm_error": draw(_fraction()),
        "staff_per_capita": draw(st.floats(0.001, 1.0)),
    }
    innovation_process = {
        "peer_ties": draw(st.integers(1, 5)),
        "experiment_rate": draw(_fraction()),
        "trial_months": draw(st.integers(2, 12)),
        "evaluation_window": draw(st.integers(1, 6)),
        "evaluation_noise": draw(_fraction()),
        "pilot_municipalities": draw(st.integers(1, 4)),
        "pilot_months": draw(st.integers(2, 12)),
        "evaluation_delay": draw(st.integers(0, 6)),
        "central_noise": draw(_fraction()),
        "peer_review": draw(st.booleans()),
    }
    events = []
    for _ in range(draw(st.integers(0, 3))):
        event = {
            "step": draw(st.integers(1, steps)),
            "kind": draw(st.sampled_from(EVENT_KINDS)),
            "size": draw(_fraction()),
        }
        if draw(st.booleans()):
            event["duration"] = draw(st.integers(1, 10))
        events.append(event)
    return Scenario.from_dict(
        {
            "name": "drawn",
            "steps": steps,
            "population": population,
            "governance": governance,
            "platform": platform,
            "behaviour": behaviour,
            "services": services,
            "administration": administration,
            "innovation_process": innovation_process,
            "events": events,
        }
    )


def _agent_counts(model: CoProductionModel) -> dict[str, int]:
    return {kind.__name__: len(agents) for kind, agents in model.agents_by_type.items()}


def _check_ranges(frame: pd.DataFrame, scenario: Scenario) -> None:
    assert list(frame.columns) == list(MEASURES)
    # step 0 leaves undefined what has not happened yet; any month, a ratio with nothing to
    # count (no decision, no money spent, nothing resolved): NaN there and nowhere else
    undefined = set(UNDEFINED_WITHOUT_DENOMINATOR)
    first = frame.iloc[:1]
    assert set(first.columns[first.isna().any()]) <= undefined | set(NOT_BEFORE_FIRST_MONTH) | {
        "outcome_spread"
    }
    months = frame.iloc[1:].drop(columns=list(undefined))
    values = months.to_numpy(dtype=float)
    assert np.isfinite(values).all(), months.columns[~np.isfinite(values).all(axis=0)].tolist()
    frame = frame.fillna(0.5)  # the defined values below are checked against their ranges
    most = scenario.population.municipalities * len(scenario.innovation_process.innovations)
    for name in MEASURES:
        column = frame[name]
        if name in SIGNED:
            assert column.between(-1.0, 1.0).all(), (name, column.tolist())
        elif name in NON_NEGATIVE:
            assert (column >= 0.0).all(), (name, column.tolist())
        else:
            assert column.between(0.0, 1.0).all(), (name, column.tolist())
    assert (frame["innovations_adopted"] <= most).all()
    assert (frame["outcome_spread"] <= 0.5).all(), frame["outcome_spread"].tolist()


@_tried("run_invariants")
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_every_valid_scenario_runs_within_documented_ranges(scenario, seed):
    model = CoProductionModel(scenario, seed=seed)
    citizens = len(model.citizens)
    counts = _agent_counts(model)
    assert counts["Citizen"] == citizens == scenario.population.citizens
    for _ in range(scenario.steps):
        model.step()
        adm = model.administrations
        assert np.isfinite(adm.spending).all() and np.isfinite(adm.budget).all()
        assert (adm.spending <= adm.budget * (1 + 1e-12) + 1e-12).all(), (
            model.steps,
            adm.spending.tolist(),
            adm.budget.tolist(),
        )
        assert (adm.spending >= 0).all()
        # the backlog counts open inputs, several per citizen possible: never more than the
        # inputs submitted so far
        c = model.citizens
        assert adm.backlog.sum() == len(model.queue) <= c.reports.sum() + c.proposals.sum()
    assert len(model.citizens) == citizens
    assert _agent_counts(model) == counts
    frame = model.model_vars
    assert list(frame.index) == list(range(scenario.steps + 1))
    _check_ranges(frame, scenario)


@_tried("same_seed_same_run")
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_same_seed_gives_identical_measures(scenario, seed):
    first = run_scenario(scenario, seed=seed)
    second = run_scenario(scenario, seed=seed)
    pd.testing.assert_frame_equal(first.model_vars, second.model_vars, check_exact=True)


def test_efficiency_never_exceeds_one():
    idle = dict.fromkeys(Behaviour.model_fields, 0.0)
    scenario = Scenario.from_dict(
        {
            "steps": 3,
            "population": {
                "citizens": 117,
                "businesses": 0,
                "community_organisations": 0,
                "neighbourhoods": 1,
                "ses_segregation": 0.0,
            },
            "services": {
                "domains": ["public_space"],
                "substitution": 0.0,
                "coproducer_weight": 0.0,
                "baseline_effort": 0.0,
            },
            "governance": {
                "paradigm": "traditional",
                "ict_role": "none",
                "offline_channel": False,
            },
            "behaviour": idle,
            "administration": {
                "target_delay": 0,
                "expiry": 1,
                "algorithm_error": 0.0,
                "staff_per_capita": 1.0,
            },
            "events": [{"step": 1, "kind": "budget_cut", "size": 1.0}],
        }
    )
    frame = run_scenario(scenario, seed=0).model_vars
    # the budget cut of 100% leaves no money spent: efficiency is not defined (NaN), not 0
    spent = frame["spending_per_capita"] > 0
    assert (frame.loc[spent, "efficiency"] <= 1.0).all(), frame["efficiency"].tolist()
    assert frame.loc[~spent, "efficiency"].isna().all(), frame["efficiency"].tolist()
