"""Innovation between municipalities: central pilots and democratic experimentalism."""

import numpy as np
import pytest

from coprod import CoProductionModel, Scenario, ScenarioError, run_scenario
from coprod.model import innovation
from coprod.model.innovation import CATALOGUE, InnovationState, fit_measures, municipal_peers


def small(name: str, **overrides) -> Scenario:
    base = {
        "population.citizens": 2400,
        "population.businesses": 36,
        "population.community_organisations": 12,
        "population.neighbourhoods": 2,
    }
    base.update({k.replace("__", "."): v for k, v in overrides.items()})
    return Scenario.load(name).with_overrides(base)


@pytest.mark.parametrize("name", ["experimentalism", "central_pilot"])
def test_innovation_scenarios_have_twelve_municipalities(name):
    s = Scenario.load(name)
    assert s.population.municipalities == 12
    assert s.governance.innovation == name
    assert "Evers" in s.rationale


def test_municipality_vars_have_a_row_per_step_and_municipality():
    r = run_scenario(small("experimentalism"), steps=30, seed=1)
    mv = r.municipality_vars
    assert len(mv) == 30 * 12
    assert {"public_value", "innovations", "equality", "efficiency"} <= set(mv.columns)
    for column in ("public_value", "equality", "efficiency", "lawfulness", "integrity"):
        assert mv[column].between(0, 1).all(), column


def test_municipalities_differ_in_context_when_asked():
    m = CoProductionModel(small("experimentalism"), seed=1)
    ses = m.municipality_mean(m.citizens.ses)
    assert np.ptp(ses) > 0.1
    flat = CoProductionModel(
        small("experimentalism", population__municipality_diversity=0.0), seed=1
    )
    assert np.ptp(flat.municipality_mean(flat.citizens.ses)) < 0.05


def test_peer_weights_are_symmetric_and_favour_similar_places():
    rng = np.random.default_rng(0)
    ses = np.linspace(0.3, 0.7, 12)
    peers = municipal_peers(ses, ties=2, rng=rng)
    assert np.allclose(peers, peers.T)
    assert (np.diag(peers) == 0).all()
    assert (peers > 0).sum(axis=1).min() >= 4
    assert peers[0, 1] > peers[0, 11]  # both ring neighbours; 1 is alike, 11 is not


def test_experimentalism_tries_evaluates_keeps_and_drops():
    m = CoProductionModel(small("experimentalism"), seed=3)
    for _ in range(120):
        m.step()
    state = m.innovation
    assert (state.first_applied >= 0).sum() >= 12  # many local trials
    assert state.adopted.sum() > 0 and state.rejected.sum() > 0
    # what was kept had a positive verdict, what was dropped a negative one; the verdict is
    # the place's own evaluation reviewed beside its peers', so the two differ
    assert (state.verdicts[state.adopted] > 0).all()
    assert (state.verdicts[state.rejected] <= 0).all()
    evaluated = np.isfinite(state.verdicts)
    assert (state.verdicts[evaluated] != state.results[evaluated]).any()
    # a dropped innovation's settings are gone again
    for muni, j in zip(*np.nonzero(state.rejected & ~state.adopted), strict=True):
        if state.trial[muni] >= 0:
            continue
        for key, value in CATALOGUE[state.names[j]].items():
            assert m.local.get(muni, key) != value or m.local.base[key] == value


def test_peer_success_makes_an_innovation_more_likely_to_be_tried():
    m = CoProductionModel(small("experimentalism"), seed=1)
    state = m.innovation
    state.results[:] = np.nan
    good = state.names.index("inclusion_outreach")
    neighbours = np.flatnonzero(state.peers[0] > 0)
    state.results[neighbours, good] = 0.05
    evidence = innovation._peer_evidence(state)
    assert evidence[0, good] == pytest.approx(0.05)
    weights = np.exp(innovation.EVIDENCE_WEIGHT * evidence[0])
    assert weights[good] / weights.sum() > 0.5  # ten times as likely as any other
    # and the model's own choice follows it: every place starts a trial as soon as it can
    # (36 trials over three worlds); about two in three pick the innovation peers found to
    # work, against one in seven without that evidence
    assert first_trials_of(good, peers_found=0.05) > 14
    assert first_trials_of(good, peers_found=None) < 12


def first_trials_of(j: int, peers_found: float | None) -> int:
    """First trials of innovation ``j`` in three worlds where every place tries at once."""
    count = 0
    for seed in (1, 2, 3):
        m = CoProductionModel(
            small("experimentalism", innovation_process__experiment_rate=1.0), seed
        )
        if peers_found is not None:
            m.innovation.results[:, j] = peers_found
        for _ in range(m.scenario.innovation_process.evaluation_window + 1):
            m.step()
        assert (m.innovation.trial >= 0).all()
        count += int((m.innovation.trial == j).sum())
    return count


def test_central_pilot_runs_in_best_placed_municipalities_then_decides():
    s = small(
        "central_pilot",
        innovation_process__pilot_months=12,
        innovation_process__evaluation_delay=3,
        innovation_process__pilot_groups=1,
        innovation_process__counterfactual_fit=False,
    )
    m = CoProductionModel(s, seed=2)
    ses = m.municipality_mean(m.citizens.ses)
    for _ in range(8):
        m.step()
    state = m.innovation
    (group,) = state.groups
    assert group.innovation >= 0
    assert set(group.pilots) == set(np.argsort(-ses)[:3])
    others = np.setdiff1d(np.arange(12), group.pilots)
    assert (state.first_applied[others, group.innovation] < 0).all()
    for _ in range(16):
        m.step()
    assert len(state.decisions) == 1
    decision = state.decisions[0]
    j = state.names.index(decision["innovation"])
    if decision["scaled"]:
        assert state.adopted[:, j].all()
    else:
        # only pilots whose own evaluation was positive keep it (pilots_may_keep)
        assert not state.adopted[others, j].any()
        assert state.adopted[:, j].sum() == decision["kept_by_pilots"]
        key, value = next(iter(CATALOGUE[decision["innovation"]].items()))
        for i in range(12):
            if not state.adopted[i, j]:
                assert m.local.get(i, key) == m.local.base[key]


def test_pilot_groups_are_disjoint_and_ranked_by_status():
    ses = np.array([0.5, 0.9, 0.1, 0.7, 0.3, 0.8, 0.2])
    groups = innovation.pilot_groups(ses, size=2, groups=5)
    assert len(groups) == 3  # only three groups of two fit into seven places
    assert [list(g.pilots) for g in groups] == [[1, 5], [3, 0], [4, 6]]
    assert len(innovation.pilot_groups(ses, size=10, groups=2)) == 1


def test_parallel_pilots_decide_every_innovation_within_the_horizon():
    """Three pilot groups decide all seven innovations in 120 months; one group only three."""
    for groups, expected in ((3, 7), (1, 3)):
        s = small(
            "central_pilot",
            innovation_process__pilot_groups=groups,
            innovation_process__counterfactual_fit=False,
        )
        m = CoProductionModel(s, seed=6)
        for _ in range(120):
            m.step()
        assert len(m.innovation.decisions) == expected
        assert len({d["innovation"] for d in m.innovation.decisions}) == expected


def test_summary_reports_time_to_half_and_fit():
    r = run_scenario(small("central_pilot"), steps=120, seed=4)
    summary = r.innovations
    assert list(summary.innovation) == list(Scenario().innovation_process.innovations)
    scaled = summary[summary.adopted_share == 1.0]
    assert len(scaled) >= 1
    p = Scenario.load("central_pilot").innovation_process
    assert (scaled.months_to_half == p.pilot_months + p.evaluation_delay).all()
    assert (summary.evaluations == 1).all()  # every innovation decided once, for all places
    assert (summary.decisions == 12).all()
    assert (summary.cf_judged == summary.adopters).all()
    assert r.model_vars.innovations_adopted.iloc[-1] == summary.adopters.sum()
    assert r.model_vars.innovation_reach.between(0, 1).all()


def test_experimentalism_spreads_more_innovations_than_nothing_and_keeps_values_bounded():
    r = run_scenario(small("experimentalism"), steps=96, seed=5)
    mv = r.model_vars
    assert mv.innovations_adopted.iloc[-1] > 0
    assert mv.innovations_adopted.is_monotonic_increasing
    assert (mv.outcome_spread.loc[1:] > 0).all()  # places are measured from month 1
    none = run_scenario(small("experimentalism", governance__innovation="none"), steps=12, seed=5)
    assert (none.model_vars.innovations_adopted == 0).all()
    assert none.innovations.empty


def test_unknown_innovation_name_is_rejected():
    with pytest.raises(ScenarioError, match="unknown innovation 'teleport'"):
        Scenario().with_overrides({"innovation_process.innovations": ["teleport"]})


def test_innovation_runs_are_reproducible():
    a = run_scenario(small("experimentalism"), steps=40, seed=9)
    b = run_scenario(small("experimentalism"), steps=40, seed=9)
    assert a.model_vars.equals(b.model_vars)
    assert a.innovations.equals(b.innovations)


# ---------------------------------------------------------------------- fit and peer review
def bare_state(m: int, k: int) -> InnovationState:
    """An innovation state of ``m`` places and ``k`` innovations with nothing adopted yet."""
    return InnovationState.empty([f"i{j}" for j in range(k)], np.ones((m, m)) - np.eye(m))


def test_a_misfit_rolled_out_centrally_counts_as_a_misfit_in_each_place():
    """One verdict, three adoptions: each judged by what it did to the place that adopted it."""
    state = bare_state(4, 2)
    assert fit_measures(state) == dict.fromkeys(innovation.FIT_MEASURES, 0.0)
    state.adopted[:3, 0] = True  # scaled to three places
    state.cf_effect[:3, 0] = [0.02, -0.01, -0.03]
    state.adopted[3, 1] = True  # adopted, not judged yet
    out = fit_measures(state)
    assert state.adoptions == 4  # innovations_adopted counts all four alike
    assert out["innovations_fit"] == 1 and out["innovations_misfit"] == 2
    assert out["innovations_fit_share"] == pytest.approx(1 / 3)
    assert out["innovation_benefit"] == pytest.approx(-0.02 / 3)
    assert out["municipalities_fit_share"] == pytest.approx(1 / 3)
    # an effect of a place that did not adopt (a rejected trial) is no adoption's fit
    state.cf_effect[3, 0] = 0.5
    assert fit_measures(state) == out
    # a place's adoptions fit it when they help it in sum
    state.cf_effect[3, 1] = 0.01
    state.adopted[1, 1], state.cf_effect[1, 1] = True, 0.02
    assert fit_measures(state)["municipalities_fit_share"] == pytest.approx(3 / 4)


def test_the_fit_measures_are_model_columns_read_off_the_counterfactual():
    r = run_scenario(small("central_pilot", innovation_process__counterfactual_replicates=1),
                     steps=120, seed=4)  # fmt: skip
    last = r.model_vars.iloc[-1]
    effect = r.innovations
    assert last.innovations_fit + last.innovations_misfit == effect.cf_judged.sum()
    assert last.innovations_fit == pytest.approx((effect.cf_fit * effect.cf_judged).sum())
    mean = (effect.cf_effect * effect.cf_judged).sum() / effect.cf_judged.sum()
    assert last.innovation_benefit == pytest.approx(mean)
    assert (r.model_vars.innovations_fit + r.model_vars.innovations_misfit).is_monotonic_increasing


def one_innovation_world(monkeypatch, own: float, peers_found: float, review: bool):
    """Place 0 tries the one innovation; its trial measures ``own``, every peer had found
    ``peers_found`` (and has decided on it, so tries it no more)."""
    monkeypatch.setattr(innovation, "_effect", lambda *args: own)
    s = small(
        "experimentalism",
        innovation_process__experiment_rate=1.0,
        innovation_process__evaluation_noise=0.0,
        innovation_process__innovations=["inclusion_outreach"],
        innovation_process__counterfactual_fit=False,
        innovation_process__peer_review=review,
    )
    m = CoProductionModel(s, seed=2)
    m.innovation.results[1:, 0] = peers_found  # what peers found before
    m.innovation.rejected[1:, 0] = True
    p = s.innovation_process
    for _ in range(p.evaluation_window + 1 + p.trial_months):
        m.step()
    assert np.isfinite(m.innovation.verdicts[0, 0])  # place 0 decided
    assert m.innovation.adopted[0, 0] != m.innovation.rejected[0, 0]
    return m.innovation


def test_local_evaluation_drops_what_its_own_trial_found_harmful(monkeypatch):
    state = one_innovation_world(monkeypatch, own=-0.01, peers_found=-0.01, review=True)
    assert state.rejected[0, 0] and not state.adopted[0, 0]
    state = one_innovation_world(monkeypatch, own=0.01, peers_found=0.01, review=True)
    assert state.adopted[0, 0]


def test_peer_review_overrules_a_small_local_result_against_peers_evidence(monkeypatch):
    """A place keeps what similar peers found to work even when its own trial was slightly
    negative, and drops what they found harmful even when its own was slightly positive;
    without peer review it goes by its own trial alone."""
    state = one_innovation_world(monkeypatch, own=-0.005, peers_found=0.05, review=True)
    assert state.adopted[0, 0]
    state = one_innovation_world(monkeypatch, own=0.005, peers_found=-0.05, review=True)
    assert state.rejected[0, 0]
    state = one_innovation_world(monkeypatch, own=-0.005, peers_found=0.05, review=False)
    assert state.rejected[0, 0]


def test_peer_review_weighs_alike_peers_more():
    state = bare_state(3, 1)
    state.peers = np.array([[0.0, 1.0, 0.2], [1.0, 0.0, 0.2], [0.2, 0.2, 0.0]])
    state.results[:, 0] = [np.nan, 0.03, -0.03]
    # (own + 1.0 * 0.03 + 0.2 * -0.03) / (1 + 1.0 + 0.2)
    assert innovation._peer_reviewed(state, 0, 0, 0.0) == pytest.approx(0.024 / 2.2)
    state.results[1, 0] = np.nan  # a peer without a result of its own does not count
    assert innovation._peer_reviewed(state, 1, 0, -0.004) == pytest.approx(
        (-0.004 + 0.2 * -0.03) / 1.2
    )


def test_more_branch_pairs_judge_the_same_run_on_fresh_streams():
    """Extra pairs change the judgement, not the run; their spread is the judgement's error."""
    runs = {}
    for pairs in (1, 3):
        s = Scenario.load("experimentalism").with_overrides(
            {
                "population.citizens": 480,
                "population.businesses": 12,
                "population.community_organisations": 6,
                "innovation_process.experiment_rate": 1.0,
                "innovation_process.trial_months": 4,
                "innovation_process.counterfactual_replicates": pairs,
            }
        )
        m = CoProductionModel(s, seed=4)
        for _ in range(14):
            m.step()
        runs[pairs] = m
    one, three = runs[1].innovation, runs[3].innovation
    fit_columns = list(innovation.FIT_MEASURES)
    rest = [frame.model_vars.drop(columns=fit_columns) for frame in runs.values()]
    assert rest[0].equals(rest[1])
    assert (one.adopted == three.adopted).all() and one.adopted.any()
    judged = np.isfinite(three.cf_effect)
    assert (judged == np.isfinite(one.cf_effect)).all()
    assert np.isnan(one.cf_se).all() and np.isfinite(three.cf_se[judged]).all()
    assert (three.cf_se[judged] > 0).any()
    assert not np.allclose(one.cf_effect[judged], three.cf_effect[judged])


def test_a_harmful_programme_scaled_by_a_central_verdict_counts_as_misfit_where_it_harms(
    monkeypatch,
):
    """The co-production programme lowers public value nearly everywhere (ODD 7.13: it fits
    15% of the places that got it at 2,000 citizens); scaled by a verdict its pilots found
    positive, its twelve adoptions count in ``innovations_adopted`` alike, but mostly as
    misfits in the fit measures."""
    monkeypatch.setattr(innovation, "_effect", lambda *args: 0.05)  # the pilots look good
    s = small(
        "central_pilot",
        innovation_process__innovations=["coproduction_programme"],
        innovation_process__pilot_groups=1,
        innovation_process__central_noise=0.0,
    )
    fits = misfits = 0
    benefit = []
    for seed in range(1, 7):
        m = CoProductionModel(s, seed=seed)
        p = s.innovation_process
        for _ in range(p.evaluation_window + 1 + p.pilot_months + p.evaluation_delay):
            m.step()
        assert m.innovation.adopted.all() and m.innovations_adopted == 12
        last = m.model_vars.iloc[-1]
        assert last.innovations_fit + last.innovations_misfit == 12
        fits += last.innovations_fit
        misfits += last.innovations_misfit
        benefit.append(last.innovation_benefit)
    # 72 adoptions: judged by a coin toss, misfits minus fits would be 0 +- 8.5 (one sd)
    assert misfits - fits > 12, (fits, misfits)
    assert np.mean(benefit) < 0
