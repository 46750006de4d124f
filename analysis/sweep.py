"""Sweeps: run a design of parameter points x replicates, one Parquet file per finished run.

Every run has an id fixed by the design: its point and replicate number and a hash of the
fully resolved scenario, steps and seed. Results go to ``<out>/runs/run-<id>.parquet``, each
written atomically as soon as the run finishes, so an interrupted sweep (Ctrl-C, a killed
process, a lost machine) resumes when started again: finished runs are found by id and skipped,
and only the missing ones run. A folder holding a different sweep is refused rather than mixed.
A full disk, a folder made read-only or a Dask worker lost for good stops the sweep with an
error that says how many runs are kept; running it again resumes.

Replicate ``r`` runs with the same seed at every point (common random numbers), so differences
between points are not blurred by different random draws.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from coprod.analysis.output import (
    OutputError,
    make_folder,
    manifest,
    write_frame,
    write_json,
    write_text,
)
from coprod.analysis.parallel import RunTask, WorkerLost, check_client, execute
from coprod.analysis.seeds import replicate_seeds
from coprod.analysis.stats import HORIZON_WINDOW, horizon_means, t_interval
from coprod.analysis.sweep_spec import (
    Parameter,
    SweepError,
    SweepSpec,
    base_scenario,
    design_points,
    load_sweep,
    parameters_of,
)
from coprod.model.scenario import Scenario, dumps_toml

#: Columns that identify a run in a sweep's results, before the parameter columns.
RUN_COLUMNS = ["run", "point", "replicate", "seed"]


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: its id, design point, replicate, seed and parameter values."""

    run_id: str
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]
    scenario: dict[str, Any]


@dataclass(frozen=True)
class SweepPlan:
    """A checked sweep: the base scenario, the design points and every run, before running."""

    spec: SweepSpec
    kind: str
    base: Scenario
    parameters: list[Parameter]
    points: list[dict[str, Any]]
    steps: int
    seeds: list[int]
    runs: list[SweepRun]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The varied parameters' dotted keys, in the order of the sweep file."""
        return [p.key for p in self.parameters]

    @property
    def fingerprint(self) -> str:
        """A hash of every run id: two plans with the same fingerprint run the same runs."""
        return _digest([r.run_id for r in self.runs])


def plan_sweep(
    spec: SweepSpec | str | Path,
    folder: Path | None = None,
    source: str = "sweep",
    points: list[dict[str, Any]] | None = None,
    kind: str = "sweep",
    extra: dict[str, Any] | None = None,
) -> SweepPlan:
    """Check a sweep and list its runs; nothing runs and nothing is written.

    Args:
        spec: A :class:`SweepSpec`, or the path of a sweep file.
        folder: Folder against which a relative base-scenario path is read.
        source: Name used in error messages (the sweep file's path).
        points: Design points to use instead of the spec's design (sensitivity designs).
        kind: What the plan is for, recorded in the manifest (``sweep``, ``sensitivity``).
        extra: More manifest fields.

    Raises:
        SweepError: An unknown key, a misspelt parameter or a value the scenario rejects.
    """
    if not isinstance(spec, SweepSpec):
        source = str(spec)
        spec, folder = load_sweep(spec)
    base = base_scenario(spec, folder, source)
    parameters = parameters_of(spec.parameters, base, source)
    if points is None:
        points = design_points(spec, parameters, source)
    steps = spec.steps if spec.steps is not None else base.steps
    seeds = replicate_seeds(spec.seed, spec.replicates)
    runs = []
    for i, values in enumerate(points):
        try:
            data = base.with_overrides(values).to_dict()
        except SweepError:
            raise
        except Exception as exc:  # a combination the scenario rejects (e.g. too few citizens)
            raise SweepError(f"{source}: point {i} {values}: {exc}") from None
        for r, seed in enumerate(seeds):
            digest = _digest({"scenario": data, "steps": steps, "seed": seed})[:10]
            run_id = f"{i:05d}-{r:03d}-{digest}"
            runs.append(SweepRun(run_id, i, r, seed, dict(values), data))
    return SweepPlan(spec, kind, base, parameters, list(points), steps, seeds, runs, extra or {})


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- running
def run_sweep(
    spec: SweepSpec | SweepPlan | str | Path,
    out: str | Path | None = None,
    client: Any = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run a sweep (resuming from ``out`` if it was interrupted) and return every run.

    Args:
        spec: A sweep file path, a :class:`SweepSpec` or a :class:`SweepPlan`.
        out: Output folder. ``None`` runs in memory and writes nothing.
        client: Where to run, as for :func:`coprod.run_ensemble`.
        progress: Show a progress bar (runs done, rate, time left) on standard error.

    Returns:
        The tidy results: ``run``, ``point``, ``replicate``, ``seed``, one column per
        parameter, ``step`` and every measure; sorted by point, replicate and step.
    """
    plan = spec if isinstance(spec, SweepPlan) else plan_sweep(spec)
    check_client(client)
    if out is None:
        frames = [
            _run_frame(run, frame, plan)
            for run, frame in _execute(plan, plan.runs, client, progress, done=0)
        ]
        return _sorted(pd.concat(frames, ignore_index=True))
    out = Path(out)
    check_output(plan, out)
    with _locked(out):
        done = finished_runs(plan, out)
        try:
            _write_plan_files(plan, out, status="running", done=len(done))
            todo = [run for run in plan.runs if run.run_id not in done]
            for run, frame in _execute(plan, todo, client, progress, done=len(done)):
                write_frame(run_path(out, run.run_id), _run_frame(run, frame, plan))
            results = load_results(out)
            write_summary(plan, out, results)
        except OutputError as exc:
            raise exc.add(f"{_kept(plan, out)}, and the sweep resumes from there") from None
        except WorkerLost as exc:
            raise WorkerLost(
                f"{exc}; {_kept(plan, out)}: run the same command again to resume"
            ) from None
    return results


def _kept(plan: SweepPlan, out: Path) -> str:
    kept = len(finished_runs(plan, out, tidy=False))
    return f"{kept} of {len(plan.runs)} runs are kept in {out}"


def _execute(
    plan: SweepPlan, runs: list[SweepRun], client: Any, progress: bool, done: int
) -> Iterator[tuple[SweepRun, pd.DataFrame]]:
    from tqdm.auto import tqdm

    by_id = {run.run_id: run for run in runs}
    tasks = [RunTask(run.run_id, run.scenario, plan.steps, run.seed) for run in runs]
    with tqdm(
        total=len(plan.runs),
        initial=done,
        unit="run",
        desc=plan.spec.name,
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        for task, frame in execute(tasks, client=client):
            yield by_id[task.key], frame
            bar.update(1)


def _run_frame(run: SweepRun, frame: pd.DataFrame, plan: SweepPlan) -> pd.DataFrame:
    head = {"run": run.run_id, "point": run.point, "replicate": run.replicate, "seed": run.seed}
    head.update({key: run.values[key] for key in plan.keys})
    ids = pd.DataFrame({k: [v] * len(frame) for k, v in head.items()})
    return pd.concat([ids, frame.reset_index(drop=True)], axis=1)


def _sorted(results: pd.DataFrame) -> pd.DataFrame:
    return results.sort_values(["point", "replicate", "step"], kind="stable").reset_index(
        drop=True
    )


# ---------------------------------------------------------------------- the output folder
def run_path(out: Path, run_id: str) -> Path:
    """Where the results of run ``run_id`` are kept."""
    return Path(out) / "runs" / f"run-{run_id}.parquet"


def check_output(plan: SweepPlan, out: Path) -> None:
    """Refuse an output folder that holds other results; writes nothing."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out}: exists and is not a folder")
    path = out / "manifest.json"
    if not path.exists():
        if (out / "runs").exists():
            raise SweepError(f"--out {out}: holds runs but no manifest; choose another folder")
        return
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SweepError(
            f"--out {out}: manifest.json is unreadable; choose another folder"
        ) from None
    if found.get("kind") != plan.kind:
        raise SweepError(
            f"--out {out}: holds results of a {found.get('kind')!r}, not a {plan.kind!r}; "
            "choose another folder"
        )
    from coprod import __version__

    if found.get("coprod_version") != __version__:
        raise SweepError(
            f"--out {out}: written by coprod {found.get('coprod_version')}, this is "
            f"{__version__}; choose another folder so results of two versions do not mix"
        )
    if found.get("model_digest") != model_digest():
        raise SweepError(
            f"--out {out}: its runs were made with other model code (model and agents source "
            "changed since); choose another folder so results of two models do not mix"
        )
    if found.get("fingerprint") != plan.fingerprint:
        raise SweepError(
            f"--out {out}: holds a different {plan.kind} (other design, scenario, steps or "
            "seed); choose another folder to keep both"
        )


def model_digest() -> str:
    """A hash of the model's source code (``coprod.model`` and ``coprod.agents``).

    Run ids cover scenario, months and seed; this covers the rules that turn them into results,
    so a sweep is never resumed with different model code.
    """
    from importlib import resources

    digest = hashlib.sha256()
    for package in ("coprod.model", "coprod.agents"):
        for entry in sorted(resources.files(package).iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                digest.update(entry.name.encode("utf-8") + b"\0" + entry.read_bytes())
    return digest.hexdigest()[:16]


def finished_runs(plan: SweepPlan, out: Path, tidy: bool = True) -> set[str]:
    """Ids of the plan's runs already written to ``out``.

    With ``tidy``, leftovers of writes cut short (temporary files) are removed first.
    """
    folder = Path(out) / "runs"
    if tidy:
        for stale in [*Path(out).glob(".*.tmp"), *folder.glob(".run-*.tmp")]:
            try:
                stale.unlink(missing_ok=True)  # a write cut short: that file was not finished
            except OSError as exc:
                raise OutputError.of(exc, stale) from None
    if not folder.exists():
        return set()
    wanted = {run.run_id for run in plan.runs}
    names = (p.name.removeprefix("run-").removesuffix(".parquet") for p in folder.glob("run-*"))
    return {name for name in names if name in wanted}


def load_results(out: str | Path) -> pd.DataFrame:
    """Every finished run in a sweep's output folder, sorted by point, replicate and step."""
    files = sorted((Path(out) / "runs").glob("run-*.parquet"))
    if not files:
        raise SweepError(f"{out}: no finished runs in {Path(out) / 'runs'}")
    return _sorted(pd.concat([pd.read_parquet(f) for f in files], ignore_index=True))


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold ``out/.lock`` so two processes never write the same sweep folder."""
    make_folder(out)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, run one at a time
        yield
        return
    try:
        handle = open(out / ".lock", "w")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise OutputError.of(exc, out) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SweepError(f"--out {out}: another coprod process is writing there") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_plan_files(plan: SweepPlan, out: Path, status: str, done: int) -> None:
    design = pd.DataFrame({"point": range(len(plan.points))})
    for key in plan.keys:
        design[key] = [p[key] for p in plan.points]
    write_frame(out / "design.csv", design)
    write_frame(out / "design.parquet", design)
    write_text(out / "scenario.toml", plan.base.to_toml())
    write_text(out / "sweep.toml", spec_to_toml(plan.spec))
    write_manifest(plan, out, status, done)


def write_manifest(plan: SweepPlan, out: Path, status: str, done: int) -> None:
    """Write the manifest: what the sweep is, how far it got, and the files in ``out``."""
    spec = plan.spec
    files = sorted(
        str(p.relative_to(out))
        for p in out.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name != "manifest.json"
    )
    write_json(
        out / "manifest.json",
        manifest(
            kind=plan.kind,
            name=spec.name,
            description=spec.description,
            status=status,
            scenario=plan.base.name,
            seed=spec.seed,
            seeds=plan.seeds,
            replicates=spec.replicates,
            steps=plan.steps,
            design=spec.design if plan.kind == "sweep" else plan.extra.get("method"),
            points=len(plan.points),
            keys=plan.keys,
            parameters=dict(spec.parameters),
            fixed=dict(spec.set),
            measures=list(spec.measures),
            runs_total=len(plan.runs),
            runs_done=done,
            fingerprint=plan.fingerprint,
            model_digest=model_digest(),
            files=[*files, "runs/"],
            **plan.extra,
        ),
    )


def spec_to_toml(spec: SweepSpec) -> str:
    """The sweep as TOML, its base scenario pointing to the resolved ``scenario.toml`` beside it.

    Running ``coprod sweep <out>/sweep.toml --out <out>`` finds every run already finished.
    """
    top = spec.model_dump(exclude={"set", "parameters", "scenario", "samples", "steps"})
    top["scenario"] = "scenario.toml"
    if spec.samples is not None:
        top["samples"] = spec.samples
    if spec.steps is not None:
        top["steps"] = spec.steps
    text = dumps_toml(top)
    text += "\n[parameters]\n"
    for key, given in spec.parameters.items():
        if isinstance(given, dict):
            bounds = ", ".join(f"{b} = {given[b]!r}" for b in ("min", "max"))
            text += f'"{key}" = {{ {bounds} }}\n'
        else:
            text += f'"{key}" = {dumps_toml({"v": given}).strip()[4:]}\n'
    return text


# ---------------------------------------------------------------------- summaries
def summarise_sweep(
    results: pd.DataFrame,
    parameters: list[str],
    measures: list[str],
    window: int = HORIZON_WINDOW,
) -> pd.DataFrame:
    """Per design point and measure: mean of the replicates' horizon values and its t-interval.

    Args:
        results: Tidy sweep results (from :func:`run_sweep` or :func:`load_results`).
        parameters: The parameter columns.
        measures: Measures to summarise.
        window: Months at the end of each run averaged into its horizon value.

    Returns:
        One row per point and measure: ``point``, the parameters, ``measure``, ``mean``, ``sd``,
        ``n``, ``ci_low``, ``ci_high``.
    """
    per_run = horizon_means(results, ["point", "replicate"], measures, window=window)
    design = results.drop_duplicates("point").set_index("point")[parameters]
    long = per_run.melt(id_vars=["point", "replicate"], value_vars=measures, var_name="measure")
    stats = long.groupby(["point", "measure"], sort=False)["value"].agg(["mean", "std", "count"])
    stats = stats.rename(columns={"std": "sd", "count": "n"}).reset_index()
    stats["ci_low"], stats["ci_high"] = t_interval(stats["mean"], stats["sd"], stats["n"])
    stats = stats.join(design, on="point")
    order = {m: i for i, m in enumerate(measures)}
    stats = stats.sort_values(
        ["point", "measure"], key=lambda c: c.map(order) if c.name == "measure" else c
    )
    return stats[
        ["point", *parameters, "measure", "mean", "sd", "n", "ci_low", "ci_high"]
    ].reset_index(drop=True)


def write_summary(plan: SweepPlan, out: Path, results: pd.DataFrame) -> None:
    """Summary tables and figure of a finished sweep, then the manifest marked complete."""
    from coprod.analysis.plots import main_effects_figure, save_figure

    complete = results["run"].nunique() == len(plan.runs)
    if plan.kind == "sweep":
        summary = summarise_sweep(results, plan.keys, list(plan.spec.measures))
        write_frame(out / "summary.csv", summary)
        write_frame(out / "summary.parquet", summary)
        save_figure(main_effects_figure(summary, plan.keys), out / "main_effects.png")
    write_manifest(plan, out, "complete" if complete else "running", results["run"].nunique())
