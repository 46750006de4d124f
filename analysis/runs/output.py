"""The files of one run: measures, resolved scenario, manifest and overview figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coprod.analysis.output import manifest, write_frame, write_json, write_text
from coprod.analysis.municipalities.place_plots import place_figure
from coprod.analysis.plots import overview_figure, save_figure
from coprod.analysis.runs.folder import digest
from coprod.model.run import RunResult


def write_run(
    result: RunResult, folder: Path, overrides: dict[str, Any] | None = None
) -> list[Path]:
    """Write a run's results to ``folder``, each file atomically; the manifest comes last.

    ``scenario.toml`` records the run's ``steps`` and ``seed``, so running it again reproduces
    the measures exactly; ``overrides`` (what ``--set`` and ``--steps`` changed) go into the
    manifest.
    """
    folder = Path(folder)
    frame = result.model_vars.reset_index()
    months = int(frame["step"].max())
    scenario = result.scenario.with_overrides({"steps": months, "seed": result.seed})
    files = [
        write_frame(folder / "measures.csv", frame),
        write_frame(folder / "measures.parquet", frame),
        write_text(folder / "scenario.toml", scenario.to_toml()),
    ]
    if len(result.municipality_vars):
        files.append(write_frame(folder / "municipalities.parquet", result.municipality_vars))
    if len(result.place_vars):
        files += _write_places(result, folder)
    fig = overview_figure(result.model_vars, title=f"{result.scenario.name} (seed {result.seed})")
    save_figure(fig, folder / "measures.png")
    files.append(folder / "measures.png")
    files.append(
        write_json(
            folder / "manifest.json",
            manifest(
                kind="run",
                scenario=result.scenario.name,
                seed=result.seed,
                steps=months,
                overrides=dict(overrides or {}),
                scenario_sha256=digest(scenario.to_dict()),
                files=[p.name for p in files],
            ),
        )
    )
    return files


def _write_places(result: RunResult, folder: Path) -> list[Path]:
    """``places.parquet`` (every month and neighbourhood) and ``places.png`` (last year)."""
    frame = result.place_vars.copy()
    frame["name"] = frame["name"].astype(str)
    if result.places is not None:  # the municipality's name beside its index
        names = list(result.places.municipalities)
        frame.insert(4, "municipality_name", [names[i] for i in frame["municipality"]])
    path = write_frame(folder / "places.parquet", frame)
    title = f"{result.scenario.name} (seed {result.seed}): last 12 months by neighbourhood"
    save_figure(place_figure(result.place_vars, result.places, title=title), folder / "places.png")
    return [path, folder / "places.png"]
