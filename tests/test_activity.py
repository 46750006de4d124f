"""Who takes part and how often, and staff capacity that binds: each mechanism on seeded runs.

Mechanisms are switched off through their module constants (in this process, so the runs are
sequential) and compared with the same seeds, paired: replicate ``i`` of both starts from the
same world. Margins are stated with each assertion; values measured when the tests were written
are in comments.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from coprod import CoProductionModel, run_scenario
from coprod.model import participation
from helpers import assert_greater, scenario

SEEDS = (1, 2, 3, 4, 5, 6)


def runs(s, measure: str, steps: int, window: tuple[int, int], seeds=SEEDS) -> np.ndarray:
    """Per-seed mean of ``measure`` over steps ``window`` (inclusive), run in this process."""
    lo, hi = window
    return np.array(
        [run_scenario(s, steps=steps, seed=seed).model_vars[measure].loc[lo:hi].mean()
         for seed in seeds]
    )  # fmt: skip


def yearly_active(s, seed: int, steps: int = 48) -> tuple[float, float]:
    """Mean share of residents who acted in a year (years 2 on), and who co-created in one."""
    m = CoProductionModel(s, seed=seed)
    acted = np.zeros(len(m.citizens), dtype=bool)
    cocreated = acted.copy()
    active, reach = [], []
    for t in range(1, steps + 1):
        m.step()
        acted |= m.citizens.participated
        cocreated |= m.citizens.cocreated
        if t % 12 == 0:
            if t > 12:
                active.append(acted.mean())
                reach.append(cocreated.mean())
            acted[:] = False
            cocreated[:] = False
    return float(np.mean(active)), float(np.mean(reach))


def test_contributions_are_heavy_tailed():
    # before this model (independent monthly draws) the top 1% made about 0.11 of
    # contributions in coproduction at 2000 citizens and 120 months; now about 0.22
    s = scenario("coproduction", population__citizens=2000)
    top1 = runs(s, "top1_share", 120, (120, 120), seeds=SEEDS[:4])
    top10 = runs(s, "top10_share", 120, (120, 120), seeds=SEEDS[:4])
    assert top1.mean() > 0.15 and top1.min() > 0.12
    assert top10.mean() > 0.6


def test_the_most_active_report_several_times_a_month_and_keep_several_inputs_open():
    m = CoProductionModel(scenario("coproduction"), seed=3)
    most, open_inputs = 0, 0
    for _ in range(36):
        before = m.citizens.reports.copy()
        m.step()
        most = max(most, int((m.citizens.reports - before).max()))
        if len(m.queue):
            open_inputs = max(open_inputs, int(np.bincount(m.queue.owner).max()))
    assert most >= 2
    assert open_inputs >= 2
    assert (m.citizens.acts == m.citizens.reports + m.citizens.deliveries
            + m.citizens.proposals).all()  # fmt: skip


def test_first_use_barrier_keeps_newcomers_out(monkeypatch):
    s = scenario("coproduction")
    with_barrier = np.array([yearly_active(s, seed)[0] for seed in SEEDS[:4]])
    monkeypatch.setattr(participation, "FIRST_USE_COST", 0.0)
    without = np.array([yearly_active(s, seed)[0] for seed in SEEDS[:4]])
    assert_greater(without, with_barrier, min_diff=0.05, paired=True)


def test_dropout_shrinks_the_active_core(monkeypatch):
    s = scenario("coproduction")
    default = runs(s, "participation_rate", 48, (37, 48))
    monkeypatch.setattr(participation, "QUIT_HAZARD", 0.0)
    monkeypatch.setattr(participation, "BAD_EXPERIENCE_QUIT", 0.0)
    never_quit = runs(s, "participation_rate", 48, (37, 48))
    assert_greater(never_quit, default, min_diff=0.01, paired=True)


def test_demand_shock_raises_incidents_reports_and_the_backlog():
    shock = [{"step": 25, "kind": "demand_shock", "size": 0.5, "duration": 12}]
    calm, shocked = [], []
    backlog_calm, backlog_shocked = [], []
    for seed in SEEDS[:4]:
        for events, reports, backlog in ((None, calm, backlog_calm),
                                         (shock, shocked, backlog_shocked)):  # fmt: skip
            m = CoProductionModel(scenario("coproduction", events=events or []), seed=seed)
            for _ in range(24):
                m.step()
            before = m.citizens.reports.sum()
            waiting = []
            for _ in range(12):
                m.step()
                waiting.append(m.model_vars.backlog.iloc[-1])
            reports.append(m.citizens.reports.sum() - before)
            backlog.append(np.mean(waiting))
    # reports in the shock's year rose by more than a tenth in every world
    assert (np.array(shocked) > 1.1 * np.array(calm)).all()
    assert_greater(np.array(backlog_shocked), np.array(backlog_calm), 0.0, paired=True)


def test_proposals_only_in_call_months_and_a_years_reach_is_one_call():
    s = scenario("socialgov")
    frame = run_scenario(s, steps=36, seed=2).model_vars.loc[1:]  # step 0: no month yet
    call = (frame.index - 1) % 12 < s.administration.call_months
    assert (frame.cocreation_rate[~call] == 0).all()
    assert (frame.cocreation_rate[call] > 0).all()
    # the call reaches far fewer residents a year than monthly draws did (about 0.34 a year)
    reach = [yearly_active(s, seed, steps=36)[1] for seed in SEEDS[:3]]
    assert max(reach) < 0.15
    always = scenario("socialgov", administration__call_months=12)
    reach_always = [yearly_active(always, seed, steps=36)[1] for seed in SEEDS[:3]]
    assert_greater(np.array(reach_always), np.array(reach), 0.02, paired=True)


def test_austerity_cut_lowers_responsiveness_for_two_years():
    # the same worlds with and without the 30% cut of month 60; responsiveness over the 24
    # months after it; the 95% interval of the paired difference must exclude zero
    cut = scenario("austerity_shock")
    uncut = scenario("austerity_shock", events=[])
    seeds = range(1, 9)
    with_cut = runs(cut, "responsiveness", 84, (60, 83), seeds)
    without = runs(uncut, "responsiveness", 84, (60, 83), seeds)
    diff = with_cut - without
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    assert diff.mean() + half < 0.0, f"difference {diff.mean():.3f} +- {half:.3f}"


@pytest.mark.parametrize("key", ["burden_q1", "burden_q5", "coproducer_hours"])
def test_burden_counts_the_hours_co_producers_give(key):
    m = CoProductionModel(scenario("coproduction"), seed=1)
    for _ in range(12):
        m.step()
    hours = m.model_vars[key]
    assert np.isnan(hours.loc[0])  # step 0: no month, no hours given yet (not 0)
    hours = hours.loc[1:]
    assert (hours >= 0).all() and hours.iloc[-6:].mean() > 0
    if key == "coproducer_hours":
        # at least a report's time per person who acted, at most a full month's delivery,
        # a proposal and many reports
        assert (hours[hours > 0] >= participation.REPORT_HOURS).all()
        assert hours.max() < 40


def test_urgent_inputs_are_handled_before_older_routine_ones():
    # four reports in one municipality: two routine (need 0.2, 0.3) submitted long ago, two
    # urgent (need 0.9, 0.7, above the entitlement threshold 0.5) this month and last; staff
    # time for two reports (1.5 slots plus a uniform slack below one)
    from coprod.model.input_queue import REPORT, InputQueue
    from coprod.model.inputs import _queue

    m = CoProductionModel(scenario(), seed=1)
    m.citizens.need[:4, 0] = [0.2, 0.3, 0.9, 0.7]
    m.queue = InputQueue()
    m.queue.add(np.arange(4), 0, REPORT, np.zeros(4, dtype=np.int16), np.zeros(4, dtype=int))
    m.queue.since[:] = [2, 3, 9, 10]
    m.steps = 10
    capacity = np.full(len(m.administrations), 1.5)
    handled, expired = _queue(m, capacity, np.ones(4))
    assert sorted(handled.tolist()) == [2, 3]
    # the routine ones wait; at 8 and 7 months old, past the expiry of 4, they expire
    assert sorted(expired.tolist()) == [0, 1]
    # without the urgent ones, the oldest routine input goes first
    m.citizens.need[2:4, 0] = 0.1
    handled, _ = _queue(m, capacity, np.ones(4))
    assert sorted(handled.tolist()) == [0, 1]
