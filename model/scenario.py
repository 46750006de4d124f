"""Scenarios: the validated, immutable description of one simulated world and its governance.

A scenario is data, never code. It is read from a TOML file (``tomllib``, no ``eval``), checked
by pydantic models that forbid unknown keys, and every key has a documented default so that a
file states only what differs from the default municipality. The defaults, units and sources of
every key are listed in ``docs/ODD.md``.

Errors are raised as :class:`ScenarioError`, whose message names the key, the value given and
what is allowed, so that the command line can print it as one line.
"""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from coprod.model.errors import ScenarioError

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]

Paradigm = Literal["traditional", "consultation", "coproduction", "socialgov"]
IctRole = Literal["none", "instrumental", "transformative", "substitutive"]
Incentive = Literal["none", "recognition", "monetary"]
InnovationMode = Literal["none", "central_pilot", "experimentalism"]
EventKind = Literal["budget_cut", "demand_shock", "platform_outage", "trust_scandal"]
PlaceTies = Literal["contiguity", "distance"]

PARADIGMS: tuple[str, ...] = get_args(Paradigm)
ICT_ROLES: tuple[str, ...] = get_args(IctRole)
INCENTIVES: tuple[str, ...] = get_args(Incentive)
INNOVATIONS: tuple[str, ...] = get_args(InnovationMode)
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Population(_Section):
    """Who lives in the simulated world."""

    citizens: int = Field(2000, ge=10, le=10_000_000)
    businesses: int = Field(40, ge=0, le=100_000)
    community_organisations: int = Field(8, ge=0, le=10_000)
    municipalities: int = Field(1, ge=1, le=500)
    neighbourhoods: int = Field(8, ge=1, le=1_000, description="per municipality")
    ses_segregation: float = Field(
        0.5, ge=0.0, le=1.0, description="spread of neighbourhood mean socio-economic status"
    )
    municipality_diversity: float = Field(
        0.0, ge=0.0, le=1.0, description="spread of municipalities' mean socio-economic status"
    )
    # a table of real neighbourhoods (coprod.model.places); a path relative to the scenario
    # file, an absolute one, or the name of a shipped example such as "libpysal:columbus"
    places: str | None = Field(None, min_length=1, max_length=4096)
    residents_per_agent: float | None = Field(None, gt=0.0, le=1e9)
    place_ties: PlaceTies = "contiguity"
    place_distance: float = Field(1000.0, gt=0.0, le=1e7, description="metres")
    nearby_ties: float = Field(0.6, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _enough_residents(self) -> Population:
        if self.places is not None:
            return self  # the places table sets citizens per neighbourhood (at least one)
        hoods = self.municipalities * self.neighbourhoods
        if self.citizens < 5 * hoods:
            raise ValueError(
                f"citizens = {self.citizens} is too few for {hoods} neighbourhoods "
                f"(municipalities x neighbourhoods); at least 5 per neighbourhood are needed"
            )
        return self


class Services(_Section):
    """Service domains and the co-production function that produces them."""

    domains: list[str] = Field(
        default_factory=lambda: ["public_space", "care", "mobility"], min_length=1, max_length=20
    )
    substitution: float = Field(0.5, ge=-5.0, le=0.95)
    coproducer_weight: float = Field(0.35, ge=0.0, le=1.0)
    baseline_effort: float = Field(0.3, ge=0.0, le=5.0)

    @field_validator("domains")
    @classmethod
    def _unique_names(cls, domains: list[str]) -> list[str]:
        if len(set(domains)) != len(domains):
            raise ValueError("domain names must be unique")
        for name in domains:
            if not name.isidentifier():
                raise ValueError(f"domain name {name!r} must be a plain identifier like 'care'")
        return domains


class Governance(_Section):
    """The governance rules a policy maker chooses."""

    paradigm: Paradigm = "coproduction"
    ict_role: IctRole = "instrumental"
    offline_channel: bool = True
    human_review: Fraction = 0.0
    appeals: bool = False
    inclusion_outreach: Fraction = 0.0
    incentives: Incentive = "none"
    capacity: float = Field(1.0, gt=0.0, le=20.0)
    budget: float = Field(1.0, gt=0.0, le=10.0)
    innovation: InnovationMode = "none"


class Platform(_Section):
    """SocialGov platform features (Wimmer & Scherer 2018); they act where a platform exists."""

    open_data: bool = False
    open_services: bool = False
    open_processes: bool = False
    personalisation: bool = False


class Behaviour(_Section):
    """Citizens' decision, diffusion and learning parameters (calibration in docs/ODD.md)."""

    participation_base: float = Field(-5.5, ge=-20.0, le=20.0)
    weight_motivation: float = Field(4.0, ge=0.0, le=20.0)
    weight_efficacy: float = Field(1.4, ge=0.0, le=20.0)
    weight_trust: float = Field(1.0, ge=0.0, le=20.0)
    weight_need: float = Field(1.6, ge=0.0, le=20.0)
    weight_peers: float = Field(1.5, ge=0.0, le=20.0)
    weight_cost: float = Field(2.4, ge=0.0, le=20.0)
    weight_habit: float = Field(1.5, ge=0.0, le=20.0)
    adoption_innovation: float = Field(0.0001, ge=0.0, le=1.0)
    adoption_imitation: float = Field(0.2, ge=0.0, le=1.0)
    learning_rate: float = Field(0.08, ge=0.0, le=1.0)
    crowding_out: float = Field(0.03, ge=0.0, le=1.0)
    trust_asymmetry: float = Field(1.5, ge=0.0, le=10.0)
    trust_reference_drift: float = Field(0.005, ge=0.0, le=1.0)
    trust_social_influence: float = Field(0.02, ge=0.0, le=1.0)


class Administration(_Section):
    """How an administration handles inputs and decides; shares and delays per month."""

    target_delay: int = Field(1, ge=0, le=24)
    expiry: int = Field(4, ge=1, le=60)
    algorithm_error: Fraction = 0.12
    professional_bias: float = Field(0.1, ge=-1.0, le=1.0)
    staff_per_capita: float = Field(0.1, gt=0.0, le=1.0)
    call_months: int = Field(
        2, ge=1, le=12, description="months a year the call for proposals is open"
    )


class InnovationProcess(_Section):
    """How municipalities try, evaluate and spread innovations (Evers & Ewert 2021)."""

    innovations: list[str] = Field(
        default_factory=lambda: [
            "personalised_platform",
            "open_government",
            "inclusion_outreach",
            "coproduction_programme",
            "recognition_scheme",
            "algorithmic_allocation",
            "digital_by_default",
        ],
        min_length=1,
    )
    peer_ties: int = Field(2, ge=1, le=50)
    experiment_rate: Fraction = 0.08
    trial_months: int = Field(12, ge=2, le=120)
    evaluation_window: int = Field(6, ge=1, le=60)
    evaluation_noise: float = Field(0.005, ge=0.0, le=1.0)
    pilot_municipalities: int = Field(3, ge=1, le=500)
    pilot_months: int = Field(24, ge=2, le=240)
    evaluation_delay: int = Field(6, ge=0, le=120)
    central_noise: float = Field(0.01, ge=0.0, le=1.0)
    # several pilots run at once, each in its own group of municipalities (see docs/ODD.md 7.13)
    pilot_groups: int = Field(3, ge=1, le=100)
    # a pilot municipality may keep a practice its own pilot found helpful when it is not scaled
    pilots_may_keep: bool = True
    # judge each adoption against a same-seed branch without it (costs 2 x FIT_MONTHS steps)
    counterfactual_fit: bool = False
    # branch pairs per judgement, each pair on its own random stream (docs/ODD.md 7.13)
    counterfactual_replicates: int = Field(1, ge=1, le=100)
    # a local keep-or-drop decision pools the place's own evaluation with its peers' (7.13)
    peer_review: bool = True

    @field_validator("innovations")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        from coprod.model.innovation import CATALOGUE

        for name in names:
            if name not in CATALOGUE:
                raise ValueError(f"unknown innovation {name!r}; known: {', '.join(CATALOGUE)}")
        if len(set(names)) != len(names):
            raise ValueError("innovation names must be unique")
        return names


class Event(_Section):
    """A timed shock: at ``step`` an event of ``kind`` and ``size`` happens."""

    step: int = Field(ge=1, le=100_000)
    kind: EventKind
    size: float = Field(0.3, ge=0.0, le=1.0)
    duration: int | None = Field(None, ge=1, le=100_000)


class Scenario(BaseModel):
    """A complete, validated scenario.

    Load one with :meth:`Scenario.load` (a name from ``scenarios/`` or a path to a TOML file) and
    derive variants with :meth:`with_overrides`. A scenario is immutable: ``with_overrides``
    returns a new one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str = "default"
    description: str = ""
    rationale: str = ""
    steps: int = Field(120, ge=1, le=100_000)
    seed: int | None = Field(None, ge=0, le=4_294_967_295)
    """Root seed used when none is given (a run folder's ``scenario.toml`` records its own)."""
    population: Population = Field(default_factory=Population)
    services: Services = Field(default_factory=Services)
    governance: Governance = Field(default_factory=Governance)
    platform: Platform = Field(default_factory=Platform)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    administration: Administration = Field(default_factory=Administration)
    innovation_process: InnovationProcess = Field(default_factory=InnovationProcess)
    events: list[Event] = Field(default_factory=list)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "scenario") -> Scenario:
        """Validate a nested dict (as read from TOML) into a scenario."""
        if not isinstance(data, dict):
            raise ScenarioError(f"{source}: a scenario must be a table of keys, got {data!r}")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(_explain(exc, data, source)) from None

    @classmethod
    def load(cls, name_or_path: str | Path) -> Scenario:
        """Load a named scenario shipped with coprod, or a TOML file by path."""
        path = _resolve(name_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(f"cannot read scenario file {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise ScenarioError(f"{path}: not a UTF-8 text file") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
        except RecursionError:
            raise ScenarioError(f"{path}: values are nested too deeply to be a scenario") from None
        data.setdefault("name", path.stem)
        _resolve_places(data, path.parent)
        return cls.from_dict(data, source=str(path))

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """Return a new scenario with dotted keys replaced, e.g. ``{"governance.budget": 0.7}``."""
        data = {**self.to_dict(), "seed": self.seed}  # to_dict leaves out a seed of None
        for key in ("places", "residents_per_agent"):  # and these when they are unset
            data["population"].setdefault(key, None)
        for dotted, value in overrides.items():
            _set_dotted(data, str(dotted), value)
        if "population.places" in overrides:
            _resolve_places(data, Path.cwd())  # a path given on the command line
        return Scenario.from_dict(data, source="override")

    def to_dict(self) -> dict[str, Any]:
        """Return the full scenario, every key resolved, as plain TOML-compatible data."""
        data = self.model_dump(mode="python")
        for event in data["events"]:
            if event["duration"] is None:
                del event["duration"]
        for key in ("places", "residents_per_agent"):  # TOML has no None: left out when unset
            if data["population"][key] is None:
                del data["population"][key]
        if data["seed"] is None:
            del data["seed"]
        return data

    def to_toml(self) -> str:
        """Serialise the fully resolved scenario as TOML text (loadable by :meth:`load`)."""
        return dumps_toml(self.to_dict())


# ---------------------------------------------------------------------- helpers
def scenario_names() -> list[str]:
    """Names of the scenarios shipped with coprod, sorted."""
    folder = resources.files("coprod.scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _resolve(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    candidate = Path(text)
    if text.endswith(".toml") or candidate.parent != Path(".") or candidate.exists():
        if not candidate.is_file():
            raise ScenarioError(f"scenario file not found: {candidate}")
        return candidate
    shipped = resources.files("coprod.scenarios").joinpath(f"{text}.toml")
    if not shipped.is_file():
        names = ", ".join(scenario_names())
        raise ScenarioError(f"unknown scenario {text!r}; known scenarios: {names}")
    return Path(str(shipped))


def _resolve_places(data: dict[str, Any], base: Path) -> None:
    """Make a relative ``population.places`` path absolute, relative to ``base``."""
    population = data.get("population")
    if isinstance(population, dict) and isinstance(population.get("places"), str):
        from coprod.model.places import resolve_path

        if population["places"].strip():
            population["places"] = resolve_path(population["places"], base)


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        if not isinstance(node, dict) or part not in node or not isinstance(node[part], dict):
            where = ".".join(parts[: i + 1])
            raise ScenarioError(f"unknown key {where!r} in override {dotted!r}; {_allowed(node)}")
        node = node[part]
    leaf = parts[-1]
    if leaf not in node:
        raise ScenarioError(f"unknown key {dotted!r}; {_allowed(node)}")
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()  # NumPy scalars from sweeps become plain Python values
    node[leaf] = copy.deepcopy(value)


def _allowed(node: Any) -> str:
    if isinstance(node, dict):
        return "allowed keys here: " + ", ".join(sorted(node))
    return "this key has no sub-keys"


def _explain(exc: ValidationError, data: dict[str, Any], source: str) -> str:
    """Turn pydantic's error list into one sentence per problem: key, value, what is allowed."""
    problems = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            parent = _lookup(Scenario, err["loc"][:-1])
            allowed = ", ".join(sorted(parent)) if parent else "none"
            problems.append(f"unknown key {key!r} (allowed: {allowed})")
            continue
        value = err.get("input")
        rule = _rule(err)
        problems.append(f"{key} = {value!r} is not allowed: {rule}")
    return f"{source}: " + "; ".join(problems)


def _rule(err: Any) -> str:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return err["msg"].lower()
    if kind == "literal_error":
        return "must be one of " + str(ctx.get("expected", "")).replace("'", '"')
    if kind == "missing":
        return "this key is required"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"].lower()


def _lookup(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The field names allowed at a location of the scenario schema."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return None
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        current = args[0] if args and hasattr(args[0], "model_fields") else annotation
    return list(current.model_fields) if hasattr(current, "model_fields") else None


def dumps_toml(data: dict[str, Any]) -> str:
    """Write a nested dict of plain values as TOML (tables, arrays of tables, scalars, lists).

    Written by tomli_w, so every string (control characters included) reads back as written.
    """
    import tomli_w

    return tomli_w.dumps(data)
