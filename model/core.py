"""The co-production model: a Mesa model whose step reads as its schedule.

One step is one month. Agent state lives in NumPy arrays per agent kind; the Mesa agents in
``model.agents`` are views onto their rows, so inspection works as usual while each phase is
computed for all agents at once. What one phase hands to a later phase of the same month travels
in a fresh :class:`~coprod.model.step_record.StepRecord`; what persists from month to month is
the state of the agents, the neighbourhoods, the local governance and the model.
"""

from __future__ import annotations

import copy
import inspect
from pathlib import Path

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from coprod.agents.administration import Administration
from coprod.agents.business import Business
from coprod.agents.citizen import Citizen
from coprod.agents.community_organisation import CommunityOrganisation
from coprod.model import innovation, network, places, played, world
from coprod.model.allocation import allocate_resources
from coprod.model.events import apply_events
from coprod.model.feedback import update_trust
from coprod.model.governance import LocalGovernance
from coprod.model.innovation import innovate
from coprod.model.input_queue import InputQueue
from coprod.model.inputs import process_inputs
from coprod.model.measures import (
    MEASURES,
    MUNICIPALITY_MEASURES,
    PLACE_MEASURES,
    RESPONSIVENESS_MONTHS,
    collect_measures,
    collect_municipality_measures,
    collect_place_measures,
)
from coprod.model.participation import citizens_decide, diffuse_adoption, update_engagement
from coprod.model.partners import businesses_engage, organisations_act
from coprod.model.production import produce_services
from coprod.model.scenario import Event, Scenario, ScenarioError
from coprod.model.step_record import StepRecord


class CoProductionModel(mesa.Model):
    """Co-creation and co-production of public services in one or more municipalities.

    A Mesa model: ``step()`` runs one month, ``run_model()`` runs until ``running`` turns False
    at the scenario's ``steps``, and ``datacollector`` holds one row of measures for the initial
    state (step 0) and one per month, as ``model_vars`` shows them.

    Args:
        scenario: a :class:`Scenario`, or the name or path of one.
        seed: the root of every random draw; the same scenario and seed give the same run.
    """

    def __init__(self, scenario: Scenario | str | Path, seed: int | None = None) -> None:
        """Build the world of ``scenario`` from ``seed`` and measure its initial state.

        Args:
            scenario: a :class:`Scenario`, or the name (``"socialgov"``) or path of a scenario
                file.
            seed: the root of every random draw (default: a fresh one, kept as ``self.seed``);
                the same scenario and seed give the same run.
        """
        if not isinstance(scenario, Scenario):
            scenario = Scenario.load(scenario)
        # with a places table: citizens, municipalities and neighbourhoods as the table gives
        scenario = places.resolve(scenario)
        if seed is None:
            seed = scenario.seed
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        super().__init__(**{_SEED_KEYWORD: int(seed)})
        self.scenario = scenario
        self.seed = int(seed)
        self.local = LocalGovernance(scenario, scenario.population.municipalities)
        self.n_domains = len(scenario.services.domains)
        self.events: list[Event] = list(scenario.events)
        # inputs resolved in time and resolved, per month of the last year (a ring by month):
        # model-level responsiveness pools them (model/measures.py, the only writer)
        self.resolved_window = np.zeros((RESPONSIVENESS_MONTHS, 2))
        # the need multiplier under which citizens' needs were last met (incidents follow it)
        self.need_multiplier_met = 1.0
        # the administrations' open inputs, one row per report or proposal
        self.queue = InputQueue()
        # played agents' choices (model/played.py): pending for the next month, this month's
        # while it runs, and what came of the played residents' acts (for their views)
        self.pending_choices = played.Choices()
        self.playing: played.Choices | None = None
        self.played_refused: dict[tuple[str, int], str] = {}
        self.played_recruits: dict[int, int] = {}  # residents recruited by played outreach
        self.played_status: dict[int, played.PlayedStatus] = {}

        w = world.build(scenario, self.rng)
        self.citizens = w.citizens
        self.businesses = w.businesses
        self.organisations = w.organisations
        self.administrations = w.administrations
        self.hoods = w.hoods
        self.adjacency = w.adjacency
        self.degree = w.degree
        # the real places the neighbourhoods stand for (table and geometry), or None
        self.places = w.places
        self.citizens.adopted &= self.local.platform[self.citizens.municipality]
        self.innovation = innovation.build(self)
        self._views_made = False  # Mesa agent views are created on first use
        self.measures: dict[str, float] = {}
        self._municipality_rows: list[pd.DataFrame] = []
        self._place_rows: list[tuple[int, np.ndarray]] = []
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in MEASURES}
        )
        self._collect_initial()

    @property
    def scenario(self) -> Scenario:
        """The coprod :class:`Scenario` the model runs, as given."""
        return vars(self)["coprod_scenario"]

    @scenario.setter
    def scenario(self, value: Scenario) -> None:
        # Mesa 3.5 sets a scenario of its own, with the seed, before coprod sets its own
        if isinstance(value, Scenario):
            vars(self)["coprod_scenario"] = value

    def step(self) -> None:
        """One month: events, innovation, citizens, partners, administration, services, trust."""
        record = StepRecord()
        played.start_month(self)
        apply_events(self, record)
        innovate(self, record)
        self.finish_month(record)
        played.end_month(self, record)
        self.running = self.steps < self.scenario.steps

    def play(self, choices: played.Choices | dict | str) -> None:
        """Hold played agents' choices for the next :meth:`step` (model/played.py).

        The choices (a :class:`~coprod.model.played.Choices`, its dict or JSON) are checked
        against this model and merged with those already pending, the later winning per agent.
        ``step()`` applies them at their phases and clears them; a council's rules then stay.

        Raises:
            PlayError: in one line, naming the field, the value and what is allowed.
        """
        self.pending_choices = self.pending_choices.merged(played.validate(self, choices))

    def finish_month(self, record: StepRecord) -> None:
        """The month's phases after innovation, up to the measures.

        Apart from :meth:`step` so that a fork made during the innovation phase (a
        counterfactual branch, see :mod:`coprod.model.counterfactual`) can finish the month
        exactly as the model it was forked from would.
        """
        citizens_decide(self, record)
        diffuse_adoption(self, record)
        businesses_engage(self, record)
        organisations_act(self, record)
        process_inputs(self, record)
        allocate_resources(self, record)
        produce_services(self, record)
        update_trust(self, record)
        update_engagement(self, record)
        self._collect(record)

    def fork(self) -> CoProductionModel:
        """A twin in the same state, with its own copy of every random generator.

        Stepping the twin leaves this model untouched and, as long as both are changed alike,
        gives the same draws as stepping this model (common random numbers): what differs
        between the two is what was changed in one of them. Everything the phases may change
        is copied deeply (so new state added to the model is copied too); the scenario and the
        social network, which no phase changes, are shared; the twin starts with empty result
        tables and never makes Mesa agent views.
        """
        twin = object.__new__(type(self))
        shared = [self.scenario, self.adjacency, self.degree, self.places]
        shared += [value for value in vars(self).values() if _holds_agents(value)]
        memo = {id(item): item for item in shared}
        memo[id(self)] = twin  # bound methods (Mesa's wrapped step) rebind to the twin
        fresh = {"_municipality_rows", "_place_rows", "datacollector"}
        state = {key: value for key, value in vars(self).items() if key not in fresh}
        vars(twin).update(copy.deepcopy(state, memo))
        twin._municipality_rows = []
        twin._place_rows = []
        twin._views_made = True
        twin.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in MEASURES}
        )
        # Mesa 3.5 steps through an event list whose entries refer to the original model
        # weakly (a deep copy keeps them pointing there): a twin counts its own months
        twin.step = twin._step_twin
        return twin

    def _step_twin(self) -> None:
        """A fork's step: count the month (Mesa's ``steps`` and ``time``), then run it."""
        self.steps += 1
        if isinstance(getattr(self, "time", None), int | float):
            self.time += 1
        type(self).step(self)

    # ----------------------------------------------------------------- Mesa agents
    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Every agent, as Mesa agents that are views onto the arrays (created on first use)."""
        self._make_agent_views()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type[mesa.Agent], mesa.agent.AgentSet]:
        """The agents of each kind (created on first use)."""
        self._make_agent_views()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """The agent kinds (created on first use)."""
        self._make_agent_views()
        return super().agent_types

    # ----------------------------------------------------------------- results
    @property
    def model_vars(self) -> pd.DataFrame:
        """Measures so far, one row per step (index ``step``: 0 is the initial state).

        A :meth:`fork` starts its table at the first month it steps itself.
        """
        frame = self.datacollector.get_model_vars_dataframe()
        frame.index = pd.RangeIndex(self.steps + 1 - len(frame), self.steps + 1, name="step")
        return frame

    @property
    def municipality_vars(self) -> pd.DataFrame:
        """Measures per municipality so far, one row per step and municipality."""
        if not self._municipality_rows:
            return pd.DataFrame(columns=["step", "municipality", *MUNICIPALITY_MEASURES])
        return pd.concat(self._municipality_rows, ignore_index=True)

    @property
    def place_vars(self) -> pd.DataFrame:
        """Measures per neighbourhood so far, one row per step and neighbourhood.

        Columns: ``step``, ``place`` (the neighbourhood's index), ``name`` (from the places
        table, else ``m<municipality>-n<neighbourhood>``), ``municipality`` (index) and
        :data:`~coprod.model.measure_registry.PLACE_MEASURES`.
        """
        columns = ["step", "place", "name", "municipality", *PLACE_MEASURES]
        if not self._place_rows:
            return pd.DataFrame(columns=columns)
        n = len(self.hoods)
        steps = np.repeat([step for step, _ in self._place_rows], n)
        values = np.vstack([rows for _, rows in self._place_rows])
        k = len(self._place_rows)
        frame = pd.DataFrame(values, columns=list(PLACE_MEASURES))
        frame.insert(0, "municipality", np.tile(self.hoods.municipality, k))
        frame.insert(0, "name", pd.Categorical(np.tile(self.place_names, k)))
        frame.insert(0, "place", np.tile(np.arange(n), k))
        frame.insert(0, "step", steps)
        return frame

    @property
    def place_measures_now(self) -> np.ndarray:
        """This month's measures per neighbourhood: ``(hoods, PLACE_MEASURES)`` floats.

        The last rows of :attr:`place_vars` without building the table (read-only view).
        """
        values = self._place_rows[-1][1].view()
        values.flags.writeable = False
        return values

    @property
    def place_names(self) -> list[str]:
        """The neighbourhoods' names: the places table's, else ``m<i>-n<j>`` (from 0)."""
        if self.places is not None:
            return self.places.names
        muni = self.hoods.municipality
        first = np.searchsorted(muni, muni)  # hoods are grouped by municipality
        local = np.arange(len(muni)) - first
        return [f"m{m}-n{j}" for m, j in zip(muni.tolist(), local.tolist(), strict=True)]

    @property
    def innovations_adopted(self) -> int:
        """Innovations adopted so far, counted once per municipality."""
        return self.innovation.adoptions if self.innovation is not None else 0

    def innovation_summary(self) -> pd.DataFrame:
        """One row per innovation: trials, adopters, months to reach half, fit to context."""
        return innovation.summary(self.innovation, self.steps)

    def citizen_frame(self) -> pd.DataFrame:
        """Every citizen's current state as a DataFrame, one row per citizen."""
        return self.citizens.frame(list(self.scenario.services.domains))

    def network_graph(self) -> nx.Graph:
        """The citizens' social network as a networkx graph (nodes are citizen rows)."""
        return network.to_networkx(self.adjacency)

    def trigger_event(self, kind: str, size: float = 0.3, duration: int | None = None) -> Event:
        """Schedule an event for the next step, as a workshop would trigger it live.

        Raises:
            ScenarioError: in one line, for an unknown ``kind`` or a value out of range.
        """
        try:
            event = Event.model_validate(
                {"step": self.steps + 1, "kind": kind, "size": float(size), "duration": duration}
            )
        except Exception as exc:  # pydantic's ValidationError, re-raised as ours
            raise ScenarioError(f"event {kind!r}: {_first_error(exc)}") from None
        self.events.append(event)
        return event

    # ----------------------------------------------------------------- aggregation helpers
    def municipality_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of a per-citizen array within each municipality.

        A boolean array is counted rather than summed with weights: the same sums, exactly (whole
        numbers), at a fraction of the cost, and one count where there is one municipality.
        """
        c = self.citizens
        n = len(self.administrations)
        if values.dtype == bool:
            if n == 1:
                sums = np.array([float(np.count_nonzero(values))])
            else:
                sums = np.bincount(c.municipality[values], minlength=n).astype(float)
        else:
            sums = np.bincount(c.municipality, weights=values, minlength=n)
        return sums / np.maximum(self.administrations.population, 1)

    def cell_sum(self, per_domain: np.ndarray) -> np.ndarray:
        """Sum of a ``(citizens, domains)`` array per neighbourhood: ``(hoods, domains)``."""
        hood = self.citizens.hood.astype(np.int64)
        cells = (hood[:, None] * self.n_domains + np.arange(self.n_domains)).ravel()
        return np.bincount(
            cells, weights=per_domain.ravel(), minlength=self.hoods.level.size
        ).reshape(self.hoods.level.shape)

    def cell_mean_by_hood(self, values: np.ndarray) -> np.ndarray:
        """Mean of a per-citizen array within each neighbourhood."""
        sums = np.bincount(self.citizens.hood, weights=values, minlength=len(self.hoods))
        return sums / np.maximum(self.hoods.population, 1)

    # ----------------------------------------------------------------- internals
    def _collect(self, record: StepRecord) -> None:
        """Measure the month: per municipality where it matters, then for the model."""
        if len(self.administrations) > 1 or self.innovation is not None:
            per_muni = collect_municipality_measures(self, record)
            record.municipality_public_value = per_muni["public_value"]
            innovation.record(self, per_muni["public_value"])
            frame = pd.DataFrame(per_muni)
            frame.insert(0, "municipality", np.arange(len(self.administrations)))
            frame.insert(0, "step", self.steps)
            self._municipality_rows.append(frame)
        self.measures = collect_measures(self, record)
        self._place_rows.append((self.steps, collect_place_measures(self, record)))
        self.datacollector.collect(self)

    def _collect_initial(self) -> None:
        """Measure the initial state as step 0, changing no state and drawing no number.

        Nothing has been produced, decided or resolved yet: the month's flows are zero.
        """
        n = len(self.administrations)
        record = StepRecord(
            gross_output=np.zeros(n), useful_output=np.zeros(n), handled_in_time=np.zeros(n)
        )
        self.measures = collect_measures(self, record)
        self._place_rows.append((self.steps, collect_place_measures(self, record)))
        self.datacollector.collect(self)

    def _make_agent_views(self) -> None:
        # a step never needs them: runs, ensembles and sweeps never pay for a million views
        if self._views_made:
            return
        self._views_made = True
        for kind, state in (
            (Citizen, self.citizens),
            (Business, self.businesses),
            (CommunityOrganisation, self.organisations),
            (Administration, self.administrations),
        ):
            for row in range(len(state)):
                kind(self, state, row)


#: Mesa's keyword for the root seed: ``rng`` where it has one (``seed`` is deprecated in 3.5).
_SEED_KEYWORD = "rng" if "rng" in inspect.signature(mesa.Model.__init__).parameters else "seed"


def _holds_agents(value: object) -> bool:
    """Whether ``value`` is one of Mesa's agent registries (shared by a fork, never copied)."""
    if isinstance(value, mesa.agent.AgentSet):
        return True
    if isinstance(value, dict) and value:
        key, item = next(iter(value.items()))
        return isinstance(key, mesa.Agent) or isinstance(item, mesa.agent.AgentSet)
    return False


def _first_error(exc: Exception) -> str:
    """The first message of a pydantic validation error, on one line."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return f"{where}: {first['msg']}" if where else first["msg"]
    return " ".join(str(exc).split())


def _reporter(name: str):
    def report(model: CoProductionModel) -> float:
        return model.measures[name]

    report.__name__ = f"report_{name}"
    return report
