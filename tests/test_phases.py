"""Single phases on small hand-made worlds, against values worked out by hand from the formulas.

Each test builds a model from a tiny scenario only for its rules and parameters, then replaces
its citizens, neighbourhoods and administrations with a few hand-made rows, its random generator
with one that hands out given draws (and checks that the phase asks for exactly those), and runs
one phase with a hand-built :class:`StepRecord`. The expected numbers in the comments follow the
formulas of docs/ODD.md (section 7) step by step; ``approx`` only absorbs floating-point rounding.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from coprod import CoProductionModel, Scenario
from coprod.agents.administration import AdministrationState
from coprod.agents.citizen import CitizenState
from coprod.model.allocation import allocate_resources
from coprod.model.decisions import noise_for
from coprod.model.feedback import update_trust
from coprod.model.input_queue import InputQueue
from coprod.model.inputs import process_inputs
from coprod.model.participation import update_engagement
from coprod.model.production import produce_services
from coprod.model.step_record import StepRecord
from coprod.model.world import Neighbourhoods


def exactly(expected):
    """The hand-computed value, up to floating-point rounding only."""
    return pytest.approx(expected, rel=1e-12, abs=1e-15)


class ScriptedRng:
    """Stands in for ``model.rng``: hands out the given draws in order, checking kind and shape."""

    def __init__(self, *draws: tuple[str, object]) -> None:
        self.draws = list(draws)

    def _next(self, kind: str, size) -> np.ndarray:
        assert self.draws, f"unexpected draw: {kind}{size}"
        expected_kind, values = self.draws.pop(0)
        values = np.asarray(values, dtype=float)
        assert expected_kind == kind, f"drew {kind}, script has {expected_kind}"
        assert values.shape == np.empty(size).shape, f"{kind}: size {size} vs {values.shape}"
        return values

    def random(self, size=None) -> np.ndarray:
        return self._next("random", size)

    def standard_normal(self, size=None) -> np.ndarray:
        return self._next("standard_normal", size)

    def uniform(self, low=0.0, high=1.0, size=None) -> np.ndarray:
        return low + (high - low) * self._next("uniform", size)

    def assert_used_up(self) -> None:
        assert not self.draws, f"draws left over: {self.draws}"


def hand_citizens(hood, n_domains: int, **columns) -> CitizenState:
    """Citizens in the given neighbourhoods (one municipality), traits 0.5 unless given."""
    n = len(hood)
    state = {
        "hood": np.asarray(hood, dtype=np.int32),
        "municipality": np.zeros(n, dtype=np.int32),
        "ses": np.full(n, 0.5),
        "quintile": np.ones(n, dtype=np.int8),
        "age": np.full(n, 40.0),
        "literacy": np.full(n, 0.5),
        "spare_time": np.full(n, 0.5),
        "motivation": np.full(n, 0.5),
        "motivation0": np.full(n, 0.5),
        "trust": np.full(n, 0.5),
        "trust0": np.full(n, 0.5),
        "efficacy": np.full(n, 0.5),
        "efficacy0": np.full(n, 0.5),
        "need": np.full((n, n_domains), 0.5),
        "met": np.full(n, 0.7),
        "adopted": np.zeros(n, dtype=bool),
        "member": np.full(n, -1, dtype=np.int32),
        "contributions": np.zeros(n),
        "coproduced": np.zeros(n, dtype=bool),
        "cocreated": np.zeros(n, dtype=bool),
        "activity": np.ones(n),
        "engaged": np.zeros(n, dtype=bool),
        "acts": np.zeros(n, dtype=np.int32),
        "reports": np.zeros(n, dtype=np.int32),
        "deliveries": np.zeros(n, dtype=np.int32),
        "proposals": np.zeros(n, dtype=np.int32),
        "cases": np.zeros(n, dtype=np.int32),
    }
    for name, values in columns.items():
        state[name] = np.array(values, dtype=state[name].dtype)
    return CitizenState(**state)


def hand_hoods(population, n_domains: int, **cells) -> Neighbourhoods:
    """Neighbourhoods of one municipality; quality 1 and every other cell 0 unless given."""
    n = len(population)
    shape = (n, n_domains)
    state = {
        "municipality": np.zeros(n, dtype=np.int32),
        "population": np.asarray(population, dtype=np.int64),
        "ses_mean": np.full(n, 0.5),
        "quality": np.ones(shape),
        "data": np.zeros(shape),
        "resources": np.zeros(shape),
        "effort": np.zeros(shape),
        "level": np.zeros(shape),
    }
    for name, values in cells.items():
        state[name] = np.array(values, dtype=float)
    return Neighbourhoods(**state)


def hand_administration(population: int, **columns) -> AdministrationState:
    """One administration; counts 0 and responsiveness 1 unless given."""
    state = {
        name: np.zeros(1)
        for name in (
            "budget", "spending", "overhead", "capacity", "backlog", "handled", "expired",
            "errors", "decisions", "captured", "implemented",
        )
    }  # fmt: skip
    state["responsiveness"] = np.ones(1)
    state["staff"] = np.full(1, np.nan)
    state["workload"] = np.zeros((1, 12))
    for name, value in columns.items():
        state[name] = np.array([value], dtype=float)
    return AdministrationState(population=np.array([population], dtype=np.int64), **state)


def hand_model(settings: dict, citizens, hoods, administration, rng) -> CoProductionModel:
    """A one-municipality model with the scenario's rules and the hand-made world and draws."""
    s = Scenario().with_overrides(
        {"population.citizens": 10, "population.neighbourhoods": 1, "population.businesses": 0}
        | {"population.community_organisations": 0}
        | settings
    )
    model = CoProductionModel(s, seed=0)
    model.citizens = citizens
    model.hoods = hoods
    model.administrations = administration
    model.rng = rng
    return model


def no_outcomes(**given) -> StepRecord:
    """A record in which no input was acted upon, accepted, ... except the ``given`` rows."""
    names = ("acted", "accepted", "rejected", "ignored", "wronged", "corrected_late")
    rows = {name: np.array(given.pop(name, []), dtype=np.intp) for name in names}
    return StepRecord(**rows, **given)


# --------------------------------------------------------------------------- allocation

TWO_DOMAINS = {"services.domains": ["care", "mobility"]}
#: Four citizens, two in each of two neighbourhoods; true need per cell is
#: hood 0: [0.2 + 0.6, 0.4 + 0.0] = [0.8, 0.4], hood 1: [0.1 + 0.3, 0.1 + 0.5] = [0.4, 0.6].
FOUR_NEEDS = [[0.2, 0.4], [0.6, 0.0], [0.1, 0.1], [0.3, 0.5]]


def test_allocation_spends_budget_overhead_and_shares_by_assessed_need():
    # ict_role none: professional assessment only (data weight 0), no algorithm, no platform;
    # assessment costs 10% of the budget; no businesses, so nothing is captured
    rng = ScriptedRng(("standard_normal", [[0.0, math.log(2.0) / 0.15], [0.0, 0.0]]))
    m = hand_model(
        TWO_DOMAINS | {"governance.ict_role": "none"},
        hand_citizens([0, 0, 1, 1], 2, need=FOUR_NEEDS),
        hand_hoods([2, 2], 2, data=[[1.0, 0.0], [0.0, 1.0]]),
        hand_administration(4, decisions=3.0, errors=1.0),
        rng,
    )
    record = StepRecord(
        budget_multiplier=0.5,
        need_multiplier=1.5,
        reported_need=np.array([[6.0, 0.0], [0.0, 0.0]]),
        sponsored=np.array([[0.0, 0.5], [0.0, 0.0]]),
    )
    allocate_resources(m, record)
    rng.assert_used_up()
    adm, h = m.administrations, m.hoods

    # budget = 1 per capita x governance.budget 1 x multiplier 0.5 x 4 residents = 2
    assert adm.budget[0] == exactly(2.0)
    # staff = capacity 1 x 0.1 per capita x 4 x 0.5 = 0.2 slots at cost 1; assessment 0.1 x 2
    assert adm.overhead[0] == exactly(0.2 + 0.2)
    assert adm.spending[0] == exactly(2.0)
    # visible need fades by 0.9 and takes 0.1 of this month's reports
    assert h.data == exactly(np.array([[0.9 + 0.6, 0.0], [0.0, 0.9]]))
    # assessed need: true need x 1.5, and the draw at (0, 1) doubles it: exp(0.15 z) = 2
    #   [[1.2, 0.6 x 2], [0.6, 0.9]], total 3.9 -> shares [[4, 4], [2, 3]] / 13
    # front line 2 - 0.4 = 1.6 goes out by share; the sponsor adds 0.5 to cell (0, 1)
    shares = np.array([[4.0, 4.0], [2.0, 3.0]]) / 13.0
    assert h.resources == exactly(1.6 * shares + np.array([[0.0, 0.5], [0.0, 0.0]]))
    assert adm.captured[0] == 0.0
    # four cells decided in the one municipality; no algorithm, so no new errors
    assert adm.decisions[0] == exactly(7.0)
    assert adm.errors[0] == 1.0


def test_allocation_lets_an_engaged_partner_capture_a_share_for_its_cell():
    rng = ScriptedRng(("standard_normal", np.zeros((2, 2))))
    m = hand_model(
        TWO_DOMAINS | {"governance.ict_role": "none", "population.businesses": 1},
        hand_citizens([0, 0, 1, 1], 2, need=FOUR_NEEDS),
        hand_hoods([2, 2], 2),
        hand_administration(4),
        rng,
    )
    b = m.businesses
    b.municipality[:], b.hood[:], b.domain[:], b.engaged[:] = 0, 1, 0, True
    record = StepRecord(
        reported_need=np.zeros((2, 2)),
        sponsored=np.array([[0.0, 0.0], [0.5, 0.0]]),
        lobbying=np.array([0]),  # the partner lobbied this month and was not caught
    )
    allocate_resources(m, record)
    rng.assert_used_up()
    adm, h = m.administrations, m.hoods

    # budget 4; overhead = staff 0.1 x 4 + assessment 0.1 x 4 = 0.8; front line 3.2
    assert adm.overhead[0] == exactly(0.8)
    # one undetected lobbyist of one business: it captures 0.2 of the front line, all of it
    # pulled to its own cell (1, 0)
    assert adm.captured[0] == exactly(0.2 * 3.2)
    # the other 0.8 x 3.2 is shared by need [[0.8, 0.4], [0.4, 0.6]] / 2.2
    shares = np.array([[4.0, 2.0], [2.0, 3.0]]) / 11.0
    expected = 0.8 * 3.2 * shares + np.array([[0.0, 0.0], [0.64 + 0.5, 0.0]])
    assert h.resources == exactly(expected)
    assert adm.spending[0] == exactly(4.0)


# --------------------------------------------------------------------------- inputs

INPUT_RULES = {
    "governance.paradigm": "consultation",  # proposals accepted with probability 0.25
    "governance.ict_role": "none",  # human decisions, error rate 0.02, speed 1
    "governance.appeals": True,
    "governance.capacity": 4.5,
    "administration.target_delay": 3,
    "administration.expiry": 4,
}


#: Needs of the six citizens of the queue test: c1 claims 0.3 in domain 0 (not entitled, the
#: threshold is 0.5), c4 0.8 in domain 1 and c5 0.8 in domain 0 (entitled); the rest 0.2.
QUEUE_NEEDS = [[0.2, 0.2], [0.3, 0.2], [0.2, 0.2], [0.2, 0.2], [0.2, 0.8], [0.8, 0.2]]


def hand_queue(owner, since, kind, domain) -> InputQueue:
    """Open inputs of one municipality, in submission order."""
    q = InputQueue()
    q.add(np.array(owner), 0, np.array(kind), np.array(domain), np.zeros(len(owner)))
    q.since[:] = since
    return q


def test_inputs_queue_staff_time_triage_errors_appeals_and_acceptance():
    # month 10; six citizens in two neighbourhoods of three; two domains; six open inputs,
    # two of them c4's: r0 c0 report since 9 (domain 1) | r1 c1 proposal since 7 (bundled)
    # r2 c2 report since 6 | r3 c4 report since 5 (domain 1) | r4 c5 report since 4
    # r5 c4 report since 8
    # professionals decide (ict_role none): estimate = need + 0.1 x (ses - 0.5) + sd x z, ses
    # 0.5 here, with sd the noise at which they err on 2% of these citizens' claims
    sd = noise_for(0.02, np.array(QUEUE_NEEDS))
    rng = ScriptedRng(
        ("random", [0.5]),  # staff time: 9 x 0.1 x 6 = 5.4 slots, plus 0.5 of a slot
        ("random", [0.25, 0.0, 0.75, 0.5, 0.5, 0.5]),  # triage of r0 .. r5
        # estimates of the handled r4 (c5), r3 (c4), r1 (c1): 0.45 and 0.4 deny the entitled
        # c5 and c4 (wrongly); 0.3 denies c1 (rightly)
        ("standard_normal", [-0.35 / sd, -0.4 / sd, 0.0]),
        ("random", [0.0, 0.0, 0.0]),  # reviews: none, decisions are not automated
        ("random", [0.9, 0.3, 0.99]),  # appeals: c5 p = 0.25, c4 p = 0.4
        ("random", [0.3]),  # acceptance of c1: 0.25 x 1.3 (bundled) = 0.325
    )
    m = hand_model(
        TWO_DOMAINS | INPUT_RULES | {"governance.capacity": 9.0},
        hand_citizens(
            [0, 0, 0, 1, 1, 1],
            2,
            member=[-1, 0, -1, -1, -1, -1],
            efficacy=[0.5, 0.5, 0.5, 0.5, 1.0, 0.5],
            need=QUEUE_NEEDS,
        ),
        hand_hoods([3, 3], 2, quality=[[1.59, 1.0], [1.5, 1.0]]),
        hand_administration(6, implemented=2.0, responsiveness=0.9),
        rng,
    )
    m.queue = hand_queue(
        owner=[0, 1, 2, 4, 5, 4],
        since=[9, 7, 6, 5, 4, 8],
        kind=[0, 1, 0, 0, 0, 0],
        domain=[1, 0, 0, 1, 0, 0],
    )
    m.steps = 10
    record = StepRecord()
    process_inputs(m, record)
    rng.assert_used_up()
    adm = m.administrations

    # priorities 9.5, 7.0, 7.5, 6.0, 5.0, 9.0: the queue is r4, r3, r1 | r2, r5, r0; staff
    # time adds up 1, 2, 5 (a proposal takes 3), then 6 > 5.9: r2 waits and, four months
    # old, expires; with a report's time for the proposal r2 would have been handled
    assert adm.capacity[0] == exactly(5.4)
    assert record.ignored.tolist() == [2]
    # c5 and c4 decided wrongly; c4 appealed (0.3 < 0.1 + 0.6 x 1.0 x 0.5), c5 did not
    assert record.wronged.tolist() == [5]
    assert record.corrected_late.tolist() == [4]
    # c4's report stands once corrected; c1 was not wronged (its claim is not entitled, the
    # denial is lawful), so its bundled proposal goes on and is accepted (0.3 < 0.325)
    assert record.acted.tolist() == [4]
    assert record.accepted.tolist() == [1]
    assert record.rejected.tolist() == []
    # c4's report shows its need 0.8 in (hood 1, domain 1), for 6 months' worth
    assert record.reported_need == exactly(np.array([[0.0, 0.0], [0.0, 4.8]]))
    # no claim was granted without entitlement; each decided case goes on file
    assert record.unlawful_grants.tolist() == [0]
    assert m.citizens.cases.tolist() == [0, 1, 0, 0, 1, 1]
    # only r1 (3 months old) came within the target delay of 3; r4 (6) and r3 (5) did not
    assert record.handled_in_time.tolist() == [1.0]
    assert adm.handled[0] == 3
    assert adm.expired[0] == 1
    assert adm.responsiveness[0] == exactly(1.0 / 4.0)
    assert adm.errors[0] == 1
    assert adm.decisions[0] == 3
    assert adm.implemented[0] == 3
    # r0 and r5 wait, in submission order; c4 still has an input open
    assert adm.backlog[0] == 2
    assert m.queue.owner.tolist() == [0, 4]
    assert m.queue.since.tolist() == [9, 8]
    # nothing arrived this month, but c4's appeal of its report takes a review's staff time
    # (a third of a report's) in month 10's workload; no budget round in month 10
    assert adm.workload[0].tolist() == [0.0] * 9 + [exactly(1.0 / 3.0)] + [0.0] * 2
    assert np.isnan(adm.staff[0])
    # quality depreciates by 2% of its excess over 1, then c1's proposal adds 0.2 / 3 to
    # (hood 0, domain 0): 1.59 - 0.0118 + 0.0667 passes the ceiling 1.6
    assert m.hoods.quality == exactly(np.array([[1.6, 1.0], [1.5 - 0.01, 1.0]]))


def test_inputs_keep_the_last_responsiveness_when_nothing_is_resolved():
    rng = ScriptedRng(
        ("random", [0.2]),  # staff time 0.6 + 0.2 < 1, a report's time: nothing handled
        ("random", [0.0]),  # triage of the one open input
        ("standard_normal", []),  # no decisions: estimates, reviews, appeals, acceptances
        ("random", []),
        ("random", []),
        ("random", []),
    )
    m = hand_model(
        TWO_DOMAINS | INPUT_RULES | {"governance.capacity": 1.0},
        hand_citizens([0] * 6, 2),
        hand_hoods([6], 2),
        hand_administration(6, responsiveness=0.9),
        rng,
    )
    m.queue = hand_queue(owner=[2], since=[9], kind=[0], domain=[0])
    m.steps = 10
    record = StepRecord()
    process_inputs(m, record)
    rng.assert_used_up()
    assert m.administrations.capacity[0] == exactly(0.6)
    assert m.administrations.responsiveness[0] == 0.9
    assert record.handled_in_time.tolist() == [0.0]
    assert m.administrations.backlog[0] == 1
    assert m.queue.owner.tolist() == [2]


def test_budget_round_staffs_to_last_years_workload_and_a_cut_cuts_staff():
    # month 13, the second year's budget round; automated decisions (speed 4) with half of
    # them reviewed: a report takes 1 x (1/4 + 0.5 / 3) = 5/12 slots, a proposal 3 x that
    rng = ScriptedRng(
        ("random", [0.0]),  # no extra slot
        ("random", [0.0, 0.1]),  # triage: the report first, then the proposal
        ("standard_normal", [0.0]),  # no noise: every citizen's need equals the prior, so the
        # algorithm's estimate is the merit itself and its decision is sound
        ("random", [0.9]),  # not reviewed
        ("random", [0.9]),  # not appealed
        ("random", []),  # no proposal handled, nothing to accept
    )
    m = hand_model(
        TWO_DOMAINS
        | INPUT_RULES
        | {"governance.ict_role": "substitutive", "governance.human_review": 0.5},
        hand_citizens([0] * 6, 2),
        hand_hoods([6], 2),
        hand_administration(6),
        rng,
    )
    m.administrations.workload[:] = 2.0  # staff time demanded in each month of year one
    m.queue = hand_queue(owner=[0, 3], since=[13, 13], kind=[0, 1], domain=[0, 1])
    m.steps = 13
    record = StepRecord(budget_multiplier=0.5)
    process_inputs(m, record)
    rng.assert_used_up()
    adm = m.administrations
    # planned staff: 1.2 x mean workload 2 = 2.4, within the ceiling 4.5 x 0.1 x 6 = 2.7;
    # the cut halves the staff employed this month
    assert adm.staff[0] == exactly(2.4)
    assert adm.capacity[0] == exactly(1.2)
    # this month's arrivals: (1 + 3) x 5/12 slots, recorded in the year's first column
    assert adm.workload[0, 0] == exactly(5.0 / 3.0)
    # 5/12 fits in 1.2, 5/12 + 15/12 does not: the report is handled, the proposal waits
    assert adm.handled[0] == 1
    assert record.acted.tolist() == [0]
    assert adm.backlog[0] == 1 and m.queue.kind.tolist() == [1]
    assert adm.responsiveness[0] == 1.0


def test_budget_round_plans_staff_to_clear_the_backlog_within_the_year():
    # month 13, human decisions at speed 1; last year's workload 1 slot a month, and a
    # proposal (3 slots) from month 12 still waits: the round plans 1.2 x 1 for the flow plus
    # 3 / 12 for the backlog, within the ceiling 4.5 x 0.1 x 6 = 2.7; this month's report
    # is workload, not backlog
    rng = ScriptedRng(
        ("random", [0.0]),  # no extra slot
        ("random", [0.9, 0.0]),  # triage: proposal 13.8, report 13.0: the report first
        ("standard_normal", [0.0]),  # no noise, status 0.5: no bias, the decision is sound
        ("random", [0.0]),  # reviews: none, decisions are not automated
        ("random", [0.9]),  # not appealed
        ("random", []),  # no proposal handled, nothing to accept
    )
    m = hand_model(
        TWO_DOMAINS | INPUT_RULES,
        hand_citizens([0] * 6, 2),
        hand_hoods([6], 2),
        hand_administration(6),
        rng,
    )
    m.administrations.workload[:] = 1.0
    m.queue = hand_queue(owner=[1, 0], since=[12, 13], kind=[1, 0], domain=[0, 1])
    m.steps = 13
    process_inputs(m, StepRecord())
    rng.assert_used_up()
    adm = m.administrations
    assert adm.staff[0] == exactly(1.2 + 3.0 / 12.0)
    assert adm.capacity[0] == exactly(1.45)
    assert adm.workload[0, 0] == exactly(1.0)
    # 1 fits in 1.45, 1 + 3 does not: the proposal waits another month
    assert adm.handled[0] == 1 and m.queue.kind.tolist() == [1]


# --------------------------------------------------------------------------- production


def test_production_combines_resources_effort_quality_and_data_services():
    # coproduction: citizens' effort counts. Two neighbourhoods of 3, two domains: resources
    # per resident relative to 0.84 / 2 = 0.42, so 1.26 gives r = 1 and 5.04 gives r = 4;
    # effort c = (0.3 + 3 effort / 3) / (0.3 + 0.1), so 0.1 gives c = 1 and 1.3 gives c = 4
    m = hand_model(
        TWO_DOMAINS | {"governance.paradigm": "coproduction"},
        hand_citizens(
            [0, 0, 0, 1, 1, 1],
            2,
            need=[[0.1, 0.2], [0.25, 0.5], [0.5, 0.5], [0.5, 0.5], [0.1, 0.1], [0.4, 0.15]],
        ),
        hand_hoods(
            [3, 3],
            2,
            resources=[[1.26, 5.04], [1.26, 1.26]],
            effort=[[0.1, 0.1], [1.3, 0.1]],
            quality=[[1.0, 1.0], [1.5, 1.0]],
        ),
        hand_administration(6),
        ScriptedRng(),
    )
    record = StepRecord(need_multiplier=2.0, data_services=np.array([[0.0, 0.25]]))
    produce_services(m, record)

    # level = 0.3 x quality x (1 + data services) x (0.65 r^0.5 + 0.35 c^0.5)^2
    #   (0, 0): r = c = 1                       0.3
    #   (0, 1): r = 4, boost 1.25               0.3 x 1.25 x (1.3 + 0.35)^2 = 1.0209375
    #   (1, 0): c = 4, quality 1.5              0.3 x 1.5 x (0.65 + 0.7)^2  = 0.820125
    #   (1, 1): r = c = 1, boost 1.25           0.375
    level = np.array([[0.3, 1.0209375], [0.820125, 0.375]])
    assert m.hoods.level == exactly(level)
    # needs doubled by the demand shock; met = min(need, level) summed over domains / need:
    #   c0 [0.2, 0.4] all met; c1 [0.5, 1.0] -> 0.3 + 1.0 of 1.5; c2 [1, 1] -> 1.3 of 2;
    #   c3 [1, 1] -> 0.820125 + 0.375 of 2; c4 [0.2, 0.2] and c5 [0.8, 0.3] all met
    met = [1.0, 1.3 / 1.5, 1.3 / 2.0, 1.195125 / 2.0, 1.0, 1.0]
    assert m.citizens.met == exactly(np.array(met))
    assert record.useful_output == exactly(np.array([0.6 + 1.3 + 1.3 + 1.195125 + 0.4 + 1.1]))
    assert record.gross_output == exactly(np.array([3 * level.sum()]))


def test_production_ignores_effort_without_delivery_and_is_cobb_douglas_at_zero():
    # traditional: nobody delivers, so every cell has only the baseline effort c = 0.3 / 0.4;
    # substitution 0 makes the aggregate r^0.65 c^0.35
    m = hand_model(
        {"services.domains": ["care"], "governance.paradigm": "traditional"}
        | {"services.substitution": 0.0},
        hand_citizens([0, 0], 1, need=[[0.2], [1.0]]),
        hand_hoods([2], 1, resources=[[4 * 0.84 * 2]], effort=[[5.0]]),
        hand_administration(2),
        ScriptedRng(),
    )
    record = StepRecord(data_services=np.zeros((1, 1)))
    produce_services(m, record)
    level = 0.3 * 4.0**0.65 * 0.75**0.35
    assert m.hoods.level[0, 0] == exactly(level)
    assert m.citizens.met == exactly(np.array([1.0, level / 1.0]))


# --------------------------------------------------------------------------- feedback


def with_ties(model: CoProductionModel, n: int, ties=()) -> CoProductionModel:
    """Give the hand-made citizens a social network: the given undirected ties, none else."""
    src = [a for a, _ in ties] + [b for _, b in ties]
    dst = [b for _, b in ties] + [a for a, _ in ties]
    adj = sp.csr_matrix((np.ones(len(src), np.float32), (src, dst)), shape=(n, n))
    model.adjacency = adj
    model.degree = np.asarray(adj.sum(axis=1)).ravel().astype(np.float32)
    return model


#: Feedback without the neighbours' pull and the drift of the reference level.
ALONE = {"behaviour.trust_social_influence": 0.0, "behaviour.trust_reference_drift": 0.0}


def test_feedback_moves_trust_and_efficacy_by_each_experience():
    # learning rate 0.1, asymmetry 2, no open processes: a good experience raises a trait by
    # 0.1 x weight of the distance to 1, a bad one lowers it by 0.1 x 2 x weight of the
    # distance to 0; then needs met pull trust by 0.03 x (met - 0.7), twice that below 0.7;
    # every trait reverts by 0.02 of its gap to its reference level (0.5 here)
    m = hand_model(
        {"governance.ict_role": "none", "behaviour.learning_rate": 0.1}
        | {"behaviour.trust_asymmetry": 2.0}
        | ALONE,
        hand_citizens([0] * 9, 1, met=[0.7] * 6 + [1.0, 0.4, 0.7], motivation=[0.4] * 9),
        hand_hoods([9], 1),
        hand_administration(9),
        ScriptedRng(),
    )
    with_ties(m, 9)
    record = no_outcomes(
        acted=[0, 8, 8], accepted=[1], rejected=[2], ignored=[3], wronged=[4], corrected_late=[5]
    )
    update_trust(m, record)
    c = m.citizens
    trust = [
        0.55 - 0.02 * 0.05,  # acted: 0.5 + 0.1 x 0.5, then reversion
        0.6 - 0.02 * 0.1,  # accepted: 0.5 + 0.2 x 0.5
        0.5,  # rejected: only efficacy suffers
        0.4 + 0.02 * 0.1,  # ignored: 0.5 - 0.2 x 0.5
        0.3 + 0.02 * 0.2,  # wronged: 0.5 - 0.4 x 0.5
        0.45 + 0.02 * 0.05,  # corrected late: 0.5 - 0.1 x 0.5
        0.509 - 0.02 * 0.009,  # nothing, but all needs met: 0.5 + 0.03 x 0.3
        0.482 + 0.02 * 0.018,  # as many needs unmet: 0.5 - 2 x 0.03 x 0.3, twice as far
        0.595 - 0.02 * 0.095,  # acted upon twice: 1 - 0.9 x 0.9 x 0.5
    ]
    efficacy = [
        0.55 - 0.02 * 0.05,
        0.6 - 0.02 * 0.1,
        0.45 + 0.02 * 0.05,  # rejected: 0.5 - 0.1 x 0.5
        0.4 + 0.02 * 0.1,
        0.3 + 0.02 * 0.2,
        0.5,  # corrected late: only trust suffers
        0.5,
        0.5,
        0.595 - 0.02 * 0.095,
    ]
    assert c.trust == exactly(np.array(trust))
    assert c.efficacy == exactly(np.array(efficacy))
    assert c.trust_ref == exactly(np.full(9, 0.5))  # no drift
    # no incentives: motivation only reverts, 0.4 + 0.02 x 0.1
    assert c.motivation == exactly(np.full(9, 0.402))


def test_feedback_open_processes_amplify_and_money_is_felt_controlling():
    # open processes make results visible: good experiences count 1.5 times, a rejection
    # hurts 1.5 times less; asymmetry 1.5 (the default). A paid participant feels the payment
    # as controlling, which cuts motivation by crowding 0.1 of itself, whatever it was (c2 at
    # 0.5, c5 at 0.2); no draw is made
    m = hand_model(
        {"governance.ict_role": "instrumental", "platform.open_processes": True}
        | {"governance.incentives": "monetary", "behaviour.crowding_out": 0.1}
        | {"behaviour.learning_rate": 0.1},
        hand_citizens(
            [0] * 6,
            1,
            trust=[0.5, 0.5, 0.5, 1.0, 0.5, 0.5],
            trust0=[0.5, 0.5, 0.5, 1.0, 0.5, 0.5],
            met=[0.7, 0.7, 0.7, 1.0, 0.7, 0.7],
            motivation=[0.5] * 5 + [0.2],
            motivation0=[0.5] * 5 + [0.2],
            coproduced=[False, False, True, False, False, True],
        ),
        hand_hoods([6], 1),
        hand_administration(6),
        ScriptedRng(),
    )
    with_ties(m, 6)
    update_trust(m, no_outcomes(acted=[0], rejected=[1], ignored=[4]))
    m.rng.assert_used_up()
    c = m.citizens
    # c0: 0.5 + 0.15 x 0.5 = 0.575, then reversion; c3: 1 + 0.009 - 0.02 x 0.009 is clipped
    # to 1; c4: ignoring is not made visible, 0.5 - 1.5 x 0.1 x 0.5
    trust = [0.575 - 0.02 * 0.075, 0.5, 0.5, 1.0, 0.425 + 0.02 * 0.075, 0.5]
    assert c.trust == exactly(np.array(trust))
    # c1: 0.5 - (1.5 x 0.05 / 1.5) x 0.5, then 0.02 of the way back
    assert c.efficacy[1] == exactly(0.5 - 0.025 * 0.98)
    # c2: 0.5 x 0.9 = 0.45, then 0.45 + 0.02 x 0.05; c5: 0.2 x 0.9, then 0.02 x 0.02 back
    assert c.motivation == exactly(np.array([0.5, 0.5, 0.451, 0.5, 0.5, 0.18 + 0.02 * 0.02]))


def test_feedback_recognition_is_felt_as_supportive():
    # a recognised participant's motivation rises by crowding 0.1 of its distance to 1;
    # no draw is made; non-participants only revert
    m = hand_model(
        {"governance.incentives": "recognition", "behaviour.crowding_out": 0.1}
        | {"behaviour.learning_rate": 0.1},
        hand_citizens(
            [0] * 2, 1, motivation=[0.4, 0.4], motivation0=[0.4, 0.4], cocreated=[True, False]
        ),
        hand_hoods([2], 1),
        hand_administration(2),
        ScriptedRng(),
    )
    with_ties(m, 2)
    update_trust(m, no_outcomes())
    assert m.citizens.motivation == exactly(np.array([0.46 - 0.02 * 0.06, 0.4]))


def test_feedback_neighbours_pull_trust_and_the_reference_level_drifts():
    # social influence 0.1 towards the neighbours' mean trust of before this month; then 0.02
    # of the gap to the reference level; then the reference moves 0.5 of the way to trust.
    # Ties: 0-1, 0-2; citizen 3 has none and reverts to its own reference 0.5, not trust0 0.6
    m = hand_model(
        {"behaviour.learning_rate": 0.1, "behaviour.trust_social_influence": 0.1}
        | {"behaviour.trust_reference_drift": 0.5},
        hand_citizens(
            [0] * 4,
            1,
            trust=[0.8, 0.2, 0.4, 0.6],
            trust0=[0.8, 0.2, 0.4, 0.6],
            efficacy=[0.8, 0.2, 0.4, 0.6],
            efficacy0=[0.8, 0.2, 0.4, 0.6],
        ),
        hand_hoods([4], 1),
        hand_administration(4),
        ScriptedRng(),
    )
    with_ties(m, 4, [(0, 1), (0, 2)])
    m.citizens.trust_ref[3] = 0.5
    update_trust(m, no_outcomes())
    c = m.citizens
    trust = [
        0.75 + 0.02 * 0.05,  # hears (0.2 + 0.4) / 2 = 0.3: 0.8 - 0.1 x 0.5
        0.26 - 0.02 * 0.06,  # hears 0.8: 0.2 + 0.1 x 0.6
        0.44 - 0.02 * 0.04,  # hears 0.8: 0.4 + 0.1 x 0.4
        0.6 - 0.02 * 0.1,  # alone: towards its reference 0.5
    ]
    # the neighbours' mean is taken in single precision, like the adjacency (7.10)
    assert c.trust == pytest.approx(np.array(trust), rel=1e-7)
    ref = np.array([0.8, 0.2, 0.4, 0.5]) + 0.5 * (np.array(trust) - [0.8, 0.2, 0.4, 0.5])
    assert c.trust_ref == pytest.approx(ref, rel=1e-7)
    assert c.efficacy == exactly(np.array([0.8, 0.2, 0.4, 0.6]))  # neighbours move trust only


# --------------------------------------------------------------------------- engagement


def test_dropout_hazard_falls_with_acts_and_rises_after_a_bad_experience():
    # engaged c0 (1 act), c1 (1 act, an input ignored), c2 (4 acts, wronged), c4 (2 acts, a
    # proposal rejected); c3 never acted. Hazards (0.3 + 0.5 x bad) / acts:
    # c0 0.3, c1 0.8, c2 0.8 / 4 = 0.2, c4 0.8 / 2 = 0.4
    rng = ScriptedRng(("random", [0.5, 0.5, 0.1, 0.45]))
    m = hand_model(
        {},
        hand_citizens([0] * 5, 1, engaged=[True, True, True, False, True], acts=[1, 1, 4, 0, 2]),
        hand_hoods([5], 1),
        hand_administration(5),
        rng,
    )
    update_engagement(m, no_outcomes(ignored=[1], wronged=[2], rejected=[4]))
    rng.assert_used_up()
    # c0 stays (0.5 >= 0.3), c1 quits (0.5 < 0.8), c2 quits (0.1 < 0.2), c4 stays (0.45 >= 0.4)
    assert m.citizens.engaged.tolist() == [True, False, False, False, True]


def test_the_months_network_pass_hears_neighbours_trust_as_feedback_would_alone():
    """Participation's one product of the adjacency gives feedback the same neighbours' trust.

    Trust is read before this month's experiences either way; taking it in participation's
    pass (with the participating and adopting neighbours) must change no number.
    """
    from coprod.model.feedback import _heard
    from coprod.model.participation import citizens_decide

    scenario = Scenario.load("socialgov").with_overrides({"population.citizens": 800})
    assert scenario.behaviour.trust_social_influence > 0
    model = CoProductionModel(scenario, seed=4)
    for _ in range(3):
        model.step()
    own_pass = _heard(model)
    assert own_pass.std() > 0  # neighbours differ: a wrong column would show
    record = StepRecord()
    citizens_decide(model, record)
    assert record.heard_trust is not None and record.adopting_peers is not None
    np.testing.assert_array_equal(record.heard_trust, own_pass)

    twin = model.fork()
    twin_record = StepRecord(**{**vars(record), "heard_trust": None})
    for phase_model, phase_record in ((model, record), (twin, twin_record)):
        update_trust(phase_model, phase_record)
    np.testing.assert_array_equal(model.citizens.trust, twin.citizens.trust)


@pytest.mark.parametrize("columns", [1, 2, 3])
def test_the_compiled_neighbour_sums_are_scipys_product_bit_for_bit(columns):
    """The compiled pass over the network gives exactly ``adjacency @ values``.

    On the network of a town whose neighbourhoods are large enough for ties far apart (the
    far neighbours are the ones fetched ahead), with values that round differently in every
    order of addition, and with 64-bit indices as SciPy uses for very large networks.
    """
    from coprod.model import network
    from coprod.model.neighbour_sums import PREFETCH_AHEAD

    scenario = Scenario.load("socialgov").with_overrides({"population.citizens": 20_000})
    adjacency = CoProductionModel(scenario, seed=6).adjacency
    assert adjacency.nnz > 10 * PREFETCH_AHEAD
    rng = np.random.default_rng(columns)
    values = [rng.random(adjacency.shape[0]) * 10 ** rng.uniform(-3, 3) for _ in range(columns)]
    expected = adjacency @ np.column_stack(values).astype(np.float32)
    np.testing.assert_array_equal(network.neighbour_sums(adjacency, *values), expected)
    wide = adjacency.copy()
    wide.indices, wide.indptr = wide.indices.astype(np.int64), wide.indptr.astype(np.int64)
    assert wide.indices.dtype == np.int64
    np.testing.assert_array_equal(network.neighbour_sums(wide, *values), expected)


def test_poisson_by_inversion_is_the_inverse_of_the_poisson_cdf():
    """Counts from uniforms are the Poisson quantiles of those uniforms (up to rounding).

    The compiled search adds the probabilities of 1, 2, ... one citizen at a time; SciPy's
    quantile function is an independent reference. Means from 0 to 30 cover the quiet majority
    and the most active reporters.
    """
    from scipy import stats

    from coprod.model.participation import poisson_by_inversion

    rng = np.random.default_rng(11)
    u = rng.random(100_000)
    lam = np.concatenate([rng.exponential(0.3, 50_000), rng.uniform(0.0, 30.0, 50_000)])
    counts = poisson_by_inversion(u, lam)
    expected = stats.poisson.ppf(u, lam)
    assert counts.dtype == np.int32
    assert np.count_nonzero(counts != expected) <= 10  # a uniform on a CDF step's rounding
    assert counts[lam == 0].sum() == 0
