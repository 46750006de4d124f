"""Feedback on long work: output folders checked first, progress shown, a light command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from coprod.analysis.runs import parallel
from coprod.analysis.runs.ensemble import run_ensemble
from helpers import cli_error, coprod

#: A comparison small enough to run in a test.
TINY = ["--replicates", "2", "--steps", "3", "--set", "population.citizens=60"]


@pytest.fixture
def no_runs(monkeypatch):
    """Make any simulation fail the test: the command must stop before it runs one."""

    def run_task(*args):
        pytest.fail("a simulation ran before the output folder was checked")

    monkeypatch.setattr(parallel, "run_task", run_task)


@pytest.mark.parametrize(
    "command",
    [
        ["compare", "socialgov", "coproduction", *TINY, "--scheduler", "serial"],
        ["validate", *TINY, "--scheduler", "serial"],
    ],
)
def test_an_output_path_that_is_a_file_fails_at_once(tmp_path, capsys, no_runs, command):
    existing = tmp_path / "EXISTING"
    existing.write_text("keep me")
    status, lines = cli_error(capsys, *command, "--out", existing)
    assert status == 2
    assert len(lines) == 1 and lines[0].startswith("coprod: error:")
    assert "EXISTING" in lines[0] and "not a folder" in lines[0]
    assert existing.read_text() == "keep me"


def test_an_output_path_under_a_file_fails_at_once(tmp_path, capsys, no_runs):
    (tmp_path / "EXISTING").write_text("")
    status, lines = cli_error(
        capsys, "compare", "socialgov", "coproduction", *TINY, "--out", tmp_path / "EXISTING/sub"
    )
    assert status == 2 and len(lines) == 1 and "is a file" in lines[0]


def test_compare_refuses_a_folder_holding_other_results(tmp_path, capsys, no_runs):
    folder = tmp_path / "a-run"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"kind": "run"}))
    status, lines = cli_error(capsys, "compare", "socialgov", "coproduction", "--out", folder)
    assert status == 2 and len(lines) == 1
    assert "'run'" in lines[0] and "'compare'" in lines[0]


def test_compare_shows_progress_on_stderr_and_can_be_quiet(tmp_path):
    args = ["compare", "socialgov", "coproduction", *TINY, "--scheduler", "serial"]
    shown = coprod(*args, "--out", "a", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "4/4" in shown.stderr and "run" in shown.stderr
    quiet = coprod(*args, "--out", "b", "--no-progress", cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""


class Bar:
    """A stand-in for a tqdm bar: records the total and the updates."""

    def __init__(self):
        self.total = 0
        self.done = 0

    def update(self, n: int) -> None:
        self.done += n

    def refresh(self) -> None:
        pass


def test_ensembles_report_each_finished_run_to_the_active_bar():
    bar = Bar()
    with parallel.reporting_progress(bar):
        run_ensemble("socialgov", replicates=3, steps=2, client="serial")
        run_ensemble("coproduction", replicates=2, steps=2, client="serial")
    assert (bar.total, bar.done) == (5, 5)
    run_ensemble("socialgov", replicates=2, steps=2, client="serial")  # no bar: nothing counted
    assert bar.done == 5


#: Modules that take most of a second or more to import; help and errors must not need them.
HEAVY = ("mesa", "pandas", "numpy", "scipy", "dask", "distributed", "pydantic", "matplotlib")


@pytest.mark.parametrize("args", [["--help"], ["compare", "--help"], ["run", "--bogus"]])
def test_help_and_usage_errors_load_no_heavy_module(args):
    code = (
        "import sys\n"
        "from coprod.analysis.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr


def test_the_public_names_still_load_on_use():
    import coprod

    assert coprod.Scenario.load("socialgov").name == "socialgov"
    assert callable(coprod.run_ensemble) and callable(coprod.CoProductionModel)
    assert set(coprod.__all__) <= set(dir(coprod))
    with pytest.raises(AttributeError):
        coprod.no_such_name  # noqa: B018


def test_the_dask_dashboard_without_bokeh_is_refused_before_any_run(
    tmp_path, capsys, no_runs, monkeypatch
):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "bokeh" else real(name, *a)
    )
    status, lines = cli_error(
        capsys, "compare", "socialgov", "coproduction", "--dask-dashboard", "--out", tmp_path / "o"
    )
    assert status == 2 and len(lines) == 1 and "bokeh" in lines[0]


def test_a_local_cluster_serves_the_dask_dashboard_when_asked(capsys):
    pytest.importorskip("bokeh")
    with parallel.serving_dashboard(), parallel.local_cluster(1) as cluster:
        assert cluster.dashboard_link.startswith("http://127.0.0.1:")
    assert f"Dask dashboard: {cluster.dashboard_link}" in capsys.readouterr().err
    with parallel.local_cluster(1):  # not asked: no dashboard, no link
        pass
    assert "Dask dashboard" not in capsys.readouterr().err
