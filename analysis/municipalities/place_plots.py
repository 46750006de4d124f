"""Per-place results: last-year means per neighbourhood, as a map or as a chart.

With geometry (a GeoJSON, GeoPackage or shipped example as ``population.places``), each
measure is a choropleth of the real neighbourhoods with the municipalities' outlines; without,
a horizontal bar per neighbourhood, grouped by municipality.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from coprod.analysis.plots import subplots, unit_label
from coprod.analysis.stats import HORIZON_WINDOW
from coprod.model.measure_registry import BY_NAME, PLACE_MEASURES
from coprod.model.places import Places

#: Titles of the per-place panels.
PLACE_TITLES = {
    "participation_rate": "Participation",
    "adoption": "Digital channel",
    "trust": "Trust",
    "effectiveness": "Needs met",
    "burden": "Hours given per resident",
}


def last_year(place_vars: pd.DataFrame, window: int = HORIZON_WINDOW) -> pd.DataFrame:
    """Each neighbourhood's mean of the last ``window`` months (step 0 never counts).

    Returns:
        One row per neighbourhood (``place``, ``name``, ``municipality``) with the mean of each
        per-place measure, in place order.
    """
    months = place_vars[place_vars["step"] > 0]
    if months.empty:
        months = place_vars
    last = int(months["step"].max())
    recent = months[months["step"] > last - window]
    keys = ["place", "name", "municipality"]
    measures = [m for m in PLACE_MEASURES if m in recent.columns]
    return recent.groupby(keys, observed=True, sort=True)[measures].mean().reset_index()


def place_figure(
    place_vars: pd.DataFrame, places: Places | None = None, title: str = ""
) -> Figure:
    """The last year's per-place means: a map with geometry, a bar chart per place without."""
    values = last_year(place_vars)
    measures = [m for m in PLACE_MEASURES if m in values.columns]
    geometry = places.geometry if places is not None else None
    if geometry is not None:
        fig = _map(values, measures, places)
    else:
        fig = _bars(values, measures)
    if title:
        fig.suptitle(title)
    return fig


def _map(values: pd.DataFrame, measures: list[str], places: Places) -> Figure:
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        values.sort_values("place").reset_index(drop=True),
        geometry=places.geometry.reset_index(drop=True),
        crs=places.geometry.crs,
    )
    outlines = None
    if len(places.municipalities) > 1:
        outlines = frame.dissolve(by="municipality").boundary
    cols = 3
    rows = int(np.ceil(len(measures) / cols))
    fig, axes = subplots(rows, cols, figsize=(5.2 * cols, 4.6 * rows))
    axes = np.atleast_1d(axes).ravel()
    for ax, measure in zip(axes, measures, strict=False):
        legend = {"shrink": 0.7, "label": _unit(measure)}
        frame.plot(
            column=measure, ax=ax, cmap="viridis", legend=True, edgecolor="white",
            linewidth=0.3, legend_kwds=legend,
        )  # fmt: skip
        if outlines is not None:
            outlines.plot(ax=ax, color="black", linewidth=1.0)
        ax.set_title(PLACE_TITLES.get(measure, measure))
        ax.set_axis_off()
    for ax in axes[len(measures) :]:
        ax.set_visible(False)
    return fig


def _bars(values: pd.DataFrame, measures: list[str]) -> Figure:
    n = len(values)
    cols = len(measures)
    height = min(2.0 + 0.22 * n, 60.0)
    fig, axes = subplots(1, cols, figsize=(3.2 * cols, height), sharey=True)
    axes = np.atleast_1d(axes)
    ordered = values.sort_values("place").reset_index(drop=True)
    labels = _labels(ordered)
    y = np.arange(n)
    muni = ordered["municipality"].to_numpy()
    colours = np.where(muni % 2 == 0, "#3b6ea5", "#8fb3d9")  # municipalities alternate
    for ax, measure in zip(axes, measures, strict=True):
        ax.barh(y, ordered[measure].to_numpy(dtype=float), color=colours)
        ax.set_title(PLACE_TITLES.get(measure, measure))
        ax.set_xlabel(_unit(measure))
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, labels, fontsize=7 if n > 30 else 9)
    axes[0].invert_yaxis()
    return fig


def _labels(values: pd.DataFrame) -> list[str]:
    names = values["name"].astype(str)
    return names.tolist()


def _unit(measure: str) -> str:
    if measure in BY_NAME:
        return unit_label([measure])
    return "hours per resident per month" if measure == "burden" else "value"


def place_table(values: pd.DataFrame, places: Places | None) -> pd.DataFrame:
    """``values`` (from :func:`last_year`) with the places table's columns, for reading."""
    if places is None:
        return values
    extra: Any = places.frame.drop(columns=["name", "municipality"], errors="ignore")
    return values.merge(extra, on="place", how="left")
