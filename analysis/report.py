"""Reports: one self-contained HTML file and its Markdown twin for a results folder.

A report reads the folder's manifest to learn what was run (``run``, ``compare``, ``sweep`` or
``sensitivity``), and summarises it for someone who was not there: the scenarios, seeds and
coprod version; the key measures with their intervals; the main findings; and the figures. The
HTML embeds the figures (base64 PNG) so it can be mailed on its own; the Markdown links to the
PNG files beside it.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from coprod.analysis.compare.comparison import TABLE_MEASURES
from coprod.analysis.output import write_text
from coprod.analysis.stats import (
    HORIZON_WINDOW,
    format_interval,
    interval_rows,
    simulated_months,
)
from coprod.analysis.wording import MARKER_LEGEND, finding, marked_change
from coprod.model.errors import InputError, ScenarioError
from coprod.model.measure_registry import BY_NAME
from coprod.model.scenario import Scenario

KINDS = ("run", "compare", "sweep", "sensitivity", "validate", "calibrate")


class ReportError(InputError):
    """A folder cannot be reported on; the message says why."""


@dataclass
class Section:
    """A part of a report: paragraphs, tables (already formatted as text) and figures."""

    title: str
    text: list[str] = field(default_factory=list)
    tables: list[pd.DataFrame] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)


@dataclass
class Report:
    """What a report says, independent of its format."""

    title: str
    facts: list[tuple[str, str]]
    sections: list[Section]


# ---------------------------------------------------------------------- building
def build_report(folder: str | Path) -> Report:
    """Read a results folder and describe it (see the module docstring)."""
    folder = Path(folder)
    path = folder / "manifest.json"
    if not folder.is_dir():
        raise ReportError(f"results folder not found: {folder}")
    if not path.is_file():
        raise ReportError(
            f"{folder}: no manifest.json; give the output folder of a coprod command"
        )
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: unreadable manifest ({exc})") from None
    kind = info.get("kind")
    if kind not in KINDS:
        raise ReportError(f"{path}: kind = {kind!r} is not one of {', '.join(KINDS)}")
    builder = {
        "run": _run,
        "compare": _compare,
        "sweep": _sweep,
        "sensitivity": _sensitivity,
        "validate": _validate,
        "calibrate": _calibrate,
    }
    title, facts, sections = builder[kind](folder, info)
    facts += [
        ("coprod version", str(info.get("coprod_version", "?"))),
        ("created", str(info.get("created", "?"))),
        ("folder", str(folder)),
    ]
    return Report(title, facts, sections)


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise ReportError(f"{folder}: {name} is missing; was the command interrupted?")
    return pd.read_parquet(path)


def _figures(folder: Path, names: list[str]) -> list[Path]:
    return [folder / n for n in names if (folder / n).is_file()]


def _scenario_line(path: Path) -> str:
    try:
        s = Scenario.load(path)
    except ScenarioError:
        return path.stem
    return f"{s.name}: {s.description}" if s.description else s.name


def _file_name(name: object, key: str) -> str:
    """``name``, read from a results file, if it is a plain file name (never a path)."""
    from coprod.analysis.output import safe_name

    try:
        return safe_name(str(name), key)
    except ScenarioError as exc:
        raise ReportError(str(exc)) from None


def _run(folder: Path, info: dict) -> tuple[str, list, list[Section]]:
    frame = simulated_months(_read(folder, "measures.parquet").set_index("step"))
    tail = frame.iloc[-HORIZON_WINDOW:]
    rows = [
        {
            "measure": m,
            "final": f"{frame[m].iloc[-1]:.3f}",
            f"mean, last {len(tail)} months": f"{tail[m].mean():.3f}",
            "range, same months": f"{tail[m].min():.3f} – {tail[m].max():.3f}",
            "reading": BY_NAME[m].preference,
        }
        for m in TABLE_MEASURES
        if m in frame
    ]
    facts = [
        ("kind", "single run"),
        ("scenario", _scenario_line(folder / "scenario.toml")),
        ("seed", str(info.get("seed"))),
        ("months", str(len(frame))),
    ]
    measures = Section(
        "Key measures",
        text=[
            "One run has no replicates, so there is no confidence interval; the range shows "
            "how much the measure moved over the last months. Use `coprod compare` for "
            "intervals across replicates."
        ],
        tables=[pd.DataFrame(rows)],
    )
    figures = Section("Figures", figures=_figures(folder, ["measures.png", "places.png"]))
    return (
        f"coprod run: {info.get('scenario')} (seed {info.get('seed')})",
        facts,
        [measures, figures],
    )


def comparison_table(horizon: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """The key measures per scenario: mean and, after the reference, the marked difference."""
    reference = scenarios[0]
    rows = horizon.set_index(["measure", "scenario"])
    table = []
    for m in TABLE_MEASURES:
        for s in scenarios:
            if (m, s) not in rows.index:
                continue
            r = rows.loc[(m, s)]
            table.append(
                {
                    "measure": m,
                    "scenario": s,
                    "mean [95% CI]": format_interval(r["mean"], r["ci_low"], r["ci_high"]),
                    f"difference to {reference} [95% CI]": ""
                    if s == reference
                    else format_interval(r["diff"], r["diff_low"], r["diff_high"], signed=True)
                    + marked_change(m, r["diff"], r["diff_low"], r["diff_high"]),
                }
            )
    return pd.DataFrame(table)


def _findings(horizon: pd.DataFrame, reference: str) -> list[str]:
    """The ten largest clear differences to ``reference``, each worded better or worse."""
    clear = horizon[
        (horizon["scenario"] != reference)
        & horizon["measure"].isin(TABLE_MEASURES)
        & ((horizon["diff_low"] > 0) | (horizon["diff_high"] < 0))
    ]
    clear = clear.reindex(clear["diff"].abs().sort_values(ascending=False).index).head(10)
    return [
        f"**{r.measure}** is {finding(r.measure, r.diff)} under {r.scenario} than under "
        f"{reference}: {format_interval(r.diff, r.diff_low, r.diff_high, signed=True)}"
        for r in clear.itertuples()
    ] or ["No difference to the reference has a 95% interval that excludes zero."]


def _compare(folder: Path, info: dict) -> tuple[str, list, list[Section]]:
    horizon = _read(folder, "horizon.parquet")
    scenarios = list(dict.fromkeys(horizon["scenario"]))
    reference = scenarios[0]
    findings = _findings(horizon, reference)
    lines = [
        _scenario_line(folder / "scenarios" / f"{_file_name(s, 'horizon.parquet: scenario')}.toml")
        for s in scenarios
    ]
    facts = [
        ("kind", "comparison of scenarios"),
        ("scenarios", "; ".join(lines)),
        ("reference", reference),
        ("replicates", str(info.get("replicates"))),
        ("months", str(info.get("steps"))),
        ("root seed", str(info.get("seed"))),
        ("replicate seeds", _seeds(info.get("seeds", []))),
    ]
    if (folder / "posterior_draws.csv").is_file():
        facts.append(
            (
                "parameters",
                "drawn per replicate from a calibration's posterior, the same draw in every "
                "scenario (posterior_draws.csv): intervals include parameter uncertainty",
            )
        )
    window = f"mean of the last {HORIZON_WINDOW} months of each replicate"
    sections = [
        Section(
            "Main differences",
            text=[
                f"Differences to {reference} at the horizon ({window}), largest first, where "
                "the 95% Welch interval excludes zero:",
                *(f"- {f}" for f in findings),
            ],
        ),
        Section(
            "Key measures at the horizon",
            text=[
                f"Mean across replicates with its 95% t-interval ({window}); the difference "
                "to the reference with its 95% Welch interval.",
                f"Marks: {MARKER_LEGEND}.",
            ],
            tables=[comparison_table(horizon, scenarios)],
        ),
        Section("Figures", figures=_figures(folder, ["value_profile.png", "timeseries.png"])),
    ]
    if (folder / "municipalities.parquet").is_file():
        sections.insert(2, _municipalities(folder))
    return f"coprod compare: {' vs '.join(scenarios)}", facts, sections


def _municipalities(folder: Path) -> Section:
    """The per-place and innovation tables of ``coprod compare --by-municipality``."""
    from coprod.analysis.municipalities.stats import GROUPINGS

    def wide(stats: pd.DataFrame, key: str) -> pd.DataFrame:
        scenarios, body = interval_rows(stats, key, dict.fromkeys(stats[key]))
        labels = [s if i == 0 else f"{s} (difference)" for i, s in enumerate(scenarios)]
        return pd.DataFrame(body, columns=[key.replace("_", " "), *labels])

    by_place = _read(folder, "municipalities.parquet")
    key = next(c for c in GROUPINGS if c in by_place.columns)
    places = by_place[by_place["measure"] == "public_value"].sort_values(key)
    tables = [wide(places, key)]
    text = [
        "Public value of each place at the horizon: mean [95% t-interval]; after the first "
        "scenario, the difference to it [95% Welch interval], * where that excludes zero. "
        "Rank 1 is the best-placed municipality of each run."
    ]
    if (folder / "innovations.parquet").is_file():
        tables.append(wide(_read(folder, "innovations.parquet"), "measure"))
        text.append(
            "The second table summarises the innovations of each run: adoptions, trials, "
            "innovations that reached half of the municipalities, median months to get there, "
            "and the share of judged adoptions that raised their place's public value (fit)."
        )
    return Section("Municipalities and innovations", text=text, tables=tables)


def _seeds(seeds: list) -> str:
    shown = ", ".join(str(s) for s in seeds[:8])
    return shown + (f", … ({len(seeds)} in all)" if len(seeds) > 8 else "")


def _design_facts(info: dict) -> list[tuple[str, str]]:
    params = "; ".join(
        f"{k} = {v['min']}…{v['max']}" if isinstance(v, dict) else f"{k} ∈ {v}"
        for k, v in sorted(info.get("parameters", {}).items(), key=lambda kv: _order(info, kv[0]))
    )
    fixed = ", ".join(f"{k} = {v}" for k, v in info.get("fixed", {}).items()) or "none"
    return [
        ("parameters", params),
        ("fixed overrides", fixed),
        ("points", str(info.get("points"))),
        ("replicates", str(info.get("replicates"))),
        ("months", str(info.get("steps"))),
        ("root seed", str(info.get("seed"))),
        ("replicate seeds", _seeds(info.get("seeds", []))),
        ("runs finished", f"{info.get('runs_done')} of {info.get('runs_total')}"),
    ]


def _order(info: dict, key: str) -> int:
    keys = list(info.get("keys") or [])
    return keys.index(key) if key in keys else len(keys)


def _sweep(folder: Path, info: dict) -> tuple[str, list, list[Section]]:
    from coprod.analysis.sweep.summary import summarise_folder

    keys = list(info.get("keys") or info.get("parameters", {}))
    measures = list(info.get("measures", []))
    if (folder / "summary.parquet").is_file():
        summary = _read(folder, "summary.parquet")
    else:
        summary = summarise_folder(folder, keys, measures)
    wide = summary.assign(
        cell=[format_interval(*v) for v in summary[["mean", "ci_low", "ci_high"]].to_numpy()]
    ).pivot_table(index=["point", *keys], columns="measure", values="cell", aggfunc="first")
    wide = wide[[m for m in measures if m in wide.columns]].reset_index()
    limit = 40
    extremes = []
    for m in measures:
        sub = summary[summary["measure"] == m]
        if sub.empty:
            continue
        lo, hi = sub.loc[sub["mean"].idxmin()], sub.loc[sub["mean"].idxmax()]
        direction = BY_NAME[m].higher_is_better if m in BY_NAME else None
        extremes.append(
            f"**{m}** ranges from {lo['mean']:.3f} ({_point(lo, keys)}) "
            f"to {hi['mean']:.3f} ({_point(hi, keys)})"
            + ("" if direction is None else f"; {BY_NAME[m].preference}")
        )
    facts = [
        ("kind", f"parameter sweep ({info.get('design')} design)"),
        ("base scenario", _scenario_line(folder / "scenario.toml")),
        *_design_facts(info),
    ]
    note = (
        f" (first {limit} of {len(wide)} points; all in summary.csv)" if len(wide) > limit else ""
    )
    sections = [
        Section("Range over the design", text=[f"- {e}" for e in extremes]),
        Section(
            "Horizon means per design point",
            text=[
                f"Mean of the replicates' last {HORIZON_WINDOW} months with its 95% t-interval"
                f"{note}."
            ],
            tables=[wide.head(limit)],
        ),
        Section("Figures", figures=_figures(folder, ["main_effects.png"])),
    ]
    return f"coprod sweep: {info.get('name')}", facts, sections


def _point(row: pd.Series, keys: list[str]) -> str:
    return ", ".join(
        f"{k} = {row[k]:.3g}" if isinstance(row[k], float) else f"{k} = {row[k]}" for k in keys
    )


def _sensitivity(folder: Path, info: dict) -> tuple[str, list, list[Section]]:
    indices = _read(folder, "indices.parquet")
    method = info.get("method") or indices["method"].iloc[0]
    if method == "morris":
        key, cols = "mu_star", [("mu_star", "mu_star_conf"), ("sigma", None)]
        meaning = (
            "Morris screening: mu_star is the mean absolute elementary effect of a parameter "
            "over its range (overall influence), sigma their spread (interactions or "
            "non-linearity); ± is the 95% bootstrap interval."
        )
    else:
        key, cols = "ST", [("S1", "S1_conf"), ("ST", "ST_conf")]
        meaning = (
            "Sobol indices: S1 is the share of the output variance due to the parameter alone, "
            "ST the share including its interactions; ± is the 95% bootstrap interval."
        )
    shown = indices.sort_values(["measure", key], ascending=[True, False], kind="stable")
    table = pd.DataFrame(
        {
            "measure": shown["measure"],
            "parameter": shown["parameter"],
            **{
                c: [
                    f"{v:.3f}" + (f" ± {e:.3f}" if conf else "")
                    for v, e in zip(shown[c], shown[conf] if conf else shown[c], strict=True)
                ]
                for c, conf in cols
            },
        }
    )
    top = [
        f"**{m}**: most influenced by {g.loc[g[key].idxmax(), 'parameter']} "
        f"({key} = {g[key].max():.3f})"
        for m, g in indices.groupby("measure", sort=False)
        if np.isfinite(g[key]).any()
    ]
    facts = [
        ("kind", f"global sensitivity analysis ({method}, SALib)"),
        ("base scenario", _scenario_line(folder / "scenario.toml")),
        ("samples", str(info.get("samples"))),
        *_design_facts(info),
    ]
    sections = [
        Section("Most influential parameters", text=[f"- {t}" for t in top]),
        Section(
            "Indices",
            text=[
                meaning,
                f"Output per sample point: each measure's mean over the last {HORIZON_WINDOW} "
                "months, averaged over the replicates.",
            ],
            tables=[table],
        ),
        Section("Figures", figures=_figures(folder, ["sensitivity.png"])),
    ]
    return f"coprod sensitivity: {info.get('name')} ({method})", facts, sections


# ---------------------------------------------------------------------- rendering
_CSS = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.7rem; text-align: left; }
th { background: #f3f3f3; } td { font-variant-numeric: tabular-nums; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dt { font-weight: 600; } img { max-width: 100%; margin: 0.8rem 0; }
"""


def _validate(folder: Path, info: dict) -> tuple[str, list, list[Section]]:
    path = folder / "patterns.csv"
    if not path.is_file():
        raise ReportError(f"{folder}: patterns.csv is missing; was the command interrupted?")
    table = pd.read_csv(path)
    verdict = {True: "pass", False: "FAIL"}
    rows = [
        {
            "pattern": r["pattern"],
            "expected": r["expected"],
            "observed (95% interval)": format_interval(r["observed"], r["ci_low"], r["ci_high"]),
            "published": r["published"],
            "criterion": r["criterion"],
            "result": verdict.get(_flag(r["passed"]), "reported"),
            "calibrated on it": _calibrated(r),
        }
        for _, r in table.iterrows()
    ]
    checked = [_flag(v) for v in table["passed"] if _flag(v) is not None]
    facts = [
        ("kind", "validation against published patterns"),
        ("scenario", str(info.get("scenario"))),
        ("replicates per ensemble", str(info.get("replicates"))),
        ("months", str(info.get("steps"))),
        ("root seed", str(info.get("seed"))),
        ("result", f"{sum(checked)} of {len(checked)} patterns reproduced"),
    ]
    summary = Section(
        "Patterns",
        text=[
            "Each row compares what the model shows under one parameter set with a published "
            "pattern. Intervals are 95% t-intervals across replicates; differences between "
            "ensembles are paired by replicate seed. A pattern the calibration of the defaults "
            "used names the parameters set to reproduce it: it holds by calibration and is no "
            "independent check. docs/validation.md explains each pattern, its source and why "
            "the model should show it."
        ],
        tables=[pd.DataFrame(rows)],
    )
    sources = Section(
        "Sources", text=[f"- {r['pattern']}: {r['source']}" for _, r in table.iterrows()]
    )
    from coprod.analysis.validate.output import FIGURES

    figures = Section("Figures", figures=_figures(folder, list(FIGURES)))
    return f"coprod validation: {info.get('scenario')}", facts, [summary, sources, figures]


def _calibrated(row: pd.Series) -> str:
    """The parameters calibrated on a pattern, or "no" (older tables lack the column)."""
    value = row.get("calibrated_with", "")
    return value if isinstance(value, str) and value else "no"


def _calibrate(folder: Path, info: dict) -> tuple[str, list, list[Section]]:
    from coprod.analysis.calibration.report import calibration_report

    return calibration_report(folder, info)


def _flag(value: object) -> bool | None:
    """A ``passed`` cell read back from CSV: True, False or None (reported only)."""
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return bool(value)


def _inline(text: str) -> str:
    """Markdown ``**bold**`` and `` `code` `` as HTML, the rest escaped."""
    out = html.escape(text)
    parts = out.split("**")
    out = "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
    parts = out.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def render_html(report: Report) -> str:
    """The report as one HTML page with its figures embedded as base64 PNG."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
        "<h2>What was run</h2><dl>",
    ]
    out += [f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in report.facts]
    out.append("</dl>")
    for section in report.sections:
        out.append(f"<h2>{html.escape(section.title)}</h2>")
        bullets = [t for t in section.text if t.startswith("- ")]
        out += [f"<p>{_inline(t)}</p>" for t in section.text if not t.startswith("- ")]
        if bullets:
            out.append("<ul>" + "".join(f"<li>{_inline(t[2:])}</li>" for t in bullets) + "</ul>")
        for table in section.tables:
            out.append(table.to_html(index=False, border=0, escape=True, na_rep=""))
        for fig in section.figures:
            data = base64.b64encode(fig.read_bytes()).decode("ascii")
            out.append(f'<img alt="{html.escape(fig.stem)}" src="data:image/png;base64,{data}">')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render_markdown(report: Report) -> str:
    """The report as Markdown; figures are links to the PNG files beside it."""
    out = [f"# {report.title}", "", "## What was run", ""]
    out += [f"- **{k}**: {v}" for k, v in report.facts]
    for section in report.sections:
        out += ["", f"## {section.title}"]
        for i, text in enumerate(section.text):
            bullet = text.startswith("- ")
            if not bullet or i == 0 or not section.text[i - 1].startswith("- "):
                out.append("")
            out.append(text)
        for table in section.tables:
            out += ["", markdown_table(table)]
        for fig in section.figures:
            out += ["", f"![{fig.stem}]({fig.name})"]
    return "\n".join(out) + "\n"


def markdown_table(frame: pd.DataFrame) -> str:
    """``frame`` as a Markdown table (empty cells for missing values, ``|`` escaped)."""

    def cell(v: object) -> str:
        return ("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)).replace(
            "|", "\\|"
        )

    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |"]
    lines.append("|" + "---|" * len(frame.columns))
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join(lines)


def write_report(folder: str | Path) -> list[Path]:
    """Write ``report.html`` and ``report.md`` into a results folder, atomically."""
    folder = Path(folder)
    report = build_report(folder)
    return [
        write_text(folder / "report.html", render_html(report)),
        write_text(folder / "report.md", render_markdown(report)),
    ]
