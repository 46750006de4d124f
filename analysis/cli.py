"""The ``coprod`` command line: a thin layer over the Python API.

Errors in what the user typed or wrote (a bad scenario, an unknown key, a bad value) are printed
as one line on standard error and end the command with exit status 2, without a traceback.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coprod.model.errors import CoprodError, InputError, ScenarioError
from coprod.model.measure_registry import RUN_SUMMARY

if TYPE_CHECKING:  # pragma: no cover - the command's modules load when a command runs
    from coprod.model.scenario import Scenario


@click.group(
    name="coprod",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="coprod", prog_name="coprod")
def app() -> None:
    """Simulate co-creation and co-production of public services and their public values."""


def steps_option(func):
    """The ``--steps`` option: months to simulate (default: the scenario's)."""
    return click.option(
        "--steps", type=click.IntRange(min=1), default=None, help="Months to simulate."
    )(func)


def replicates_option(func):
    """The ``--replicates`` option of the commands that run ensembles."""
    return click.option("--replicates", type=click.IntRange(min=2), default=20, show_default=True)(
        func
    )


def seed_option(help: str):
    """The ``--seed`` option (a whole number >= 0, default 0), with the command's ``help``."""
    return click.option(
        "--seed", type=click.IntRange(min=0), default=0, show_default=True, help=help
    )


def set_option(help: str):
    """The repeatable ``--set KEY=VALUE`` option (passed as ``set_``), with ``help``."""
    return click.option("--set", "set_", multiple=True, metavar="KEY=VALUE", help=help)


def out_option(help: str, default: Path | None = None):
    """The ``--out`` output folder option, with the command's ``help`` and ``default``."""
    return click.option(
        "--out",
        type=click.Path(path_type=Path),
        default=default,
        show_default=default is not None,
        help=help,
    )


#: Measures shown in the summary table printed after a run (named in the measure registry).
SUMMARY = RUN_SUMMARY


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
        except RecursionError:
            raise ScenarioError(f"--set {key}: the value is nested too deeply") from None
        overrides[key] = value
    return overrides


def load_scenario(name: str, overrides: list[str] | None) -> Scenario:
    """Load a scenario by name or path and apply ``--set`` overrides.

    Its name becomes part of output folder and file names, so it must be a plain name.
    """
    from coprod.analysis.output import safe_name
    from coprod.model.places import places_for, resolve
    from coprod.model.scenario import Scenario

    scenario = Scenario.load(name)
    parsed = parse_overrides(overrides)
    if parsed:
        scenario = scenario.with_overrides(parsed)
    safe_name(scenario.name, f"{name}: name")
    # a places table is read and checked now, before anything runs; what it ignores is said
    scenario = resolve(scenario)
    places = places_for(scenario)
    for note in places.table.notes if places is not None else ():
        click.echo(f"note: {note}", err=True)
    return scenario


@app.command("scenarios")
def scenarios_command() -> None:
    """List the named scenarios with their descriptions."""
    from coprod.model.scenario import Scenario, scenario_names

    names = scenario_names()
    width = max(len(n) for n in names)
    for name in names:
        description = Scenario.load(name).description
        click.echo(f"{name:<{width}}  {description}")


@app.command("run")
@click.argument("scenario")
@steps_option
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Root seed of every random draw (default: the scenario's recorded seed, else 0).",
)
@set_option("Override a key, e.g. --set governance.ict_role=substitutive (repeatable).")
@out_option(
    "Output folder (default: runs/<scenario>-seed<seed>, with a suffix when --set or --steps "
    "change the scenario; a run folder given as SCENARIO is re-run into itself)."
)
@click.option("--force", is_flag=True, help="Write over a folder that holds another run.")
def run_command(
    scenario: str,
    steps: int | None,
    seed: int | None,
    set_: tuple[str, ...],
    out: Path | None,
    force: bool,
) -> None:
    """Run one scenario; write measures, the resolved scenario, a manifest and a figure.

    SCENARIO is a name (coprod scenarios lists them), a TOML file, or a run folder (or its
    scenario.toml), which runs again to identical measures.
    """
    from coprod.analysis.runs.folder import check_run_folder, plan_run, scenario_source
    from coprod.analysis.runs.output import write_run
    from coprod.analysis.stats import HORIZON_WINDOW, simulated_months
    from coprod.model.run import run_scenario

    loaded = load_scenario(scenario_source(scenario), list(set_))
    plan = plan_run(scenario, loaded, parse_overrides(list(set_)), steps, seed, out)
    check_run_folder(plan.folder, plan.scenario, force)
    result = run_scenario(plan.scenario)
    files = write_run(result, plan.folder, overrides=plan.changes)
    frame = simulated_months(result.model_vars)
    last = frame.iloc[-1]
    tail = frame.iloc[-HORIZON_WINDOW:].mean()
    click.echo(
        f"{plan.scenario.name}: {len(frame)} months, {plan.scenario.population.citizens} "
        f"citizens, seed {result.seed}"
    )
    click.echo(f"{'measure':<22}{'final':>8}{'last 12 mo':>12}")
    for name in SUMMARY:
        click.echo(f"{name:<22}{last[name]:>8.3f}{tail[name]:>12.3f}")
    click.echo(f"wrote {len(files)} files to {plan.folder}")


def _dask_dashboard(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--dask-dashboard``: local clusters of this command serve Dask's dashboard."""
    if value:
        from coprod.analysis.runs.parallel import serving_dashboard

        ctx.with_resource(serving_dashboard())


def scheduler_option(func):
    """The ``--scheduler`` and ``--dask-dashboard`` options of commands that run many runs."""
    func = click.option(
        "--dask-dashboard",
        is_flag=True,
        expose_value=False,
        callback=_dask_dashboard,
        help="With a local Dask cluster (--scheduler local, or the default for big jobs), serve "
        "Dask's dashboard on 127.0.0.1 and print its link (needs bokeh).",
    )(func)
    return click.option(
        "--scheduler",
        metavar="ADDR",
        default=None,
        help="Where runs execute: a Dask scheduler address (tcp://host:8786), 'local' (a local "
        "Dask cluster), or 'serial' (this process). Default: a local cluster sized to the "
        "machine, or this process for small jobs.",
    )(func)


def yes_option(func):
    """The ``--yes`` option: run a job over the run or time limits (docs/scale.md)."""
    return click.option(
        "--yes",
        is_flag=True,
        help="Run a job over 10 million runs or a day's estimated time (docs/scale.md).",
    )(func)


def progress_option(func):
    """The ``--progress/--no-progress`` option of the commands that run many simulations."""
    return click.option(
        "--progress/--no-progress",
        default=True,
        show_default=True,
        help="Show a progress bar (runs done, rate, time left) on standard error.",
    )(func)


@app.command("compare")
@click.argument("scenarios", nargs=-1, required=True)
@replicates_option
@steps_option
@seed_option("Root seed of the replicate seeds, shared by all scenarios.")
@set_option("Override a key in every scenario (repeatable).")
@out_option("Output folder (default: runs/compare-<first>-<second>...).")
@click.option(
    "--by-municipality",
    is_flag=True,
    help="Also compare each place (by status rank) and the innovation processes; writes "
    "municipalities.* and innovations.* (scenarios with several municipalities).",
)
@click.option(
    "--by-place",
    is_flag=True,
    help="Also compare each neighbourhood of the scenarios' places table (population.places); "
    "writes places.*.",
)
@click.option(
    "--posterior",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="A calibration's posterior.parquet: each replicate draws its parameters from it "
    "(the same draw in every scenario), so intervals include parameter uncertainty.",
)
@scheduler_option
@yes_option
@progress_option
def compare_command(
    scenarios: tuple[str, ...],
    replicates: int,
    steps: int | None,
    seed: int,
    set_: tuple[str, ...],
    out: Path | None,
    by_municipality: bool,
    by_place: bool,
    posterior: Path | None,
    scheduler: str | None,
    yes: bool,
    progress: bool,
) -> None:
    """Compare scenarios: means and 95% intervals, differences to the first (Welch), figures."""
    from coprod.analysis.runs.folder import check_out_folder

    if len(scenarios) < 2:
        raise click.UsageError("compare needs at least two scenarios, e.g. coproduction socialgov")
    if out is not None:
        check_out_folder(out, "compare")
    resolved = [load_scenario(name, list(set_)) for name in scenarios]
    folder = out or Path("runs") / ("compare-" + "-".join(s.name for s in resolved))[:120]
    check_out_folder(folder, "compare")

    from coprod.analysis.compare.comparison import TABLE_MEASURES, horizon_table, run_comparison
    from coprod.analysis.compare.output import write_comparison
    from coprod.analysis.runs.parallel import check_client

    check_client(scheduler)
    extra: list[Path] = []
    if posterior is not None:
        extra.append(_check_posterior(posterior, resolved, replicates, seed, folder))
    if by_municipality or by_place:
        detail = _compare_places(
            resolved, replicates, steps, seed, scheduler, yes, progress, posterior,
            by_municipality=by_municipality, by_place=by_place,
        )  # fmt: skip
        runs = detail.model_vars
        extra += _write_places(detail, folder, by_municipality, by_place)
    else:
        with _progress(progress, "compare"):
            runs = run_comparison(
                resolved, replicates, steps, seed, client=scheduler, yes=yes, posterior=posterior
            )
    horizon, files = write_comparison(runs, resolved, folder, seed=seed, extra_files=extra)
    click.echo(
        f"{len(resolved)} scenarios x {replicates} replicates, {int(runs.step.max())} months, "
        f"seed {seed}; horizon = mean of the last 12 months"
    )
    click.echo(horizon_table(horizon, TABLE_MEASURES))
    if by_municipality or by_place:
        _echo_places(detail, by_municipality, by_place)
    if posterior is not None:
        click.echo(f"parameters drawn per replicate from {posterior} (posterior_draws.csv)")
    click.echo(f"wrote {len(files)} files to {folder}")


def _compare_places(
    resolved, replicates, steps, seed, scheduler, yes, progress, posterior,
    by_municipality=True, by_place=False,
):  # fmt: skip
    """``compare --by-municipality``/``--by-place``: every table of every run."""
    from coprod.analysis.municipalities.runs import (
        check_municipalities,
        check_places,
        run_comparison_detail,
    )

    if by_municipality:
        check_municipalities(resolved)
    if by_place:
        check_places(resolved)
    if not yes:
        _check_compare_size(resolved, replicates, steps, scheduler)
    with _progress(progress, "compare"):
        return run_comparison_detail(
            resolved, replicates, steps, seed, client=scheduler, posterior=posterior,
            places=by_place,
        )  # fmt: skip


def _echo_places(detail, by_municipality: bool, by_place: bool) -> None:
    from coprod.analysis.municipalities.output import summary_text
    from coprod.analysis.municipalities.place_comparison import place_summary_text

    if by_municipality:
        click.echo(summary_text(detail))
    if by_place:
        click.echo(place_summary_text(detail))


def _write_places(detail, folder: Path, by_municipality: bool, by_place: bool) -> list[Path]:
    from coprod.analysis.municipalities.output import write_municipality_comparison
    from coprod.analysis.municipalities.place_comparison import write_place_comparison

    files = write_municipality_comparison(detail, folder) if by_municipality else []
    return files + (write_place_comparison(detail, folder) if by_place else [])


def _check_posterior(
    posterior: Path, scenarios: list[Scenario], replicates: int, seed: int, folder: Path
) -> Path:
    """Check the posterior against every scenario and write the draws; before anything runs."""
    from coprod.analysis.calibration.posterior import posterior_draws, scenarios_with_draws
    from coprod.analysis.output import write_frame

    draws = posterior_draws(posterior, replicates, seed)
    for scenario in scenarios:
        scenarios_with_draws(scenario, draws, f"{posterior}: {scenario.name}")
    return write_frame(folder / "posterior_draws.csv", draws)


@app.command("sweep")
@click.argument("sweep_file", metavar="SWEEP.toml", type=click.Path(path_type=Path))
@out_option(
    "Output folder (default: runs/sweep-<name>). Run again to resume an interrupted sweep."
)
@scheduler_option
@progress_option
@yes_option
def sweep_command(
    sweep_file: Path, out: Path | None, scheduler: str | None, progress: bool, yes: bool
) -> None:
    """Run a parameter sweep; results resume after an interruption."""
    from coprod.analysis.runs.parallel import check_client
    from coprod.analysis.sweep.plan import plan_sweep

    check_client(scheduler)
    plan = plan_sweep(sweep_file, yes=yes, client=scheduler)
    folder = out or Path("runs") / f"sweep-{plan.spec.name}"
    header = (
        f"{plan.spec.name}: {len(plan.points)} points x {plan.spec.replicates} replicates = "
        f"{len(plan.runs)} runs of {plan.steps} months ({plan.spec.design} design)"
    )
    summary = _run_plan(plan, folder, scheduler, progress, header)
    _echo_sweep_summary(summary, plan.keys)
    click.echo(f"wrote {len(plan.runs)} runs and the summary to {folder}")


@app.command("sensitivity")
@click.argument("sweep_file", metavar="SWEEP.toml", type=click.Path(path_type=Path))
@click.option(
    "--method", type=click.Choice(["morris", "sobol"]), required=True, help="SALib method."
)
@click.option(
    "--samples",
    type=click.IntRange(min=2),
    default=None,
    help="Morris trajectories or Sobol base sample N (default: the sweep file's samples).",
)
@out_option("Output folder (default: runs/sensitivity-<name>-<method>).")
@scheduler_option
@progress_option
@yes_option
def sensitivity_command(
    sweep_file: Path,
    method: str,
    samples: int | None,
    out: Path | None,
    scheduler: str | None,
    progress: bool,
    yes: bool,
) -> None:
    """Global sensitivity analysis (SALib Morris or Sobol) of the sweep file's parameters."""
    from coprod.analysis.runs.parallel import check_client
    from coprod.analysis.sweep.sensitivity import indices_from_means, plan_sensitivity
    from coprod.analysis.sweep.summary import point_means

    check_client(scheduler)
    plan, problem, X = plan_sensitivity(sweep_file, method, samples, yes=yes, client=scheduler)
    folder = out or Path("runs") / f"sensitivity-{plan.spec.name}-{method}"
    header = (
        f"{plan.spec.name}: {method}, {len(plan.points)} sample points x "
        f"{plan.spec.replicates} replicates = {len(plan.runs)} runs of {plan.steps} months"
    )
    summary = _run_plan(plan, folder, scheduler, progress, header)
    means = point_means(summary, list(plan.spec.measures))
    indices = indices_from_means(plan, problem, X, means, folder)
    _echo_indices(indices)
    click.echo(f"wrote the runs, indices and figure to {folder}")


@app.command("calibrate")
@click.argument("calibration_file", metavar="CALIBRATION.toml", type=click.Path(path_type=Path))
@out_option(
    "Output folder (default: runs/calibrate-<name>). Run again to continue an interrupted "
    "calibration from its last completed generation."
)
@scheduler_option
def calibrate_command(calibration_file: Path, out: Path | None, scheduler: str | None) -> None:
    """Fit parameters to observed data (ABC-SMC, pyabc); write the posterior and figures."""
    from coprod.analysis.calibration.fit import calibrate, check_pyabc
    from coprod.analysis.calibration.spec import load_calibration
    from coprod.analysis.runs.parallel import check_client

    plan = load_calibration(calibration_file)
    check_client(scheduler)
    check_pyabc()
    folder = out or Path("runs") / f"calibrate-{plan.spec.name}"
    abc = plan.spec.abc
    click.echo(
        f"{plan.spec.name}: {len(plan.priors)} parameters, {len(plan.observations)} observed "
        f"statistics, {abc.population} particles x up to {abc.generations} generations, "
        f"{plan.steps} months, {plan.base.population.citizens} citizens, seed {plan.spec.seed}"
    )
    try:
        result = calibrate(plan, out=folder, scheduler=scheduler, progress=click.echo)
    except KeyboardInterrupt:
        click.echo(
            f"completed generations are kept in {folder / 'history.db'}; run the same command "
            "to continue",
            err=True,
        )
        raise
    if result.resumed_from:
        click.echo(f"({result.resumed_from} generations were already in {folder / 'history.db'})")
    table = result.summary[
        ["parameter", "prior", "median", "low", "high", "width_ratio", "identified"]
    ].rename(columns={"low": "5%", "high": "95%", "width_ratio": "width/prior"})
    click.echo("posterior (median and 90% credible interval; its width over the prior's):")
    click.echo(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    click.echo("identification:")
    for line in result.identification:
        click.echo(f"  {line}")
    click.echo(f"wrote {len(result.files)} files to {folder}")


@app.command("report")
@click.argument("results_dir", metavar="RESULTS_DIR", type=click.Path(path_type=Path))
def report_command(results_dir: Path) -> None:
    """Summarise a results folder (run, compare, sweep, sensitivity) in HTML and Markdown."""
    from coprod.analysis.report import write_report

    files = write_report(results_dir)
    click.echo("wrote " + " and ".join(str(f) for f in files))


@contextmanager
def _progress(enabled: bool, desc: str) -> Iterator[None]:
    """A progress bar on standard error (runs done, rate, time left) for the runs inside.

    The bar appears when the first runs start, so a command refused before any run (a
    work-size guard, a bad input) still answers with its one line.
    """
    from tqdm.auto import tqdm

    from coprod.analysis.runs.parallel import reporting_progress

    bar = _LazyBar(
        lambda: tqdm(
            total=0,
            unit="run",
            desc=desc,
            disable=not enabled,
            file=sys.stderr,
            dynamic_ncols=True,
        )
    )
    try:
        with reporting_progress(bar):
            yield
    finally:
        bar.close()


class _LazyBar:
    """A tqdm bar made on first use (``total``, ``refresh``, ``update``, ``close``)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make, self._bar = make, None

    def _made(self) -> Any:
        if self._bar is None:
            self._bar = self._make()
        return self._bar

    @property
    def total(self) -> int:
        return self._bar.total if self._bar is not None else 0

    @total.setter
    def total(self, value: int) -> None:
        self._made().total = value

    def refresh(self) -> None:
        self._made().refresh()

    def update(self, n: int = 1) -> None:
        self._made().update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _run_plan(plan, folder: Path, scheduler: str | None, progress: bool, header: str):
    """Check where ``plan`` runs and writes, print ``header``, run it (it resumes); the summary.

    The runs stay on disk: only their summary (gathered a batch of runs at a time) is kept.
    """
    from coprod.analysis.runs.parallel import check_client
    from coprod.analysis.sweep.folder import check_output
    from coprod.analysis.sweep.run import run_sweep

    check_client(scheduler)
    check_output(plan, folder)
    click.echo(header)
    return _interruptible(
        lambda: run_sweep(plan, folder, scheduler, progress, load=False), folder, plan
    )


def _check_compare_size(scenarios, replicates: int, steps: int | None, scheduler) -> None:
    """The work-size check of a comparison, before its municipality detail runs."""
    from coprod.analysis.runs.ensemble import check_ensemble_size

    biggest = max(scenarios, key=lambda s: s.population.citizens * (steps or s.steps))
    months = max(steps or s.steps for s in scenarios)
    runs = len(scenarios) * replicates
    check_ensemble_size("compare: ", runs, biggest, months, client=scheduler)


def _interruptible(run, folder: Path, plan):
    """Run ``run()``; on Ctrl-C say what was kept and how to resume, then stop."""
    try:
        return run()
    except KeyboardInterrupt:
        from coprod.analysis.sweep.folder import finished_runs

        kept = len(finished_runs(plan, folder, tidy=False)) if folder.exists() else 0
        click.echo(
            f"{kept} of {len(plan.runs)} runs kept in {folder}; run the same command to resume",
            err=True,
        )
        raise


def _echo_sweep_summary(summary, keys: list[str], limit: int = 40) -> None:
    table = summary.pivot_table(
        index=["point", *keys], columns="measure", values="mean", sort=False
    )
    click.echo("horizon means (last 12 months, averaged over replicates):")
    click.echo(table.head(limit).to_string(float_format=lambda v: f"{v:.3f}"))
    if len(table) > limit:
        click.echo(f"... {len(table) - limit} more points in summary.csv")


def _echo_indices(indices) -> None:
    key = "mu_star" if indices["method"].iloc[0] == "morris" else "ST"
    shown = indices.drop(columns="method").sort_values(
        ["measure", key], ascending=[True, False], kind="stable"
    )
    click.echo(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


@app.command("validate")
@replicates_option
@steps_option
@seed_option("Root seed of the replicate seeds, shared by every ensemble.")
@click.option(
    "--scenario",
    "base",
    default=None,
    help="Validate this scenario's parameter set instead of the defaults.",
)
@set_option("Override a key of the parameter set (repeatable).")
@out_option("Output folder.", default=Path("runs/validation"))
@click.option(
    "--strict",
    is_flag=True,
    help="Exit with status 1 if a pattern is not reproduced (for scripts and CI).",
)
@scheduler_option
@yes_option
@progress_option
def validate_command(
    replicates: int,
    steps: int | None,
    seed: int,
    base: str | None,
    set_: tuple[str, ...],
    out: Path,
    strict: bool,
    scheduler: str | None,
    yes: bool,
    progress: bool,
) -> None:
    """Check the model against published patterns; write a table, figures and a report."""
    from coprod.analysis.runs.folder import check_out_folder

    check_out_folder(out, "validate")
    from coprod.analysis.runs.parallel import check_client
    from coprod.analysis.validate.output import write_validation
    from coprod.analysis.validate.patterns import run_validation
    from coprod.model.scenario import Scenario

    scenario = Scenario() if base is None else Scenario.load(base)
    overrides = parse_overrides(list(set_))
    if overrides:
        scenario = scenario.with_overrides(overrides)
    check_client(scheduler)
    with _progress(progress, "validate"):
        validation = run_validation(
            scenario, replicates=replicates, steps=steps, seed=seed, client=scheduler, yes=yes
        )
    files = write_validation(validation, out)
    verdict = {True: "pass", False: "FAIL", None: "reported"}
    for check in validation.checks:
        click.echo(
            f"{verdict[check.passed]:<9}{check.pattern:<52}{check.observed:>8.3f} "
            f"[{check.ci_low:.3f}, {check.ci_high:.3f}]"
        )
    checked = [c.passed for c in validation.checks if c.passed is not None]
    click.echo(
        f"{sum(checked)} of {len(checked)} patterns reproduced; wrote {len(files)} files to {out}"
    )
    if strict and not validation.passed:
        sys.exit(1)


#: The dashboard's languages (coprod.dashboard.i18n.LANGUAGES, which needs the dashboard extra).
DASHBOARD_LANGUAGES = ("en", "de", "nl")


@app.command("dashboard")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback unless told otherwise).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--lang",
    type=click.Choice(DASHBOARD_LANGUAGES, case_sensitive=False),
    default=None,
    help="Language of the page for every browser: en, de or nl "
    "(default: each browser's preferred language, else en).",
)
@click.option(
    "--room",
    is_flag=True,
    default=False,
    help="Open a workshop room at start and print its join link, code and the facilitator's "
    "link (participants on other devices need --host 0.0.0.0).",
)
def dashboard_command(host: str, port: int, lang: str | None, room: bool) -> None:
    """Start the workshop dashboard in the browser (Solara)."""
    import importlib.util

    from coprod.model.errors import PreconditionError

    if importlib.util.find_spec("solara") is None:
        raise PreconditionError(
            "the dashboard needs its extra: python -m pip install 'coprod[dashboard]'"
        )
    from coprod.dashboard.server import serve

    serve(host=host, port=port, lang=lang.lower() if lang else None, room=room)


#: Raised by click 8.2+ when the group is called with no arguments: help, not an error.
_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``coprod`` console script."""
    try:
        app.main(args=argv, prog_name="coprod", standalone_mode=False)
    except InputError as exc:  # a bad scenario, sweep file, argument or results folder
        _fail(str(exc))
    except _NO_ARGS as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "coprod --help")
    except click.UsageError as exc:
        _fail(exc.format_message() if hasattr(exc, "format_message") else str(exc))
    except click.exceptions.Abort:
        _fail("interrupted", status=130)
    except click.ClickException as exc:
        _fail(exc.format_message())
    except CoprodError as exc:  # a full disk, a read-only folder, lost workers
        _fail(str(exc), status=1)
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror}" if exc.strerror else str(exc), status=1)


def _fail(message: str, status: int = 2) -> None:
    one_line = " ".join(message.split())
    print(f"coprod: error: {one_line}", file=sys.stderr)
    sys.exit(status)


if __name__ == "__main__":
    main()
