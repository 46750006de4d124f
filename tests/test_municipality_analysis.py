"""Ensembles and comparisons that keep every table: per-municipality measures and innovations."""

import json

import numpy as np
import pandas as pd
import pytest

from coprod import CoProductionModel, Scenario, run_ensemble, run_scenario
from coprod.analysis import (
    AnalysisError,
    EnsembleDetail,
    compare_innovations,
    compare_municipalities,
    innovation_runs,
    run_comparison,
    run_comparison_detail,
    run_ensemble_detail,
    t_interval,
)
from coprod.analysis.cli import main
from coprod.analysis.stats import horizon_means
from coprod.model.measures import MEASURES, MUNICIPALITY_MEASURES
from tests.helpers import assert_greater

#: Twelve municipalities of four neighbourhoods, 40 citizens each: small, but every mechanism runs.
SMALL = {
    "population.citizens": 480,
    "population.businesses": 12,
    "population.community_organisations": 6,
}
STEPS, REPLICATES, SEED = 40, 3, 3


@pytest.fixture(scope="module")
def central():
    return Scenario.load("central_pilot").with_overrides(SMALL)


@pytest.fixture(scope="module")
def experimental():
    return Scenario.load("experimentalism").with_overrides(SMALL)


@pytest.fixture(scope="module")
def detail(experimental):
    return run_ensemble_detail(
        experimental, replicates=REPLICATES, steps=STEPS, seed=SEED, client="serial"
    )


@pytest.fixture(scope="module")
def comparison(central, experimental):
    return run_comparison_detail(
        [central, experimental], replicates=REPLICATES, steps=STEPS, seed=SEED, client="serial"
    )


# ---------------------------------------------------------------------- structure
def test_one_row_per_replicate_step_and_municipality(detail):
    assert isinstance(detail, EnsembleDetail)
    mv = detail.municipality_vars
    assert list(mv.columns) == [
        "replicate", "seed", "step", "municipality", "status", "status_rank",
        *MUNICIPALITY_MEASURES,
    ]  # fmt: skip
    assert len(mv) == REPLICATES * STEPS * 12
    counts = mv.groupby(["replicate", "step"])["municipality"].agg(["size", "nunique"])
    assert (counts["size"] == 12).all() and (counts["nunique"] == 12).all()
    assert sorted(mv["replicate"].unique()) == list(range(REPLICATES))
    assert sorted(mv["step"].unique()) == list(range(1, STEPS + 1))
    # the rank orders the municipalities by status, 1 = best placed, in every run
    for _, run in mv[mv["step"] == 1].groupby("replicate"):
        ordered = run.sort_values("status_rank")
        assert ordered["status_rank"].tolist() == list(range(1, 13))
        assert ordered["status"].is_monotonic_decreasing
    # status is fixed for the run
    assert (mv.groupby(["replicate", "municipality"])["status"].nunique() == 1).all()
    # seeds agree across the three tables
    seeds = detail.model_vars.drop_duplicates("replicate").set_index("replicate")["seed"]
    for table in (mv, detail.innovations):
        assert table.set_index("replicate")["seed"].groupby(level=0).unique().map(
            lambda s: list(s)
        ).to_dict() == {r: [s] for r, s in seeds.items()}
    assert len(detail.innovations) == REPLICATES * 7  # one row per catalogue innovation


def test_model_vars_are_exactly_run_ensemble(detail, experimental):
    plain = run_ensemble(
        experimental, replicates=REPLICATES, steps=STEPS, seed=SEED, client="serial"
    )
    assert list(detail.model_vars.columns) == ["replicate", "seed", "step", *MEASURES]
    pd.testing.assert_frame_equal(detail.model_vars, plain, check_exact=True)


def test_each_replicate_is_the_single_run_with_its_seed(detail, experimental):
    seed = int(detail.model_vars.loc[detail.model_vars["replicate"] == 2, "seed"].iloc[0])
    one = run_scenario(experimental, steps=STEPS, seed=seed)
    mv = detail.municipality_vars
    got = mv[mv["replicate"] == 2].drop(columns=["replicate", "seed", "status", "status_rank"])
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), one.municipality_vars, check_exact=True
    )
    inn = detail.innovations
    got = inn[inn["replicate"] == 2].drop(columns=["replicate", "seed"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), one.innovations, check_exact=True)
    # status is the mean socio-economic status of the municipality's citizens in that world
    world = CoProductionModel(experimental, seed=seed).citizen_frame()
    status = world.groupby("municipality")["ses"].mean()
    shipped = mv[(mv["replicate"] == 2) & (mv["step"] == 1)].set_index("municipality")["status"]
    np.testing.assert_allclose(shipped.sort_index().to_numpy(), status.to_numpy(), rtol=1e-12)


def test_comparison_detail_matches_run_comparison(comparison, central, experimental):
    plain = run_comparison(
        [central, experimental], replicates=REPLICATES, steps=STEPS, seed=SEED, client="serial"
    )
    pd.testing.assert_frame_equal(comparison.model_vars, plain, check_exact=True)
    for table in (comparison.municipality_vars, comparison.innovations):
        assert list(table.columns[:3]) == ["scenario", "replicate", "seed"]
        assert list(dict.fromkeys(table["scenario"])) == ["central_pilot", "experimentalism"]
    # common random numbers: the same places in both scenarios of a replicate
    mv = comparison.municipality_vars
    first = mv[mv["step"] == 1].set_index(["scenario", "replicate", "municipality"])["status"]
    np.testing.assert_array_equal(
        first.loc["central_pilot"].to_numpy(), first.loc["experimentalism"].to_numpy()
    )


def test_without_innovation_the_innovations_table_is_empty(central):
    none = central.with_overrides({"governance.innovation": "none"})
    d = run_ensemble_detail(none, replicates=2, steps=3, seed=1, client="serial")
    assert d.innovations.empty
    assert len(d.municipality_vars) == 2 * 3 * 12


@pytest.mark.filterwarnings("ignore:Port .* is already in use")
def test_serial_and_dask_give_identical_tables(central):
    args = {"replicates": 2, "steps": 6, "seed": 4}
    serial = run_ensemble_detail(central, client="serial", **args)
    local = run_ensemble_detail(central, client="local", **args)
    for name in ("model_vars", "municipality_vars", "innovations"):
        pd.testing.assert_frame_equal(
            getattr(local, name), getattr(serial, name), check_exact=True
        )


# ---------------------------------------------------------------------- comparisons
def test_compare_municipalities_by_rank_matches_a_hand_computation(comparison):
    stats = compare_municipalities(comparison.municipality_vars, ["public_value", "trust"])
    assert set(stats["measure"]) == {"public_value", "trust"}
    assert len(stats) == 2 * 12 * 2  # scenarios x places x measures
    mv = comparison.municipality_vars
    tail = mv[mv["step"] > STEPS - 12]
    per_run = tail.groupby(["scenario", "replicate", "status_rank"])["public_value"].mean()
    values = per_run.loc[("experimentalism", slice(None), 1)].to_numpy()
    row = stats[
        (stats["scenario"] == "experimentalism")
        & (stats["status_rank"] == 1)
        & (stats["measure"] == "public_value")
    ].iloc[0]
    assert row["n"] == REPLICATES
    assert row["mean"] == pytest.approx(values.mean())
    # the interval of a bounded measure stays within its range (public value: 0 to 1)
    lo, hi = t_interval(values.mean(), values.std(ddof=1), len(values), measure="public_value")
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    assert 0.0 <= lo <= hi <= 1.0
    ref = per_run.loc[("central_pilot", slice(None), 1)].to_numpy()
    assert row["diff"] == pytest.approx(values.mean() - ref.mean())
    own = stats[stats["scenario"] == "central_pilot"]
    assert (own["diff"] == 0).all() and own["p_value"].isna().all()
    # grouping by municipality index gives the same numbers as horizon_means does
    by_index = compare_municipalities(mv, ["trust"], by="municipality")
    direct = horizon_means(mv, ["scenario", "replicate", "municipality"], ["trust"])
    expected = direct.groupby(["scenario", "municipality"])["trust"].mean()
    got = by_index.set_index(["scenario", "municipality"])["mean"]
    pd.testing.assert_series_equal(
        got.sort_index(), expected.sort_index(), check_names=False, check_exact=False
    )


def synthetic_innovations() -> pd.DataFrame:
    """Two runs of one scenario, two innovations each, with known summaries."""
    rows = [
        # replicate 0: 5 + 2 adoptions; one innovation reached half in 10 months; 4 of 6 judged fit
        ("a", 0, "x", 6, 5, 10.0, 4, 0.75),
        ("a", 0, "y", 3, 2, np.nan, 2, 0.5),
        # replicate 1: nothing reached half, nothing judged
        ("a", 1, "x", 2, 0, np.nan, 0, np.nan),
        ("a", 1, "y", 1, 1, np.nan, 0, np.nan),
    ]
    columns = ["scenario", "replicate", "innovation", "trials", "adopters", "months_to_half"]
    return pd.DataFrame(rows, columns=[*columns, "judged", "fit"])


def test_innovation_runs_and_their_comparison():
    runs = innovation_runs(synthetic_innovations()).set_index("replicate")
    assert runs.loc[0, "adopted"] == 7 and runs.loc[1, "adopted"] == 1
    assert runs.loc[0, "trials"] == 9
    assert runs.loc[0, "reached_half"] == 1 and runs.loc[0, "months_to_half"] == 10
    assert runs.loc[1, "reached_half"] == 0 and np.isnan(runs.loc[1, "months_to_half"])
    assert runs.loc[0, "judged"] == 6
    assert runs.loc[0, "fit"] == pytest.approx((3 + 1) / 6)  # weighted by judged adoptions
    assert np.isnan(runs.loc[1, "fit"])
    stats = compare_innovations(synthetic_innovations()).set_index("measure")
    assert stats.loc["adopted", "mean"] == 4 and stats.loc["adopted", "n"] == 2
    assert stats.loc["fit", "n"] == 1  # runs with nothing judged are not counted as 0


def test_compare_innovations_on_real_runs(comparison):
    stats = compare_innovations(comparison.innovations)
    assert list(dict.fromkeys(stats["scenario"])) == ["central_pilot", "experimentalism"]
    adopted = stats.set_index(["scenario", "measure"]).loc[("experimentalism", "adopted")]
    final = comparison.model_vars[comparison.model_vars["step"] == STEPS]
    expected = final[final["scenario"] == "experimentalism"]["innovations_adopted"].mean()
    assert adopted["mean"] == pytest.approx(expected)


def test_experimentalism_lets_places_differ_where_central_pilots_decide_for_all(
    central, experimental
):
    """Central verdicts apply to every municipality; local experiments do not (ODD 7.13)."""
    runs = run_comparison_detail(
        [central, experimental], replicates=6, steps=72, seed=11, client="serial"
    ).municipality_vars
    final = runs[runs["step"] == 72]
    spread = final.groupby(["scenario", "replicate"])["innovations"].std()
    central_spread = spread.loc["central_pilot"].to_numpy()
    experimental_spread = spread.loc["experimentalism"].to_numpy()
    # scaled to all or dropped, but for pilots that keep what their own pilot found
    assert_greater(experimental_spread, central_spread, min_diff=0.3)
    strict = central.with_overrides({"innovation_process.pilots_may_keep": False})
    runs = run_ensemble_detail(strict, replicates=3, steps=72, seed=11, client="serial")
    final = runs.municipality_vars[runs.municipality_vars["step"] == 72]
    assert (final.groupby("replicate")["innovations"].std() == 0).all()


# ---------------------------------------------------------------------- CLI and errors
def test_cli_writes_municipality_and_innovation_tables(tmp_path, capsys):
    out = tmp_path / "cmp"
    sets = [f"--set={key}={value}" for key, value in SMALL.items()]
    main(
        [
            "compare", "central_pilot", "experimentalism", "--by-municipality",
            "--replicates", "2", "--steps", "30", "--seed", "2", "--scheduler", "serial",
            "--out", str(out), *sets,
        ]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert "public value by place" in printed and "innovations per run" in printed
    for name in (
        "municipalities.csv", "municipalities.parquet", "municipality_runs.parquet",
        "innovations.csv", "innovations.parquet", "innovations_runs.parquet",
        "municipalities.md", "horizon.csv", "runs.parquet",
    ):  # fmt: skip
        assert (out / name).is_file(), name
    by_place = pd.read_csv(out / "municipalities.csv")
    assert {"scenario", "status_rank", "measure", "mean", "ci_low", "ci_high", "diff"} <= set(
        by_place.columns
    )
    assert len(by_place) == 2 * 12 * len(MUNICIPALITY_MEASURES)
    assert set(pd.read_csv(out / "innovations.csv")["measure"]) >= {"adopted", "fit"}
    markdown = (out / "municipalities.md").read_text()
    assert "| status rank | central_pilot | experimentalism" in markdown
    listed = json.loads((out / "manifest.json").read_text())["files"]
    assert "municipalities.csv" in listed and "innovations.csv" in listed
    assert not list(out.glob(".*.tmp"))

    main(["report", str(out)])  # the report carries the per-place and innovation tables
    report = (out / "report.md").read_text()
    section = report[report.index("## Municipalities and innovations") :]
    assert "| status rank | central_pilot | experimentalism (difference) |" in section
    assert "| 12 |" in section and "| fit |" in section
    assert (out / "report.html").read_text().count("<table") == 3  # measures, places, innovations


def test_cli_refuses_a_single_municipality_before_running(tmp_path, capsys):
    out = tmp_path / "never"
    with pytest.raises(SystemExit) as info:
        main(["compare", "coproduction", "socialgov", "--by-municipality", "--out", str(out)])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "population.municipalities = 1" in err[0]
    assert not out.exists()


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda d: compare_municipalities(d.municipality_vars, by="neighbourhood"), "by"),
        (lambda d: compare_municipalities(d.municipality_vars, ["participation_gap"]), "measure"),
        (lambda d: compare_municipalities(d.model_vars), "municipality"),
        (lambda d: compare_innovations(d.innovations.iloc[0:0]), "innovation"),
    ],
)
def test_bad_input_is_one_clear_error(detail, call, word):
    with pytest.raises(AnalysisError, match=word):
        call(detail)


@pytest.mark.parametrize(
    "kwargs, word",
    [({"replicates": 0}, "replicates"), ({"steps": 0}, "steps"), ({"client": 42}, "client")],
)
def test_bad_ensemble_arguments_are_rejected(central, kwargs, word):
    with pytest.raises(AnalysisError, match=word):
        run_ensemble_detail(central, **{"replicates": 2, "steps": 2, **kwargs})


def test_place_tables_word_clear_differences_by_the_measures_direction():
    from coprod.analysis.municipalities.output import municipality_table
    from coprod.analysis.wording import MARKER_LEGEND

    def row(scenario, rank, measure, mean, diff=np.nan, low=np.nan, high=np.nan):
        return {
            "scenario": scenario, "status_rank": rank, "measure": measure, "mean": mean,
            "ci_low": mean - 0.01, "ci_high": mean + 0.01,
            "diff": diff, "diff_low": low, "diff_high": high,
        }  # fmt: skip

    stats = pd.DataFrame(
        [
            row("a", 1, "backlog", 0.10),
            row("b", 1, "backlog", 0.20, 0.10, 0.05, 0.15),  # clearly higher: worse
            row("a", 2, "backlog", 0.10),
            row("b", 2, "backlog", 0.11, 0.01, -0.02, 0.04),  # not clear: no mark
            row("a", 1, "trust", 0.50),
            row("b", 1, "trust", 0.60, 0.10, 0.05, 0.15),  # clearly higher: better
        ]
    )
    backlog = municipality_table(stats, "backlog").splitlines()
    assert backlog[1].endswith("* worse") and "*" not in backlog[2]
    assert backlog[-1] == MARKER_LEGEND
    trust = municipality_table(stats, "trust", markdown=True)
    assert "* better |" in trust and trust.endswith(MARKER_LEGEND)
