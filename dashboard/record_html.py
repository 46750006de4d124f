"""The workshop record as a page to take home: one self-contained HTML file and a Markdown twin.

The HTML page needs nothing but a browser: its style is inline, its charts are the dashboard's
own SVG drawings (:mod:`coprod.dashboard.charts`) inlined, and it makes no request. It embeds
the machine-readable record (the JSON twin) in a ``<script type="application/json">`` block, so
"Open workshop" can continue from the page alone. Both files say, in the dashboard's words, what
each run was (scenario, rules changed, population, seed, events), show its key charts, and set
the runs side by side: the settings that differ and the measures that differ most. The group's
question and its measures come first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

import pandas as pd

from coprod.analysis.wording import change_word
from coprod.dashboard import charts, labels
from coprod.dashboard.i18n import N_, _, current, day, in_sentence, ngettext, number, percent
from coprod.dashboard.question import chart_order, highlight_css, measure_label
from coprod.dashboard.state import EventMark, lookup
from coprod.dashboard.workshop_record import (
    QUESTION_MEASURES,
    RunRecord,
    WorkshopRecord,
    embed_json,
    safe_name,
)
from coprod.model.scenario import Scenario

#: How many measures the side-by-side table lists beyond the question's.
TOP_MEASURES = 6
#: How many measures each run's "compared with" line names.
TOP_DIFFERENCES = 3
#: The words :func:`coprod.analysis.wording.change_word` judges a change with.
JUDGED = {"better": N_("better"), "worse": N_("worse")}


# ---------------------------------------------------------------------- words
def run_title(record: WorkshopRecord, index: int) -> str:
    """``Run 3`` (``Run 3 (B)`` for the second side of a comparison)."""
    run = record.runs[index]
    pair = [r for r in record.runs if r.group == run.group]
    if len(pair) > 1:
        return _("Run {number} ({side})").format(number=index + 1, side=run.side)
    return _("Run {number}").format(number=index + 1)


def show_value(key: str, value: Any) -> str:
    """A rule's value in the sidebar's words (``on``, ``Public recognition``, ``0.7``)."""
    control = labels.CONTROLS[key]
    if isinstance(value, bool):
        return _("on") if value else _("off")
    if control.options:
        return _(control.options.get(value, str(value))).split(" (")[0]
    return number(value, None) if isinstance(value, float) else str(value)


def rule_change(key: str, old: Any, new: Any) -> str:
    """One changed rule, as the sidebar says it: ``budget per resident 1 → 0.7``."""
    label = in_sentence(_(labels.CONTROLS[key].label))
    return f"{label} {show_value(key, old)} → {show_value(key, new)}"


def rules_in_force(run: RunRecord) -> dict[str, str]:
    """Every rule the dashboard shows, by its label, with the value this run had."""
    data = run.resolved().to_dict()
    return {_(c.label): show_value(c.key, lookup(data, c.key)) for c in labels.CONTROLS.values()}


def event_marks(run: RunRecord) -> list[EventMark]:
    """The scenario's planned events and those the group triggered, by month."""
    planned = [
        EventMark(e.step, e.kind, e.size, e.duration, live=False) for e in run.resolved().events
    ]
    return sorted([*planned, *(e.mark() for e in run.events)], key=lambda m: (m.step, m.kind))


def settings_words(run: RunRecord) -> list[str]:
    """What the run was, in plain words, one line each."""
    base = Scenario.load(run.scenario)
    lines = [
        _("Scenario: {title} — {description}").format(
            title=labels.scenario_title(run.scenario), description=_(base.description)
        )
    ]
    data = base.to_dict()
    changes = [rule_change(k, lookup(data, k), v) for k, v in sorted(run.overrides.items())]
    lines.append(
        _("Rules changed here: {changes}").format(changes="; ".join(changes))
        if changes
        else _("Rules: as the scenario")
    )
    citizens = run.citizens or base.population.citizens
    lines.append(
        _("{citizens} residents, seed {seed}").format(citizens=number(citizens), seed=run.seed)
    )
    triggered = [m.text for m in event_marks(run) if m.live]
    lines.append(
        _("Events triggered: {events}").format(events="; ".join(triggered))
        if triggered
        else _("No event triggered")
    )
    lines.append(
        _("Ran {months} of {horizon} months, {start} to {end} (UTC)").format(
            months=number(run.months),
            horizon=number(run.resolved().steps),
            start=_clock(run.started),
            end=_clock(run.ended, time_only=run.started.date() == run.ended.date()),
        )
    )
    return lines


def _clock(when: datetime, time_only: bool = False) -> str:
    """``when`` (UTC) in the language's words: ``30. November 2026, 15:12`` or ``15:12``."""
    if time_only:
        return when.strftime("%H:%M")
    return f"{day(when.date())}, {when.strftime('%H:%M')}"


def value_text(measure: str, value: float) -> str:
    """A value as the chart legends show it: ``51/100`` for a score, ``12%`` for a share."""
    return charts.score(value) if measure in labels.SCORES else charts.percent(value)


# ---------------------------------------------------------------------- comparing runs
def setting_rows(runs: Sequence[RunRecord]) -> list[tuple[str, list[str]]]:
    """The settings that differ between ``runs``: (what, the value in each run)."""
    rows: list[tuple[str, list[str]]] = []
    scenario = [labels.scenario_title(r.scenario) for r in runs]
    rules = [rules_in_force(r) for r in runs]
    population = [
        number(r.citizens or Scenario.load(r.scenario).population.citizens) for r in runs
    ]
    in_month = _("{event} (month {month})")
    events = [
        "; ".join(in_month.format(event=m.what, month=m.step) for m in event_marks(r) if m.live)
        or "–"
        for r in runs
    ]
    candidates = [
        (_("Scenario"), scenario),
        *((label, [r[label] for r in rules]) for label in rules[0]),
        (_("Residents simulated"), population),
        (_("Seed"), [str(r.seed) for r in runs]),
        (_("Events triggered"), events),
        (_("Months run"), [number(r.months) for r in runs]),
    ]
    for what, values in candidates:
        if len(set(values)) > 1:
            rows.append((what, values))
    return rows


def largest_differences(
    a: RunRecord, b: RunRecord, lead: Sequence[str] = (), top: int = TOP_DIFFERENCES
) -> list[tuple[str, float, int]]:
    """Measures where ``b`` differs most from ``a`` at the last month both reached.

    Returns (measure, b minus a, month), the measures of ``lead`` first, then the ``top``
    others by the size of the difference.
    """
    month = min(a.months, b.months)
    diffs = {m: b.value(m, month) - a.value(m, month) for m in QUESTION_MEASURES}
    known = {m: d for m, d in diffs.items() if math.isfinite(d)}
    led = [(m, known[m], month) for m in lead if m in known]
    others = sorted((m for m in known if m not in lead), key=lambda m: -abs(known[m]))
    return led + [(m, known[m], month) for m in others[:top] if known[m] != 0]


def difference_words(measure: str, diff: float) -> str:
    """``Trust in the administration 12 points higher (better)``."""
    if round(abs(100 * diff)) == 0:
        return _("{measure} about the same").format(measure=measure_label(measure))
    word = change_word(measure, diff)
    points = round(abs(100 * diff))
    if word in JUDGED:
        if diff > 0:
            text = ngettext(
                "{measure} {points} point higher ({judged})",
                "{measure} {points} points higher ({judged})",
                points,
            )
        else:
            text = ngettext(
                "{measure} {points} point lower ({judged})",
                "{measure} {points} points lower ({judged})",
                points,
            )
    elif diff > 0:
        text = ngettext(
            "{measure} {points} point higher", "{measure} {points} points higher", points
        )
    else:
        text = ngettext(
            "{measure} {points} point lower", "{measure} {points} points lower", points
        )
    return text.format(
        measure=measure_label(measure),
        points=number(points),
        judged=_(JUDGED[word]) if word in JUDGED else "",
    )


def measure_rows(record: WorkshopRecord) -> list[tuple[str, list[float]]]:
    """Measures for the side-by-side table, at each run's last month.

    The question's measures first, then those that differ most between the runs.
    """
    lead = [m for m in record.question.measures if m in QUESTION_MEASURES]
    values = {m: [r.value(m) for r in record.runs] for m in QUESTION_MEASURES}

    def spread(m: str) -> float:
        known = [x for x in values[m] if math.isfinite(x)]
        return max(known) - min(known) if known else 0.0

    others = sorted((m for m in QUESTION_MEASURES if m not in lead), key=lambda m: -spread(m))
    return [(m, values[m]) for m in [*lead, *others[:TOP_MEASURES]]]


def compared_with(
    record: WorkshopRecord, index: int
) -> tuple[str, list[str], list[str], int] | None:
    """What sets run ``index`` apart from the run it is compared with.

    Returns (that run's title, the settings that differ, the measures that differ most, the
    month they are compared at), or ``None`` for the first run.
    """
    ref = record.reference(index)
    if ref is None:
        return None
    a, b = record.runs[ref], record.runs[index]
    settings = [
        f"{what}: {values[0]} → {values[1]}"
        for what, values in setting_rows([a, b])
        if what != _("Months run")
    ]
    found = [
        difference_words(m, d)
        for m, d, _month in largest_differences(a, b, record.question.measures)
    ]
    return run_title(record, ref), settings, found, min(a.months, b.months)


def comparison_words(record: WorkshopRecord, index: int) -> tuple[str, str, str] | None:
    """:func:`compared_with` in words: (compared with whom, what differs, what was found).

    The three parts of the sentence the page and the Markdown record print after each run's
    settings, each to be marked up by its format; ``None`` for the first run.
    """
    compared = compared_with(record, index)
    if compared is None:
        return None
    ref, settings_diff, found, month = compared
    differ = "; ".join(settings_diff) or _("the same settings")
    at = _("At month {month}: {found}").format(
        month=month, found="; ".join(found) or _("the same numbers")
    )
    return _("Compared with {run}").format(run=ref), differ, at


# ---------------------------------------------------------------------- charts
def frame_of(run: RunRecord) -> pd.DataFrame:
    """The run's recorded measures as the dashboard's table (index ``step``, 0 to months)."""
    data = {m: [math.nan if v is None else v for v in vals] for m, vals in run.series.items()}
    return pd.DataFrame(data, index=pd.RangeIndex(0, run.months + 1, name="step"), dtype=float)


def run_charts(
    run: RunRecord, lead: Sequence[str] = (), horizon: int | None = None
) -> list[tuple[str, str, str]]:
    """The run's key charts as (key, title, SVG markup): those answering the question first.

    ``horizon`` is the last month on the time axis (by default the months the run went).
    """
    frame = frame_of(run)
    marks = event_marks(run)
    horizon = max(horizon or 0, run.months, 1)
    out = [
        (spec.key, spec.shown_title(), charts.line_chart(frame, spec, marks, horizon))
        for spec in chart_order(lead)
    ]
    quintiles = charts.quintile_chart(
        charts.quintile_participation(frame), run.adoption, run.months, None
    )
    out.append(("quintiles", _(labels.QUINTILE_TITLE), quintiles))
    return out


# ---------------------------------------------------------------------- HTML
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
  max-width: 1180px; margin: 24px auto; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0; } h2 { margin-top: 1.8em; border-bottom: 2px solid #eee; }
h4 { margin: 4px 0; font-size: 1em; }
.meta, .coprod-note { color: #666; }
.question { background: #fff8e1; border-left: 5px solid #ffb300; padding: 8px 14px; }
.question p { font-size: 1.2em; margin: 4px 0; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } td.lead, th.lead { background: #fff8e1; font-weight: 700; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 12px; }
.chart { border: 1px solid #eee; border-radius: 6px; padding: 6px 10px; }
.coprod-legend { font-size: 12px; line-height: 1.5; margin: 2px 0 0 40px; }
.coprod-legend-item { margin-right: 12px; white-space: nowrap; }
.coprod-legend-item i { display: inline-block; width: 11px; height: 11px; border-radius: 2px;
  margin-right: 4px; vertical-align: -1px; }
.coprod-scope { margin-right: 12px; }
@media print { .grid { grid-template-columns: 1fr 1fr; } .chart { break-inside: avoid; } }
"""


#: A resident's act as the record says it (the words of the participant's page).
ACT_WORDS = {
    "none": N_("Nothing this month"),
    "report": N_("Report a problem"),
    "deliver": N_("Help deliver"),
    "propose": N_("Propose a change"),
}


def decision_text(decision: Any) -> str:
    """A room decision in words, e.g. ``Report a problem`` or ``budget 1.2, counter closed``."""
    c = decision.choice
    if decision.role == "resident":
        return _(ACT_WORDS.get(str(c.get("act")), str(c.get("act"))))
    if decision.role == "business":
        return _("engages") if c.get("engage") else _("stays out")
    if decision.role == "organisation":
        return _("outreach {share}").format(share=percent(float(c.get("outreach", 0.0))))
    parts = []
    if c.get("budget") is not None:
        parts.append(_("budget {value}").format(value=number(float(c["budget"]), None)))
    if c.get("human_review") is not None:
        parts.append(_("review {share}").format(share=percent(float(c["human_review"]))))
    if c.get("offline_channel") is not None:
        parts.append(_("counter open") if c["offline_channel"] else _("counter closed"))
    if c.get("inclusion_outreach") is not None:
        share = percent(float(c["inclusion_outreach"]))
        parts.append(_("outreach {share}").format(share=share))
    return ", ".join(parts) or _("as before")


def decision_rows(run: RunRecord) -> list[list[str]]:
    """The room's decisions of ``run``, one row each: month, who (by role), what."""
    return [
        [number(r.month), d.who, decision_text(d)] for r in run.rounds or [] for d in r.decisions
    ]


def _tag(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>"


def _table(head: list[str], rows: list[list[str]], lead_rows: int = 0) -> str:
    out = ["<table><tr>", *(f"<th>{escape(h)}</th>" for h in head), "</tr>"]
    for i, row in enumerate(rows):
        cls = ' class="lead"' if i < lead_rows else ""
        out.append("<tr>" + "".join(f"<td{cls}>{escape(c)}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "".join(out)


def side_by_side(
    record: WorkshopRecord,
) -> tuple[list[str], list[list[str]], list[list[str]], int]:
    """The side-by-side tables: header, setting rows, measure rows, and how many lead."""
    head = [""] + [run_title(record, i) for i in range(len(record.runs))]
    settings = [[what, *values] for what, values in setting_rows(record.runs)]
    measures = [
        [measure_label(m), *(value_text(m, v) for v in values)]
        for m, values in measure_rows(record)
    ]
    lead = sum(1 for m in record.question.measures if m in QUESTION_MEASURES)
    return head, settings, measures, lead


def to_html(record: WorkshopRecord) -> str:
    """The record as one self-contained web page (no request leaves it)."""
    lead = record.question.measures
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{current()}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title(record))}</title>",
        f"<style>{CSS}\n{highlight_css(lead)}</style></head><body>",
        f"<h1>{escape(title(record))}</h1>",
        f'<p class="meta">{escape(saved_line(record))}</p>',
    ]
    if record.question.text or lead:
        parts.append('<section class="question">')
        parts.append(_tag("h4", _("Our question")))
        if record.question.text:
            parts.append(f"<p>{escape(record.question.text)}</p>")
        if lead:
            names = ", ".join(measure_label(m) for m in lead)
            parts.append(_tag("div", _("Answered by: {measures}").format(measures=names)))
        parts.append("</section>")
    if not record.runs:
        parts.append(_tag("p", _("No run was made in this workshop yet.")))
    if len(record.runs) > 1:
        head, settings, measures, led = side_by_side(record)
        parts.append(_tag("h2", _("The runs side by side")))
        parts.append(_tag("h3", _("Settings that differ")))
        parts.append(_table(head, settings) if settings else _tag("p", _("None.")))
        parts.append(_tag("h3", _("Measures at the last month of each run")))
        order = _("Your question's measures first, then those that differ most between the runs.")
        parts.append(f'<p class="meta">{escape(order)}</p>')
        parts.append(_table(head, measures, led))
    axis = max([12, *(r.months for r in record.runs)])  # one time axis for every run
    for i, run in enumerate(record.runs):
        parts.append(
            f'<section class="run" data-run="{i + 1}"><h2>{escape(run_title(record, i))}</h2><ul>'
        )
        parts.extend(f"<li>{escape(line)}</li>" for line in settings_words(run))
        parts.append("</ul>")
        words = comparison_words(record, i)
        if words is not None:
            said, differ, at = words
            parts.append(f"<p><b>{escape(said)}:</b> {escape(differ)}. {escape(at)}.</p>")
        if run.rounds:
            parts.append(_tag("h3", _("Decisions in the workshop room")))
            parts.append(
                _table([_("Month"), _("Who (by role)"), _("Decision")], decision_rows(run))
            )
        parts.append('<div class="grid">')
        for key, chart_title, svg in run_charts(run, lead, axis):
            parts.append(
                f'<div class="chart coprod-record-chart-{key}"><h4>{escape(chart_title)}</h4>'
                f"{svg}</div>"
            )
        parts.append("</div></section>")
    reopen = _(
        "This page holds the whole workshop: open it in the coprod dashboard with "
        "Open workshop to continue or re-run any run."
    )
    parts.append(f'<p class="meta">{escape(reopen)}</p>')
    parts.append(
        f'<script type="application/json" id="coprod-workshop-record">{embed_json(record)}'
        "</script></body></html>"
    )
    return "\n".join(parts)


def title(record: WorkshopRecord) -> str:
    """The record's title, e.g. ``coprod workshop, 30 November 2026``."""
    return _("coprod workshop, {date}").format(date=day(record.saved.date()))


def saved_line(record: WorkshopRecord) -> str:
    """When and with which coprod the record was saved, and how many runs it holds."""
    return ngettext(
        "Saved {when} (UTC) with coprod {version}; {count} run.",
        "Saved {when} (UTC) with coprod {version}; {count} runs.",
        len(record.runs),
    ).format(when=_clock(record.saved), version=record.coprod or "?", count=len(record.runs))


# ---------------------------------------------------------------------- Markdown
def _md_table(head: list[str], rows: list[list[str]], lead_rows: int = 0) -> str:
    def cell(text: str, bold: bool) -> str:
        text = text.replace("|", "\\|")
        return f"**{text}**" if bold and text else text

    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, row in enumerate(rows):
        out.append("| " + " | ".join(cell(c, i < lead_rows) for c in row) + " |")
    return "\n".join(out)


def to_markdown(record: WorkshopRecord) -> str:
    """The record as Markdown: the same words and tables as the page, the charts' last values."""
    lead = record.question.measures
    out = [f"# {title(record)}", "", saved_line(record), ""]
    if record.question.text or lead:
        out.append("## " + _("Our question"))
        out.append("")
        if record.question.text:
            out += [f"> {record.question.text}", ""]
        if lead:
            names = ", ".join(measure_label(m) for m in lead)
            out += [_("Answered by: {measures}").format(measures=names), ""]
    if len(record.runs) > 1:
        head, settings, measures, led = side_by_side(record)
        out += ["## " + _("The runs side by side"), "", "### " + _("Settings that differ"), ""]
        out += [_md_table(head, settings) if settings else _("None."), ""]
        out += ["### " + _("Measures at the last month of each run"), ""]
        out += [_md_table(head, measures, led), ""]
    for i, run in enumerate(record.runs):
        out += [f"## {run_title(record, i)}", ""]
        out += [f"- {line}" for line in settings_words(run)]
        out.append("")
        words = comparison_words(record, i)
        if words is not None:
            said, differ, at = words
            out += [f"**{said}:** {differ}. {at}.", ""]
        if run.rounds:
            out += ["### " + _("Decisions in the workshop room"), ""]
            head = [_("Month"), _("Who (by role)"), _("Decision")]
            out += [_md_table(head, decision_rows(run)), ""]
        rows = [
            [measure_label(m), value_text(m, run.value(m))]
            for m in [*lead, *(m for m in QUESTION_MEASURES if m not in lead)]
        ]
        out += [
            _md_table(
                [_("Measure"), _("Month {month}").format(month=number(run.months))],
                rows,
                len(lead),
            ),
            "",
        ]
    out.append(_("The charts are in the HTML file of this workshop; its JSON twin reopens it."))
    return "\n".join(out) + "\n"


def file_stem(record: WorkshopRecord) -> str:
    """A file name without extension, e.g. ``coprod-workshop-2026-11-30-1405``."""
    return safe_name(f"coprod-workshop-{record.saved.strftime('%Y-%m-%d-%H%M')}")
