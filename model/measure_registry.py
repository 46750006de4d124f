"""Every measure coprod reports, defined once: its range, value family, direction and words.

The model computes the measures (model/measures.py); the CLI, the comparison tables, the
figures, the sweep and EMA defaults, the reports and the dashboard describe them. They all read
this registry, whose table is model/measures.toml, so a measure added, renamed or regrouped
there changes every one of them, and a test (tests/test_measure_registry.py) fails where one of
them still has its own copy.

Public values follow the three families of Nieuwenhuizen & Meijer 2021: performing
(effectiveness, efficiency), responsive (responsiveness, participation, satisfaction) and proper
governance (lawfulness, equality, integrity). Each family has a composite measure, the plain mean
of its members in registry order. Formulas and ranges are documented in docs/ODD.md.
"""

from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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


#: Where the measures are defined: a table, one entry per measure, in column order.
TABLE = Path(__file__).with_name("measures.toml")
#: The named ranges of the table.
RANGES = {"share": (0.0, 1.0), "unbounded": (0.0, math.inf)}
#: The socio-economic fifths, q1 (poorest) to q5 (richest), of the per-fifth measures.
FIFTHS = ("poorest fifth", "second fifth", "middle fifth", "fourth fifth", "richest fifth")


def _measure(entry: dict[str, Any], **words: Any) -> Measure:
    """One measure from one entry of the table (``words`` fill a per-fifth entry's blanks)."""
    text = {key: entry[key].format(**words) for key in ("name", "label", "description")}
    bounds = entry["range"]
    return Measure(
        text["name"],
        RANGES[bounds] if isinstance(bounds, str) else (float(bounds[0]), float(bounds[1])),
        entry.get("family"),
        entry.get("higher_is_better"),
        text["label"],
        entry["unit"],
        text["description"],
    )


def _measures(entries: list[dict[str, Any]]) -> tuple[Measure, ...]:
    """The table's entries as measures, a per-fifth entry as its five, in the table's order."""
    out: list[Measure] = []
    for entry in entries:
        if entry.get("per_fifth"):
            out += [_measure(entry, q=q, fifth=f) for q, f in enumerate(FIFTHS, start=1)]
        else:
            out.append(_measure(entry))
    return tuple(out)


with TABLE.open("rb") as _file:
    _TABLE = tomllib.load(_file)

#: Every model-level measure, in the column order of ``RunResult.model_vars``.
REGISTRY: tuple[Measure, ...] = _measures(_TABLE["measure"])
#: Measures only the municipalities report (``RunResult.municipality_vars``).
MUNICIPALITY_ONLY: tuple[Measure, ...] = _measures(_TABLE["municipality_measure"])

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
