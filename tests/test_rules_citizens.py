"""Each compiled citizens' pass computes exactly its scalar rule, element by element.

The rules (participation, feedback, decisions) are written once as small scalar functions; the
loop kernels call them per citizen or case, and the per-agent baseline calls their plain-Python
``py_func``. Here each kernel runs on random inputs and is compared with ``==`` against the
rule's ``py_func`` applied per element.
"""

from __future__ import annotations

import numpy as np
import pytest

from coprod.model import decisions, feedback, participation

N = 500


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(28)


def test_channel_cost_kernel_is_the_rule(rng):
    k = participation.channel_costs()
    municipality = rng.integers(0, 3, N).astype(np.int32)
    literacy, adopted = rng.random(N), rng.random(N) < 0.5
    member = rng.integers(-1, 4, N).astype(np.int32)
    channels = participation.Channels(
        rng.random(3) < 0.5, rng.random(3) < 0.5, rng.random(3) < 0.5, rng.random(4)
    )
    cost = np.empty(N)
    participation._channel_cost_of(municipality, literacy, adopted, member, channels, k, cost)
    expected = [
        participation.cheapest_channel.py_func(
            k,
            channels.offline[m],
            channels.platform[m],
            adopted[i],
            channels.personalisation[m],
            literacy[i],
            member[i] >= 0,
            channels.activity[member[i]] if member[i] >= 0 else 0.0,
        )
        for i, m in enumerate(municipality)
    ]
    assert np.array_equal(cost, np.array(expected))


def test_utility_kernel_is_the_rule(rng):
    w = participation.UtilityWeights(*rng.normal(size=10))
    c = participation.Traits(
        rng.integers(0, 3, N).astype(np.int32),
        *(rng.random(N) for _ in range(5)),
        rng.random(N) < 0.5,
        rng.integers(-1, 4, N).astype(np.int32),
    )
    local = participation.Local(rng.random(3), rng.random(3), rng.random(4))
    participated = rng.random(N) < 0.3
    peers = rng.random(N).astype(np.float32)
    cost = np.where(rng.random(N) < 0.1, np.inf, rng.random(N))
    out = np.empty(N)
    participation._utility_of(c, participated, peers, cost, local, w, out)
    for i in range(N):
        m, o = c.municipality[i], c.member[i]
        here = local.invitation[m] + local.incentive[m]
        if o >= 0:
            here += w.mobilisation * local.activity[o]
        effective = participation.effective_cost.py_func(cost[i], c.spare_time[i])
        u = participation.utility.py_func(
            w,
            c.motivation[i],
            c.efficacy[i],
            c.trust[i],
            c.met[i],
            peers[i],
            participated[i],
            effective,
            here,
            c.engaged[i],
        )
        assert out[i] == u


def test_count_acts_kernel_is_the_rules(rng):
    k = participation.ActWeights(*rng.random(5))
    reports = rng.poisson(0.5, N).astype(np.int32)
    delivers, proposes = rng.random(N) < 0.3, rng.random(N) < 0.2
    effort = np.where(delivers, 0.5 + rng.random(N), 0.0)
    counts = participation.Counts(
        rng.random(N),
        *(np.zeros(N, np.int32) for _ in range(3)),
        np.zeros(N, bool),
        np.zeros(N, bool),
        np.full(N, -1, np.int32),
        np.zeros(N, np.int32),
        np.zeros(N, bool),
    )
    before = counts.contributions.copy()
    hours = np.empty(N)
    participation._count_acts_of(reports, delivers, proposes, effort, 7, counts, k, hours)
    for i in range(N):
        f = participation.contribution.py_func
        assert counts.contributions[i] == before[i] + f(k, reports[i], effort[i], proposes[i])
        h = participation.hours_given.py_func(k, reports[i], effort[i], proposes[i])
        assert hours[i] == h
        assert counts.acts[i] == reports[i] + delivers[i] + proposes[i]
        assert counts.last_proposal[i] == (7 if proposes[i] else -1)


def test_poisson_kernel_is_the_rule(rng):
    u, lam = rng.random(N), rng.exponential(2.0, N)
    counts = participation.poisson_by_inversion(u, lam)
    expected = [
        participation.poisson_count.py_func(u[i], lam[i], np.exp(-lam[i])) for i in range(N)
    ]
    assert np.array_equal(counts, np.array(expected))


def test_adoption_kernel_is_the_rule(rng):
    k = participation.Diffusion(0.01, 0.3)
    municipality = rng.integers(0, 3, N).astype(np.int32)
    share, literacy, draw = rng.random(N).astype(np.float32), rng.random(N), rng.random(N)
    platform = participation.Platforms(*(rng.random(3) < 0.6 for _ in range(3)))
    adopted = np.zeros(N, bool)
    participation._adopt(municipality, share, literacy, draw, platform, k, adopted)
    expected = [
        draw[i]
        < participation.adoption_hazard.py_func(
            k, share[i], literacy[i], platform.personalisation[m], platform.open_services[m]
        )
        and platform.platform[m]
        for i, m in enumerate(municipality)
    ]
    assert np.array_equal(adopted, np.array(expected))


@pytest.mark.parametrize("rewarded", [True, False], ids=["rewards", "no-rewards"])
@pytest.mark.parametrize("hears", [True, False], ids=["heard", "not-heard"])
def test_learning_kernel_is_the_rules(rng, rewarded, hears):
    """Each of the pass's loops (rewards anywhere or not, neighbours heard or not) is the rules."""
    p = feedback.Learning(0.08, 1.5, 0.02, 0.005, 0.03, 0.3, 0.7, 0.2)
    c = feedback.Learners(
        rng.integers(0, 3, N).astype(np.int32),
        *(rng.random(N) for _ in range(7)),
        rng.random(N) < 0.4,
        rng.integers(0, 3, N).astype(np.float32),
    )
    before = [a.copy() for a in c]
    heard = rng.random(N) if hears else np.zeros(0)
    if rewarded:
        rewards = feedback.Rewards(np.array([True, False, True]), np.array([False, True, True]))
    else:
        rewards = feedback.Rewards(np.zeros(3, bool), np.zeros(3, bool))
    feedback._pull_and_revert(c, heard, rewards, p)
    _, trust, efficacy, motivation, trust_ref, efficacy0, motivation0, met, took, degree = before
    clip = feedback.clip01.py_func
    for i in range(N):
        m = c.municipality[i]
        t = clip(
            feedback.trust_after.py_func(
                p,
                trust[i],
                trust_ref[i],
                met[i],
                heard[i] if hears else 0.0,
                hears and degree[i] > 0,
            )
        )
        e = clip(efficacy[i] + p.rate * p.reversion * (efficacy0[i] - efficacy[i]))
        mo = clip(
            feedback.motivation_after.py_func(
                p,
                motivation[i],
                motivation0[i],
                took[i] and rewards.recognition[m],
                took[i] and rewards.monetary[m],
            )
        )
        assert (c.trust[i], c.efficacy[i], c.motivation[i]) == (t, e, mo)
        assert c.trust_ref[i] == trust_ref[i] + p.drift * (t - trust_ref[i])


@pytest.mark.parametrize("repeats", [False, True])
def test_experience_kernel_is_the_rule(rng, repeats):
    visible = 1.0 + 0.5 * (rng.random(N) < 0.5)
    for _, _, up, rate in feedback.experiences(0.3, 1.5, visible):
        trait = rng.random(N)
        before = trait.copy()
        # rows listed once each (sorted) or several times in any order
        who = rng.integers(0, N, 400) if repeats else np.flatnonzero(rng.random(N) < 0.3)
        feedback._move((trait,), who, rate, up)
        times = np.bincount(who, minlength=N)
        rates = np.broadcast_to(rate, N)
        expected = [
            feedback.experienced.py_func(x, float(n), k, up) if n else x
            for x, n, k in zip(before, times, rates, strict=True)
        ]
        assert np.array_equal(trait, np.array(expected))
        assert (times.max() > 1) == repeats


def test_judgement_kernel_is_the_rules(rng):
    k = decisions.Rules(0.5, 1.0, 6.0, 3.0, 0.1, 0.6, 0.2, 0.1)
    n_cases = 300
    c = decisions.CaseFile(
        rng.integers(0, 3, N).astype(np.int32),
        rng.random((N, 3)),
        rng.random(N),
        rng.random(N),
        rng.random(N),
        rng.random(N) < 0.5,
        rng.integers(0, 4, N).astype(np.int32),
    )
    cases = decisions.Cases(
        rng.integers(0, N, n_cases),
        rng.integers(0, 3, n_cases),
        rng.standard_normal(n_cases),
        rng.random(n_cases),
        rng.random(n_cases),
    )
    deciders = decisions.Deciders(
        np.array([True, False, True]),
        np.array([True, True, False]),
        rng.random(3),
        np.array([True, False, True]),
        rng.random(3) * 0.3,
    )
    prior = rng.random(3)
    out = decisions.Judged(
        np.empty(n_cases, bool),
        np.empty(n_cases, bool),
        np.empty(n_cases, bool),
        np.zeros(3, np.int64),
    )
    file_before = c.cases.copy()
    decisions._judge_each(cases, c, deciders, prior, k, out)
    unlawful = np.zeros(3, np.int64)
    for i in range(n_cases):
        row, d = cases.handled[i], cases.domains[i]
        m = c.municipality[row]
        auto = deciders.automated[m]
        traced = c.adopted[row] and deciders.platform_traces[m]
        points = decisions.data_points.py_func(k, traced, file_before[row])
        guess = decisions.estimate.py_func(
            k,
            auto,
            c.need[row, d],
            prior[d] if auto else 0.0,
            points,
            c.ses[row],
            deciders.sd_human[m],
            cases.noise[i],
        )
        reviewed = auto and cases.review_draw[i] < deciders.human_review[m]
        wrong, appealed, bad = decisions.judgement.py_func(
            k,
            c.need[row, d],
            guess,
            reviewed,
            cases.appeal_draw[i],
            c.efficacy[row],
            c.literacy[row],
            deciders.appeals[m],
        )
        assert (out.wrong[i], out.reviewed[i], out.appealed[i]) == (wrong, reviewed, appealed)
        unlawful[m] += bad
    assert np.array_equal(out.unlawful, unlawful)
    assert np.array_equal(c.cases, file_before + np.bincount(cases.handled, minlength=N))


def test_dropout_kernel_is_the_rule(rng):
    k = participation.Dropout(0.3, 0.5, 1.0)
    engaged = rng.random(N) < 0.6
    rows = np.flatnonzero(engaged)
    bad, acts = rng.random(N) < 0.2, rng.integers(0, 6, N).astype(np.int32)
    draw = rng.random(len(rows))
    after = engaged.copy()
    participation._drop_out(rows, bad, acts, draw, k, after)
    expected = engaged.copy()
    for r, i in enumerate(rows):
        if draw[r] < participation.quit_hazard.py_func(k, bad[i], acts[i]):
            expected[i] = False
    assert np.array_equal(after, expected)
