"""The largest populations a scenario allows, and memory that grows no faster than the citizens.

Speed at 10,000,000 citizens is measured in benchmarks/tenmillion.py, never asserted here.
"""

import subprocess
import sys
import textwrap
import tracemalloc

import pytest

from coprod import CoProductionModel
from coprod.model.errors import ScenarioError
from coprod.model.scenario import Scenario
from helpers import cli_error


def test_ten_million_citizens_and_a_thousand_neighbourhoods_validate():
    s = Scenario().with_overrides(
        {
            "population.citizens": 10_000_000,
            "population.municipalities": 4,
            "population.neighbourhoods": 1_000,
        }
    )
    assert s.population.citizens == 10_000_000 and s.population.neighbourhoods == 1_000


@pytest.mark.parametrize(
    "key, value, bound",
    [
        ("population.citizens", 10_000_001, "10000000"),
        ("population.neighbourhoods", 1_001, "1000"),
    ],
)
def test_one_more_is_refused_naming_key_value_and_bound(key, value, bound):
    with pytest.raises(ScenarioError) as err:
        Scenario().with_overrides({key: value})
    message = str(err.value)
    assert key in message and str(value) in message and bound in message, message


def test_the_cli_refuses_ten_million_and_one_in_one_line(capsys):
    status, lines = cli_error(capsys, "run", "socialgov", "--set", "population.citizens=10000001")
    assert status == 2 and len(lines) == 1
    assert "population.citizens" in lines[0] and "10000001" in lines[0]
    assert "less than or equal to 10000000" in lines[0]


def _construction_peak_per_citizen(citizens: int) -> float:
    """Bytes per citizen at the peak of traced allocations while the model is built."""
    scenario = Scenario.load("socialgov").with_overrides({"population.citizens": citizens})
    tracemalloc.start()
    try:
        model = CoProductionModel(scenario, seed=3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(model.citizens) == citizens
    return peak / citizens


def test_construction_memory_per_citizen_does_not_grow_with_size():
    # NumPy reports its array buffers to tracemalloc, so the peak counts every temporary of
    # construction; fixed costs (scenario, tables) are a few bytes a citizen at 100,000
    small = _construction_peak_per_citizen(100_000)
    large = _construction_peak_per_citizen(400_000)
    assert large <= 1.05 * small, (small, large)
    assert large <= 1200, large  # the 1.2 KB per citizen bound, with the interpreter left out


RETAIN = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    from coprod.model.memory import retain_freed_memory

    if sys.argv[1] == "retain":
        assert retain_freed_memory(100 * 2**20)
        assert not retain_freed_memory(60 * 2**20)  # only ever raised
    np.ones(10_000_000)  # 80 MB, above glibc's own adaptive ceiling of 32 MB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        np.ones(10_000_000)  # made and freed
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_freed_large_arrays_are_reused_rather_than_mapped_afresh():
    def faults(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", RETAIN, mode], capture_output=True, text=True, check=True
        )
        return int(done.stdout.strip())

    # fresh mappings fault in every page they touch (80 MB: thousands of faults, fewer with
    # huge pages); reused heap memory faults in none
    assert faults("default") >= 100
    assert faults("retain") < 20
