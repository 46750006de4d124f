"""Calibration (ABC-SMC through pyabc): recovery of known parameters, resume, bad input.

Every calibration here runs serially on a tiny world (a few dozen to 150 citizens, 6 to 12
months, a few dozen particles) so the file stays within a few tens of seconds.
"""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyabc")

from coprod import Scenario, run_ensemble, run_scenario  # noqa: E402
from coprod.analysis import calibrate  # noqa: E402
from coprod.analysis.calibration.posterior import PosteriorError, posterior_draws  # noqa: E402
from coprod.analysis.calibration.priors import CalibrationError  # noqa: E402
from coprod.analysis.calibration.spec import load_calibration  # noqa: E402
from coprod.model.errors import InputError  # noqa: E402
from helpers import cli_error  # noqa: E402

#: A world small enough that one 6-month run takes a few milliseconds.
TINY_SET = {
    "population.citizens": 60,
    "population.businesses": 2,
    "population.community_organisations": 1,
    "population.neighbourhoods": 2,
}


def tiny_calibration(**changes) -> dict:
    """A valid calibration of one parameter on the tiny world (a dict as read from TOML)."""
    data = {
        "name": "tiny",
        "scenario": "socialgov",
        "steps": 6,
        "seed": 4,
        "set": dict(TINY_SET),
        "parameters": {"behaviour.weight_cost": {"uniform": [0.5, 4.0]}},
        "targets": [{"measure": "participation_rate", "months": [3, 6], "value": 0.2, "sd": 0.03}],
        "abc": {"population": 12, "generations": 2},
    }
    data.update(changes)
    return data


def write_toml(path: Path, data: dict) -> Path:
    """Write a calibration dict as a TOML file (with the same writer the outputs use)."""
    from coprod.model.scenario import dumps_toml

    data = dict(data)
    parameters = data.pop("parameters")
    abc = data.pop("abc", None)
    text = dumps_toml(data)
    if abc:
        text += "\n[abc]\n" + "".join(f"{k} = {v!r}\n" for k, v in abc.items())
    text += "\n[parameters]\n"
    for key, prior in parameters.items():
        inner = ", ".join(f"{k} = {v!r}" for k, v in prior.items())
        text += f'"{key}" = {{ {inner} }}\n'
    path.write_text(text, encoding="utf-8")
    return path


def generations(folder: Path) -> list[tuple[int, float, int]]:
    """(generation, epsilon, simulations) of every completed generation in ``history.db``."""
    with sqlite3.connect(folder / "history.db") as con:
        try:
            rows = con.execute(
                "SELECT t, epsilon, nr_samples FROM populations WHERE t >= 0 ORDER BY t"
            ).fetchall()
        except sqlite3.OperationalError:  # pyabc has not created its tables yet
            return []
    return [(int(t), float(e), int(n)) for t, e, n in rows]


# ---------------------------------------------------------------------- recovery
RECOVERY_SET = {
    "population.citizens": 150,
    "population.businesses": 2,
    "population.community_organisations": 1,
    "population.neighbourhoods": 2,
    "behaviour.adoption_innovation": 0.02,
}
TRUE = {"behaviour.weight_cost": 2.0, "behaviour.adoption_imitation": 0.3}


@pytest.fixture(scope="module")
def recovery(tmp_path_factory):
    """Calibrate two parameters against statistics simulated with known values.

    The observed values are means over 8 simulations with the true values; each ``sd`` is
    about one simulation's spread (0.02 for participation, 0.05 for adoption at 150 citizens).
    """
    steps = 12
    truth = Scenario.load("socialgov").with_overrides(RECOVERY_SET | TRUE)
    runs = run_ensemble(truth, replicates=8, steps=steps, seed=1000, client="serial")
    participation = runs[runs.step.between(5, 12)]["participation_rate"].mean()
    adoption = runs[runs.step.between(9, 12)]["adoption"].mean()
    data = {
        "name": "recovery",
        "scenario": "socialgov",
        "steps": steps,
        "seed": 1,
        "set": RECOVERY_SET,
        "parameters": {
            "behaviour.weight_cost": {"uniform": [0.5, 4.0]},
            "behaviour.adoption_imitation": {"uniform": [0.05, 0.8]},
        },
        "targets": [
            {
                "measure": "participation_rate",
                "months": [5, 12],
                "value": participation,
                "sd": 0.02,
            },
            {"measure": "adoption", "months": [9, 12], "value": adoption, "sd": 0.05},
        ],
        "abc": {"population": 30, "generations": 4},
    }
    out = tmp_path_factory.mktemp("recovery")
    return calibrate(data, out=out, scheduler="serial")


def test_recovery_credible_intervals_cover_the_true_values_and_are_narrower_than_the_prior(
    recovery,
):
    summary = recovery.summary.set_index("parameter")
    for key, true in TRUE.items():
        row = summary.loc[key]
        assert row["low"] <= true <= row["high"], (key, row.to_dict())
        # a 90% interval at most 80% as wide as the prior's: the data narrowed it down
        assert row["high"] - row["low"] < 0.8 * (row["prior_high"] - row["prior_low"]), key
    # both are identified about equally well: participation falls with the cost weight and
    # adoption rises with imitation; each 90% interval is about half its prior's width (0.52
    # and 0.50 at these seeds)
    for key in ("behaviour.weight_cost", "behaviour.adoption_imitation"):
        row = summary.loc[key]
        assert row["high"] - row["low"] < 0.6 * (row["prior_high"] - row["prior_low"]), key


def test_recovery_summary_states_what_is_identified(recovery):
    summary = recovery.summary.set_index("parameter")
    for key in TRUE:
        row = summary.loc[key]
        width = (row["high"] - row["low"]) / (row["prior_high"] - row["prior_low"])
        assert row["width_ratio"] == pytest.approx(width)  # uniform priors: the linear scale
        assert row["identified"] == ("yes" if width <= 0.5 else "weakly" if width <= 0.8 else "no")
    assert recovery.identification  # one line at least: every parameter, or the exceptions


# ---------------------------------------------------------------------- adoption series
#: The default adoption process (``adoption_innovation`` 0.0001, the default initial adopters) in
#: a world large enough to have a few first adopters (about 4 of 1,000) and long enough for the
#: S-curve to pass its steep middle (adoption about 0.3 at month 72).
ADOPTION_SET = {"population.citizens": 1000}
ADOPTION_TRUE = {"behaviour.weight_cost": 2.0, "behaviour.adoption_imitation": 0.2}


@pytest.fixture(scope="module")
def adoption_recovery(tmp_path_factory):
    """Calibrate the imitation coefficient and the cost weight against an adoption series only.

    The series (months 12, 24, ..., 72) is the mean of 8 simulations with the true values; its
    ``sd`` is the largest spread of one simulation around that mean over those months (0.06).
    Adoption does not depend on the cost weight, so the series cannot identify it: the
    calibration must say so, while it pins down the imitation coefficient.
    """
    steps = 72
    truth = Scenario.load("socialgov").with_overrides(ADOPTION_SET | ADOPTION_TRUE)
    runs = run_ensemble(truth, replicates=8, steps=steps, seed=1000, client="serial")
    months = list(range(12, steps + 1, 12))
    by_month = runs[runs.step.isin(months)].groupby("step")["adoption"]
    out = tmp_path_factory.mktemp("adoption")
    pd.DataFrame({"month": months, "value": by_month.mean().loc[months].to_numpy()}).to_csv(
        out / "adoption.csv", index=False
    )
    data = {
        "name": "adoption",
        "scenario": "socialgov",
        "steps": steps,
        "seed": 1,
        "set": ADOPTION_SET,
        "parameters": {
            "behaviour.weight_cost": {"uniform": [0.5, 4.0]},
            "behaviour.adoption_imitation": {"uniform": [0.05, 0.5]},
        },
        "series": [
            {
                "measure": "adoption",
                "file": str(out / "adoption.csv"),
                "sd": float(by_month.std().max()),
            }
        ],
        "abc": {"population": 30, "generations": 3},
    }
    return calibrate(data, out=out / "calibration", scheduler="serial")


@pytest.mark.slow
def test_an_adoption_series_identifies_the_imitation_coefficient(adoption_recovery):
    summary = adoption_recovery.summary.set_index("parameter")
    q = summary.loc["behaviour.adoption_imitation"]
    assert q["low"] <= ADOPTION_TRUE["behaviour.adoption_imitation"] <= q["high"], q.to_dict()
    # the 90% interval is a small part of the prior's (0.30 at these seeds: 0.14 to 0.27)
    assert q["width_ratio"] < 0.45 and q["identified"] == "yes"
    # the series says nothing about the cost weight: it keeps its prior's width (0.97 at these
    # seeds)
    cost = summary.loc["behaviour.weight_cost"]
    assert cost["width_ratio"] > 0.8 and cost["identified"] == "no"
    # and the calibration's own output says so
    statement = "\n".join(adoption_recovery.identification)
    assert "behaviour.weight_cost: not identified by these targets" in statement
    assert "behaviour.adoption_imitation" not in statement


def test_recovery_writes_the_results_folder(recovery):
    folder = recovery.folder
    for name in [
        "posterior.parquet",
        "summary.csv",
        "calibration.toml",
        "scenario.toml",
        "manifest.json",
        "history.db",
        "generations.csv",
        "predictive.csv",
        "marginals.png",
        "pairs.png",
        "generations.png",
        "predictive.png",
    ]:
        assert (folder / name).is_file(), name
    posterior = pd.read_parquet(folder / "posterior.parquet")
    assert list(posterior.columns) == [*TRUE, "weight"]
    assert len(posterior) == 30
    assert posterior["weight"].sum() == pytest.approx(1.0)
    assert (posterior["behaviour.weight_cost"].between(0.5, 4.0)).all()
    summary = pd.read_csv(folder / "summary.csv")
    assert {"prior", "mean", "median", "low", "high"} <= set(summary.columns)
    assert (summary["low"] <= summary["median"]).all() and (
        summary["median"] <= summary["high"]
    ).all()
    # epsilon shrinks from generation to generation (pyabc's median threshold)
    eps = recovery.generations["epsilon"].to_numpy()
    assert len(eps) == 4 and (np.diff(eps) <= 0).all() and eps[-1] < 0.6 * eps[0]
    # the resolved file is a calibration file that runs again: it plans the same calibration
    again = load_calibration(folder / "calibration.toml")
    assert again.keys == list(TRUE)
    assert again.base == Scenario.load("socialgov").with_overrides(RECOVERY_SET)


def test_report_of_a_calibration_folder(recovery):
    from coprod.analysis.cli import main

    main(["report", str(recovery.folder)])
    text = (recovery.folder / "report.md").read_text()
    assert "behaviour.weight_cost" in text and "Posterior-predictive check" in text
    assert "width / prior" in text and "Identification: " in text
    assert "independent check" in text


# ---------------------------------------------------------------------- reproducibility
SMALL_ABC = {"population": 8, "generations": 2}


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """Two generations of the tiny calibration, run in one go, serially.

    Also records whether the caller's NumPy global generator came out as it went in (the
    serial sampler seeds it for every simulation).
    """
    out = tmp_path_factory.mktemp("whole")
    np.random.seed(123)  # noqa: NPY002
    expected = np.random.random()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002
    result = calibrate(tiny_calibration(abc=SMALL_ABC), out=out, scheduler="serial")
    result.caller_state_kept = np.random.random() == expected  # noqa: NPY002
    return result


def test_a_continued_calibration_equals_an_uninterrupted_one(tmp_path, whole):
    first = calibrate(
        tiny_calibration(abc=SMALL_ABC | {"generations": 1}), out=tmp_path, scheduler="serial"
    )
    assert first.resumed_from == 0 and len(first.generations) == 1
    rest = calibrate(tiny_calibration(abc=SMALL_ABC), out=tmp_path, scheduler="serial")
    assert rest.resumed_from == 1 and len(rest.generations) == 2
    pd.testing.assert_frame_equal(rest.posterior, whole.posterior)
    pd.testing.assert_frame_equal(rest.generations, whole.generations)


def test_another_seed_gives_another_posterior(tmp_path, whole):
    other = calibrate(tiny_calibration(abc=SMALL_ABC, seed=5), out=tmp_path, scheduler="serial")
    assert not np.allclose(
        other.posterior["behaviour.weight_cost"], whole.posterior["behaviour.weight_cost"]
    )


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Port .* is already in use")
def test_dask_sampler_gives_the_serial_posterior(tmp_path, whole):
    from distributed import Client, LocalCluster

    # two single-threaded worker processes, as coprod's own local clusters (pyabc draws from
    # NumPy's global generator, which threads of one process would share)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        on_dask = calibrate(tiny_calibration(abc=SMALL_ABC), out=tmp_path, scheduler=client)
        assert client.status == "running"  # a given client is left open
    pd.testing.assert_frame_equal(on_dask.posterior, whole.posterior)
    # pyabc's Dask sampler starts a few simulations more than it needs (one per free worker)
    assert (on_dask.generations["simulations"] >= whole.generations["simulations"]).all()


def test_calibration_leaves_the_callers_numpy_generator_alone(whole):
    assert whole.caller_state_kept


# ---------------------------------------------------------------------- resume after SIGKILL
def test_resume_after_sigkill_continues_from_the_last_completed_generation(tmp_path):
    many = tiny_calibration(abc={"population": 8, "generations": 50})
    path = write_toml(tmp_path / "tiny.toml", many)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coprod",
            "calibrate",
            str(path),
            "--out",
            str(out),
            "--scheduler",
            "serial",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    try:
        while not ((out / "history.db").exists() and len(generations(out)) >= 2):
            if proc.poll() is not None:
                pytest.fail(f"the calibration ended before it was killed: {proc.stderr.read()}")
            assert time.monotonic() < deadline, "the calibration made no progress"
            time.sleep(0.01)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    kept = generations(out)
    assert proc.returncode == -signal.SIGKILL and len(kept) < 50
    # continue the same calibration with a budget of one more generation
    resumed = calibrate(
        tiny_calibration(abc={"population": 8, "generations": len(kept) + 1}),
        out=out,
        scheduler="serial",
    )
    assert resumed.resumed_from == len(kept)
    after = generations(out)
    assert after[: len(kept)] == kept  # finished generations untouched, not run again
    assert [g[0] for g in after] == list(range(len(kept) + 1))
    assert after[-1][1] <= kept[-1][1]  # the new generation's threshold is no larger


def test_a_folder_of_another_calibration_is_refused(whole):
    other = tiny_calibration(abc=SMALL_ABC, seed=99)
    with pytest.raises(CalibrationError, match="different calibration"):
        calibrate(other, out=whole.folder, scheduler="serial")
    assert len(generations(whole.folder)) == 2  # the history is left as it was


# ---------------------------------------------------------------------- bad input
def target(**changes) -> list[dict]:
    row = {"measure": "participation_rate", "months": [3, 6], "value": 0.2, "sd": 0.03}
    return [row | changes]


BAD = [
    ({"bogus": 1}, ["unknown key 'bogus'", "allowed"]),
    (
        {"parameters": {"behaviour.weight_costs": {"uniform": [0.5, 4.0]}}},
        ["behaviour.weight_costs", "allowed there", "weight_cost"],
    ),
    ({"parameters": {"governance.ict_role": {"uniform": [0, 1]}}}, ["governance.ict_role", "str"]),
    (
        {"parameters": {"behaviour.weight_cost": {"beta": [1, 2]}}},
        ["beta", "uniform, normal, lognormal, loguniform"],
    ),
    (
        {"parameters": {"behaviour.weight_cost": {"uniform": [0.5, 40.0]}}},
        ["behaviour.weight_cost", "40", "allowed range [0, 20]"],
    ),
    (
        {"parameters": {"behaviour.weight_cost": {"uniform": [3.0, 1.0]}}},
        ["behaviour.weight_cost", "low must be less than high"],
    ),
    (
        {"parameters": {"behaviour.weight_cost": {"normal": [25.0, 1.0]}}},
        ["behaviour.weight_cost", "centre 25", "allowed range [0, 20]"],
    ),
    (
        {"parameters": {"behaviour.weight_cost": {"normal": [2.0, -1.0]}}},
        ["behaviour.weight_cost", "sd must be > 0"],
    ),
    (
        {"parameters": {"behaviour.learning_rate": {"loguniform": [0.0, 0.5]}}},
        ["behaviour.learning_rate", "low must be > 0"],
    ),
    (
        {"parameters": {"behaviour.weight_cost": {"uniform": "wide"}}},
        ["behaviour.weight_cost", "two numbers"],
    ),
    (
        {"parameters": {"administration.target_delay": {"uniform": [1, 3]}}},
        ["administration.target_delay", "int key cannot be calibrated"],
    ),
    ({"targets": target(measure="happiness")}, ["happiness", "not a measure", "trust"]),
    ({"targets": target(months=[3, 7])}, ["months", "[3, 7]", "steps (6)"]),
    ({"targets": target(months=[0, 6])}, ["months", "[0, 6]"]),
    ({"targets": target(sd=0.0)}, ["targets.0.sd", "greater than 0"]),
    ({"targets": []}, ["nothing to calibrate against"]),
    ({"set": TINY_SET | {"behaviour.weight_cost": 1.0}}, ["weight_cost", "also fixed in [set]"]),
    ({"set": TINY_SET | {"governance.ict_role": "quantum"}}, ["governance.ict_role", "quantum"]),
    ({"scenario": "nowhere"}, ["unknown scenario", "nowhere"]),
    ({"abc": {"population": 1}}, ["abc.population", "greater than or equal to 2"]),
    ({"abc": {"particles": 10}}, ["unknown key 'abc.particles'", "population"]),
    ({"name": "../escape"}, ["name", "cannot name a file"]),
]


@pytest.mark.parametrize("changes, words", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_calibration_is_an_input_error_naming_the_problem(tmp_path, changes, words):
    with pytest.raises(InputError) as info:
        calibrate(tiny_calibration(**changes), out=tmp_path / "out", scheduler="serial")
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message
    assert not (tmp_path / "out").exists()


SERIES_BAD = [
    (None, ["series file not found", "obs.csv"]),
    ("month,amount\n1,0.1\n", ["no column 'value'", "month,value"]),
    ("month,value\n1,0.1\n9,0.2\n", ["line 3", "month = 9", "steps (6)"]),
    ("month,value\n1,0.1\n2,high\n", ["line 3", "'high'", "not a finite number"]),
    ("month,value\n2,0.1\n2,0.2\n", ["month 2 appears more than once"]),
    ("month,value\n", ["no rows"]),
    ("month,value,sd\n1,0.1,0.02\n2,0.2,0\n", ["line 3", "sd = ", "positive number"]),
    ("month,value,sd\n1,0.1,wide\n", ["line 2", "'wide'", "positive number"]),
    ("", ["cannot read series file"]),
]


@pytest.mark.parametrize("text, words", SERIES_BAD, ids=[str(i) for i in range(len(SERIES_BAD))])
def test_bad_series_file_is_an_input_error(tmp_path, text, words):
    if text is not None:
        (tmp_path / "obs.csv").write_text(text)
    data = tiny_calibration(series=[{"measure": "adoption", "file": "obs.csv", "sd": 0.02}])
    path = write_toml(tmp_path / "cal.toml", data)
    with pytest.raises(CalibrationError) as info:
        load_calibration(path)
    for word in words:
        assert word in str(info.value), str(info.value)


def test_cli_bad_input_is_one_line_exit_2_before_anything_runs(tmp_path, capsys):
    path = write_toml(
        tmp_path / "cal.toml",
        tiny_calibration(parameters={"behaviour.weight_cost": {"uniform": [0.5, 40.0]}}),
    )
    status, lines = cli_error(capsys, "calibrate", path, "--out", tmp_path / "out")
    assert status == 2 and len(lines) == 1
    assert lines[0].startswith("coprod: error:") and "allowed range [0, 20]" in lines[0]
    status, lines = cli_error(capsys, "calibrate", tmp_path / "missing.toml")
    assert status == 2 and "calibration file not found" in lines[0]
    good = write_toml(tmp_path / "good.toml", tiny_calibration())
    status, lines = cli_error(capsys, "calibrate", good, "--scheduler", "nowhere")
    assert status == 2 and "scheduler" in lines[0]
    assert not (tmp_path / "out").exists() and not (tmp_path / "runs").exists()


def test_cli_calibrates_with_a_series_and_reports_progress(tmp_cwd, capsys):
    from coprod.analysis.cli import main

    tmp_path = tmp_cwd
    (tmp_path / "obs.csv").write_text("month,value\n4,0.01\n5,0.02\n6,0.03\n")
    data = tiny_calibration(
        series=[{"measure": "adoption", "file": "obs.csv", "sd": 0.05}],
        abc={"population": 6, "generations": 2},
    )
    path = write_toml(tmp_path / "cal.toml", data)
    main(["calibrate", str(path), "--out", "out", "--scheduler", "serial"])
    stdout = capsys.readouterr().out
    assert "generation 2/2: epsilon" in stdout and "acceptance" in stdout
    assert "behaviour.weight_cost" in stdout
    assert "width/prior" in stdout and "identification:" in stdout
    predictive = pd.read_csv(tmp_path / "out" / "predictive.csv")
    assert list(predictive["group"]) == ["target1", "series1", "series1", "series1"]
    assert (tmp_path / "out" / "observed" / "series1.csv").is_file()


def test_a_series_file_may_give_each_month_its_own_sd(tmp_path):
    from coprod.analysis.calibration.spec import load_calibration

    (tmp_path / "obs.csv").write_text("month,value,sd\n2,0.01,0.004\n4,0.02,\n6,0.03,0.02\n")
    data = tiny_calibration(series=[{"measure": "adoption", "file": "obs.csv", "sd": 0.05}])
    plan = load_calibration(write_toml(tmp_path / "cal.toml", data))
    series = [o for o in plan.observations if o.group == "series1"]
    assert [(o.first, o.sd) for o in series] == [(2, 0.004), (4, 0.05), (6, 0.02)]
    assert plan.weights()["series1:adoption:m2"] == pytest.approx(250.0)


# ---------------------------------------------------------------------- identification
def test_width_ratio_is_taken_on_the_priors_scale():
    from coprod.analysis.calibration.output import width_ratio

    assert width_ratio("uniform", 1.0, 2.0, 0.0, 4.0) == pytest.approx(0.25)
    # a log-uniform prior over three orders of magnitude, a posterior over one and a half
    assert width_ratio("loguniform", 1e-4, 10**-2.5, 1e-5, 1e-2) == pytest.approx(0.5)


def test_identification_names_the_parameters_the_targets_cannot_identify():
    from coprod.analysis.calibration.output import identification_lines, identified

    assert [identified(r) for r in (0.2, 0.5, 0.6, 0.8, 0.95, float("nan"))] == [
        "yes", "yes", "weakly", "weakly", "no", "no"
    ]  # fmt: skip
    summary = pd.DataFrame(
        {
            "parameter": ["a.x", "a.y", "a.z"],
            "width_ratio": [0.3, 0.7, 0.95],
            "identified": ["yes", "weakly", "no"],
        }
    )
    lines = identification_lines(summary, [("a.x", "a.y", -0.85)])
    assert len(lines) == 3
    assert lines[0].startswith("a.y: weakly identified (its 90% interval is 70%")
    assert lines[1].startswith("a.z: not identified by these targets (its 90% interval is 95%")
    assert "a.x and a.y trade off (posterior correlation -0.85)" in lines[2]
    everything = identification_lines(summary.iloc[:1], [])
    assert everything == [
        "every parameter is identified: each 90% interval is at most 50% of its prior's"
    ]


# ---------------------------------------------------------------------- priors
def test_truncated_priors_stay_in_range_and_follow_their_shape():
    from scipy import stats

    from coprod.analysis.calibration.spec import plan_calibration

    plan = plan_calibration(
        tiny_calibration(
            parameters={
                "behaviour.weight_cost": {"normal": [1.0, 2.0]},
                "behaviour.learning_rate": {
                    "lognormal": [math.log(0.1), 0.5],
                    "bounds": [0.01, 0.5],
                },
                "behaviour.adoption_innovation": {"loguniform": [1e-4, 1e-2]},
                "behaviour.weight_trust": {"uniform": [0.5, 1.5]},
            }
        )
    )
    cost, rate, innovation, trust = (p.random_variable() for p in plan.priors)
    # the normal is cut to the key's range [0, 20]: SciPy's truncated normal is the reference
    reference = stats.truncnorm((0 - 1) / 2, (20 - 1) / 2, loc=1, scale=2)
    for x in (0.0, 0.5, 1.79, 6.0):
        assert cost.pdf(x) == pytest.approx(reference.pdf(x), rel=1e-9)
    assert cost.ppf(0.5) == pytest.approx(reference.median(), rel=1e-9)
    assert cost.pdf(-0.01) == 0.0 and cost.pdf(20.01) == 0.0
    assert rate.ppf(0.0) == pytest.approx(0.01) and rate.ppf(1.0) == pytest.approx(0.5)
    assert rate.ppf(0.5) == pytest.approx(0.1, rel=0.02)  # the cut is nearly symmetric in log
    assert innovation.ppf(0.5) == pytest.approx(1e-3, rel=1e-9)  # uniform in the logarithm
    assert trust.ppf(0.25) == pytest.approx(0.75)
    # draws come from NumPy's global generator (seeded per simulation by the calibration)
    np.random.seed(0)  # noqa: NPY002
    for prior, rv in zip(plan.priors, (cost, rate, innovation, trust), strict=True):
        draws = np.array([rv.rvs() for _ in range(300)])
        assert draws.min() >= prior.low and draws.max() <= prior.high, prior.key
        assert stats.kstest(draws, np.vectorize(rv.cdf)).pvalue > 0.01, prior.key


# ---------------------------------------------------------------------- posterior comparisons
POSTERIOR = pd.DataFrame({"behaviour.weight_cost": [0.5, 3.5, 2.0], "weight": [0.5, 0.5, 0.0]})


def test_posterior_draws_follow_the_weights_and_the_seed():
    draws = posterior_draws(POSTERIOR, replicates=400, seed=3)
    assert set(draws["particle"]) == {0, 1}  # a particle of weight 0 is never drawn
    assert np.mean(draws["particle"] == 0) == pytest.approx(0.5, abs=0.08)
    assert draws.equals(posterior_draws(POSTERIOR, replicates=400, seed=3))
    assert not draws.equals(posterior_draws(POSTERIOR, replicates=400, seed=4))


def test_ensemble_with_a_posterior_runs_each_replicate_with_its_draw(tmp_path):
    small = Scenario.load("coproduction").with_overrides(TINY_SET)
    path = tmp_path / "posterior.parquet"
    POSTERIOR.to_parquet(path)
    runs = run_ensemble(small, replicates=4, steps=4, seed=2, client="serial", posterior=path)
    draws = posterior_draws(POSTERIOR, 4, seed=2)
    for replicate, cost in enumerate(draws["behaviour.weight_cost"]):
        seed = int(runs[runs.replicate == replicate]["seed"].iloc[0])
        alone = run_scenario(
            small.with_overrides({"behaviour.weight_cost": cost}), steps=4, seed=seed
        ).model_vars
        got = runs[runs.replicate == replicate].set_index("step")["participation_rate"]
        np.testing.assert_array_equal(got.to_numpy(), alone["participation_rate"].to_numpy())
    # the replicate seeds are those of an ensemble without a posterior: draws add, not replace
    plain = run_ensemble(small, replicates=4, steps=4, seed=2, client="serial")
    assert list(plain["seed"]) == list(runs["seed"])


def test_cli_compare_with_a_posterior_pairs_the_draws(tmp_cwd):
    from coprod.analysis.cli import main

    tmp_path = tmp_cwd
    POSTERIOR.to_parquet(tmp_path / "posterior.parquet")
    sets = [a for k, v in TINY_SET.items() for a in ("--set", f"{k}={v}")]
    main(
        [
            "compare",
            "coproduction",
            "socialgov",
            "--replicates",
            "3",
            "--steps",
            "4",
            *sets,
            "--posterior",
            "posterior.parquet",
            "--out",
            "cmp",
            "--scheduler",
            "serial",
        ]
    )
    draws = pd.read_csv(tmp_path / "cmp" / "posterior_draws.csv")
    assert list(draws["replicate"]) == [0, 1, 2]
    runs = pd.read_parquet(tmp_path / "cmp" / "runs.parquet")
    seeds = runs.drop_duplicates(["scenario", "replicate"]).pivot(
        index="replicate", columns="scenario", values="seed"
    )
    assert (seeds["coproduction"] == seeds["socialgov"]).all()  # paired replicates
    main(["report", "cmp"])
    assert "calibration's posterior" in (tmp_path / "cmp" / "report.md").read_text()


@pytest.mark.parametrize(
    "frame, words",
    [
        (pd.DataFrame({"behaviour.weight_cost": [1.0]}), ["no 'weight' column"]),
        (pd.DataFrame({"behaviour.weight_cost": [1.0], "weight": [-1.0]}), ["weights >= 0"]),
        (pd.DataFrame({"behaviour.nope": [1.0], "weight": [1.0]}), ["behaviour.nope"]),
        (
            pd.DataFrame({"behaviour.weight_cost": [99.0], "weight": [1.0]}),
            ["behaviour.weight_cost", "99"],
        ),
    ],
)
def test_bad_posterior_is_an_input_error(tmp_path, capsys, frame, words):
    with pytest.raises(PosteriorError) as info:
        run_ensemble(
            Scenario.load("coproduction").with_overrides(TINY_SET),
            replicates=2,
            steps=2,
            client="serial",
            posterior=frame,
        )
    for word in words:
        assert word in str(info.value)
    frame.to_parquet(tmp_path / "p.parquet")
    status, lines = cli_error(
        capsys,
        "compare",
        "coproduction",
        "socialgov",
        "--posterior",
        tmp_path / "p.parquet",
        "--out",
        tmp_path / "cmp",
    )
    assert status == 2 and len(lines) == 1 and words[0] in lines[0]


# ---------------------------------------------------------------------- shipped files, extra
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "path", sorted((ROOT / "calibrations").glob("*.toml")), ids=lambda p: p.stem
)
def test_shipped_calibration_files_are_valid(path):
    plan = load_calibration(path)
    assert plan.priors and plan.observations
    assert plan.spec.name == path.stem


def test_without_pyabc_the_command_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyabc", None)  # import pyabc now raises ImportError
    good = write_toml(tmp_path / "good.toml", tiny_calibration())
    status, lines = cli_error(capsys, "calibrate", good, "--out", tmp_path / "out")
    assert status == 2 and len(lines) == 1 and "coprod[calibrate]" in lines[0]
    assert not (tmp_path / "out").exists()
