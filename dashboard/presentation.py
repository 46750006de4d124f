"""Presentation mode: the dashboard on a projector, for a room rather than a laptop.

Larger type, the settings panel folded away (a button brings it back), and, if asked, one
chart at a time with Previous and Next (or the arrow and page keys, as a presenter's clicker
sends them). The run bar stays, so the facilitator can still step,
play and trigger events; the group's question is shown as a headline.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipyvuetify
import solara
import traitlets

from coprod.dashboard import labels
from coprod.dashboard.i18n import _
from coprod.dashboard.state import Workshop

#: Style sheet added while presenting: the root font grows, so Vuetify's rem sizes grow too.
CSS = """
html { font-size: 20px !important; }
.coprod-presenting .coprod-legend { font-size: 16px; margin-left: 20px; }
.coprod-presenting .coprod-description, .coprod-presenting .coprod-chart-question {
  font-size: 0.95em; }
.coprod-presenting .coprod-chart-title { font-size: 1.25em; }
.coprod-presenting .coprod-chart svg { max-height: 56vh; }
.coprod-presenting .coprod-month { font-size: 1.3em !important; }
.coprod-question-headline .coprod-question-text { font-size: 1.4em; font-weight: 600; }
.coprod-question-headline .coprod-question-measures { font-size: 1em; color: #555;
  display: block; }
.v-app-bar .v-toolbar__title { white-space: normal; font-size: 1rem; line-height: 1.2; }
.coprod-presentation-bar { padding: 4px 12px !important; margin-bottom: 10px !important; }
"""


@dataclass
class Presentation:
    """What presentation mode remembers in one browser session."""

    on: solara.Reactive[bool]
    single: solara.Reactive[bool]  # one chart at a time
    shown: solara.Reactive[int]  # which chart, with ``single``
    settings_open: solara.Reactive[bool]  # the settings panel unfolded while presenting

    @property
    def settings_visible(self) -> bool:
        """Whether the page shows the settings panel."""
        return not self.on.value or self.settings_open.value


def view_keys(ws: Workshop) -> list[str]:
    """The views the page shows, in order (as ``components.Views`` builds them)."""
    keys = ["network", "quintiles", *(spec.key for spec in labels.CHARTS)]
    with ws.lock:
        if any(run.model.innovation is not None for run in ws.runs.values()):
            keys.append("innovations")
    return [*keys, "events"]


def view_title(key: str) -> str:
    """A view's title, for the "chart 3 of 8" line."""
    titles = {
        "network": _(labels.NETWORK_TITLE),
        "quintiles": _(labels.QUINTILE_TITLE),
        "innovations": _(labels.INNOVATIONS_TITLE),
        "events": _("What happened"),
    } | {spec.key: spec.shown_title() for spec in labels.CHARTS}
    return titles.get(key, key)


def shown_view(presentation: Presentation, ws: Workshop) -> str | None:
    """The key of the one view to show, or ``None`` for all of them."""
    if not (presentation.on.value and presentation.single.value):
        return None
    keys = view_keys(ws)
    return keys[presentation.shown.value % len(keys)]


_KEYS = """
<template><span class="coprod-keys" style="display:none"></span></template>
<script>
module.exports = {
  mounted() {
    this.handler = event => {
      const typing = event.target.closest && event.target.closest('input, textarea, select');
      if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
      if (['ArrowRight', 'PageDown'].includes(event.key)) this.turn('next');
      else if (['ArrowLeft', 'PageUp'].includes(event.key)) this.turn('previous');
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', this.handler);
  },
  destroyed() { window.removeEventListener('keydown', this.handler); },
};
</script>
"""


class PageKeys(ipyvuetify.VuetifyTemplate):
    """Listens, while shown, for the keys that turn the page: arrows and Page Up/Down."""

    template = traitlets.Unicode(_KEYS).tag(sync=True)
    on_turn = traitlets.Any(None)

    def vue_turn(self, direction: str) -> None:
        """A key asked for the ``"next"`` or ``"previous"`` chart."""
        if self.on_turn is not None:
            self.on_turn(direction)


@solara.component
def PresentButton(presentation: Presentation):
    """The app bar's switch into (and out of) presentation mode."""
    on = presentation.on.value

    def toggle() -> None:
        presentation.settings_open.set(False)
        presentation.on.set(not on)

    solara.Button(
        _("Leave presentation") if on else _("Present"),
        icon_name="mdi-presentation" if not on else "mdi-close",
        on_click=toggle,
        text=True,
        classes=["coprod-present"],
    )


@solara.component
def PresentationBar(presentation: Presentation, ws: Workshop):
    """While presenting: show or hide the settings, one chart at a time, previous and next."""
    keys = view_keys(ws)
    index = presentation.shown.value % len(keys)

    def turn(direction: str) -> None:
        step = 1 if direction == "next" else -1
        presentation.shown.set((presentation.shown.value + step) % len(keys))

    with solara.Card(margin=0, classes=["coprod-presentation-bar"]):
        with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                _("Hide settings") if presentation.settings_open.value else _("Settings"),
                icon_name="mdi-tune",
                on_click=lambda: presentation.settings_open.set(
                    not presentation.settings_open.value
                ),
                text=True,
                classes=["coprod-show-settings"],
            )
            solara.Switch(
                label=_("One chart at a time"),
                value=presentation.single.value,
                on_value=presentation.single.set,
                classes=["coprod-single"],
            )
            if presentation.single.value:
                PageKeys.element(on_turn=turn)
                for way, label, icon in (
                    ("previous", _("Previous"), "mdi-chevron-left"),
                    ("next", _("Next"), "mdi-chevron-right"),
                ):
                    solara.Button(
                        label,
                        icon_name=icon,
                        on_click=lambda way=way: turn(way),
                        outlined=True,
                        classes=[f"coprod-{way}"],
                    )
                solara.Text(
                    _("Chart {number} of {count}: {title}").format(
                        number=index + 1, count=len(keys), title=view_title(keys[index])
                    ),
                    classes=["coprod-chart-position"],
                )
