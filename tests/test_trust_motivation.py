"""Trust and motivation that emerge: lasting damage, asymmetry, spread, felt rewards (7.10).

Seeded ensembles compare the same worlds (paired seeds) with and without the cause under test;
intervals are 99% t-intervals of the mean paired difference over replicates.
"""

from __future__ import annotations

import copy

import numpy as np
from scipy import stats

from coprod import CoProductionModel, run_ensemble
from coprod.model.feedback import EXPECTED_MET, update_trust
from coprod.model.step_record import StepRecord
from helpers import assert_greater, scenario

REPLICATES = 16


def interval(diff: np.ndarray) -> tuple[float, float]:
    """99% t-interval of the mean of paired differences."""
    half = stats.t.ppf(0.995, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    return diff.mean() - half, diff.mean() + half


def late_trust_gap(drift: float, steps: int = 180, scandal: int = 12) -> np.ndarray:
    """Per replicate: mean trust over the last 12 months with a scandal minus without."""
    event = [{"step": scandal, "kind": "trust_scandal", "size": 0.3}]
    runs = [
        run_ensemble(s, replicates=REPLICATES, steps=steps, seed=5)
        for s in (
            scenario(behaviour__trust_reference_drift=drift),
            scenario(events=event, behaviour__trust_reference_drift=drift),
        )
    ]
    late = [r[r.step > steps - 12].groupby("replicate").trust.mean().to_numpy() for r in runs]
    return late[1] - late[0]


def test_a_scandal_leaves_trust_lower_for_long_and_more_so_when_the_reference_drifts():
    # 0.3 of everyone's trust lost at month 12; 157 to 168 months later, the same worlds
    drifting = late_trust_gap(0.005)
    fixed = late_trust_gap(0.0)
    with_drift = interval(drifting)
    assert with_drift[1] < -0.01, f"lasting damage: 99% interval {with_drift}"
    # without the drift the reference cannot move, yet a smaller gap can remain through what
    # the scandal set going (fewer take part, files thin, more are wrongly denied): the drift
    # must add lasting damage of its own, in the same worlds
    own = interval(drifting - fixed)
    assert own[1] < 0.0, f"the drift's own part: 99% interval {own}"
    assert abs(fixed.mean()) < abs(drifting.mean())


def after_a_month(met_gap: float, seed: int) -> tuple[float, float]:
    """Mean trust before and after one feedback month in which every need met is off by gap."""
    m = CoProductionModel(scenario(behaviour__trust_social_influence=0.0), seed=seed)
    for _ in range(12):
        m.step()
    m = copy.deepcopy(m)
    before = float(m.citizens.trust.mean())
    m.citizens.met[:] = EXPECTED_MET + met_gap
    m.citizens.coproduced[:] = m.citizens.cocreated[:] = False
    names = ("acted", "accepted", "rejected", "ignored", "wronged", "corrected_late")
    update_trust(m, StepRecord(**{name: np.zeros(0, dtype=np.intp) for name in names}))
    return before, float(m.citizens.trust.mean())


def test_trust_falls_faster_after_a_bad_month_than_it_rises_after_a_good_one():
    # measured against a neutral month in the same world, so that the reversion towards each
    # citizen's reference level (the same in all three months, and of either sign depending on
    # where trust stands) does not count as part of the response to the experience
    falls, rises = [], []
    for seed in range(4):
        _, neutral = after_a_month(0.0, seed)
        _, bad = after_a_month(-0.2, seed)
        _, good = after_a_month(+0.2, seed)
        falls.append(neutral - bad)
        rises.append(good - neutral)
    falls, rises = np.array(falls), np.array(rises)
    assert (falls > 0).all() and (rises > 0).all()
    # the experience of needs met below expectation weighs trust_asymmetry = 1.5 times
    assert_greater(falls, 1.3 * rises, paired=True)


def neighbours_distrust(influence: float, seed: int) -> float:
    """Trust change, 12 months on, of citizens whose neighbours all lost trust, against the
    same world untouched (mean over the targets)."""
    m = CoProductionModel(scenario(behaviour__trust_social_influence=influence), seed=seed)
    for _ in range(6):
        m.step()
    rng = np.random.default_rng(seed)
    targets = rng.choice(len(m.citizens), 40, replace=False)
    adj = m.adjacency
    neighbours = np.unique(adj[targets].indices)
    neighbours = np.setdiff1d(neighbours, targets)
    hit = copy.deepcopy(m)
    hit.citizens.trust[neighbours] = 0.05
    hit.citizens.trust_ref[neighbours] = 0.05
    for model in (m, hit):
        for _ in range(12):
            model.step()
    return float((hit.citizens.trust[targets] - m.citizens.trust[targets]).mean())


def test_a_citizen_with_distrustful_neighbours_loses_trust():
    spread = np.array([neighbours_distrust(0.02, seed) for seed in range(REPLICATES)])
    alone = np.array([neighbours_distrust(0.0, seed) for seed in range(REPLICATES)])
    assert interval(spread)[1] < -0.02, f"with social influence: {interval(spread)}"
    assert_greater(alone, spread, min_diff=0.02, paired=True)


def test_neighbours_trust_converges():
    # the mean absolute trust difference across ties shrinks with social influence
    def tie_gap(influence: float, seed: int) -> float:
        m = CoProductionModel(scenario(behaviour__trust_social_influence=influence), seed=seed)
        for _ in range(48):
            m.step()
        a = m.adjacency.tocoo()
        return float(np.abs(m.citizens.trust[a.row] - m.citizens.trust[a.col]).mean())

    spread = np.array([tie_gap(0.02, seed) for seed in range(4)])
    alone = np.array([tie_gap(0.0, seed) for seed in range(4)])
    assert_greater(alone, spread, min_diff=0.01, paired=True)


def motivation_change(incentives: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Final minus starting motivation of each citizen, and whether they took part at all."""
    m = CoProductionModel(scenario(governance__incentives=incentives), seed=seed)
    took_part = np.zeros(len(m.citizens), dtype=bool)
    for _ in range(36):
        m.step()
        took_part |= m.citizens.participated
    return m.citizens.motivation - m.citizens.motivation0, took_part


def test_money_crowds_out_in_proportion_to_the_motivation_there_is():
    # the same worlds with and without pay; citizens grouped by starting motivation: pay
    # lowers every paid participant's motivation (none is crowded in), the most motivated most
    high_effect, low_effect = [], []
    for seed in range(REPLICATES):
        paid, took_part = motivation_change("monetary", seed)
        unpaid, _ = motivation_change("none", seed)
        m0 = CoProductionModel(scenario(), seed=seed).citizens.motivation0
        high, low = took_part & (m0 > 0.6), took_part & (m0 < 0.3)
        high_effect.append((paid - unpaid)[high].mean())
        low_effect.append((paid - unpaid)[low].mean())
    high_effect, low_effect = np.array(high_effect), np.array(low_effect)
    assert interval(high_effect)[1] < -0.01, f"highly motivated: {interval(high_effect)}"
    assert interval(low_effect)[1] < 0.0, f"little motivated: {interval(low_effect)}"
    assert_greater(low_effect, high_effect, min_diff=0.01, paired=True)


def test_recognition_raises_motivation():
    gains = []
    for seed in range(REPLICATES):
        recognised, took_part = motivation_change("recognition", seed)
        unrecognised, _ = motivation_change("none", seed)
        gains.append((recognised - unrecognised)[took_part].mean())
    assert interval(np.array(gains))[0] > 0.005, f"recognition: {interval(np.array(gains))}"
