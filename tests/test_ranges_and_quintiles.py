"""Intervals stay within a measure's range; quintiles are numbered 1..5 everywhere."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coprod import CoProductionModel, Scenario
from coprod.analysis.compare.comparison import compare_horizon
from coprod.analysis.stats import mean_interval, t_interval
from coprod.model.measure_registry import measure


def test_a_share_near_its_bound_gets_an_interval_inside_zero_one():
    # the case of issue 16: responsiveness 0.969 [0.901, 1.037]
    low, high = t_interval(0.969, 0.0427, 4, measure="responsiveness")
    assert high == 1.0 and low == pytest.approx(0.969 - (1.037 - 0.969), abs=1e-3)
    unbounded_low, unbounded_high = t_interval(0.969, 0.0427, 4)
    assert unbounded_high > 1.0 and unbounded_low == low


def test_each_row_is_kept_within_its_own_measures_range():
    low, high = t_interval(
        [0.02, 0.98, -0.95, 3.0, 0.5],
        [0.05, 0.05, 0.05, 1.0, 0.0],
        [3, 3, 3, 3, 1],
        measure=["trust", "lawfulness", "participation_gap", "innovations_adopted", "trust"],
    )
    assert low[0] == 0.0 and high[1] == 1.0 and low[2] == -1.0
    assert low[3] == pytest.approx(3.0 - (high[3] - 3.0)) and low[3] > 0  # lower bound 0 only
    assert np.isnan(low[4]) and np.isnan(high[4])  # one replicate: still no interval
    assert measure("participation_gap").range == (-1.0, 1.0)


def test_an_unregistered_quantity_is_not_clipped():
    assert mean_interval(np.array([0.99, 1.3, 1.1]), "not_a_measure")[2] > 1.0


def test_comparison_intervals_of_shares_stay_in_zero_one():
    rows = []
    for scenario in ("a", "b"):
        for replicate, value in enumerate((0.85, 1.0, 1.0)):  # mean 0.95, t-interval past 1
            for step in range(1, 13):
                rows.append((scenario, replicate, step, value, 1 - value))
    runs = pd.DataFrame(rows, columns=["scenario", "replicate", "step", "responsiveness", "trust"])
    horizon = compare_horizon(runs)
    assert (horizon["ci_high"] <= 1.0).all() and (horizon["ci_low"] >= 0.0).all()
    assert (horizon.loc[horizon.measure == "responsiveness", "ci_high"] == 1.0).any()


def test_citizen_frame_and_measures_number_quintiles_the_same_way():
    scenario = Scenario.load("socialgov").with_overrides({"population.citizens": 500})
    model = CoProductionModel(scenario, seed=4)
    for _ in range(3):
        model.step()
    frame = model.citizen_frame()
    assert sorted(frame["quintile"].unique()) == [1, 2, 3, 4, 5]
    bottom = frame[frame["quintile"] == 1]
    assert bottom["ses"].max() < frame.loc[frame["quintile"] == 5, "ses"].min()
    last = model.model_vars.iloc[-1]
    for q in (1, 5):
        members = frame["quintile"] == q
        assert last[f"needs_met_q{q}"] == pytest.approx(frame.loc[members, "met"].mean())
        participated = model.citizens.participated[members.to_numpy()]
        assert last[f"participation_q{q}"] == pytest.approx(participated.mean())
    citizens = [a for a in model.agents if hasattr(a, "quintile")]
    assert {int(a.quintile) for a in citizens} == {1, 2, 3, 4, 5}


def _summary() -> pd.DataFrame:
    rows = []
    for point, (budget, mode) in enumerate([(0.5, "a"), (1.0, "a"), (0.5, "b"), (1.0, "b")]):
        for name, mean in (("trust", 0.3 + 0.2 * budget), ("burden_q1", 2.0 + budget)):
            rows.append((point, budget, mode, name, mean, mean - 0.05, mean + 0.05))
    columns = ["point", "budget", "mode", "measure", "mean", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=columns)


def test_main_effects_panels_of_a_measure_share_the_y_axis_and_name_its_unit():
    from coprod.analysis.plots import main_effects_figure

    fig = main_effects_figure(_summary(), ["budget", "mode"])
    axes = fig.axes
    assert axes[0].get_ylim() == axes[1].get_ylim()  # trust against budget and against mode
    assert axes[2].get_ylim() == axes[3].get_ylim()
    assert "score (0 to 1)" in axes[0].get_ylabel()
    assert "hours per month" in axes[2].get_ylabel()


def test_timeseries_and_overview_panels_name_their_units():
    from coprod.analysis.plots import overview_figure, timeseries_figure, unit_label

    assert unit_label(["trust", "effectiveness"]) == "score or share (0 to 1)"
    assert unit_label(["participation_gap"]) == "difference of shares (-1 to 1)"
    assert unit_label(["not_a_measure"]) == "value"
    over_time = pd.DataFrame(
        {
            "scenario": ["a", "a"],
            "step": [1, 2],
            "measure": ["trust", "trust"],
            "mean": [0.4, 0.5],
            "ci_low": [0.3, 0.4],
            "ci_high": [0.5, 0.6],
        }
    )
    assert timeseries_figure(over_time, ("trust",)).axes[0].get_ylabel() == "score (0 to 1)"
    model = CoProductionModel(
        Scenario.load("socialgov").with_overrides({"population.citizens": 200})
    )
    model.step()
    labels = [ax.get_ylabel() for ax in overview_figure(model.model_vars).axes]
    assert all(labels) and "share (0 to 1)" in labels
