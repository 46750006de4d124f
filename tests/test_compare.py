import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from coprod import Scenario
from coprod.analysis.compare.comparison import (
    compare_horizon,
    compare_over_time,
    horizon_table,
    run_comparison,
    scenario_labels,
)
from coprod.analysis.stats import horizon_means, t_interval, welch
from coprod.analysis.wording import MARKER_LEGEND
from coprod.model.measures import MEASURES
from helpers import cli_error, coprod

SMALL = {"population.citizens": 400, "population.businesses": 10}


def synthetic(values: dict[str, list[list[float]]]) -> pd.DataFrame:
    """Tidy runs from {scenario: [replicate series of one measure 'm']}."""
    rows = []
    for scenario, series in values.items():
        for r, ys in enumerate(series):
            for step, y in enumerate(ys, start=1):
                rows.append(
                    {"scenario": scenario, "replicate": r, "seed": r, "step": step, "m": y}
                )
    return pd.DataFrame(rows)


def test_t_interval_matches_scipy():
    x = np.array([0.2, 0.5, 0.3, 0.9, 0.4])
    lo, hi = t_interval(x.mean(), x.std(ddof=1), len(x))
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert lo == pytest.approx(ref[0]) and hi == pytest.approx(ref[1])
    lo, hi = t_interval(np.array([0.5, 0.5]), np.array([0.0, np.nan]), np.array([4, 1]))
    assert lo[0] == hi[0] == 0.5  # no spread: zero width
    assert np.isnan(lo[1]) and np.isnan(hi[1])  # one replicate: no interval


def test_welch_matches_scipy():
    a = np.array([0.61, 0.64, 0.59, 0.66, 0.62, 0.63])
    b = np.array([0.55, 0.60, 0.52, 0.58])
    diff, lo, hi, p = welch(a.mean(), a.std(ddof=1), len(a), b.mean(), b.std(ddof=1), len(b))
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert p == pytest.approx(ref.pvalue)
    ci = ref.confidence_interval(0.95)
    assert diff == pytest.approx(a.mean() - b.mean())
    assert lo == pytest.approx(ci.low) and hi == pytest.approx(ci.high)


def test_horizon_is_the_mean_of_the_last_12_months_per_replicate():
    # 20 steps: value 0 for the first 8 months, then 1 (replicate 0) or 3 (replicate 1)
    runs = synthetic({"a": [[0] * 8 + [1] * 12, [0] * 8 + [3] * 12]})
    per_run = horizon_means(runs, ["scenario", "replicate"], ["m"])
    assert per_run["m"].tolist() == [1.0, 3.0]
    short = synthetic({"a": [[2, 4, 6]]})  # shorter than the window: all months
    assert horizon_means(short, ["scenario", "replicate"], ["m"])["m"].tolist() == [4.0]


def test_compare_horizon_against_hand_computed_welch():
    rng = np.random.default_rng(1)
    a = [list(0.5 + rng.normal(0, 0.02, 15)) for _ in range(5)]
    b = [list(0.6 + rng.normal(0, 0.05, 15)) for _ in range(7)]
    runs = synthetic({"base": a, "alt": b})
    h = compare_horizon(runs, measures=["m"]).set_index("scenario")
    ha = np.array([np.mean(x[-12:]) for x in a])
    hb = np.array([np.mean(x[-12:]) for x in b])
    assert h.loc["alt", "mean"] == pytest.approx(hb.mean())
    assert h.loc["alt", "n"] == 7 and h.loc["base", "n"] == 5
    ref = stats.ttest_ind(hb, ha, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert h.loc["alt", "diff"] == pytest.approx(hb.mean() - ha.mean())
    assert h.loc["alt", "diff_low"] == pytest.approx(ci.low)
    assert h.loc["alt", "diff_high"] == pytest.approx(ci.high)
    assert h.loc["alt", "p_value"] == pytest.approx(ref.pvalue)
    assert h.loc["base", "diff"] == 0 and np.isnan(h.loc["base", "p_value"])
    # the reference can be chosen
    h2 = compare_horizon(runs, measures=["m"], reference="alt").set_index("scenario")
    assert h2.loc["base", "diff"] == pytest.approx(-h.loc["alt", "diff"])


def test_compare_over_time_per_step():
    runs = synthetic({"a": [[1, 2], [3, 4]], "b": [[2, 2], [2, 6]]})
    t = compare_over_time(runs, measures=["m"]).set_index(["scenario", "step"])
    assert t.loc[("a", 1), "mean"] == 2 and t.loc[("a", 2), "mean"] == 3
    assert t.loc[("b", 2), "diff"] == pytest.approx(4 - 3)
    lo, hi = t_interval(3.0, np.std([2, 4], ddof=1), 2)
    assert t.loc[("a", 2), "ci_low"] == pytest.approx(lo)


def test_labels_are_unique():
    s = Scenario.load("socialgov")
    assert scenario_labels([s, s, Scenario.load("traditional")]) == [
        "socialgov",
        "socialgov-2",
        "traditional",
    ]


@pytest.fixture(scope="module")
def real_runs():
    scenarios = [
        Scenario.load(n).with_overrides(SMALL) for n in ("coproduction", "substitutive_automation")
    ]
    return run_comparison(scenarios, replicates=4, steps=18, seed=3, client="serial")


def test_run_comparison_shares_seeds_and_finds_a_known_difference(real_runs):
    assert list(real_runs.columns[:4]) == ["scenario", "replicate", "seed", "step"]
    assert set(MEASURES) <= set(real_runs.columns)
    seeds = real_runs.groupby("scenario", sort=False)["seed"].apply(lambda s: sorted(set(s)))
    assert seeds.iloc[0] == seeds.iloc[1]
    h = compare_horizon(real_runs).set_index(["measure", "scenario"])
    law = h.loc[("lawfulness", "substitutive_automation")]
    # unreviewed algorithmic decisions make errors: lawfulness is clearly lower
    assert law["diff_high"] < -0.03
    text = horizon_table(compare_horizon(real_runs), ["lawfulness"])
    *rows, legend = text.splitlines()
    assert "lawfulness" in text and rows[-1].endswith("* worse")  # higher is better
    assert legend == MARKER_LEGEND


@pytest.mark.slow
def test_compare_command_writes_tables_figures_and_manifest(tmp_path):
    out = tmp_path / "cmp"
    result = coprod(
        "compare",
        "coproduction",
        "socialgov",
        "traditional",
        "--replicates",
        "3",
        "--steps",
        "14",
        "--seed",
        "2",
        "--set",
        "population.citizens=300",
        "--out",
        str(out),
        "--scheduler",
        "serial",
    )
    assert result.returncode == 0, result.stderr
    assert "difference to coproduction" in result.stdout and "proper_value" in result.stdout
    assert MARKER_LEGEND in result.stdout.splitlines()
    markdown = (out / "horizon.md").read_text()
    assert markdown.rstrip().endswith(MARKER_LEGEND) and "| proper_value | socialgov |" in markdown
    horizon_csv = pd.read_csv(out / "horizon.csv")
    horizon_pq = pd.read_parquet(out / "horizon.parquet")
    pd.testing.assert_frame_equal(horizon_csv, horizon_pq, check_dtype=False)
    assert set(horizon_csv.scenario) == {"coproduction", "socialgov", "traditional"}
    assert {"mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"} <= set(
        horizon_csv.columns
    )
    over = pd.read_parquet(out / "over_time.parquet")
    assert over.step.max() == 14
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 3 * 3 * 15  # steps 0..14
    # what the command wrote equals what the Python function computes from the runs
    pd.testing.assert_frame_equal(compare_horizon(runs), horizon_pq)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["reference"] == "coproduction"
    assert manifest["replicates"] == 3 and len(manifest["seeds"]) == 3
    for png in ("timeseries.png", "value_profile.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert Scenario.load(out / "scenarios" / "socialgov.toml").population.citizens == 300
    assert not list(out.rglob(".*.tmp"))


@pytest.mark.parametrize(
    "args, words",
    [
        (["compare", "socialgov"], ["at least two"]),
        (["compare", "socialgov", "nosuch"], ["unknown scenario", "nosuch"]),
        (["compare", "socialgov", "traditional", "--replicates", "1"], ["--replicates"]),
        (["compare", "socialgov", "traditional", "--set", "governance.x=1"], ["governance.x"]),
        (["compare", "socialgov", "traditional", "--scheduler", "bogus"], ["scheduler", "bogus"]),
        (
            [
                "compare",
                "socialgov",
                "traditional",
                "--set",
                "steps=" + "[" * 10_000 + "]" * 10_000,
            ],
            ["--set steps", "nested too deeply"],
        ),
    ],
)
def test_compare_bad_input_one_line_exit_2_nothing_written(
    tmp_path, monkeypatch, capsys, args, words
):
    monkeypatch.chdir(tmp_path)
    status, lines = cli_error(capsys, *args, "--out", tmp_path / "out")
    assert status == 2
    assert len(lines) == 1 and lines[0].startswith("coprod: error:"), lines
    for word in words:
        assert word in lines[0]
    assert not (tmp_path / "out").exists() and not (tmp_path / "runs").exists()
