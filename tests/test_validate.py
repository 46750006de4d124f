"""Validation against published patterns: the checks, a fast full validation, the command.

The fast validation runs the default parameter set at full population with 8 replicates (the
command's default is 20), so the patterns must hold with a margin, not by luck of many runs.
The checks are also given made-up ensembles where a pattern is absent, to show they can fail.
"""

import json

import numpy as np
import pandas as pd
import pytest

from coprod import CoProductionModel, Scenario
from coprod.analysis.cli import main
from coprod.analysis.validate.patterns import (
    BASS_P_RANGE,
    BASS_Q_RANGE,
    CALIBRATED_ON,
    TOP1_RANGE,
    bass_curve,
    check_adoption_curve,
    check_capacity,
    check_coproduction_function,
    check_digital_divide,
    check_incentives,
    check_one_off_reporters,
    check_participation_inequality,
    check_safeguards,
    fit_bass,
    run_validation,
)
from coprod.model.measures import _gini_top, _sorted_positive, gini, report_shares, top_share
from helpers import cli_error

FAST = {"replicates": 8, "seed": 0, "client": "serial"}


@pytest.fixture(scope="module")
def fast_validation():
    return run_validation(**FAST)


def _runs(values: dict[int, dict[str, float]], steps: int = 24) -> pd.DataFrame:
    """A made-up ensemble: replicate -> measure -> value, constant over ``steps`` months."""
    rows = [
        {"replicate": r, "step": t, **measures}
        for r, measures in values.items()
        for t in range(1, steps + 1)
    ]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ the checks
@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.01, 0.5), (0.2, 0.05)])
def test_bass_fit_recovers_known_coefficients(p, q):
    years = np.arange(1, 121) / 12.0
    fit = fit_bass(years, bass_curve(years, 0.7, p, q))
    assert fit["p"] == pytest.approx(p, rel=1e-3)
    assert fit["q"] == pytest.approx(q, rel=1e-3)
    assert fit["m"] == pytest.approx(0.7, rel=1e-3)
    assert fit["r2"] > 0.9999


def test_adoption_check_fails_without_imitation():
    # adoption driven by external influence alone: an r-shaped curve with q about 0
    years = np.arange(1, 121) / 12.0
    rng = np.random.default_rng(0)
    fits = pd.DataFrame(
        [
            {"replicate": r, **fit_bass(years, bass_curve(years, 0.6, 0.2, 0.0) + e)}
            for r, e in enumerate(rng.normal(0, 0.002, (6, len(years))))
        ]
    )
    shape, p, q = check_adoption_curve(fits)
    assert not shape.passed and not p.passed and not q.passed
    assert shape.observed < 0


def test_inequality_check_fails_when_contributions_are_even():
    even = _runs(
        {
            r: {"report_top10_share": 0.12, "report_top1_share": 0.012, "contribution_gini": 0.2}
            for r in range(5)
        }
    )
    top10, top1, gini = check_participation_inequality(even)
    assert top10.passed is False and gini.passed is False and top1.passed is False
    # the top 1% is checked against a range: too concentrated fails as too even does
    lopsided = _runs(
        {
            r: {"report_top10_share": 0.9, "report_top1_share": 0.6, "contribution_gini": 0.95}
            for r in range(5)
        }
    )
    top10, top1, gini = check_participation_inequality(lopsided)
    assert top10.passed and gini.passed and top1.passed is False
    fixmystreet = _runs(
        {
            r: {
                "report_top10_share": 0.62,
                "report_top1_share": 0.33 + 0.001 * r,
                "contribution_gini": 0.9,
            }
            for r in range(5)
        }
    )
    assert check_participation_inequality(fixmystreet)[1].passed is True


def test_capacity_check_reads_the_direction_after_the_cut():
    def frame(after_cut: float, jitter: float = 0.0):
        rows = [
            {
                "replicate": r,
                "step": t,
                "responsiveness": (after_cut if t >= 97 else 0.9) + jitter * r,
            }
            for r in range(6)
            for t in range(1, 121)
        ]
        return pd.DataFrame(rows)

    default = frame(0.9, 0.001)
    check = check_capacity(frame(0.6, 0.002), default)
    assert check.passed and check.observed == pytest.approx(-0.3 + 0.0025, abs=1e-9)
    assert not check_capacity(frame(0.95, 0.002), default).passed
    # the window is the 24 months after the cut: a fall before it does not count
    early = pd.DataFrame(
        [
            {"replicate": r, "step": t, "responsiveness": 0.5 if t < 97 else 0.9 + 0.001 * r}
            for r in range(6)
            for t in range(1, 121)
        ]
    )
    assert not check_capacity(early, default).passed
    # responsiveness pools the last 12 months: the check reads it from month 108 on, where
    # its whole year lies after the cut at 97 (earlier values still count months before it)
    mixed = pd.DataFrame(
        [
            {
                "replicate": r,
                "step": t,
                "responsiveness": 0.5 if 97 <= t < 108 else 0.9 + 0.001 * r,
            }
            for r in range(6)
            for t in range(1, 121)
        ]
    )
    assert not check_capacity(mixed, default).passed
    assert "months 108-120" in check.statistic and "month 97" in check.statistic


def test_checks_say_which_patterns_the_calibration_used(fast_validation):
    table = fast_validation.table().set_index("pattern")
    calibrated = table[table["calibrated_with"] != ""]
    assert set(calibrated.index) == set(CALIBRATED_ON)
    assert "behaviour.adoption_imitation" in table.loc["Adoption S-curve: Bass q"].calibrated_with
    assert table.loc["Capacity: a budget cut lowers responsiveness"].calibrated_with == ""


def test_incentive_and_safeguard_checks_read_the_direction():
    none = _runs(
        {r: {"intrinsic_motivation": 0.3, "lawfulness": 0.7, "efficiency": 0.76} for r in range(5)}
    )
    lower = _runs({r: {"intrinsic_motivation": 0.27 + 0.001 * r} for r in range(5)})
    higher = _runs({r: {"intrinsic_motivation": 0.35 + 0.001 * r} for r in range(5)})
    paid, praised = check_incentives(none, lower, higher)
    assert paid.passed and praised.passed
    assert paid.observed == pytest.approx(-0.028) and paid.calibrated_with == ""
    paid, praised = check_incentives(none, higher, lower)  # crowding in by money fails
    assert not paid.passed and not praised.passed
    safeguarded = _runs(
        {r: {"lawfulness": 0.8 + 0.001 * r, "efficiency": 0.74 + 0.001 * r} for r in range(5)}
    )
    lawful, cost = check_safeguards(none, safeguarded)
    assert lawful.passed and cost.passed
    free = _runs(
        {r: {"lawfulness": 0.8 + 0.001 * r, "efficiency": 0.77 + 0.001 * r} for r in range(5)}
    )
    assert not check_safeguards(none, free)[1].passed  # safeguards that cost nothing fail


def test_one_off_check_asks_for_a_majority_of_single_reports():
    majority = _runs({r: {"one_off_reporters": 0.66 + 0.002 * r} for r in range(5)})
    assert check_one_off_reporters(majority).passed
    third = _runs({r: {"one_off_reporters": 0.35 + 0.002 * r} for r in range(5)})
    assert not check_one_off_reporters(third).passed


def test_divide_and_coproduction_checks_read_the_direction():
    gaps = {r: {"participation_gap": 0.10 + 0.01 * r} for r in range(6)}
    wider = {r: {"participation_gap": 0.13 + 0.01 * r + 0.002 * (r % 2)} for r in range(6)}
    assert check_digital_divide(_runs(wider), _runs(gaps)).passed
    assert not check_digital_divide(_runs(gaps), _runs(wider)).passed

    def eff(v):
        return _runs({r: {"effectiveness": v + 0.001 * r * (r % 3)} for r in range(6)})

    ensembles = {
        "complements": eff(0.70),
        "complements_cut": eff(0.60),
        "substitutes": eff(0.70),
        "substitutes_cut": eff(0.66),
    }
    parks = check_coproduction_function(ensembles)
    assert parks.passed and parks.observed == pytest.approx(0.06)
    ensembles["complements_cut"], ensembles["substitutes_cut"] = eff(0.66), eff(0.60)
    assert not check_coproduction_function(ensembles).passed


def test_top1_share_is_the_top_percent_of_contributors():
    model = CoProductionModel(Scenario(), seed=3)
    for _ in range(24):
        model.step()
    contributions = model.citizens.contributions
    measures = model.model_vars.iloc[-1]
    positive = contributions[contributions > 0]
    assert measures["top1_share"] == pytest.approx(top_share(positive, 0.01), rel=1e-9)
    assert measures["top10_share"] == pytest.approx(top_share(positive, 0.1), rel=1e-9)
    assert measures["top1_share"] < measures["top10_share"]


def test_report_shares_count_reports_per_reporter_as_a_full_sort_does():
    rng = np.random.default_rng(3)
    for reporters in (1, 7, 150, 5_000):
        reports = np.zeros(20_000, dtype=np.int64)
        rows = rng.choice(len(reports), reporters, replace=False)
        reports[rows] = rng.zipf(1.8, reporters).clip(max=10_000)
        counts = np.sort(reports[reports > 0])[::-1]
        top10, top1 = int(np.ceil(0.1 * len(counts))), int(np.ceil(0.01 * len(counts)))
        one_off, tenth, hundredth = report_shares(reports)
        assert one_off == np.mean(counts == 1)
        assert tenth == pytest.approx(counts[:top10].sum() / counts.sum(), rel=1e-12)
        assert hundredth == pytest.approx(counts[:top1].sum() / counts.sum(), rel=1e-12)
    assert np.isnan(report_shares(np.zeros(10, dtype=np.int64))).all()  # no reporter yet


def test_gini_and_top_shares_from_the_contributors_alone_equal_those_of_all_values():
    # the Gini and top shares sort and sum only the contributors; the zeros must not matter
    rng = np.random.default_rng(5)
    for zeros in (0.0, 0.5, 0.95, 1.0):
        values = rng.exponential(2.0, 10_000)
        values[rng.random(10_000) < zeros] = 0.0
        ordered = _sorted_positive(values)
        assert np.array_equal(ordered, np.sort(values)[len(values) - len(ordered) :])
        assert len(ordered) == np.count_nonzero(values)
        g, top10, top1 = _gini_top(values)
        assert g == pytest.approx(gini(values), abs=1e-12, nan_ok=True)
        if len(ordered):
            positive = values[values > 0]
            assert top10 == pytest.approx(top_share(positive, 0.1), rel=1e-12)
            assert top1 == pytest.approx(top_share(positive, 0.01), rel=1e-12)
    assert np.isnan(gini(np.zeros(10))) and np.isnan(_gini_top(np.zeros(10))).all()


# ------------------------------------------------------------ the default parameter set
#: Checked patterns the default parameters do not reproduce (docs/validation.md says why).
NOT_REPRODUCED = {"One-off reporters"}


def test_default_parameters_reproduce_every_checked_pattern_but_the_one_off_reporters(
    fast_validation,
):
    table = fast_validation.table()
    checked = table[table["passed"].notna()]
    assert len(checked) == 14
    failed = checked[~checked["passed"].astype(bool)]
    assert set(failed["pattern"]) == NOT_REPRODUCED, failed[
        ["pattern", "observed", "ci_low", "ci_high"]
    ].to_string()
    assert not fast_validation.passed


def test_fast_validation_values_beside_the_published_figures(fast_validation):
    rows = fast_validation.table().set_index("pattern")
    top10 = rows.loc["Participation inequality: top 10% of contributors"]
    # a majority; above FixMyStreet's 62% (0.76 at these seeds: a finding, docs/validation.md)
    assert 0.5 < top10.observed
    top1 = rows.loc["Participation inequality: top 1% of contributors"].observed
    assert TOP1_RANGE[0] <= top1 <= TOP1_RANGE[1] and top1 < top10.observed
    p = rows.loc["Adoption S-curve: Bass p"].observed
    q = rows.loc["Adoption S-curve: Bass q"].observed
    assert BASS_P_RANGE[0] <= p <= BASS_P_RANGE[1] and BASS_Q_RANGE[0] <= q <= BASS_Q_RANGE[1]
    for row in rows.itertuples():
        assert row.ci_low <= row.observed <= row.ci_high, row.Index


def test_validation_needs_two_replicates():
    from coprod.analysis import AnalysisError

    with pytest.raises(AnalysisError, match="replicates = 1"):
        run_validation(replicates=1)


# ------------------------------------------------------------------------ the command
def test_validate_command_writes_table_figures_and_report(tmp_path, capsys):
    out = tmp_path / "validation"
    main(  # returns normally: no pattern check decides the exit status without --strict
        [
            "validate",
            "--replicates",
            "3",
            "--steps",
            "48",
            "--seed",
            "2",
            "--scheduler",
            "serial",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert "patterns reproduced" in printed and "Digital divide" in printed
    names = {p.name for p in out.iterdir()}
    assert {
        "patterns.csv",
        "runs.parquet",
        "bass.csv",
        "manifest.json",
        "validation.md",
        "validation.html",
        "adoption_curve.png",
        "digital_divide.png",
        "participation_inequality.png",
        "coproduction_function.png",
        "capacity.png",
        "incentives.png",
        "safeguards.png",
    } <= names
    assert not [n for n in names if n.endswith(".tmp")]
    info = json.loads((out / "manifest.json").read_text())
    assert info["kind"] == "validate" and info["replicates"] == 3 and info["steps"] == 48
    table = pd.read_csv(out / "patterns.csv")
    markdown = (out / "validation.md").read_text()
    for pattern in table["pattern"]:
        assert pattern in markdown
    assert "FixMyStreet" in markdown and "Parks" in markdown
    html = (out / "validation.html").read_text()
    assert html.count("data:image/png;base64,") == 7
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(runs["ensemble"]) >= {
        "default",
        "no_offline_channel",
        "complements_cut",
        "budget_cut",
    }
    assert runs.groupby("ensemble")["replicate"].nunique().eq(3).all()


def test_strict_validation_fails_when_a_pattern_is_broken(tmp_path, capsys):
    # without imitation there is no S-curve: q is about 0
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "validate",
                "--replicates",
                "3",
                "--steps",
                "60",
                "--scheduler",
                "serial",
                "--set",
                "behaviour.adoption_imitation=0",
                "--strict",
                "--out",
                str(tmp_path),
            ]
        )
    assert exit_info.value.code == 1
    assert "FAIL     Adoption S-curve: shape" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--set", "behaviour.nonsense=1"], "behaviour.nonsense"),
        (["--scenario", "no_such_scenario"], "no_such_scenario"),
        (["--replicates", "1"], "replicates"),
        (["--scheduler", "nowhere"], "scheduler"),
    ],
)
def test_validate_command_bad_input_is_one_line_and_status_2(tmp_path, capsys, args, needle):
    status, err = cli_error(capsys, "validate", "--out", tmp_path / "v", *args)
    assert status == 2 and len(err) == 1 and needle in err[0]
    assert not (tmp_path / "v").exists()


def test_validation_is_the_same_serial_or_on_a_dask_cluster():
    small = Scenario().with_overrides({"population.citizens": 300, "population.businesses": 5})
    serial = run_validation(small, replicates=3, steps=30, seed=4, client="serial")
    dask = run_validation(small, replicates=3, steps=30, seed=4, client="local")
    pd.testing.assert_frame_equal(serial.runs, dask.runs)
    pd.testing.assert_frame_equal(serial.table(), dask.table())
    labels = serial.runs.groupby("ensemble")["replicate"].nunique()
    assert set(labels.index) == {
        "default", "offline_channel", "no_offline_channel", "complements", "complements_cut",
        "substitutes", "substitutes_cut", "budget_cut", "monetary", "recognition", "automated",
        "safeguarded",
    } and labels.eq(3).all()  # fmt: skip
