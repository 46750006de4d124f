"""Calibration: fit scenario parameters to observed statistics with pyabc's ABC-SMC.

:func:`calibrate` reads a calibration file (:mod:`coprod.analysis.calibration.spec`), runs
pyabc's ABC-SMC (Toni et al. 2009; Klinger, Rickert & Hasenauer 2018) with every simulation on
Dask through pyabc's Dask sampler, or in this process, and writes the posterior, a summary,
figures and a manifest (:mod:`coprod.analysis.calibration.output`). The distance between a
simulation and the observations is the Euclidean norm of their differences, each divided by its
``sd``; pyabc shrinks the acceptance threshold from generation to generation (the weighted
median of the last generation's distances).

Every generation is run as a continuation of the history in ``history.db`` (pyabc's
``ABCSMC.load``), so a calibration stopped by Ctrl-C or killed continues from its last completed
generation when run again on the same folder: pyabc writes a generation to the database only
once it is complete.

Reproducibility: every simulation is seeded from the calibration seed, its generation and its
number within the generation (:mod:`coprod.analysis.calibration.sampling`), and the model's own
seed is the next draw, so the posterior depends on the seed only: the same serially, on one
worker or on many, and after a resume.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coprod.analysis.calibration.priors import CalibrationError
from coprod.analysis.calibration.sampling import sampler_for
from coprod.analysis.calibration.spec import CalibrationPlan, load_calibration, plan_calibration
from coprod.analysis.runs.parallel import check_client
from coprod.model.scenario import Scenario

#: Message when the optional extra is missing.
MISSING_PYABC = (
    "calibration needs pyabc, an optional extra: python -m pip install 'coprod[calibrate]'"
)


@dataclass
class CalibrationResult:
    """What a calibration produced.

    Attributes:
        folder: The output folder.
        posterior: The last generation's particles: one column per calibrated key, ``weight``.
        summary: Per key: prior, posterior mean, median, 90% credible interval.
        generations: Per generation: ``epsilon``, ``simulations``, ``accepted``,
            ``acceptance_rate``.
        files: The files written.
        resumed_from: Generations found in the folder's history when the call started.
        identification: What the observations identify, in words: each parameter whose 90%
            interval stays near its prior's width ("not identified by these targets"), each
            pair that trades off (see
            :func:`~coprod.analysis.calibration.output.identification_lines`).
    """

    folder: Path
    posterior: pd.DataFrame
    summary: pd.DataFrame
    generations: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    resumed_from: int = 0
    identification: list[str] = field(default_factory=list)


def calibrate(
    calibration: str | Path | dict[str, Any] | CalibrationPlan,
    out: str | Path | None = None,
    scheduler: Any = None,
    progress: Callable[[str], None] | None = None,
) -> CalibrationResult:
    """Calibrate a scenario's parameters to observed statistics (ABC-SMC, pyabc).

    Args:
        calibration: A calibration file, a dict with its contents (relative paths are read
            from the working folder) or a checked :class:`CalibrationPlan`.
        out: Output folder (default ``runs/calibrate-<name>``). If it holds the history of the
            same calibration, the calibration continues from its last completed generation.
        scheduler: Where simulations run, as for ``coprod compare``: ``None`` (a local Dask
            cluster, or this process for small jobs), ``"serial"``, ``"local"``, a scheduler
            address or a ``distributed.Client``.
        progress: Called with one line after each generation (generation, epsilon,
            acceptance rate, simulations); ``None`` for silence.

    Returns:
        A :class:`CalibrationResult`.

    Raises:
        CalibrationError: The calibration, its series files or the output folder cannot be
            used (before anything runs).
    """
    from coprod.analysis.calibration.output import write_calibration, write_start

    plan = _plan(calibration)
    check_client(scheduler)
    pyabc = _pyabc()
    folder = Path(out) if out is not None else Path("runs") / f"calibrate-{plan.spec.name}"
    url = _prepare_folder(plan, folder)
    write_start(plan, folder)
    say = progress or (lambda line: None)
    done_before = _generations_done(url)
    if not _finished(plan, url):
        with _quiet(), sampler_for(plan, scheduler) as sampler:
            _run_generations(pyabc, plan, sampler, url, say)
    return write_calibration(plan, folder, url, resumed_from=done_before)


def _run_generations(pyabc: Any, plan: CalibrationPlan, sampler: Any, url: str, say) -> None:
    """Run one generation at a time, each as a continuation of the history, until finished."""
    while not _finished(plan, url):
        done = _generations_done(url)
        abc = _abcsmc(pyabc, plan, sampler)
        if done == 0:
            abc.new(url, plan.observed(), meta_info={"fingerprint": plan.fingerprint()})
        else:
            abc.load(url, 1)
        abc.run(minimum_epsilon=plan.spec.abc.min_epsilon, max_nr_populations=1)
        if _generations_done(url) == done:  # pyabc stopped without a new generation
            return
        say(_progress_line(url, plan))


def _plan(calibration: Any) -> CalibrationPlan:
    if isinstance(calibration, CalibrationPlan):
        return calibration
    if isinstance(calibration, dict):
        return plan_calibration(calibration)
    if isinstance(calibration, str | Path):
        return load_calibration(calibration)
    raise CalibrationError(
        f"calibration = {calibration!r} is not allowed: give a file, a dict or a plan"
    )


def check_pyabc() -> None:
    """Raise a :class:`CalibrationError` naming the install command if pyabc is missing."""
    _pyabc()


def _pyabc() -> Any:
    try:
        import pyabc
    except ImportError:
        raise CalibrationError(MISSING_PYABC) from None
    return pyabc


# ---------------------------------------------------------------------- the history
def history_url(folder: Path) -> str:
    """The SQLAlchemy address of a folder's ``history.db``."""
    return f"sqlite:///{(Path(folder) / 'history.db').resolve()}"


def _prepare_folder(plan: CalibrationPlan, folder: Path) -> str:
    """The history's address; an error if the folder holds another calibration's history."""
    import json

    db = folder / "history.db"
    if db.exists():
        manifest = folder / "manifest.json"
        try:
            info = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        if info.get("fingerprint") != plan.fingerprint():
            raise CalibrationError(
                f"{folder} holds the history of a different calibration (base scenario, "
                "steps, seed, priors, observations or population differ); choose another "
                "--out or remove the folder"
            )
        if _generations_done(history_url(folder)) == 0:
            db.unlink()  # stopped before its first generation was complete: start afresh
    return history_url(folder)


def _generations_done(url: str) -> int:
    """Completed generations in the history (0 if there is none yet)."""
    path = Path(url.removeprefix("sqlite:///"))
    if not path.exists():
        return 0
    import sqlite3

    with sqlite3.connect(path) as con:
        try:
            row = con.execute("SELECT COUNT(*) FROM populations WHERE t >= 0").fetchone()
        except sqlite3.DatabaseError:
            return 0
    return int(row[0])


def generation_table(url: str) -> pd.DataFrame:
    """The history's completed generations, one row each.

    Columns: ``generation`` (from 0), ``epsilon``, ``simulations``, ``accepted`` and
    ``acceptance_rate``.
    """
    from pyabc import History

    history = History(url, _id=1, create=False)
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].sort_values("t")
    table = pd.DataFrame(
        {
            "generation": pops["t"].astype(int).to_numpy(),
            "epsilon": pops["epsilon"].astype(float).to_numpy(),
            "simulations": pops["samples"].astype(int).to_numpy(),
            "accepted": pops["particles"].astype(int).to_numpy(),
        }
    )
    table["acceptance_rate"] = table["accepted"] / table["simulations"]
    return table


def _finished(plan: CalibrationPlan, url: str) -> bool:
    done = _generations_done(url)
    if done >= plan.spec.abc.generations:
        return True
    if done == 0 or plan.spec.abc.min_epsilon is None:
        return False
    return float(generation_table(url)["epsilon"].iloc[-1]) <= plan.spec.abc.min_epsilon


def _progress_line(url: str, plan: CalibrationPlan) -> str:
    table = generation_table(url)
    last = table.iloc[-1]
    return (
        f"generation {int(last.generation) + 1}/{plan.spec.abc.generations}: epsilon "
        f"{last.epsilon:.4g}, acceptance {last.acceptance_rate:.1%} "
        f"({int(last.accepted)} of {int(last.simulations)}), "
        f"{int(table.simulations.sum())} simulations done"
    )


# ---------------------------------------------------------------------- pyabc set-up
def _abcsmc(pyabc: Any, plan: CalibrationPlan, sampler: Any) -> Any:
    priors = pyabc.Distribution(**{p.key: p.random_variable() for p in plan.priors})
    return pyabc.ABCSMC(
        Simulator.of(plan),
        priors,
        pyabc.PNormDistance(p=2, fixed_weights=plan.weights()),
        population_size=plan.spec.abc.population,
        sampler=sampler,
        eps=pyabc.MedianEpsilon(),
    )


@dataclass(frozen=True)
class Simulator:
    """The model pyabc calls: parameters in, the observed statistics as simulated out.

    Plain data only, so pyabc can ship it to Dask workers.
    """

    base: dict[str, Any]
    steps: int
    keys: tuple[str, ...]
    statistics: tuple[tuple[str, str, int, int], ...]  # label, measure, first, last month

    @classmethod
    def of(cls, plan: CalibrationPlan) -> Simulator:
        """The simulator of a checked calibration."""
        statistics = tuple((o.label, o.measure, o.first, o.last) for o in plan.observations)
        return cls(plan.base.to_dict(), plan.steps, tuple(plan.keys), statistics)

    def __call__(self, parameters: Any) -> dict[str, float]:
        """Run the scenario with ``parameters`` and return its statistics by label."""
        from coprod.model.run import run_scenario

        # the next draw of the generator seeded for this simulation (see the module docstring)
        seed = int(np.random.randint(0, 2**32, dtype=np.uint64))  # noqa: NPY002
        values = {key: float(parameters[key]) for key in self.keys}
        scenario = Scenario.from_dict(self.base, source="calibration").with_overrides(values)
        frame = run_scenario(scenario, steps=self.steps, seed=seed).model_vars
        return {
            label: float(frame.loc[first:last, measure].mean())
            for label, measure, first, last in self.statistics
        }


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence pyabc's log lines; coprod prints its own progress."""
    logger = logging.getLogger("ABC")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
