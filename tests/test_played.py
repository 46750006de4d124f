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
            model.play(residents((5, acts[month % 4]), (40, "report")))
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
