"""A sweep's output folder: its runs, the lock, the manifest and the check before writing.

Results go to ``<out>/runs/run-<id>.parquet``. A folder holding a different sweep (other design,
coprod version or model code) is refused rather than mixed, and ``<out>/.lock`` keeps a second
process from writing the same folder. The manifest says what the sweep is and how far it got.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from coprod.analysis.output import OutputError, make_folder, manifest, write_json
from coprod.analysis.sweep.plan import SweepPlan
from coprod.analysis.sweep.spec import SweepError


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
    names = (p.name.removeprefix("run-").removesuffix(".parquet") for p in folder.glob("run-*"))
    if isinstance(plan.runs, list):
        wanted = {run.run_id for run in plan.runs}
        return {name for name in names if name in wanted}
    return {name for name in names if name in plan.runs}  # a streamed plan checks each id


def sorted_results(results: pd.DataFrame) -> pd.DataFrame:
    """Sweep results sorted by point, replicate and step, with a fresh index."""
    return results.sort_values(["point", "replicate", "step"], kind="stable").reset_index(
        drop=True
    )


def load_results(out: str | Path) -> pd.DataFrame:
    """Every finished run in a sweep's output folder, sorted by point, replicate and step."""
    files = sorted((Path(out) / "runs").glob("run-*.parquet"))
    if not files:
        raise SweepError(f"{out}: no finished runs in {Path(out) / 'runs'}")
    return sorted_results(pd.concat([pd.read_parquet(f) for f in files], ignore_index=True))


@contextmanager
def locked(out: Path) -> Iterator[None]:
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
