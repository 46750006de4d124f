"""Where a calibration's simulations run, and how each is seeded from the calibration seed.

pyabc draws and perturbs parameters with NumPy's global generator. Before each simulation it is
seeded from ``SeedSequence([seed, generation + 1, job])``, where ``job`` numbers the simulations
pyabc starts in a generation (pyabc's single-core sampler counts them; its Dask sampler numbers
its jobs, one simulation each). pyabc keeps the accepted particles in job order, so the
posterior depends on the calibration seed only: the same serially, on one worker or many.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from coprod.analysis.calibration.spec import CalibrationPlan
from coprod.analysis.runs.parallel import LOCAL_CLUSTER_MIN_WORK, available_cores, connect

#: Simulations pyabc's Dask sampler keeps submitted per worker core. pyabc keeps one per core,
#: so each core waits, between two simulations, for the result to travel back, pyabc's polling
#: loop (10 ms) and the next submission; with a second one queued it does not. The particles
#: kept do not depend on it (pyabc orders results by job number); at most this many extra
#: simulations per core run past the end of a generation.
IN_FLIGHT = 2


def seed_simulation(root: int, generation: int, job: int) -> None:
    """Seed NumPy's and Python's global generators for one simulation of a generation.

    pyabc numbers its calibration sample generation -1, hence the shift by one.
    """
    state = np.random.SeedSequence([int(root), int(generation) + 1, int(job)]).generate_state(2)
    np.random.seed(int(state[0]))  # noqa: NPY002 - pyabc draws from the global generator
    random.seed(int(state[1]))


def run_seeded_batch(
    simulate_one: Any, jobs: list[int], root: int, generation: int
) -> list[tuple[Any, bool, int]]:
    """What a Dask worker runs: pyabc's ``simulate_one`` for each job, each seeded."""
    results = []
    for job in jobs:
        seed_simulation(root, generation, job)
        result = simulate_one()
        results.append((result, result.accepted, job))
    return results


class _SeedingClient:
    """A ``distributed.Client`` seen by pyabc's Dask sampler, submitting seeded jobs.

    pyabc's sampler submits ``(function, simulate_one_pickle, batch_size, jobs)`` and
    reseeds workers from the operating system; this submits :func:`run_seeded_batch` with the
    generation's ``simulate_one`` instead (Dask ships it), so each job's draws follow from the
    calibration seed.
    """

    def __init__(self, client: Any, root: int) -> None:
        self.client = client
        self.root = root
        self.generation = 0
        self.simulate_one: Any = None

    def ncores(self) -> dict[str, int]:
        return self.client.ncores()

    def submit(self, function: Any, simulate_one_pickle: bytes, batch_size: int, jobs: list):
        return self.client.submit(
            run_seeded_batch,
            self.simulate_one,
            list(jobs),
            self.root,
            self.generation,
            pure=False,
        )

    def close(self) -> None:
        """Leave the client open: whoever opened it closes it."""


def _samplers() -> tuple[type, type]:
    from pyabc.sampler import DaskDistributedSampler, SingleCoreSampler

    class SeededSingleCoreSampler(SingleCoreSampler):
        """pyabc's single-core sampler, each simulation seeded from the calibration seed."""

        def __init__(self, root: int) -> None:
            super().__init__()
            self.root = root

        def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
            jobs = itertools.count()

            def seeded():
                seed_simulation(self.root, t, next(jobs))
                return simulate_one()

            return super().sample_until_n_accepted(n, seeded, t, **kwargs)

    class SeededDaskSampler(DaskDistributedSampler):
        """pyabc's Dask sampler, each simulation seeded from the calibration seed."""

        def __init__(self, client: Any, root: int) -> None:
            super().__init__(dask_client=_SeedingClient(client, root), batch_size=1)

        def client_cores(self) -> int:
            """Simulations kept in flight: :data:`IN_FLIGHT` per core, so none waits idle."""
            return IN_FLIGHT * super().client_cores()

        def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
            self.client.generation = t
            self.client.simulate_one = simulate_one
            return super().sample_until_n_accepted(n, simulate_one, t, **kwargs)

    return SeededSingleCoreSampler, SeededDaskSampler


def _is_serial(plan: CalibrationPlan, scheduler: Any) -> bool:
    if scheduler == "serial":
        return True
    if scheduler is not None:
        return False
    abc = plan.spec.abc
    work = plan.base.population.citizens * plan.steps * abc.population * abc.generations * 2
    return available_cores() < 2 or work < LOCAL_CLUSTER_MIN_WORK


@contextmanager
def sampler_for(plan: CalibrationPlan, scheduler: Any) -> Iterator[Any]:
    """Pyabc's sampler for ``scheduler``; a cluster opened here is closed on the way out."""
    serial, dask = _samplers()
    if _is_serial(plan, scheduler):
        numpy_state, python_state = np.random.get_state(), random.getstate()  # noqa: NPY002
        try:
            yield serial(plan.spec.seed)
        finally:  # seeding per simulation must not change the caller's generators
            np.random.set_state(numpy_state)  # noqa: NPY002
            random.setstate(python_state)
        return
    with connect(scheduler, available_cores()) as client:
        yield dask(client, plan.spec.seed)
