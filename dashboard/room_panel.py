"""The facilitator's room card: open a room, show its link, code and QR code, run the rounds.

The room itself (:mod:`coprod.dashboard.room`) is kept at server level, shared by the sessions
of the facilitator and the participants. Each session that shows a room registers a listener
with it (:func:`use_room_events`, or :func:`use_room_updates` for a redraw counter); the
listener remembers the session's Solara kernel context and, when the room changes in another
session's thread (a participant chose, the timer ran out), has one of two pusher threads run
the session's callback inside that context, so the session redraws itself. The listener goes
when the component leaves the page.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import segno
import solara

from coprod.dashboard.i18n import _, ngettext, number
from coprod.dashboard.room import Participant, Room, RoomError, open_room
from coprod.dashboard.workshop_record import RecordedWorkshop

logger = logging.getLogger(__name__)

#: The environment variable ``coprod dashboard`` sets to the address participants open.
ENV_URL = "COPROD_DASHBOARD_URL"


def role_name(role: str) -> str:
    """A role's name in the language shown."""
    names = {
        "resident": _("Resident"),
        "council": _("Council"),
        "organisation": _("Community organisation"),
        "business": _("Business"),
    }
    return names.get(role, role)


def who(person: Participant) -> str:
    """A participant's role and agent in words, e.g. ``Resident, neighbourhood 3``."""
    if person.role == "resident":
        return _("Resident, neighbourhood {n}").format(n=number((person.hood or 0) + 1))
    if person.role == "council":
        return _("Council, municipality {n}").format(n=number(person.plays + 1))
    if person.role == "organisation":
        return _("Community organisation {n}").format(n=number(person.plays + 1))
    return _("Business {n}").format(n=number(person.plays + 1))


def base_url(headers: dict[str, list[str]] | None = None) -> str:
    """The address participants open: what ``coprod dashboard`` said, else the page's host."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url.rstrip("/") + "/"
    for name, values in (headers or {}).items():
        if name.lower() == "host" and values:
            return f"http://{values[0]}/"
    return "http://127.0.0.1:8765/"


def join_link(base: str, code: str) -> str:
    """The link a participant opens (the QR code carries it): the page with the room's code."""
    return f"{base}?room={code}"


def facilitator_link(base: str, room: Room) -> str:
    """The facilitator's own link: the room's code and its key (keep it to yourself)."""
    return f"{base}?room={room.code}&key={room.key}"


@functools.lru_cache(maxsize=32)
def qr_svg(text: str) -> str:
    """``text`` as a QR code, an inline SVG drawn by segno (once per link, not per redraw)."""
    return segno.make(text, error="m").svg_inline(scale=4, border=2, title=None)


#: The threads that carry a room's changes into the sessions that listen (see
#: :func:`use_room_events`). Two, not one per session: starting 31 threads each round cost more
#: than the redraws they carry, and a second thread draws one session while the other waits for
#: its websocket to take a message. (Measured with ``benchmarks/room_load.py``, 30 devices, 9
#: rounds: median 0.88 and 1.00 s with 2 threads, 0.96 and 1.08 s with 4, 1.07 and 1.03 s
#: with 8.)
_PUSHERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="coprod-room-push")


def use_room_events(
    room: Room | None,
    on_event: Callable[[], None],
    events: frozenset[str] | None = None,
) -> None:
    """Call ``on_event()`` in this session when ``room`` changes in any session.

    ``events``: the changes to follow (default: all, see :meth:`Room.subscribe`). The call runs
    in this session's own kernel context, on one of the room's pusher threads, so that what it
    sets redraws this session's page only.
    """

    def connect():
        if room is None:
            return None
        from solara.server import kernel_context

        context = kernel_context.get_current_context()

        def push() -> None:
            if context.closed_event.is_set():
                return
            try:
                with context:
                    on_event()
            except Exception:  # a pool keeps what a thread would print: say it in the log
                logger.exception("a workshop room's change did not reach a session")

        def changed(_room: Room) -> None:  # in the thread that changed the room
            _PUSHERS.submit(push)

        return room.subscribe(changed, events)

    solara.use_effect(connect, [room])


def use_room_updates(room: Room | None, events: frozenset[str] | None = None) -> int:
    """Redraw the calling component when ``room`` changes in any session; return its version.

    ``events``: the changes to redraw after (default: all, see :meth:`Room.subscribe`).
    """
    tick = solara.use_reactive(0)
    use_room_events(room, lambda: tick.set(room.version), events)
    return tick.value


def use_countdown(room: Room | None, version: int) -> int | None:
    """Whole seconds until ``room``'s round steps by itself, redrawn each second; None: no timer.

    While the round has a deadline a thread of the session counts down; it starts again when
    the room changes (``version``: a new round, a new timer). Without a timer no thread starts,
    so a round of a room without one costs its 31 sessions no thread each.
    """
    left = solara.use_reactive(None)

    def start() -> Callable[[], None] | None:
        if room is None or room.seconds_left() is None:
            left.set(None)
            return None
        cancel = threading.Event()

        def count() -> None:
            while not cancel.is_set():
                seconds = room.seconds_left()
                left.set(None if seconds is None else math.ceil(seconds))
                if seconds is None or cancel.wait(min(1.0, seconds % 1.0 or 1.0)):
                    return

        # solara's threads carry the session's context: ``left.set`` redraws this session
        threading.Thread(target=count, daemon=True, name="coprod-room-countdown").start()
        return cancel.set

    solara.use_effect(start, [room, version])
    return left.value


@solara.component
def RoomPanel(
    ws: RecordedWorkshop,
    room: solara.Reactive[Room | None],
    base: str,
    on_round: Callable[[], None],
):
    """The workshop room card of the facilitator's page.

    Args:
        ws: the facilitator's workshop (run A is played).
        room: the session's open room, or None; only this session holds its key.
        base: the address participants open.
        on_round: called after a round stepped (redraw the views).
    """
    shown = room.value
    version = use_room_updates(shown)
    left = use_countdown(shown, version)
    error, set_error = solara.use_state("")

    def opened() -> None:
        try:
            room.set(open_room(ws))
            set_error("")
        except RoomError as exc:
            set_error(str(exc))

    if shown is None or shown.closed:
        with solara.Column(gap="4px", classes=["coprod-room"]):
            solara.Text(
                _(
                    "Let the room play: participants join from their phones or laptops, each "
                    "plays a resident, a council, an organisation or a business, and their "
                    "choices enter run A month by month."
                ),
                classes=["coprod-description"],
            )
            solara.Button(
                _("Open a room"),
                icon_name="mdi-account-group-outline",
                on_click=opened,
                outlined=True,
                small=True,
                classes=["coprod-room-open"],
            )
            if error:
                solara.Error(error, dense=True, classes=["coprod-room-error"])
        return

    key = shown.key

    def act(do: Callable[[], object]) -> None:
        try:
            do()
            set_error("")
        except RoomError as exc:
            set_error(str(exc))
        on_round()

    link = join_link(base, shown.code)
    people = shown.people()
    with solara.Column(gap="4px", classes=["coprod-room"]):
        with solara.Row(gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.HTML(tag="div", unsafe_innerHTML=qr_svg(link), classes=["coprod-room-qr"])
            with solara.Column(gap="2px"):
                solara.Text(_("Room code"), classes=["coprod-control-label"])
                solara.Text(
                    shown.code,
                    classes=["coprod-room-code"],
                    style={"font-size": "1.8em", "font-weight": "700", "letter-spacing": "3px"},
                )
        solara.Text(_("Join at:"), classes=["coprod-control-label"])
        solara.Text(link, classes=["coprod-room-link"], style={"word-break": "break-all"})
        if base.startswith(("http://127.", "http://localhost", "http://[::1]")):
            solara.Text(
                _(
                    "This address works on this computer only: start the dashboard with "
                    "--host 0.0.0.0 for devices on the local network."
                ),
                classes=["coprod-description", "coprod-room-loopback"],
            )
        chosen = shown.has_chosen()
        solara.Text(
            _("Round {round} · month {month}").format(
                round=number(shown.round), month=number(ws.month)
            ),
            classes=["coprod-room-round"],
            style={"font-weight": "600"},
        )
        solara.Text(
            ngettext(
                "{chosen} of {count} participant has chosen",
                "{chosen} of {count} participants have chosen",
                len(people),
            ).format(chosen=number(chosen), count=number(len(people))),
            classes=["coprod-room-chosen"],
        )
        with solara.Row(gap="6px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                _("Step round"),
                icon_name="mdi-step-forward",
                on_click=lambda: act(lambda: shown.step(key)),
                color="primary",
                small=True,
                disabled=ws.finished,
                classes=["coprod-room-step"],
            )
            solara.InputInt(
                _("Timer (seconds, 0: none)"),
                value=int(shown.timer or 0),
                on_value=lambda s: act(lambda: shown.set_timer(key, s or None)),
                dense=True,
                classes=["coprod-room-timer"],
                style={"max-width": "150px"},
            )
            solara.Button(
                _("Close room"),
                on_click=lambda: act(lambda: shown.close(key)),
                text=True,
                small=True,
                classes=["coprod-room-close"],
            )
        if left is not None:
            solara.Text(
                _("The round steps by itself within {seconds} s.").format(seconds=number(left)),
                classes=["coprod-room-timer-left"],
            )
        if error:
            solara.Error(error, dense=True, classes=["coprod-room-error"])
        if shown.results:
            last = shown.results[-1]
            solara.Text(
                _("Round {round} played: month {month}, {chosen} of {count} chose.").format(
                    round=number(last.round),
                    month=number(last.month),
                    chosen=number(last.chosen),
                    count=number(last.participants),
                ),
                classes=["coprod-room-last", "coprod-description"],
            )
        solara.Text(
            ngettext("{count} participant:", "{count} participants:", len(people)).format(
                count=number(len(people))
            )
            if people
            else _("Nobody has joined yet."),
            classes=["coprod-control-label"],
        )
        with solara.Column(gap="0px", classes=["coprod-room-people"]):
            for person in people:
                mark = "✓ " if shown.chosen(person.token) is not None else ""
                away = " " + _("(away)") if person.away else ""
                # the name is text, never markup: solara.Text escapes it
                solara.Text(
                    f"{mark}{person.name} — {who(person)}{away}",
                    classes=["coprod-room-person", "coprod-description"],
                )
