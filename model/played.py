"""Played agents: the choices of people who take an agent's part in a participatory simulation.

In a workshop room (NetLogo's HubNet is the model) a participant plays one resident, one
municipality's council, one community organisation or one business. Their choices are data
(:class:`Choices`), checked against the model they are played in, held by
:meth:`CoProductionModel.play <coprod.model.core.CoProductionModel.play>` for the next month
and applied by the phases at the point where the model would otherwise decide for the agent:

- a **resident**'s act replaces the citizen's reports, delivery and proposal drawn in
  ``citizens_decide`` (after the draws, so the random stream is consumed as always);
- a **council** changes its municipality's rules with ``model.local.set`` at the start of the
  month; the change stays, as an innovation's does;
- an **organisation**'s outreach sets its activity for the month and reaches and recruits the
  low participants of its own neighbourhood (``organisations_act``);
- a **business**'s engagement (and lobbying) replaces its draw in ``businesses_engage``.

Agents nobody plays follow the model's rules. A run with no choices draws the same numbers as
one without this module. With choices the draws of later phases can part from an unplayed
twin's as soon as a played act changes how many are drawn (a report draws its domain), so a
comparison of played and unplayed runs is made on ensembles. docs/ODD.md, section "Played
agents", describes each role's choice in the model's terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coprod.model.errors import InputError

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: A resident's act in a month: nothing, a report, a month's delivery, a proposal.
Act = Literal["none", "report", "deliver", "propose"]
ACTS: tuple[str, ...] = ("none", "report", "deliver", "propose")


class PlayError(InputError):
    """A choice that cannot be played; the message names the field, the value and the rule."""


class _Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResidentChoice(_Choice):
    """The act of the citizen a participant plays, for one month."""

    citizen: int
    act: Act


class CouncilChoice(_Choice):
    """A municipality's rules as its council sets them (None: leave as it is); they persist."""

    municipality: int
    budget: float | None = Field(None, gt=0.0, le=10.0)
    human_review: float | None = Field(None, ge=0.0, le=1.0)
    offline_channel: bool | None = None
    inclusion_outreach: float | None = Field(None, ge=0.0, le=1.0)


class OrganisationChoice(_Choice):
    """How hard a community organisation reaches out this month, in [0, 1]."""

    organisation: int
    outreach: float = Field(ge=0.0, le=1.0)


class BusinessChoice(_Choice):
    """Whether a business is engaged this month; whether it lobbies (None: the model's rule)."""

    business: int
    engage: bool
    lobby: bool | None = None


class Choices(BaseModel):
    """The played agents' choices for one month, by role."""

    model_config = ConfigDict(extra="forbid")

    residents: list[ResidentChoice] = []
    councils: list[CouncilChoice] = []
    organisations: list[OrganisationChoice] = []
    businesses: list[BusinessChoice] = []

    def __bool__(self) -> bool:
        return bool(self.residents or self.councils or self.organisations or self.businesses)

    def merged(self, later: Choices) -> Choices:
        """These choices with ``later``'s on top: later wins per agent (a council per setting)."""
        councils: dict[int, dict[str, Any]] = {}
        for choice in [*self.councils, *later.councils]:
            entry = councils.setdefault(choice.municipality, {})
            entry.update(choice.model_dump(exclude_none=True))
        return Choices(
            residents=_latest(self.residents, later.residents, "citizen"),
            councils=[CouncilChoice(**entry) for entry in councils.values()],
            organisations=_latest(self.organisations, later.organisations, "organisation"),
            businesses=_latest(self.businesses, later.businesses, "business"),
        )


def _latest(first: list, second: list, key: str) -> list:
    """One choice per agent, the later one where both name it, in order of first mention."""
    by_agent: dict[int, Any] = {}
    for choice in [*first, *second]:
        by_agent[getattr(choice, key)] = choice
    return list(by_agent.values())


#: Each role's list in :class:`Choices` and the choice it holds.
_ROLES: dict[str, type[BaseModel]] = {
    "residents": ResidentChoice,
    "councils": CouncilChoice,
    "organisations": OrganisationChoice,
    "businesses": BusinessChoice,
}

#: The council's fields and the dotted scenario keys they set.
COUNCIL_KEYS = {
    "budget": "governance.budget",
    "human_review": "governance.human_review",
    "offline_channel": "governance.offline_channel",
    "inclusion_outreach": "governance.inclusion_outreach",
}


# ------------------------------------------------------------------------------ validation


def parse(data: Choices | dict | str) -> Choices:
    """A :class:`Choices` from itself, a dict or a JSON string; :class:`PlayError` if invalid."""
    if isinstance(data, Choices):
        return data
    try:
        if isinstance(data, str):
            return Choices.model_validate_json(data)
        return Choices.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        value = first.get("input")
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message += f"; allowed fields: {', '.join(_fields_at(first['loc']))}"
        raise PlayError(f"{where} = {value!r}: {message}") from None


def _fields_at(loc: tuple) -> list[str]:
    """The fields allowed where an unknown one was given (``loc`` ends with its name)."""
    role = _ROLES.get(str(loc[0])) if len(loc) > 2 else None
    return list((role or Choices).model_fields)


def validate(model: CoProductionModel, choices: Choices | dict | str) -> Choices:
    """The choices, checked against ``model``: every index names one of its agents.

    Raises:
        PlayError: naming the field, the value and the indices allowed.
    """
    choices = parse(choices)
    sizes = {
        ("residents", "citizen"): len(model.citizens),
        ("councils", "municipality"): len(model.administrations),
        ("organisations", "organisation"): len(model.organisations),
        ("businesses", "business"): len(model.businesses),
    }
    for (role, key), size in sizes.items():
        for at, choice in enumerate(getattr(choices, role)):
            index = getattr(choice, key)
            if not 0 <= index < size:
                allowed = f"0..{size - 1}" if size else "none (the model has no such agent)"
                raise PlayError(f"{role}.{at}.{key} = {index!r}: not an index; allowed {allowed}")
    return choices


# ------------------------------------------------------------------------------ the month


def start_month(model: CoProductionModel) -> None:
    """Take the pending choices for this month and apply the councils' rules.

    The month's choices are held in ``model.playing`` while its phases run (a counterfactual
    branch forked meanwhile finishes the month with them) and the pending ones are cleared.
    """
    choices = model.pending_choices
    model.pending_choices = Choices()
    model.playing = choices if choices else None
    model.played_refused = {}  # (role, index) -> why this month's choice was refused
    for council in choices.councils:
        for field, key in COUNCIL_KEYS.items():
            value = getattr(council, field)
            if value is not None:
                model.local.set(council.municipality, key, value)


def _playing(model: CoProductionModel) -> Choices | None:
    """This month's choices, or None (a model stepped without any, or a phase run alone)."""
    return getattr(model, "playing", None)


def force_acts(
    model: CoProductionModel,
    reports: np.ndarray,
    delivers: np.ndarray,
    proposes: np.ndarray,
    reachable: np.ndarray,
) -> None:
    """The played residents' acts replace their drawn reports, delivery and proposal (in place).

    One act a month: "report" is one report, "deliver" a month's delivery (its domain and
    effort by the model's rule, ``_domains_and_effort``), "propose" one proposal, "none"
    nothing. An act the model does not let the citizen make is refused, and the citizen does
    nothing that month (their choice replaced the draw): no channel open to them (a closed
    counter without the platform), delivery where the paradigm does not open it, a proposal
    where co-creation is closed or outside the annual call. The reason is kept in
    ``model.played_refused`` for the resident's view.
    """
    choices = _playing(model)
    if choices is None or not choices.residents:
        return
    refused = model.played_refused
    for choice in choices.residents:
        i = choice.citizen
        reports[i] = 0
        delivers[i] = False
        proposes[i] = False
        reason = refusal(model, i, choice.act, bool(reachable[i]))
        if reason is not None:
            refused["residents", i] = reason
        elif choice.act == "report":
            reports[i] = 1
        elif choice.act == "deliver":
            delivers[i] = True
        elif choice.act == "propose":
            proposes[i] = True


def refusal(model: CoProductionModel, citizen: int, act: str, reachable: bool) -> str | None:
    """Why ``citizen`` cannot make ``act`` this month, or None when they can."""
    from coprod.model.participation import call_open  # participation imports this module

    if act == "none":
        return None
    if not reachable:
        return "no channel is open to this resident (counter closed, no platform access)"
    m = int(model.citizens.municipality[citizen])
    if act == "deliver" and not model.local.delivery[m]:
        return "the governance paradigm does not open service delivery to residents"
    if act == "propose" and not model.local.cocreation[m]:
        return "the governance paradigm does not open co-creation to residents"
    if act == "propose" and not call_open(model):
        return "the call for proposals is closed this month"
    return None


def force_engagement(model: CoProductionModel, anyone_engaged: bool) -> bool:
    """The played businesses' engagement replaces their draw; whether any business is engaged.

    Called after the engagement draw of ``businesses_engage``. A business barred for lobbying
    that was caught cannot start (the model's sanction): its choice to engage is refused.
    """
    choices = _playing(model)
    if choices is None or not choices.businesses:
        return anyone_engaged
    b = model.businesses
    for choice in choices.businesses:
        i = choice.business
        if choice.engage and b.barred[i] > 0:
            model.played_refused["businesses", i] = (
                f"barred from engagement for {int(b.barred[i])} more months after lobbying "
                "was caught"
            )
            b.engaged[i] = False
        else:
            b.engaged[i] = choice.engage
    return bool(b.engaged.any())


def force_lobbying(model: CoProductionModel, log_of_rest: np.ndarray) -> None:
    """A played business's lobbying choice replaces the opportunity it saw (in place).

    The model's partner lobbies when an opportunity of random size (``-log_of_rest``) is worth
    the risk (``partners.lobbies``). A business that chooses to lobby sees an opportunity
    worth any risk short of certain detection; one that chooses not to sees none. Whether
    lobbying is caught is still the model's draw.
    """
    choices = _playing(model)
    if choices is None:
        return
    for choice in choices.businesses:
        if choice.lobby is not None:
            log_of_rest[choice.business] = -np.inf if choice.lobby else 0.0


#: An organisation's outreach at full effort (1) counts as the outreach share at which
#: funding saturates its activity, ``(1 - BASE_ACTIVITY) / OUTREACH_ACTIVITY`` (assumption).
def outreach_share(outreach: float) -> float:
    """The outreach share a played organisation's effort ``outreach`` in [0, 1] stands for."""
    from coprod.model import partners

    return outreach * (1.0 - partners.BASE_ACTIVITY) / partners.OUTREACH_ACTIVITY


def reach_out(model: CoProductionModel, record: StepRecord) -> None:
    """The played organisations reach out in their own neighbourhood this month.

    Called at the end of ``organisations_act``, after the model's outreach. An organisation's
    effort ``outreach`` stands for an outreach share (:func:`outreach_share`): its activity is
    the one that share funds (``partners.organisation_activity``), each low participant of its
    neighbourhood is reached with ``partners.outreach_reach`` of it, their need is made visible
    (``record.outreach_need``), and each reached one without an organisation joins this one
    with ``OUTREACH_RECRUIT``. The draws come after the model's; a few played organisations
    cost a pass over their neighbourhoods' residents each.
    """
    choices = _playing(model)
    if choices is None or not choices.organisations:
        return
    from coprod.model import partners as pa

    orgs = model.organisations
    c = model.citizens
    for choice in choices.organisations:
        o = choice.organisation
        share = outreach_share(choice.outreach)
        orgs.activity[o] = pa.organisation_activity(
            share, float(pa.BASE_ACTIVITY), float(pa.OUTREACH_ACTIVITY)
        )
        hood = int(orgs.hood[o])
        rows = np.flatnonzero(c.hood == hood)
        low = rows[c.contributions[rows] < pa.LOW_PARTICIPATION]
        reach = pa.outreach_reach(share, float(pa.OUTREACH_REACH))
        reached = low[model.rng.random(len(low)) < reach]
        if len(reached):
            if record.outreach_need is None:
                record.outreach_need = np.zeros_like(model.hoods.level)
            record.outreach_need[hood] += c.need[reached].sum(axis=0)
        joins = reached[
            (c.member[reached] < 0) & (model.rng.random(len(reached)) < pa.OUTREACH_RECRUIT)
        ]
        c.member[joins] = o
        model.played_recruits[o] = model.played_recruits.get(o, 0) + len(joins)
    members = c.member[c.member >= 0]
    orgs.members[:] = np.bincount(members, minlength=len(orgs))


def end_month(model: CoProductionModel, record: StepRecord) -> None:
    """Note what came this month of the inputs of every resident played so far, for their views.

    A resident played once keeps a status, updated every month (a report made while played may
    be answered months later, when nobody plays the citizen any more): a loop over the few
    played residents only.
    """
    choices = _playing(model)
    model.playing = None
    played_now = {c.citizen: c.act for c in choices.residents} if choices is not None else {}
    if not (played_now or model.played_status):
        return
    open_cases = model.queue.owner
    outcomes = (
        ("acted", record.acted),
        ("accepted", record.accepted),
        ("rejected", record.rejected),
        ("wronged", record.wronged),
    )
    for i in sorted(set(played_now) | set(model.played_status)):
        before = model.played_status.get(i)
        answered = [name for name, rows in outcomes if rows is not None and _holds(rows, i)]
        if answered:
            state = "answered"
        elif record.ignored is not None and _holds(record.ignored, i):
            state = "ignored"
        elif np.any(open_cases == i):
            state = "waiting"
        else:
            state = "nothing"
        if i in played_now:
            act, acted, refused = (
                played_now[i],
                model.steps,
                model.played_refused.get(("residents", i)),
            )
        else:
            act, acted, refused = before.act, before.acted, before.refused
        model.played_status[i] = PlayedStatus(
            month=model.steps,
            act=act,
            acted=acted,
            refused=refused,
            answer=state,
            outcomes=tuple(answered),
        )


def _holds(sorted_rows: np.ndarray, row: int) -> bool:
    """Whether ``row`` is in ``sorted_rows`` (the record's outcome rows are sorted)."""
    at = int(np.searchsorted(sorted_rows, row))
    return at < len(sorted_rows) and int(sorted_rows[at]) == row


@dataclass(frozen=True)
class PlayedStatus:
    """A played resident's last played act, a refusal of it, and the month's answer to them.

    ``act`` was played in month ``acted`` (``refused`` says why it could not be made, None if
    it was). ``answer`` is of month ``month``: "answered" (an input of theirs was decided;
    ``outcomes`` says how: acted upon, accepted, rejected, wronged), "ignored" (one expired
    unanswered), "waiting" (inputs still open), "nothing" (no input open or decided).
    """

    month: int
    act: str
    acted: int
    refused: str | None
    answer: str
    outcomes: tuple[str, ...]


# ------------------------------------------------------------------------------ choosing whom


def pick_citizen(model: CoProductionModel, hood: int, taken: set[int]) -> int:
    """The citizen a new resident participant plays in ``hood``: its lowest row not taken.

    Deterministic, so a replay from saved choices plays the same citizens.

    Raises:
        PlayError: for a neighbourhood out of range, or one whose residents are all taken.
    """
    n = len(model.hoods)
    if not 0 <= hood < n:
        raise PlayError(f"hood = {hood!r}: not a neighbourhood; allowed 0..{n - 1}")
    rows = np.flatnonzero(model.citizens.hood == hood)
    free = rows[~np.isin(rows, np.fromiter(taken, dtype=np.int64, count=len(taken)))]
    if len(free) == 0:
        raise PlayError(f"hood = {hood!r}: every resident is already played")
    return int(free[0])


# ------------------------------------------------------------------------------ the views


@dataclass(frozen=True)
class ResidentView:
    """What a resident participant's screen shows about their citizen and neighbourhood."""

    citizen: int
    hood: int
    hood_name: str
    domains: tuple[str, ...]
    needs: tuple[float, ...]  # mean need of the neighbourhood's residents per domain, [0, 1]
    needs_met: float  # share of needs met in the neighbourhood last month, [0, 1]
    acts: int
    reports: int
    deliveries: int
    proposals: int
    open_cases: int
    trust: float
    last_act: str | None  # the act played last, None before the first
    last_acted: int | None  # the month it was played in
    refused: str | None  # why the last act played was refused, None if it was not
    answer: str  # "nothing", "waiting", "answered" or "ignored" (see PlayedStatus)
    outcomes: tuple[str, ...]
    month: int


def resident_view(model: CoProductionModel, citizen: int) -> ResidentView:
    """The resident's view of ``citizen``: their neighbourhood's needs and their own situation.

    Raises:
        PlayError: for a citizen index out of range.
    """
    c = model.citizens
    hood, hood_name = _home(model, "citizen", citizen, c.hood)
    here = c.hood == hood
    status = model.played_status.get(citizen)
    open_cases = int(np.count_nonzero(model.queue.owner == citizen))
    if status is None or status.month != model.steps:
        answer = "waiting" if open_cases else "nothing"
        outcomes: tuple[str, ...] = ()
    else:
        answer, outcomes = status.answer, status.outcomes
    return ResidentView(
        citizen=citizen,
        hood=hood,
        hood_name=hood_name,
        domains=tuple(model.scenario.services.domains),
        needs=tuple(float(v) for v in c.need[here].mean(axis=0)),
        needs_met=float(c.met[here].mean()),
        acts=int(c.acts[citizen]),
        reports=int(c.reports[citizen]),
        deliveries=int(c.deliveries[citizen]),
        proposals=int(c.proposals[citizen]),
        open_cases=open_cases,
        trust=float(c.trust[citizen]),
        last_act=status.act if status else None,
        last_acted=status.acted if status else None,
        refused=status.refused if status else None,
        answer=answer,
        outcomes=outcomes,
        month=model.steps,
    )


def _check_index(field: str, value: int, size: int) -> None:
    if not isinstance(value, int | np.integer) or not 0 <= value < size:
        raise PlayError(f"{field} = {value!r}: not an index; allowed 0..{size - 1}")


def _home(model: CoProductionModel, field: str, index: int, hoods: np.ndarray) -> tuple[int, str]:
    """The neighbourhood (index, name) of agent ``index`` of a kind whose hoods are ``hoods``.

    Raises:
        PlayError: for an index out of range, naming ``field``.
    """
    _check_index(field, index, len(hoods))
    hood = int(hoods[index])
    return hood, model.place_names[hood]


@dataclass(frozen=True)
class CouncilView:
    """What a council's screen shows: its municipality's settings and the measures it weighs."""

    municipality: int
    settings: dict[str, Any]  # the council's fields (COUNCIL_KEYS) as they stand now
    paradigm: str
    ict_role: str
    measures: dict[str, float]  # this month's measures of the municipality (see council_view)
    month: int


#: The measures a council sees of its municipality.
COUNCIL_MEASURES = (
    "participation_rate",
    "trust",
    "effectiveness",
    "responsiveness",
    "equality",
    "lawfulness",
    "backlog",
)


def council_view(model: CoProductionModel, municipality: int) -> CouncilView:
    """The council's view: its settings and this month's measures of its municipality.

    With one municipality its measures are the model's; with several, those of
    ``municipality_vars`` (measured per municipality then).

    Raises:
        PlayError: for a municipality index out of range.
    """
    _check_index("municipality", municipality, len(model.administrations))
    g = model.local
    if model._municipality_rows:
        row = model._municipality_rows[-1].iloc[municipality]
        measures = {name: float(row[name]) for name in COUNCIL_MEASURES}
    else:  # one municipality, measured as the model
        measures = {name: float(model.measures[name]) for name in COUNCIL_MEASURES}
    return CouncilView(
        municipality=municipality,
        settings={field: g.get(municipality, key) for field, key in COUNCIL_KEYS.items()},
        paradigm=g.get(municipality, "governance.paradigm"),
        ict_role=g.get(municipality, "governance.ict_role"),
        measures=measures,
        month=model.steps,
    )


@dataclass(frozen=True)
class OrganisationView:
    """What an organisation's screen shows: its neighbourhood, activity and members."""

    organisation: int
    hood: int
    hood_name: str
    activity: float  # [0, 1]
    members: int
    recruited: int  # residents its played outreach has recruited so far
    low_participants: int  # residents of its neighbourhood outreach could reach
    participation_rate: float  # share of its neighbourhood's residents who took part this month
    month: int


def organisation_view(model: CoProductionModel, organisation: int) -> OrganisationView:
    """The organisation's view: activity, members, and who takes part in its neighbourhood.

    Raises:
        PlayError: for an organisation index out of range.
    """
    from coprod.model.partners import LOW_PARTICIPATION

    orgs = model.organisations
    hood, hood_name = _home(model, "organisation", organisation, orgs.hood)
    c = model.citizens
    here = c.hood == hood
    return OrganisationView(
        organisation=organisation,
        hood=hood,
        hood_name=hood_name,
        activity=float(orgs.activity[organisation]),
        members=int(orgs.members[organisation]),
        recruited=int(model.played_recruits.get(organisation, 0)),
        low_participants=int(np.count_nonzero(c.contributions[here] < LOW_PARTICIPATION)),
        participation_rate=float(c.participated[here].mean()),
        month=model.steps,
    )


@dataclass(frozen=True)
class BusinessView:
    """What a business's screen shows: its engagement, lobbying, and its service's domain."""

    business: int
    hood: int
    hood_name: str
    domain: str
    engaged: bool
    months_engaged: int
    lobbied: bool  # lobbied this month
    caught: bool  # lobbying caught this month
    barred: int  # months it cannot engage yet
    refused: str | None  # why this month's choice was refused, None if it was not
    integrity: float  # the model's integrity measure this month
    month: int


def business_view(model: CoProductionModel, business: int) -> BusinessView:
    """The business's view: its engagement and lobbying this month, and integrity.

    Raises:
        PlayError: for a business index out of range.
    """
    b = model.businesses
    hood, hood_name = _home(model, "business", business, b.hood)
    return BusinessView(
        business=business,
        hood=hood,
        hood_name=hood_name,
        domain=model.scenario.services.domains[int(b.domain[business])],
        engaged=bool(b.engaged[business]),
        months_engaged=int(b.months_engaged[business]),
        lobbied=bool(b.lobbied[business]),
        caught=bool(b.detected[business]),
        barred=int(b.barred[business]),
        refused=model.played_refused.get(("businesses", business)),
        integrity=float(model.measures["integrity"]),
        month=model.steps,
    )
