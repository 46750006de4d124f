"""Played agents: a participant's choice enters the model where the model would decide.

Each test compares a played model with an unplayed twin of the same scenario and seed (or an
ensemble of such pairs), so what differs is the choice alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coprod.model.core import CoProductionModel
from coprod.model.played import (
    BusinessChoice,
    Choices,
    CouncilChoice,
    OrganisationChoice,
    PlayError,
    ResidentChoice,
    business_view,
    council_view,
    organisation_view,
    pick_citizen,
    resident_view,
)
from helpers import scenario


def small(name: str = "socialgov", **overrides) -> CoProductionModel:
    return CoProductionModel(scenario(name, **overrides), seed=3)


def residents(*pairs: tuple[int, str]) -> Choices:
    return Choices(residents=[ResidentChoice(citizen=i, act=a) for i, a in pairs])


# ------------------------------------------------------------------------------ no choices


def test_empty_choices_give_the_same_run_as_no_choices():
    plain, played = small(), small()
    for _ in range(24):
        plain.step()
        played.play(Choices())
        played.step()
    pd.testing.assert_frame_equal(plain.model_vars, played.model_vars, check_exact=True)
    assert not plain.model_vars.empty


# ------------------------------------------------------------------------------ residents


def test_a_resident_forced_to_report_reports_once_a_month():
    model = small()
    citizen = pick_citizen(model, 0, set())
    before = int(model.citizens.reports[citizen])
    for month in range(1, 7):
        model.play(residents((citizen, "report")))
        model.step()
        assert model.citizens.reports[citizen] == before + month
        assert model.citizens.deliveries[citizen] == 0
        assert model.citizens.proposals[citizen] == 0


def test_none_forces_no_act_on_the_most_active_citizens():
    model = small()
    # the citizens most likely to act: the most motivated, highest latent activity
    likely = np.argsort(-(model.citizens.motivation * model.citizens.activity))[:20]
    acts = model.citizens.acts[likely].copy()
    for _ in range(6):
        model.play(residents(*[(int(i), "none") for i in likely]))
        model.step()
    assert np.array_equal(model.citizens.acts[likely], acts)


def test_residents_forced_to_report_raise_the_reports_against_unplayed_twins():
    """Over an ensemble: 80 residents who always report give more reports than the model's draws."""
    more = []
    for seed in range(4):
        plain = CoProductionModel(scenario("socialgov"), seed=seed)
        played = CoProductionModel(scenario("socialgov"), seed=seed)
        # the least active residents: the model rarely lets them report
        quiet = np.argsort(played.citizens.motivation)[:80]
        for _ in range(12):
            plain.step()
            played.play(residents(*[(int(i), "report") for i in quiet]))
            played.step()
        assert np.all(played.citizens.reports[quiet] == 12)
        more.append(int(played.citizens.reports.sum()) - int(plain.citizens.reports.sum()))
        assert (
            played.model_vars["coproduction_rate"].iloc[1:].mean()
            > plain.model_vars["coproduction_rate"].iloc[1:].mean()
        )
    # 80 x 12 = 960 forced reports, of which the model would have drawn only a few
    assert min(more) > 500


def test_a_resident_sees_their_report_answered_or_waiting():
    model = small()
    citizen = pick_citizen(model, 1, set())
    model.play(residents((citizen, "report")))
    model.step()
    view = resident_view(model, citizen)
    assert view.last_act == "report"
    assert view.answer in {"answered", "waiting"}
    if view.answer == "answered":
        assert view.outcomes
        assert view.open_cases == 0
    else:
        assert view.open_cases == 1
    # a month later with no act, the answer is about what is still open
    model.step()
    later = resident_view(model, citizen)
    assert later.answer in {"nothing", "waiting"}
    assert (later.answer == "waiting") == (later.open_cases > 0)


def test_a_waiting_report_is_later_answered_or_ignored_and_the_view_follows():
    """With little staff, reports wait; each ends answered or expired, then nothing is open."""
    model = small(governance__capacity=0.1)
    for _ in range(3):
        model.step()
    # residents with nothing open, who then play "none": their one report is all they have
    played = [int(i) for i in np.flatnonzero(model.queue.per_owner(len(model.citizens)) == 0)]
    played = played[:20]
    model.play(residents(*[(i, "report") for i in played]))
    model.step()
    acted = model.steps
    expiry = model.scenario.administration.expiry
    ends = {}
    for _ in range(expiry + 2):
        for i in played:
            view = resident_view(model, i)
            assert view.last_act == ("report" if model.steps == acted else "none")
            assert (view.answer == "waiting") == (view.open_cases > 0)
            if view.answer in {"answered", "ignored"} and i not in ends:
                ends[i] = (view.answer, model.steps, view.outcomes)
        model.play(residents(*[(i, "none") for i in played]))
        model.step()
    assert sorted(ends) == sorted(played)  # every report came to an end
    for answer, month, outcomes in ends.values():
        if answer == "ignored":
            assert month == acted + expiry and outcomes == ()
        else:
            assert outcomes and month <= acted + expiry
    answers = {answer for answer, _, _ in ends.values()}
    assert answers == {"answered", "ignored"}
    # those answered after waiting: the view said "waiting" first
    assert any(month > acted for answer, month, _ in ends.values() if answer == "answered")
    assert all(resident_view(model, i).answer == "nothing" for i in played)


def test_a_resident_view_shows_the_neighbourhood():
    model = small()
    citizen = pick_citizen(model, 2, set())
    model.step()
    view = resident_view(model, citizen)
    assert view.hood == 2
    assert view.hood_name == model.place_names[2]
    assert view.domains == tuple(model.scenario.services.domains)
    assert len(view.needs) == len(view.domains)
    assert all(0.0 <= need <= 1.0 for need in view.needs)
    assert 0.0 <= view.needs_met <= 1.0
    assert 0.0 <= view.trust <= 1.0
    assert view.last_act is None


def test_pick_citizen_takes_the_lowest_free_row_of_the_neighbourhood():
    model = small()
    rows = np.flatnonzero(model.citizens.hood == 3)
    first = pick_citizen(model, 3, set())
    second = pick_citizen(model, 3, {first})
    assert (first, second) == (int(rows[0]), int(rows[1]))
    assert pick_citizen(model, 3, set()) == first  # deterministic
    with pytest.raises(PlayError, match="hood"):
        pick_citizen(model, len(model.hoods), set())


def test_an_act_the_model_does_not_allow_is_refused_and_the_view_says_why():
    """Under consultation residents cannot deliver; outside the call nobody can propose."""
    model = small("consultation")
    model.play(residents((0, "deliver")))
    model.step()
    assert model.citizens.deliveries[0] == 0
    assert "delivery" in resident_view(model, 0).refused
    while model.steps % 12 < model.scenario.administration.call_months:  # to a closed call
        model.step()
    proposals = int(model.citizens.proposals[0])
    model.play(residents((0, "propose")))
    model.step()
    assert model.citizens.proposals[0] == proposals
    assert "call" in resident_view(model, 0).refused


def test_without_a_channel_a_resident_cannot_be_forced_to_act():
    model = small("traditional", governance__offline_channel=False, governance__ict_role="none")
    model.play(residents((0, "report")))
    model.step()
    assert model.citizens.reports[0] == 0
    assert "no channel" in resident_view(model, 0).refused


def test_a_resident_forced_to_deliver_gives_the_model_s_effort():
    model = small("coproduction")
    model.play(residents((9, "deliver")))
    model.step()
    c = model.citizens
    assert c.deliveries[9] == 1
    # one month's delivery at the model's effort 0.5 + spare time, and nothing else
    assert c.contributions[9] == pytest.approx(0.5 + c.spare_time[9])


# ------------------------------------------------------------------------------ councils


def _paired(name: str, months: int, choice: CouncilChoice, seeds=range(3), **overrides):
    """Per seed: a model and its same-seed fork, the fork's council playing ``choice``."""
    pairs = []
    for seed in seeds:
        model = CoProductionModel(scenario(name, **overrides), seed=seed)
        model.step()
        twin = model.fork()
        twin.play(Choices(councils=[choice]))
        for _ in range(months):
            model.step()
            twin.step()
        pairs.append((model, twin))
    return pairs


def test_a_council_s_review_of_automated_decisions_raises_lawfulness():
    pairs = _paired("substitutive_automation", 18, CouncilChoice(municipality=0, human_review=1.0))
    for model, twin in pairs:
        assert twin.local.get(0, "governance.human_review") == 1.0  # the rule stays
        assert model.local.get(0, "governance.human_review") == 0.0
        plain = model.model_vars["lawfulness"].iloc[-12:].mean()
        reviewed = twin.model_vars["lawfulness"].iloc[-12:].mean()
        assert reviewed > plain + 0.05


def test_a_council_s_budget_raises_the_needs_met():
    pairs = _paired("coproduction", 12, CouncilChoice(municipality=0, budget=2.0))
    for model, twin in pairs:
        assert twin.local.get(0, "governance.budget") == 2.0
        plain = model.model_vars["effectiveness"].iloc[-6:].mean()
        richer = twin.model_vars["effectiveness"].iloc[-6:].mean()
        assert richer > plain + 0.02


def test_a_council_view_shows_its_settings_and_measures():
    model = small()
    model.play(Choices(councils=[CouncilChoice(municipality=0, offline_channel=False)]))
    model.step()
    view = council_view(model, 0)
    assert view.settings["offline_channel"] is False
    assert view.settings["budget"] == model.scenario.governance.budget
    assert view.measures["trust"] == model.measures["trust"]
    assert all(0.0 <= view.measures[k] <= 1.0 for k in ("participation_rate", "trust"))


# ------------------------------------------------------------------------------ businesses


def test_a_business_forced_to_engage_is_engaged_and_one_forced_out_is_not():
    model = small()
    out = int(np.flatnonzero(~model.businesses.engaged)[0])
    for _ in range(6):
        model.play(
            Choices(
                businesses=[
                    BusinessChoice(business=out, engage=True, lobby=False),
                    BusinessChoice(business=out + 1, engage=False),
                ]
            )
        )
        model.step()
        assert model.businesses.engaged[out] or model.businesses.barred[out] > 0
        assert not model.businesses.lobbied[out]
        assert not model.businesses.engaged[out + 1]
    view = business_view(model, out)
    assert view.engaged and view.months_engaged == 6
    assert view.domain in model.scenario.services.domains


def test_a_business_that_chooses_to_lobby_lobbies_until_caught_then_cannot_engage():
    """Five businesses that always lobby: each lobbies every month it is not barred."""
    model = small()
    lobbyists = range(5)
    choices = Choices(
        businesses=[BusinessChoice(business=i, engage=True, lobby=True) for i in lobbyists]
    )
    caught = set()
    for _ in range(24):
        barred_before = {i for i in lobbyists if model.businesses.barred[i] > 1}
        model.play(choices)
        model.step()
        for i in lobbyists:
            view = business_view(model, i)
            if i in barred_before:  # still barred this month: the choice to engage is refused
                assert "barred" in view.refused
                assert not view.engaged and not view.lobbied
            else:
                assert view.lobbied and view.refused is None
                assert view.engaged != view.caught  # caught ends the engagement
            if view.caught:
                caught.add(i)
    assert caught  # detection is the model's draw: over 24 months some are caught


# ------------------------------------------------------------------------------ organisations


def test_an_organisation_s_outreach_recruits_in_its_neighbourhood():
    """Over seeds: members of a played organisation at full outreach against its twin's."""
    gains = []
    for seed in range(4):
        model = CoProductionModel(scenario("socialgov"), seed=seed)
        twin = model.fork()
        for _ in range(12):
            model.step()
            twin.play(Choices(organisations=[OrganisationChoice(organisation=0, outreach=1.0)]))
            twin.step()
        gains.append(int(twin.organisations.members[0]) - int(model.organisations.members[0]))
        view = organisation_view(twin, 0)
        assert view.activity == pytest.approx(1.0)
        assert view.recruited > 0
        assert view.hood == int(twin.organisations.hood[0])
    # about 0.4 x 0.05 of a hood's ~80 low participants a month, over 12 months: ~19
    assert min(gains) >= 5


def test_an_organisation_at_no_outreach_has_its_base_activity():
    from coprod.model import partners

    model = small(governance__inclusion_outreach=0.1)
    model.play(Choices(organisations=[OrganisationChoice(organisation=1, outreach=0.0)]))
    model.step()
    assert model.organisations.activity[1] == pytest.approx(partners.BASE_ACTIVITY)
    assert model.organisations.activity[0] > partners.BASE_ACTIVITY  # funded, not played


# ------------------------------------------------------------------------------ bad choices


@pytest.mark.parametrize(
    ("data", "field", "value"),
    [
        ({"residents": [{"citizen": 10**6, "act": "report"}]}, "residents.0.citizen", "1000000"),
        ({"residents": [{"citizen": 0, "act": "dance"}]}, "residents.0.act", "dance"),
        ({"councils": [{"municipality": 0, "human_review": 1.5}]}, "human_review", "1.5"),
        ({"councils": [{"municipality": 5}]}, "councils.0.municipality", "5"),
        ({"organisations": [{"organisation": 0, "outreach": -0.1}]}, "outreach", "-0.1"),
        ({"businesses": [{"business": 999, "engage": True}]}, "businesses.0.business", "999"),
        ({"residents": [{"citizen": 0, "act": "report", "x": 1}]}, "x", "1"),
    ],
)
def test_bad_choices_name_field_value_and_what_is_allowed(data, field, value):
    model = small()
    with pytest.raises(PlayError) as caught:
        model.play(data)
    message = str(caught.value)
    assert field in message
    assert value in message
    assert any(word in message for word in ("allowed", "Input should", "less than", "greater"))


def test_bad_act_lists_the_acts_allowed():
    with pytest.raises(PlayError, match="'none'.*'report'.*'deliver'.*'propose'"):
        small().play({"residents": [{"citizen": 0, "act": "dance"}]})


def test_choices_round_trip_through_json():
    choices = Choices(
        residents=[ResidentChoice(citizen=4, act="deliver")],
        councils=[CouncilChoice(municipality=0, budget=1.2, offline_channel=False)],
        organisations=[OrganisationChoice(organisation=1, outreach=0.5)],
        businesses=[BusinessChoice(business=2, engage=True, lobby=False)],
    )
    assert Choices.model_validate_json(choices.model_dump_json()) == choices
    assert Choices.model_validate(choices.model_dump()) == choices
    model = small()
    model.play(choices.model_dump_json())  # play takes the JSON a room sends, too
    assert model.pending_choices == choices


def test_playing_twice_merges_the_later_winning_per_agent():
    model = small()
    model.play(residents((1, "report"), (2, "deliver")))
    model.play(residents((2, "none")))
    model.play({"councils": [{"municipality": 0, "budget": 1.5}]})
    model.play({"councils": [{"municipality": 0, "human_review": 0.5}]})
    pending = model.pending_choices
    assert [(r.citizen, r.act) for r in pending.residents] == [(1, "report"), (2, "none")]
    assert pending.councils == [CouncilChoice(municipality=0, budget=1.5, human_review=0.5)]
    model.step()
    assert not model.pending_choices


# ------------------------------------------------------------------------------ replay


def test_the_same_choices_at_the_same_months_give_the_same_numbers():
    def played_run() -> pd.DataFrame:
        model = small()
        for month in range(1, 10):
            acts = ["report", "deliver", "propose", "none"]
            choices = residents((5, acts[month % 4]), (40, "report"))
            choices.businesses.append(BusinessChoice(business=1, engage=month % 2 == 0))
            choices.organisations.append(OrganisationChoice(organisation=2, outreach=0.7))
            if month == 3:
                choices.councils.append(CouncilChoice(municipality=0, budget=0.8))
            model.play(Choices.model_validate_json(choices.model_dump_json()))
            model.step()
        return model.model_vars

    pd.testing.assert_frame_equal(played_run(), played_run(), check_exact=True)


def test_a_fork_keeps_the_pending_choices():
    model = small()
    for _ in range(3):
        model.step()
    model.play(residents((7, "report")))
    twin = model.fork()
    assert twin.pending_choices == model.pending_choices
    reports = int(model.citizens.reports[7])
    model.step()
    twin.step()
    assert model.citizens.reports[7] == twin.citizens.reports[7] == reports + 1
    pd.testing.assert_frame_equal(
        model.model_vars.iloc[[-1]], twin.model_vars.iloc[[-1]], check_exact=True
    )
