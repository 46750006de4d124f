import re

import numpy as np
import pytest
from pydantic import ValidationError

from coprod import Scenario, ScenarioError
from coprod.model.scenario import scenario_names

REQUIRED = [
    "traditional",
    "consultation",
    "coproduction",
    "socialgov",
    "substitutive_automation",
    "substitutive_safeguarded",
    "digital_divide_inclusion",
    "monetary_incentives",
    "austerity_shock",
]
SOURCES = re.compile(
    r"(Wimmer|Nieuwenhuizen|Evers|Parks|Clark|Jakobsen|Rogers|Uppstr|Frey|Bovens|Brandsen|Bovaird|Alford|Pestoff|van Deursen|Bason)"
)


def test_required_scenarios_are_shipped():
    names = scenario_names()
    assert set(REQUIRED) <= set(names)
    assert len(names) >= 9


@pytest.mark.parametrize("name", scenario_names())
def test_every_scenario_loads_with_description_and_cited_rationale(name):
    s = Scenario.load(name)
    assert s.name == name
    assert len(s.description) > 20
    assert SOURCES.search(s.rationale), f"{name}: rationale cites no source"


def test_defaults_fill_what_a_file_leaves_out(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[governance]\nbudget = 0.8\n")
    s = Scenario.load(path)
    assert s.name == "mine"
    assert s.governance.budget == 0.8
    assert s.governance.paradigm == Scenario().governance.paradigm
    assert s.population.citizens == 2000


def test_overrides_with_dotted_keys_return_a_new_scenario():
    base = Scenario.load("socialgov")
    s = base.with_overrides({"governance.ict_role": "substitutive", "population.citizens": 5000})
    assert s.governance.ict_role == "substitutive"
    assert s.population.citizens == 5000
    assert base.governance.ict_role == "instrumental"
    assert base.population.citizens == 2000


def test_numpy_scalars_are_accepted_as_override_values():
    s = Scenario().with_overrides({"governance.budget": np.float64(0.5), "steps": np.int64(7)})
    assert s.governance.budget == 0.5 and s.steps == 7


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"governance.ict_role": "quantum"}, ["governance.ict_role", "quantum", "substitutive"]),
        ({"governance.budget": -1.0}, ["governance.budget", "-1.0", "greater than 0"]),
        (
            {"governance.human_review": 1.5},
            ["governance.human_review", "1.5", "less than or equal to 1"],
        ),
        ({"population.citizens": "many"}, ["population.citizens", "many", "integer"]),
        ({"governance.appeals": 1}, ["governance.appeals", "1", "boolean"]),
        ({"governance.foo": 1}, ["governance.foo", "paradigm"]),
        ({"nosuch.key": 1}, ["nosuch", "governance"]),
        ({"population.citizens": 20}, ["citizens", "20", "at least 5 per neighbourhood"]),
    ],
)
def test_invalid_values_name_key_value_and_rule(overrides, words):
    with pytest.raises(ScenarioError) as err:
        Scenario().with_overrides(overrides)
    for word in words:
        assert word in str(err.value), f"{word!r} missing from: {err.value}"


def test_unknown_key_in_file_is_rejected_with_allowed_keys(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text('[governance]\nparadigma = "socialgov"\n')
    with pytest.raises(ScenarioError) as err:
        Scenario.load(path)
    message = str(err.value)
    assert "governance.paradigma" in message and "paradigm" in message


def test_events_are_validated(tmp_path):
    path = tmp_path / "bad_event.toml"
    path.write_text('[[events]]\nstep = 5\nkind = "meteor"\n')
    with pytest.raises(ScenarioError, match="events.0.kind"):
        Scenario.load(path)


@pytest.mark.parametrize("text", ["this is not toml = = =", "[governance\n", "\x00\x01"])
def test_broken_files_raise_scenario_error(tmp_path, text):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match="broken.toml"):
        Scenario.load(path)


def test_unknown_name_lists_known_scenarios():
    with pytest.raises(ScenarioError, match="socialgov"):
        Scenario.load("no_such_scenario")


def test_missing_path_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        Scenario.load(tmp_path / "absent.toml")


@pytest.mark.parametrize("name", scenario_names())
def test_toml_round_trip_gives_the_same_scenario(tmp_path, name):
    s = Scenario.load(name)
    path = tmp_path / f"{name}.toml"
    path.write_text(s.to_toml())
    assert Scenario.load(path) == s


def test_scenario_is_immutable():
    s = Scenario()
    with pytest.raises(ValidationError):
        s.governance.budget = 2.0
