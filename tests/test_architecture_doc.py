"""docs/architecture.md points at the code as it is: the schedule, the files and the rules.

A maintainer follows its table to the function that holds a rule; a rule renamed or moved
without updating the page fails here, as does a phase added to the month and not listed.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

from coprod.model.core import CoProductionModel

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def called_phases() -> list[str]:
    """The functions a month calls, in order: ``step`` up to ``finish_month``, then its body."""
    names = []
    for method in (CoProductionModel.step, CoProductionModel.finish_month):
        tree = ast.parse(inspect.getsource(method).strip())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names.append(node.func.id)
    return [n for n in names if n not in {"StepRecord"}]


def rule_rows() -> list[tuple[str, list[str]]]:
    rows = []
    for line in section("To change a rule").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[1].startswith("`model/"):
            continue
        path = re.match(r"`(model/\w+\.py)`", cells[1]).group(1)
        rows.append((path, re.findall(r"`(\w+)`", cells[2])))
    return rows


def test_the_schedule_lists_every_phase_in_the_order_a_month_runs_them():
    listed = re.findall(r"^\d+\. `(\w+)`", section("One month"), flags=re.MULTILINE)
    assert listed == called_phases()


def test_the_table_covers_the_mechanisms_of_the_issue():
    files = {path for path, _ in rule_rows()}
    for mechanism in ("participation", "feedback", "decisions", "allocation", "production"):
        assert f"model/{mechanism}.py" in files
    assert "model/partners.py" in files


@pytest.mark.parametrize(("path", "names"), rule_rows(), ids=lambda v: str(v))
def test_each_rule_named_is_in_the_file_named(path, names):
    root = Path(__file__).resolve().parents[1]
    assert (root / path).is_file()
    module = importlib.import_module("coprod." + path.removesuffix(".py").replace("/", "."))
    missing = [name for name in names if not hasattr(module, name)]
    assert names and missing == []
