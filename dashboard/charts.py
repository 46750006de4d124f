"""Charts drawn as SVG text: time series with event marks, and the bars of the digital divide.

The dashboard redraws every chart after each month, for one run or two, so drawing must cost
far less than the model step's budget: building a small SVG string takes well under a
millisecond, where a Matplotlib figure takes tens of milliseconds per chart. The browser draws
the SVG itself, needs no plotting library from a CDN, and shows ``<title>`` elements and
``title`` attributes as tooltips. Every value is a share or a score in [0, 1], shown as 0–100.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coprod.dashboard import labels

if TYPE_CHECKING:  # annotations only: state imports network_view, which imports this module
    from coprod.dashboard.state import EventMark

WIDTH, HEIGHT = 560, 230
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 18, 30
#: Upper ends the vertical axis snaps to when it scales to the data.
NICE = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
EVENT_COLOURS = {
    "budget_cut": "#c62828",
    "platform_outage": "#455a64",
    "trust_scandal": "#6a1b9a",
    "demand_shock": "#ef6c00",
}


def nice_ceiling(value: float) -> float:
    """The smallest of :data:`NICE` at or above ``value`` (1.0 beyond)."""
    for top in NICE:
        if value <= top + 1e-12:
            return top
    return 1.0


def y_ticks(y_max: float) -> np.ndarray:
    """Round tick values from 0 to ``y_max``: 3 to 6 ticks at a step of whole percents."""
    for step in (0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25):
        count = y_max / step
        if count <= 5.0001 and abs(count - round(count)) < 1e-9:
            return np.arange(round(count) + 1) * step
    return np.linspace(0.0, y_max, 5)


def data_max(frames: Sequence[pd.DataFrame], measures: Sequence[str]) -> float:
    """Largest value of ``measures`` over ``frames`` (0 when there is none yet)."""
    best = 0.0
    for frame in frames:
        if len(frame):
            values = frame.loc[:, list(measures)].to_numpy(dtype=float)
            if np.isfinite(values).any():
                best = max(best, float(np.nanmax(values)))
    return best


def percent(value: float) -> str:
    """``0.123`` as ``12%`` (``–`` when unknown)."""
    return "–" if value is None or not np.isfinite(value) else f"{100 * value:.0f}%"


def score(value: float) -> str:
    """``0.512`` as ``51/100`` (``–`` when unknown)."""
    return "–" if value is None or not np.isfinite(value) else f"{100 * value:.0f}/100"


def line_chart(
    frame: pd.DataFrame,
    spec: labels.ChartSpec,
    events: Sequence[EventMark],
    horizon: int,
    y_max: float | None = None,
    municipality: str | None = None,
    local: Collection[str] = (),
) -> str:
    """A time-series chart of ``spec``'s measures, with every event as a dashed vertical line.

    Args:
        frame: measures by month (index ``step``), as ``model.model_vars``.
        spec: which measures, in which colours.
        events: events to mark, at the month they start.
        horizon: the last month on the horizontal axis (at least the months run).
        y_max: top of the vertical axis; by default ``spec.y_max``, or scaled to the data.
        municipality: the name of the municipality ``frame`` shows, ``None`` for all.
        local: with ``municipality``, the measures that are that municipality's; the legend
            says that the others are for all municipalities together.
    """
    month = int(frame.index.max()) if len(frame) else 0  # step 0 is the initial state
    measures = [s.measure for s in spec.series]
    if y_max is None:
        y_max = spec.y_max or nice_ceiling(data_max([frame], measures) * 1.1)
    x_end = max(horizon, month, 1)
    sx = (WIDTH - LEFT - RIGHT) / x_end
    sy = (HEIGHT - TOP - BOTTOM) / y_max
    bottom = HEIGHT - BOTTOM

    def xy(step: np.ndarray, value: np.ndarray) -> np.ndarray:
        return np.column_stack([LEFT + step * sx, bottom - np.clip(value, 0, y_max) * sy])

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{escape(spec.title)}" xmlns="http://www.w3.org/2000/svg">',
        _axes(x_end, y_max, sy),
        _event_marks(events, x_end, sx),
    ]
    steps = np.asarray(frame.index, dtype=float)
    whole = {s.measure for s in spec.series if s.measure not in local} if municipality else set()
    for s in spec.series:
        values = frame[s.measure].to_numpy(dtype=float) if month else np.zeros(0)
        keep = np.isfinite(values)
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy(steps[keep], values[keep]))
        width = 2.6 if s.bold else 1.5
        parts.append(
            f'<polyline class="series" data-measure="{s.measure}" '
            f'data-scope="{"all" if municipality is None or s.measure in whole else "local"}" '
            f'points="{points}" '
            f'fill="none" stroke="{s.colour}" stroke-width="{width}" stroke-linejoin="round">'
            f"<title>{escape(s.label)}</title></polyline>"
        )
    if month == 0:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#888" '
            'font-size="13">Press Step or Play to start</text>'
        )
    parts.append("</svg>")
    marks = sum(1 for e in events if e.step <= x_end)
    scope = f' data-municipality="{escape(municipality)}"' if municipality else ""
    return (
        f'<div class="coprod-chart" data-chart="{spec.key}" data-month="{month}" '
        f'data-events="{marks}"{scope}>'
        + "".join(parts)
        + _legend(frame, spec, municipality, whole)
        + "</div>"
    )


def _axes(x_end: int, y_max: float, sy: float) -> str:
    bottom = HEIGHT - BOTTOM
    out = [_y_grid(y_max, bottom, sy)]
    sx = (WIDTH - LEFT - RIGHT) / x_end
    every = 12 if x_end <= 180 else 24 if x_end <= 360 else 60
    for m in range(0, x_end + 1, every):
        x = LEFT + m * sx
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="#999"/>'
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="11" '
            f'fill="#666">{m}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="#999"/>'
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 2}" text-anchor="end" font-size="11" '
        'fill="#666">month</text>'
    )
    return "".join(out)


def _y_grid(y_max: float, bottom: float, sy: float) -> str:
    """Grid lines across the chart at round values, labelled 0–100 on the left."""
    out = []
    for t in y_ticks(y_max):
        y = bottom - t * sy
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e0e0e0"/>'
            f'<text x="{LEFT - 5}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#666">{100 * t:.0f}</text>'
        )
    return "".join(out)


def _event_marks(events: Sequence[EventMark], x_end: int, sx: float) -> str:
    bottom = HEIGHT - BOTTOM
    out = []
    for i, mark in enumerate(e for e in events if e.step <= x_end):
        x = LEFT + (mark.step - 0.5) * sx
        colour = EVENT_COLOURS.get(mark.kind, "#333")
        dash = "5,3" if mark.live else "2,3"
        name = labels.EVENT_NAMES.get(mark.kind, mark.kind)
        y_text = TOP - 4 + 11 * (i % 2)
        out.append(
            f'<g class="event-marker" data-kind="{mark.kind}" data-step="{mark.step}" '
            f'data-live="{str(mark.live).lower()}"><title>{escape(mark.text)}</title>'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 2}" y2="{bottom}" stroke="{colour}" '
            f'stroke-width="1.6" stroke-dasharray="{dash}"/>'
            f'<text x="{x + 3:.1f}" y="{y_text}" font-size="10" fill="{colour}">'
            f"{escape(name)}</text></g>"
        )
    return "".join(out)


def _legend(
    frame: pd.DataFrame,
    spec: labels.ChartSpec,
    municipality: str | None = None,
    whole: Collection[str] = (),
) -> str:
    last = frame.iloc[-1] if len(frame) else None
    items = []
    if municipality:
        items.append(f'<span class="coprod-scope"><b>{escape(municipality)}</b></span>')
    for s in spec.series:
        value = "–"
        if last is not None:
            number = float(last[s.measure])
            value = score(number) if s.measure in labels.SCORES else percent(number)
        weight = "font-weight:600;" if s.bold else ""
        suffix = " (all municipalities)" if s.measure in whole else ""
        items.append(
            f'<span class="coprod-legend-item" data-measure="{s.measure}" '
            f'title="{escape(s.help)}" style="{weight}">'
            f'<i style="background:{s.colour}"></i>{escape(s.label + suffix)}: <b>{value}</b>'
            "</span>"
        )
    return '<div class="coprod-legend">' + "".join(items) + "</div>"


def quintile_chart(
    participation: Sequence[float], adoption: Sequence[float], month: int, y_max: float | None
) -> str:
    """Bars per socio-economic fifth: who took part (12-month average) and who is online.

    Args:
        participation: share who took part, poorest fifth first.
        adoption: share who use the digital channel, poorest fifth first.
        month: months run so far (0: no participation yet).
        y_max: top of the vertical axis; by default scaled to the data.
    """
    if y_max is None:
        y_max = nice_ceiling(max([*participation, *adoption, 0.0]) * 1.1)
    height = HEIGHT + 10
    bottom = height - BOTTOM - 10
    sy = (bottom - TOP) / y_max
    group = (WIDTH - LEFT - RIGHT) / 5
    bar = group * 0.32
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(labels.QUINTILE_TITLE)}" xmlns="http://www.w3.org/2000/svg">',
        _y_grid(y_max, bottom, sy),
    ]
    series = (
        ("participation", participation, "#2e7d32", "took part (average of the last 12 months)"),
        ("adoption", adoption, "#1e88e5", "use the digital channel now"),
    )
    for q, name in enumerate(labels.QUINTILE_NAMES):
        x0 = LEFT + q * group + group * 0.16
        for k, (key, values, colour, what) in enumerate(series):
            value = float(values[q]) if month or key == "adoption" else 0.0
            h = min(value, y_max) * sy
            x = x0 + k * bar
            tip = f"{name}: {percent(value)} {what}"
            parts.append(
                f'<g class="quintile-bar" data-series="{key}" data-quintile="{q + 1}">'
                f"<title>{escape(tip)}</title>"
                f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                f'fill="{colour}"/><text x="{x + bar / 2 - 1:.1f}" y="{bottom - h - 3:.1f}" '
                f'text-anchor="middle" font-size="10" fill="#333">{percent(value)}</text></g>'
            )
        parts.append(
            f'<text x="{LEFT + (q + 0.5) * group:.1f}" y="{bottom + 16}" text-anchor="middle" '
            f'font-size="11" fill="#444">{escape(name)}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="#999"/>'
        f'<text x="{LEFT}" y="{height - 4}" font-size="11" fill="#666">'
        "poorer residents ← → better-off residents</text></svg>"
    )
    legend = (
        '<div class="coprod-legend">'
        '<span class="coprod-legend-item" title="Share of the group who took part in an average '
        'month of the last year."><i style="background:#2e7d32"></i>Took part</span>'
        '<span class="coprod-legend-item" title="Share of the group who use the app or online '
        'platform."><i style="background:#1e88e5"></i>Use the digital channel</span>'
        f"<span>{escape(divide_sentence(participation, month))}</span></div>"
    )
    return (
        f'<div class="coprod-chart" data-chart="quintiles" data-month="{month}">'
        + "".join(parts)
        + legend
        + "</div>"
    )


def divide_sentence(participation: Sequence[float], month: int) -> str:
    """One sentence on the divide, e.g. ``The richest fifth takes part 2.1 times as often...``."""
    if month == 0:
        return ""
    poor, rich = float(participation[0]), float(participation[-1])
    if poor <= 0 and rich <= 0:
        return "Nobody has taken part yet."
    if poor <= 0:
        return "Only the better-off take part: the poorest fifth does not."
    if rich <= 0:
        return "Only the poorer take part: the richest fifth does not."
    ratio = rich / poor
    if 0.9 <= ratio <= 1.1:
        return "Poorer and better-off residents take part about equally often."
    if ratio > 1:
        return f"The richest fifth takes part {ratio:.1f} times as often as the poorest fifth."
    return f"The poorest fifth takes part {1 / ratio:.1f} times as often as the richest fifth."


def quintile_participation(frame: pd.DataFrame, window: int = 12) -> list[float]:
    """Share taking part per fifth, averaged over the last ``window`` months."""
    months = frame[frame.index > 0]  # step 0, the initial state, is no month of taking part
    if not len(months):
        return [0.0] * 5
    tail = months.iloc[-window:]
    return [float(tail[f"participation_q{q}"].mean()) for q in range(1, 6)]


def event_list(events: Sequence[EventMark], month: int) -> str:
    """The events as a list: those that happened, then those still to come."""
    if not events:
        return (
            '<div class="coprod-events" data-count="0"><p class="coprod-note">No events yet. '
            "Trigger one with the buttons above: it starts next month.</p></div>"
        )
    items = []
    for mark in events:
        state = "done" if mark.step <= month else "next"
        colour = EVENT_COLOURS.get(mark.kind, "#333")
        when = f"Month {mark.step}" + (" (to come)" if state == "next" else "")
        origin = "triggered here" if mark.live else "planned in the scenario"
        items.append(
            f'<li class="coprod-event-item" data-kind="{mark.kind}" data-step="{mark.step}" '
            f'data-state="{state}"><b style="color:{colour}">{escape(when)}</b>: '
            f"{escape(mark.what)} <span class='coprod-note'>({origin})</span></li>"
        )
    return (
        f'<div class="coprod-events" data-count="{len(events)}"><ul>'
        + "".join(items)
        + "</ul></div>"
    )


def innovation_list(
    adopted: Sequence[Sequence[str]], names: Sequence[str], municipality: int | None = None
) -> str:
    """Which innovations each municipality (or only ``municipality``) has adopted, in words.

    Args:
        adopted: per municipality, the model names of the innovations it adopted.
        names: the municipalities' names, as :func:`labels.municipality_labels` gives them.
        municipality: the one municipality to list; ``None`` lists all.
    """
    shown = range(len(adopted))
    if municipality is not None and 0 <= municipality < len(adopted):
        shown = [municipality]
    items = []
    for m in shown:
        kept = [labels.innovation_name(n) for n in adopted[m]]
        words = ", ".join(kept) if kept else "none yet"
        items.append(
            f'<li class="coprod-innovation-item" data-municipality="{m}" '
            f'data-count="{len(kept)}"><b>{escape(names[m])}</b>: {escape(words)}</li>'
        )
    total = sum(len(adopted[m]) for m in shown)
    return (
        f'<div class="coprod-innovations" data-count="{total}"><ul>'
        + "".join(items)
        + "</ul></div>"
    )
