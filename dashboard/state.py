"""What one browser session holds: the settings, one run or two compared, and their events.

This module knows nothing of Solara, so that its logic is tested without a browser. A
:class:`Workshop` is created per browser session (never shared between sessions); its
:class:`Run` objects each own a :class:`~coprod.model.core.CoProductionModel`. Changing a rule
restarts the run from month 0, because a scenario is fixed for the life of a model; live events
(budget cut, outage, scandal, demand shock) go to every run at once, so a comparison stays fair.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd

from coprod.dashboard import labels
from coprod.dashboard.i18n import _, current, ngettext, number, percent
from coprod.dashboard.network_view import NetworkLayout, layout_for
from coprod.dashboard.place_map import PlaceLayout, build_place_layout, has_geometry
from coprod.model.core import CoProductionModel
from coprod.model.events import DEFAULT_OUTAGE
from coprod.model.measure_registry import FAMILIES, MEASURES, MUNICIPALITY_MEASURES
from coprod.model.scenario import Scenario, ScenarioError, scenario_names

#: The scenario a new session starts with.
DEFAULT_SCENARIO = "socialgov"
#: The two sides of a comparison; a single run is side "A".
SIDES = ("A", "B")
#: Columns of the CSV download: the measures as ``coprod run`` writes them, then the events.
CSV_COLUMNS = ("step", *MEASURES, "events")
#: Chart measures the model records per municipality as well as for the whole model.
RECORDED_LOCALLY = frozenset(m for m in MUNICIPALITY_MEASURES if m in MEASURES)
#: Family averages of the measure registry, by composite: those whose members are all recorded
#: per municipality are recomputed from a municipality's own figures.
AVERAGES = {family.composite: family.members for family in FAMILIES.values()}
#: Chart measures that can be shown for one municipality; the others are the whole model's.
LOCAL_MEASURES = RECORDED_LOCALLY | frozenset(
    name for name, parts in AVERAGES.items() if RECORDED_LOCALLY.issuperset(parts)
)


@dataclass(frozen=True)
class EventMark:
    """An event to mark on the charts: when it starts, what it is, and where it came from."""

    step: int
    kind: str
    size: float
    duration: int | None
    live: bool  # triggered in the dashboard (True) or scheduled by the scenario (False)

    @property
    def what(self) -> str:
        """What happens, in words, e.g. ``budget cut of 30%`` (in the language shown)."""
        if self.kind in labels.EVENT_NAMES:
            name = _(labels.EVENT_NAMES[self.kind])
        else:
            name = self.kind.replace("_", " ")
        if self.kind == "platform_outage":
            months = self.duration or DEFAULT_OUTAGE
            return ngettext("{name} for {n} month", "{name} for {n} months", months).format(
                name=name, n=number(months)
            )
        if self.kind == "trust_scandal":
            return _("{name}: trust falls by {share}").format(name=name, share=percent(self.size))
        if self.duration:
            return ngettext(
                "{name} of {share} for {n} month",
                "{name} of {share} for {n} months",
                self.duration,
            ).format(name=name, share=percent(self.size), n=number(self.duration))
        return _("{name} of {share}").format(name=name, share=percent(self.size))

    @property
    def text(self) -> str:
        """A sentence for a tooltip, e.g. ``Month 37: budget cut of 30% (planned ...)``."""
        if self.live:
            text = _("Month {month}: {what} (triggered in the workshop)")
        else:
            text = _("Month {month}: {what} (planned in the scenario)")
        return text.format(month=number(self.step), what=self.what)


def lookup(data: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted key of a nested dict, e.g. ``governance.budget``."""
    node: Any = data
    for part in dotted.split("."):
        node = node[part]
    return node


class Run:
    """One model and what the dashboard shows of it."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = int(seed)
        self.model = CoProductionModel(scenario, seed=self.seed)
        self.live: list[EventMark] = []
        # rounds played in a workshop room: {"month", "decisions"}, see coprod.dashboard.room
        self.rounds: list[dict[str, Any]] = []
        self._frame: pd.DataFrame | None = None
        self._frame_step = -1
        self._local: pd.DataFrame | None = None
        self._local_step = -1
        self._status = list(self.model.municipality_mean(self.model.citizens.ses))
        self._layouts: dict[str, NetworkLayout] = {}
        self._place_layout: PlaceLayout | None = None

    @property
    def municipality_names(self) -> list[str]:
        """The municipalities' names in the language shown, e.g. ``Municipality 3 (poorer)``."""
        return labels.municipality_labels(self._status)

    @property
    def month(self) -> int:
        """Months simulated so far (0 before the first step)."""
        return int(self.model.steps)

    @property
    def horizon(self) -> int:
        """The scenario's length in months."""
        return int(self.scenario.steps)

    @property
    def network_layout(self) -> NetworkLayout:
        """Where the map draws the model's residents and ties, in the language shown.

        Built on first use and kept; the labels under the neighbourhoods take more or less
        room in each language, so each language the session shows gets its own layout.
        """
        lang = current()
        if lang not in self._layouts:
            self._layouts[lang] = layout_for(self.model)
        return self._layouts[lang]

    @property
    def place_layout(self) -> PlaceLayout | None:
        """The projected shapes of the run's neighbourhoods, or None without geometry.

        Built on first use and kept for the life of the run (the map has no text inside).
        """
        if self._place_layout is None and has_geometry(self.model):
            self._place_layout = build_place_layout(self.model.places)
        return self._place_layout

    def step(self) -> None:
        """Simulate one more month."""
        self.model.step()

    def trigger(self, event: labels.EventKind) -> EventMark:
        """Schedule ``event`` for the next month."""
        made = self.model.trigger_event(event.kind, size=event.size, duration=event.duration)
        mark = EventMark(made.step, made.kind, made.size, made.duration, live=True)
        self.live.append(mark)
        return mark

    def events(self) -> list[EventMark]:
        """Every event: the scenario's (past and planned) and those triggered live."""
        planned = [
            EventMark(e.step, e.kind, e.size, e.duration, live=False) for e in self.scenario.events
        ]
        return sorted([*planned, *self.live], key=lambda m: (m.step, m.kind))

    @property
    def municipalities(self) -> int:
        """How many municipalities the run simulates."""
        return len(self.model.administrations)

    def frame(self, municipality: int | None = None) -> pd.DataFrame:
        """Measures so far, one row per month (cached until the next step).

        With ``municipality`` (an index below :attr:`municipalities`), the measures recorded
        per municipality (:data:`LOCAL_MEASURES`) are that municipality's; the others stay
        those of the whole model. An index the run does not have gives the whole model.
        """
        if self._frame is None or self._frame_step != self.month:
            self._frame = self.model.model_vars if self.month else _empty_frame()
            self._frame_step = self.month
        if municipality is None or not 0 <= municipality < self.municipalities or not self.month:
            return self._frame
        local = self._municipality_frame()
        rows = local[local["municipality"] == municipality].set_index("step")
        frame = self._frame.copy()
        for measure in RECORDED_LOCALLY:
            frame[measure] = rows[measure].reindex(frame.index).astype(float)
        for name, parts in AVERAGES.items():
            if name in LOCAL_MEASURES:
                frame[name] = frame.loc[:, list(parts)].mean(axis=1)
        return frame

    def _municipality_frame(self) -> pd.DataFrame:
        if self._local is None or self._local_step != self.month:
            self._local = self.model.municipality_vars
            self._local_step = self.month
        return self._local

    def innovations(self) -> list[list[str]] | None:
        """Per municipality, the innovations (model names) it has adopted; None without any."""
        state = self.model.innovation
        if state is None:
            return None
        return [
            [name for name, kept in zip(state.names, row, strict=True) if kept]
            for row in state.adopted
        ]

    def csv(self) -> str:
        """Measures so far as CSV text: ``step``, every measure, and the events of that month."""
        frame = self.frame().reset_index()
        texts: dict[int, list[str]] = {}
        for mark in self.events():
            origin = "live" if mark.live else "planned"
            texts.setdefault(mark.step, []).append(f"{mark.what} ({origin})")
        frame["events"] = ["; ".join(texts.get(int(s), [])) for s in frame["step"]]
        return frame.loc[:, list(CSV_COLUMNS)].to_csv(index=False, float_format="%.6g")

    def quintile_adoption(self) -> list[float]:
        """Share of each socio-economic fifth who use the digital channel now."""
        c = self.model.citizens
        out = []
        for q in range(1, 6):
            members = c.quintile == q
            out.append(float(c.adopted[members].mean()) if members.any() else 0.0)
        return out


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {name: pd.Series(dtype=float) for name in MEASURES},
        index=pd.RangeIndex(1, 1, name="step"),
    )


class Workshop:
    """One browser session: settings per side, shared population and seed, and the runs.

    Every change bumps :attr:`version`; the page redraws what depends on it. Methods may be
    called from the play thread and from the page at once, so they hold a lock.
    """

    def __init__(self, scenario: str = DEFAULT_SCENARIO, seed: int = 0) -> None:
        self.lock = threading.RLock()
        self.scenarios: dict[str, str] = dict.fromkeys(SIDES, scenario)
        self.overrides: dict[str, dict[str, Any]] = {side: {} for side in SIDES}
        self.citizens: int | None = None  # None: each scenario's own population
        self.seed = int(seed)
        self.compare = False
        self.error: str | None = None
        self.municipality: int | None = None  # None: all municipalities together
        self.version = 0
        # resolved scenarios by (name, settings): see :meth:`scenario`
        self._resolved: dict[tuple[str, str], Scenario] = {}
        self.runs: dict[str, Run] = {}
        self.reset()

    # ------------------------------------------------------------------ settings
    @property
    def sides(self) -> tuple[str, ...]:
        """The sides shown: ``("A",)`` or, comparing, ``("A", "B")``."""
        return SIDES if self.compare else SIDES[:1]

    def scenario(self, side: str = "A") -> Scenario:
        """The resolved scenario of ``side``: named scenario, rule changes, population size.

        Kept for the settings it was resolved from (every control of the page reads its value
        from here on every redraw, and a room redraws the page after each round): the key is
        built from the settings as they are now, so a change made anywhere resolves afresh.
        """
        changes = dict(self.overrides[side])
        if self.citizens is not None:
            changes["population.citizens"] = self.citizens
        key = (self.scenarios[side], repr(sorted(changes.items())))
        cache = self._resolved
        if key not in cache:
            base = Scenario.load(self.scenarios[side])
            if len(cache) > 64:
                cache.clear()
            cache[key] = base.with_overrides(changes) if changes else base
        return cache[key]

    def value(self, side: str, key: str) -> Any:
        """The value in force for a dotted scenario key on ``side``."""
        return lookup(self.scenario(side).to_dict(), key)

    def changes(self, side: str) -> list[tuple[str, Any, Any]]:
        """Rules changed from the named scenario on ``side``: (key, scenario's value, now)."""
        base = Scenario.load(self.scenarios[side]).to_dict()
        return [(k, lookup(base, k), v) for k, v in sorted(self.overrides[side].items())]

    def set_scenario(self, side: str, name: str) -> None:
        """Pick a named scenario for ``side``; its rule changes are dropped; restart."""
        if name not in scenario_names():
            raise ScenarioError(f"unknown scenario {name!r}")
        with self.lock:
            before = self.scenarios[side], self.overrides[side]
            self.scenarios[side] = name
            self.overrides[side] = {}
            if not self._rebuild():  # e.g. real places without the geo extra: say so, keep
                self.scenarios[side], self.overrides[side] = before

    def set_rule(self, side: str, key: str, value: Any) -> None:
        """Change one governance rule on ``side`` and restart; a bad value changes nothing."""
        if key not in labels.CONTROLS:
            raise ScenarioError(f"{key!r} is not a rule the dashboard changes")
        with self.lock:
            base = lookup(Scenario.load(self.scenarios[side]).to_dict(), key)
            before = dict(self.overrides[side])
            if isinstance(base, float) and isinstance(value, int | float):
                value = float(value)
            if value == base:
                self.overrides[side].pop(key, None)
            else:
                self.overrides[side][key] = value
            if not self._rebuild():
                self.overrides[side] = before

    def set_citizens(self, citizens: int | None) -> None:
        """Simulate ``citizens`` residents on every side (``None``: the scenarios' own)."""
        with self.lock:
            before = self.citizens
            self.citizens = None if citizens is None else int(citizens)
            if not self._rebuild():
                self.citizens = before

    def set_seed(self, seed: int) -> None:
        """Use another seed (the same on both sides) and restart."""
        with self.lock:
            self.seed = int(seed)
            self.reset()

    def set_compare(self, on: bool) -> None:
        """Show two runs side by side (B starts as a copy of A's settings) or one."""
        with self.lock:
            if on and not self.compare:
                self.scenarios["B"] = self.scenarios["A"]
                self.overrides["B"] = dict(self.overrides["A"])
            self.compare = bool(on)
            self.reset()

    # ------------------------------------------------------------------ running
    def reset(self) -> None:
        """Start every run again from month 0 with the current settings."""
        with self.lock:
            self._rebuild()

    def _rebuild(self) -> bool:
        """Build fresh runs; on a scenario error keep the old runs and record the message.

        The caller restores the setting it changed, so the settings shown stay those of the runs.
        """
        try:
            runs = {side: Run(self.scenario(side), self.seed) for side in self.sides}
        except ScenarioError as exc:
            self.error = str(exc)
            self.version += 1
            return False
        self.runs = runs
        self.error = None
        if self.municipality is not None and self.municipality >= self.municipalities:
            self.municipality = None
        self.version += 1
        return True

    @property
    def has_place_map(self) -> bool:
        """Whether some run shown has real neighbourhoods to draw (a places table's geometry)."""
        return any(has_geometry(run.model) for run in self.runs.values())

    # ------------------------------------------------------------------ municipalities
    @property
    def municipalities(self) -> int:
        """The most municipalities any run shown simulates."""
        return max(run.municipalities for run in self.runs.values())

    def municipality_choices(self) -> list[tuple[int | None, str]]:
        """The municipality menu: ``(None, "All municipalities")``, then one per municipality.

        Empty when every run simulates a single municipality (there is nothing to pick).
        """
        if self.municipalities <= 1:
            return []
        run = max(self.runs.values(), key=lambda r: r.municipalities)
        return [(None, _(labels.ALL_MUNICIPALITIES)), *enumerate(run.municipality_names)]

    def set_municipality(self, municipality: int | None) -> None:
        """Show the charts for one municipality (its index) or, with ``None``, for all."""
        if municipality is not None and not 0 <= int(municipality) < self.municipalities:
            raise ScenarioError(f"no municipality {municipality!r} in this run")
        with self.lock:
            self.municipality = None if municipality is None else int(municipality)
            self.version += 1

    def frames(self) -> list[pd.DataFrame]:
        """Each shown run's measures so far, for the municipality picked (or all)."""
        with self.lock:
            return [self.runs[side].frame(self.municipality) for side in self.sides]

    @property
    def month(self) -> int:
        """Months simulated so far (the runs move together)."""
        return self.runs["A"].month

    @property
    def horizon(self) -> int:
        """The longest horizon among the runs shown."""
        return max(run.horizon for run in self.runs.values())

    @property
    def finished(self) -> bool:
        """Whether the runs have reached their horizon."""
        return self.month >= self.horizon

    def step(self, months: int = 1) -> int:
        """Simulate ``months`` more months on every side, together; return the month reached."""
        with self.lock:
            for _ in range(months):
                for run in self.runs.values():
                    run.step()
            self.version += 1
            return self.month

    def trigger(self, kind: str) -> list[EventMark]:
        """Trigger an event of ``kind`` for next month on every side."""
        event = next((e for e in labels.EVENTS if e.kind == kind), None)
        if event is None:
            raise ScenarioError(f"unknown event {kind!r}")
        with self.lock:
            marks = [run.trigger(event) for run in self.runs.values()]
            self.version += 1
            return marks

    def csv(self, side: str = "A") -> str:
        """The measures of ``side``'s run so far, as CSV text."""
        with self.lock:
            return self.runs[side].csv()

    def csv_name(self, side: str = "A") -> str:
        """A file name for ``side``'s CSV, e.g. ``coprod-socialgov-seed0-month12.csv``."""
        tag = f"-{side}" if self.compare else ""
        edited = "-changed" if self.overrides[side] else ""
        return f"coprod-{self.scenarios[side]}{edited}-seed{self.seed}-month{self.month}{tag}.csv"
