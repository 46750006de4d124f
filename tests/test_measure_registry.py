"""The measure registry is the one definition: every consumer must agree with it.

Each test fails if a consumer grew its own copy of a measure list, a family or a wording rule
and drifted from the registry (model/measure_registry.py).
"""

import inspect
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coprod import CoProductionModel, Scenario
from coprod.analysis import cli, plots
from coprod.analysis.compare import comparison as compare
from coprod.analysis.compare.comparison import horizon_table
from coprod.analysis.compare.output import horizon_markdown
from coprod.analysis.sweep import ema
from coprod.analysis.sweep import spec as sweep_spec
from coprod.analysis.wording import MARKER_LEGEND, change_word, finding
from coprod.dashboard import labels, state
from coprod.model import measure_registry as reg
from coprod.model import measures
from coprod.model.scenario import scenario_names

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
SHORT_RUN = {"population.citizens": 300, "population.businesses": 6}


@pytest.fixture(scope="module")
def short_runs() -> dict[str, CoProductionModel]:
    """Every named scenario, run for 64 months with few residents (past its first events)."""
    runs = {}
    for name in scenario_names():
        base = Scenario.load(name)
        overrides = dict(SHORT_RUN)
        if base.population.municipalities > 1:
            overrides["population.citizens"] = 150 * base.population.municipalities
        model = CoProductionModel(base.with_overrides(overrides), seed=1)
        for _ in range(64):
            model.step()
        runs[name] = model
    return runs


# ---------------------------------------------------------------------- the registry itself
def test_names_are_unique_and_measures_keeps_its_order():
    names = [m.name for m in reg.REGISTRY]
    assert len(set(names)) == len(names)
    assert measures.MEASURES == tuple(names) == reg.MEASURES
    assert measures.MUNICIPALITY_MEASURES == reg.MUNICIPALITY_MEASURES
    assert set(reg.MUNICIPALITY_MEASURES) <= set(reg.BY_NAME)


def test_every_entry_is_complete():
    for m in (*reg.REGISTRY, *reg.MUNICIPALITY_ONLY):
        low, high = m.range
        assert low < high, m.name
        assert m.family in (None, *reg.FAMILIES), m.name
        assert m.higher_is_better in (True, False, None), m.name
        assert m.label and m.unit and m.description.endswith("."), m.name


def test_every_registry_name_is_a_model_column_and_vice_versa(short_runs):
    for name, model in short_runs.items():
        assert list(model.model_vars.columns) == list(reg.MEASURES), name
        local = model.municipality_vars
        if len(local):
            assert list(local.columns[2:]) == list(reg.MUNICIPALITY_MEASURES), name


#: Measures not defined at step 0, before the first month: what happens in a month, its
#: outcomes, ratios with nothing counted yet (responsiveness, the contribution shares) and the
#: family composites of them.
UNDEFINED_AT_START = {
    *measures.NOT_BEFORE_FIRST_MONTH, *reg.COMPOSITES, "responsiveness",
    "responsiveness_month", "contribution_gini", "top10_share", "top1_share",
    "one_off_reporters", "report_top10_share", "report_top1_share",
}  # fmt: skip


#: Measures not defined until there is a first contribution or a first input resolved, which
#: in a small world may come after month 1.
UNTIL_FIRST = (
    "contribution_gini", "top10_share", "top1_share", "responsiveness", "responsive_value",
    "one_off_reporters", "report_top10_share", "report_top1_share",
)  # fmt: skip


def test_ranges_hold_on_a_short_run_of_every_named_scenario(short_runs):
    for name, model in short_runs.items():
        frames = [(model.model_vars.loc[1:], reg.MEASURES)]
        if len(model.municipality_vars):
            frames.append((model.municipality_vars, reg.MUNICIPALITY_MEASURES))
        for frame, columns in frames:
            for column in columns:
                low, high = reg.measure(column).range
                values = frame[column].to_numpy(dtype=float)
                if column == "responsiveness_month":  # NaN in a month with nothing resolved
                    values = values[~np.isnan(values)]
                elif column in UNTIL_FIRST:
                    # NaN until the first contribution (input resolved), defined from then on
                    first = int(np.argmax(~np.isnan(values)))
                    values = values[first:]
                assert np.isfinite(values).all(), (name, column)
                assert (values >= low).all() and (values <= high).all(), (name, column)


def test_step_0_leaves_undefined_what_has_not_happened_yet(short_runs):
    # before the first month nothing was produced, decided, spent or contributed: those
    # measures are NaN (not 0, nor a placeholder such as needs met 0.5 everywhere); the
    # states that exist before the first month are measured
    for name, model in short_runs.items():
        initial = model.model_vars.loc[0]
        undefined = set(UNDEFINED_AT_START)
        if len(model.administrations) > 1:
            undefined.add("outcome_spread")  # no public value measured per municipality yet
        assert set(initial.index[initial.isna()]) == undefined, name
        assert initial[["trust", "efficacy", "intrinsic_motivation"]].between(0, 1).all()
        assert initial["backlog"] == 0 and initial["innovations_adopted"] == 0


def test_ranges_match_the_model_document():
    """Every ``[low, high]`` range in the Measures table of docs/ODD.md is the registry's."""
    text = ODD.read_text(encoding="utf-8")
    table = text[text.index("| measure | formula | range |") :].split("\n\n")[0]
    checked = 0
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        found = re.fullmatch(r"\[(-?[\d.]+), (-?[\d.]+)\]", cells[2])
        if found:
            name = cells[0].strip("`")
            assert reg.measure(name).range == tuple(map(float, found.groups())), name
            checked += 1
    assert checked > 30


# ---------------------------------------------------------------------- families
def test_families_are_those_of_nieuwenhuizen_and_meijer():
    members = {name: set(f.members) for name, f in reg.FAMILIES.items()}
    assert members == {
        "performing": {"effectiveness", "efficiency"},
        "responsive": {"responsiveness", "participation_rate", "satisfaction"},
        "proper": {"lawfulness", "equality", "integrity"},
    }
    for family in reg.FAMILIES.values():
        assert reg.measure(family.composite).family == family.name
    assert reg.COMPOSITES == ("performing_value", "responsive_value", "proper_value")


def test_composites_are_the_mean_of_exactly_the_registry_members(short_runs):
    for model in short_runs.values():
        frame = model.model_vars
        for family in reg.FAMILIES.values():
            expected = frame[list(family.members)].mean(axis=1, skipna=False)  # NaN: undefined
            np.testing.assert_allclose(frame[family.composite], expected, rtol=0, atol=1e-15)


def test_composite_formula_keeps_every_bit():
    """Registry order sums the members as the written formula does, to the last bit."""
    rng = np.random.default_rng(3)
    for _ in range(2000):
        v = dict(zip(reg.MEASURES, rng.random(len(reg.MEASURES)), strict=True))
        assert (
            reg.family_composite(v, "responsive")
            == (v["responsiveness"] + v["participation_rate"] + v["satisfaction"]) / 3
        )
        assert (
            reg.family_composite(v, "proper")
            == (v["lawfulness"] + v["equality"] + v["integrity"]) / 3
        )


def test_figures_and_the_dashboard_use_the_registry_families():
    for family in reg.FAMILIES.values():
        assert plots.VALUE_FAMILIES[family.name] == family.members
        assert plots.FAMILY_COLUMNS[family.name] == family.composite
        assert plots.PANELS[family.title] == family.members
        chart = next(c for c in labels.CHARTS if c.key == family.name)
        assert [s.measure for s in chart.series] == [family.composite, *family.members]
        assert chart.series[0].bold and not any(s.bold for s in chart.series[1:])
        assert state.AVERAGES[family.composite] == family.members


# ---------------------------------------------------------------------- named sets
def test_named_sets_are_read_from_the_registry():
    assert cli.SUMMARY is reg.RUN_SUMMARY
    assert compare.TABLE_MEASURES is reg.COMPARISON
    assert plots.TIMESERIES is reg.TIMESERIES
    assert sweep_spec.DEFAULT_MEASURES is reg.SWEEP_DEFAULTS
    assert ema.DEFAULT_OUTCOMES is reg.EMA_DEFAULTS
    assert measures.PUBLIC_VALUE_COMPONENTS is reg.PUBLIC_VALUE_COMPONENTS
    for named in (reg.RUN_SUMMARY, reg.COMPARISON, reg.TIMESERIES, reg.SWEEP_DEFAULTS):
        assert set(named) <= set(reg.MEASURES)


def test_names_refuses_a_measure_the_registry_lacks():
    assert reg.names("trust  adoption", "equality") == ("trust", "adoption", "equality")
    with pytest.raises(KeyError, match="lawfullness"):
        reg.names("trust lawfullness")


# ---------------------------------------------------------------------- dashboard words
def test_dashboard_labels_come_from_the_registry():
    assert labels.MEASURE_LABELS == {m.name: (m.label, m.description) for m in reg.REGISTRY}
    assert labels.SCORES == {m.name for m in reg.REGISTRY if m.unit == "score"}
    for chart in labels.CHARTS:
        for series in chart.series:
            m = reg.measure(series.measure)
            assert (series.label, series.help) == (m.label, m.description)
            assert series.colour == labels.COLOURS[series.measure]


def test_dashboard_outage_is_the_model_default():
    from coprod.model.events import DEFAULT_OUTAGE

    outage = next(e for e in labels.EVENTS if e.kind == "platform_outage")
    assert outage.duration == DEFAULT_OUTAGE and f"{DEFAULT_OUTAGE} months" in outage.help
    mark = state.EventMark(4, "platform_outage", 1.0, None, live=False)
    assert f"for {DEFAULT_OUTAGE} months" in mark.what


# ---------------------------------------------------------------------- better or worse
def test_a_change_is_worded_by_the_registry_direction():
    for m in reg.REGISTRY:
        up, down = change_word(m.name, 0.1), change_word(m.name, -0.1)
        if m.higher_is_better is None:
            assert (up, down) == ("higher", "lower"), m.name
        elif m.higher_is_better:
            assert (up, down) == ("better", "worse"), m.name
        else:
            assert (up, down) == ("worse", "better"), m.name
    assert finding("lawfulness", -0.1) == "worse (lower)"
    assert finding("backlog", -0.1) == "better (lower)"
    assert finding("adoption", 0.1) == "higher"
    assert change_word("trials", 2.0) == "higher"  # not a measure: neutral


def _horizon(diffs: dict[str, float]) -> pd.DataFrame:
    """A horizon comparison of two scenarios in which each measure moves by ``diffs``."""
    rows = []
    for name, diff in diffs.items():
        for scenario, d in (("ref", 0.0), ("other", diff)):
            half = 0.0 if scenario == "ref" else abs(diff) / 4
            rows.append(
                {
                    "scenario": scenario,
                    "measure": name,
                    "mean": 0.5 + d,
                    "ci_low": 0.45 + d,
                    "ci_high": 0.55 + d,
                    "diff": d,
                    "diff_low": d - half,
                    "diff_high": d + half,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_compare_text_and_markdown_say_better_or_worse(sign):
    horizon = _horizon({name: sign * 0.1 for name in reg.COMPARISON})
    text = horizon_table(horizon, reg.COMPARISON).splitlines()
    markdown = horizon_markdown(horizon).rstrip().splitlines()
    assert text[-1] == MARKER_LEGEND and markdown[-1] == MARKER_LEGEND
    other_rows = [line for line in text[1:-1] if line.startswith(" ")]  # after the reference
    table_rows = [line for line in markdown if "| other |" in line]
    assert len(other_rows) == len(table_rows) == len(reg.COMPARISON)
    for name, line, row in zip(reg.COMPARISON, other_rows, table_rows, strict=True):
        word = reg.measure(name).change(sign * 0.1)
        assert word in ("better", "worse", "higher", "lower")
        assert line.endswith(f"* {word}"), (name, line)
        assert row.startswith(f"| {name} |") and row.endswith(f"* {word} |"), (name, row)
    words = {line.split()[-1] for line in other_rows}  # participation_gap is neutral
    assert words == ({"better", "higher"} if sign > 0 else {"worse", "lower"})


def test_an_unclear_difference_is_not_marked():
    horizon = _horizon({"trust": 0.1})
    horizon.loc[horizon["scenario"] == "other", ["diff_low", "diff_high"]] = (-0.01, 0.2)
    text = horizon_table(horizon)
    assert "*" not in "\n".join(text.splitlines()[:-1])


def test_ema_outcomes_pursue_the_better_side():
    pytest.importorskip("ema_workbench")
    from ema_workbench import ScalarOutcome

    model = ema.ema_model(
        "coproduction",
        uncertainties={"governance.budget": (0.8, 1.2)},
        outcomes=["lawfulness", "backlog", "adoption", "spending_per_capita"],
        steps=2,
    )
    kinds = {o.name: o.kind for o in model.outcomes if isinstance(o, ScalarOutcome)}
    assert kinds == {
        "lawfulness": ScalarOutcome.MAXIMIZE,
        "backlog": ScalarOutcome.MINIMIZE,
        "adoption": ScalarOutcome.INFO,
        "spending_per_capita": ScalarOutcome.INFO,
    }
    if "expected_range" in inspect.signature(ScalarOutcome).parameters:  # EMA Workbench 2
        assert math.isclose(model.outcomes[0].expected_range[1], 1.0)
