"""Run folders that reproduce: what ``coprod run`` writes where, and how a folder is re-run.

A run folder's ``scenario.toml`` is the fully resolved scenario with the ``steps`` and ``seed``
of the run, so ``coprod run FOLDER`` (or ``coprod run FOLDER/scenario.toml``) runs it again to
identical measures. ``--set`` overrides and a ``--steps`` change are baked into that file,
listed in its description and in ``manifest.json``, and send the run to a folder of its own
(``runs/<scenario>-seed<seed>-<8 hex digits>``), so they never replace the plain run's files.
A folder holding the results of another run is never written over without ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coprod.model.errors import OutputFolderError

if TYPE_CHECKING:  # pragma: no cover - loaded by the callers that plan a run
    from coprod.model.scenario import Scenario

#: Where ``coprod run`` writes when no ``--out`` is given.
RUNS = Path("runs")


@dataclass(frozen=True)
class RunPlan:
    """One run as ``coprod run`` will do it: the scenario to record, where, and what changed."""

    scenario: Scenario
    folder: Path
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def seed(self) -> int:
        """The run's root seed (recorded in the scenario)."""
        assert self.scenario.seed is not None
        return self.scenario.seed


def run_folder_of(argument: str) -> Path | None:
    """The run folder ``argument`` names: ``FOLDER`` or ``FOLDER/scenario.toml`` of a run."""
    path = Path(argument)
    if path.is_dir() and (path / "scenario.toml").is_file():
        return path
    if path.name == "scenario.toml" and _manifest(path.parent).get("kind") == "run":
        return path.parent
    return None


def scenario_source(argument: str) -> str:
    """What to load for ``argument``: a run folder's ``scenario.toml``, or the argument."""
    folder = run_folder_of(argument)
    return str(folder / "scenario.toml") if folder is not None else argument


def plan_run(
    argument: str,
    loaded: Scenario,
    overrides: dict[str, Any],
    steps: int | None,
    seed: int | None,
    out: Path | None,
) -> RunPlan:
    """Resolve a run: steps and seed recorded in the scenario, changes named, folder chosen.

    Args:
        argument: What the user named (a scenario name, a file, a run folder).
        loaded: The scenario with ``overrides`` already applied.
        overrides: The ``--set`` overrides, as parsed.
        steps: ``--steps``, or None for the scenario's.
        seed: ``--seed``, or None for the scenario's recorded seed (0 if it has none).
        out: ``--out``, or None for the default folder.
    """
    given = run_folder_of(argument)
    new = dict(overrides)
    if steps is not None and steps != loaded.steps:
        new["steps"] = steps
    seed = seed if seed is not None else (loaded.seed if loaded.seed is not None else 0)
    recorded: dict[str, Any] = {"steps": steps or loaded.steps, "seed": seed}
    if new:
        said = ", ".join(f"{key}={value!r}" for key, value in new.items())
        recorded["description"] = f"{loaded.description} (changed: {said})".lstrip()
    scenario = loaded.with_overrides(recorded)
    # what a re-run folder was changed with before stays recorded
    changes = {**(_manifest(given).get("overrides") or {} if given else {}), **new}
    if out is None and given is not None and not new and seed == loaded.seed:
        out = given  # re-running a run folder as it is: into itself, to the same results
    if out is None:
        suffix = f"-{digest(changes)[:8]}" if changes else ""
        out = RUNS / f"{scenario.name}-seed{seed}{suffix}"
    return RunPlan(scenario=scenario, folder=Path(out), changes=changes)


def digest(data: Any) -> str:
    """SHA-256 of ``data`` as canonical JSON (sorted keys)."""
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_run_folder(folder: Path, scenario: Scenario, force: bool) -> None:
    """Refuse, before anything runs, a folder that cannot take this run's results.

    Raises:
        OutputFolderError: ``folder`` is a file, or holds the results of another scenario or
            seed (re-running the same scenario and seed into its own folder is allowed, and so
            is anything with ``force``).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(f"--out {folder}: is a file, not a folder; name a folder")
    recorded = _manifest(folder)
    if force or recorded.get("kind") != "run":
        return
    if recorded.get("scenario_sha256") != digest(scenario.to_dict()):
        raise OutputFolderError(
            f"{folder} holds another run ({recorded.get('scenario')}, seed "
            f"{recorded.get('seed')}); name another folder with --out, or replace it with --force"
        )


def check_out_folder(folder: Path, kind: str) -> None:
    """Refuse, before anything runs, an output folder that cannot take results of ``kind``.

    A folder that does not exist yet, or that holds earlier results of the same ``kind``
    (which are replaced), is accepted.

    Args:
        folder: The output folder (``--out``).
        kind: The manifest kind the command writes (``compare``, ``validate``).

    Raises:
        OutputFolderError: ``folder`` or a folder above it is a file, ``folder`` cannot be
            created or written, or it holds results of another kind.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(f"--out {folder}: is a file, not a folder; name a folder")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing != folder and not existing.is_dir():
        raise OutputFolderError(f"--out {folder}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputFolderError(f"--out {folder}: {existing} is not writable; name another folder")
    recorded = _manifest(folder).get("kind")
    if recorded is not None and recorded != kind:
        raise OutputFolderError(
            f"--out {folder}: holds the results of a {recorded!r}, not a {kind!r}; name "
            "another folder"
        )


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
