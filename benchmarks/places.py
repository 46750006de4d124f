"""What per-place results cost a step, and what a places table costs construction.

python benchmarks/places.py                    # 1,000,000 citizens, 8 and 1,000 neighbourhoods
python benchmarks/places.py --citizens 200000 --steps 5

For each world: the median time of a model step (which collects the per-place measures) and
the median time of collecting the per-place measures alone, in the same process, so their ratio
is what ``place_vars`` adds to a step. Then the construction of the Columbus, Ohio, scenario
(49 neighbourhoods with geometry and nearby ties; the geo extra) against the same scenario
without its places table. A measurement, not a test: on a shared machine compare the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from coprod import CoProductionModel, Scenario
from coprod.model.measures import collect_place_measures
from coprod.model.step_record import StepRecord


def _median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def step_cost(citizens: int, neighbourhoods: int, steps: int) -> dict[str, float]:
    """Median step and per-place collection times (ms) for one world."""
    scenario = Scenario.load("socialgov").with_overrides(
        {"population.citizens": citizens, "population.neighbourhoods": neighbourhoods}
    )
    model = CoProductionModel(scenario, seed=1)
    model.step()  # warm up
    step = _median_ms(model.step, steps)
    record = StepRecord(hours=np.zeros(len(model.citizens)))
    places = _median_ms(lambda: collect_place_measures(model, record), 5 * steps)
    return {"step_ms": step, "places_ms": places, "share": places / step}


def construction(repeat: int) -> dict[str, float]:
    """Median construction time (ms) of columbus_socialgov with and without its places."""
    with_places = Scenario.load("columbus_socialgov")
    without = with_places.with_overrides(
        {"population.places": None, "population.neighbourhoods": 49}
    )
    CoProductionModel(with_places, seed=0)  # read the table once (cached, as in an ensemble)
    return {
        "with_places_ms": _median_ms(lambda: CoProductionModel(with_places, seed=0), repeat),
        "stylised_ms": _median_ms(lambda: CoProductionModel(without, seed=0), repeat),
    }


def main(argv: list[str] | None = None) -> None:
    """Print the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args(argv)
    for hoods in (8, 1000):
        cost = step_cost(args.citizens, hoods, args.steps)
        print(
            f"{args.citizens:,} citizens, {hoods} neighbourhoods: step {cost['step_ms']:.0f} ms, "
            f"per-place measures {cost['places_ms']:.1f} ms ({cost['share']:.1%} of a step)"
        )
    try:
        built = construction(repeat=5)
    except Exception as exc:  # the geo extra is missing
        print(f"columbus_socialgov: not measured ({exc})")
        return
    print(
        f"columbus_socialgov construction: {built['with_places_ms']:.0f} ms with its places, "
        f"{built['stylised_ms']:.0f} ms as a stylised town of 49 neighbourhoods"
    )


if __name__ == "__main__":
    main()
