import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coprod import Scenario, run_scenario
from coprod.analysis.runs import parallel
from coprod.analysis.runs.seeds import replicate_seeds
from coprod.analysis.sweep.run import (
    load_results,
    locked,
    plan_sweep,
    run_sweep,
    summarise_sweep,
)
from coprod.analysis.sweep.spec import SweepError, sweep_from_dict
from coprod.model.measures import MEASURES
from helpers import cli_error, coprod, run_files, wait_for_runs

ROOT = Path(__file__).resolve().parents[1]

SMALL_SWEEP = """
name = "small"
scenario = "coproduction"
design = "grid"
replicates = 2
steps = 12
seed = 4
measures = ["effectiveness", "trust"]

[set]
"population.citizens" = 300

[parameters]
"governance.budget" = [0.6, 1, 1.4]
"governance.appeals" = [false, true]
"""


def write(tmp_path, text, name="sweep.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def spawn(*args, cwd=None):
    return subprocess.Popen(
        [sys.executable, "-m", "coprod", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# ---------------------------------------------------------------------- designs
def test_grid_plan_lists_every_combination_and_replicate(tmp_path):
    plan = plan_sweep(write(tmp_path, SMALL_SWEEP))
    assert plan.points == [
        {"governance.budget": b, "governance.appeals": a}
        for b in (0.6, 1.0, 1.4)
        for a in (False, True)
    ]
    assert all(isinstance(p["governance.budget"], float) for p in plan.points)
    assert len(plan.runs) == 6 * 2
    assert len({r.run_id for r in plan.runs}) == len(plan.runs)
    assert plan.seeds == replicate_seeds(4, 2)
    assert plan.steps == 12 and plan.base.population.citizens == 300
    # ids and fingerprint are fixed by the design, and change with it
    again = plan_sweep(write(tmp_path, SMALL_SWEEP, "again.toml"))
    assert [r.run_id for r in again.runs] == [r.run_id for r in plan.runs]
    other = plan_sweep(write(tmp_path, SMALL_SWEEP.replace("seed = 4", "seed = 5"), "o.toml"))
    assert other.fingerprint != plan.fingerprint


def test_lhs_stratifies_every_parameter(tmp_path):
    text = """
scenario = "coproduction"
design = "lhs"
samples = 10
seed = 9
[parameters]
"governance.budget" = { min = 0.5, max = 1.5 }
"administration.expiry" = { min = 2, max = 6 }
"governance.ict_role" = ["none", "instrumental"]
"""
    plan = plan_sweep(write(tmp_path, text))
    budgets = np.array([p["governance.budget"] for p in plan.points])
    assert len(budgets) == 10
    strata = np.floor((budgets - 0.5) / 0.1).astype(int)
    assert sorted(strata) == list(range(10))  # one point in each tenth of the range
    expiry = [p["administration.expiry"] for p in plan.points]
    assert all(isinstance(e, int) and 2 <= e <= 6 for e in expiry)
    assert sorted(expiry) == [2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
    roles = [p["governance.ict_role"] for p in plan.points]
    assert roles.count("none") == roles.count("instrumental") == 5
    assert plan_sweep(write(tmp_path, text, "b.toml")).points == plan.points
    reseeded = plan_sweep(write(tmp_path, text.replace("seed = 9", "seed = 8"), "c.toml"))
    assert reseeded.points != plan.points


@pytest.mark.parametrize("path", sorted((ROOT / "sweeps").glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_sweep_files_are_valid(path):
    plan = plan_sweep(path)
    assert plan.runs and plan.spec.measures


@pytest.mark.parametrize(
    "edit, words",
    [
        ({"replicate": 3}, ["unknown key 'replicate'"]),
        ({"parameters": {"governance.budgett": [1.0]}}, ["governance.budgett", "budget"]),
        ({"parameters": {"governance.budget": [0.5, 11.0]}}, ["governance.budget", "11.0"]),
        ({"parameters": {"governance.budget": {"min": 0.5, "max": 1.0}}}, ["range", "lhs"]),
        ({"parameters": {"governance.budget": {"min": 1.0, "max": 0.5}}}, ["min", "max"]),
        ({"parameters": {"governance.budget": {"min": 0.5, "mx": 1.0}}}, ["'mx'"]),
        ({"parameters": {"governance.ict_role": ["quantum"]}}, ["governance.ict_role", "quantum"]),
        ({"parameters": {"governance.paradigm": {"min": 0, "max": 1}}}, ["governance.paradigm"]),
        ({"parameters": {"population.citizens": [10.5]}}, ["population.citizens", "10.5"]),
        ({"parameters": {}}, ["parameters"]),
        ({"design": "lhs"}, ["samples"]),
        ({"design": "sobol"}, ["design"]),
        ({"measures": ["effectivness"]}, ["effectivness"]),
        ({"replicates": 0}, ["replicates"]),
        ({"scenario": "nosuch"}, ["nosuch"]),
        ({"set": {"population.citizenz": 5}}, ["population.citizenz"]),
    ],
)
def test_bad_sweeps_are_rejected_with_the_key_named(edit, words):
    data = {"scenario": "coproduction", "parameters": {"governance.budget": [0.5, 1.0]}}
    data.update(edit)
    with pytest.raises(SweepError) as info:
        plan_sweep(sweep_from_dict(data, source="bad.toml"))
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_parameters_are_checked_before_anything_runs(tmp_path, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a run started")

    monkeypatch.setattr(parallel, "run_task", forbidden)
    text = SMALL_SWEEP.replace('"governance.appeals"', '"governance.apeals"')
    with pytest.raises(SweepError, match="governance.apeals"):
        run_sweep(write(tmp_path, text), out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------- running
@pytest.fixture(scope="module")
def small_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    out = folder / "out"
    results = run_sweep(write(folder, SMALL_SWEEP), out=out, client="serial", progress=False)
    return out, results


def test_results_are_tidy_and_match_single_runs(small_results):
    out, results = small_results
    keys = ["governance.budget", "governance.appeals"]
    assert list(results.columns) == ["run", "point", "replicate", "seed", *keys, "step", *MEASURES]
    assert len(results) == 12 * 13  # steps 0..12
    assert not results.duplicated(["point", "replicate", "step"]).any()
    assert len(list((out / "runs").glob("run-*.parquet"))) == 12
    # common random numbers: replicate r has the same seed at every point
    assert results.groupby("replicate")["seed"].nunique().eq(1).all()
    row = results[(results.point == 5) & (results.replicate == 1)]
    assert row["governance.budget"].iloc[0] == 1.4 and bool(row["governance.appeals"].iloc[0])
    scenario = Scenario.load(out / "scenario.toml").with_overrides(
        {"governance.budget": 1.4, "governance.appeals": True}
    )
    single = run_scenario(scenario, steps=12, seed=int(row.seed.iloc[0])).model_vars
    np.testing.assert_array_equal(row["trust"].to_numpy(), single["trust"].to_numpy())
    pd.testing.assert_frame_equal(load_results(out), results)


def test_summary_and_manifest(small_results):
    out, results = small_results
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 6 * 2 and set(summary.measure) == {"effectiveness", "trust"}
    assert summary["n"].eq(2).all()
    pd.testing.assert_frame_equal(
        summary,
        summarise_sweep(
            results, ["governance.budget", "governance.appeals"], ["effectiveness", "trust"]
        ),
    )
    eff = summary[summary.measure == "effectiveness"].groupby("governance.budget")["mean"].mean()
    assert eff.is_monotonic_increasing  # more budget, more needs met
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["status"] == "complete"
    assert manifest["runs_done"] == manifest["runs_total"] == 12
    assert manifest["keys"] == ["governance.budget", "governance.appeals"]
    assert (out / "main_effects.png").read_bytes()[:4] == b"\x89PNG"
    # the copied sweep file points at the resolved scenario and plans the same runs
    assert plan_sweep(out / "sweep.toml").fingerprint == manifest["fingerprint"]


def test_a_finished_sweep_runs_nothing_again(small_results, monkeypatch):
    out, results = small_results

    def forbidden(*args, **kwargs):
        raise AssertionError("a finished run ran again")

    monkeypatch.setattr(parallel, "run_task", forbidden)
    again = run_sweep(out / "sweep.toml", out=out, client="serial", progress=False)
    pd.testing.assert_frame_equal(again, results)


def test_a_folder_of_another_sweep_is_refused(small_results, tmp_path, capsys):
    out, _ = small_results
    before = sorted(p.name for p in (out / "runs").iterdir())
    text = SMALL_SWEEP.replace("steps = 12", "steps = 13")
    status, lines = cli_error(capsys, "sweep", write(tmp_path, text), "--out", out)
    assert status == 2 and len(lines) == 1 and "different sweep" in lines[0]
    assert sorted(p.name for p in (out / "runs").iterdir()) == before


def test_a_folder_made_with_other_model_code_is_refused(small_results, capsys, monkeypatch):
    out, _ = small_results
    monkeypatch.setattr("coprod.analysis.sweep.folder.model_digest", lambda: "0" * 16)
    status, lines = cli_error(capsys, "sweep", out / "sweep.toml", "--out", out)
    assert status == 2 and "other model code" in lines[0]


def test_two_processes_cannot_write_one_folder(tmp_path, capsys):
    path = write(tmp_path, SMALL_SWEEP)
    out = tmp_path / "out"
    with locked(out):  # flock: a second open file is refused, in this process or another
        status, lines = cli_error(capsys, "sweep", path, "--out", out, "--scheduler", "serial")
    assert status == 2 and "another coprod process" in lines[0]
    assert not (out / "runs").exists()


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "scenario = 'coproduction'\nreplicate = 2\n[parameters]\n'governance.budget' = [1.0]\n",
            ["replicate"],
        ),
        (
            "scenario = 'coproduction'\n[parameters]\n'governance.budgt' = [1.0]\n",
            ["governance.budgt"],
        ),
        ("scenario = 'coproduction'\n[parameters\n", ["not valid TOML"]),
    ],
)
def test_sweep_command_bad_file_one_line_exit_2_nothing_written(
    tmp_path, monkeypatch, capsys, text, words
):
    monkeypatch.chdir(tmp_path)
    status, lines = cli_error(capsys, "sweep", write(tmp_path, text), "--out", tmp_path / "out")
    assert status == 2
    assert len(lines) == 1 and lines[0].startswith("coprod: error:"), lines
    for word in words:
        assert word in lines[0]
    assert not (tmp_path / "out").exists() and not (tmp_path / "runs").exists()


def test_deeply_nested_sweep_file_is_a_one_line_error(tmp_path, capsys):
    path = write(tmp_path, "runs = " + "[" * 10_000 + "]" * 10_000 + "\n")  # deeper than any limit
    status, lines = cli_error(capsys, "sweep", path, "--out", tmp_path / "out")
    assert status == 2 and len(lines) == 1 and "nested too deeply" in lines[0]
    assert not (tmp_path / "out").exists()


def test_sweep_command_missing_file(tmp_path):
    result = coprod("sweep", "nope.toml", cwd=tmp_path)  # the real console entry, once
    assert result.returncode == 2 and "nope.toml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "runs").exists()


# ---------------------------------------------------------------------- interruption
KILL_SWEEP = """
name = "killme"
scenario = "coproduction"
design = "grid"
replicates = 3
steps = 30
seed = 11
measures = ["effectiveness"]

[set]
"population.citizens" = 300

[parameters]
"governance.budget" = [0.6, 0.8, 1.0, 1.2, 1.4]
"governance.capacity" = [0.5, 1.0, 2.0, 3.0]
"""


def finished(out):
    return len(run_files(out))


def interrupt(path, out, sig, at_least):
    """Start a sweep, send ``sig`` once ``at_least`` runs are on disk; return (process, done)."""
    proc = spawn("sweep", str(path), "--out", str(out), "--scheduler", "serial")
    wait_for_runs(proc, out, at_least, before="it could be interrupted")
    os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    return proc, finished(out)


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_same_dataset(tmp_path):
    path = write(tmp_path, KILL_SWEEP)
    total = 5 * 4 * 3
    out = tmp_path / "killed"
    proc, done = interrupt(path, out, signal.SIGKILL, at_least=8)
    assert proc.returncode == -signal.SIGKILL
    assert 8 <= done < total, "the kill came too late to test resuming"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    kept = sorted(p.name for p in (out / "runs").glob("run-*.parquet"))
    kept_bytes = {name: (out / "runs" / name).read_bytes() for name in kept}

    resumed = coprod("sweep", str(path), "--out", str(out), "--scheduler", "serial")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done}/{total}" in resumed.stderr  # the bar starts from the kept runs
    files = sorted(p.name for p in (out / "runs").glob("run-*.parquet"))
    assert len(files) == total
    for name in kept:  # finished runs were kept, not redone
        assert (out / "runs" / name).read_bytes() == kept_bytes[name]
    assert not list(out.rglob(".*.tmp"))
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"

    reference = run_sweep(path, out=tmp_path / "whole", client="serial", progress=False)
    resumed_results = load_results(out)
    pd.testing.assert_frame_equal(resumed_results, reference, check_exact=True)
    assert not resumed_results.duplicated(["point", "replicate", "step"]).any()
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "summary.parquet"),
        pd.read_parquet(tmp_path / "whole" / "summary.parquet"),
    )


@pytest.mark.slow
def test_ctrl_c_keeps_finished_runs_and_says_how_to_resume(tmp_path):
    path = write(tmp_path, KILL_SWEEP)
    out = tmp_path / "interrupted"
    proc, done = interrupt(path, out, signal.SIGINT, at_least=4)
    stderr = proc.stderr.read()
    assert proc.returncode == 130, stderr
    assert "coprod: error: interrupted" in stderr and "resume" in stderr
    assert "Traceback" not in stderr
    assert finished(out) >= done
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    results = run_sweep(path, out=out, client="serial", progress=False)
    assert finished(out) == 60 and results["run"].nunique() == 60
