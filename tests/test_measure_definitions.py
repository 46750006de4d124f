"""Measures measure what their names say: responsiveness over a year, NaN where undefined.

``responsiveness`` pools the inputs resolved over the last 12 months: the monthly share swung
from about 1 to about 0 within a few months with the yearly call for proposals, and a
month with a handful of inputs could set it to 0 or 1 on its own. Step 0, the initial state,
leaves undefined (NaN) what has not happened yet, and every consumer (comparisons, figures,
files, the dashboard's charts) must carry NaN as "not defined", never as 0.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from coprod import CoProductionModel, Scenario
from coprod.analysis.compare.comparison import compare_horizon, compare_over_time, horizon_table
from coprod.analysis.output import write_frame
from coprod.analysis.plots import overview_figure, timeseries_figure
from coprod.dashboard import charts, labels
from coprod.model.measures import RESPONSIVENESS_MONTHS, _responsiveness
from coprod.model.run import run_scenario

SMALL = {"population.citizens": 300, "population.businesses": 6}


def _month(model: SimpleNamespace, in_time: int, resolved: int) -> tuple[float, float]:
    """Measure one more month in which ``resolved`` inputs were resolved, ``in_time`` in time."""
    model.steps += 1
    model.administrations = SimpleNamespace(
        handled=np.array([float(resolved)]), expired=np.array([0.0])
    )
    return _responsiveness(model, SimpleNamespace(handled_in_time=np.array([float(in_time)])))


def _stub() -> SimpleNamespace:
    model = SimpleNamespace(steps=-1, resolved_window=np.zeros((RESPONSIVENESS_MONTHS, 2)))
    assert all(np.isnan(_month(model, 0, 0)))  # step 0: nothing resolved, not defined
    return model


def test_a_month_with_three_inputs_does_not_move_responsiveness_to_0_or_1():
    model = _stub()
    for _ in range(11):
        yearly, monthly = _month(model, 90, 100)
        assert monthly == pytest.approx(0.9)
    yearly, monthly = _month(model, 0, 3)  # three inputs, all late
    assert monthly == 0.0
    assert yearly == pytest.approx(990 / 1103)  # pooled by inputs, not a mean of months
    assert yearly > 0.89


def test_responsiveness_pools_exactly_the_last_12_months():
    model = _stub()
    for _ in range(RESPONSIVENESS_MONTHS):
        _month(model, 0, 50)  # a year in which everything was late
    for k in range(1, RESPONSIVENESS_MONTHS + 1):
        yearly, monthly = _month(model, 50, 50)  # then every input in time
        assert monthly == 1.0
        assert yearly == pytest.approx(k / RESPONSIVENESS_MONTHS)  # the late months drop out
    yearly, _ = _month(model, 0, 0)  # a month with nothing resolved
    assert yearly == 1.0  # the year still has inputs


def test_a_year_with_nothing_resolved_leaves_responsiveness_undefined():
    model = _stub()
    _month(model, 5, 10)
    for _ in range(RESPONSIVENESS_MONTHS - 1):
        assert _month(model, 0, 0)[0] == 0.5
    yearly, monthly = _month(model, 0, 0)  # the month with inputs has left the window
    assert np.isnan(yearly) and np.isnan(monthly)


@pytest.fixture(scope="module")
def socialgov_runs() -> list[pd.DataFrame]:
    """``socialgov`` as shipped, three seeds over its ten years."""
    return [run_scenario("socialgov", seed=seed).model_vars for seed in (0, 1, 2)]


def test_responsiveness_does_not_swing_with_the_call_cycle(socialgov_runs):
    # months 97-120 of socialgov: the monthly share swings with the yearly call (measured
    # for seeds 0-9: sd of its month-to-month change 0.19, range 0.16-0.99 within a run),
    # the pooled share moves slowly (sd 0.015); half the monthly swing is a wide margin
    for frame in socialgov_runs:
        late = frame.loc[97:120]
        monthly = late["responsiveness_month"].diff().std()
        yearly = late["responsiveness"].diff().std()
        assert monthly > 0.05  # the cycle is there, in the monthly share
        assert yearly < 0.5 * monthly, (yearly, monthly)
        assert late["responsiveness"].max() - late["responsiveness"].min() < (
            late["responsiveness_month"].max() - late["responsiveness_month"].min()
        )


def test_the_yearly_share_is_the_monthly_shares_pooled_over_the_year(socialgov_runs):
    # with equal months (a whole year of months with inputs), the yearly share lies within the
    # range of the monthly shares it pools, and its mean over a year follows theirs
    for frame in socialgov_runs:
        for end in (60, 96, 120):
            year = frame.loc[end - RESPONSIVENESS_MONTHS + 1 : end, "responsiveness_month"]
            value = frame.loc[end, "responsiveness"]
            assert year.min() <= value <= year.max()


# ------------------------------------------------------------------ consumers and NaN
@pytest.fixture(scope="module")
def comparison() -> pd.DataFrame:
    """Two small scenarios, three replicates each, eight months: tidy runs with step 0."""
    rows = []
    for name in ("traditional", "socialgov"):
        scenario = Scenario.load(name).with_overrides(SMALL)
        for replicate in range(3):
            frame = run_scenario(scenario, steps=8, seed=10 + replicate).model_vars
            frame = frame.reset_index().assign(scenario=name, replicate=replicate)
            rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def test_comparisons_leave_step_0_undefined_and_the_months_defined(comparison):
    over_time = compare_over_time(comparison, ["efficiency", "top10_share", "trust"])
    start = over_time[over_time["step"] == 0].set_index(["scenario", "measure"])
    for scenario in ("traditional", "socialgov"):
        for measure in ("efficiency", "top10_share"):
            row = start.loc[(scenario, measure)]
            assert row["n"] == 0
            assert np.isnan(row[["mean", "ci_low", "ci_high"]].to_numpy(float)).all()
        assert start.loc[(scenario, "trust"), "n"] == 3  # a state: measured at step 0
    assert np.isnan(start.loc[("socialgov", "efficiency"), "diff"])  # not a difference of 0
    later = over_time[(over_time["step"] > 0) & (over_time["measure"] == "efficiency")]
    assert later["mean"].notna().all() and (later["mean"] > 0).all()
    horizon = compare_horizon(comparison, ["efficiency", "responsiveness", "top10_share"])
    assert horizon["mean"].notna().all() and horizon["n"].eq(3).all()
    assert "nan" not in horizon_table(horizon)


def test_figures_draw_no_point_at_an_undefined_step_0(comparison):
    over_time = compare_over_time(comparison, ["efficiency", "responsiveness", "trust"])
    fig = timeseries_figure(over_time, ("efficiency", "responsiveness", "trust"))
    efficiency = fig.axes[0].lines[0].get_ydata()
    assert np.isnan(efficiency[0]) and np.isfinite(efficiency[1:]).all()
    trust = fig.axes[2].lines[0].get_ydata()
    assert np.isfinite(trust).all()
    one_run = comparison[(comparison["scenario"] == "socialgov") & (comparison["replicate"] == 0)]
    overview = overview_figure(one_run.set_index("step"))
    drawn = [line.get_ydata() for ax in overview.axes for line in ax.lines]
    assert any(np.isnan(y[0]) for y in drawn)  # step 0 is left out, not drawn at 0
    overview.canvas.draw()  # renders


def test_files_write_undefined_as_empty_cells_and_nulls(comparison, tmp_path):
    frame = comparison[comparison["replicate"] == 0]
    csv = write_frame(tmp_path / "measures.csv", frame)
    parquet = write_frame(tmp_path / "measures.parquet", frame)
    back_csv = pd.read_csv(csv)
    back_parquet = pd.read_parquet(parquet)
    for back in (back_csv, back_parquet):
        start = back[back["step"] == 0]
        assert start["efficiency"].isna().all() and start["top10_share"].isna().all()
        assert start["trust"].notna().all()
    first = csv.read_text().splitlines()[1].split(",")
    column = list(back_csv.columns).index("efficiency")
    assert first[column] == ""  # an empty cell, not 0


def test_the_dashboard_chart_shows_undefined_as_a_dash_and_draws_no_point():
    model = CoProductionModel(Scenario.load("socialgov").with_overrides(SMALL), seed=4)
    spec = next(s for s in labels.CHARTS if s.key == "performing")
    html = charts.line_chart(model.model_vars, spec, [], horizon=120)
    assert not re.search(r"\bnan\b", html, re.IGNORECASE)
    assert "efficiency)" + ": <b>–</b>" in html  # the legend: no value yet
    model.step()
    model.step()
    html = charts.line_chart(model.model_vars, spec, [], horizon=120)
    efficiency = html.split('data-measure="efficiency"')[1].split('points="')[1].split('"')[0]
    assert len(efficiency.split()) == 2  # months 1 and 2; step 0 is not drawn at 0
