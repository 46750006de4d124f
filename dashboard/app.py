"""The workshop dashboard page: pick a scenario, change the rules, watch the months go by.

``Page`` is the Solara app (``coprod dashboard`` serves it). Each browser session renders its
own ``Page`` and so builds its own :class:`~coprod.dashboard.state.Workshop` and models: nothing
in this module is shared between sessions. Playing runs in a thread of the session that steps
the models at the chosen speed and redraws the views after each month.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs

import solara
import solara.lab

from coprod.dashboard import presentation as pm
from coprod.dashboard.components import (
    DEFAULT_SPEED,
    RunBar,
    Session,
    Settings,
    Views,
)
from coprod.dashboard.i18n import _
from coprod.dashboard.language import LanguageSwitch, use_session_language
from coprod.dashboard.question import QuestionCard
from coprod.dashboard.record_panel import RecordPanel
from coprod.dashboard.room import (
    ROUND_EVENTS,
    Room,
    RoomError,
    facilitator_room,
    open_rooms,
)
from coprod.dashboard.room_page import JoinPage
from coprod.dashboard.room_panel import RoomPanel, base_url, use_room_events
from coprod.dashboard.workshop_record import RecordedWorkshop

CSS = """
.coprod-control-label { font-size: 0.9em; color: rgba(0,0,0,.7); }
.coprod-description, .coprod-chart-question { font-size: max(12px, 0.85em); color: #555; }
.coprod-changes { font-size: max(12px, 0.85em); color: #8e24aa; }
.coprod-seed-error { font-size: 12px; color: #c62828; }
.coprod-colour-by { flex-wrap: wrap; max-width: 100%; }
.coprod-colour-by .v-btn__content { white-space: normal; }
.coprod-side-tag { font-weight: 700; font-size: 14px; color: #1565c0; margin: 2px 0; }
.coprod-settings .v-select__selection { white-space: normal; overflow: visible;
  text-overflow: clip; line-height: 1.25; margin: 4px 0; }
.coprod-chart-title { font-weight: 600; font-size: 1.05em; }
.coprod-help { cursor: help; color: #607d8b !important; }
.coprod-view { padding: 8px 12px !important; margin-bottom: 10px !important; }
.coprod-legend { font-size: 12px; line-height: 1.5; margin: 2px 0 0 40px; }
.coprod-legend-item { margin-right: 12px; white-space: nowrap; cursor: help; }
.coprod-legend-item i { display: inline-block; width: 11px; height: 11px;
  border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.coprod-note { color: #777; margin-left: 8px; }
.coprod-scope { margin-right: 12px; white-space: nowrap; }
.coprod-innovations ul { margin: 4px 0; font-size: 0.9em; }
.coprod-runbar { padding: 8px 12px !important; margin-bottom: 10px !important; }
.coprod-settings .v-input--switch { margin-top: 0; }
.coprod-question .v-input { margin-top: 0; }
.coprod-kept-run { flex: 1 1 0; min-width: 0; }
"""


def play_loop(session: Session, cancel: threading.Event) -> None:
    """While playing: one month, redraw, wait for the next tick; stop at the horizon."""
    ws = session.workshop
    while session.playing.value and not cancel.is_set():
        started = time.perf_counter()
        if ws.finished:
            session.playing.set(False)
            break
        session.step()
        session.ran()
        wait = 1.0 / max(session.speed.value, 1) - (time.perf_counter() - started)
        if wait > 0 and cancel.wait(wait):
            break


def query(search: str | None) -> dict[str, str]:
    """The page address's query, one value per name: ``?room=ABC23&key=...``."""
    return {name: values[0] for name, values in parse_qs(search or "").items() if values}


def attached_room(code: str | None, key: str | None) -> Room | None:
    """The room a facilitator's link names (its code and key), or None."""
    if not code or not key:
        return None
    try:
        return facilitator_room(code, key)
    except RoomError:
        return None


def close_rooms_opened_here(workshop: RecordedWorkshop, attached: Room | None) -> None:
    """When a session ends, close the rooms it opened on its workshop (not one it attached to).

    A room opened with "Open a room" lives as long as the facilitator's session; one opened
    by ``coprod dashboard --room`` lives as long as the server.
    """
    for room in open_rooms():
        if room.workshop is workshop and room is not attached and not room.closed:
            room.close(room.key)


@solara.component
def Page():
    """The dashboard; with a room's code in the address (``?room=``), a participant's page.

    The facilitator's link carries the room's key too (``?room=...&key=...``): it opens the
    dashboard on the room's workshop, with the room's card.
    """
    use_session_language()
    router = solara.use_router()
    asked = query(router.search)
    code, key = asked.get("room"), asked.get("key")
    room = solara.use_memo(lambda: attached_room(code, key), dependencies=[code, key])
    if code and room is None:
        return JoinPage(
            code=code,
            token=asked.get("me", ""),
            on_joined=lambda c, t: router.push(f"/?room={c}&me={t}"),
        )
    return Dashboard(room)


@solara.component
def Dashboard(opened: Room | None = None):
    """The dashboard: settings on the left, the run bar and the views on the right.

    ``opened``: the room a facilitator's link attached this session to (its workshop is used).
    """
    workshop = solara.use_memo(
        lambda: opened.workshop if opened is not None else RecordedWorkshop(), dependencies=[]
    )
    room = solara.use_reactive(opened)
    session = Session(
        workshop=workshop,
        rev=solara.use_reactive(workshop.version),
        settings_rev=solara.use_reactive(workshop.version),
        playing=solara.use_reactive(False),
        speed=solara.use_reactive(DEFAULT_SPEED),
        colour_by=solara.use_reactive("participation"),
        editing=solara.use_reactive("A"),
        after_restart=lambda: room.value.restarted() if room.value is not None else None,
        room=room,
    )
    solara.use_thread(
        lambda cancel: play_loop(session, cancel),
        dependencies=[session.playing.value],
        intrusive_cancel=False,
    )
    # a round stepped in another session (all chose, the timer): redraw the views, even while
    # presenting (the room's card is hidden then)
    use_room_events(room.value, session.ran, ROUND_EVENTS)
    solara.use_effect(lambda: lambda: close_rooms_opened_here(workshop, opened), [])

    present = pm.Presentation(
        on=solara.use_reactive(False),
        single=solara.use_reactive(False),
        shown=solara.use_reactive(0),
        settings_open=solara.use_reactive(False),
    )

    solara.Title(_("coprod — workshop dashboard"))
    solara.Style(CSS)
    if present.on.value:
        solara.Style(pm.CSS)
    with solara.AppBar():
        solara.AppBarTitle(_("coprod — co-production of public services: workshop dashboard"))
        LanguageSwitch()
        pm.PresentButton(present)
    classes = ["coprod-page", *(["coprod-presenting"] if present.on.value else [])]
    with solara.Columns([1, 3] if present.settings_visible else [1], classes=classes):
        if present.settings_visible:
            with solara.Column(gap="10px"):
                with solara.Card(_("Settings"), margin=0):
                    Settings(session)
                with solara.Card(_("Workshop record"), margin=0, classes=["coprod-record-card"]):
                    RecordPanel(workshop, session.settings_rev.value, session.restarted)
                with solara.Card(_("Workshop room"), margin=0, classes=["coprod-room-card"]):
                    RoomPanel(
                        workshop,
                        room,
                        base_url(solara.lab.headers.value),
                        session.ran,
                    )
        with solara.Column(gap="0px"):
            if present.on.value:
                pm.PresentationBar(present, workshop)
            QuestionCard(workshop, session.settings_rev.value, lambda: None, present.on.value)
            RunBar(session)
            Views(session, only=pm.shown_view(present, workshop))
