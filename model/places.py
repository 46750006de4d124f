"""Real places: a table of neighbourhoods that sets who lives where (``population.places``).

A places table has one row per neighbourhood with its ``name``, ``municipality`` and
``residents`` (required) and, optionally, its socio-economic ``ses`` rank (0..1) or
``median_income`` (turned into a rank), ``share_65_plus`` and ``digital_skills`` (share with at
least basic digital skills). It is a CSV file (base install), a GeoJSON or GeoPackage file with
geometry (the ``geo`` extra: geopandas, libpysal, pyogrio), or ``libpysal:columbus``, the 49
neighbourhoods of Columbus, Ohio (1980) that libpysal ships (see :data:`EXAMPLES`).

Citizens are created per neighbourhood in proportion to ``residents``: ``population.citizens``
in total, or one per ``population.residents_per_agent`` residents, rounded by the largest
remainder so that the total is kept. Neighbourhoods are ordered by municipality (in the order
municipalities first appear) and then as in the table, so that every municipality and every
neighbourhood is a contiguous block of citizens, as :mod:`coprod.model.world` needs.

Every problem with a table is a :class:`PlacesError` whose one-line message names the file,
the row (1 = the first neighbourhood) and the column. A table is read once per file version
(path, size and modification time), however many models are built from it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from coprod.model.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from coprod.model.scenario import Scenario

#: Columns a places table must have.
REQUIRED = ("name", "municipality", "residents")
#: Columns a places table may have (what they do: docs/ODD.md, "Your place").
OPTIONAL = ("ses", "median_income", "share_65_plus", "digital_skills")
#: Optional columns that are shares or ranks, between 0 and 1.
FRACTIONS = ("ses", "share_65_plus", "digital_skills")
#: File name endings read as tables without geometry, and with it.
CSV_SUFFIXES = (".csv",)
GEO_SUFFIXES = (".geojson", ".json", ".gpkg")
#: Places that a package on the registry ships, by the name a scenario gives them.
EXAMPLES = ("libpysal:columbus",)
#: The fewest and most citizens a run may have (as ``population.citizens`` allows).
MIN_CITIZENS = 10
MAX_CITIZENS = 10_000_000
#: The most neighbourhoods per municipality, and municipalities (as the scenario allows).
MAX_PER_MUNICIPALITY = 1_000
MAX_MUNICIPALITIES = 500
#: What to install for places with geometry.
GEO_EXTRA = "pip install 'coprod[geo]' (geopandas, libpysal, pyogrio)"


class PlacesError(ScenarioError):
    """A places table cannot be used; the message names the file, row and column."""


@dataclass(frozen=True)
class PlaceTable:
    """A validated places table, as read: one row per neighbourhood, in model order.

    Attributes:
        source: The file (absolute) or example name the table came from.
        frame: ``name``, ``municipality`` and ``residents`` and the optional columns given,
            neighbourhoods grouped by municipality (in order of first appearance).
        geometry: The neighbourhoods' shapes (a GeoPandas GeoSeries in the same order), or
            None for a table without geometry.
        rows: Each neighbourhood's row in the file (1 = the first), for messages.
        notes: What was ignored, one sentence each (columns the model does not use).
    """

    source: str
    frame: pd.DataFrame
    rows: np.ndarray  # each neighbourhood's row in the file (1 = the first)
    geometry: Any = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Places:
    """The neighbourhoods of one model: the table and how many citizens each one has.

    Kept beside the model (``CoProductionModel.places``), never per agent: ``frame`` has one row
    per neighbourhood (index = the neighbourhood's index in the model), ``geometry`` its shape.
    """

    table: PlaceTable
    agents: np.ndarray  # int64, citizens per neighbourhood
    municipality: np.ndarray  # int32, municipality index per neighbourhood
    municipalities: tuple[str, ...]  # municipality names, by index

    @property
    def frame(self) -> pd.DataFrame:
        """The table with ``place`` (index), ``municipality_index`` and ``agents`` columns."""
        frame = self.table.frame.copy()
        frame.insert(0, "place", np.arange(len(frame)))
        frame.insert(3, "municipality_index", self.municipality)
        frame["agents"] = self.agents
        return frame

    @property
    def geometry(self) -> Any:
        """The neighbourhoods' shapes (GeoSeries, same order), or None."""
        return self.table.geometry

    @property
    def names(self) -> list[str]:
        """The neighbourhoods' names, by index."""
        return self.table.frame["name"].tolist()

    def column(self, name: str) -> np.ndarray | None:
        """An optional column as floats, or None if the table does not have it."""
        frame = self.table.frame
        return frame[name].to_numpy(dtype=float) if name in frame.columns else None


# ---------------------------------------------------------------------- reading
def resolve_path(value: str, base: Path) -> str:
    """``value`` as a scenario stores it: an example name as is, a path made absolute."""
    if value in EXAMPLES or value.startswith("libpysal:"):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def read_places(source: str) -> PlaceTable:
    """Read and check a places table (a file path or an example name).

    Raises:
        PlacesError: the file cannot be read, or a column is missing, empty or out of range.
    """
    if source.startswith("libpysal:"):
        return _example(source)
    path = Path(source)
    try:
        stat = path.stat()
    except OSError as exc:
        raise PlacesError(
            f"population.places = {source!r}: cannot read the file ({exc.strerror})"
        ) from None
    return _read_file(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _read_file(source: str, size: int, mtime: int) -> PlaceTable:
    """The checked table of one version of a file (cached: ``size`` and ``mtime`` key it)."""
    suffix = Path(source).suffix.lower()
    geometry = None
    if suffix in CSV_SUFFIXES:
        try:
            raw = pd.read_csv(source, skipinitialspace=True)
        except pd.errors.EmptyDataError:
            raise PlacesError(
                f"{source}: the table is empty; give one row per neighbourhood"
            ) from None
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
            raise PlacesError(f"{source}: cannot read it as CSV ({_one_line(exc)})") from None
    elif suffix in GEO_SUFFIXES:
        gpd = _geopandas(source)
        try:
            data = gpd.read_file(source, engine="pyogrio")
        except Exception as exc:  # pyogrio's DataSourceError and friends
            raise PlacesError(
                f"{source}: cannot read it as GeoJSON/GeoPackage ({_one_line(exc)})"
            ) from None
        if len(data) and data.crs is None:
            raise PlacesError(
                f"{source}: column geometry: no coordinate reference system (CRS) is declared; "
                "save the file with its CRS (e.g. EPSG:4326 or the local projected one)"
            )
        geometry = data.geometry
        raw = pd.DataFrame(data.drop(columns=data.geometry.name))
    else:
        raise PlacesError(
            f"population.places = {source!r}: unknown kind of file {suffix or '(no ending)'!r}; "
            f"allowed: {', '.join(CSV_SUFFIXES + GEO_SUFFIXES)} or {', '.join(EXAMPLES)}"
        )
    return _check(source, raw, geometry)


def _geopandas(source: str) -> Any:
    try:
        import geopandas
        import libpysal  # noqa: F401  (the network needs it as soon as there is geometry)
        import pyogrio  # noqa: F401
    except ImportError as exc:
        raise PlacesError(
            f"population.places = {source!r}: places with geometry need the geo extra "
            f"({exc.name} is missing): {GEO_EXTRA}"
        ) from None
    return geopandas


def _example(source: str) -> PlaceTable:
    if source not in EXAMPLES:
        raise PlacesError(
            f"population.places = {source!r}: unknown example; known: {', '.join(EXAMPLES)}"
        )
    return _columbus()


@functools.lru_cache(maxsize=1)
def _columbus() -> PlaceTable:
    """Columbus, Ohio, 1980: 49 neighbourhoods with household income, as libpysal ships them.

    Anselin (1988), Spatial Econometrics, Table 12.1, in libpysal's bundled examples (BSD-3
    licence). The data have no population: every neighbourhood gets the same number of
    residents (*assumption*, docs/ODD.md). Coordinates are planar in arbitrary digitising units
    (no CRS), which contiguity ties do not need.
    """
    source = "libpysal:columbus"
    gpd = _geopandas(source)
    from libpysal import examples

    data = gpd.read_file(examples.get_path("columbus.shp"), engine="pyogrio")
    raw = pd.DataFrame(
        {
            "name": [f"Columbus {int(n)}" for n in data["NEIG"]],
            "municipality": "Columbus",
            "residents": 1000,
            "median_income": data["INC"].to_numpy(dtype=float),
        }
    )
    return _check(source, raw, data.geometry)


def _check(source: str, raw: pd.DataFrame, geometry: Any) -> PlaceTable:
    """Check the columns of a table as read; group its rows by municipality."""
    raw.columns = [str(c).strip() for c in raw.columns]
    if raw.empty:
        raise PlacesError(f"{source}: the table is empty; give one row per neighbourhood")
    frame, notes = _columns(source, raw)
    duplicated = frame.duplicated(["municipality", "name"])
    if duplicated.any():
        raise PlacesError(
            f"{source}: row {_row(raw, duplicated)}, column name: "
            f"{frame['name'][duplicated].iloc[0]!r} appears twice in its municipality; names "
            "must be unique within a municipality"
        )
    # municipalities in order of first appearance, neighbourhoods in table order within each
    codes, _ = pd.factorize(frame["municipality"])
    order = np.argsort(codes, kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)
    if geometry is not None:
        geometry = geometry.iloc[order].reset_index(drop=True)
        missing = geometry.isna() | geometry.is_empty
        if missing.any():
            raise PlacesError(
                f"{source}: row {int(order[np.flatnonzero(missing)[0]]) + 1}, column geometry: "
                "empty; every neighbourhood needs its shape"
            )
    _check_sizes(source, frame)
    return PlaceTable(
        source=source, frame=frame, rows=order + 1, geometry=geometry, notes=tuple(notes)
    )


def _columns(source: str, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The columns coprod uses, checked, with income turned into a rank; and the notes."""
    for column in REQUIRED:
        if column not in raw.columns:
            raise PlacesError(
                f"{source}: column {column!r} is missing (required: {', '.join(REQUIRED)}; "
                f"found: {', '.join(raw.columns)})"
            )
    frame = pd.DataFrame(index=raw.index)
    for column in ("name", "municipality"):
        values = raw[column]
        blank = values.isna() | (values.astype(str).str.strip() == "")
        if blank.any():
            raise PlacesError(f"{source}: row {_row(raw, blank)}, column {column}: empty")
        frame[column] = values.astype(str).str.strip()
    frame["residents"] = _numbers(source, raw, "residents")
    notes = []
    given = [c for c in OPTIONAL if c in raw.columns]
    if "ses" in given and "median_income" in given:
        notes.append(f"{source}: column median_income ignored: ses gives the status rank")
        given.remove("median_income")
    for column in given:
        frame[column] = _numbers(source, raw, column)
    if "median_income" in frame.columns:
        # status rank: 0 for the lowest income, 1 for the highest, ties share their mean rank
        n = len(frame)
        ranks = frame.pop("median_income").rank(method="average").to_numpy() - 1.0
        frame.insert(3, "ses", ranks / (n - 1) if n > 1 else np.full(n, 0.5))
    ignored = [c for c in raw.columns if c not in REQUIRED + OPTIONAL]
    if ignored:
        notes.append(f"{source}: columns ignored: {', '.join(ignored)}")
    return frame, notes


def _check_sizes(source: str, frame: pd.DataFrame) -> None:
    """Refuse more municipalities, or neighbourhoods in one, than a scenario allows."""
    counts = frame.groupby("municipality", sort=False).size()
    if len(counts) > MAX_MUNICIPALITIES:
        raise PlacesError(
            f"{source}: column municipality: {len(counts)} municipalities; at most "
            f"{MAX_MUNICIPALITIES} are allowed"
        )
    if counts.max() > MAX_PER_MUNICIPALITY:
        raise PlacesError(
            f"{source}: column municipality: {counts.idxmax()!r} has {counts.max()} "
            f"neighbourhoods; at most {MAX_PER_MUNICIPALITY} per municipality are allowed"
        )


def _numbers(source: str, raw: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats; empty, non-numeric, negative (or above 1 for shares) values refused."""
    values = raw[column]
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() | ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        row = _row(raw, bad)
        shown = values[bad].iloc[0]
        what = "empty" if pd.isna(shown) else f"{shown!r} is not a number"
        raise PlacesError(f"{source}: row {row}, column {column}: {what}")
    numbers = numbers.astype(float)
    top = 1.0 if column in FRACTIONS else np.inf
    out = (numbers < 0) | (numbers > top)
    if out.any():
        rule = "must be between 0 and 1" if column in FRACTIONS else "must be 0 or more"
        raise PlacesError(
            f"{source}: row {_row(raw, out)}, column {column} = {numbers[out].iloc[0]:g} is not "
            f"allowed: {rule}"
        )
    return numbers


def _row(raw: pd.DataFrame, mask: pd.Series) -> int:
    """The 1-based row number of the first true entry of ``mask``."""
    return int(np.flatnonzero(np.asarray(mask))[0]) + 1


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]


# ---------------------------------------------------------------------- citizens per place
def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """``total`` whole items split in proportion to ``weights``, keeping the total exactly.

    Each part gets the floor of its quota; the items left over go to the largest remainders
    (ties to the earlier part): the Hamilton method.
    """
    weights = np.asarray(weights, dtype=float)
    quota = weights * (total / weights.sum())
    parts = np.floor(quota).astype(np.int64)
    left = int(total - parts.sum())
    if left > 0:
        order = np.argsort(-(quota - parts), kind="stable")
        parts[order[:left]] += 1
    return parts


def places_for(scenario: Scenario) -> Places | None:
    """The places of ``scenario``'s ``population.places``, with citizens per neighbourhood.

    Returns None when the scenario has no places table.

    Raises:
        PlacesError: the table is bad, gives a neighbourhood too few residents for one agent,
            or gives more citizens than a run may have.
    """
    pop = scenario.population
    if pop.places is None:
        return None
    table = read_places(pop.places)
    residents = table.frame["residents"].to_numpy(dtype=float)
    total_residents = float(residents.sum())
    if total_residents <= 0:
        raise PlacesError(f"{table.source}: column residents: every row is 0; nobody lives here")
    if pop.residents_per_agent is not None:
        total = int(round(total_residents / pop.residents_per_agent))
        how = f"population.residents_per_agent = {pop.residents_per_agent:g}"
    else:
        total = pop.citizens
        how = f"population.citizens = {pop.citizens}"
    if total < MIN_CITIZENS:
        raise PlacesError(
            f"{table.source}: {total_residents:.0f} residents at {how} make {total} citizens; "
            f"at least {MIN_CITIZENS} are needed (lower population.residents_per_agent)"
        )
    if total > MAX_CITIZENS:
        raise PlacesError(
            f"{table.source}: {total_residents:.0f} residents at {how} make {total} citizens; "
            f"at most {MAX_CITIZENS} are allowed (raise population.residents_per_agent)"
        )
    agents = largest_remainder(residents, max(total, 1))
    empty = agents < 1
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        row = table.frame.iloc[i]
        raise PlacesError(
            f"{table.source}: row {table.rows[i]} ({row['name']}), column residents = "
            f"{row['residents']:g} is too small for one agent at {how} "
            f"({total_residents / max(total, 1):.4g} residents per agent); raise the number of "
            "citizens or merge the neighbourhood with another"
        )
    codes, names = pd.factorize(table.frame["municipality"])
    return Places(
        table=table,
        agents=agents,
        municipality=codes.astype(np.int32),
        municipalities=tuple(str(n) for n in names),
    )


def resolve(scenario: Scenario) -> Scenario:
    """``scenario`` with citizens, municipalities and neighbourhoods as its places make them.

    Without ``population.places`` the scenario is returned as it is. Checks the table before
    anything runs (the command line calls it when it loads a scenario).

    Raises:
        PlacesError: as :func:`places_for`.
    """
    places = places_for(scenario)
    if places is None:
        return scenario
    per_muni = np.bincount(places.municipality)
    changes = {
        "population.citizens": int(places.agents.sum()),
        "population.municipalities": len(places.municipalities),
        "population.neighbourhoods": int(per_muni.max()),
    }
    pop = scenario.population
    if all(getattr(pop, key.split(".")[1]) == value for key, value in changes.items()):
        return scenario
    return scenario.with_overrides(changes)


# ---------------------------------------------------------------------- geography
def neighbours(places: Places, form: str, distance: float) -> sp.csr_matrix | None:
    """Row-standardised weights between neighbourhoods from their geometry (libpysal).

    ``form`` ``"contiguity"``: Queen contiguity (sharing a border or a corner);
    ``"distance"``: centroids within ``distance`` metres (a binary distance band; a table in
    geographic coordinates is projected to its UTM zone first). Returns None without geometry.

    Raises:
        PlacesError: distance ties asked for on a table without a CRS.
    """
    geometry = places.geometry
    if geometry is None:
        return None
    from libpysal.graph import Graph

    if form == "contiguity":
        graph = Graph.build_contiguity(geometry.reset_index(drop=True), rook=False)
    else:
        if geometry.crs is None:
            raise PlacesError(
                f"{places.table.source}: population.place_ties = 'distance' needs a coordinate "
                "reference system (CRS) to measure metres; use 'contiguity'"
            )
        shapes = geometry.reset_index(drop=True)
        if shapes.crs.is_geographic:
            shapes = shapes.to_crs(shapes.estimate_utm_crs())
        graph = Graph.build_distance_band(shapes.centroid, distance, binary=True)
    weights = sp.csr_matrix(graph.transform("r").sparse)
    weights.eliminate_zeros()  # isolates carry a zero self-weight
    return weights
