"""Names read from files never lead a write out of the chosen output folder.

Scenario names (``coprod run`` and ``compare`` folders, ``scenarios/<name>.toml``), sweep names
(``runs/sweep-<name>``), scenario names read back from a comparison's results (``coprod report``)
and anything a sweep file sets become paths only as plain names; anything else is a one-line
error naming the key, before anything is written.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from coprod import Scenario
from coprod.analysis.compare.output import write_comparison
from coprod.analysis.output import safe_name
from coprod.analysis.report import ReportError, build_report
from coprod.analysis.sweep.run import plan_sweep, run_sweep
from coprod.analysis.sweep.spec import SweepError, sweep_from_dict
from coprod.model.scenario import ScenarioError
from helpers import cli_error

HOSTILE = [
    "../../escaped",
    "../escaped",
    "..",
    ".",
    "/tmp/escaped",
    "a/../../b",
    "a\\..\\b",
    "C:escaped",
    ".hidden",
    "",
    "   ",
    "line\nbreak",
    "nul\x00byte",
    "x" * 201,
]


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("name", HOSTILE, ids=repr)
def test_names_that_could_leave_the_folder_are_refused(name):
    with pytest.raises(ScenarioError) as info:
        safe_name(name, "my.toml: name")
    message = str(info.value)
    assert message.startswith("my.toml: name = ") and "\n" not in message


@pytest.mark.parametrize("name", ["socialgov", "my scenario (v2)", "budget-0.7_run", "Gemeente ü"])
def test_plain_names_are_kept(name):
    assert safe_name(name, "name") == name


def scenario_file(tmp_path, name):
    path = tmp_path / "evil.toml"
    path.write_text(f"name = {json.dumps(name)}\n[population]\ncitizens = 60\n")
    return path


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/coprod-escaped", "sub/dir"])
def test_run_refuses_a_scenario_name_that_is_a_path(tmp_path, monkeypatch, capsys, name):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    path = scenario_file(tmp_path, name)
    before = files_under(tmp_path)
    status, lines = cli_error(capsys, "run", path, "--steps", "2")
    assert status == 2 and len(lines) == 1, lines
    assert "evil.toml: name = " in lines[0] and "cannot name a file or folder" in lines[0]
    assert files_under(tmp_path) == before  # nothing written, inside or outside
    assert not list(tmp_path.parent.glob("escaped*"))


def test_run_refuses_a_name_set_on_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    status, lines = cli_error(capsys, "run", "coproduction", "--set", "name=../../escaped")
    assert status == 2 and "coproduction: name = '../../escaped'" in lines[0]
    assert files_under(tmp_path) == []


def test_compare_refuses_a_scenario_name_that_is_a_path(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = scenario_file(tmp_path, "../escaped")
    out = tmp_path / "out"
    status, lines = cli_error(capsys, "compare", "coproduction", path, "--out", out)
    assert status == 2 and "name = '../escaped'" in lines[0]
    assert files_under(tmp_path) == ["evil.toml"]


def test_written_comparison_checks_every_label_before_writing(tmp_path):
    # the Python API too: labels become scenarios/<label>.toml
    runs = pd.DataFrame({"scenario": ["a"], "replicate": [0], "seed": [0], "step": [1]})
    good = Scenario.load("coproduction")
    evil = good.with_overrides({"name": "../../../escaped"})
    out = tmp_path / "deep" / "out"
    with pytest.raises(ScenarioError, match="scenario name = '../../../escaped'"):
        write_comparison(runs, [good, evil], out, seed=0)
    assert files_under(tmp_path) == []


SWEEP = {
    "scenario": "coproduction",
    "steps": 2,
    "replicates": 1,
    "set": {"population.citizens": 60},
    "parameters": {"governance.budget": [0.8, 1.2]},
}


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/escaped", "a/b", ".."])
def test_sweep_name_that_is_a_path_is_refused(name):
    with pytest.raises(SweepError) as info:
        sweep_from_dict({**SWEEP, "name": name}, source="evil.toml")
    assert str(info.value).startswith(f"evil.toml: name = {name!r}")


def test_sweep_command_refuses_the_name_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.toml"
    path.write_text(
        'name = "../../escaped"\nscenario = "coproduction"\n'
        '[parameters]\n"governance.budget" = [1.0]\n'
    )
    for command in (["sweep"], ["sensitivity", "--method", "morris"]):
        status, lines = cli_error(capsys, *command, path)
        assert status == 2 and len(lines) == 1 and "name = '../../escaped'" in lines[0]
    assert files_under(tmp_path) == ["evil.toml"]


def test_names_inside_a_sweep_stay_data(tmp_path):
    # a sweep may set or vary the scenario's name: it lands in tables, never in a path
    spec = sweep_from_dict(
        {
            **SWEEP,
            "set": {"population.citizens": 60, "name": "../../escaped"},
            "parameters": {"name": ["../a", "/tmp/b"], "governance.budget": [1.0]},
        }
    )
    out = tmp_path / "out"
    results = run_sweep(plan_sweep(spec), out=out, client="serial", progress=False)
    assert results["run"].nunique() == 2
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    for f in (out / "runs").iterdir():
        assert f.name.startswith("run-") and f.suffix == ".parquet"


def test_report_refuses_a_scenario_name_read_back_as_a_path(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    (tmp_path / "secret.toml").write_text('name = "secret"\ndescription = "not for the report"\n')
    (folder / "manifest.json").write_text(json.dumps({"kind": "compare"}))
    numbers = dict.fromkeys(["mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"], 0.5)
    horizon = pd.DataFrame(
        [
            {"measure": "trust", "scenario": "coproduction", **numbers},
            {"measure": "trust", "scenario": "../../secret", **numbers},
        ]
    )
    horizon.to_parquet(folder / "horizon.parquet")
    with pytest.raises(ReportError, match=r"horizon.parquet: scenario = '../../secret'"):
        build_report(folder)
