"""The ``coprod`` command line: a thin layer over the Python API.

Errors in what the user typed or wrote (a bad scenario, an unknown key, a bad value) are printed
as one line on standard error and end the command with exit status 2, without a traceback.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import click

from coprod.model.scenario import Scenario, ScenarioError, scenario_names


@click.group(
    name="coprod",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="coprod", prog_name="coprod")
def app() -> None:
    """Simulate co-creation and co-production of public services and their public values."""


#: Measures shown in the summary table printed after a run.
SUMMARY = (
    "participation_rate",
    "participation_gap",
    "contribution_gini",
    "adoption",
    "trust",
    "effectiveness",
    "efficiency",
    "responsiveness",
    "equality",
    "lawfulness",
    "integrity",
)


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """``["governance.budget=0.7", ...]`` to ``{"governance.budget": 0.7}`` (values as TOML)."""
    overrides: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError(f"--set {item!r}: expected key=value, e.g. governance.budget=0.7")
        raw = raw.strip()
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw  # a bare word such as substitutive is taken as a string
        overrides[key] = value
    return overrides


def load_scenario(name: str, overrides: list[str] | None) -> Scenario:
    """Load a scenario by name or path and apply ``--set`` overrides."""
    scenario = Scenario.load(name)
    parsed = parse_overrides(overrides)
    return scenario.with_overrides(parsed) if parsed else scenario


@app.command("scenarios")
def scenarios_command() -> None:
    """List the named scenarios with their descriptions."""
    names = scenario_names()
    width = max(len(n) for n in names)
    for name in names:
        description = Scenario.load(name).description
        click.echo(f"{name:<{width}}  {description}")


@app.command("run")
@click.argument("scenario")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Months to simulate.")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Root seed of every random draw.",
)
@click.option(
    "--set",
    "set_",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a key, e.g. --set governance.ict_role=substitutive (repeatable).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (default: runs/<scenario>-seed<seed>).",
)
def run_command(
    scenario: str, steps: int | None, seed: int, set_: tuple[str, ...], out: Path | None
) -> None:
    """Run one scenario; write measures, the resolved scenario, a manifest and a figure."""
    from coprod.analysis.run_output import write_run
    from coprod.model.run import run_scenario

    resolved = load_scenario(scenario, list(set_))
    folder = out if out is not None else Path("runs") / f"{resolved.name}-seed{seed}"
    result = run_scenario(resolved, steps=steps, seed=seed)
    files = write_run(result, folder)
    frame = result.model_vars
    last = frame.iloc[-1]
    tail = frame.iloc[-12:].mean()
    click.echo(
        f"{resolved.name}: {len(frame)} months, {resolved.population.citizens} citizens, "
        f"seed {result.seed}"
    )
    click.echo(f"{'measure':<22}{'final':>8}{'last 12 mo':>12}")
    for name in SUMMARY:
        click.echo(f"{name:<22}{last[name]:>8.3f}{tail[name]:>12.3f}")
    click.echo(f"wrote {len(files)} files to {folder}")


@app.command("dashboard")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback unless told otherwise).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
def dashboard_command(host: str, port: int) -> None:
    """Start the workshop dashboard in the browser (Solara)."""
    from coprod.dashboard.server import serve

    serve(host=host, port=port)


#: Raised by click 8.2+ when the group is called with no arguments: help, not an error.
_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``coprod`` console script."""
    try:
        app.main(args=argv, prog_name="coprod", standalone_mode=False)
    except ScenarioError as exc:
        _fail(str(exc))
    except _NO_ARGS as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "coprod --help")
    except click.UsageError as exc:
        _fail(exc.format_message() if hasattr(exc, "format_message") else str(exc))
    except click.exceptions.Abort:
        _fail("interrupted", status=130)
    except click.ClickException as exc:
        _fail(exc.format_message())
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror}" if exc.strerror else str(exc), status=1)


def _fail(message: str, status: int = 2) -> None:
    one_line = " ".join(message.split())
    print(f"coprod: error: {one_line}", file=sys.stderr)
    sys.exit(status)


if __name__ == "__main__":
    main()
