"""The map of real neighbourhoods, drawn as SVG from the places table's geometry.

A scenario with ``population.places`` that has geometry (GeoJSON, GeoPackage or
``libpysal:columbus``, see :mod:`coprod.model.places`) is drawn as its neighbourhoods'
shapes, each filled by its value of the measure chosen (one of :data:`MEASURES`, the model's
per-neighbourhood measures, ``RunResult.place_vars``), with its municipality's outline (the
neighbourhoods dissolved by municipality, GeoPandas) drawn over them. Without geometry the
dashboard draws :mod:`coprod.dashboard.network_view`'s map, as before.

The shapes are projected and turned into SVG path data once per run (:func:`build_place_layout`,
GeoPandas and Shapely; simplified to about a third of a pixel, so a large table stays small);
each month only the fill colours and the tooltips change (:func:`place_map_svg`). The map has
no text inside the drawing: a neighbourhood's name and value are in its tooltip (``<title>``),
and the scale is in the legend below, in the page's text at 12 px, as on a 1280x720 projector
(:data:`~coprod.dashboard.charts.WIDTH`, :data:`~coprod.dashboard.charts.FONT`).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

from coprod.dashboard import labels
from coprod.dashboard.charts import WIDTH
from coprod.dashboard.i18n import N_, _, number, percent
from coprod.dashboard.network_view import TRUST_PALETTE, network_svg
from coprod.model.measure_registry import PLACE_MEASURES

#: Highest map height, as a share of its width (a tall city is drawn narrower).
MAX_ASPECT = 1.1
#: Margin around the shapes, in pixels.
PAD = 4.0
#: Simplification tolerance, in pixels: well under what a screen shows.
TOLERANCE_PX = 0.3
#: Smallest part of a municipality (square pixels) that gets an outline of its own.
MIN_PART_PX2 = 4.0


@dataclass(frozen=True)
class MapMeasure:
    """A measure the map can be coloured by."""

    key: str  # the dashboard's colour choice (``participation`` and ``trust`` as the network's)
    column: str  # its column in ``PLACE_MEASURES`` (``RunResult.place_vars``)
    label: str  # N_-marked words for the menu and the legend
    high: float  # the top of the colour scale; values above take the top colour
    hours: bool  # hours per resident (True) or a share (False)
    palette: tuple[str, ...]  # low to high, ColorBrewer (colour-blind safe)


#: The measures the map can show, in menu order (ColorBrewer sequential palettes; trust as the
#: network view colours it). The scale tops are fixed, so that months and the two sides of a
#: comparison read alike: a quarter of residents taking part in a month and an hour of
#: co-production per resident are far above what the shipped scenarios reach (*assumption*).
MEASURES: tuple[MapMeasure, ...] = (
    MapMeasure(
        "participation",
        "participation_rate",
        N_("Taking part this month"),
        0.25,
        False,
        ("#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#005a32"),
    ),
    MapMeasure(
        "adoption",
        "adoption",
        N_("Use the digital channel"),
        1.0,
        False,
        ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
    ),
    MapMeasure(
        "trust",
        "trust",
        N_("Trust in the administration"),
        1.0,
        False,
        TRUST_PALETTE,  # the network view's trust colours, so both views read alike
    ),
    MapMeasure(
        "needs_met",
        "effectiveness",
        N_("Needs met"),
        1.0,
        False,
        ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
    ),
    MapMeasure(
        "burden",
        "burden",
        N_("Hours given per resident"),
        1.0,
        True,
        ("#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"),
    ),
)
BY_KEY = {m.key: m for m in MEASURES}
#: The measure shown when the choice is one the map does not have.
DEFAULT = "participation"


def measure_for(colour_by: str) -> MapMeasure:
    """The map measure for the dashboard's colour choice (participation when unknown)."""
    return BY_KEY.get(colour_by, BY_KEY[DEFAULT])


@dataclass(frozen=True)
class PlaceLayout:
    """The projected shapes of one run's neighbourhoods, built once per run."""

    prefix: list[str]  # '<path class="place" data-place="i" d="..." fill="' per neighbourhood
    names: list[str]  # 'Name (Municipality)' per neighbourhood, escaped for the tooltip
    outlines: str  # the municipalities' outlines, drawn over the neighbourhoods
    height: int
    municipalities: int


def has_geometry(model: Any) -> bool:
    """Whether the model's neighbourhoods have shapes to draw (a places table with geometry)."""
    places = getattr(model, "places", None)
    return places is not None and places.geometry is not None


def build_place_layout(places: Any) -> PlaceLayout:
    """Project a :class:`~coprod.model.places.Places`' shapes to the map's pixels, once.

    Geographic coordinates (longitude, latitude) are projected to their UTM zone first, so
    that shapes keep their proportions; projected or plain planar coordinates are used as they
    are. The shapes are scaled to :data:`~coprod.dashboard.charts.WIDTH` pixels (less for a
    city taller than :data:`MAX_ASPECT` times its width), north up, and simplified to
    :data:`TOLERANCE_PX` pixels keeping their topology.
    """
    import geopandas as gpd
    import shapely

    shapes = gpd.GeoSeries(places.geometry).reset_index(drop=True)
    if shapes.crs is not None and shapes.crs.is_geographic:
        shapes = shapes.to_crs(shapes.estimate_utm_crs())
    x0, y0, x1, y1 = shapes.total_bounds
    span_x, span_y = max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)
    scale = min((WIDTH - 2 * PAD) / span_x, (WIDTH * MAX_ASPECT - 2 * PAD) / span_y)
    width_px = span_x * scale
    height = int(np.ceil(span_y * scale + 2 * PAD))
    left = PAD + (WIDTH - 2 * PAD - width_px) / 2

    def to_pixels(geoms: Any) -> Any:
        moved = shapely.transform(
            np.asarray(geoms),
            lambda xy: np.column_stack(
                [left + (xy[:, 0] - x0) * scale, PAD + (y1 - xy[:, 1]) * scale]
            ),
        )
        return shapely.simplify(moved, TOLERANCE_PX, preserve_topology=True)

    pixels = to_pixels(shapes.values)
    paths = _path_data(pixels)
    names = places.names
    municipality = np.asarray(places.municipality)
    muni_names = places.municipalities
    shown = [
        escape(f"{name} ({muni_names[m]})" if len(muni_names) > 1 else str(name))
        for name, m in zip(names, municipality.tolist(), strict=True)
    ]
    prefix = [
        f'<path class="place" data-place="{i}" data-municipality="{int(m)}" d="{d}" fill="'
        for i, (d, m) in enumerate(zip(paths, municipality, strict=True))
    ]

    dissolved = gpd.GeoDataFrame({"municipality": municipality}, geometry=list(pixels)).dissolve(
        "municipality"
    )
    outline_paths = _path_data([_outline(g) for g in dissolved.geometry.values])
    outlines = "".join(
        f'<path class="municipality-outline" data-municipality="{int(m)}" d="{d}" '
        'fill="none" stroke="#263238" stroke-width="2" stroke-linejoin="round"/>'
        for m, d in zip(dissolved.index, outline_paths, strict=True)
    )
    return PlaceLayout(prefix, shown, outlines, height, len(muni_names))


def _outline(shape: Any) -> Any:
    """A municipality's border: the outer rings of its parts of at least :data:`MIN_PART_PX2`.

    Neighbourhood shapes rarely meet exactly; what their union leaves between them (slivers
    and pinholes) is not a border and is left out.
    """
    import shapely

    parts = shapely.get_parts(shape)
    parts = parts[shapely.area(parts) >= MIN_PART_PX2]
    return shapely.multilinestrings(shapely.get_exterior_ring(parts))


def _path_data(geoms: Any) -> list[str]:
    """SVG path data per geometry (polygons: closed rings; lines: open), in pixels."""
    import shapely

    geoms = np.asarray(geoms)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    polygonal = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    rings = np.empty(0, dtype=object)
    ring_of = np.empty(0, dtype=np.int64)
    if polygonal.any():
        rings, ring_index = shapely.get_rings(parts[polygonal], return_index=True)
        ring_of = part_of[polygonal][ring_index]
    lines = parts[~polygonal]
    lines_of = part_of[~polygonal]
    out: list[list[str]] = [[] for _ in range(len(geoms))]
    for pieces, owner, close in ((rings, ring_of, "Z"), (lines, lines_of, "")):
        if not len(pieces):
            continue
        coords, piece = shapely.get_coordinates(pieces, return_index=True)
        starts = np.r_[0, np.flatnonzero(np.diff(piece)) + 1]
        ends = np.r_[starts[1:], len(piece)]
        text = np.char.add(
            np.char.add(np.char.mod("%.1f", coords[:, 0]), " "), np.char.mod("%.1f", coords[:, 1])
        )
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            out[owner[piece[start]]].append("M" + "L".join(text[start:end].tolist()) + close)
    return ["".join(p) for p in out]


#: Fill of a place whose value is not defined (month 0, before anything has happened).
NOT_DEFINED = "#d9d9d9"


def colours(measure: MapMeasure, values: np.ndarray) -> np.ndarray:
    """The palette colour of each value on the measure's scale, 0 to :attr:`MapMeasure.high`.

    A value that is not defined (NaN) is drawn in :data:`NOT_DEFINED`, never as the lowest
    colour of the scale.
    """
    k = len(measure.palette)
    values = np.asarray(values, dtype=float)
    defined = np.isfinite(values)
    scaled = np.where(defined, values, 0.0) / measure.high * k
    index = np.clip(scaled.astype(int), 0, k - 1)
    return np.where(defined, np.asarray(measure.palette)[index], NOT_DEFINED)


def shown_value(measure: MapMeasure, value: float) -> str:
    """A value in words, in the language shown: ``12%`` or ``0.4 h``; ``–`` if not defined."""
    if not np.isfinite(value):
        return "–"
    if measure.hours:
        return _("{hours} h").format(hours=number(value, 1))
    return percent(value)


def place_map_svg(model: Any, layout: PlaceLayout, colour_by: str = DEFAULT) -> str:
    """The map of the model's neighbourhoods this month, coloured by ``colour_by``."""
    measure = measure_for(colour_by)
    values = model.place_measures_now[:, PLACE_MEASURES.index(measure.column)]
    fills = colours(measure, values)
    label = _(measure.label)
    tip = escape(_("{place}: {measure} {value}"))
    shown = [shown_value(measure, v) for v in values.tolist()]
    body = "".join(
        f'{p}{f}"><title>{tip.format(place=n, measure=escape(label), value=escape(s))}'
        "</title></path>"
        for p, f, n, s in zip(layout.prefix, fills, layout.names, shown, strict=True)
    )
    return (
        f'<div class="coprod-network coprod-place-map" data-colour="{measure.key}" '
        f'data-month="{model.steps}" data-places="{len(layout.prefix)}">'
        f'<svg viewBox="0 0 {WIDTH} {layout.height}" width="100%" role="img" '
        f'aria-label="{escape(_(labels.PLACE_MAP_TITLE))}" xmlns="http://www.w3.org/2000/svg">'
        f'<g class="places" stroke="#ffffff" stroke-width="0.6">{body}</g>'
        f'<g class="municipalities" pointer-events="none">{layout.outlines}</g></svg>'
        f"{_legend(measure, len(layout.prefix), layout.municipalities)}</div>"
    )


def map_view(run: Any, colour_by: str) -> str:
    """A run's map: its real neighbourhoods with geometry, else the network view as before.

    ``run`` is a :class:`~coprod.dashboard.state.Run` (its ``place_layout`` and
    ``network_layout`` are built once and kept).
    """
    layout = run.place_layout
    if layout is None:
        return network_svg(run.model, run.network_layout, colour_by)
    return place_map_svg(run.model, layout, colour_by)


def _legend(measure: MapMeasure, places: int, municipalities: int) -> str:
    stops = "".join(
        f'<i style="background:{c};margin:0;border-radius:0"></i>' for c in measure.palette
    )
    low = shown_value(measure, 0.0)
    high = shown_value(measure, measure.high)
    if measure.high < 1.0 or measure.hours:
        high = _("{value} or more").format(value=high)
    key = (  # the measure and its scale may wrap apart in a narrow column
        f'<span class="coprod-legend-item">{escape(_(measure.label))}:</span>'
        f'<span class="coprod-legend-item">{escape(low)} {stops} {escape(high)}</span>'
    )
    if municipalities > 1:
        count = _("{places} neighbourhoods in {municipalities} municipalities (dark outlines)")
    else:
        count = _("{places} neighbourhoods; hover over one for its name and value")
    note = count.format(places=number(places), municipalities=number(municipalities))
    return f'<div class="coprod-legend">{key}<span class="coprod-note">{escape(note)}</span></div>'
