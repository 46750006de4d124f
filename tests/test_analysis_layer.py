"""The analysis layer's structure: one error tree, one model per run, no private cross-imports."""

import ast
from pathlib import Path

import pytest

import coprod
from coprod import CoprodError, Scenario, ScenarioError
from coprod.analysis import (
    AnalysisError,
    InputError,
    OutputError,
    PreconditionError,
    ReportError,
    SweepError,
    WorkerLost,
    run_ensemble_detail,
)
from coprod.analysis.municipalities.runs import check_municipalities
from coprod.dashboard.assets import AssetError
from coprod.model.core import CoProductionModel

ROOT = Path(__file__).resolve().parents[1]
#: Several municipalities, small enough to run in a moment.
SMALL = {
    "population.citizens": 480,
    "population.businesses": 12,
    "population.community_organisations": 6,
}
#: Folders of the coprod packages and the benchmarks (see pyproject.toml's package-dir).
PACKAGES = {
    "coprod": ROOT / "src" / "coprod",
    "coprod.model": ROOT / "model",
    "coprod.agents": ROOT / "agents",
    "coprod.analysis": ROOT / "analysis",
    "coprod.dashboard": ROOT / "dashboard",
    "benchmarks": ROOT / "benchmarks",
}


def sources():
    for folder in PACKAGES.values():
        yield from sorted(folder.rglob("*.py"))


@pytest.mark.parametrize(
    "error", [ScenarioError, SweepError, ReportError, AnalysisError, PreconditionError]
)
def test_input_errors_are_coprod_errors_and_value_errors(error):
    assert issubclass(error, InputError)
    assert issubclass(error, CoprodError) and issubclass(error, ValueError)


@pytest.mark.parametrize(
    "error, kind", [(OutputError, OSError), (WorkerLost, RuntimeError), (AssetError, RuntimeError)]
)
def test_other_errors_are_coprod_errors_but_not_input_errors(error, kind):
    assert issubclass(error, CoprodError) and issubclass(error, kind)
    assert not issubclass(error, InputError)


def test_the_base_error_is_exported():
    from coprod import analysis

    assert coprod.CoprodError is analysis.CoprodError is CoprodError
    assert analysis.ScenarioError is ScenarioError


def test_a_single_municipality_is_a_precondition_not_a_scenario_error():
    single = Scenario.load("coproduction")
    with pytest.raises(PreconditionError, match="--by-municipality") as info:
        check_municipalities([single])
    assert not isinstance(info.value, ScenarioError)


def test_per_municipality_analysis_builds_each_model_once(monkeypatch):
    built = []
    original = CoProductionModel.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(CoProductionModel, "__init__", counting)
    scenario = Scenario.load("central_pilot").with_overrides(SMALL)
    detail = run_ensemble_detail(scenario, replicates=2, steps=2, client="serial")
    assert len(built) == 2
    assert detail.municipality_vars["status_rank"].min() == 1


def test_status_from_the_run_result_is_that_of_a_fresh_model():
    scenario = Scenario.load("central_pilot").with_overrides(SMALL)
    result = coprod.run_scenario(scenario, steps=3, seed=5)
    fresh = CoProductionModel(scenario, seed=result.seed)
    expected = fresh.municipality_mean(fresh.citizens.ses)
    assert result.municipality_status.to_numpy().tolist() == expected.tolist()


#: Mesa's private per-model id counter (``Agent.`` + this name), spelled so that this file
#: itself does not contain it.
PRIVATE_REGISTRY = "_" + "ids"


def test_no_package_touches_mesas_private_agent_registry():
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sources()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PRIVATE_REGISTRY in line
    ]
    assert found == []


def module_name(path: Path) -> str:
    for package, folder in PACKAGES.items():
        if path.is_relative_to(folder):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    raise AssertionError(path)


#: gettext's conventional names for marking a text for translation: public by convention.
GETTEXT_NAMES = {"_", "_n"}


def test_no_module_imports_a_private_name_from_another_module():
    found = []
    for path in sources():
        own = module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level or node.module is None:
                continue
            if node.module == own or not node.module.startswith(("coprod", "benchmarks")):
                continue
            found += [
                f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_")
                and not alias.name.startswith("__")
                and alias.name not in GETTEXT_NAMES
            ]
    assert found == []


#: Longest function body, in lines, the model and analysis packages allow (tables of data are
#: module-level constants, not functions, so they are not counted).
LONGEST_FUNCTION = 60


@pytest.mark.parametrize("package", ["coprod.model", "coprod.analysis"])
def test_no_function_in_model_or_analysis_is_over_sixty_lines(package):
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1})"
        for path in sorted(PACKAGES[package].rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION
    ]
    assert long == []
