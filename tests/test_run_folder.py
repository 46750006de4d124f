"""Run folders: TOML that reads back, and CSV cells that never start as formulas."""

import csv

import pandas as pd
import pytest

from coprod import Scenario
from coprod.analysis.output import formula_safe, write_frame
from coprod.model.scenario import dumps_toml


@pytest.mark.parametrize(
    "text", ["tab\there", "bell\x07", "nul\x00", 'quote " and \\ back', "é\r\n"]
)
def test_scenario_toml_round_trips_any_description(text, tmp_path):
    s = Scenario.load("traditional").with_overrides({"description": text, "seed": 3})
    path = tmp_path / "s.toml"
    path.write_text(s.to_toml(), encoding="utf-8")
    again = Scenario.load(path)
    assert again == s
    assert again.description == text and again.seed == 3


def test_a_scenario_without_a_seed_writes_none():
    assert "seed" not in Scenario.load("traditional").to_toml()
    assert "seed" not in Scenario.load("traditional").to_dict()


@pytest.mark.parametrize("bad", ["=1+2", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_never_start_as_formulas(bad, tmp_path):
    frame = pd.DataFrame({"scenario": [bad, "ok"], bad: ["x", "y"], "gap": [-0.5, 0.25]})
    write_frame(tmp_path / "t.csv", frame)
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    cells = [c for row in rows for c in row[:2]]  # the text cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert rows[1][0] == "'" + bad and rows[0][1] == "'" + bad  # kept, as text
    assert [r[2] for r in rows[1:]] == ["-0.5", "0.25"]  # numbers stay numbers
    # parquet keeps the values as they are
    write_frame(tmp_path / "t.parquet", frame)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), frame)


def test_formula_safe_leaves_plain_tables_alone():
    frame = pd.DataFrame({"scenario": ["a", "b"], "x": [1.0, -2.0]})
    pd.testing.assert_frame_equal(formula_safe(frame), frame)


def test_dumps_toml_is_tomli_w():
    assert dumps_toml({"a": "x\x01"}) == 'a = "x\\u0001"\n'


def test_compare_tables_neutralise_a_scenario_named_like_a_formula(tmp_path):
    from coprod.analysis.compare.comparison import run_comparison
    from coprod.analysis.compare.output import write_comparison

    s = Scenario.load("traditional").with_overrides(
        {"name": "=1+2", "population.citizens": 150, "steps": 3}
    )
    t = s.with_overrides({"name": "plain"})
    runs = run_comparison([s, t], replicates=2, steps=3, seed=1, client="serial")
    write_comparison(runs, [s, t], tmp_path / "cmp", seed=1)
    for name in ("horizon.csv", "over_time.csv"):
        text = (tmp_path / "cmp" / name).read_text()
        assert "=1+2" in text  # still there, as text
        assert not any(c.startswith("=") for line in text.splitlines() for c in line.split(","))
