import json

import pandas as pd
import pytest

from coprod import Scenario
from coprod.model.measures import MEASURES
from helpers import coprod


def test_scenarios_lists_every_name_with_its_description():
    result = coprod("scenarios")
    assert result.returncode == 0
    assert "socialgov" in result.stdout
    assert Scenario.load("socialgov").description in result.stdout
    assert len(result.stdout.strip().splitlines()) >= 9


def test_run_writes_measures_scenario_manifest_and_figure(tmp_path):
    out = tmp_path / "out"
    result = coprod(
        "run",
        "socialgov",
        "--steps",
        "12",
        "--seed",
        "3",
        "--set",
        "population.citizens=500",
        "--set",
        "governance.ict_role=substitutive",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "participation_rate" in result.stdout and "effectiveness" in result.stdout
    csv = pd.read_csv(out / "measures.csv")
    parquet = pd.read_parquet(out / "measures.parquet")
    assert list(csv.columns) == ["step", *MEASURES]
    assert csv.step.tolist() == list(range(0, 13))  # the initial state, then 12 months
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)
    resolved = Scenario.load(out / "scenario.toml")
    assert resolved.governance.ict_role == "substitutive"
    assert resolved.population.citizens == 500
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"] == "socialgov" and manifest["seed"] == 3
    assert manifest["coprod_version"] and manifest["created"]
    assert (out / "measures.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(out.glob(".*.tmp"))


def test_run_is_reproducible_from_the_written_scenario(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert (
        coprod(
            "run",
            "coproduction",
            "--steps",
            "6",
            "--set",
            "population.citizens=300",
            "--out",
            str(a),
        ).returncode
        == 0
    )
    assert coprod("run", str(a / "scenario.toml"), "--steps", "6", "--out", str(b)).returncode == 0
    pd.testing.assert_frame_equal(pd.read_csv(a / "measures.csv"), pd.read_csv(b / "measures.csv"))


def test_default_output_folder_is_named_after_scenario_and_seed(tmp_path):
    (tmp_path / "tiny.toml").write_text("steps = 3\n[population]\ncitizens = 200\n")
    result = coprod("run", "tiny.toml", "--seed", "5", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "runs" / "tiny-seed5" / "manifest.json").exists()


def test_a_run_with_overrides_gets_a_folder_of_its_own(tmp_path):
    (tmp_path / "tiny.toml").write_text("steps = 3\n[population]\ncitizens = 200\n")
    assert coprod("run", "tiny.toml", "--seed", "5", cwd=tmp_path).returncode == 0
    plain = pd.read_csv(tmp_path / "runs" / "tiny-seed5" / "measures.csv")
    result = coprod(
        "run", "tiny.toml", "--seed", "5", "--set", "governance.budget=0.5", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    (changed,) = [p for p in (tmp_path / "runs").iterdir() if p.name != "tiny-seed5"]
    assert changed.name.startswith("tiny-seed5-")
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "runs" / "tiny-seed5" / "measures.csv"), plain
    )
    manifest = json.loads((changed / "manifest.json").read_text())
    assert manifest["overrides"] == {"governance.budget": 0.5}
    assert "governance.budget=0.5" in Scenario.load(changed / "scenario.toml").description
    # the plain folder is not written over with another run's results
    refused = coprod(
        "run",
        "tiny.toml",
        "--seed",
        "5",
        "--set",
        "governance.budget=0.5",
        "--out",
        "runs/tiny-seed5",
        cwd=tmp_path,
    )
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_a_run_folder_reruns_to_identical_measures(tmp_path):
    """The issue's bar: --seed 7 --steps 30 --set ..., then run the folder's scenario file."""
    (tmp_path / "tiny.toml").write_text("[population]\ncitizens = 300\n")
    first = coprod(
        "run",
        "tiny.toml",
        "--seed",
        "7",
        "--steps",
        "30",
        "--set",
        "governance.budget=0.8",
        "--out",
        "first",
        cwd=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    recorded = Scenario.load(tmp_path / "first" / "scenario.toml")
    assert recorded.steps == 30 and recorded.seed == 7 and recorded.governance.budget == 0.8
    again = coprod("run", "first/scenario.toml", "--out", "again", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "first" / "measures.csv").read_bytes() == (
        tmp_path / "again" / "measures.csv"
    ).read_bytes()
    # the folder itself: re-run into itself, to the same measures
    before = (tmp_path / "first" / "measures.csv").read_bytes()
    assert coprod("run", "first", cwd=tmp_path).returncode == 0
    assert (tmp_path / "first" / "measures.csv").read_bytes() == before


@pytest.mark.parametrize(
    "args, words",
    [
        (["run", "no_such_scenario"], ["unknown scenario", "socialgov"]),
        (
            ["run", "socialgov", "--set", "governance.ict_role=quantum"],
            ["governance.ict_role", "quantum"],
        ),
        (["run", "socialgov", "--set", "governance.budgett=1"], ["governance.budgett"]),
        (["run", "socialgov", "--set", "novalue"], ["novalue", "key=value"]),
        (["run", "socialgov", "--steps", "0"], ["--steps", "0"]),
        (["run", "socialgov", "--seed", "-4"], ["--seed"]),
        (["run", "socialgov", "--bogus"], ["--bogus"]),
        (["run", "missing/file.toml"], ["not found", "missing/file.toml"]),
    ],
)
def test_bad_input_gives_one_line_exit_2_and_writes_nothing(tmp_path, args, words):
    result = (
        coprod(*args, "--out", str(tmp_path / "out"), cwd=tmp_path)
        if "--bogus" not in args
        else coprod(*args, cwd=tmp_path)
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("coprod: error:")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]
    assert not (tmp_path / "out").exists() and not (tmp_path / "runs").exists()


def test_bad_scenario_file_gives_one_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[population]\ncitizens = "lots"\n')
    result = coprod("run", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert "population.citizens" in result.stderr and "lots" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_written_files_have_the_usual_permissions(tmp_path):
    import os
    import stat

    from coprod.analysis.output import write_text

    umask = os.umask(0o022)
    try:
        path = write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
