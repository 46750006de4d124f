"""Every Python block of README.md and docs/ runs as written: as a script and in Jupyter.

Each block is saved as a script and run in a fresh interpreter (no ``if __name__ ==
"__main__":`` guard added), and all blocks of a file run again, one cell each, in a Jupyter
kernel with nbclient. The blocks ask for full-size work (5,000 citizens, 20 replicates, 120
months); the tests run them in small size through ``sitecustomize.py`` in a folder put on
``PYTHONPATH``, which caps populations, months and sample sizes (a test aid; nothing in coprod
reads it). The README's quickstart also runs at full size once, as a script, so that its
ensemble starts a real local Dask cluster (marked slow).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)

#: Installed on PYTHONPATH for the runs: shrinks scenarios and runs, in every process
#: (Dask workers too), without touching the blocks' text.
SHRINK = textwrap.dedent(
    """
    import os

    if os.environ.get("COPROD_DOCS_TINY"):
        from coprod.model import run as _run
        from coprod.model import scenario as _scenario

        _TINY = {"population.citizens": 120, "population.businesses": 4}
        _load, _over, _go = (
            _scenario.Scenario.load.__func__, _scenario.Scenario.with_overrides, _run.run_scenario
        )

        def _small(s):
            if s.population.citizens > 120:
                places = s.population.municipalities * s.population.neighbourhoods
                s = _over(s, {**_TINY, "population.citizens": max(120, 6 * places)})
            return _over(s, {"steps": min(s.steps, 60)}) if s.steps > 60 else s

        _scenario.Scenario.load = classmethod(lambda cls, name: _small(_load(cls, name)))
        _scenario.Scenario.with_overrides = lambda self, o: _small(_over(self, o))
        _run.run_scenario = lambda s, steps=None, seed=None: _go(
            s, steps=None if steps is None else min(steps, 60), seed=seed
        )

        try:  # calibrations: a handful of particles for two generations
            from coprod.analysis.calibration import fit as _cal
            from coprod.analysis.calibration import spec as _spec
        except ImportError:
            pass
        else:
            _load_cal = _spec.load_calibration

            def _small_cal(path):
                import dataclasses

                plan = _load_cal(path)
                abc = plan.spec.abc.model_copy(update={
                    "population": min(plan.spec.abc.population, 12),
                    "generations": min(plan.spec.abc.generations, 2),
                })
                spec = plan.spec.model_copy(update={"abc": abc})
                return dataclasses.replace(plan, spec=spec)

            _spec.load_calibration = _cal.load_calibration = _small_cal
    """
)


def blocks() -> list[tuple[str, int, str]]:
    """``(file, block number, code)`` of every Python block."""
    found = []
    for path in DOCS:
        for i, match in enumerate(FENCE.finditer(path.read_text(encoding="utf-8")), 1):
            found.append((path.relative_to(ROOT).as_posix(), i, match.group(1)))
    return found


BLOCKS = blocks()


@pytest.fixture
def workdir(tmp_path):
    """A folder with the repository's sweep files (blocks name them by relative path)."""
    (tmp_path / "sweeps").symlink_to(ROOT / "sweeps")
    (tmp_path / "calibrations").symlink_to(ROOT / "calibrations")
    site = tmp_path / "_site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SHRINK)
    return tmp_path


def tiny_env(workdir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DASK_SCHEDULER_ADDRESS", "MPLBACKEND")
    }
    env["COPROD_DOCS_TINY"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(workdir / "_site"), env.get("PYTHONPATH", "")])
    return env


def test_blocks_are_found():
    files = {f for f, _, _ in BLOCKS}
    assert "README.md" in files and "docs/analysis.md" in files


@pytest.mark.parametrize(
    ("file", "number", "code"), BLOCKS, ids=[f"{f}#{n}" for f, n, _ in BLOCKS]
)
def test_block_runs_as_a_script(file, number, code, workdir):
    if "ema_workbench" in code:
        pytest.importorskip("ema_workbench")
    script = workdir / "block.py"
    script.write_text(code, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=workdir,
        env=tiny_env(workdir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, f"{file} block {number}:\n{out.stderr[-3000:]}"


@pytest.mark.parametrize("file", sorted({f for f, _, _ in BLOCKS}))
def test_blocks_run_in_jupyter(file, workdir, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    codes = [code for f, _, code in BLOCKS if f == file]
    if any("ema_workbench" in c for c in codes):
        pytest.importorskip("ema_workbench")
    for key, value in tiny_env(workdir).items():
        monkeypatch.setenv(key, value)  # the kernel inherits this environment
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code) for code in codes]
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()  # raises CellExecutionError on the first block that fails
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert not errors


@pytest.mark.slow
def test_readme_quickstart_runs_at_full_size_as_a_script(tmp_path):
    """As written: its ensemble is big enough for a local Dask cluster, and there is no guard."""
    code = [c for f, _, c in BLOCKS if f == "README.md"][0]  # the quickstart
    assert "run_ensemble(" in code and "__main__" not in code
    (tmp_path / "quickstart.py").write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    out = subprocess.run(
        [sys.executable, "quickstart.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-3000:]
