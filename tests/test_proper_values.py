"""Proper-governance values come from mechanisms: decisions on estimated merit, and lobbying.

Exact tests on small hand-made worlds (the pattern of tests/test_phases.py: scripted draws,
values worked out by hand from docs/ODD.md 7.5 and 7.7) and seeded tests on large populations
and ensembles: thin data, not chance, wrongs residents under substitutive ICT; professional
bias moves errors by status; lawfulness is measured from decisions, not set; integrity follows
from businesses' choices to lobby.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtr
from test_phases import ScriptedRng, hand_administration, hand_citizens, hand_hoods, hand_model

import coprod.model.inputs as inputs_module
from coprod import CoProductionModel
from coprod.model import partners
from coprod.model.decisions import judge_cases, noise_for
from coprod.model.partners import businesses_engage
from coprod.model.step_record import StepRecord
from helpers import assert_greater, outcome, scenario

CARE = {"services.domains": ["care"]}

# --------------------------------------------------------------------------- exact


def test_algorithm_shrinks_thin_data_towards_the_prior_and_review_catches_nothing_here():
    # substitutive: the algorithm decides. Needs 0.6, 0.6, 0.1, 0.1 (prior = mean = 0.35);
    # c0 adopted with 5 cases on file: k = 1 + 6 + 5 = 12, w = 12 / 15 = 0.8;
    # c1, c2, c3 no traces, no cases: k = 1, w = 0.25
    need = [[0.6], [0.6], [0.1], [0.1]]
    sd = noise_for(0.12, np.array(need))
    rng = ScriptedRng(
        # c3's noise lifts its estimate 0.025 + 0.2625 = 0.2875 to 0.6: a wrongful grant
        ("standard_normal", [0.0, 0.0, 0.0, 0.3125 / sd]),
        ("random", [0.9, 0.9, 0.9, 0.6]),  # reviews at 0.5: none
        ("random", [0.9, 0.1, 0.1, 0.1]),  # appeals, p = 0.1 + 0.6 x 0.5 x 0.5 = 0.25
    )
    m = hand_model(
        CARE | {"governance.ict_role": "substitutive", "governance.human_review": 0.5}
        | {"governance.appeals": True},
        hand_citizens([0] * 4, 1, need=need, adopted=[True, False, False, False],
                      cases=[5, 0, 0, 0]),
        hand_hoods([4], 1),
        hand_administration(4),
        rng,
    )  # fmt: skip
    record = StepRecord()
    wrong, reviewed, appealed = judge_cases(m, np.arange(4), np.zeros(4, dtype=np.int16),
                                            record=record)  # fmt: skip
    rng.assert_used_up()
    # estimates: c0 0.8 x 0.6 + 0.2 x 0.35 = 0.55 (granted, entitled: right);
    # c1 0.25 x 0.6 + 0.75 x 0.35 = 0.4125 (denied, entitled: wrong, same need as c0);
    # c2 0.2875 (denied, not entitled: right); c3 0.6 (granted, not entitled: unlawful)
    assert wrong.tolist() == [False, True, False, False]
    assert reviewed.tolist() == [False] * 4
    # only the denied appeal (c1 and c2 drew 0.1 < 0.25); c3 was granted and does not
    assert appealed.tolist() == [False, True, True, False]
    assert record.unlawful_grants.tolist() == [1]
    assert m.citizens.cases.tolist() == [6, 1, 1, 1]


def test_every_decision_goes_on_file_and_a_month_reads_the_file_from_before_it():
    # c0 has three inputs decided this month, c1 one. All four estimates read the file as it
    # stood before the month (c0: k = 1 + 2 = 3, w = 0.5 for each of its three cases), and
    # each decision adds a case: c0 goes from 2 to 5, not to 3 (docs/ODD.md 7.7)
    rows = np.array([0, 0, 1, 0])
    rng = ScriptedRng(
        ("standard_normal", [0.0] * 4),
        ("random", [0.9] * 4),  # reviews at 0.5: none
        ("random", [0.9] * 4),  # appeals: none (no appeals)
    )
    m = hand_model(
        CARE | {"governance.ict_role": "substitutive", "governance.human_review": 0.5},
        hand_citizens([0, 0], 1, need=[[0.8], [0.2]], cases=[2, 0]),
        hand_hoods([2], 1),
        hand_administration(2),
        rng,
    )
    wrong, _, _ = judge_cases(m, rows, np.zeros(4, dtype=np.int16))
    rng.assert_used_up()
    # c0's estimates: 0.5 x 0.8 + 0.5 x 0.5 (prior, mean need) = 0.65, granted each time
    assert wrong.tolist() == [False] * 4
    assert m.citizens.cases.tolist() == [5, 1]


@pytest.mark.parametrize(("bias", "expected"), [(0.1, [True, False]), (0.0, [False, False])])
def test_professional_bias_denies_the_low_status_client(bias, expected):
    # professionals (ict_role none) see need 0.52 for both, shifted by bias x (ses - 0.5):
    # with bias 0.1 the client of status 0.1 is estimated at 0.48 (denied, though entitled),
    # the client of status 0.9 at 0.56; without bias both are estimated at 0.52 and granted
    rng = ScriptedRng(
        ("standard_normal", [0.0, 0.0]),
        ("random", [0.5, 0.5]),  # reviews: none (not automated)
        ("random", [0.5, 0.5]),  # appeals: none (no appeals)
    )
    m = hand_model(
        CARE | {"governance.ict_role": "none", "administration.professional_bias": bias},
        hand_citizens([0, 0], 1, need=[[0.52], [0.52]], ses=[0.1, 0.9]),
        hand_hoods([2], 1),
        hand_administration(2),
        rng,
    )
    wrong, reviewed, appealed = judge_cases(m, np.arange(2), np.zeros(2, dtype=np.int16))
    rng.assert_used_up()
    assert wrong.tolist() == expected
    assert not reviewed.any() and not appealed.any()


def test_a_partner_lobbies_when_the_gain_beats_the_expected_sanction_and_is_caught():
    # open processes, a quarter of residents co-creating: p = 0.02 + 0.1 + 1.0 x 0.25 = 0.37.
    # Both partners stay engaged (draws 0.5 >= 0.1) and see a gain of 8 months:
    # b0 (csr 0): 0.63 x 8 - 0.37 x 12 = 0.6 > 0 lobbies; b1 (csr 0.5): 0.6 < 2 x 0.5 does not
    rng = ScriptedRng(
        ("random", [0.5, 0.5]),  # engagement
        ("random", [1.0 - np.exp(-8.0)] * 2),  # opportunities: gain -ln(1 - U) = 8
        ("random", [0.2, 0.9]),  # detection: b0 caught (0.2 < 0.37)
    )
    m = hand_model(
        CARE | {"governance.paradigm": "socialgov", "platform.open_processes": True}
        | {"population.businesses": 2},
        hand_citizens([0] * 4, 1, cocreated=[True, False, False, False]),
        hand_hoods([4], 1),
        hand_administration(4, budget=4.0),
        rng,
    )  # fmt: skip
    b = m.businesses
    b.municipality[:], b.hood[:], b.domain[:] = 0, 0, 0
    b.csr[:] = [0.0, 0.5]
    b.engaged[:] = True
    record = StepRecord()
    businesses_engage(m, record)
    rng.assert_used_up()
    assert b.lobbied.tolist() == [True, False]
    assert b.detected.tolist() == [True, False]
    # caught: disengaged at once and barred for EXCLUSION months; captures nothing
    assert b.engaged.tolist() == [False, True]
    assert b.barred.tolist() == [partners.EXCLUSION, 0]
    assert record.lobbying.tolist() == []
    # only b1 sponsors: 0.08 x budget 4 / 2 businesses
    assert record.sponsored.tolist() == [[0.16]]


# --------------------------------------------------------------------------- large samples


def big_world(settings: dict, n: int, seed: int, **columns) -> CoProductionModel:
    """A one-municipality model of ``n`` hand-made citizens drawing from a seeded generator."""
    return hand_model(
        CARE | settings,
        hand_citizens(np.zeros(n, dtype=int), 1, **columns),
        hand_hoods([n], 1),
        hand_administration(n),
        np.random.default_rng(seed),
    )


def test_thin_data_residents_are_wronged_more_than_data_rich_ones_with_the_same_need():
    # 20,000 claims of need 0.65 (entitled), half from adopters with 8 cases on file
    # (k = 15, w = 0.833), half from residents known only from records (k = 1, w = 0.25);
    # 20,000 more residents of need 0.1 make the prior 0.375
    n = 20_000
    rich = np.arange(n) % 2 == 0
    need = np.vstack([np.full((n, 1), 0.65), np.full((n, 1), 0.1)])
    sd = noise_for(0.12, need)
    rates = []
    for seed in range(4):
        m = big_world(
            {"governance.ict_role": "substitutive"},
            2 * n,
            seed,
            need=need,
            adopted=np.concatenate([rich, np.zeros(n, dtype=bool)]),
            cases=np.concatenate([np.where(rich, 8, 0), np.zeros(n, dtype=int)]),
        )
        wrong, _, _ = judge_cases(m, np.arange(n), np.zeros(n, dtype=np.int16))
        rates.append((wrong[~rich].mean(), wrong[rich].mean()))
    thin, data_rich = np.array(rates).T
    assert_greater(thin, data_rich, min_diff=0.3)
    # each as the formula says: denied when w 0.65 + (1 - w) 0.375 + sd z falls below 0.5
    for w, observed in ((0.25, thin), (15 / 18, data_rich)):
        expected = ndtr((0.5 - w * 0.65 - (1 - w) * 0.375) / sd)
        assert observed.mean() == pytest.approx(expected, abs=0.01)


def cases_of(monkeypatch, s, seeds, steps=60) -> np.ndarray:
    """Every case decided in runs of ``s``: merit, adopted, ses, wrongly denied (rows)."""
    rows = []
    judge = inputs_module.judge_cases

    def spy(model, handled, domains, **kw):
        out = judge(model, handled, domains, **kw)
        c = model.citizens
        rows.append(
            np.column_stack([c.need[handled, domains], c.adopted[handled], c.ses[handled], out[0]])
        )
        return out

    monkeypatch.setattr(inputs_module, "judge_cases", spy)
    per_seed = []
    for seed in seeds:
        rows.clear()
        m = CoProductionModel(s, seed=seed)
        for _ in range(steps):
            m.step()
        per_seed.append(np.concatenate(rows))
    return per_seed


def test_under_substitutive_ict_non_adopters_are_wronged_more_in_full_runs(monkeypatch):
    # adopters bring few cases (a few per cent of entitled claims at 800 citizens and 60
    # months), so the comparison needs the full horizon and a town of 2,000
    runs = cases_of(
        monkeypatch,
        scenario("substitutive_automation", population__citizens=2000),
        seeds=range(16),
        steps=120,
    )
    non_adopters, adopters = [], []
    for merit, adopted, _, wrong in (r.T for r in runs):
        entitled = merit > 0.5
        non_adopters.append(wrong[entitled & (adopted == 0)].mean())
        adopters.append(wrong[entitled & (adopted == 1)].mean())
    # frequent reporters build a file of past cases whether they use the platform or not, so
    # the adoption gap is a few points (0.03-0.05 at these seeds), not the whole thin-data gap
    assert_greater(np.array(non_adopters), np.array(adopters), min_diff=0.01, paired=True)


def status_gap(runs) -> np.ndarray:
    """Per run: wrongful denials of entitled claims, bottom minus top fifth of status."""
    gaps = []
    for merit, _, ses, wrong in (r.T for r in runs):
        entitled = merit > 0.5
        low, high = np.quantile(ses, [0.2, 0.8])
        gaps.append(wrong[entitled & (ses <= low)].mean() - wrong[entitled & (ses >= high)].mean())
    return np.array(gaps)


def test_professional_bias_moves_errors_by_status_and_zero_bias_removes_the_gap(monkeypatch):
    biased = status_gap(cases_of(monkeypatch, scenario("socialgov"), seeds=range(8)))
    neutral = status_gap(
        cases_of(
            monkeypatch,
            scenario("socialgov", administration__professional_bias=0.0),
            seeds=range(8),
        )
    )
    assert_greater(biased, neutral, min_diff=0.01, paired=True)
    assert biased.mean() > 0.01  # the low-status are wronged more often
    # without bias the gap against them is gone: what is left favours them a little, as their
    # needs lie further above the threshold
    assert neutral.mean() < 0.005


# --------------------------------------------------------------------------- ensembles


def test_lawfulness_is_measured_not_one_minus_the_algorithm_error():
    s = scenario("substitutive_automation")
    lawfulness = outcome(s, "lawfulness")
    # the algorithm errs on 12% of full-data claims; on the cases it decides, with thin data,
    # and on allocations, far more often
    assert lawfulness.mean() < 1.0 - s.administration.algorithm_error - 0.05
    assert lawfulness.std() > 0  # it varies between worlds: it is measured


def lobbying(s, seeds, steps=60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per run: lobbying attempts per engaged partner-month, detections, mean integrity."""
    attempts, detected, integrity = [], [], []
    for seed in seeds:
        m = CoProductionModel(s, seed=seed)
        tried = caught = engaged = 0
        values = []
        for _ in range(steps):
            m.step()
            b = m.businesses
            tried += b.lobbied.sum()
            caught += b.detected.sum()
            engaged += (b.engaged | b.detected).sum()
            values.append(m.measures["integrity"])
        attempts.append(tried / max(engaged, 1))
        detected.append(caught)
        integrity.append(np.mean(values[-24:]))
    return np.array(attempts), np.array(detected), np.array(integrity)


def test_open_processes_raise_integrity_through_fewer_lobbying_attempts():
    base = dict(population__businesses=60)
    opaque = lobbying(scenario("socialgov", platform__open_processes=False, **base), range(6))
    transparent = lobbying(scenario("socialgov", **base), range(6))
    assert_greater(opaque[0], transparent[0], min_diff=0.1)  # fewer attempts per partner
    assert_greater(transparent[2], opaque[2], min_diff=0.005)  # so more integrity


def test_integrity_falls_when_lobbying_cannot_be_detected(monkeypatch):
    s = scenario("socialgov", population__businesses=60)
    watched = lobbying(s, range(6))
    for name in ("DETECT_BASE", "DETECT_OPEN", "DETECT_WATCH"):
        monkeypatch.setattr(partners, name, 0.0)
    unwatched = lobbying(s, range(6))
    assert unwatched[1].sum() == 0  # nobody is caught
    assert_greater(unwatched[0], watched[0], min_diff=0.1)
    assert_greater(watched[2], unwatched[2], min_diff=0.01)
