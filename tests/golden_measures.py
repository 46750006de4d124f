"""The golden file: every named scenario's measures at seed 0, pinned so a change shows.

A refactoring must leave the model's numbers as they are; a deliberate change of the model
changes them, and then updates this file in the same commit, with a line in CHANGELOG.md that
says why. Regenerate with::

    python tests/golden_measures.py --update

The file keeps the measures of a few months (the first, the end of the first year, mid-run and
the end) of each scenario's own horizon, at the precision of a 64-bit float (17 digits), so a
different random draw or a changed rule shows in every month after it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

#: Where the pinned measures are kept, beside the tests that compare them.
GOLDEN = Path(__file__).parent / "data" / "golden_measures.csv"
#: The months kept of each run (its horizon is the scenario's own ``steps``).
MONTHS = (1, 12, 60, 120)
#: The seed of every pinned run.
SEED = 0


def scenario_measures(name: str) -> pd.DataFrame:
    """The measures of scenario ``name`` at seed 0 in :data:`MONTHS`, one row per month."""
    from coprod import run_scenario

    result = run_scenario(name, seed=SEED)
    rows = result.model_vars.loc[[m for m in MONTHS if m in result.model_vars.index]]
    rows = rows.select_dtypes("number").rename_axis("step").reset_index()
    rows.insert(0, "scenario", name)
    return rows


def golden_table(names: list[str] | None = None) -> pd.DataFrame:
    """The pinned table: each scenario's rows of :func:`scenario_measures`, long by measure."""
    from coprod.model.scenario import scenario_names

    frames = [scenario_measures(name) for name in names or scenario_names()]
    wide = pd.concat(frames, ignore_index=True)
    long = wide.melt(id_vars=["scenario", "step"], var_name="measure", value_name="value")
    return long.sort_values(["scenario", "measure", "step"], ignore_index=True)


def write(table: pd.DataFrame, path: Path = GOLDEN) -> None:
    """Write ``table`` atomically (a half-written golden file would fail every comparison)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    table.to_csv(partial, index=False, float_format="%.17g")
    partial.replace(path)


def read(path: Path = GOLDEN) -> pd.DataFrame:
    """The committed golden table."""
    return pd.read_csv(path, dtype={"scenario": str, "measure": str, "step": int})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help=f"rewrite {GOLDEN.name}")
    args = parser.parse_args(argv)
    if not args.update:
        parser.print_help()
        return 2
    table = golden_table()
    write(table)
    print(f"wrote {len(table)} values of {table['scenario'].nunique()} scenarios to {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
