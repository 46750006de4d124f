"""Every measure coprod reports, defined once: its range, value family, direction and words.

The model computes the measures (model/measures.py); the CLI, the comparison tables, the
figures, the sweep and EMA defaults, the reports and the dashboard describe them. They all read
this registry, so a measure added, renamed or regrouped here changes every one of them, and a
test (tests/test_measure_registry.py) fails where one of them still has its own copy.

Public values follow the three families of Nieuwenhuizen & Meijer 2021: performing
(effectiveness, efficiency), responsive (responsiveness, participation, satisfaction) and proper
governance (lawfulness, equality, integrity). Each family has a composite measure, the plain mean
of its members in registry order. Formulas and ranges are documented in docs/ODD.md.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """One measure: what it is called, where its values lie and how to read a change in it."""

    name: str
    #: Lowest and highest value the measure can take (``math.inf`` where it has no bound).
    range: tuple[float, float]
    #: Public-value family it belongs to (``performing``, ``responsive``, ``proper``) or None.
    family: str | None
    #: True where more is better, False where less is better, None where neither is.
    higher_is_better: bool | None
    #: Plain-language name, for readers who do not know the technical term.
    label: str
    #: What a value counts: ``share``, ``score``, ``index``, ``count``, ...
    unit: str
    #: One line on what the measure means.
    description: str

    def change(self, difference: float) -> str:
        """A difference in words: ``better``/``worse`` where the measure has a direction.

        A measure that is neither better higher nor lower (``higher_is_better`` None) gets
        ``higher`` or ``lower``; no difference is ``the same``.
        """
        if difference == 0 or math.isnan(difference):
            return "the same"
        up = difference > 0
        if self.higher_is_better is None:
            return "higher" if up else "lower"
        return "better" if up == self.higher_is_better else "worse"

    @property
    def preference(self) -> str:
        """``higher is better``, ``lower is better`` or ``neither higher nor lower is better``."""
        if self.higher_is_better is None:
            return "neither higher nor lower is better"
        return "higher is better" if self.higher_is_better else "lower is better"


@dataclass(frozen=True)
class Family:
    """A public-value family (Nieuwenhuizen & Meijer 2021) and its composite measure."""

    name: str
    #: Heading used in figures and reports, e.g. ``Performing governance``.
    title: str
    #: The measure that averages the family's members.
    composite: str

    @functools.cached_property
    def members(self) -> tuple[str, ...]:
        """The measures averaged into the composite, in registry order (looked up once)."""
        return tuple(
            m.name for m in REGISTRY if m.family == self.name and m.name != self.composite
        )


_SHARE = (0.0, 1.0)
_UNBOUNDED = (0.0, math.inf)


def _quintiles() -> tuple[Measure, ...]:
    """Participation and needs met per socio-economic fifth (q1 poorest, q5 richest)."""
    fifths = ("poorest fifth", "second fifth", "middle fifth", "fourth fifth", "richest fifth")
    kinds = (
        ("participation_q", "Took part", "Share of residents in the {} who took part this month."),
        ("needs_met_q", "Needs met", "Average share of needs met among residents in the {}."),
    )
    return tuple(
        Measure(
            f"{prefix}{q}", _SHARE, None, True, f"{label}, {fifth}", "share", text.format(fifth)
        )
        for prefix, label, text in kinds
        for q, fifth in enumerate(fifths, start=1)
    )


def _burden() -> tuple[Measure, ...]:
    """Hours co-production takes from residents, per status fifth, and per co-producer.

    Neither direction for the fifths: time given is participation as well as a cost to the
    giver, and which it is depends on whether it replaces paid public work; read them beside
    each other (who carries the load) and beside ``needs_met_q``. Lower is better for
    ``coproducer_hours``: the same participation costing its co-producers more of their time
    is the shift of work onto citizens that austerity is warned to bring.
    """
    fifths = ("poorest fifth", "second fifth", "middle fifth", "fourth fifth", "richest fifth")
    per_fifth = tuple(
        Measure(
            f"burden_q{q}",
            _UNBOUNDED,
            None,
            None,
            f"Hours given to services, {fifth}",
            "hours per month",
            f"Hours residents in the {fifth} gave to reporting, delivering "
            "and proposing this month, per resident of that fifth.",
        )
        for q, fifth in enumerate(fifths, start=1)
    )
    return (
        *per_fifth,
        Measure(
            "coproducer_hours",
            _UNBOUNDED,
            None,
            False,
            "Hours per co-producer",
            "hours per month",
            "Hours given this month per resident who took part: the "
            "time co-production takes from those who do it (0 when nobody took part).",
        ),
    )


# One row per measure, in the column order of ``RunResult.model_vars``:
# name, range, family, higher is better, label, unit, description.
# fmt: off
REGISTRY: tuple[Measure, ...] = (
    Measure("participation_rate", _SHARE, "responsive", True, "Took part this month", "share",
            "Share of residents who helped deliver a service or had a say on one this month."),
    Measure("coproduction_rate", _SHARE, None, True, "Helped deliver services (co-production)",
            "share", "Share of residents who gave time to a service this month: reported a "
            "problem, volunteered, looked after a neighbour."),
    Measure("cocreation_rate", _SHARE, None, True, "Had a say on services (co-creation)",
            "share", "Share of residents who proposed or voted on a change to a service this "
            "month."),
    Measure("participation_gap", (-1.0, 1.0), None, None,
            "Participation gap, richest minus poorest fifth", "difference of shares",
            "How much more often the richest fifth of residents takes part than the poorest "
            "fifth (negative: less often)."),
    Measure("contribution_gini", _SHARE, None, False, "Inequality of contributions (Gini)",
            "index", "How unevenly contributions so far are spread over residents (0: evenly, "
            "1: one resident made them all)."),
    Measure("top10_share", _SHARE, None, False, "Share made by the top 10% of contributors",
            "share", "Share of all contributions made by the most active tenth of those who "
            "contributed."),
    Measure("top1_share", _SHARE, None, False, "Share made by the top 1% of contributors",
            "share", "Share of all contributions made by the most active hundredth of those who "
            "contributed."),
    Measure("one_off_reporters", _SHARE, None, None, "Reporters who reported only once",
            "share", "Share of residents who have reported a problem who did so only once."),
    Measure("report_top10_share", _SHARE, None, False,
            "Share of reports made by the top 10% of reporters", "share",
            "Share of all reports made by the most active tenth of those who reported: "
            "reports alone, as reporting platforms count them."),
    Measure("report_top1_share", _SHARE, None, False,
            "Share of reports made by the top 1% of reporters", "share",
            "Share of all reports made by the most active hundredth of those who reported."),
    Measure("adoption", _SHARE, None, None, "Use the digital channel", "share",
            "Share of residents who use the app or online platform to contact the "
            "administration."),
    Measure("trust", _SHARE, None, True, "Trust in the administration", "score",
            "Average trust of residents in their local administration, from 0 (none) to 100 "
            "(full)."),
    Measure("efficacy", _SHARE, None, True, "Feel their voice counts (efficacy)", "score",
            "How strongly residents believe that taking part makes a difference, from 0 to 100. "
            "It grows when their input is acted upon and shrinks when it is ignored."),
    Measure("intrinsic_motivation", _SHARE, None, True, "Civic motivation", "score",
            "Residents' own wish to contribute to their community, from 0 to 100. Paying people "
            "can crowd it out."),
    Measure("effectiveness", _SHARE, "performing", True, "Needs met (effectiveness)", "share",
            "Average share of residents' needs for services that is met."),
    Measure("efficiency", _SHARE, "performing", True, "Value for money (efficiency)", "score",
            "Useful service output for each unit of public money, overheads included."),
    Measure("responsiveness", _SHARE, "responsive", True,
            "Requests handled on time (responsiveness)", "share",
            "Share of residents' reports and proposals resolved in the last 12 months that "
            "the administration handled in time (not defined before anything is resolved)."),
    Measure("equality", _SHARE, "proper", True, "Equal service for poor and rich (equality)",
            "score", "100 minus the gap in needs met between the richest and the poorest fifth "
            "of residents."),
    Measure("lawfulness", _SHARE, "proper", True, "Decisions without errors (lawfulness)",
            "share", "Share of allocation decisions free of an error nobody corrected "
            "(algorithms make errors; staff review and appeals correct them)."),
    Measure("integrity", _SHARE, "proper", True, "Money free of business capture (integrity)",
            "share", "Share of public resources allocated where no business partner lobbied "
            "unseen to steer the allocation its way."),
    Measure("business_engagement", _SHARE, None, None, "Businesses engaged as partners",
            "share", "Share of businesses engaged as partners of the administration."),
    Measure("innovations_adopted", _UNBOUNDED, None, None, "Innovations adopted", "count",
            "Innovations adopted so far, counted once per municipality."),
    Measure("innovation_reach", _SHARE, None, None, "Reach of the most widespread innovation",
            "share", "Share of municipalities that adopted the most widespread innovation."),
    Measure("outcome_spread", (0.0, 0.5), None, False, "Differences between places",
            "standard deviation of scores", "How unequal the municipalities' public values "
            "have become (0 with one municipality)."),
    Measure("satisfaction", _SHARE, "responsive", True, "Satisfied residents", "share",
            "Share of residents at least three quarters of whose needs are met."),
    Measure("performing_value", _SHARE, "performing", True, "Does it work? (average)", "score",
            "Performing governance: the average of needs met and value for money."),
    Measure("responsive_value", _SHARE, "responsive", True, "Does it listen? (average)",
            "score", "Responsive governance: the average of requests handled on time, taking "
            "part and satisfied residents."),
    Measure("proper_value", _SHARE, "proper", True, "Is it fair and lawful? (average)",
            "score", "Proper governance: the average of decisions without errors, equal "
            "service and money free of capture."),
    Measure("backlog", _UNBOUNDED, None, False, "Requests waiting", "open inputs per resident",
            "Reports and proposals still open after the month, per resident."),
    Measure("spending_per_capita", _UNBOUNDED, None, None, "Public spending per resident",
            "money units per month", "Public money spent on services this month, per "
            "resident (business sponsoring excluded)."),
    *_quintiles(),
    *_burden(),
    Measure("cocreation_reach", _SHARE, None, True, "Had a say in the last year (reach)",
            "share", "Share of residents who made a proposal in the last 12 months: how far "
            "co-creation reaches, where calls for proposals open for a few months a year."),
    # innovation between municipalities: does what was adopted fit the place? (ODD 7.13)
    Measure("innovations_fit", _UNBOUNDED, None, True, "Adopted innovations that help there",
            "count", "Innovations adopted so far whose adoption raised the public value of "
            "the place that adopted it, against a same-seed run without it."),
    Measure("innovations_misfit", _UNBOUNDED, None, False,
            "Adopted innovations that harm there", "count", "Innovations adopted so far whose "
            "adoption lowered the public value of the place that adopted it."),
    Measure("innovations_fit_share", _SHARE, None, True,
            "Share of adopted innovations that help there", "share", "Of the adoptions judged "
            "so far, the share that raised the adopting place's public value (0 before any)."),
    Measure("innovation_benefit", (-1.0, 1.0), None, True,
            "Gain of an adopted innovation to its place", "difference of scores",
            "Mean change of the adopting place's public value that an adoption made, against a "
            "same-seed run without it (0 before any is judged)."),
    Measure("municipalities_fit_share", _SHARE, None, True,
            "Places whose adopted innovations help them", "share", "Share of the municipalities "
            "with judged adoptions whose adopted innovations together raised their public "
            "value."),
    Measure("responsiveness_month", _SHARE, None, True, "Requests handled on time this month",
            "share", "Share of the reports and proposals resolved this month that were "
            "handled in time: it follows the yearly call for proposals (not defined in a "
            "month with nothing resolved)."),
)

#: Measures only the municipalities report (``RunResult.municipality_vars``).
MUNICIPALITY_ONLY: tuple[Measure, ...] = (
    Measure("public_value", _SHARE, None, True, "Public value of the place", "score",
            "The plain mean of a municipality's own public values and its residents' trust "
            "(PUBLIC_VALUE_COMPONENTS)."),
    Measure("innovations", _UNBOUNDED, None, None, "Innovations adopted there", "count",
            "Innovations the municipality has adopted."),
)
# fmt: on

#: Every measure by name, model-wide and per municipality.
BY_NAME: dict[str, Measure] = {m.name: m for m in (*REGISTRY, *MUNICIPALITY_ONLY)}

#: The public-value families, in the order Nieuwenhuizen & Meijer 2021 give them.
FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("performing", "Performing governance", "performing_value"),
        Family("responsive", "Responsive governance", "responsive_value"),
        Family("proper", "Proper governance", "proper_value"),
    )
}


def measure(name: str) -> Measure:
    """The registered measure called ``name`` (KeyError names it when there is none)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a registered measure") from None


def names(*lines: str) -> tuple[str, ...]:
    """Measure names written as words, several per line, each checked against the registry.

    Named sets are written this way so that they stay short and readable in one place.
    """
    out = tuple(word for line in lines for word in line.split())
    for name in out:
        measure(name)
    return out


def family_composite(values: dict[str, float], family: str) -> float:
    """The composite of ``family``: the plain mean of its members' ``values``.

    The sum runs in registry order, left to right, so the result is the same to the last bit
    as the formula written out in docs/ODD.md.
    """
    members = FAMILIES[family].members
    return sum(values[name] for name in members) / len(members)


# ---------------------------------------------------------------------- named sets
#: Column order of ``RunResult.model_vars`` (public API: names and order stay).
MEASURES: tuple[str, ...] = tuple(m.name for m in REGISTRY)

#: The family composites, performing, responsive, proper.
COMPOSITES: tuple[str, ...] = tuple(f.composite for f in FAMILIES.values())

#: Per-municipality measures, in ``RunResult.municipality_vars``.
MUNICIPALITY_MEASURES = names(
    "participation_rate adoption trust efficacy effectiveness efficiency responsiveness",
    "equality lawfulness integrity backlog public_value innovations",
)

#: Measures per neighbourhood (``RunResult.place_vars``, ``places.parquet``): the model-level
#: measures of these names computed over a neighbourhood's residents, with ``effectiveness``
#: its mean share of needs met and ``burden`` its hours of co-production and co-creation per
#: resident in the month (``burden_q1``..``burden_q5`` per place instead of per status fifth).
PLACE_MEASURES = (*names("participation_rate adoption trust effectiveness"), "burden")

#: The measures a municipality weighs, equally, when it judges its own public value.
PUBLIC_VALUE_COMPONENTS = names(
    "effectiveness efficiency responsiveness equality lawfulness integrity trust"
)

#: Who takes part, and how (figures and the dashboard's first chart).
PARTICIPATION = names("participation_rate coproduction_rate cocreation_rate")

#: What residents think and feel about taking part.
ATTITUDES = names("trust efficacy intrinsic_motivation")

#: The table printed after ``coprod run``.
RUN_SUMMARY = names(
    "participation_rate participation_gap contribution_gini adoption trust effectiveness",
    "efficiency responsiveness equality lawfulness integrity",
)

#: The key measures of ``coprod compare`` and of reports (the files hold every measure).
COMPARISON = (
    names(
        "participation_rate participation_gap trust effectiveness efficiency responsiveness",
        "satisfaction equality lawfulness integrity",
    )
    + COMPOSITES
)

#: Measures drawn in the time-series figure of a comparison.
TIMESERIES = COMPARISON[:2] + ("adoption",) + COMPARISON[2:]

#: Measures a sweep summarises when its file does not say.
SWEEP_DEFAULTS = (
    names("participation_rate participation_gap trust effectiveness equality lawfulness")
    + COMPOSITES
)

#: Outcomes of the EMA Workbench model when none are named.
EMA_DEFAULTS = ("participation_rate", *COMPOSITES)
