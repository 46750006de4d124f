"""The research notebooks run from top to bottom, in small size, and are stored clean.

Each notebook in ``notebooks/`` is executed with nbclient on the ``python3`` kernel with
``FAST=1`` (small populations, few replicates and months, serial ensembles), in a temporary
working folder so that nothing is written into the repository. Any error in any cell fails the
test. The stored notebooks must carry no outputs, so that diffs show only what changed.

Each notebook is a jupytext pair: ``NAME.py`` (percent format, the source reviewed in diffs)
and ``NAME.ipynb``; the two must hold the same cells.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
EXPECTED = [
    "01_quickstart.ipynb",
    "02_ict_roles_and_public_values.ipynb",
    "03_digital_divide_and_inclusion.ipynb",
    "04_sensitivity.ipynb",
    "05_pilots_vs_experimentalism.ipynb",
]
#: Seconds after which a cell counts as hung (they take well under one in FAST mode; this is a
#: guard against a hang on a loaded machine, not a speed check: speed lives in benchmarks/).
CELL_TIMEOUT = 600


def _read(name: str):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def test_every_notebook_is_listed():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.py")) == [Path(n).stem for n in EXPECTED]
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert name in readme, f"{name} is not listed in notebooks/README.md"


@pytest.mark.parametrize("name", EXPECTED)
def test_stored_without_outputs(name):
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: cell {i} has stored outputs"
            assert cell.execution_count is None, f"{name}: cell {i} has an execution count"
        assert "attachments" not in cell or not cell.attachments, f"{name}: cell {i} attachments"


@pytest.mark.parametrize("name", EXPECTED)
def test_reads_the_fast_flag_and_uses_the_public_api(name):
    first_code = next(c for c in _read(name).cells if c.cell_type == "code")
    assert 'FAST = os.environ.get("FAST", "0") == "1"' in first_code.source
    source = "\n".join(c.source for c in _read(name).cells if c.cell_type == "code")
    imported = {
        line.split()[1]
        for line in source.splitlines()
        if line.startswith(("from coprod", "import coprod"))
    }
    assert imported <= {"coprod", "coprod.analysis", "coprod.agents"}, imported


@pytest.mark.parametrize("name", EXPECTED)
def test_runs_in_fast_mode(name, tmp_path, monkeypatch):
    monkeypatch.setenv("FAST", "1")  # the kernel inherits this environment
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = _read(name)
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(tmp_path)}},  # the kernel's working folder
    )
    client.execute()  # raises CellExecutionError on the first cell that fails

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert figures, f"{name} drew no figure"
    assert not list(tmp_path.iterdir()), "a notebook wrote files; they should write nothing"


@pytest.mark.parametrize("name", EXPECTED)
def test_the_py_and_the_ipynb_of_a_pair_hold_the_same_cells(name):
    jupytext = pytest.importorskip("jupytext")
    script = NOTEBOOKS / name.replace(".ipynb", ".py")
    stored, paired = _read(name), jupytext.read(script)
    assert stored.metadata["jupytext"]["formats"] == "ipynb,py:percent"

    def cells(nb):
        return [(c.cell_type, c.source.strip()) for c in nb.cells]

    assert cells(paired) == cells(stored), (
        f"{script.name} and {name} differ: run jupytext --sync notebooks/{script.name}"
    )
