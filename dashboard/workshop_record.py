"""The workshop record: every run a group made in one browser session, kept with its results.

A :class:`RecordedWorkshop` is the dashboard's :class:`~coprod.dashboard.state.Workshop` that
also remembers. A run enters the record once it has been stepped, when it is replaced (a rule
changed, Reset, compare switched) or when the record is saved; what it keeps is what it takes
to say what was run and to redraw its charts: the scenario, the rules changed, the population,
the seed, the events triggered and the month each started, the wall-clock time, and the chart
measures month by month. Nothing is copied while the runs step: the measures are read from the
model's own table once, when the run is recorded.

:class:`WorkshopRecord` is the machine-readable record (pydantic): the JSON twin of the saved
HTML page, which embeds it too, so that either file reopens the workshop (:func:`load_record`).
:func:`replay` runs a recorded run again: same scenario, rules, population, seed and events at
the same months give the same numbers.

This module knows nothing of Solara; the page's buttons are in ``record_panel``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from coprod.dashboard import labels
from coprod.dashboard.i18n import _, number
from coprod.dashboard.state import DEFAULT_SCENARIO, EventMark, Run, Workshop
from coprod.model.scenario import Scenario, ScenarioError, scenario_names

#: What the ``format`` key of every record says.
FORMAT = "coprod-workshop"
#: The record layout this module writes and reads.
VERSION = 1
#: The ``id`` of the ``<script type="application/json">`` block holding the record in the HTML.
SCRIPT_ID = "coprod-workshop-record"
#: The largest file "Open workshop" reads (a record of many long runs is a few MiB).
MAX_BYTES = 50 * 2**20
#: The deepest nesting of a record's JSON (a record nests 5 levels).
MAX_DEPTH = 32
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_OPEN = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSE = np.frombuffer(b"]}", dtype=np.uint8)

#: Measures that can lead a question: every line of the dashboard's charts, in chart order.
QUESTION_MEASURES: tuple[str, ...] = tuple(
    dict.fromkeys(s.measure for spec in labels.CHARTS for s in spec.series)
)
#: Measures kept month by month: the charts' lines and the digital divide's fifths.
RECORDED: tuple[str, ...] = (*QUESTION_MEASURES, *(f"participation_q{q}" for q in range(1, 6)))
#: Event kinds a run can carry.
EVENT_KINDS = tuple(e.kind for e in labels.EVENTS)


class RecordError(ValueError):
    """A file that is not a readable workshop record; the message says why, in one line."""


# ---------------------------------------------------------------------- the record
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LiveEvent(_Strict):
    """An event the group triggered: what, how strong, and the month it started."""

    step: int = Field(ge=1, le=100_000)
    kind: Literal["budget_cut", "platform_outage", "trust_scandal", "demand_shock"]
    size: float = Field(ge=0.0, le=1.0)
    duration: int | None = Field(default=None, ge=1, le=100_000)

    def mark(self) -> EventMark:
        """The event as the charts mark it."""
        return EventMark(self.step, self.kind, self.size, self.duration, live=True)


#: Who made a decision, by role and never by name (``coprod.dashboard.room.Participant.label``).
_WHO = re.compile(
    r"^(resident \d+ \(neighbourhood \d+\)|council \d+ \(municipality \d+\)"
    r"|organisation \d+|business \d+)$"
)


class Decision(_Strict):
    """One participant's choice in a round of a workshop room, by role (never by name)."""

    who: str = Field(max_length=80)
    role: Literal["resident", "council", "organisation", "business"]
    choice: dict[str, bool | int | float | str | None]

    @field_validator("who")
    @classmethod
    def _by_role(cls, who: str) -> str:
        if not _WHO.match(who):
            raise ValueError(
                _("{who} does not say a role (e.g. resident 1 (neighbourhood 3))").format(
                    who=repr(who)
                )
            )
        return who


class PlayedRound(_Strict):
    """A round of a workshop room: the month its choices entered and who chose what."""

    month: int = Field(ge=1, le=100_000)
    decisions: list[Decision] = Field(default_factory=list)

    def choices(self) -> Any:
        """The round's choices as the model plays them (a ``coprod.model.played.Choices``)."""
        from coprod.model import played

        kinds = {
            "resident": ("residents", played.ResidentChoice),
            "council": ("councils", played.CouncilChoice),
            "organisation": ("organisations", played.OrganisationChoice),
            "business": ("businesses", played.BusinessChoice),
        }
        made: dict[str, list] = {field: [] for field, _kind in kinds.values()}
        for decision in self.decisions:
            field, kind = kinds[decision.role]
            made[field].append(kind(**decision.choice))
        return played.Choices(**made)


class RunRecord(_Strict):
    """One run: its settings, its events, when it ran, and its chart measures by month."""

    scenario: str
    overrides: dict[str, bool | float | str] = Field(default_factory=dict)
    citizens: int | None = Field(default=None, ge=10, le=1_000_000)
    seed: int = Field(ge=0, le=4_294_967_295)
    side: Literal["A", "B"] = "A"
    group: int = Field(default=0, ge=0)
    events: list[LiveEvent] = Field(default_factory=list)
    months: int = Field(ge=1, le=100_000)
    started: datetime
    ended: datetime
    series: dict[str, list[float | None]]
    adoption: list[float] = Field(min_length=5, max_length=5)
    fingerprint: str = ""
    # rounds played in a workshop room, in order (None: nobody played, as in older records)
    rounds: list[PlayedRound] | None = None

    @field_validator("scenario")
    @classmethod
    def _known_scenario(cls, name: str) -> str:
        if name not in scenario_names():
            raise ValueError(
                _("unknown scenario {name}; known: {known}").format(
                    name=repr(name), known=", ".join(scenario_names())
                )
            )
        return name

    @field_validator("overrides")
    @classmethod
    def _known_rules(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(overrides) - set(labels.CONTROLS))
        if unknown:
            raise ValueError(
                _("{key} is not a rule the dashboard changes").format(key=repr(unknown[0]))
            )
        return overrides

    @field_validator("series")
    @classmethod
    def _known_measures(cls, series: dict[str, list]) -> dict[str, list]:
        missing = [m for m in RECORDED if m not in series]
        if missing:
            raise ValueError(_("measure {name} is missing").format(name=repr(missing[0])))
        extra = sorted(set(series) - set(RECORDED))
        if extra:
            raise ValueError(_("{name} is not a recorded measure").format(name=repr(extra[0])))
        return series

    @model_validator(mode="after")
    def _consistent(self) -> RunRecord:
        for name, values in self.series.items():
            if len(values) != self.months + 1:
                raise ValueError(
                    _(
                        "measure {name} has {count} values; months 0 to {months} need {need}"
                    ).format(
                        name=repr(name),
                        count=len(values),
                        months=self.months,
                        need=self.months + 1,
                    )
                )
        played = [r.month for r in self.rounds or []]
        if played != sorted(set(played)) or any(m > self.months for m in played):
            raise ValueError(
                _("rounds must be in months 1 to {months}, each once, in order").format(
                    months=self.months
                )
            )
        try:
            self.resolved()
        except ScenarioError as exc:
            raise ValueError(str(exc)) from None
        return self

    def resolved(self) -> Scenario:
        """The scenario this run ran: the named one, its rules changed, its population."""
        changes: dict[str, Any] = dict(self.overrides)
        if self.citizens is not None:
            changes["population.citizens"] = self.citizens
        base = Scenario.load(self.scenario)
        return base.with_overrides(changes) if changes else base

    def value(self, measure: str, month: int | None = None) -> float:
        """``measure`` at ``month`` (the last month by default); NaN where unknown."""
        values = self.series[measure]
        v = values[self.months if month is None else min(month, self.months)]
        return math.nan if v is None else float(v)

    def settings_key(self) -> tuple:
        """What makes two runs the same run: settings, seed and events."""
        return (
            self.scenario,
            tuple(sorted(self.overrides.items())),
            self.citizens,
            self.seed,
            tuple((e.step, e.kind, e.size, e.duration) for e in self.events),
            json.dumps([r.model_dump() for r in self.rounds or []], sort_keys=True),
        )


class Question(_Strict):
    """What the group wants to find out, and the measures that answer it."""

    text: str = Field(default="", max_length=2000)
    measures: list[str] = Field(default_factory=list)

    @field_validator("measures")
    @classmethod
    def _chart_measures(cls, measures: list[str]) -> list[str]:
        unknown = [m for m in measures if m not in QUESTION_MEASURES]
        if unknown:
            raise ValueError(
                _("{name} is not a measure on the charts").format(name=repr(unknown[0]))
            )
        return list(dict.fromkeys(measures))


class WorkshopRecord(_Strict):
    """A whole workshop: its question and its runs in the order they were made."""

    format: Literal["coprod-workshop"] = FORMAT
    version: Literal[1] = VERSION
    coprod: str = ""
    saved: datetime
    question: Question = Field(default_factory=Question)
    runs: list[RunRecord] = Field(default_factory=list)

    def to_json(self) -> str:
        """The record as JSON text (the JSON twin, and what the HTML page embeds)."""
        return self.model_dump_json(indent=1)

    def reference(self, index: int) -> int | None:
        """The run ``index`` is compared with: its A side for a B, else the run before."""
        run = self.runs[index]
        if run.side == "B":
            for j in range(index - 1, -1, -1):
                if self.runs[j].group == run.group and self.runs[j].side == "A":
                    return j
        return index - 1 if index > 0 else None


# ---------------------------------------------------------------------- reading a file
class _ScriptFinder(HTMLParser):
    """Collects the text of the ``<script id="coprod-workshop-record">`` block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.inside = False
        self.found = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and dict(attrs).get("id") == SCRIPT_ID:
            self.inside = self.found = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.parts.append(data)


def _explain(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or _("the record")
    message = error["msg"].removeprefix("Value error, ")
    got = error.get("input")
    shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return _("{where}: {message} (found {got})").format(where=where, message=message, got=shown)


def load_record(data: bytes | str, name: str = "file") -> WorkshopRecord:
    """Read a saved workshop (its HTML page or its JSON twin) and check it.

    Raises:
        RecordError: in one line naming ``name``, for a file that is not a coprod workshop
            record, is damaged, or names a scenario, rule, measure or value coprod does not have.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise RecordError(
                _("{name}: {size} MiB is too large for a workshop record").format(
                    name=name, size=number(len(data) / 2**20)
                )
            )
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise RecordError(
                _("{name}: not a text file; open the .html or .json file saved by coprod").format(
                    name=name
                )
            ) from None
    text = data.lstrip("\ufeff").strip()
    if text.startswith("<"):
        finder = _ScriptFinder()
        finder.feed(text)
        if not finder.found:
            raise RecordError(
                _(
                    "{name}: a web page, but not a coprod workshop record (no record inside)"
                ).format(name=name)
            )
        text = "".join(finder.parts).replace("<\\/", "</")
    if _depth(text) > MAX_DEPTH:
        raise RecordError(
            _("{name}: values are nested too deeply to be a workshop record").format(name=name)
        )
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        raise RecordError(
            _("{name}: not a coprod workshop record (neither its web page nor its JSON)").format(
                name=name
            )
        ) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise RecordError(
            _('{name}: JSON, but not a coprod workshop record (no "format": "{fmt}")').format(
                name=name, fmt=FORMAT
            )
        )
    if raw.get("version") != VERSION:
        raise RecordError(
            _("{name}: record version {found!r}; this coprod reads version {version}").format(
                name=name, found=raw.get("version"), version=VERSION
            )
        )
    try:
        return WorkshopRecord.model_validate(raw)
    except ValidationError as exc:
        raise RecordError(f"{name}: {_explain(exc)}") from None


def _depth(text: str) -> int:
    """How deeply the arrays and objects of JSON ``text`` nest (brackets in strings skipped).

    Checked before parsing: a parser that runs out of recursion on a hostile file leaves
    Python 3.11's compiler in a broken state for the rest of the server's life.
    """
    bare = _STRING.sub("", text).encode()
    codes = np.frombuffer(bare, dtype=np.uint8)
    steps = np.isin(codes, _OPEN).astype(np.int32) - np.isin(codes, _CLOSE).astype(np.int32)
    return int(np.cumsum(steps).max(initial=0))


def embed_json(record: WorkshopRecord) -> str:
    """The record's JSON, safe inside an HTML ``<script>`` block."""
    return record.to_json().replace("</", "<\\/")


# ---------------------------------------------------------------------- from runs
def fingerprint(scenario: Scenario) -> str:
    """A short hash of a resolved scenario: it changes when a scenario file changes."""
    text = json.dumps(scenario.to_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _numbers(values: Any) -> list[float | None]:
    return [None if not math.isfinite(v) else float(v) for v in values]


def record_run(
    run: Run,
    scenario: str,
    overrides: dict[str, Any],
    citizens: int | None,
    *,
    side: str = "A",
    group: int = 0,
    started: datetime | None = None,
    ended: datetime | None = None,
) -> RunRecord:
    """What the record keeps of ``run``: its settings, events and chart measures so far.

    Reads the model's table of measures once; call it when the run is recorded, not each month.
    """
    frame = run.frame()
    now = datetime.now(UTC)
    return RunRecord(
        scenario=scenario,
        overrides=dict(overrides),
        citizens=citizens,
        seed=run.seed,
        side=side,
        group=group,
        events=[
            LiveEvent(step=m.step, kind=m.kind, size=m.size, duration=m.duration) for m in run.live
        ],
        months=run.month,
        started=started or now,
        ended=ended or now,
        series={m: _numbers(frame[m].to_numpy(dtype=float)) for m in RECORDED},
        adoption=run.quintile_adoption(),
        fingerprint=fingerprint(run.scenario),
        rounds=[PlayedRound.model_validate(r) for r in run.rounds] or None,
    )


def replay(record: RunRecord, months: int | None = None, run: Run | None = None) -> Run:
    """Run ``record`` again: same settings and seed, each event triggered for its month.

    A run played in a workshop room gets each round's saved decisions played again before the
    month they entered, so it reaches the same numbers.

    Args:
        record: the run to repeat.
        months: how far to run (default: as far as the recorded run went).
        run: a fresh run (month 0) of ``record``'s settings and seed to use; by default one
            is built.
    """
    if run is None:
        run = Run(record.resolved(), record.seed)
    elif run.month or run.seed != record.seed:
        raise ValueError("replay needs a fresh run with the record's seed")
    target = record.months if months is None else months
    pending = sorted(record.events, key=lambda e: e.step)  # stable: the order triggered
    rounds = {r.month: r for r in record.rounds or []}
    while True:
        while pending and pending[0].step == run.month + 1:
            event = pending.pop(0)
            made = run.model.trigger_event(event.kind, size=event.size, duration=event.duration)
            run.live.append(EventMark(made.step, made.kind, made.size, made.duration, live=True))
        if run.month >= target:
            break
        played = rounds.get(run.month + 1)
        if played is not None:
            run.model.play(played.choices())
        run.step()
        if played is not None:
            run.rounds.append(played.model_dump())
    return run


def differences(record: RunRecord, run: Run) -> float:
    """Largest absolute difference between ``record``'s measures and ``run``'s, month by month.

    0.0 means the same numbers; infinity, that the two cover different months.
    """
    again = record_run(run, record.scenario, record.overrides, record.citizens)
    if again.months != record.months:
        return math.inf
    worst = 0.0
    for name in RECORDED:
        for a, b in zip(record.series[name], again.series[name], strict=True):
            if (a is None) != (b is None):
                return math.inf
            if a is not None and b is not None:
                worst = max(worst, abs(a - b))
    return worst


# ---------------------------------------------------------------------- the session
class RecordedWorkshop(Workshop):
    """A :class:`Workshop` that keeps every run the group made, for the workshop record.

    A run enters :attr:`kept` when it is replaced by new runs (after being stepped at least
    once); :meth:`record` adds the runs on screen. The only work while stepping is reading the
    clock.
    """

    def __init__(self, scenario: str = DEFAULT_SCENARIO, seed: int = 0) -> None:
        self.kept: list[RunRecord] = []
        self.question = Question()
        self.opened_from: str | None = None
        self._built: dict[str, tuple[str, dict[str, Any], int | None]] = {}
        self._clock: dict[str, list[datetime]] = {}
        self._group = 0
        super().__init__(scenario, seed)

    # ------------------------------------------------------------------ keeping runs
    def _rebuild(self) -> bool:
        old_runs, old_built = dict(getattr(self, "runs", {})), dict(self._built)
        old_clock, old_group = dict(self._clock), self._group
        if not super()._rebuild():
            return False
        for side, run in old_runs.items():
            kept = self._snapshot(run, old_built.get(side), side, old_group, old_clock.get(side))
            if kept is not None and not self._known(kept):
                self.kept.append(kept)
        self._group += 1
        self._built = {
            side: (self.scenarios[side], dict(self.overrides[side]), self.citizens)
            for side in self.sides
        }
        self._clock = {}
        return True

    def _snapshot(self, run: Run, built, side: str, group: int, clock) -> RunRecord | None:
        if built is None or run.month == 0:
            return None
        scenario, overrides, citizens = built
        started, ended = clock if clock else (None, None)
        return record_run(
            run,
            scenario,
            overrides,
            citizens,
            side=side,
            group=group,
            started=started,
            ended=ended,
        )

    def _known(self, candidate: RunRecord) -> bool:
        key = candidate.settings_key()
        return any(r.settings_key() == key and r.months == candidate.months for r in self.kept)

    def step(self, months: int = 1) -> int:
        """Simulate ``months`` more months on every side; note the wall-clock time."""
        with self.lock:
            start = datetime.now(UTC)
            month = super().step(months)
            now = datetime.now(UTC)
            for side in self.runs:
                self._clock.setdefault(side, [start, now])[1] = now
            return month

    # ------------------------------------------------------------------ the record
    def record(self) -> WorkshopRecord:
        """The workshop so far: the runs kept, then those on screen (if stepped)."""
        from coprod import __version__

        with self.lock:
            runs = list(self.kept)
            for side, run in self.runs.items():
                now = self._snapshot(
                    run, self._built.get(side), side, self._group, self._clock.get(side)
                )
                if now is not None and not any(
                    r.settings_key() == now.settings_key() and r.months == now.months for r in runs
                ):
                    runs.append(now)
            return WorkshopRecord(
                coprod=__version__, saved=datetime.now(UTC), question=self.question, runs=runs
            )

    def set_question(self, text: str | None = None, measures: list[str] | None = None) -> None:
        """Change the group's question or the measures that answer it."""
        with self.lock:
            self.question = Question(
                text=self.question.text if text is None else text,
                measures=self.question.measures if measures is None else measures,
            )
            self.version += 1

    def open(self, record: WorkshopRecord, name: str = "") -> None:
        """Continue from a saved workshop: its runs, its question, its last settings."""
        with self.lock:
            last = record.runs[-1] if record.runs else None
            if last is not None:
                pair = [r for r in record.runs if r.group == last.group]
                self.compare = len(pair) > 1
                for r in pair:
                    side = r.side if self.compare else "A"
                    self.scenarios[side] = r.scenario
                    self.overrides[side] = dict(r.overrides)
                self.citizens, self.seed = last.citizens, last.seed
                self.reset()
            self.kept = list(record.runs)
            self.question = record.question
            self._group = max([r.group for r in record.runs], default=-1) + 1
            self.opened_from = name or None
            self.version += 1

    def partners(self, index: int) -> list[int]:
        """Kept run ``index`` and the other side of its comparison, if it was one (A first).

        The two sides of a comparison share residents, seed and events; a pair that does not
        (a file edited by hand) is re-run one side only.
        """
        kept = self.kept[index]
        pair = [i for i, r in enumerate(self.kept) if r.group == kept.group]
        sides = sorted(pair, key=lambda i: self.kept[i].side)
        a, b = (self.kept[i] for i in sides) if len(sides) == 2 else (kept, kept)
        same = (a.citizens, a.seed, a.events, a.months) == (b.citizens, b.seed, b.events, b.months)
        if len(sides) == 2 and a.side != b.side and same:
            return sides
        return [index]

    def rerun(self, index: int) -> float:
        """Run kept run ``index`` again (with its comparison's other side, if any).

        Returns the largest difference to the record over the runs re-run: 0.0 means the
        re-run gave the same numbers.
        """
        with self.lock:
            chosen = [self.kept[i] for i in self.partners(index)]
            self.compare = len(chosen) == 2
            for side, kept in zip(self.sides, chosen, strict=True):
                self.scenarios[side] = kept.scenario
                self.overrides[side] = dict(kept.overrides)
            self.citizens, self.seed = chosen[0].citizens, chosen[0].seed
            if not self._rebuild():
                raise RecordError(self.error or _("the run cannot be built again"))
            worst = 0.0
            for side, kept in zip(self.sides, chosen, strict=True):
                run = replay(kept, run=self.runs[side])
                worst = max(worst, differences(kept, run))
            now = datetime.now(UTC)
            self._clock = {side: [now, now] for side in self.sides}
            self.version += 1
            return worst


def safe_name(text: str) -> str:
    """``text`` reduced to letters, digits and dashes, for a file name."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "workshop"
