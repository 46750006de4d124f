"""Workshop rooms: participants join the facilitator's run from their own devices and play it.

A :class:`Room` belongs to one facilitator's :class:`~coprod.dashboard.workshop_record.
RecordedWorkshop` (their browser session, or the one ``coprod dashboard --room`` opens at
start). Participants join with the room's short code and play one agent each: a resident of a
neighbourhood (one citizen, picked by :func:`coprod.model.played.pick_citizen`), a council (a
municipality's rules), a community organisation or a business. Each round collects their
choices; the round steps when everyone has chosen, when the timer runs out, or when the
facilitator steps it. Stepping turns the choices into a :class:`~coprod.model.played.Choices`,
plays it on run A's model and steps the workshop, so agents nobody plays follow the model's
rules, and keeps the round's decisions by role (never by name) with the run, for the record
and its re-run.

Only a call carrying the room's facilitator key (held by the facilitator's session alone) can
step, reset, change rules or close the room; a participant's token lets them change their own
choice only. Rooms live in a registry of this server process (:func:`open_room`,
:func:`find_room`), guarded by a lock because each browser session runs in its own thread;
listeners (the sessions' pages) are told after each change, outside the room's lock.

This module knows nothing of Solara, so that its rules are tested without a browser.
"""

from __future__ import annotations

import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from coprod.dashboard.state import Workshop
from coprod.model import played

Role = Literal["resident", "council", "organisation", "business"]
#: The roles a participant can take, in the order the join form offers them.
ROLES: tuple[Role, ...] = ("resident", "council", "organisation", "business")
#: The letters of a room code: no 0/O, 1/I/L, so that a code read off a screen is typed right.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: Characters in a room code (31**5, about 29 million codes).
CODE_LENGTH = 5
#: The most participants a room takes.
MAX_PARTICIPANTS = 40
#: The longest display name kept.
MAX_NAME = 40
#: The longest round timer, in seconds.
MAX_TIMER = 3600
#: The most rooms one server keeps open.
MAX_ROOMS = 20
#: The changes a participant's page redraws after (see :meth:`Room.subscribe`).
PARTICIPANT_EVENTS = frozenset({"round", "timer", "restarted", "closed"})
#: The changes that move run A: the facilitator's views redraw after these only.
ROUND_EVENTS = frozenset({"round", "restarted"})
#: The measures a round's result shows, as the model names them.
RESULT_MEASURES = ("participation_rate", "trust", "effectiveness", "participation_gap")


class RoomError(ValueError):
    """A request the room refuses; the message says what was wrong and what is allowed."""


class NotFacilitatorError(RoomError, PermissionError):
    """A call that needs the facilitator's key came without it."""


@dataclass
class Participant:
    """One device in the room: who they say they are, their role and the agent they play."""

    token: str
    name: str
    role: Role
    number: int  # 1 for the first participant of this role, 2 for the next, ...
    plays: int  # the citizen, municipality, organisation or business index played
    hood: int | None = None  # a resident's neighbourhood
    language: str = "en"
    pages: int | None = None  # their pages open now; None: none has been seen (the API alone)

    @property
    def away(self) -> bool:
        """Every page of theirs is closed (the tab, the browser): rounds do not wait for them."""
        return self.pages == 0

    @property
    def label(self) -> str:
        """Who they are in the record, by role, never by name: ``resident 1 (neighbourhood 3)``."""
        if self.role == "resident":
            return f"resident {self.number} (neighbourhood {(self.hood or 0) + 1})"
        if self.role == "council":
            return f"council {self.number} (municipality {self.plays + 1})"
        return f"{self.role} {self.number}"


@dataclass(frozen=True)
class RoundResult:
    """What one round did: its number, the month reached, the decisions and the measures."""

    round: int
    month: int
    chosen: int  # participants who chose
    participants: int
    how: Literal["all chose", "timer", "facilitator"]
    decisions: dict[str, dict[str, Any]]  # by role label, the choice played
    measures: dict[str, float]


@dataclass(eq=False)  # a room is itself: compared and hashed by identity
class Room:
    """A workshop room: its code, the facilitator's key, participants and the round played."""

    workshop: Workshop
    code: str = field(default_factory=lambda: new_code())
    key: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    max_participants: int = MAX_PARTICIPANTS
    participants: dict[str, Participant] = field(default_factory=dict)
    pending: dict[str, Any] = field(default_factory=dict)  # token -> a played.*Choice
    round: int = 1  # the round being chosen now
    timer: float | None = None  # seconds per round, or None: no timer
    deadline: float | None = None  # time.monotonic() when this round steps by itself
    results: list[RoundResult] = field(default_factory=list)
    closed: bool = False
    version: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    _listeners: list[tuple[Callable[[Room], None], frozenset[str] | None]] = field(
        default_factory=list
    )
    _timer: threading.Timer | None = None
    _run: Any = None  # the run A the rounds play (the workshop may replace it)
    _counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._run = self.workshop.runs["A"]

    # ------------------------------------------------------------------ joining
    def join(
        self,
        code: str,
        name: str,
        role: str,
        hood: int | None = None,
        language: str = "en",
    ) -> Participant:
        """Let a device in with the room's ``code``; return the participant (keep its token).

        Raises:
            RoomError: a wrong code, a closed or full room, an empty name, an unknown role or
                a neighbourhood the run does not have.
        """
        if not secrets.compare_digest(normal_code(code).encode(), self.code.encode()):
            raise RoomError(f"wrong room code {code!r}; ask the facilitator for the code")
        clean = clean_name(name)
        if role not in ROLES:
            raise RoomError(f"unknown role {role!r}; allowed: {', '.join(ROLES)}")
        with self.lock:
            if self.closed:
                raise RoomError("the room is closed")
            if len(self.participants) >= self.max_participants:
                raise RoomError(f"the room is full ({self.max_participants} participants)")
            model = self.workshop.runs["A"].model
            hoods = len(model.hoods.population)
            if role == "resident":
                if hood is None or not 0 <= int(hood) < hoods:
                    raise RoomError(
                        f"neighbourhood {hood!r} is not in the run; allowed: 0 to {hoods - 1}"
                    )
                hood = int(hood)
            else:
                hood = None
            plays = self._assign(role, hood)
            self._counts[role] = self._counts.get(role, 0) + 1
            person = Participant(
                token=secrets.token_urlsafe(18),
                name=clean,
                role=role,  # type: ignore[arg-type]
                number=self._counts[role],
                plays=plays,
                hood=hood,
                language=language,
            )
            self.participants[person.token] = person
            self.version += 1
        self._tell("joined")
        return person

    def _assign(self, role: str, hood: int | None, exclude: str | None = None) -> int:
        """The agent a new participant of ``role`` plays: the first one nobody plays yet."""
        model = self.workshop.runs["A"].model
        taken = {p.plays for t, p in self.participants.items() if p.role == role and t != exclude}
        if role == "resident":
            try:
                return int(played.pick_citizen(model, hood, taken))
            except played.PlayError as exc:
                raise RoomError(str(exc)) from None
        count = {
            "council": len(model.administrations),
            "organisation": len(model.organisations.hood),
            "business": len(model.businesses.hood),
        }[role]
        if count == 0:
            raise RoomError(f"the run has no {role} to play")
        free = [i for i in range(count) if i not in taken]
        return free[0] if free else len(taken) % count

    def participant(self, token: str) -> Participant:
        """The participant holding ``token``; a :class:`RoomError` for an unknown token."""
        with self.lock:
            found = self.participants.get(token)
        if found is None:
            raise RoomError("you are not in this room (join again with the room's code)")
        return found

    def leave(self, token: str) -> None:
        """A participant leaves; their pending choice goes with them."""
        with self.lock:
            self.participants.pop(token, None)
            self.pending.pop(token, None)
            self.version += 1
        self._tell("left")

    def page_opened(self, token: str) -> None:
        """A page of ``token``'s participant opened (they joined, or came back with their link)."""
        with self.lock:
            person = self.participants.get(token)
            if person is None:
                return
            person.pages = (person.pages or 0) + 1
            self.version += 1
        self._tell("here")

    def page_closed(self, token: str) -> None:
        """A page of ``token``'s participant closed; with none left open they are away.

        The round does not wait for a participant who is away: when everyone still here has
        chosen, it steps, as when the last of them chose. They stay in the room (the record's
        role numbers hold) and are back when they open their link again.
        """
        with self.lock:
            person = self.participants.get(token)
            if person is None or not person.pages:
                return
            person.pages -= 1
            self.version += 1
            everyone = self._everyone_chose()
            round_no = self.round
        if everyone:
            self._step("all chose", round_no)
        else:
            self._tell("away")

    def _everyone_chose(self) -> bool:
        """Whether every participant who is not away has chosen (and somebody has); lock held."""
        here = {t for t, p in self.participants.items() if not p.away}
        return bool(here) and bool(self.pending) and set(self.pending) >= here

    # ------------------------------------------------------------------ choosing
    def choose(self, token: str, **choice: Any) -> None:
        """A participant's choice for this round (their token says who and which agent).

        ``choice`` is what their role decides, checked against the model's choice types:
        ``act`` (resident: none, report, deliver, propose); ``budget``, ``human_review``,
        ``offline_channel``, ``inclusion_outreach`` (council); ``outreach`` (organisation);
        ``engage`` and ``lobby`` (business). When everyone who is not away has chosen, the round
        steps.

        Raises:
            RoomError: an unknown token, a closed room, or a choice the role cannot make.
        """
        person = self.participant(token)
        made = _choice(person, choice)
        with self.lock:
            if self.closed:
                raise RoomError("the room is closed")
            self.pending[token] = made
            self.version += 1
            everyone = self._everyone_chose()
            round_no = self.round
        if everyone:  # two last choices at once step the round once
            self._step("all chose", round_no)
        else:
            self._tell("chose")

    def chosen(self, token: str) -> Any | None:
        """The choice ``token`` made this round, or None."""
        with self.lock:
            return self.pending.get(token)

    # ------------------------------------------------------------------ the facilitator
    def check(self, key: str | None) -> None:
        """Raise :class:`NotFacilitatorError` unless ``key`` is the room's facilitator key."""
        if not key or not secrets.compare_digest(str(key).encode(), self.key.encode()):
            raise NotFacilitatorError("only the facilitator can do this")

    def step(self, key: str | None) -> RoundResult:
        """The facilitator ends the round now: the choices made are played, the run steps."""
        self.check(key)
        return self._step("facilitator")

    def set_timer(self, key: str | None, seconds: float | None) -> None:
        """Rounds step by themselves after ``seconds`` (None or 0: no timer); this round too."""
        self.check(key)
        if seconds is not None and not 0 <= float(seconds) <= MAX_TIMER:
            raise RoomError(f"timer {seconds!r} s is not allowed; allowed: 0 to {MAX_TIMER}")
        with self.lock:
            self.timer = float(seconds) if seconds else None
            self._arm()
            self.version += 1
        self._tell("timer")

    def reset(self, key: str | None) -> None:
        """Start the run again from month 0; rounds start again at 1, participants stay."""
        self.check(key)
        with self.lock, self.workshop.lock:
            self.workshop.reset()
            self._restart()
        self._tell("restarted")

    def set_rule(self, key: str | None, rule: str, value: Any) -> None:
        """Change a governance rule of run A (the run restarts, as in the dashboard)."""
        self.check(key)
        with self.lock, self.workshop.lock:
            self.workshop.set_rule("A", rule, value)
            self._restart()
        self._tell("restarted")

    def close(self, key: str | None) -> None:
        """Close the room: nobody joins or chooses any more; it leaves the registry."""
        self.check(key)
        with self.lock:
            self.closed = True
            self.deadline = None
            if self._timer is not None:
                self._timer.cancel()
            self.version += 1
        with _REGISTRY_LOCK:
            if _ROOMS.get(self.code) is self:
                del _ROOMS[self.code]
        self._tell("closed")

    def restarted(self) -> None:
        """The facilitator's page restarted the runs (a rule, Reset): follow the new run A.

        Holds the facilitator's key implicitly: only the facilitator's page, which owns the
        workshop, can restart it.
        """
        with self.lock, self.workshop.lock:
            self._restart()
        self._tell("restarted")

    def _restart(self) -> None:
        self.pending.clear()
        self._follow(self.workshop.runs["A"])
        self._arm()
        self.version += 1

    def _follow(self, run: Any) -> None:
        """Play ``run`` (a new run A) from round 1: each participant's agent picked again."""
        self._run = run
        self.results.clear()
        self.round = 1
        for token, person in self.participants.items():
            person.plays = self._assign(person.role, person.hood, exclude=token)
            if token in self.pending:
                field_name = _INDEX[person.role]
                self.pending[token] = self.pending[token].model_copy(
                    update={field_name: person.plays}
                )

    # ------------------------------------------------------------------ rounds
    def choices(self) -> played.Choices:
        """This round's choices as the model takes them (later participants win per agent)."""
        with self.lock:
            made = list(self.pending.values())
        return played.Choices(
            residents=[c for c in made if isinstance(c, played.ResidentChoice)],
            councils=[c for c in made if isinstance(c, played.CouncilChoice)],
            organisations=[c for c in made if isinstance(c, played.OrganisationChoice)],
            businesses=[c for c in made if isinstance(c, played.BusinessChoice)],
        )

    def _step(self, how: str, round_no: int | None = None) -> RoundResult | None:
        with self.lock, self.workshop.lock:
            if self.closed or (round_no is not None and round_no != self.round):
                return None  # a timer of a round already stepped
            ws = self.workshop
            if ws.finished:
                raise RoomError("the run has reached its last month; reset to play again")
            run = ws.runs["A"]
            if run is not self._run:  # the facilitator's page restarted the runs
                self._follow(run)
            choices = self.choices()
            made = [
                {"who": person.label, "role": person.role, "choice": c.model_dump()}
                for t, c in self.pending.items()
                if (person := self.participants.get(t)) is not None
            ]
            try:
                run.model.play(choices)
            except played.PlayError as exc:
                raise RoomError(str(exc)) from None
            ws.step()
            run.rounds.append({"month": run.month, "decisions": made})
            decisions = {d["who"]: d["choice"] for d in made}
            last = run.frame().iloc[-1]
            result = RoundResult(
                round=self.round,
                month=run.month,
                chosen=len(self.pending),
                participants=len(self.participants),
                how=how,  # type: ignore[arg-type]
                decisions=decisions,
                measures={m: float(last[m]) for m in RESULT_MEASURES if m in last.index},
            )
            self.results.append(result)
            self.pending.clear()
            self.round += 1
            self._arm()
            self.version += 1
        self._tell("round")
        return result

    def _arm(self) -> None:
        """(Re)start the round's timer; call with the lock held."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.timer is None or self.closed:
            self.deadline = None
            return
        self.deadline = time.monotonic() + self.timer
        self._timer = threading.Timer(self.timer, self._timeout, args=(self.round,))
        self._timer.daemon = True
        self._timer.start()

    def _timeout(self, round_no: int) -> None:
        try:
            self._step("timer", round_no)
        except RoomError:  # the run ended meanwhile: the page says so
            pass

    def seconds_left(self) -> float | None:
        """Seconds until the round steps by itself, or None without a timer."""
        deadline = self.deadline
        return None if deadline is None else max(0.0, deadline - time.monotonic())

    # ------------------------------------------------------------------ listeners
    def subscribe(
        self, listener: Callable[[Room], None], events: set[str] | None = None
    ) -> Callable[[], None]:
        """Call ``listener(room)`` after each change; return the function that stops it.

        ``events`` (default: all) picks the changes: ``joined``, ``left``, ``here`` and
        ``away`` (a participant's page opened, or their last one closed), ``chose``, ``round``
        (a round stepped), ``timer``, ``restarted`` (the run began again), ``closed``. A
        participant's page listens to rounds, timers, restarts and closing only, so that 30
        choices do not redraw 30 phones 30 times.
        """
        entry = (listener, None if events is None else frozenset(events))
        with self.lock:
            self._listeners.append(entry)

        def unsubscribe() -> None:
            with self.lock:
                if entry in self._listeners:
                    self._listeners.remove(entry)

        return unsubscribe

    def _tell(self, event: str) -> None:
        with self.lock:
            listeners = [f for f, wanted in self._listeners if wanted is None or event in wanted]
        for listener in listeners:  # outside the lock: a listener may read the room
            listener(self)

    # ------------------------------------------------------------------ what the pages show
    def people(self) -> list[Participant]:
        """The participants in the order they joined."""
        with self.lock:
            return list(self.participants.values())

    def has_chosen(self) -> int:
        """How many participants have chosen this round."""
        with self.lock:
            return sum(t in self.participants for t in self.pending)


#: The field of each role's choice that names the agent played.
_INDEX = {
    "resident": "citizen",
    "council": "municipality",
    "organisation": "organisation",
    "business": "business",
}


def _choice(person: Participant, choice: dict[str, Any]) -> Any:
    """The model's choice object for ``person``'s agent, or a :class:`RoomError` saying why."""
    kinds = {
        "resident": played.ResidentChoice,
        "council": played.CouncilChoice,
        "organisation": played.OrganisationChoice,
        "business": played.BusinessChoice,
    }
    kind, index = kinds[person.role], _INDEX[person.role]
    if index in choice:
        raise RoomError(f"{index} is not chosen by a participant: the room assigns it")
    try:
        return kind(**{index: person.plays, **choice})
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise RoomError(
            f"{person.role} choice {where}={error.get('input')!r}: {error['msg']}"
        ) from None


# ---------------------------------------------------------------------- codes and names
def new_code() -> str:
    """A fresh room code of :data:`CODE_LENGTH` letters of :data:`ALPHABET`."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    """A code as typed (``ab-c23``, `` abc23 ``) in the form the room keeps (``ABC23``)."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def clean_name(name: str) -> str:
    """A display name without control characters, spaces collapsed, at most :data:`MAX_NAME`.

    The name is kept as text: every page shows it as text (escaped), never as markup.
    """
    text = "".join(ch for ch in str(name) if unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split())[:MAX_NAME]
    if not text:
        raise RoomError("a name is needed (any name: it is shown in the room only)")
    return text


# ---------------------------------------------------------------------- the registry
_ROOMS: dict[str, Room] = {}
_REGISTRY_LOCK = threading.Lock()


def open_room(workshop: Workshop, max_participants: int = MAX_PARTICIPANTS) -> Room:
    """Open a room on ``workshop`` (run A is played) and register it under a fresh code."""
    with _REGISTRY_LOCK:
        if len(_ROOMS) >= MAX_ROOMS:
            raise RoomError(f"this server has {MAX_ROOMS} rooms open; close one first")
        while True:
            room = Room(workshop, max_participants=max_participants)
            if room.code not in _ROOMS:
                break
        _ROOMS[room.code] = room
    return room


def find_room(code: str) -> Room:
    """The open room with ``code`` (as typed); a :class:`RoomError` when there is none."""
    wanted = normal_code(code)
    with _REGISTRY_LOCK:
        room = _ROOMS.get(wanted)
    if room is None or not wanted:
        raise RoomError(f"no open room has the code {code!r}; check the code and try again")
    return room


def facilitator_room(code: str, key: str) -> Room:
    """The room with ``code`` if ``key`` is its facilitator key, else a :class:`RoomError`."""
    room = find_room(code)
    room.check(key)
    return room


def open_rooms() -> list[Room]:
    """The rooms open now (for tests and the server's shutdown)."""
    with _REGISTRY_LOCK:
        return list(_ROOMS.values())
