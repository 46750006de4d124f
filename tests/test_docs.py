"""The model document (docs/ODD.md) agrees with the code.

The tables of docs/ODD.md are parsed and compared with the scenario schema, the measures and the
module-level constants, so that a default, range, measure or constant changed in code without
updating the document fails here. Table conventions (see docs/ODD.md, section Parameters):

- scenario keys: first cell the dotted key in backticks, second the default as a TOML literal in
  backticks (`required` for a key without default, `unset` for one whose default is no value),
  fourth the allowed range: an interval such as `[0, 1]` or `(0, 20]`, or the allowed values;
- constants: first cell the name in backticks, second the module, third the value as written in
  the code (a number or simple arithmetic such as `1.0 / 3.0`) in backticks;
- rule tables: a header row naming the fields in backticks, one row per paradigm, ICT role,
  feature or incentive;
- innovation catalogue: one row per innovation, the settings it makes as `key = value` spans.
"""

from __future__ import annotations

import ast
import importlib
import math
import operator
import re
import tomllib
import typing
from pathlib import Path
from typing import Any

import annotated_types
import pytest
from pydantic import BaseModel

from coprod.model import rules
from coprod.model.innovation import CATALOGUE
from coprod.model.measures import MEASURES, MUNICIPALITY_MEASURES, PLACE_MEASURES
from coprod.model.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"

#: Modules whose UPPER_CASE numeric module-level constants must be tabled with their values:
#: every module of the model, as docs/ODD.md says.
CONSTANT_MODULES = tuple(
    sorted(p.stem for p in (ROOT / "model").glob("*.py") if p.stem != "__init__")
)


# ---------------------------------------------------------------------- parsing helpers
@pytest.fixture(scope="module")
def odd() -> str:
    assert ODD.is_file(), "docs/ODD.md is missing"
    return ODD.read_text(encoding="utf-8")


def section(text: str, title: str) -> str:
    """The text under the heading whose title starts with ``title``, up to the next heading of
    the same or a higher level."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m and m.group(2).strip().startswith(title):
            level = len(m.group(1))
            body = []
            for nxt in lines[i + 1 :]:
                h = re.match(r"^(#{1,6})\s", nxt)
                if h and len(h.group(1)) <= level:
                    break
                body.append(nxt)
            return "\n".join(body)
    raise AssertionError(f"docs/ODD.md has no heading starting with {title!r}")


def table_rows(text: str) -> list[list[str]]:
    """Cells of every Markdown table row in ``text`` (separator rows left out)."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
            continue
        rows.append(cells)
    return rows


def ticked(cell: str) -> list[str]:
    """The backticked spans of a cell, in order."""
    return re.findall(r"`([^`]*)`", cell)


def first_ticked(cell: str) -> str | None:
    spans = ticked(cell)
    return spans[0] if spans else None


_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def arithmetic(text: str) -> float:
    """Evaluate a number or simple arithmetic (``1.0 / 3.0``, ``-1.0``, ``5_000_000``)."""

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            if isinstance(node.value, bool):
                raise ValueError(text)
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = ev(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        raise ValueError(f"not simple arithmetic: {text!r}")

    return ev(ast.parse(text.strip(), mode="eval"))


def toml_value(text: str) -> Any:
    """A TOML literal as Python data."""
    return tomllib.loads(f"v = {text}")["v"]


def same(doc: Any, code: Any) -> bool:
    """Documented and code values agree: numbers as floats, booleans, strings and lists exactly."""
    if isinstance(code, bool) or isinstance(doc, bool):
        return type(doc) is type(code) and doc == code
    if isinstance(code, int | float) and isinstance(doc, int | float):
        return math.isclose(float(doc), float(code), rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(code, list | tuple) and isinstance(doc, list | tuple):
        return len(doc) == len(code) and all(same(d, c) for d, c in zip(doc, code, strict=True))
    return type(doc) is type(code) and doc == code


# ---------------------------------------------------------------------- the schema
def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def schema_keys(model: type[BaseModel] = Scenario, prefix: str = "") -> dict[str, Any]:
    """Every leaf key of the scenario schema, dotted, with its pydantic field."""
    keys = {}
    for name, field in model.model_fields.items():
        sub = _model_of(field.annotation)
        dotted = f"{prefix}{name}"
        if sub is not None:
            keys.update(schema_keys(sub, dotted + "."))
        else:
            keys[dotted] = field
    return keys


def interval(field: Any) -> tuple[str, float, float, str] | None:
    """The numeric bounds of a field as (left bracket, low, high, right bracket)."""
    low = high = None
    left, right = "[", "]"
    for meta in field.metadata:
        if isinstance(meta, annotated_types.Ge):
            low, left = meta.ge, "["
        elif isinstance(meta, annotated_types.Gt):
            low, left = meta.gt, "("
        elif isinstance(meta, annotated_types.Le):
            high, right = meta.le, "]"
        elif isinstance(meta, annotated_types.Lt):
            high, right = meta.lt, ")"
    if low is None and high is None:
        return None
    return left, low, high, right


def literal_choices(annotation: Any) -> tuple[str, ...] | None:
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    return None


@pytest.fixture(scope="module")
def key_table(odd: str) -> dict[str, list[str]]:
    rows = table_rows(section(odd, "Scenario keys"))
    table = {}
    for cells in rows:
        key = first_ticked(cells[0])
        if key is None:
            continue  # the header row
        assert key not in table, f"scenario key {key!r} is tabled twice"
        assert len(cells) >= 5, f"row of {key!r} needs key, default, unit, range, source"
        table[key] = cells
    assert table, "the scenario-key table is empty or not found"
    return table


def test_every_scenario_key_is_tabled(key_table):
    missing = sorted(set(schema_keys()) - set(key_table))
    assert not missing, f"scenario keys missing from docs/ODD.md: {missing}"


def test_every_tabled_key_exists(key_table):
    stale = sorted(set(key_table) - set(schema_keys()))
    assert not stale, f"docs/ODD.md tables keys the scenario does not have: {stale}"


@pytest.mark.parametrize("key", sorted(schema_keys()))
def test_tabled_default_matches_code(key, key_table):
    if key not in key_table:
        pytest.fail(f"{key} is not tabled")
    field = schema_keys()[key]
    doc = first_ticked(key_table[key][1])
    assert doc is not None, f"{key}: the default must be written in backticks"
    if field.is_required():
        assert doc == "required", f"{key} has no default in code; table says {doc!r}"
        return
    code = field.get_default(call_default_factory=True)
    if code is None:
        assert doc == "unset", f"{key}: code default is no value; table says {doc!r}"
        return
    assert same(toml_value(doc), code), f"{key}: docs/ODD.md says {doc}, the code says {code!r}"


@pytest.mark.parametrize("key", sorted(schema_keys()))
def test_tabled_range_matches_code(key, key_table):
    if key not in key_table:
        pytest.fail(f"{key} is not tabled")
    field = schema_keys()[key]
    cell = key_table[key][3]
    choices = literal_choices(field.annotation)
    if choices is not None:
        doc = {toml_value(span) for span in ticked(cell)}
        assert doc == set(choices), f"{key}: allowed values {sorted(doc)} vs code {choices}"
        return
    bounds = interval(field)
    if bounds is None:
        return
    span = first_ticked(cell)
    m = re.fullmatch(r"\s*([\[(])\s*([^,]+),\s*([^\])]+)\s*([\])])\s*", span or "")
    assert m, f"{key}: the range must start with an interval like `[0, 1]`, got {cell!r}"
    left, low, high, right = bounds
    assert m.group(1) == left and m.group(4) == right, f"{key}: brackets {cell!r} vs {bounds}"
    assert math.isclose(arithmetic(m.group(2)), low), f"{key}: lower bound {cell!r} vs {low}"
    assert math.isclose(arithmetic(m.group(3)), high), f"{key}: upper bound {cell!r} vs {high}"


# ---------------------------------------------------------------------- measures
def test_every_measure_is_defined(odd):
    text = section(odd, "Measures")
    defined = {first_ticked(cells[0]) for cells in table_rows(text)} - {None}
    missing = [name for name in MEASURES if name not in defined]
    assert not missing, f"measures missing from the Measures section of docs/ODD.md: {missing}"
    stale = sorted(defined - set(MEASURES) - set(MUNICIPALITY_MEASURES) - set(PLACE_MEASURES))
    assert not stale, f"the Measures tables define columns the model does not report: {stale}"


def test_every_municipality_measure_is_defined(odd):
    text = section(odd, "Per-municipality measures")
    defined = {first_ticked(cells[0]) for cells in table_rows(text)} - {None}
    missing = [name for name in MUNICIPALITY_MEASURES if name not in defined]
    assert not missing, f"per-municipality measures missing from docs/ODD.md: {missing}"


def test_every_place_measure_is_defined(odd):
    text = section(odd, "Per-place measures")
    defined = {first_ticked(cells[0]) for cells in table_rows(text)} - {None}
    assert defined == set(PLACE_MEASURES), f"per-place measures in docs/ODD.md: {defined}"


# ---------------------------------------------------------------------- constants
def module_constants() -> list[tuple[str, str, float]]:
    """(module, name, value) of every UPPER_CASE numeric constant defined at module level."""
    found = []
    for short in CONSTANT_MODULES:
        module = importlib.import_module(f"coprod.model.{short}")
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for node in tree.body:
            targets = []
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    elts = target.elts if isinstance(target, ast.Tuple) else [target]
                    targets += [t.id for t in elts if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                targets.append(node.target.id)
            for name in targets:
                value = getattr(module, name)
                if re.fullmatch(r"[A-Z][A-Z0-9_]*", name) and isinstance(value, int | float):
                    if not isinstance(value, bool):
                        found.append((short, name, value))
    return found


@pytest.fixture(scope="module")
def constant_table(odd: str) -> dict[str, list[str]]:
    table = {}
    for cells in table_rows(section(odd, "Module constants")):
        name = first_ticked(cells[0])
        if name is None:
            continue
        assert name not in table, f"constant {name!r} is tabled twice"
        table[name] = cells
    assert table, "the constants table is empty or not found"
    return table


def test_constants_are_found():
    assert len(module_constants()) > 30


@pytest.mark.parametrize(
    ("module", "name", "value"),
    [pytest.param(m, n, v, id=f"{m}.{n}") for m, n, v in module_constants()],
)
def test_constant_is_tabled_with_its_value(module, name, value, constant_table):
    assert name in constant_table, f"{module}.{name} = {value!r} is not tabled in docs/ODD.md"
    cells = constant_table[name]
    assert module in cells[1], f"{name}: module column {cells[1]!r}, defined in {module}.py"
    doc = first_ticked(cells[2])
    assert doc is not None, f"{name}: the value must be written in backticks"
    assert same(arithmetic(doc), value), f"{name}: docs/ODD.md says {doc}, the code says {value!r}"


def test_every_tabled_constant_exists(constant_table):
    known = {name for _, name, _ in module_constants()}
    stale = sorted(set(constant_table) - known)
    assert not stale, f"docs/ODD.md tables constants the code does not define: {stale}"


# ---------------------------------------------------------------------- rule tables
def rule_table(odd: str, title: str) -> tuple[list[str], dict[str, list[str]]]:
    rows = table_rows(section(odd, title))
    header = [first_ticked(c) for c in rows[0]]
    body = {first_ticked(r[0]): r for r in rows[1:] if first_ticked(r[0])}
    return header, body


@pytest.mark.parametrize(
    ("title", "table"),
    [
        pytest.param("Paradigm table", rules.PARADIGMS, id="PARADIGMS"),
        pytest.param("ICT-role table", rules.ICT_ROLES, id="ICT_ROLES"),
    ],
)
def test_rule_tables_match_rules(odd, title, table):
    header, body = rule_table(odd, title)
    assert set(body) == set(table), f"{title}: rows {sorted(body)} vs code {sorted(table)}"
    columns = {f for f in header[1:] if f}
    fields = set(next(iter(table.values())).__dataclass_fields__)
    assert columns == fields, f"{title}: columns {sorted(columns)} vs rule fields {sorted(fields)}"
    for name, rule in table.items():
        for field in rule.__dataclass_fields__:
            assert field in header, f"{title}: no column for field {field!r}"
            doc = first_ticked(body[name][header.index(field)])
            code = getattr(rule, field)
            assert doc is not None, f"{title}: {name}.{field} must be in backticks"
            assert same(toml_value(doc), code), f"{title}: {name}.{field} is {doc}, code {code!r}"


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Platform feature table", "FEATURE_COST"),
        ("Incentive table", "INCENTIVE_UTILITY"),
        ("Incentive table", "INCENTIVE_COST"),
    ],
)
def test_rule_dictionaries_match_rules(odd, title, name):
    header, body = rule_table(odd, title)
    code = getattr(rules, name)
    assert name in header, f"no column for {name}"
    assert set(body) == set(code), f"{name}: rows {sorted(body)} vs code {sorted(code)}"
    col = header.index(name)
    for key, value in code.items():
        assert key in body, f"{name}: no row for {key!r}"
        doc = first_ticked(body[key][col])
        assert doc is not None and same(toml_value(doc), value), (
            f"{name}[{key!r}]: docs/ODD.md says {doc}, the code says {value!r}"
        )


def test_innovation_catalogue_matches_code(odd):
    rows = table_rows(section(odd, "Innovation catalogue"))
    body = {first_ticked(r[0]): r for r in rows if first_ticked(r[0])}
    assert set(body) == set(CATALOGUE), (
        f"catalogue rows {sorted(body)} vs code {sorted(CATALOGUE)}"
    )
    for name, changes in CATALOGUE.items():
        doc = {}
        for span in ticked(body[name][1]):
            key, _, value = span.partition(" = ")
            doc[key.strip()] = toml_value(value)
        assert set(doc) == set(changes), f"{name}: sets {sorted(doc)}, code {sorted(changes)}"
        for key, value in changes.items():
            assert same(doc[key], value), f"{name}: {key} is {doc[key]!r}, code {value!r}"
