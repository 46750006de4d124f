"""Every named scenario gives, at seed 0, the measures pinned in tests/data/golden_measures.csv.

A refactoring of the model must not move a number; a deliberate change of a rule moves them and
updates the file in the same commit (``python tests/golden_measures.py --update``) with a line in
CHANGELOG.md. The tolerance (relative 1e-9) lets through only the last-digit differences that
another build of NumPy's or numba's mathematics may give; one different random draw, a changed
constant or a reordered phase moves the measures by far more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from golden_measures import GOLDEN, golden_table, read, scenario_measures, write

from coprod.model.scenario import scenario_names

#: Relative tolerance of a pinned measure (see the module docstring).
RTOL = 1e-9


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return read()


def test_the_golden_file_holds_every_named_scenario(golden):
    assert sorted(golden["scenario"].unique()) == scenario_names()


@pytest.mark.parametrize("name", scenario_names())
def test_a_named_scenario_gives_its_pinned_measures(name, golden):
    pinned = golden[golden["scenario"] == name].set_index(["measure", "step"])["value"]
    now = (
        scenario_measures(name)
        .melt(id_vars=["scenario", "step"], var_name="measure", value_name="value")
        .set_index(["measure", "step"])["value"]
    )
    assert sorted(now.index) == sorted(pinned.index), "measures or months differ from the file"
    now = now.loc[pinned.index]
    close = np.isclose(now.to_numpy(), pinned.to_numpy(), rtol=RTOL, atol=0.0, equal_nan=True)
    moved = now[~close]
    assert moved.empty, (
        f"{name}: {len(moved)} pinned values moved, first {moved.index[0]}: "
        f"{pinned[moved.index[0]]!r} -> {moved.iloc[0]!r}"
    )


def test_the_file_keeps_every_digit(tmp_path):
    table = golden_table(["socialgov"])
    write(table, tmp_path / "golden.csv")
    again = read(tmp_path / "golden.csv")
    np.testing.assert_array_equal(again["value"].to_numpy(), table["value"].to_numpy())


def test_a_changed_rule_moves_the_pinned_measures_beyond_the_tolerance(monkeypatch, golden):
    from coprod.model import participation

    monkeypatch.setattr(participation, "FIRST_USE_COST", participation.FIRST_USE_COST * 1.001)
    pinned = golden[golden["scenario"] == "socialgov"].set_index(["measure", "step"])["value"]
    now = (
        scenario_measures("socialgov")
        .melt(id_vars=["scenario", "step"], var_name="measure", value_name="value")
        .set_index(["measure", "step"])["value"]
        .loc[pinned.index]
    )
    close = np.isclose(now.to_numpy(), pinned.to_numpy(), rtol=RTOL, atol=0.0, equal_nan=True)
    assert (~close).sum() > len(close) // 4


def test_the_golden_file_is_where_the_docs_say():
    assert GOLDEN.name == "golden_measures.csv" and GOLDEN.exists()
