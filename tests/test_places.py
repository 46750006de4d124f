"""Real places: tables of neighbourhoods as input, geography in the network, per-place results."""

from __future__ import annotations

import importlib.util
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from coprod import CoProductionModel, Scenario, run_scenario
from coprod.model import places as places_mod
from coprod.model.measure_registry import PLACE_MEASURES
from coprod.model.places import PlacesError, largest_remainder, read_places
from helpers import cli_error, coprod

FIVE = """name,municipality,residents,median_income,share_65_plus,digital_skills,area_km2
North,Town,12000,52000,0.15,0.8,3.1
South,Town,8000,31000,0.25,0.6,2.0
East,Town,5000,44000,0.10,0.9,1.2
West,Town,3000,27000,0.30,0.5,0.8
Centre,Town,2000,61000,0.20,0.85,0.5
"""
RESIDENTS = np.array([12000, 8000, 5000, 3000, 2000])


@pytest.fixture
def five(tmp_path):
    path = tmp_path / "five.csv"
    path.write_text(FIVE)
    return path


def with_places(path, **overrides) -> Scenario:
    changes = {"population.places": str(path), **overrides}
    return Scenario.load("socialgov").with_overrides(changes)


# ---------------------------------------------------------------------- citizens per place
def test_largest_remainder_keeps_the_total_and_stays_within_one_of_the_quota():
    rng = np.random.default_rng(3)
    for _ in range(200):
        weights = rng.random(rng.integers(1, 40)) * 1000
        total = int(rng.integers(1, 5000))
        parts = largest_remainder(weights, total)
        quota = weights * total / weights.sum()
        assert parts.sum() == total
        assert np.all(np.abs(parts - quota) < 1)


def test_five_neighbourhoods_run_from_the_command_line_in_proportion(five, tmp_path):
    out = tmp_path / "run"
    result = coprod(
        "run", "socialgov", "--steps", "6", "--set", f"population.places={five}", "--out", out
    )
    assert result.returncode == 0, result.stderr
    assert "columns ignored: area_km2" in result.stderr  # the note on the extra column
    frame = pd.read_parquet(out / "places.parquet")
    assert sorted(frame["name"].unique()) == sorted(["North", "South", "East", "West", "Centre"])
    assert len(frame) == 7 * 5  # every month (0..6) and every neighbourhood
    assert set(PLACE_MEASURES) <= set(frame.columns)
    assert (out / "places.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    recorded = Scenario.load(out / "scenario.toml")
    assert recorded.population.places == str(five)  # absolute, so the folder re-runs
    model = CoProductionModel(recorded, seed=0)
    counts = np.bincount(model.citizens.hood)
    quota = RESIDENTS * 2000 / RESIDENTS.sum()
    assert counts.sum() == 2000
    assert np.all(np.abs(counts - quota) < 1)


def test_residents_per_agent_sets_the_number_of_citizens(five):
    model = CoProductionModel(with_places(five, **{"population.residents_per_agent": 10}), seed=1)
    counts = np.bincount(model.citizens.hood)
    assert counts.tolist() == (RESIDENTS // 10).tolist()
    assert model.scenario.population.citizens == 3000
    assert len(model.citizens) == 3000


def test_a_relative_path_is_relative_to_the_scenario_file(five, tmp_path):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "mine.toml").write_text('[population]\nplaces = "../five.csv"\n')
    loaded = Scenario.load(folder / "mine.toml")
    assert loaded.population.places == str(five)


def test_municipalities_and_neighbourhoods_come_from_the_table(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text(
        "name,municipality,residents\na,Upton,100\nb,Downton,300\nc,Upton,100\nd,Downton,100\n"
    )
    model = CoProductionModel(with_places(path, **{"population.citizens": 600}), seed=2)
    assert model.scenario.population.municipalities == 2
    assert model.places.municipalities == ("Upton", "Downton")
    assert model.place_names == ["a", "c", "b", "d"]  # grouped by municipality, table order
    assert model.hoods.municipality.tolist() == [0, 0, 1, 1]
    assert np.bincount(model.citizens.hood).tolist() == [100, 100, 300, 100]
    assert model.administrations.population.tolist() == [200, 400]


def test_status_comes_from_income_ranks(five):
    model = CoProductionModel(with_places(five), seed=3)
    income = np.array([52000, 31000, 44000, 27000, 61000])
    assert np.argsort(model.hoods.ses_mean).tolist() == np.argsort(income).tolist()
    seg = model.scenario.population.ses_segregation
    assert model.hoods.ses_mean.min() == pytest.approx(0.5 - 0.4 * seg)
    assert model.hoods.ses_mean.max() == pytest.approx(0.5 + 0.4 * seg)


def test_ages_and_digital_skills_follow_the_table(tmp_path):
    path = tmp_path / "ages.csv"
    path.write_text(
        "name,municipality,residents,share_65_plus,digital_skills\n"
        "young,T,1,0.05,0.95\nold,T,1,0.45,0.40\n"
    )
    model = CoProductionModel(with_places(path, **{"population.citizens": 20000}), seed=4)
    c = model.citizens
    old = np.bincount(c.hood, weights=c.age >= 65) / np.bincount(c.hood)
    skilled = np.bincount(c.hood, weights=c.literacy >= 0.5) / np.bincount(c.hood)
    assert old == pytest.approx([0.05, 0.45], abs=0.015)  # in expectation; 10,000 each
    assert skilled == pytest.approx([0.95, 0.40], abs=1e-3)  # exactly, up to rounding
    assert c.age.min() >= 18 and c.age.max() <= 90


def test_the_stylised_town_has_per_place_results_too():
    result = run_scenario(Scenario.load("socialgov").with_overrides(
        {"population.citizens": 400}), steps=3, seed=1)  # fmt: skip
    frame = result.place_vars
    assert len(frame) == 4 * 8
    assert frame["name"].astype(str).iloc[:8].tolist() == [f"m0-n{j}" for j in range(8)]
    assert result.places is None


def test_place_measures_equal_a_group_by_of_the_citizens(five):
    model = CoProductionModel(with_places(five, **{"population.citizens": 1000}), seed=5)
    for _ in range(8):
        model.step()
    last = model.place_vars.query("step == 8").set_index("place")
    citizens = model.citizen_frame()
    citizens["participated"] = model.citizens.participated
    by = citizens.groupby("hood")
    assert last["participation_rate"].to_numpy() == pytest.approx(by["participated"].mean())
    assert last["adoption"].to_numpy() == pytest.approx(by["adopted"].mean())
    assert last["trust"].to_numpy() == pytest.approx(by["trust"].mean())
    assert last["effectiveness"].to_numpy() == pytest.approx(by["met"].mean())
    assert (last["burden"] >= 0).all() and last["burden"].sum() > 0


# ---------------------------------------------------------------------- bad tables
BAD = {
    "missing column": ("name,municipality\nA,T\n", ["column 'residents' is missing"]),
    "negative": ("name,municipality,residents\nA,T,10\nB,T,-5\n", ["row 2", "residents", "-5"]),
    "non-numeric": ("name,municipality,residents\nA,T,ten\n", ["row 1", "residents", "'ten'"]),
    "empty value": ("name,municipality,residents\nA,T,\n", ["row 1", "residents", "empty"]),
    "empty table": ("name,municipality,residents\n", ["empty"]),
    "no bytes": ("", ["empty"]),
    "share above 1": (
        "name,municipality,residents,share_65_plus\nA,T,10,1.5\n",
        ["row 1", "share_65_plus", "between 0 and 1"],
    ),
    "too small": (
        "name,municipality,residents\nBig,T,1000000\nTiny,T,1\n",
        ["row 2", "Tiny", "residents", "too small for one agent"],
    ),
    "duplicate": ("name,municipality,residents\nA,T,10\nA,T,20\n", ["row 2", "name", "twice"]),
    "empty name": ("name,municipality,residents\n,T,10\n", ["row 1", "name", "empty"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_table_gives_one_line_naming_file_row_and_column(case, tmp_path, capsys):
    text, words = BAD[case]
    path = tmp_path / "bad.csv"
    path.write_text(text)
    out = tmp_path / "out"
    status, lines = cli_error(
        capsys, "run", "socialgov", "--steps", "2", "--set", f"population.places={path}",
        "--out", out,
    )  # fmt: skip
    assert status == 2
    assert len(lines) == 1, lines
    assert str(path) in lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    assert not out.exists()  # refused before anything ran


def test_an_unreadable_file_and_an_unknown_kind_are_refused(tmp_path, capsys):
    status, lines = cli_error(
        capsys, "run", "socialgov", "--set", f"population.places={tmp_path / 'nope.csv'}"
    )
    assert status == 2 and len(lines) == 1 and "nope.csv" in lines[0] and "cannot read" in lines[0]
    other = tmp_path / "places.xlsx"
    other.write_bytes(b"PK\x03\x04")
    status, lines = cli_error(capsys, "run", "socialgov", "--set", f"population.places={other}")
    assert status == 2 and len(lines) == 1 and ".xlsx" in lines[0] and ".csv" in lines[0]
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 100)
    status, lines = cli_error(capsys, "run", "socialgov", "--set", f"population.places={binary}")
    assert status == 2 and len(lines) == 1 and "binary.csv" in lines[0]


def test_too_many_or_too_few_citizens_are_refused(five):
    with pytest.raises(PlacesError, match="at most 10000000"):
        places_mod.places_for(with_places(five, **{"population.residents_per_agent": 0.001}))
    with pytest.raises(PlacesError, match="at least 10"):
        places_mod.places_for(with_places(five, **{"population.residents_per_agent": 10_000}))


def test_a_table_is_read_once_per_version(five):
    first = read_places(str(five))
    assert read_places(str(five)) is first
    five.write_text(FIVE.replace("12000", "12001"))
    assert read_places(str(five)) is not first


# ---------------------------------------------------------------------- geometry
needs_geo = pytest.mark.skipif(
    importlib.util.find_spec("geopandas") is None or importlib.util.find_spec("libpysal") is None,
    reason="the geo extra is not installed",
)


def columbus_csv(tmp_path):
    """Columbus's table without its geometry: the same places, no geography."""
    table = read_places("libpysal:columbus").frame
    path = tmp_path / "columbus.csv"
    table.to_csv(path, index=False)
    return path


@needs_geo
def test_a_geopackage_without_a_crs_is_refused(tmp_path, capsys):
    import geopandas
    from shapely.geometry import box

    frame = geopandas.GeoDataFrame(
        {"name": ["a", "b"], "municipality": ["T", "T"], "residents": [10, 20]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs=None,
    )
    path = tmp_path / "nocrs.gpkg"
    with warnings.catch_warnings():  # pyogrio warns that the file will have no CRS: the point
        warnings.simplefilter("ignore", UserWarning)
        frame.to_file(path)
    status, lines = cli_error(capsys, "run", "socialgov", "--set", f"population.places={path}")
    assert status == 2 and len(lines) == 1
    assert str(path) in lines[0] and "geometry" in lines[0] and "CRS" in lines[0]


@needs_geo
def test_a_geojson_table_runs_with_its_geometry(tmp_path):
    import geopandas
    from shapely.geometry import box

    frame = geopandas.GeoDataFrame(
        {
            "name": list("abcd"),
            "municipality": ["T", "T", "U", "U"],
            "residents": [100, 200, 300, 400],
            "ses": [0.1, 0.4, 0.6, 0.9],
        },  # fmt: skip
        geometry=[box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(4)],
        crs="EPSG:28992",
    )
    path = tmp_path / "strip.geojson"
    frame.to_file(path, driver="GeoJSON")
    result = run_scenario(with_places(path, **{"population.citizens": 500}), steps=2, seed=1)
    assert result.places.geometry is not None
    assert result.places.geometry.crs.to_epsg() == 28992
    assert result.place_vars["place"].nunique() == 4


def test_without_the_geo_extra_geometry_fails_naming_the_extra(monkeypatch, tmp_path):
    places_mod._columbus.cache_clear()
    monkeypatch.setitem(sys.modules, "geopandas", None)
    with pytest.raises(PlacesError, match=r"geo extra.*coprod\[geo\]"):
        read_places("libpysal:columbus")
    path = tmp_path / "x.geojson"
    path.write_text("{}")
    with pytest.raises(PlacesError, match="geo extra"):
        read_places(str(path))
    monkeypatch.undo()
    places_mod._columbus.cache_clear()


@needs_geo
def test_the_columbus_scenario_runs_offline(tmp_path):
    out = tmp_path / "columbus"
    result = coprod("run", "columbus_socialgov", "--steps", "3", "--out", out)
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(out / "places.parquet")
    assert frame["name"].nunique() == 49
    assert (out / "places.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    scenario = Scenario.load("columbus_socialgov")
    assert "Anselin 1988" in scenario.rationale and "BSD" in scenario.rationale


def adjacent_share(model: CoProductionModel) -> float:
    """Share of the ties between different neighbourhoods that join Queen-adjacent ones."""
    from libpysal.graph import Graph

    geometry = read_places("libpysal:columbus").geometry
    touching = Graph.build_contiguity(geometry, rook=False).sparse.tocsr()
    coo = model.adjacency.tocoo()
    hood = model.citizens.hood
    a, b = hood[coo.row], hood[coo.col]
    across = a != b
    return float(np.asarray(touching[a[across], b[across]]).ravel().astype(bool).mean())


@needs_geo
def test_ties_lean_towards_adjacent_neighbourhoods_with_geometry(tmp_path):
    plain = Scenario.load("columbus_socialgov").with_overrides({"population.citizens": 4900})
    without = plain.with_overrides({"population.places": str(columbus_csv(tmp_path))})
    seeds = range(6)
    geo = np.array([adjacent_share(CoProductionModel(plain, seed=s)) for s in seeds])
    flat = np.array([adjacent_share(CoProductionModel(without, seed=s)) for s in seeds])
    # without geography a tie across neighbourhoods lands on one of about 5 neighbours out of
    # 48 (about 0.1); with it, 60% of them go to a neighbour: about 0.6 + 0.4 * 0.1
    assert flat.max() < 0.2
    assert geo.min() > 0.5
    assert geo.mean() - flat.mean() > 0.3


@needs_geo
def test_distance_ties_need_a_crs():
    scenario = Scenario.load("columbus_socialgov").with_overrides(
        {"population.place_ties": "distance"}
    )
    with pytest.raises(PlacesError, match="CRS"):
        CoProductionModel(scenario, seed=0)


# ---------------------------------------------------------------------- compare by place
def test_compare_by_place_compares_every_neighbourhood(five, tmp_path):
    out = tmp_path / "cmp"
    result = coprod(
        "compare", "socialgov", "coproduction", "--by-place", "--replicates", "2",
        "--steps", "4", "--scheduler", "serial", "--no-progress",
        "--set", f"population.places={five}", "--set", "population.citizens=500", "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    stats = pd.read_csv(out / "places.csv")
    assert set(stats["name"]) == {"North", "South", "East", "West", "Centre"}
    assert len(stats) == 2 * 5 * len(PLACE_MEASURES)
    assert stats.query("scenario == 'coproduction'")["diff"].notna().all()
    assert "participation by place" in result.stdout
    assert (out / "places.md").exists() and (out / "place_runs.parquet").exists()


def test_compare_by_place_needs_places(capsys):
    status, lines = cli_error(
        capsys, "compare", "socialgov", "coproduction", "--by-place", "--replicates", "2"
    )
    assert status == 2 and len(lines) == 1 and "population.places" in lines[0]


@needs_geo
def test_a_distance_band_links_places_within_the_distance(tmp_path):
    import geopandas
    from shapely.geometry import box

    frame = geopandas.GeoDataFrame(
        {"name": list("abcd"), "municipality": "T", "residents": 100},
        geometry=[box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(4)],
        crs="EPSG:28992",  # metres
    )
    path = tmp_path / "strip.gpkg"
    frame.to_file(path)
    scenario = with_places(path, **{"population.citizens": 400})
    places = places_mod.places_for(scenario)
    near = places_mod.neighbours(places, "distance", 1100.0).toarray() > 0
    chain = np.eye(4, k=1, dtype=bool) | np.eye(4, k=-1, dtype=bool)
    assert (near == chain).all()  # centroids 1,000 m apart: only the next ones
    wide = places_mod.neighbours(places, "distance", 2100.0).toarray() > 0
    assert wide[0, 2] and not wide[0, 3]
    # every tie across neighbourhoods then joins neighbouring strips
    model = CoProductionModel(
        scenario.with_overrides({"population.place_ties": "distance",
                                 "population.place_distance": 1100.0,
                                 "population.nearby_ties": 1.0}), seed=3)  # fmt: skip
    coo = model.adjacency.tocoo()
    a, b = model.citizens.hood[coo.row], model.citizens.hood[coo.col]
    assert (a != b).any() and (np.abs(a - b)[a != b] == 1).all()
