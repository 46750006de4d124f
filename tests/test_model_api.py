import math

import mesa
import numpy as np
import pandas as pd
import pytest

from coprod import CoProductionModel, Scenario, run_scenario
from coprod.agents import Administration, Business, Citizen, CommunityOrganisation
from coprod.model.measure_registry import measure
from coprod.model.measures import MEASURES
from coprod.model.scenario import scenario_names
from helpers import scenario

DESIGN_COLUMNS = [
    "participation_rate",
    "coproduction_rate",
    "cocreation_rate",
    "participation_gap",
    "contribution_gini",
    "top10_share",
    "adoption",
    "trust",
    "efficacy",
    "intrinsic_motivation",
    "effectiveness",
    "efficiency",
    "responsiveness",
    "equality",
    "lawfulness",
    "integrity",
    "business_engagement",
    "innovations_adopted",
]


def test_model_is_a_mesa_model_with_agent_views():
    s = scenario("socialgov")
    m = CoProductionModel(s, seed=7)
    assert isinstance(m, mesa.Model)
    by_type = m.agents_by_type
    assert len(by_type[Citizen]) == 800
    assert len(by_type[Business]) == 20
    assert len(by_type[CommunityOrganisation]) == s.population.community_organisations
    assert len(by_type[Administration]) == 1
    assert m.scenario is s and m.seed == 7


def test_agent_views_read_and_write_the_arrays():
    m = CoProductionModel(scenario(), seed=1)
    citizen = next(iter(m.agents_by_type[Citizen]))
    assert citizen.trust == pytest.approx(m.citizens.trust[citizen.row])
    citizen.trust = 0.123
    assert m.citizens.trust[citizen.row] == pytest.approx(0.123)
    m.step()
    assert citizen.contributions == pytest.approx(m.citizens.contributions[citizen.row])


def test_step_counts_and_collects_one_row_per_step():
    m = CoProductionModel(scenario(), seed=1)
    for _ in range(5):
        m.step()
    assert m.steps == 5
    frame = m.model_vars
    assert list(frame.index) == [0, 1, 2, 3, 4, 5]  # step 0: the initial state
    assert frame.index.name == "step"


def test_run_result_carries_scenario_seed_and_every_design_column():
    s = scenario("socialgov")
    r = run_scenario(s, steps=12, seed=7)
    assert r.scenario is s and r.seed == 7
    assert list(r.model_vars.index) == list(range(13))
    assert set(DESIGN_COLUMNS) <= set(r.model_vars.columns)
    assert list(r.model_vars.columns) == list(MEASURES)


def test_same_scenario_and_seed_give_identical_measures():
    s = scenario("socialgov")
    a = run_scenario(s, steps=24, seed=3).model_vars
    b = run_scenario(s, steps=24, seed=3).model_vars
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_different_seeds_give_different_runs():
    s = scenario("socialgov")
    a = run_scenario(s, steps=12, seed=3).model_vars
    b = run_scenario(s, steps=12, seed=4).model_vars
    assert not np.allclose(a["participation_rate"], b["participation_rate"])


def test_seed_zero_is_a_seed_not_none():
    s = scenario()
    a = run_scenario(s, steps=6, seed=0)
    b = run_scenario(s, steps=6, seed=0)
    assert a.seed == 0
    pd.testing.assert_frame_equal(a.model_vars, b.model_vars, check_exact=True)


def test_run_scenario_uses_the_scenario_horizon_by_default():
    s = scenario().with_overrides({"steps": 9})
    assert run_scenario(s, seed=1).model_vars.index.max() == 9


def test_model_accepts_a_scenario_name():
    m = CoProductionModel("traditional", seed=2)
    assert m.scenario.name == "traditional"


RANGES_01 = [c for c in MEASURES if measure(c).range == (0.0, 1.0)]
UNBOUNDED = [c for c in MEASURES if measure(c).range == (0.0, math.inf)]


@pytest.mark.parametrize("name", scenario_names())
def test_measures_stay_in_their_ranges_and_are_finite(name):
    s = Scenario.load(name).with_overrides({"population.citizens": 600})
    frame = run_scenario(s, steps=s.steps, seed=5).model_vars
    # step 0 leaves undefined (NaN) what has not happened yet; every month is measured, but
    # the monthly share of inputs handled in time in a month with nothing resolved
    months = frame.loc[1:].drop(columns="responsiveness_month")
    assert np.isfinite(months.to_numpy()).all()
    frame = frame.fillna({"responsiveness_month": 0.5}).loc[1:]
    assert ((frame[RANGES_01] >= 0) & (frame[RANGES_01] <= 1)).all().all()
    assert frame["participation_gap"].between(-1, 1).all()
    assert (frame[UNBOUNDED] >= 0).all().all()
    assert {"backlog", "spending_per_capita", "burden_q1", "coproducer_hours"} <= set(UNBOUNDED)
    assert (frame["innovations_adopted"].diff().dropna() >= 0).all()


def test_spending_never_exceeds_budget():
    s = scenario("socialgov", governance__capacity=10.0, governance__incentives="monetary")
    m = CoProductionModel(s, seed=1)
    for _ in range(24):
        m.step()
        assert (m.administrations.spending <= m.administrations.budget + 1e-9).all()


def test_citizen_frame_and_network_graph():
    m = CoProductionModel(scenario(), seed=1)
    frame = m.citizen_frame()
    assert len(frame) == 800
    assert {"trust", "ses", "need_care", "adopted"} <= set(frame.columns)
    acts = {"acts", "reports", "deliveries", "proposals", "contributions"}
    assert acts <= set(frame.columns)
    for _ in range(12):
        m.step()
    frame = m.citizen_frame()
    assert (frame.acts == frame.reports + frame.deliveries + frame.proposals).all()
    assert frame.acts.sum() > 0
    graph = m.network_graph()
    assert graph.number_of_nodes() == 800
    degrees = np.array([d for _, d in graph.degree()])
    assert 4 <= degrees.mean() <= 8


def test_network_is_mostly_within_neighbourhoods():
    m = CoProductionModel(scenario(), seed=1)
    rows, cols = m.adjacency.nonzero()
    same = (m.citizens.hood[rows] == m.citizens.hood[cols]).mean()
    assert 0.9 < same < 1.0


def test_neighbourhoods_differ_in_status():
    m = CoProductionModel(scenario(), seed=1)
    means = m.cell_mean_by_hood(m.citizens.ses)
    assert means.max() - means.min() > 0.25


def test_literacy_rises_with_status_and_falls_with_age():
    m = CoProductionModel(Scenario().with_overrides({"population.citizens": 5000}), seed=1)
    c = m.citizens
    assert np.corrcoef(c.literacy, c.ses)[0, 1] > 0.2
    assert np.corrcoef(c.literacy, c.age)[0, 1] < -0.2


def test_several_municipalities_are_measured_each():
    s = scenario(population__municipalities=3, population__neighbourhoods=4)
    r = run_scenario(s, steps=5, seed=2)
    mv = r.municipality_vars
    assert len(mv) == 15
    assert sorted(mv.municipality.unique()) == [0, 1, 2]
    last = mv[mv.step == 5]
    assert last.participation_rate.mean() == pytest.approx(
        r.model_vars.participation_rate.iloc[-1], abs=0.01
    )
