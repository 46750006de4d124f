"""Fuzzing the scenario loader and the ``--set`` overrides.

Every input must end in one of two ways: a valid :class:`Scenario`, or a :class:`ScenarioError`
with a non-empty message that, where one key is at fault, names that key. Any other exception
fails the test.

Inputs: the scenario files shipped in ``scenarios/`` mutated line by line (values changed to
other types, unknown keys, deleted, duplicated and swapped lines, renamed keys and tables,
garbage bytes, truncation, stacked mutations), random text and bytes, random override dicts
through :meth:`Scenario.with_overrides`, and random ``--set`` strings through
:func:`parse_overrides`. The generators are seeded, so each run tries the same inputs.
``TRIED`` counts them (printed with ``pytest -s``); docs/reliability.md reports the totals.
"""

from __future__ import annotations

import ast
import random
import re
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coprod.analysis.cli import parse_overrides
from coprod.analysis.sweep.spec import SweepError, load_sweep
from coprod.model.scenario import Scenario, ScenarioError

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SHIPPED = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SCENARIOS.glob("*.toml"))}

#: Inputs per generator; all seeded.
N_KEYED_FILES = 1500
N_MESSY_FILES = 1500
N_OVERRIDE_DICTS = 2000
N_SET_STRINGS = 2000
N_HYPOTHESIS = 300

#: Inputs tried, by kind, and how they ended (filled as the tests run).
TRIED: dict[str, dict[str, int]] = {}

KEY_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=")

#: Replacement values as TOML text: other types, edges, special floats.
TOML_VALUES = [
    '"text"',
    '""',
    "'substitutive'",
    "0",
    "1",
    "-1",
    "3",
    "120",
    "99999999999999999999",
    "-0.0",
    "0.5",
    "1.5e300",
    "-1e-300",
    "nan",
    "inf",
    "-inf",
    "true",
    "false",
    "[]",
    "[1, 2]",
    '["care", "care"]',
    '["not an identifier"]',
    "[[1], [2]]",
    "{}",
    "{a = 1}",
    "1979-05-27",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    '"""multi\nline"""',
]

#: Replacement values as Python objects, for override dicts.
PY_VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    7,
    10**30,
    0.0,
    0.5,
    -0.5,
    1e300,
    float("nan"),
    float("inf"),
    "",
    "text",
    "substitutive",
    "traditional",
    [],
    [1, 2],
    ["care"],
    ["care", "care"],
    {},
    {"a": 1},
    {"step": 1, "kind": "budget_cut"},
    [{"step": 2, "kind": "trust_scandal", "size": 0.2}],
    np.float64(0.3),
    np.int64(2),
    np.bool_(True),
    b"bytes",
    (1, 2),
    object(),
]


def _flatten(data: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        keys.append(dotted)
        if isinstance(value, dict):
            keys.extend(_flatten(value, dotted + "."))
    return keys


DOTTED_KEYS = _flatten(Scenario().to_dict())


def _record(kind: str, outcome: str) -> None:
    counts = TRIED.setdefault(kind, {})
    counts[outcome] = counts.get(outcome, 0) + 1


def _ends_well(kind: str, attempt, key: str | None = None) -> None:
    """``attempt()`` gives a Scenario or a ScenarioError with a message (naming ``key``)."""
    try:
        result = attempt()
    except ScenarioError as exc:
        message = str(exc)
        assert message.strip(), f"{kind}: empty ScenarioError message"
        if key is not None:
            assert key in message, f"{kind}: message does not name {key!r}: {message}"
        _record(kind, "error")
        return
    assert isinstance(result, Scenario), f"{kind}: returned {result!r}"
    _record(kind, "valid")


def _random_word(rng: random.Random) -> str:
    return "zz_" + "".join(rng.choices(string.ascii_lowercase + "_", k=rng.randint(1, 10)))


def _garbage(rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))


def _messy_mutation(rng: random.Random, lines: list[str]) -> list[str]:
    lines = list(lines)
    if not lines:
        return ["".join(rng.choices(string.printable, k=rng.randint(0, 40)))]
    i = rng.randrange(len(lines))
    choice = rng.randrange(9)
    if choice == 0:
        del lines[i]
    elif choice == 1:
        lines.insert(i, lines[i])
    elif choice == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif choice == 3:
        cut = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:cut]
    elif choice == 4:
        lines[i] = re.sub(r"\[+([^\]]*)\]+", lambda m: f"[{_random_word(rng)}]", lines[i])
    elif choice == 5:
        pos = rng.randrange(len(lines[i]) + 1)
        junk = "".join(rng.choices(string.printable + "äé€\u0000\ufeff", k=rng.randint(1, 8)))
        lines[i] = lines[i][:pos] + junk + lines[i][pos:]
    elif choice == 6:
        lines.insert(i, rng.choice(["[governance]", "[[events]]", "[population]", "[x.y]"]))
    elif choice == 7:
        m = KEY_LINE.match(lines[i])
        if m:
            lines[i] = lines[i].replace(m.group(1), m.group(1) + rng.choice(["s", "_", "X"]), 1)
    else:
        lines.insert(i, f"{_random_word(rng)} = {rng.choice(TOML_VALUES)}")
    return lines


def _keyed_mutation(rng: random.Random, text: str) -> tuple[str, str]:
    """One mutation that puts exactly one key at fault (or leaves the file valid)."""
    lines = text.splitlines()
    if rng.random() < 0.5:
        candidates = [i for i, line in enumerate(lines) if KEY_LINE.match(line)]
        i = rng.choice(candidates)
        key = KEY_LINE.match(lines[i]).group(1)
        lines[i] = f"{key} = {rng.choice(TOML_VALUES)}"
    else:
        key = _random_word(rng)
        lines.insert(rng.randrange(len(lines) + 1), f"{key} = {rng.choice(TOML_VALUES)}")
    return "\n".join(lines) + "\n", key


def test_every_shipped_scenario_loads():
    for name in SHIPPED:
        assert isinstance(Scenario.load(SCENARIOS / f"{name}.toml"), Scenario)


def test_one_wrong_key_in_a_file_is_named(tmp_path):
    rng = random.Random(9001)
    texts = list(SHIPPED.values())
    path = tmp_path / "mutated.toml"
    for _ in range(N_KEYED_FILES):
        text, key = _keyed_mutation(rng, rng.choice(texts))
        path.write_text(text, encoding="utf-8")
        _ends_well("keyed file", lambda: Scenario.load(path), key)
    print(TRIED)


def test_messy_files_load_or_fail_cleanly(tmp_path):
    rng = random.Random(9002)
    texts = list(SHIPPED.values())
    path = tmp_path / "messy.toml"
    for n in range(N_MESSY_FILES):
        lines = rng.choice(texts).splitlines()
        for _ in range(rng.randint(1, 6)):
            lines = _messy_mutation(rng, lines)
        data = ("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass")
        kind = n % 5
        if kind == 0:  # truncated at a random byte
            data = data[: rng.randrange(len(data) + 1)]
        elif kind == 1:  # garbage bytes spliced in
            pos = rng.randrange(len(data) + 1)
            data = data[:pos] + _garbage(rng) + data[pos:]
        elif kind == 2:  # random text from TOML-ish tokens
            tokens = ["[", "]", "=", '"', "'", "\n", ".", ",", "{", "}", "#", " ", "a", "1", "x"]
            data = "".join(rng.choices(tokens, k=rng.randint(0, 80))).encode()
        path.write_bytes(data)
        _ends_well("messy file", lambda: Scenario.load(path))
    print(TRIED)


def test_random_override_dicts_apply_or_fail_cleanly():
    rng = random.Random(9003)
    base = [Scenario.load(name) for name in ("traditional", "crisis_events", "socialgov")]
    for _ in range(N_OVERRIDE_DICTS):
        overrides = {}
        for _ in range(rng.randint(1, 4)):
            r = rng.random()
            if r < 0.7:
                key = rng.choice(DOTTED_KEYS)
            elif r < 0.8:
                key = rng.choice(DOTTED_KEYS) + "." + _random_word(rng)
            elif r < 0.9:
                key = _random_word(rng)
            else:
                key = rng.choice(["", ".", "governance.", ".budget", "events.0.step", "a..b"])
            overrides[key] = rng.choice(PY_VALUES)
        # a single override at fault must be named in the message
        named = next(iter(overrides)) if len(overrides) == 1 else None
        if named is not None:
            named = named.rsplit(".", 1)[-1] or None
        scenario = rng.choice(base)
        _ends_well("override dict", lambda s=scenario, o=overrides: s.with_overrides(o), named)
    print(TRIED)


def test_random_set_strings_apply_or_fail_cleanly():
    rng = random.Random(9004)
    base = Scenario.load("coproduction")
    junk = string.ascii_letters + string.digits + " =.\"'[]{},#-_+\\\t"
    for _ in range(N_SET_STRINGS):
        items = []
        for _ in range(rng.randint(1, 3)):
            r = rng.random()
            if r < 0.6:
                items.append(f"{rng.choice(DOTTED_KEYS)}={rng.choice(TOML_VALUES)}")
            elif r < 0.75:
                items.append(f"{rng.choice(DOTTED_KEYS)}={''.join(rng.choices(junk, k=6))}")
            elif r < 0.9:
                items.append("".join(rng.choices(junk, k=rng.randint(0, 20))))
            else:
                items.append(f"{_random_word(rng)}={rng.choice(TOML_VALUES)}")

        def attempt(items=items):
            return base.with_overrides(parse_overrides(items))

        _ends_well("--set strings", attempt)
    print(TRIED)


@settings(max_examples=N_HYPOTHESIS, deadline=None)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_load_or_fail_cleanly(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "random.toml"
    path.write_bytes(data)
    _ends_well("random bytes", lambda: Scenario.load(path))


@settings(max_examples=N_HYPOTHESIS, deadline=None)
@given(items=st.lists(st.text(max_size=40), max_size=4))
def test_arbitrary_set_strings_parse_or_fail_cleanly(items):
    _ends_well("random --set text", lambda: Scenario().with_overrides(parse_overrides(items)))


NESTED = "[" * 10_000 + "]" * 10_000  # deeper than any recursion limit a test may have set


def test_deeply_nested_value_in_a_scenario_file_fails_with_scenario_error(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(f"steps = {NESTED}\n", encoding="utf-8")
    with pytest.raises(ScenarioError):
        Scenario.load(path)


def test_deeply_nested_set_value_fails_with_scenario_error():
    with pytest.raises(ScenarioError, match="steps"):
        parse_overrides([f"steps={NESTED}"])


def test_deeply_nested_value_in_a_sweep_file_fails_with_sweep_error(tmp_path):
    path = tmp_path / "deep_sweep.toml"
    path.write_text(f"runs = {NESTED}\n", encoding="utf-8")
    with pytest.raises(SweepError, match="nested"):
        load_sweep(path)


#: Calls that would run or unpickle what a user gives; coprod's source must make none of them.
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__"}
UNSAFE_MODULES = {"pickle", "cloudpickle", "marshal", "shelve", "dill", "yaml"}


def test_source_reads_user_input_as_data_only():
    root = SCENARIOS.parent
    found, scanned = [], 0
    for folder in ("model", "analysis", "dashboard", "agents", "scenarios", "src"):
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            scanned += 1
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    if node.func.id in UNSAFE_CALLS:
                        found.append(f"{path.relative_to(root)}:{node.lineno} {node.func.id}()")
                elif isinstance(node, ast.Import | ast.ImportFrom):
                    names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                    names.append(getattr(node, "module", None) or "")
                    for name in names:
                        if name.split(".")[0] in UNSAFE_MODULES:
                            found.append(f"{path.relative_to(root)}:{node.lineno} import {name}")
    assert scanned > 20, scanned
    assert not found, found
