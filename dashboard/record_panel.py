"""The page's workshop record card: save the workshop, open a saved one, re-run a kept run.

"Save workshop" downloads the record three ways (the page to take home, its Markdown twin and
its JSON twin, :mod:`coprod.dashboard.record_html`); "Open workshop" reads a saved page or JSON
file chosen from disk or dropped on the card, checks it (a bad or foreign file is refused with
a message on the page) and continues from it. Each kept run has a "Re-run" button that runs it
again and says whether the numbers are those saved.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import ipyvuetify
import solara
import traitlets
from babel.numbers import format_decimal

from coprod.dashboard import labels
from coprod.dashboard.i18n import _, in_sentence, locale, ngettext, number
from coprod.dashboard.record_html import file_stem, run_title, show_value, to_html, to_markdown
from coprod.dashboard.workshop_record import (
    MAX_BYTES,
    RecordedWorkshop,
    RecordError,
    WorkshopRecord,
    load_record,
)

_OPENER = """
<template>
  <label class="coprod-open-zone" @dragover.prevent @drop.prevent="drop"
         style="display:flex; align-items:center; gap:6px; cursor:pointer; padding:6px 8px;
                border:1px dashed #90a4ae; border-radius:4px; margin:4px 0;">
    <input type="file" accept=".html,.htm,.json,text/html,application/json"
           class="coprod-open-input" style="display:none" @change="pick" />
    <v-icon small>mdi-folder-open-outline</v-icon>
    <span>{{ label }}</span>
  </label>
</template>
<script>
module.exports = {
  methods: {
    read(file) {
      if (!file) return;
      if (file.size > this.max_bytes) { this.opened({name: file.name, size: file.size}); return; }
      const reader = new FileReader();
      reader.onload = () => this.opened({name: file.name, text: reader.result});
      reader.readAsText(file);
    },
    pick(event) { this.read(event.target.files[0]); event.target.value = ''; },
    drop(event) { this.read(event.dataTransfer.files[0]); },
  },
};
</script>
"""


class FileOpener(ipyvuetify.VuetifyTemplate):
    """A "choose a file" zone (also a drop zone) that hands the file's text to Python."""

    template = traitlets.Unicode(_OPENER).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    max_bytes = traitlets.Int(MAX_BYTES).tag(sync=True)
    on_open = traitlets.Any(None)

    def vue_opened(self, data: dict[str, Any]) -> None:
        """The browser read a file: ``{"name", "text"}`` (or ``{"name", "size"}`` if too big)."""
        if self.on_open is not None:
            self.on_open(data)


def open_file(ws: RecordedWorkshop, data: dict[str, Any]) -> tuple[bool, str]:
    """Open the file the browser read into ``ws``; (whether it worked, what to tell the group)."""
    name = str(data.get("name") or _("the file"))
    if "text" not in data:
        size = float(data.get("size") or 0) / 2**20
        return False, _("{name}: {size} MiB is too large for a workshop record").format(
            name=name, size=number(size)
        )
    try:
        record = load_record(str(data["text"]), name)
    except RecordError as exc:
        return False, str(exc)
    from coprod import __version__

    ws.open(record, name)
    said = ngettext(
        "Opened {name}: {count} run. Re-run it below.",
        "Opened {name}: {count} runs. Re-run any of them below.",
        len(record.runs),
    ).format(name=name, count=len(record.runs))
    if record.coprod and record.coprod != __version__:
        said += " " + _(
            "It was saved with coprod {saved}, this is {now}: re-runs may give other numbers."
        ).format(saved=record.coprod, now=__version__)
    return True, said


def rerun_message(title: str, difference: float) -> tuple[bool, str]:
    """Whether a re-run gave the saved numbers, and the sentence saying so."""
    if difference == 0.0:
        return True, _("{run} re-run: the same numbers as saved.").format(run=title)
    if math.isinf(difference):
        return False, _("{run} re-run: it did not reach the saved month.").format(run=title)
    return False, _(
        "{run} re-run: numbers differ from the saved ones by up to {points} points "
        "(the scenario files or coprod changed since)."
    ).format(run=title, points=format_decimal(100 * difference, "@@", locale=locale()))


def run_line(record: WorkshopRecord, index: int) -> str:
    """A kept run in one line: ``Run 2: SocialGov, open data off, seed 0, 3 months``."""
    run = record.runs[index]
    parts = [labels.scenario_title(run.scenario)]
    parts += [
        f"{in_sentence(_(labels.CONTROLS[key].label))} {show_value(key, value)}"
        for key, value in sorted(run.overrides.items())
    ]
    parts.append(_("seed {seed}").format(seed=run.seed))
    parts.append(
        ngettext("{months} month", "{months} months", run.months).format(months=number(run.months))
    )
    parts += [
        _("{event} in month {month}").format(
            event=_(labels.EVENT_NAMES.get(e.kind, e.kind)), month=e.step
        )
        for e in run.events
    ]
    if run.rounds:
        parts.append(
            ngettext(
                "{count} round played in the room",
                "{count} rounds played in the room",
                len(run.rounds),
            ).format(count=number(len(run.rounds)))
        )
    return f"{run_title(record, index)}: " + ", ".join(parts)


@solara.component
def RecordPanel(ws: RecordedWorkshop, version: int, on_restart: Callable[[], None]):
    """Save, open and re-run: the workshop record card.

    Args:
        ws: the session's workshop.
        version: the workshop's version when the settings last changed (runs are kept then).
        on_restart: called after the runs on screen were replaced (opened, re-run).
    """
    message, set_message = solara.use_state(("", True))
    stem = file_stem(WorkshopRecord(saved=datetime.now(UTC)))

    def opened(data: dict[str, Any]) -> None:
        ok, text = open_file(ws, data)
        set_message((text, ok))
        if ok:
            on_restart()

    kept = WorkshopRecord(saved=datetime.now(UTC), runs=list(ws.kept))

    def rerun(index: int) -> None:
        title = _(" and ").join(run_title(kept, i) for i in ws.partners(index))
        try:
            ok, text = rerun_message(title, ws.rerun(index))
        except RecordError as exc:
            ok, text = False, str(exc)
        set_message((text, ok))
        on_restart()

    with solara.Column(gap="4px", classes=["coprod-record"]):
        solara.Text(
            _(
                "Every run you make is kept. Save the workshop to take it home; open it again "
                "to continue."
            ),
            classes=["coprod-description"],
        )
        with solara.Row(gap="2px", style={"flex-wrap": "wrap"}):
            for kind, mime, label in (
                ("html", "text/html", _("Save workshop")),
                ("md", "text/markdown", _("Markdown")),
                ("json", "application/json", _("JSON")),
            ):
                solara.FileDownload(
                    lambda kind=kind: _render(ws, kind),
                    filename=f"{stem}.{kind}",
                    mime_type=mime,
                    children=[
                        solara.Button(
                            label,
                            icon_name="mdi-content-save-outline" if kind == "html" else None,
                            text=kind != "html",
                            outlined=kind == "html",
                            small=True,
                            classes=["coprod-save", f"coprod-save-{kind}"],
                        )
                    ],
                )
        FileOpener.element(label=_("Open workshop (.html or .json)"), on_open=opened)
        text, ok = message
        if text:
            if ok:
                solara.Success(text, dense=True, classes=["coprod-record-message"])
            else:
                solara.Error(
                    text, dense=True, classes=["coprod-record-message", "coprod-open-error"]
                )
        if kept.runs:
            solara.Text(_("Runs kept:"), classes=["coprod-control-label"])
            for i in range(len(kept.runs)):
                with solara.Row(gap="2px", style={"align-items": "center"}):
                    solara.Text(
                        run_line(kept, i), classes=["coprod-kept-run", "coprod-description"]
                    )
                    solara.Button(
                        _("Re-run"),
                        on_click=lambda i=i: rerun(i),
                        text=True,
                        small=True,
                        classes=["coprod-rerun", f"coprod-rerun-{i + 1}"],
                    )


def _render(ws: RecordedWorkshop, kind: str) -> str:
    record = ws.record()
    if kind == "html":
        return to_html(record)
    if kind == "md":
        return to_markdown(record)
    return record.to_json()
