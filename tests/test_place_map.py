"""The dashboard's map of real neighbourhoods (dashboard/place_map.py) and the view it replaces.

Drawing is checked on the SVG text (one path per neighbourhood, colours that follow the values,
one outline per municipality); the Columbus scenario is then opened in Debian's Chromium through
Playwright, as tests/test_dashboard.py does, and checked at the projector's 1280x720.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from coprod.dashboard import network_view as nv
from coprod.dashboard import place_map as pm
from coprod.dashboard.state import Workshop
from coprod.model.core import CoProductionModel
from coprod.model.measure_registry import PLACE_MEASURES
from coprod.model.scenario import Scenario

PATH = re.compile(r'<path class="place" data-place="(\d+)"[^>]* fill="([^"]+)"><title>([^<]*)')


def _places(html: str) -> list[tuple[int, str, str]]:
    return [(int(i), fill, title) for i, fill, title in PATH.findall(html)]


def _squares(tmp_path, crs: str = "EPSG:3857"):
    """Four unit squares in two municipalities (West: the left two, East: the right two)."""
    features = []
    for k, (x, y, muni) in enumerate(
        [(0, 0, "West"), (0, 1, "West"), (1, 0, "East"), (1, 1, "East")]
    ):
        ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": f"Square {k}", "municipality": muni, "residents": 100},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    crs_name = {"type": "name", "properties": {"name": crs}}
    path = tmp_path / "squares.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "crs": crs_name, "features": features})
    )
    return path


@pytest.fixture
def squares_model(tmp_path):
    pytest.importorskip("geopandas")
    path = _squares(tmp_path)
    scenario = Scenario.load("socialgov").with_overrides(
        {"population.places": str(path), "population.citizens": 200}
    )
    return CoProductionModel(scenario, seed=1)


@pytest.fixture(scope="module")
def columbus():
    pytest.importorskip("geopandas")
    scenario = Scenario.load("columbus_socialgov").with_overrides({"population.citizens": 980})
    return CoProductionModel(scenario, seed=0)


class _Month:
    """A model as the map reads it, with chosen values per neighbourhood."""

    def __init__(self, values: np.ndarray, steps: int = 1) -> None:
        self.place_measures_now = values
        self.steps = steps


# ---------------------------------------------------------------------- drawing
def test_columbus_has_one_path_per_neighbourhood_with_its_name(columbus):
    layout = pm.build_place_layout(columbus.places)
    html = pm.place_map_svg(columbus, layout, "participation")
    drawn = _places(html)
    assert [i for i, _, _ in drawn] == list(range(49))
    names = columbus.place_names
    assert [t.split(":")[0] for _, _, t in drawn] == names  # one municipality: name only
    assert 'data-places="49"' in html
    assert html.count('class="municipality-outline"') == 1
    # drawn inside the map's box: every coordinate within the width and the height
    numbers = np.array(re.findall(r"[ML]([\d.]+) ([\d.]+)", html), dtype=float)
    assert numbers[:, 0].min() >= 0 and numbers[:, 0].max() <= pm.WIDTH
    assert numbers[:, 1].min() >= 0 and numbers[:, 1].max() <= layout.height


def test_colours_follow_the_values_and_tooltips_say_them(squares_model):
    layout = pm.build_place_layout(squares_model.places)
    values = np.zeros((4, len(PLACE_MEASURES)))
    column = PLACE_MEASURES.index("adoption")
    values[:, column] = [0.0, 0.3, 0.6, 0.99]
    html = pm.place_map_svg(_Month(values), layout, "adoption")
    fills = [f for _, f, _ in _places(html)]
    palette = pm.BY_KEY["adoption"].palette
    assert fills[0] == palette[0] and fills[3] == palette[-1]
    assert len(set(fills)) == 4  # four values far apart, four colours
    assert [palette.index(f) for f in fills] == sorted(palette.index(f) for f in fills)
    titles = [t for _, _, t in _places(html)]
    assert titles[1] == "Square 1 (West): Use the digital channel 30%"

    values[:, column] = values[::-1, column]  # the same values, the other way round
    again = [f for _, f, _ in _places(pm.place_map_svg(_Month(values), layout, "adoption"))]
    assert again == fills[::-1]


def test_values_above_the_scale_take_the_top_colour_and_hours_are_hours(squares_model):
    layout = pm.build_place_layout(squares_model.places)
    values = np.zeros((4, len(PLACE_MEASURES)))
    values[:, PLACE_MEASURES.index("burden")] = [0.0, 0.5, 1.0, 7.5]
    html = pm.place_map_svg(_Month(values), layout, "burden")
    fills = [f for _, f, _ in _places(html)]
    top = pm.BY_KEY["burden"].palette[-1]
    assert fills[2] == fills[3] == top
    assert _places(html)[3][2].endswith("7.5 h")
    assert "1.0 h or more" in html  # the legend's top


def test_a_value_not_defined_is_grey_and_a_dash_not_the_lowest_colour(squares_model):
    # month 0: nothing has happened, the places' measures are NaN
    layout = pm.build_place_layout(squares_model.places)
    values = np.full((4, len(PLACE_MEASURES)), np.nan)
    values[1, PLACE_MEASURES.index("participation_rate")] = 0.0
    html = pm.place_map_svg(_Month(values), layout, "participation")
    fills = [f for _, f, _ in _places(html)]
    low = pm.BY_KEY["participation"].palette[0]
    assert fills == [pm.NOT_DEFINED, low, pm.NOT_DEFINED, pm.NOT_DEFINED]
    assert _places(html)[0][2].endswith("–") and "nan" not in html.lower()


def test_one_outline_per_municipality_around_its_neighbourhoods(squares_model):
    layout = pm.build_place_layout(squares_model.places)
    outlines = re.findall(
        r'class="municipality-outline" data-municipality="(\d)" d="([^"]+)"', layout.outlines
    )
    assert [m for m, _ in outlines] == ["0", "1"]
    for _, d in outlines:  # two squares dissolved into one rectangle: one ring, no inner line
        assert d.count("M") == 1
        xy = np.array(re.findall(r"([\d.]+) ([\d.]+)", d), dtype=float)
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        assert y1 - y0 == pytest.approx(2 * (x1 - x0), rel=0.01)  # a column of two squares
        on_edge = np.isclose(xy[:, 0], x0) | np.isclose(xy[:, 0], x1)
        on_edge |= np.isclose(xy[:, 1], y0) | np.isclose(xy[:, 1], y1)
        assert on_edge.all()
    # municipality names in the tooltips when there are several
    html = pm.place_map_svg(squares_model, layout)
    assert "Square 0 (West)" in html and "Square 2 (East)" in html
    assert "2 municipalities" in html


def test_geographic_coordinates_are_projected_keeping_proportions(tmp_path):
    pytest.importorskip("geopandas")
    path = _squares(tmp_path, crs="EPSG:4326")  # 2 x 2 degrees at the equator: about square
    scenario = Scenario.load("socialgov").with_overrides(
        {"population.places": str(path), "population.citizens": 200}
    )
    layout = pm.build_place_layout(CoProductionModel(scenario, seed=1).places)
    assert abs(layout.height - pm.WIDTH) / pm.WIDTH < 0.05


def test_each_month_changes_only_the_colours_and_tooltips(columbus):
    workshop = Workshop("columbus_socialgov")
    workshop.set_citizens(980)
    run = workshop.runs["A"]
    first = pm.map_view(run, "participation")
    layout = run.place_layout
    workshop.step(3)
    assert run.place_layout is layout  # built once per run
    later = pm.map_view(run, "participation")
    shapes = re.compile(r' d="([^"]+)"')
    assert shapes.findall(first) == shapes.findall(later)
    # month 0: nobody has had a month to take part in, so no place's value is defined yet
    assert {f for _, f, _ in _places(first)} == {pm.NOT_DEFINED}
    assert [f for _, f, _ in _places(later)] != [f for _, f, _ in _places(first)]
    assert 'data-month="3"' in later
    values = run.model.place_measures_now[:, 0]
    expected = pm.colours(pm.BY_KEY["participation"], values)
    assert [f for _, f, _ in _places(later)] == list(expected)


def test_without_geometry_the_map_is_the_network_view_as_before():
    workshop = Workshop("socialgov")
    workshop.set_citizens(300)
    run = workshop.runs["A"]
    assert run.place_layout is None and not workshop.has_place_map
    workshop.step()
    for colour in ("participation", "trust"):
        assert pm.map_view(run, colour) == nv.network_svg(run.model, run.network_layout, colour)
    assert "coprod-place-map" not in pm.map_view(run, "participation")


def test_a_csv_places_table_has_no_geometry_and_keeps_the_network_view(tmp_path):
    table = tmp_path / "places.csv"
    table.write_text("name,municipality,residents\nA,Town,100\nB,Town,200\nC,Town,300\n")
    scenario = Scenario.load("socialgov").with_overrides(
        {"population.places": str(table), "population.citizens": 120}
    )
    model = CoProductionModel(scenario, seed=0)
    assert not pm.has_geometry(model)


def test_unknown_colour_choice_draws_participation(squares_model):
    layout = pm.build_place_layout(squares_model.places)
    assert 'data-colour="participation"' in pm.place_map_svg(squares_model, layout, "nonsense")
    assert pm.measure_for("trust").column == "trust"
    assert {m.column for m in pm.MEASURES} == set(PLACE_MEASURES)


def test_without_the_geo_extra_columbus_says_what_to_install_and_keeps_the_run():
    code = (
        "import sys\n"
        "for name in ('geopandas', 'libpysal', 'pyogrio'):\n"
        "    sys.modules[name] = None\n"
        "from coprod.dashboard.state import Workshop\n"
        "ws = Workshop()\n"
        "ws.set_citizens(300)\n"
        "ws.set_scenario('A', 'columbus_socialgov')\n"
        "print(ws.scenarios['A'])\n"
        "print(ws.error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    scenario, error = done.stdout.strip().splitlines()
    assert scenario == "socialgov"  # the menu shows the scenario that runs
    assert "geo extra" in error and "pip install 'coprod[geo]'" in error


# ---------------------------------------------------------------------- in a browser
@pytest.fixture(scope="module")
def browser(browser):
    """The shared browser, for a scenario that needs the geo extra."""
    pytest.importorskip("geopandas")
    return browser


#: Legend entries of the map running out of their column.
_LEGEND_OUTSIDE_JS = """() => [...document.querySelectorAll('.coprod-place-map .coprod-legend-item')]
    .filter(item => {
        const card = item.closest('.coprod-panel').getBoundingClientRect();
        const r = item.getBoundingClientRect();
        return r.width && (r.right > card.right + 1 || r.left < card.left - 1);
    }).map(item => item.textContent.trim())"""


def _map_state(page) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        ".coprod-place-map path.place",
        "els => els.map(e => [e.getAttribute('fill'), e.querySelector('title').textContent])",
    )


def test_columbus_map_in_the_browser_at_the_projector_size(browser, url):
    from dashboard_browser import PROJECTOR, TIMEOUT, layout_problems, pick, screenshot, step
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(url)
        page.wait_for_selector('.coprod-chart[data-chart="participation"]')
        assert page.locator(".coprod-place-map").count() == 0  # the default: no geometry
        pick(page, "coprod-scenario-A", "Columbus, Ohio")
        page.wait_for_selector(".coprod-place-map")
        expect(page.locator(".coprod-place-map path.place")).to_have_count(49)
        expect(page.locator(".coprod-place-map .municipality-outline")).to_have_count(1)
        expect(page.locator(".coprod-view-network .coprod-chart-title")).to_have_text(
            "Neighbourhoods on the map"
        )
        before = _map_state(page)
        assert {fill for fill, _ in before} == {pm.NOT_DEFINED}  # month 0: not defined yet
        assert all("Taking part this month" in title for _, title in before)

        step(page, 3)
        page.wait_for_selector('.coprod-place-map[data-month="3"]')
        after = _map_state(page)
        assert len({fill for fill, _ in after}) > 1  # some took part, some more than others
        assert [t for _, t in after] != [t for _, t in before]
        assert [t.split(":")[0] for _, t in after] == [t.split(":")[0] for _, t in before]

        pick(page, "coprod-map-measure", "Trust in the administration")
        page.wait_for_selector('.coprod-place-map[data-colour="trust"]')
        trust = _map_state(page)
        assert all("Trust in the administration" in title for _, title in trust)
        assert {fill for fill, _ in trust} <= set(pm.BY_KEY["trust"].palette)

        problems = layout_problems(page)
        assert problems == {key: [] for key in problems}
        assert page.evaluate(_LEGEND_OUTSIDE_JS) == []
        screenshot(page, "12-projector-columbus-map")

        # German words, two runs side by side: the map and its legend still fit
        page.click(".coprod-lang-de")
        page.wait_for_selector(
            ".coprod-place-map .coprod-legend >> text=Vertrauen in die Verwaltung"
        )
        assert all("Vertrauen in die Verwaltung" in t for _, t in _map_state(page))
        page.click(".coprod-compare .v-input--selection-controls__ripple")
        page.wait_for_selector(".coprod-header-B")
        step(page, 1)
        expect(page.locator(".coprod-place-map path.place")).to_have_count(2 * 49)
        problems = layout_problems(page)
        assert problems == {key: [] for key in problems}
        assert page.evaluate(_LEGEND_OUTSIDE_JS) == []
        screenshot(page, "13-projector-columbus-compare-de")
    finally:
        context.close()


def test_place_measures_now_are_the_last_rows_of_place_vars():
    model = CoProductionModel(
        Scenario.load("coproduction").with_overrides({"population.citizens": 300}), seed=2
    )
    for _ in range(3):
        model.step()
    table = model.place_vars
    last = table[table["step"] == 3].sort_values("place")[list(PLACE_MEASURES)].to_numpy()
    now = model.place_measures_now
    np.testing.assert_array_equal(now, last)
    assert now[:, PLACE_MEASURES.index("burden")].max() > 0  # a month with co-production
    with pytest.raises(ValueError):
        now[0, 0] = 1.0  # read-only: the map cannot change the record
