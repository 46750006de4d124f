import json

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

from coprod.analysis.cli import main
from coprod.analysis.runs import parallel
from coprod.analysis.sweep.sensitivity import (
    analyze_function,
    plan_sensitivity,
    problem_of,
    run_sensitivity,
    sample,
    sensitivity_indices,
)
from coprod.analysis.sweep.spec import Parameter, SweepError, sweep_from_dict
from helpers import cli_error, coprod

ISHIGAMI = {
    "num_vars": 3,
    "names": ["x1", "x2", "x3"],
    "bounds": [[-np.pi, np.pi]] * 3,
}
#: Analytic Sobol indices of the Ishigami function (a = 7, b = 0.1).
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


def test_sobol_wiring_reproduces_ishigami_indices():
    si = analyze_function(ISHIGAMI, Ishigami.evaluate, "sobol", samples=1024, seed=1)
    assert list(si.columns) == ["method", "measure", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    np.testing.assert_allclose(si["S1"], ISHIGAMI_S1, atol=0.05)
    np.testing.assert_allclose(si["ST"], ISHIGAMI_ST, atol=0.05)
    assert (si["ST_conf"] > 0).all() and (si["ST_conf"] < 0.1).all()
    # the total-effect ordering x1 > x2 > x3, and x3 acts only through its interaction
    assert si.sort_values("ST", ascending=False)["parameter"].tolist() == ["x1", "x2", "x3"]
    assert si.loc[2, "S1"] < 0.05 < si.loc[2, "ST"]


def test_morris_wiring_ranks_ishigami_parameters():
    si = analyze_function(ISHIGAMI, Ishigami.evaluate, "morris", samples=100, seed=2)
    assert {"mu", "mu_star", "mu_star_conf", "sigma"} <= set(si.columns)
    # x3 has no first-order effect (its signed effects cancel) but interacts with x1
    x3 = si.set_index("parameter").loc["x3"]
    assert abs(x3["mu"]) < 0.25 * x3["sigma"] and x3["sigma"] > 1
    assert si.set_index("parameter")["mu_star"].idxmin() == "x3"
    assert (si["mu_star_conf"] >= 0).all()


def test_a_function_that_ignores_a_parameter_gets_zero():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    morris = analyze_function(problem, lambda X: 3 * X[:, 0], "morris", samples=10)
    assert morris.set_index("parameter").loc["b", "mu_star"] == 0
    assert morris.set_index("parameter").loc["a", "mu_star"] == pytest.approx(3)
    flat = analyze_function(problem, lambda X: np.ones(len(X)), "sobol", samples=16)
    assert (flat[["S1", "ST"]] == 0).all().all()
    X = sample(problem, "morris", 4, seed=0)
    with pytest.raises(ValueError, match="rows"):
        sensitivity_indices(problem, X, pd.DataFrame({"y": X[:-1, 0]}), "morris")


def test_problem_maps_lists_and_whole_numbers_to_levels():
    params = [
        Parameter("governance.budget", "float", low=0.5, high=1.5),
        Parameter("administration.expiry", "int", low=2, high=4),
        Parameter("governance.ict_role", "str", values=("none", "instrumental", "substitutive")),
    ]
    problem = problem_of(params)
    assert problem["bounds"] == [[0.5, 1.5], [2.0, 5.0], [0.0, 3.0]]
    X = sample(problem, "sobol", 8, seed=0)
    values = [[p.value_at(x) for p, x in zip(params, row, strict=True)] for row in X]
    assert {v[1] for v in values} <= {2, 3, 4}
    assert {v[2] for v in values} <= {"none", "instrumental", "substitutive"}
    assert params[1].value_at(5.0) == 4 and params[2].value_at(3.0) == "substitutive"


SPEC = {
    "name": "tiny",
    "scenario": "coproduction",
    "design": "lhs",
    "samples": 4,
    "replicates": 2,
    "steps": 24,
    "seed": 5,
    "measures": ["effectiveness", "trust"],
    "set": {"population.citizens": 300},
    "parameters": {
        "governance.budget": {"min": 0.5, "max": 1.5},
        "behaviour.crowding_out": {"min": 0.0, "max": 0.5},
        "governance.offline_channel": [True, False],
    },
}


def test_sensitivity_plan_uses_the_salib_sample():
    plan, problem, X = plan_sensitivity(sweep_from_dict(SPEC), "morris")
    assert X.shape == (4 * (3 + 1), 3)
    assert len(plan.points) == len(X) and len(plan.runs) == len(X) * 2
    assert [p["governance.budget"] for p in plan.points] == pytest.approx(X[:, 0])
    assert plan.kind == "sensitivity" and plan.extra["method"] == "morris"
    with pytest.raises(SweepError, match="power of two"):
        plan_sensitivity(sweep_from_dict(SPEC), "sobol", samples=6)
    with pytest.raises(SweepError, match="method"):
        plan_sensitivity(sweep_from_dict(SPEC), "fast")


def test_budget_matters_for_effectiveness_and_crowding_out_does_not(tmp_path):
    # crowding out only acts on paid co-producers; coproduction has no monetary incentives
    indices = run_sensitivity(
        sweep_from_dict(SPEC), "morris", out=tmp_path / "gsa", client="serial", progress=False
    )
    eff = indices[indices.measure == "effectiveness"].set_index("parameter")
    assert eff.loc["governance.budget", "mu_star"] > 0.05
    assert eff.loc["behaviour.crowding_out", "mu_star"] == 0
    assert eff["mu_star"].idxmax() == "governance.budget"
    assert (
        eff.loc["governance.budget", "mu_star"] - eff.loc["governance.budget", "mu_star_conf"]
        > eff.loc["behaviour.crowding_out", "mu_star"]
    )
    written = pd.read_parquet(tmp_path / "gsa" / "indices.parquet")
    pd.testing.assert_frame_equal(written, indices)
    assert (tmp_path / "gsa" / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_sensitivity_command_sobol(tmp_path, monkeypatch):
    sweep = tmp_path / "gsa.toml"
    sweep.write_text(
        """
name = "gsa"
scenario = "coproduction"
replicates = 1
steps = 18
seed = 2
measures = ["effectiveness"]
[set]
"population.citizens" = 300
[parameters]
"governance.budget" = { min = 0.5, max = 1.5 }
"behaviour.crowding_out" = { min = 0.0, max = 0.5 }
"""
    )
    out = tmp_path / "out"
    result = coprod(
        "sensitivity",
        str(sweep),
        "--method",
        "sobol",
        "--samples",
        "16",
        "--out",
        str(out),
        "--scheduler",
        "serial",
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    assert "governance.budget" in result.stdout and "ST" in result.stdout
    indices = pd.read_csv(out / "indices.csv").set_index("parameter")
    assert indices.loc["governance.budget", "ST"] > 0.5
    assert indices.loc["behaviour.crowding_out", "ST"] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sensitivity" and manifest["method"] == "sobol"
    assert manifest["runs_done"] == manifest["runs_total"] == 16 * 4
    assert "indices.csv" in manifest["files"]
    # the same command again (here in-process) finds every run done, gives the same indices
    monkeypatch.setattr(parallel, "run_task", lambda *a: pytest.fail("a finished run ran again"))
    main(["sensitivity", str(sweep), "--method", "sobol", "--samples", "16", "--out", str(out),
          "--scheduler", "serial", "--no-progress"])  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_csv(out / "indices.csv").set_index("parameter"), indices)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--method", "fast"], ["--method"]),
        (["--method", "sobol", "--samples", "12"], ["power of two"]),
        ([], ["--method"]),
    ],
)
def test_sensitivity_command_bad_arguments(tmp_path, capsys, args, words):
    sweep = tmp_path / "gsa.toml"
    sweep.write_text(
        'scenario = "coproduction"\n[parameters]\n"governance.budget" = { min = 0.5, max = 1.5 }\n'
    )
    status, lines = cli_error(capsys, "sensitivity", sweep, *args, "--out", tmp_path / "out")
    assert status == 2
    assert len(lines) == 1 and lines[0].startswith("coprod: error:"), lines
    for word in words:
        assert word in lines[0]
    assert not (tmp_path / "out").exists()
