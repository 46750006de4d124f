"""A participant's page: join a workshop room, then play one agent from a phone-sized view.

The join form takes the room's code (filled in from the link or QR code), a name and a role
(and a neighbourhood for a resident). Once in, the device shows what its role decides this
round and what it needs to decide it, and after each round the round's result, every text in
the device's own language. The device holds only its participant token: whatever it sends, the
room checks on the server (:mod:`coprod.dashboard.room`), so a participant can change their own
choice and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reacton.ipyvuetify as v
import solara

from coprod.dashboard import labels
from coprod.dashboard.i18n import N_, _, current, number, percent
from coprod.dashboard.language import LanguageSwitch
from coprod.dashboard.network_view import status_word
from coprod.dashboard.room import (
    PARTICIPANT_EVENTS,
    ROLES,
    Participant,
    Room,
    RoomError,
    find_room,
)
from coprod.dashboard.room_panel import role_name, use_countdown, use_room_updates, who
from coprod.model import played

CSS = """
.coprod-phone { max-width: 420px; margin: 0 auto; padding: 8px; }
.coprod-phone .v-btn { text-transform: none; }
.coprod-phone-card { padding: 10px 12px !important; margin-bottom: 10px !important; }
.coprod-need { font-size: 14px; margin: 2px 0; }
.coprod-phone *, .coprod-phone *::before, .coprod-phone *::after {
  transition: none !important; animation: none !important;
}
"""

#: Service domains as the resident's view names them (others are shown by their key).
DOMAINS = {
    "public_space": N_("Public space"),
    "care": N_("Care"),
    "mobility": N_("Mobility"),
}

#: The acts a resident chooses from, with their words.
ACTS = {
    "none": N_("Nothing this month"),
    "report": N_("Report a problem"),
    "deliver": N_("Help deliver"),
    "propose": N_("Propose a change"),
}


@solara.component
def JoinPage(code: str = "", token: str = "", on_joined: Callable[[str, str], None] = None):
    """The participant's page: the join form, or the role's view once joined.

    Args:
        code: the room's code from the link, if any.
        token: this device's participant token from the link, if it joined before.
        on_joined: called with (code, token) after joining, to keep them in the address.
    """
    solara.Style(CSS)
    joined, set_joined = solara.use_state(token)
    room = None
    try:
        room = find_room(code) if code else None
    except RoomError:
        room = None
    person = None
    if room is not None and joined:
        try:
            person = room.participant(joined)
        except RoomError:
            person = None
    with solara.Column(classes=["coprod-phone"], gap="6px"):
        with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
            solara.Text(_("coprod workshop room"), style={"font-weight": "600"})
            LanguageSwitch()
        if person is None or room is None:

            def joined_now(room_code: str, new_token: str) -> None:
                set_joined(new_token)
                if on_joined is not None:
                    on_joined(room_code, new_token)

            JoinForm(code, joined_now)
        else:
            PlayerView(room, person)


@solara.component
def JoinForm(code: str, on_joined: Callable[[str, str], None]):
    """Code, name, role (and neighbourhood): join the room or say why not."""
    typed = solara.use_reactive(code)
    name = solara.use_reactive("")
    role = solara.use_reactive("resident")
    hood = solara.use_reactive(0)
    error, set_error = solara.use_state("")
    hoods, standing = 0, []
    try:
        found = find_room(typed.value) if typed.value else None
    except RoomError:
        found = None
    if found is not None:
        standing = list(found.workshop.runs["A"].model.hoods.ses_mean)
        hoods = len(standing)

    def join() -> None:
        try:
            room = find_room(typed.value)
            person = room.join(
                typed.value,
                name.value,
                role.value,
                hood=hood.value if role.value == "resident" else None,
                language=current(),
            )
        except RoomError as exc:
            set_error(_("Cannot join: {reason}").format(reason=_room_error(str(exc))))
            return
        set_error("")
        on_joined(room.code, person.token)

    with solara.Card(_("Join the workshop room"), classes=["coprod-phone-card"], margin=0):
        solara.InputText(
            _("Room code"), value=typed, continuous_update=True, classes=["coprod-join-code"]
        )
        solara.InputText(
            _("Your name (shown in the room)"),
            value=name,
            continuous_update=True,
            classes=["coprod-join-name"],
        )
        solara.Text(_("Your role:"), classes=["coprod-control-label"])
        v.BtnToggle(
            v_model=role.value,
            on_v_model=lambda r: r and role.set(r),
            mandatory=True,
            dense=True,
            class_="coprod-join-role",
            style_="flex-wrap: wrap;",
            children=[
                v.Btn(children=[role_name(r)], value=r, small=True, class_=f"coprod-role-{r}")
                for r in ROLES
            ],
        )
        if role.value == "resident" and hoods:
            v.Select(
                label=_("Your neighbourhood"),
                items=[  # as the map on the facilitator's screen names them
                    {
                        "text": _("Neighbourhood {number}").format(number=number(i + 1))
                        + " · "
                        + status_word(float(standing[i])),
                        "value": i,
                    }
                    for i in range(hoods)
                ],
                v_model=hood.value,
                on_v_model=lambda i: hood.set(int(i)),
                dense=True,
                outlined=True,
                hide_details=True,
                class_="coprod-join-hood",
                style_="margin: 8px 0;",
            )
        solara.Button(
            _("Join"),
            on_click=join,
            color="primary",
            disabled=not (typed.value and name.value.strip()),
            classes=["coprod-join-button"],
        )
        if error:
            solara.Error(error, dense=True, classes=["coprod-join-error"])


def _room_error(message: str) -> str:
    """The room's refusal in the language shown (the room speaks English, as errors do)."""
    if message.startswith(("wrong room code", "no open room")):
        return _("no open room has this code; check it with the facilitator")
    if message.startswith("the room is full"):
        return _("the room is full")
    if message.startswith("a name is needed"):
        return _("a name is needed")
    if message.startswith("the room is closed"):
        return _("the room is closed")
    return message


@solara.component
def PlayerView(room: Room, person: Participant):
    """A joined participant's view: who they play, this round's choice, the last result."""
    # passed on: a child redraws when its arguments change
    version = use_room_updates(room, events=PARTICIPANT_EVENTS)

    def here() -> Callable[[], None]:
        # this page counts the participant as here until it closes (the tab, the browser)
        room.page_opened(person.token)
        return lambda: room.page_closed(person.token)

    solara.use_effect(here, [room, person.token])
    left = use_countdown(room, version)
    model = room.workshop.runs["A"].model
    mine = room.chosen(person.token)
    error, set_error = solara.use_state("")
    made, set_made = solara.use_state(0)  # this device's own choices: redraw after each

    def choose(**choice: Any) -> None:
        try:
            room.choose(person.token, **choice)
            set_error("")
        except RoomError as exc:
            set_error(str(exc))
        set_made(lambda n: n + 1)

    if room.closed:
        solara.Info(
            _("The facilitator has closed the room. Thank you!"), classes=["coprod-closed"]
        )
        return
    with (
        solara.Card(margin=0, classes=["coprod-phone-card", "coprod-player"]),
        solara.Column(gap="2px"),
    ):
        solara.Text(
            _("{name}: {who}").format(name=person.name, who=who(person)),
            classes=["coprod-player-who"],
            style={"font-weight": "600"},
        )
        solara.Text(
            _("Round {round} · month {month}").format(
                round=number(room.round), month=number(room.workshop.month)
            ),
            classes=["coprod-player-round"],
        )
        if left is not None:
            solara.Text(
                _("The round ends within {seconds} s.").format(seconds=number(left)),
                classes=["coprod-description", "coprod-player-timer"],
            )
    RoundResultCard(room, person, version)
    with (
        solara.Card(
            _("Your choice this round"), margin=0, classes=["coprod-phone-card", "coprod-choice"]
        ),
        solara.Column(gap="4px"),
    ):
        if person.role == "resident":
            ResidentChoice(model, person, mine, choose, version)
        elif person.role == "council":
            CouncilChoice(model, person, mine, choose, version)
        elif person.role == "organisation":
            OrganisationChoice(model, person, mine, choose, version)
        else:
            BusinessChoice(model, person, mine, choose, version)
        if mine is not None:
            solara.Text(
                _("Chosen. You can change your mind until the round steps."),
                classes=["coprod-description", "coprod-chosen"],
            )
        if error:
            solara.Error(error, dense=True, classes=["coprod-choice-error"])


@solara.component
def RoundResultCard(room: Room, person: Participant, version: int = 0):
    """The last round's result, in this device's language; before the first, what will be here.

    The card is there from the start, so that a round changes its texts on every phone rather
    than adding a card to each (a new card is several new widgets for every device at once).
    """
    last = room.results[-1] if room.results else None
    with (
        solara.Card(
            margin=0,
            classes=[
                "coprod-phone-card",
                "coprod-round-result",
                *([f"coprod-round-result-{last.round}"] if last is not None else []),
            ],
        ),
        solara.Column(gap="2px"),
    ):
        if last is None:
            solara.Text(_("No round played yet."), classes=["coprod-round-result-title"])
            solara.Text(
                _("After each round its result appears here: taking part, trust, needs met."),
                classes=["coprod-description", "coprod-round-result-measures"],
            )
            return
        m = last.measures
        solara.Text(
            _("Round {round} played: now month {month}.").format(
                round=number(last.round), month=number(last.month)
            ),
            style={"font-weight": "600"},
            classes=["coprod-round-result-title"],
        )
        solara.Text(
            _("Taking part: {part}. Trust: {trust}. Needs met: {met}.").format(
                part=percent(m.get("participation_rate", 0.0)),
                trust=number(m.get("trust", 0.0), 2),
                met=percent(m.get("effectiveness", 0.0)),
            ),
            classes=["coprod-round-result-measures"],
        )
        if last.decisions.get(person.label) is None:
            solara.Text(
                _("You did not choose in that round: your agent followed the model's rules."),
                classes=["coprod-description", "coprod-round-result-mine"],
            )


@solara.component
def ResidentChoice(
    model, person: Participant, mine, choose: Callable[..., None], version: int = 0
):
    """A resident: their neighbourhood's needs, whether they were answered, and the act."""
    view = played.resident_view(model, person.plays)
    with solara.Column(gap="2px", classes=["coprod-resident-view"]):
        solara.Text(
            _("Needs in your neighbourhood (0: none, 1: great):"),
            classes=["coprod-control-label"],
        )
        for domain, need in zip(view.domains, view.needs, strict=True):
            shown = _(DOMAINS[domain]) if domain in DOMAINS else domain.replace("_", " ")
            solara.Text(f"{shown}: {number(need, 2)}", classes=["coprod-need"])
        solara.Text(
            _("Needs met there last month: {share}.").format(share=percent(view.needs_met)),
            classes=["coprod-need"],
        )
        solara.Text(
            _("Your reports so far: {reports}; proposals: {proposals}.").format(
                reports=number(view.reports), proposals=number(view.proposals)
            ),
            classes=["coprod-need", "coprod-own"],
        )
        solara.Text(
            _answer(view.answer),
            classes=["coprod-need", "coprod-answer", f"coprod-answer-{view.answer}"],
        )
        if view.refused:
            solara.Text(
                _("Your last act could not be made: {reason}").format(reason=view.refused),
                classes=["coprod-need", "coprod-refused"],
            )
    ChoiceToggle(
        {act: _(text) for act, text in ACTS.items()},
        getattr(mine, "act", None),
        lambda act: choose(act=act),
        version,
        "coprod-act",
        style="flex-wrap: wrap; margin-top: 6px;",
    )


@solara.component
def ChoiceToggle(
    options: dict[str, str],
    chosen: str | None,
    on_choose: Callable[[str], None],
    version: int,
    css: str,
    style: str = "",
):
    """One button per option (value: words); the chosen one shows selected.

    The selection lives in the browser too: a click selects a button there before the server
    hears of it, and when that click was the round's last choice the round steps before this
    device redraws. So the toggle keeps what was clicked as its own state and, when the room
    moves on (``version``), shows the choice that stands (nothing, at a new round). That redraws
    this toggle alone and sends one value, where a fresh toggle each round would send every
    phone five new widgets.

    Args:
        options: the buttons, value: words shown.
        chosen: the value that stands this round (None: nothing chosen yet).
        on_choose: called with the value clicked.
        version: the room's version; when it moves, the toggle shows ``chosen`` again.
        css: the toggle's class; each button gets ``{css}-{value}``.
        style: the toggle's inline style.
    """
    picked = solara.use_reactive(chosen)
    solara.use_effect(lambda: picked.set(chosen), [version, chosen])

    def clicked(value: str | None) -> None:
        if value:  # a click on the selected button unselects it there: the choice stands
            picked.set(value)
            on_choose(value)

    v.BtnToggle(
        v_model=picked.value,
        on_v_model=clicked,
        dense=True,
        class_=css,
        style_=style,
        children=[
            v.Btn(children=[words], value=value, small=True, class_=f"{css}-{value}")
            for value, words in options.items()
        ],
    )


def _answer(answer: str | None) -> str:
    words = {
        "answered": _("The administration answered your report or proposal this month."),
        "waiting": _("Your report or proposal is still waiting for an answer."),
        "ignored": _("Your report or proposal expired without an answer."),
    }
    return words.get(answer, _("Nothing of yours is waiting for an answer."))


def _slider(value: solara.Reactive, css_class: str, low: float = 0.0, high: float = 1.0) -> None:
    """A slider in steps of 0.05 (a share, by default) for a value the participant sets."""
    v.Slider(
        v_model=value.value,
        on_v_model=lambda x: value.set(round(float(x), 2)),
        min=low,
        max=high,
        step=0.05,
        thumb_label=True,
        hide_details=True,
        class_=css_class,
    )


@solara.component
def CouncilChoice(model, person: Participant, mine, choose: Callable[..., None], version: int = 0):
    """A council: budget, review of automated decisions, the counter; sent together."""
    view = played.council_view(model, person.plays)
    budget = solara.use_reactive(float(view.settings["budget"]))
    review = solara.use_reactive(float(view.settings["human_review"]))
    counter = solara.use_reactive(bool(view.settings["offline_channel"]))
    solara.Text(
        _("In your municipality now: taking part {part}, trust {trust}, needs met {met}.").format(
            part=percent(view.measures["participation_rate"]),
            trust=number(view.measures["trust"], 2),
            met=percent(view.measures["effectiveness"]),
        ),
        classes=["coprod-need", "coprod-council-view"],
    )
    control = labels.CONTROLS["governance.budget"]
    solara.Text(_("Public budget per resident"), classes=["coprod-control-label"])
    _slider(budget, "coprod-council-budget", control.low, control.high)
    solara.Text(_("Share of automated decisions reviewed"), classes=["coprod-control-label"])
    _slider(review, "coprod-council-review")
    solara.Switch(
        label=_("Keep the counter open"), value=counter, classes=["coprod-council-counter"]
    )
    solara.Button(
        _("Send"),
        on_click=lambda: choose(
            budget=budget.value, human_review=review.value, offline_channel=counter.value
        ),
        color="primary",
        small=True,
        classes=["coprod-council-send"],
    )


@solara.component
def OrganisationChoice(
    model, person: Participant, mine, choose: Callable[..., None], version: int = 0
):
    """A community organisation: how hard it reaches out this month."""
    view = played.organisation_view(model, person.plays)
    outreach = solara.use_reactive(float(getattr(mine, "outreach", view.activity)))
    solara.Text(
        _("Members: {members}. Recruited by you: {recruited}. Taking part here: {part}.").format(
            members=number(view.members),
            recruited=number(view.recruited),
            part=percent(view.participation_rate),
        ),
        classes=["coprod-need", "coprod-org-view"],
    )
    solara.Text(_("How hard you reach out this month"), classes=["coprod-control-label"])
    _slider(outreach, "coprod-org-outreach")
    solara.Button(
        _("Send"),
        on_click=lambda: choose(outreach=outreach.value),
        color="primary",
        small=True,
        classes=["coprod-org-send"],
    )


@solara.component
def BusinessChoice(
    model, person: Participant, mine, choose: Callable[..., None], version: int = 0
):
    """A business: engage this month or stay out."""
    view = played.business_view(model, person.plays)
    solara.Text(
        (_("Engaged now") if view.engaged else _("Not engaged now"))
        + " · "
        + _("months engaged: {months}").format(months=number(view.months_engaged)),
        classes=["coprod-need", "coprod-business-view"],
    )
    ChoiceToggle(
        {"engage": _("Engage this month"), "out": _("Stay out")},
        None if mine is None else ("engage" if mine.engage else "out"),
        lambda x: choose(engage=x == "engage"),
        version,
        "coprod-business",
    )
