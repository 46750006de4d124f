"""Charts drawn as SVG text: time series with event marks, and the bars of the digital divide.

The dashboard redraws every chart after each month, for one run or two, so drawing must cost
little: building a chart's SVG string takes a few milliseconds, where a Matplotlib figure
takes tens of milliseconds per chart. The browser draws
the SVG itself, needs no plotting library from a CDN, and shows ``<title>`` elements and
``title`` attributes as tooltips. Every value is a share or a score in [0, 1], shown as 0–100.

Drawings are laid out in CSS pixels at the size they have on the workshop's projector
(1280x720): :data:`WIDTH` is about the width of a chart's column there, and text is
:data:`FONT` pixels. An SVG scales to its column (``width="100%"``), so on that projector text
shows at its nominal size or a little larger, and larger still on wider screens. Drawn on a
wider canvas, the same text would be scaled down with the drawing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coprod.dashboard import i18n, labels
from coprod.dashboard.i18n import _, number

if TYPE_CHECKING:  # annotations only: state imports network_view, which imports this module
    from coprod.dashboard.state import EventMark

#: Width of every drawing, in CSS pixels: a little under a chart's column at 1280x720, which
#: is 394 px with one run (two views to a row) and 430 px with two runs side by side.
WIDTH = 380
HEIGHT = 192
#: Size of all text in the drawings, in CSS pixels at :data:`WIDTH`: the smallest a room
#: reads off a projector.
FONT = 12
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 20, 34
#: Least room between the labels of the month axis, in CSS pixels.
TICK_ROOM = 2.5 * FONT
_NARROW = frozenset(" ·.,:;'!|-/()[]fijlrtI")
_WIDE = frozenset("mwMW%@—")
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


def text_width(text: str, size: float = FONT) -> float:
    """Width ``text`` takes at font ``size`` in the dashboard's font, a little over, not under.

    Roboto's digits are 0.56 em wide and most letters 0.5 to 0.58 em; narrow ones (``i``,
    ``t``, spaces, ``·``) about 0.25 to 0.3 em, wide ones (``m``, ``W``, ``%``) up to 0.9 em.
    Rounding each class up gives room to spare, which is what layout decisions need.
    """
    return size * sum(0.33 if c in _NARROW else 0.92 if c in _WIDE else 0.6 for c in text)


def month_step(x_end: int, px_per_month: float) -> int:
    """Months between labels on the month axis: whole years, as few as leave them room."""
    for every in (12, 24, 60, 120, 240):
        if every * px_per_month >= TICK_ROOM:
            return every
    return max(1, x_end)


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
    """``0.123`` as ``12%`` in the language shown (``12 %`` in German; ``–`` when unknown)."""
    return "–" if value is None or not np.isfinite(value) else i18n.percent(value)


def score(value: float) -> str:
    """``0.512`` as ``51/100`` (``–`` when unknown)."""
    return "–" if value is None or not np.isfinite(value) else f"{number(100 * value)}/100"


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
        f'aria-label="{escape(spec.shown_title())}" xmlns="http://www.w3.org/2000/svg">',
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
        parts.append(_invite(_("Press Step or Play to start")))
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


def _invite(text: str) -> str:
    """The empty chart's invitation, centred over the plot; on two lines where it is too long.

    Centred over the plot area, not the whole drawing, so it never covers the axis labels;
    a long translation breaks at the space nearest its middle.
    """
    size = FONT + 1
    room = WIDTH - LEFT - RIGHT - 8
    x = LEFT + (WIDTH - LEFT - RIGHT) / 2
    lines = [text]
    if text_width(text, size) > room and " " in text:
        middle = len(text) / 2
        cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
        lines = [text[:cut], text[cut + 1 :]]
    top = HEIGHT / 2 - (len(lines) - 1) * size * 0.6
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{top + i * size * 1.2:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text text-anchor="middle" fill="#888" font-size="{size}">{spans}</text>'


def _axes(x_end: int, y_max: float, sy: float) -> str:
    bottom = HEIGHT - BOTTOM
    out = [_y_grid(y_max, bottom, sy)]
    sx = (WIDTH - LEFT - RIGHT) / x_end
    every = month_step(x_end, sx)
    for m in range(0, x_end + 1, every):
        x = LEFT + m * sx
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="#999"/>'
            f'<text x="{x:.1f}" y="{bottom + FONT + 4}" text-anchor="middle" '
            f'font-size="{FONT}" '
            f'fill="#666">{number(m)}</text>'
        )
    axis = escape(_("month"))
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="#999"/>'
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end" font-size="{FONT}" '
        f'fill="#666">{axis}</text>'
    )
    return "".join(out)


def _y_grid(y_max: float, bottom: float, sy: float) -> str:
    """Grid lines across the chart at round values, labelled 0–100 on the left."""
    out = []
    for t in y_ticks(y_max):
        y = bottom - t * sy
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e0e0e0"/>'
            f'<text x="{LEFT - 5}" y="{y + 4:.1f}" text-anchor="end" font-size="{FONT}" '
            f'fill="#666">{number(100 * t)}</text>'
        )
    return "".join(out)


def _event_marks(events: Sequence[EventMark], x_end: int, sx: float) -> str:
    bottom = HEIGHT - BOTTOM
    out = []
    for i, mark in enumerate(e for e in events if e.step <= x_end):
        x = LEFT + (mark.step - 0.5) * sx
        colour = EVENT_COLOURS.get(mark.kind, "#333")
        dash = "5,3" if mark.live else "2,3"
        name = _(labels.EVENT_NAMES[mark.kind]) if mark.kind in labels.EVENT_NAMES else mark.kind
        y_text = TOP - 5 + (FONT + 1) * (i % 2)
        # a label that would run off the right edge goes to the left of its line
        if x + 3 + text_width(name) > WIDTH:
            anchor, x_text = "end", x - 3
        else:
            anchor, x_text = "start", x + 3
        out.append(
            f'<g class="event-marker" data-kind="{mark.kind}" data-step="{mark.step}" '
            f'data-live="{str(mark.live).lower()}"><title>{escape(mark.text)}</title>'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 2}" y2="{bottom}" stroke="{colour}" '
            f'stroke-width="1.6" stroke-dasharray="{dash}"/>'
            f'<text x="{x_text:.1f}" y="{y_text}" text-anchor="{anchor}" font-size="{FONT}" '
            f'fill="{colour}">'
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
        shown = _("{measure} (all municipalities)") if s.measure in whole else "{measure}"
        items.append(
            f'<span class="coprod-legend-item" data-measure="{s.measure}" '
            f'title="{escape(s.help)}" style="{weight}">'
            f'<i style="background:{s.colour}"></i>{escape(shown.format(measure=s.label))}: '
            f"<b>{escape(value)}</b>"
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
    bar = group * 0.42  # wide enough for a value label over each bar
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(_(labels.QUINTILE_TITLE))}" xmlns="http://www.w3.org/2000/svg">',
        _y_grid(y_max, bottom, sy),
    ]
    series = (
        (
            "participation",
            participation,
            "#2e7d32",
            _("{group}: {share} took part (average of the last 12 months)"),
        ),
        ("adoption", adoption, "#1e88e5", _("{group}: {share} use the digital channel now")),
    )
    for q, name in enumerate(_(n) for n in labels.QUINTILE_NAMES):
        x0 = LEFT + q * group + group * 0.08
        for k, (key, values, colour, what) in enumerate(series):
            value = float(values[q]) if month or key == "adoption" else 0.0
            h = min(value, y_max) * sy
            x = x0 + k * bar
            tip = what.format(group=name, share=percent(value))
            parts.append(
                f'<g class="quintile-bar" data-series="{key}" data-quintile="{q + 1}">'
                f"<title>{escape(tip)}</title>"
                f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                f'fill="{colour}"/><text x="{x + bar / 2 - 1:.1f}" y="{bottom - h - 3:.1f}" '
                f'text-anchor="middle" font-size="{FONT}" fill="#333">{percent(value)}</text></g>'
            )
        parts.append(
            f'<text x="{LEFT + (q + 0.5) * group:.1f}" y="{bottom + FONT + 4}" '
            f'text-anchor="middle" font-size="{FONT}" fill="#444">{escape(name)}</text>'
        )
    ends = _("poorer residents ← → better-off residents")
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="#999"/>'
        f'<text x="{LEFT}" y="{height - 4}" font-size="{FONT}" fill="#666">'
        f"{escape(ends)}</text></svg>"
    )
    took_part = _("Share of the group who took part in an average month of the last year.")
    online = _("Share of the group who use the app or online platform.")
    took_part_key, online_key = _("Took part"), _("Use the digital channel")
    legend = (
        '<div class="coprod-legend">'
        f'<span class="coprod-legend-item" title="{escape(took_part)}">'
        f'<i style="background:#2e7d32"></i>{escape(took_part_key)}</span>'
        f'<span class="coprod-legend-item" title="{escape(online)}">'
        f'<i style="background:#1e88e5"></i>{escape(online_key)}</span>'
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
        return _("Nobody has taken part yet.")
    if poor <= 0:
        return _("Only the better-off take part: the poorest fifth does not.")
    if rich <= 0:
        return _("Only the poorer take part: the richest fifth does not.")
    ratio = rich / poor
    if 0.9 <= ratio <= 1.1:
        return _("Poorer and better-off residents take part about equally often.")
    if ratio > 1:
        return _(
            "The richest fifth takes part {ratio} times as often as the poorest fifth."
        ).format(ratio=number(ratio, 1))
    return _("The poorest fifth takes part {ratio} times as often as the richest fifth.").format(
        ratio=number(1 / ratio, 1)
    )


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
            '<div class="coprod-events" data-count="0"><p class="coprod-note">'
            + escape(_("No events yet. Trigger one with the buttons above: it starts next month."))
            + "</p></div>"
        )
    items = []
    for mark in events:
        state = "done" if mark.step <= month else "next"
        colour = EVENT_COLOURS.get(mark.kind, "#333")
        if state == "next":
            when = _("Month {month} (to come)").format(month=number(mark.step))
        else:
            when = _("Month {month}").format(month=number(mark.step))
        origin = _("triggered here") if mark.live else _("planned in the scenario")
        items.append(
            f'<li class="coprod-event-item" data-kind="{mark.kind}" data-step="{mark.step}" '
            f'data-state="{state}"><b style="color:{colour}">{escape(when)}</b>: '
            f"{escape(mark.what)} <span class='coprod-note'>({escape(origin)})</span></li>"
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
        words = ", ".join(kept) if kept else _("none yet")
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
