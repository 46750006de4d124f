"""Each compiled pass of the services' mechanisms equals its scalar rule applied per element.

The rules (allocation, input handling, production, partners) are scalar functions; the loop
kernels call them. These tests call each rule's plain-Python ``.py_func`` per element on
random inputs and compare with the kernel exactly, so a kernel that skipped or reordered a
term of its rule fails.
"""

from __future__ import annotations

import numpy as np
import pytest

from coprod.model import allocation as al
from coprod.model import inputs as ip
from coprod.model import partners as pa
from coprod.model import production as pr
from coprod.model.input_queue import Columns, _compact

RNG = np.random.default_rng(20261207)
HOODS, DOMAINS, MUNIS, CITIZENS = 7, 3, 2, 60


def _production_params(rho: float) -> pr.ProductionParams:
    return pr.ProductionParams(0.3, 0.28, 0.5, 3.0, 0.1, 0.6, rho, 1e-9, 1.1)


def test_levels_apply_the_coproduction_function_per_cell():
    for rho in (0.5, 0.0, -1.0):
        p = _production_params(rho)
        population = RNG.integers(0, 50, HOODS)
        cells = pr.Cells(
            population,
            RNG.random((HOODS, DOMAINS)) * 10,
            RNG.random((HOODS, DOMAINS)) * 5,
            1.0 + RNG.random((HOODS, DOMAINS)),
            RNG.integers(0, MUNIS, HOODS).astype(np.int32),
            np.zeros((HOODS, DOMAINS)),
        )
        delivers = np.array([True, False])
        gains = RNG.random((MUNIS, DOMAINS))
        gross = np.zeros(MUNIS)
        pr._levels(cells, delivers, gains, p, gross)
        expected = np.empty((HOODS, DOMAINS))
        for k in range(HOODS):
            m = cells.municipality[k]
            residents = float(max(population[k], 1))
            for j in range(DOMAINS):
                r, c = pr.relative_inputs.py_func(
                    cells.resources[k, j], cells.effort[k, j], residents, delivers[m], p
                )
                aggregate = pr.coproduction.py_func(r, c, p)
                expected[k, j] = pr.service_level.py_func(
                    cells.quality[k, j], gains[m, j], aggregate, p
                )
        assert np.array_equal(cells.level, expected)


def test_needs_met_per_citizen():
    p = _production_params(0.5)
    level = RNG.random((HOODS, DOMAINS))
    served = pr.Served(
        RNG.integers(0, HOODS, CITIZENS).astype(np.int32),
        RNG.integers(0, MUNIS, CITIZENS).astype(np.int32),
        RNG.random((CITIZENS, DOMAINS)) + 0.01,
        np.zeros(CITIZENS),
    )
    useful = np.zeros(MUNIS)
    pr._serve(served, level, p, useful)
    expected = [
        pr.needs_met.py_func(served.need[i], level[served.hood[i]], p)[0] for i in range(CITIZENS)
    ]
    assert served.met.tolist() == expected


def _allocation_params() -> al.AllocationParams:
    return al.AllocationParams(1.0, 0.9, 1.1, 1.0, 0.1, 0.25, 0.05, 0.3, 0.1, 21.0)


def test_overhead_applies_its_rule_per_municipality():
    p = _allocation_params()
    municipality = RNG.integers(0, MUNIS, CITIZENS).astype(np.int32)
    participated = RNG.random(CITIZENS) < 0.3
    o = al.Overheads(
        RNG.random(MUNIS) * 100,
        np.array([True, False]),
        RNG.random(MUNIS) * 50,
        RNG.random(MUNIS) * 0.1,
        RNG.random(MUNIS) * 0.1,
        RNG.random(MUNIS),
        participated,
        municipality,
    )
    budget = RNG.random(MUNIS) * 500
    cost = np.empty(MUNIS)
    al._overhead_of(o, budget, p, cost)
    for m in range(MUNIS):
        paid = int(np.sum(participated & (municipality == m)))
        expected = al.overhead_cost.py_func(
            budget[m],
            o.staff[m],
            o.handled[m] if o.automated[m] else 0.0,
            o.assessment_cost[m] + o.platform_cost[m],
            o.incentive_cost[m] * paid,
            p,
        )
        assert cost[m] == expected


def test_need_weights_apply_the_rule_per_cell():
    p = _allocation_params()
    hood_muni = RNG.integers(0, MUNIS, HOODS).astype(np.int32)
    data = RNG.random((HOODS, DOMAINS))
    data[hood_muni == 1] = 0.0  # an empty record: uniform
    cells = al.Cells(hood_muni, RNG.random((HOODS, DOMAINS)), data, np.zeros(0), np.zeros(0))
    data_weight = np.array([0.4, 0.7])
    noise = np.exp(0.15 * RNG.standard_normal((HOODS, DOMAINS)))
    weight, assessed = al._need_weights(cells, data_weight, noise, MUNIS, p)
    for h in range(HOODS):
        m = hood_muni[h]
        in_m = hood_muni == m
        d_total = 0.0
        for k in np.flatnonzero(in_m):
            for d in range(DOMAINS):
                d_total += data[k, d]
        a_total = 0.0
        for k in np.flatnonzero(in_m):
            for d in range(DOMAINS):
                a_total += assessed[k, d]
        for d in range(DOMAINS):
            assert assessed[h, d] == cells.need[h, d] * p.need_multiplier * noise[h, d]
            scaled = al.scaled_record.py_func(data[h, d], d_total, a_total, in_m.sum() * DOMAINS)
            assert weight[h, d] == al.need_weight.py_func(assessed[h, d], scaled, data_weight[m])


def test_staff_time_and_staff_apply_their_rules():
    p = ip.StaffParams(1.0, 3.0, 1 / 3, 0.2, 12.0)
    n = 40
    queue = ip.QueueRows(
        np.arange(n),
        RNG.integers(0, 3, n).astype(np.int32),
        RNG.integers(0, 2, n).astype(np.int8),
        np.zeros(n, dtype=np.int16),
        RNG.integers(0, MUNIS, n).astype(np.int32),
    )
    handling = ip.Handling(np.array([1.0, 4.0]), np.array([False, True]), np.array([0.2, 0.5]))
    cost, arrivals, backlog = np.empty(n), np.zeros(MUNIS), np.zeros(MUNIS)
    ip._staff_time_each(queue, handling, p, 2, cost, arrivals, backlog)
    for i in range(n):
        m = queue.municipality[i]
        assert cost[i] == ip.staff_time.py_func(
            queue.kind[i], handling.speed[m], handling.automated[m], handling.human_review[m], p
        )
    ceiling, planned = RNG.random(MUNIS) * 10, np.array([np.nan, 4.0])
    outreach, staff = RNG.random(MUNIS) * 0.2, np.empty(MUNIS)
    ip._staff_each(ceiling, planned, 0.9, outreach, staff)
    assert staff.tolist() == [
        ip.staff_employed.py_func(ceiling[m], planned[m], 0.9, outreach[m]) for m in range(MUNIS)
    ]
    mean, waiting, share = RNG.random(MUNIS), RNG.random(MUNIS), np.array([0.0, 0.8])
    ip._plan_of(mean, waiting, share, ceiling, p, staff)
    assert staff.tolist() == [
        ip.planned_staff.py_func(mean[m], waiting[m], share[m], ceiling[m], p)
        for m in range(MUNIS)
    ]


def test_settling_applies_acceptance_and_quality_rules():
    p = ip.SettleParams(1.3, 6.0, 0.2, 1.6, 0.02)
    n = 30
    queue = ip.QueueRows(
        RNG.integers(0, CITIZENS, n),
        np.zeros(n, dtype=np.int32),
        np.ones(n, dtype=np.int8),
        RNG.integers(0, DOMAINS, n).astype(np.int16),
        np.zeros(n, dtype=np.int32),
    )
    citizens = ip.Proposers(
        np.where(RNG.random(CITIZENS) < 0.5, 0, -1).astype(np.int32),
        RNG.integers(0, MUNIS, CITIZENS).astype(np.int32),
        RNG.integers(0, HOODS, CITIZENS).astype(np.int32),
        RNG.random((CITIZENS, DOMAINS)),
    )
    proposals = np.arange(n)
    draws = RNG.random(n)
    acceptance = np.array([0.3, 0.6])
    population = RNG.integers(1, 10, HOODS)
    quality = 1.0 + RNG.random((HOODS, DOMAINS))
    before = quality.copy()
    decided = ip.Decided(
        np.zeros(0, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        proposals,
    )
    n_acc = ip._settle(
        decided,
        draws,
        queue,
        citizens,
        acceptance,
        population,
        quality,
        np.zeros((HOODS, DOMAINS)),
        p,
    )
    accepted = [
        i
        for i in range(n)
        if draws[i]
        < ip.acceptance_probability.py_func(
            acceptance[citizens.municipality[queue.owner[i]]], citizens.member[queue.owner[i]], p
        )
    ]
    assert decided.accepted[:n_acc].tolist() == accepted
    expected = before.copy()
    for j in range(HOODS):
        for d in range(DOMAINS):
            expected[j, d] = ip.depreciated_quality.py_func(expected[j, d], p)
    for i in accepted:
        j, d = citizens.hood[queue.owner[i]], queue.domain[i]
        expected[j, d] = ip.implemented_quality.py_func(expected[j, d], population[j], p)
    assert np.array_equal(quality, np.minimum(expected, p.quality_max))


def _firms(n: int) -> pa.Firms:
    return pa.Firms(
        RNG.integers(0, MUNIS, n).astype(np.int32),
        RNG.integers(0, HOODS, n).astype(np.int32),
        RNG.integers(0, DOMAINS, n).astype(np.int16),
        RNG.random(n),
        RNG.random(n) < 0.5,
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
        RNG.integers(0, 2, n).astype(np.int32),
        np.zeros(n, dtype=np.int32),
    )


def test_engagement_and_lobbying_apply_their_rules():
    p = pa.PartnerParams(0.1, 12, 2.0, 0.08, 0.3)
    n = 50
    firms = _firms(n)
    was_engaged, was_barred = firms.engaged.copy(), firms.barred.copy()
    rules = pa.Openness(
        np.array([0.5, 1.0]),
        np.array([True, False]),
        np.array([False, True]),
        np.array([True, False]),
        True,
    )
    municipality = RNG.integers(0, MUNIS, CITIZENS).astype(np.int32)
    trust = RNG.random(CITIZENS)
    population = np.bincount(municipality, minlength=MUNIS)
    draws = RNG.random(n)
    pa._engage_of(firms, draws, rules, municipality, trust, population, p)
    for i in range(n):
        m = firms.municipality[i]
        mean_trust = trust[municipality == m].sum() / max(population[m], 1)
        propensity = pa.engagement_propensity.py_func(
            rules.business_openness[m],
            firms.csr[i],
            rules.open_data[m],
            rules.open_services[m],
            mean_trust,
        )
        barred = max(was_barred[i] - 1, 0)
        assert firms.engaged[i] == pa.stays_engaged.py_func(
            was_engaged[i], draws[i], propensity, barred, p.disengage
        )
    lobby = pa.LobbyDraws(np.array([0.05, 0.3]), np.log1p(-RNG.random(n)) * 4, RNG.random(n))
    engaged = firms.engaged.copy()
    budget, per_muni = np.array([100.0, 300.0]), np.bincount(firms.municipality, minlength=2)
    lobbying, sponsored, gains = pa._lobby_and_sponsor_of(
        firms, lobby, rules, budget, per_muni, (HOODS, DOMAINS), p
    )
    for i in range(n):
        m = firms.municipality[i]
        assert firms.lobbied[i] == (
            engaged[i] and pa.lobbies.py_func(-lobby.log_of_rest[i], lobby.p[m], firms.csr[i], p)
        )
    expected = np.zeros((HOODS, DOMAINS))
    for i in range(n):
        m = firms.municipality[i]
        if firms.engaged[i]:
            expected[firms.hood[i], firms.domain[i]] += pa.sponsorship.py_func(
                budget[m], per_muni[m], rules.open_services[m], p
            )
    assert np.array_equal(sponsored, expected)


def test_the_queue_keeps_the_masked_rows():
    n = 25
    columns = Columns(
        RNG.integers(0, 9, n),
        RNG.integers(0, 9, n).astype(np.int32),
        RNG.integers(0, 2, n).astype(np.int8),
        RNG.integers(0, 3, n).astype(np.int16),
        RNG.integers(0, 2, n).astype(np.int32),
    )
    mask = RNG.random(n) < 0.5
    kept = Columns(*(np.empty(mask.sum(), dtype=c.dtype) for c in columns))
    _compact(mask, columns, kept)
    for got, column in zip(kept, columns, strict=True):
        assert np.array_equal(got, column[mask])


def test_detection_capture_and_activity_apply_their_rules():
    n_muni = 5
    open_processes = np.array([True, False, True, True, False])
    municipality = RNG.integers(0, n_muni, CITIZENS).astype(np.int32)
    cocreated = RNG.random(CITIZENS) < 0.3
    population = np.bincount(municipality, minlength=n_muni)
    p = pa._detection_of(open_processes, municipality, cocreated, population, 0.02, 0.1, 1.0)
    for m in range(n_muni):
        watching = np.float64(np.sum(cocreated & (municipality == m))) / max(population[m], 1)
        assert p[m] == pa.detection_probability.py_func(
            open_processes[m], watching, 0.02, 0.1, 1.0
        )
    lobbying = RNG.integers(0, 8, 6)
    firm_muni = RNG.integers(0, n_muni, 8).astype(np.int32)
    per_muni = np.maximum(np.bincount(firm_muni, minlength=n_muni), 1)
    share = pa._capture_share_of(firm_muni, lobbying, per_muni, 0.2, 0.3)
    for m in range(n_muni):
        lobbyists = float(np.sum(firm_muni[lobbying] == m))
        assert share[m] == pa.captured_share.py_func(lobbyists, per_muni[m], 0.2, 0.3)
    outreach = RNG.random(n_muni) * 0.3
    activity = np.empty(8)
    pa._fund_of(firm_muni, outreach, activity, 0.3, 3.5)
    assert activity.tolist() == [
        pa.organisation_activity.py_func(outreach[m], 0.3, 3.5) for m in firm_muni
    ]


def test_outreach_reaches_low_participants_by_its_rule():
    n_muni = 3
    municipality = RNG.integers(0, n_muni, CITIZENS).astype(np.int32)
    hood = RNG.integers(0, HOODS, CITIZENS).astype(np.int32)
    contributions = RNG.random(CITIZENS) * 4
    outreach = np.array([0.0, 0.2, 0.6])
    draws = RNG.random(CITIZENS)
    need = RNG.random((CITIZENS, DOMAINS))
    reached, _ = pa._reach_of(
        contributions, municipality, hood, need, outreach, draws, HOODS, 2.0, 2.0
    )
    expected = [
        i
        for i in range(CITIZENS)
        if contributions[i] < 2.0
        and draws[i] < pa.outreach_reach.py_func(outreach[municipality[i]], 2.0)
    ]
    assert reached.tolist() == expected


def test_sum_by_run_is_bincount_in_and_out_of_order():
    from coprod.model.arrays import sum_by_run

    rng = np.random.default_rng(3)
    values = rng.random(5_000)
    ordered = np.sort(rng.integers(0, 7, 5_000))
    shuffled = rng.integers(0, 7, 5_000)
    for group in (ordered, shuffled):
        expected = np.bincount(group, weights=values, minlength=9)
        np.testing.assert_allclose(sum_by_run(group, values, 9), expected, rtol=1e-12)
    # in the order citizens are stored, the same additions in the same order: exactly equal
    assert np.array_equal(sum_by_run(ordered, values, 9), np.bincount(ordered, values, 9))
    assert sum_by_run(ordered[:0], values[:0], 3).tolist() == [0.0, 0.0, 0.0]


def test_columns_fill_a_kinds_named_tuple_by_name():
    from types import SimpleNamespace

    from coprod.model.arrays import columns

    state = SimpleNamespace(
        hood=np.arange(3), municipality=np.zeros(3), need=np.ones((3, 2)), met=np.full(3, 0.5)
    )
    served = columns(pr.Served, state, met=np.zeros(3))
    assert served.hood is state.hood and served.need is state.need
    assert served.met is not state.met and served.met.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(AttributeError, match="municipality"):
        columns(pr.Served, SimpleNamespace(hood=1, need=2, met=3))
