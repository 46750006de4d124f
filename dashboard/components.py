"""Solara components of the workshop dashboard: settings, the run bar, and the views.

The components hold no model of their own: they show and change the session's
:class:`~coprod.dashboard.state.Workshop`, and redraw when one of two counters moves —
``rev`` after every change (a month run, an event, a restart) and ``settings_rev`` after a
change of settings only, so the sidebar is not rebuilt every month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reacton.ipyvuetify as v
import solara

from coprod.dashboard import charts, labels, place_map
from coprod.dashboard.i18n import _, in_sentence, number
from coprod.dashboard.state import LOCAL_MEASURES, Run, Workshop
from coprod.model.scenario import Scenario, scenario_names

#: Speeds on offer, in months per second.
SPEEDS = (1, 2, 4, 8, 15)
DEFAULT_SPEED = 4


@dataclass
class Session:
    """What the components of one browser session share."""

    workshop: Workshop
    rev: solara.Reactive[int]  # moves after every change
    settings_rev: solara.Reactive[int]  # moves after a change of settings
    playing: solara.Reactive[bool]
    speed: solara.Reactive[int]
    colour_by: solara.Reactive[str]
    editing: solara.Reactive[str]  # the side whose settings the sidebar shows
    after_restart: Callable[[], None] | None = None  # e.g. the workshop room follows run A
    room: solara.Reactive[Any] | None = None  # the workshop room playing run A, if one is open

    def step(self) -> None:
        """One month; with a workshop room open, that month is the room's round.

        The choices made so far are played (participants who have not chosen follow the
        model's rules) and every device sees the round's result, as when the facilitator
        steps the round.
        """
        room = self.room.value if self.room is not None else None
        if room is not None and not room.closed:
            room.step(room.key)
        else:
            self.workshop.step()

    def ran(self) -> None:
        """The runs moved on (a month, an event): redraw the views."""
        self.rev.set(self.workshop.version)

    def restarted(self) -> None:
        """Settings changed and the runs restarted: stop playing, redraw everything."""
        self.playing.set(False)
        if self.after_restart is not None:
            self.after_restart()
        self.settings_rev.set(self.workshop.version)
        self.rev.set(self.workshop.version)


# ---------------------------------------------------------------------- small pieces
@solara.component
def Help(text: str, classes: list[str] | None = None):
    """An info icon that explains ``text`` when hovered."""
    icon = v.Icon(
        children=["mdi-information-outline"],
        small=True,
        class_=" ".join(["coprod-help", *(classes or [])]),
        v_on="tooltip.on",
    )
    return v.Tooltip(
        bottom=True,
        max_width=360,
        v_slots=[{"name": "activator", "variable": "tooltip", "children": icon}],
        children=[text],
    )


@solara.component
def Labelled(label: str, help: str, children: list[Any] | None = None):
    """A control's label with its help icon, above the control."""
    with solara.Column(gap="0px", classes=["coprod-control"]) as main:
        with solara.Row(gap="4px", style={"align-items": "center"}):
            solara.Text(label, classes=["coprod-control-label"])
            Help(help)
        for child in children or []:
            solara.display(child)
    return main


def choice(
    label: str,
    items: list[dict],
    value: Any,
    on_value: Callable,
    cls: str,
    style: str = "margin: 6px 0;",
    **extra: Any,
):
    """A compact outlined drop-down, as every choice on the page is drawn.

    ``extra`` passes on to the drop-down, e.g. ``multiple=True`` for a choice of several.
    """
    return v.Select(
        label=label,
        items=items,
        v_model=value,
        on_v_model=on_value,
        dense=True,
        hide_details=True,
        outlined=True,
        class_=cls,
        style_=style,
        **extra,
    )


# ---------------------------------------------------------------------- settings
@solara.component
def Settings(session: Session):
    """The sidebar: compare switch, scenario pickers, governance rules, population and seed."""
    version = session.settings_rev.value  # redraw after a change of settings
    ws = session.workshop
    side = session.editing.value if ws.compare else "A"

    def restart(change: Callable[[], None]) -> None:
        change()
        session.restarted()

    with solara.Column(gap="6px", classes=["coprod-settings"]):
        with solara.Row(style={"align-items": "center"}):
            solara.Switch(
                label=_("Compare two settings side by side"),
                value=ws.compare,
                on_value=lambda on: restart(lambda: ws.set_compare(on)),
                classes=["coprod-compare"],
            )
            Help(
                _(
                    "Run two settings at once, with the same residents and the same chance "
                    "events (the same seed), and see their charts side by side."
                )
            )
        if ws.compare:
            with solara.Row(style={"align-items": "center"}):
                solara.Text(_("Settings shown for:"))
                solara.ToggleButtonsSingle(
                    value=session.editing.value,
                    values=["A", "B"],
                    on_value=session.editing.set,
                    classes=["coprod-editing"],
                )
        if ws.error:
            solara.Error(ws.error, classes=["coprod-error"])
        ScenarioPicker(
            ws, side, lambda name: restart(lambda: ws.set_scenario(side, name)), version
        )
        for heading, controls in labels.CONTROL_GROUPS:
            with solara.Details(_(heading), expand=heading == "Who does what"):
                for control in controls:
                    RuleControl(
                        control,
                        ws.value(side, control.key),
                        lambda value, key=control.key: restart(
                            lambda: ws.set_rule(side, key, value)
                        ),
                    )
        PopulationAndSeed(ws, restart, version)


@solara.component
def ScenarioPicker(ws: Workshop, side: str, on_pick: Callable[[str], None], version: int):
    """A menu of the named scenarios, with the chosen one's description and rationale.

    ``ws`` changes in place, so ``version`` (the workshop's, when the settings last changed)
    is what tells the component to redraw.
    """
    names = scenario_names()
    items = [{"text": labels.scenario_title(n), "value": n} for n in names]
    label = _("Scenario") if not ws.compare else _("Scenario {side}").format(side=side)
    chosen = Scenario.load(ws.scenarios[side])
    with solara.Column(gap="2px"):
        choice(
            label, items, ws.scenarios[side], on_pick, f"coprod-scenario coprod-scenario-{side}"
        )
        with solara.Row(gap="4px", style={"align-items": "flex-start"}):
            solara.Text(_(chosen.description), classes=["coprod-description"])
            if chosen.rationale:
                Help(_("Why: {rationale}").format(rationale=_(chosen.rationale)))
        changes = ws.changes(side)
        if changes:
            words = "; ".join(_change_text(k, old, new) for k, old, new in changes)
            solara.Text(
                _("Changed here: {changes}").format(changes=words), classes=["coprod-changes"]
            )


def _change_text(key: str, old: Any, new: Any) -> str:
    control = labels.CONTROLS[key]

    def show(value: Any) -> str:
        if isinstance(value, bool):
            return _("on") if value else _("off")
        if control.options:
            return _(control.options.get(value, str(value))).split(" (")[0]
        return number(value, None) if isinstance(value, float) else str(value)

    return f"{in_sentence(_(control.label))} {show(old)} → {show(new)}"


@solara.component
def RuleControl(control: labels.Control, value: Any, on_value: Callable[[Any], None]):
    """One governance rule: a menu, a switch or a slider, with its help."""
    cls = "coprod-rule-" + control.key.replace(".", "-").replace("_", "-")
    if control.kind == "choice":
        items = [{"text": _(text), "value": key} for key, text in control.options.items()]
        with solara.Row(gap="2px", style={"align-items": "center"}):
            choice(_(control.label), items, value, on_value, cls)
            Help(_(control.help))
    elif control.kind == "switch":
        with solara.Row(gap="2px", style={"align-items": "center"}):
            solara.Switch(
                label=_(control.label), value=bool(value), on_value=on_value, classes=[cls]
            )
            Help(_(control.help))
    else:
        with Labelled(_(control.label), _(control.help)):
            v.Slider(
                v_model=float(value),
                on_v_model=lambda x: on_value(round(float(x), 4)),
                min=control.low,
                max=max(control.high, float(value)),
                step=control.step,
                thumb_label=True,
                dense=True,
                hide_details=True,
                class_=cls,
            )


@solara.component
def PopulationAndSeed(ws: Workshop, restart: Callable[[Callable[[], None]], None], version: int):
    """Population size (shared by both sides) and the seed (``version``: see ScenarioPicker)."""
    own = ws.scenario("A").population.citizens
    sizes = sorted({*labels.POPULATION_SIZES, own})
    items = [{"text": _("{count} residents").format(count=number(n)), "value": n} for n in sizes]
    with solara.Details(_("Population and chance"), expand=False):
        with solara.Row(gap="2px", style={"align-items": "center"}):
            choice(
                _("Residents simulated"),
                items,
                own,
                lambda n: restart(lambda: ws.set_citizens(int(n))),
                "coprod-population",
            )
            Help(_(labels.POPULATION_HELP))
        SeedField(ws, restart)


@solara.component
def SeedField(ws: Workshop, restart: Callable[[Callable[[], None]], None]):
    """The seed: a whole number >= 0; anything else is refused and said, the run unchanged."""
    error, set_error = solara.use_state("")

    def on_value(seed: int | None) -> None:
        if seed is None or seed < 0:
            set_error(_(labels.SEED_REFUSED))
            return
        set_error("")
        restart(lambda: ws.set_seed(int(seed)))

    with solara.Row(gap="2px", style={"align-items": "center"}):
        solara.InputInt(
            _("Seed (chance)"),
            value=ws.seed,
            on_value=on_value,
            classes=["coprod-seed"],
            dense=True,
        )
        Help(_(labels.SEED_HELP))
    if error:
        solara.Text(error, classes=["coprod-seed-error"])


# ---------------------------------------------------------------------- run bar
@solara.component
def RunBar(session: Session):
    """Step, play/pause, speed, reset, the month, events and downloads."""
    session.rev.value  # redraw every month  # noqa: B018
    ws = session.workshop
    playing = session.playing.value

    def step() -> None:
        if not ws.finished:
            session.step()
        session.ran()

    def reset() -> None:
        ws.reset()
        session.restarted()

    def trigger(kind: str) -> None:
        ws.trigger(kind)
        session.ran()

    with solara.Card(margin=0, classes=["coprod-runbar"]):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                _("Step"),
                icon_name="mdi-step-forward",
                on_click=step,
                disabled=playing or ws.finished,
                color="primary",
                classes=["coprod-step"],
            )
            solara.Button(
                _("Pause") if playing else _("Play"),
                icon_name="mdi-pause" if playing else "mdi-play",
                on_click=lambda: session.playing.set(not playing),
                disabled=ws.finished and not playing,
                color="primary",
                classes=["coprod-play"],
            )
            solara.Button(
                _("Reset"),
                icon_name="mdi-restart",
                on_click=reset,
                outlined=True,
                classes=["coprod-reset"],
            )
            with solara.Row(gap="4px", style={"align-items": "center", "min-width": "230px"}):
                solara.Text(_("Speed:"))
                solara.ToggleButtonsSingle(
                    value=session.speed.value,
                    values=list(SPEEDS),
                    on_value=session.speed.set,
                    dense=True,
                    classes=["coprod-speed"],
                )
                Help(_("Months simulated per second while playing."))
            if not ws.month:
                shown = _("Month {month} of {horizon}")
            elif ws.finished:
                shown = _("Month {month} of {horizon} (year {year}) — finished")
            else:
                shown = _("Month {month} of {horizon} (year {year})")
            solara.Text(
                shown.format(
                    month=number(ws.month),
                    horizon=number(ws.horizon),
                    year=number((ws.month - 1) // 12 + 1),
                ),
                classes=["coprod-month"],
                style={"font-weight": "600", "font-size": "1.1em"},
            )
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text(_("Something happens next month:"))
            for event in labels.EVENTS:
                with solara.Tooltip(event.shown_help()):
                    solara.Button(
                        event.shown_label(),
                        on_click=lambda kind=event.kind: trigger(kind),
                        outlined=True,
                        small=True,
                        classes=["coprod-event", f"coprod-event-{event.kind}"],
                    )
            for side in ws.sides:
                solara.FileDownload(
                    lambda side=side: ws.csv(side),
                    filename=ws.csv_name(side),
                    label=_("Download measures (CSV)")
                    if not ws.compare
                    else _("Download {side} (CSV)").format(side=side),
                    mime_type="text/csv",
                    children=[
                        solara.Button(
                            _("Download data (CSV)")
                            if not ws.compare
                            else _("Download {side} data (CSV)").format(side=side),
                            icon_name="mdi-download",
                            text=True,
                            classes=["coprod-download", f"coprod-download-{side}"],
                        )
                    ],
                )


# ---------------------------------------------------------------------- views
@solara.component
def ChartHeader(title: str, question: str, help: str):
    """A chart's title, the question it answers, and a help icon."""
    with solara.Column(gap="0px"):
        with solara.Row(gap="4px", style={"align-items": "center"}):
            solara.Text(title, classes=["coprod-chart-title"])
            Help(help)
        solara.Text(question, classes=["coprod-chart-question"])


@dataclass
class View:
    """One card of the views: a header and one HTML drawing per side."""

    key: str
    title: str
    question: str
    help: str
    html: list[str]


@solara.component
def Views(session: Session, only: str | None = None):
    """Every view, for one run (two to a row) or for two runs side by side (A left, B right).

    With ``only`` (a view's key), that view alone, across the page (presentation mode).
    """
    session.rev.value  # redraw every month  # noqa: B018
    ws = session.workshop
    with ws.lock:
        runs = [ws.runs[side] for side in ws.sides]
        frames = ws.frames()
        picked = ws.municipality
        places = [_place(run, picked) for run in runs]
        choices = ws.municipality_choices()
        adopted = [run.innovations() for run in runs]
        events = [run.events() for run in runs]
        adoption = [run.quintile_adoption() for run in runs]
        months = [run.month for run in runs]
        maps = [place_map.map_view(r, session.colour_by.value) for r in runs]
        real_places = ws.has_place_map
        horizon = ws.horizon
        sides = ws.sides
    views = [
        View(
            "network",
            _(labels.PLACE_MAP_TITLE if real_places else labels.NETWORK_TITLE),
            _("Where do people take part, and where do they trust the administration?"),
            _(labels.PLACE_MAP_HELP if real_places else labels.NETWORK_HELP),
            maps,
        ),
        _quintile_view(frames, adoption, months),
        *(_line_view(spec, frames, events, horizon, places) for spec in labels.CHARTS),
        *_innovation_view(runs, adopted, picked),
        View(
            "events",
            _("What happened"),
            _("Events so far and those the scenario plans."),
            _(
                "Dashed lines on the charts mark the month an event starts. Events you trigger "
                "here hit every run shown, so a comparison stays fair."
            ),
            [charts.event_list(e, run.month) for e, run in zip(events, runs, strict=True)],
        ),
    ]
    if choices:
        MunicipalityPicker(session, choices, picked)
    if only is not None:
        views = [view for view in views if view.key == only] or views[:1]
    if ws.compare:
        with solara.Columns([1] * len(sides)):
            for side in sides:
                SideHeader(ws, side, ws.version)
    if ws.compare or only is not None:
        for view in views:
            ViewCard(view, sides, session if view.key == "network" else None)
    else:
        for i in range(0, len(views), 2):
            with solara.Columns([1, 1]):
                for view in views[i : i + 2]:
                    ViewCard(view, sides, session if view.key == "network" else None)


def _quintile_view(frames: list, adoption: list[list[float]], months: list[int]) -> View:
    quintiles = [charts.quintile_participation(f) for f in frames]
    top = max(max(q + a) for q, a in zip(quintiles, adoption, strict=True))
    y_max = charts.nice_ceiling(top * 1.1)
    return View(
        "quintiles",
        _(labels.QUINTILE_TITLE),
        _(labels.QUINTILE_QUESTION),
        _(labels.QUINTILE_HELP),
        [
            charts.quintile_chart(q, a, month, y_max)
            for q, a, month in zip(quintiles, adoption, months, strict=True)
        ],
    )


def _place(run: Run, municipality: int | None) -> str | None:
    """The name of the municipality ``run``'s charts show, or ``None`` for all of them."""
    if municipality is None or not 0 <= municipality < run.municipalities:
        return None
    return run.municipality_names[municipality]


@solara.component
def MunicipalityPicker(session: Session, choices: list[tuple[int | None, str]], picked: Any):
    """A menu to show the charts for all municipalities or for one."""
    ws = session.workshop

    def pick(value: Any) -> None:
        ws.set_municipality(None if value in (None, "all") else int(value))
        session.ran()

    items = [{"text": text, "value": "all" if m is None else m} for m, text in choices]
    with solara.Card(margin=0, classes=["coprod-view", "coprod-municipality-bar"]):
        with solara.Row(gap="4px", style={"align-items": "center", "max-width": "520px"}):
            choice(
                _("Show the charts for"),
                items,
                "all" if picked is None else picked,
                pick,
                "coprod-municipality",
            )
            Help(_(labels.MUNICIPALITY_HELP))


def _innovation_view(runs: list[Run], adopted: list, picked: int | None) -> list[View]:
    """The list of innovations adopted, when some run has innovation between municipalities."""
    if all(a is None for a in adopted):
        return []
    html = [
        charts.innovation_list(a, run.municipality_names, picked)
        if a is not None
        else '<p class="coprod-note">'
        + _("No innovation between municipalities in this run.")
        + "</p>"
        for run, a in zip(runs, adopted, strict=True)
    ]
    return [
        View(
            "innovations",
            _(labels.INNOVATIONS_TITLE),
            _(labels.INNOVATIONS_QUESTION),
            _(labels.INNOVATIONS_HELP),
            html,
        )
    ]


def _line_view(
    spec: labels.ChartSpec,
    frames: list,
    events: list,
    horizon: int,
    places: list[str | None],
) -> View:
    y_max = spec.y_max
    if y_max is None:  # the same scale on both sides, so that heights compare
        measures = [s.measure for s in spec.series]
        y_max = charts.nice_ceiling(charts.data_max(frames, measures) * 1.1)
    return View(
        spec.key,
        spec.shown_title(),
        spec.shown_question(),
        spec.shown_help(),
        [
            charts.line_chart(f, spec, e, horizon, y_max, place, LOCAL_MEASURES)
            for f, e, place in zip(frames, events, places, strict=True)
        ],
    )


@solara.component
def ViewCard(view: View, sides: tuple[str, ...], session: Session | None = None):
    """A view's card: its header (and, for the map, the colour switch), then its drawings."""
    with solara.Card(margin=0, classes=["coprod-view", f"coprod-view-{view.key}"]):
        ChartHeader(view.title, view.question, view.help)
        if session is not None:
            with solara.Row(gap="6px", style={"align-items": "center", "margin": "4px 0"}):
                solara.Text(_("Colour by:"), classes=["coprod-chart-question"])
                ColourSwitch(session, session.workshop.has_place_map)
        _side_by_side(sides, view.html)


@solara.component
def ColourSwitch(session: Session, real_places: bool = False):
    """Colour the map by taking part or by trust; real neighbourhoods by any place measure."""
    if real_places:  # a menu of the measures per neighbourhood
        items = [{"text": _(m.label), "value": m.key} for m in place_map.MEASURES]
        chosen = place_map.measure_for(session.colour_by.value).key
        return choice(_("Measure"), items, chosen, session.colour_by.set, "coprod-map-measure")
    shown = session.colour_by.value
    return v.BtnToggle(
        v_model=shown if shown in labels.COLOUR_BY else "participation",
        on_v_model=lambda value: value and session.colour_by.set(value),
        mandatory=True,
        dense=True,
        class_="coprod-colour-by",
        children=[
            v.Btn(children=[_(text)], value=key, small=True, class_=f"coprod-colour-{key}")
            for key, text in labels.COLOUR_BY.items()
        ],
    )


def _side_by_side(sides: tuple[str, ...], html: list[str]) -> None:
    """One column per side; with two sides each column is headed A or B."""
    with solara.Columns([1] * len(sides), gutters_dense=True):
        for side, content in zip(sides, html, strict=True):
            tag = f'<div class="coprod-side-tag">{side}</div>' if len(sides) > 1 else ""
            solara.HTML(
                tag="div",
                unsafe_innerHTML=tag + content,
                classes=["coprod-panel", f"coprod-side-{side}"],
            )


@solara.component
def SideHeader(ws: Workshop, side: str, version: int):
    """The head of one side in compare mode: its scenario and changed rules.

    ``version``: see :func:`ScenarioPicker`.
    """
    changes = ws.changes(side)
    words = "; ".join(_change_text(k, old, new) for k, old, new in changes) or _("as the scenario")
    with solara.Card(margin=0, classes=["coprod-side-header", f"coprod-header-{side}"]):
        with solara.Column(gap="2px"):
            solara.Text(
                f"{side}: {labels.scenario_title(ws.scenarios[side])}",
                style={"font-weight": "600", "font-size": "1.1em"},
            )
            solara.Text(_("Rules: {rules}").format(rules=words), classes=["coprod-changes"])
