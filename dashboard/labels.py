"""Plain-language words for the dashboard: charts, measures, controls and events.

A workshop participant who never heard of "efficacy" or "co-creation" should understand each
chart from its title, its one-line question and the tooltips; the technical term follows in
brackets so that the words still match the model document (docs/ODD.md) and the CSV columns.
The public-value families are those of Nieuwenhuizen & Meijer 2021.

Every text here is English, marked with ``N_`` for the catalogs (see
:mod:`coprod.dashboard.i18n`); whoever shows one translates it with ``_``, so the constants stay
the same whatever the language. Measure labels and descriptions come from the measure registry
and are translated by :attr:`Series.label` and :attr:`Series.help`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from babel.lists import format_list

from coprod.dashboard.i18n import N_, _, locale
from coprod.model.events import DEFAULT_OUTAGE
from coprod.model.measure_registry import ATTITUDES, FAMILIES, PARTICIPATION, REGISTRY

#: What each measure means, in words (label, help), as the measure registry gives them; the
#: CSV column names stay the model's own.
MEASURE_LABELS: dict[str, tuple[str, str]] = {m.name: (m.label, m.description) for m in REGISTRY}

#: Measures that are scores out of 100 rather than shares of residents.
SCORES = frozenset(m.name for m in REGISTRY if m.unit == "score")


@dataclass(frozen=True)
class Series:
    """One line of a chart: a measure, its colour, and whether it is the chart's headline."""

    measure: str
    colour: str
    bold: bool = False

    @property
    def label(self) -> str:
        """Plain-language name of the measure, in the language shown."""
        return _(MEASURE_LABELS[self.measure][0])

    @property
    def help(self) -> str:
        """One or two sentences on what the measure means, in the language shown."""
        return _(MEASURE_LABELS[self.measure][1])


@dataclass(frozen=True)
class ChartSpec:
    """A time-series chart: title, the question it answers, and its lines."""

    key: str
    title: str
    question: str
    help: str
    series: tuple[Series, ...]
    #: Upper end of the vertical axis; ``None`` scales it to the data (small shares).
    y_max: float | None = 1.0
    #: For a public-value family's chart: its number (1 to 3) and a note added to its help.
    number: int = 0
    note: str = ""

    def shown_title(self) -> str:
        """The title in the language shown, e.g. ``Public value 1 — Does it work?``."""
        if not self.number:
            return _(self.title)
        return _("Public value {number} — {headline}").format(
            number=self.number, headline=_headline(self.series[0].measure)
        )

    def shown_question(self) -> str:
        """The question the chart answers, in the language shown."""
        return _(self.question)

    def shown_help(self) -> str:
        """The help text, in the language shown (a family's names it and its members)."""
        if not self.number:
            return _(self.help)
        family = FAMILIES[self.key]
        members = format_list([s.label for s in self.series[1:]], locale=locale())
        text = _("{family} (Nieuwenhuizen & Meijer 2021): {members}.").format(
            family=_(family.title), members=members
        )
        return f"{text} {_(self.note)}" if self.note else text


def _headline(measure: str) -> str:
    """A family average's label without its bracket: ``Does it work?``."""
    return re.sub(r"\s*\([^()]*\)$", "", _(MEASURE_LABELS[measure][0]))


#: The colour of each measure's line, wherever it is drawn.
COLOURS: dict[str, str] = {
    "participation_rate": "#1b5e20",
    "coproduction_rate": "#43a047",
    "cocreation_rate": "#8e24aa",
    "adoption": "#1e88e5",
    "trust": "#e65100",
    "efficacy": "#6d4c41",
    "intrinsic_motivation": "#00897b",
    "performing_value": "#0d47a1",
    "effectiveness": "#42a5f5",
    "efficiency": "#26c6da",
    "responsive_value": "#4a148c",
    "responsiveness": "#ab47bc",
    "satisfaction": "#f06292",
    "proper_value": "#b71c1c",
    "lawfulness": "#ef5350",
    "equality": "#ff8f00",
    "integrity": "#8d6e63",
}


def chart_lines(headline: str, others: tuple[str, ...]) -> tuple[Series, ...]:
    """A chart's lines: ``headline`` in bold, then ``others``, each in its own colour."""
    return (
        Series(headline, COLOURS[headline], bold=True),
        *(Series(name, COLOURS[name]) for name in others),
    )


def family_chart(number: int, family: str, question: str, note: str = "") -> ChartSpec:
    """The chart of a public-value family: its average in bold, then its members.

    Title and help name the family and its members as the measure registry defines them, so
    the chart cannot show other lines than the family it names. ``title`` and ``help`` keep
    the English words; :meth:`ChartSpec.shown_title` and :meth:`ChartSpec.shown_help` give
    them in the language shown.
    """
    spec = FAMILIES[family]
    members = [name.replace("_", " ") for name in spec.members]
    listed = ", ".join(members[:-1]) + " and " + members[-1]
    headline = MEASURE_LABELS[spec.composite][0].removesuffix(" (average)")
    return ChartSpec(
        family,
        f"Public value {number} — {headline}",
        question,
        f"{spec.title} (Nieuwenhuizen & Meijer 2021): {listed}.{' ' + note if note else ''}",
        chart_lines(spec.composite, spec.members),
        number=number,
        note=note,
    )


#: The time-series charts, in the order they appear.
CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "participation",
        N_("Taking part and going digital"),
        N_("How many residents take part, and how many use the digital channel?"),
        N_(
            "Each month residents decide whether to help deliver a service or to have a say on "
            "one; the digital channel spreads from person to person like any innovation."
        ),
        chart_lines(PARTICIPATION[0], (*PARTICIPATION[1:], "adoption")),
        y_max=None,
    ),
    ChartSpec(
        "trust",
        N_("Trust and the feeling of being heard"),
        N_("Do residents trust the administration and feel that taking part makes a difference?"),
        N_(
            "Trust and the feeling of being heard grow when residents see their input acted upon "
            "and shrink when it is ignored, when errors hit them or when their needs go unmet."
        ),
        chart_lines(ATTITUDES[0], ATTITUDES[1:]),
    ),
    family_chart(
        1,
        "performing",
        N_("Are needs met, and is public money used well?"),
        N_("Digital technology is expected to help most here."),
    ),
    family_chart(
        2,
        "responsive",
        N_("Are requests handled in time, do people take part, are they satisfied?"),
    ),
    family_chart(
        3,
        "proper",
        N_("Are decisions free of errors, is service equal for all, is money free of capture?"),
        N_("These values are most at risk when technology transforms or replaces decisions."),
    ),
)

QUINTILE_TITLE = N_("The digital divide: who takes part?")
QUINTILE_QUESTION = N_(
    "Residents in five equal groups, from the poorest fifth to the richest fifth."
)
QUINTILE_HELP = N_(
    "Each group is a fifth of all residents, ranked by income and education. Green bars: share "
    "who took part (average of the last 12 months). Blue bars: share who use the digital "
    "channel now. Bars rising to the right mean the better-off take part more: the digital "
    "divide."
)
QUINTILE_NAMES = (N_("Poorest fifth"), N_("2nd"), N_("Middle"), N_("4th"), N_("Richest fifth"))

NETWORK_TITLE = N_("Neighbourhoods and who knows whom")
NETWORK_HELP = N_(
    "Each circle is a neighbourhood, each dot a resident, each grey line a tie between two "
    "residents who know each other; darker lines cross neighbourhoods. People are more likely "
    "to take part, and to go digital, when people they know do. Hover over a neighbourhood for "
    "its figures."
)
PLACE_MAP_TITLE = N_("Neighbourhoods on the map")
PLACE_MAP_HELP = N_(
    "The scenario's real neighbourhoods, each coloured by the measure chosen below for its "
    "residents this month; dark lines are municipal borders. Hover over a neighbourhood for "
    "its name and value."
)
COLOUR_BY = {
    "participation": N_("Taking part this month"),
    "trust": N_("Trust in the administration"),
}


@dataclass(frozen=True)
class Control:
    """A scenario key the workshop can change, with its words."""

    key: str
    label: str
    help: str
    kind: str  # "choice" | "switch" | "slider"
    options: dict[Any, str] = field(default_factory=dict)
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05


#: The governance rules on the sidebar, grouped under headings, in order.
CONTROL_GROUPS: tuple[tuple[str, tuple[Control, ...]], ...] = (
    (
        N_("Who does what"),
        (
            Control(
                "governance.paradigm",
                N_("How services are made"),
                N_(
                    "Who produces and who decides: the administration alone, with citizens' "
                    "ideas, with citizens helping to deliver, or all actors on par on a shared "
                    "platform."
                ),
                "choice",
                {
                    "traditional": N_("The administration alone"),
                    "consultation": N_("Citizens give ideas (consultation)"),
                    "coproduction": N_("Citizens help deliver (co-production)"),
                    "socialgov": N_("Everyone on par on a shared platform (SocialGov)"),
                },
            ),
            Control(
                "governance.ict_role",
                N_("What digital technology does"),
                N_(
                    "Nieuwenhuizen & Meijer 2021: technology can support the usual work, "
                    "transform it (platform data steer where money goes) or replace people "
                    "(an algorithm decides)."
                ),
                "choice",
                {
                    "none": N_("Nothing: no digital channel"),
                    "instrumental": N_("Supports the usual work (instrumental)"),
                    "transformative": N_("Platform data steer spending (transformative)"),
                    "substitutive": N_("An algorithm decides (substitutive)"),
                },
            ),
            Control(
                "governance.incentives",
                N_("Rewards for taking part"),
                N_("Recognition keeps people's own motivation; paying them can crowd it out."),
                "choice",
                {
                    "none": N_("None"),
                    "recognition": N_("Public recognition"),
                    "monetary": N_("Money"),
                },
            ),
        ),
    ),
    (
        N_("The platform"),
        (
            Control(
                "platform.open_data",
                N_("Open data"),
                N_("Anyone, businesses included, can reuse the administration's data."),
                "switch",
            ),
            Control(
                "platform.open_services",
                N_("Open services"),
                N_("Citizens, businesses and associations can offer services on the platform."),
                "switch",
            ),
            Control(
                "platform.open_processes",
                N_("Open processes"),
                N_("Everyone can see how decisions are taken; this limits capture by businesses."),
                "switch",
            ),
            Control(
                "platform.personalisation",
                N_("Personalisation"),
                N_("The platform adapts to each person, which makes it easier to use."),
                "switch",
            ),
            Control(
                "governance.offline_channel",
                N_("Offline counter stays open"),
                N_("Residents can still take part by phone, at a desk or on paper."),
                "switch",
            ),
        ),
    ),
    (
        N_("Safeguards"),
        (
            Control(
                "governance.human_review",
                N_("Automated decisions checked by staff"),
                N_(
                    "Share of the algorithm's decisions that a person reviews (0 = none, 1 = all)."
                ),
                "slider",
            ),
            Control(
                "governance.appeals",
                N_("Residents can appeal a decision"),
                N_("Residents hit by a wrong decision can have it corrected."),
                "switch",
            ),
            Control(
                "governance.inclusion_outreach",
                N_("Outreach to those who rarely take part"),
                N_(
                    "Share of staff capacity spent reaching groups that take part little, through "
                    "community organisations."
                ),
                "slider",
                high=0.5,
            ),
        ),
    ),
    (
        N_("Resources"),
        (
            Control(
                "governance.capacity",
                N_("Staff to handle residents' requests"),
                N_(
                    "How many reports and proposals the administration can handle each month "
                    "(1 = usual)."
                ),
                "slider",
                low=0.25,
                high=3.0,
                step=0.25,
            ),
            Control(
                "governance.budget",
                N_("Public budget per resident"),
                N_("Money for public services per resident (1 = usual)."),
                "slider",
                low=0.3,
                high=2.0,
                step=0.1,
            ),
        ),
    ),
)

#: Every control by its key.
CONTROLS: dict[str, Control] = {c.key: c for _, group in CONTROL_GROUPS for c in group}

#: Population sizes on offer (the scenario's own size is added).
POPULATION_SIZES = (500, 1000, 2000, 5000, 10000)
POPULATION_HELP = N_(
    "How many residents are simulated. Larger populations give smoother curves but run slower; "
    "the map then shows a sample."
)
SEED_REFUSED = N_("The seed is a whole number from 0 up; the run keeps its seed.")
SEED_HELP = N_(
    "Chance plays a part in who does what. The same seed and settings give exactly the same "
    "run; another seed shows another possible course."
)


@dataclass(frozen=True)
class EventKind:
    """An event the facilitator can trigger live."""

    kind: str
    label: str
    help: str
    size: float
    duration: int | None = None

    def shown_label(self) -> str:
        """The button's words, in the language shown."""
        return _(self.label)

    def shown_help(self) -> str:
        """What the event does, in the language shown."""
        if self.kind == "platform_outage":
            return _("The digital platform is down for {months} months from next month.").format(
                months=self.duration
            )
        return _(self.help)


#: Events on the toolbar, triggered for the next month.
EVENTS: tuple[EventKind, ...] = (
    EventKind(
        "budget_cut",
        N_("Budget cut"),
        N_("From next month the public budget falls by 30%, for good."),
        0.3,
    ),
    EventKind(
        "platform_outage",
        N_("Platform outage"),
        f"The digital platform is down for {DEFAULT_OUTAGE} months from next month.",
        1.0,
        DEFAULT_OUTAGE,
    ),
    EventKind(
        "trust_scandal",
        N_("Trust scandal"),
        N_("A scandal next month: every resident's trust drops by a quarter."),
        0.25,
    ),
    EventKind(
        "demand_shock",
        N_("Demand shock"),
        N_("From next month residents need 30% more services, for a year."),
        0.3,
        12,
    ),
)

#: Short names of event kinds on the charts.
EVENT_NAMES = {
    "budget_cut": N_("budget cut"),
    "platform_outage": N_("outage"),
    "trust_scandal": N_("scandal"),
    "demand_shock": N_("demand shock"),
}


#: Words that keep their own spelling in scenario titles.
_PROPER = {"socialgov": "SocialGov", "ict": "ICT"}


#: Scenario names in words, for the scenario menu (a scenario not listed gets its file name).
SCENARIO_TITLES = {
    "austerity_shock": N_("Austerity shock"),
    "central_pilot": N_("Central pilot"),
    "columbus_socialgov": N_("SocialGov in Columbus, Ohio"),
    "consultation": N_("Consultation"),
    "coproduction": N_("Coproduction"),
    "crisis_events": N_("Crisis events"),
    "digital_by_default": N_("Digital by default"),
    "digital_divide_inclusion": N_("Digital divide inclusion"),
    "experimentalism": N_("Experimentalism"),
    "monetary_incentives": N_("Monetary incentives"),
    "recognition_incentives": N_("Recognition incentives"),
    "socialgov": N_("SocialGov"),
    "substitutive_automation": N_("Substitutive automation"),
    "substitutive_safeguarded": N_("Substitutive safeguarded"),
    "traditional": N_("Traditional"),
    "transformative_open_data": N_("Transformative open data"),
}


def scenario_title(name: str) -> str:
    """A scenario's name as words: ``digital_by_default`` to ``Digital by default``.

    Named scenarios are translated (:data:`SCENARIO_TITLES`); another file's name is shown
    as words in English.
    """
    if name in SCENARIO_TITLES:
        return _(SCENARIO_TITLES[name])
    words = [_PROPER.get(w, w) for w in name.replace("-", "_").split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


#: Plain-language names of the innovations municipalities can take up (model/innovation.py).
INNOVATION_NAMES = {
    "personalised_platform": N_("Platform adapts to each person"),
    "open_government": N_("Open data and open processes"),
    "inclusion_outreach": N_("Outreach to those who rarely take part"),
    "coproduction_programme": N_("Everyone on par on a shared platform"),
    "recognition_scheme": N_("Public recognition for taking part"),
    "algorithmic_allocation": N_("An algorithm decides"),
    "digital_by_default": N_("Digital only: offline counter closed"),
}

ALL_MUNICIPALITIES = N_("All municipalities")
MUNICIPALITY_HELP = N_(
    "Show the charts for one municipality only. Lines the model measures per municipality "
    "(taking part, the digital channel, trust, needs met, ...) are then that municipality's; "
    "the others stay the figures of all municipalities together. 'Poorer' and 'better-off' "
    "compare the average income and education of the residents with the other municipalities."
)
INNOVATIONS_TITLE = N_("New ways of working: who adopted what?")
INNOVATIONS_QUESTION = N_("Which new ways of working has each municipality tried and kept?")
INNOVATIONS_HELP = N_(
    "Municipalities try changes to how they work (a platform feature, outreach, rewards, ...). "
    "In a central pilot, the government tests a change in a few places and then rolls it out "
    "everywhere or drops it; with local experiments, each municipality tries changes, keeps "
    "those that helped and learns from similar municipalities."
)


def innovation_name(name: str) -> str:
    """An innovation's name in words, e.g. ``Open data and open processes``."""
    if name in INNOVATION_NAMES:
        return _(INNOVATION_NAMES[name])
    return name.replace("_", " ").capitalize()


def municipality_labels(status: list[float] | tuple[float, ...]) -> list[str]:
    """Municipalities' names from their residents' mean status: ``Municipality 3 (poorer)``.

    The poorest third of municipalities are ``poorer``, the richest third ``better-off``.
    """
    n = len(status)
    order = sorted(range(n), key=lambda i: (status[i], i))
    rank = {m: r for r, m in enumerate(order)}
    out = []
    for i in range(n):
        third = 3 * rank[i] // n
        word = (_("poorer"), _("middle"), _("better-off"))[third]
        out.append(_("Municipality {number} ({standing})").format(number=i + 1, standing=word))
    return out
