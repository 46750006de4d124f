"""The map of neighbourhoods and the social network, drawn as SVG.

Each neighbourhood is a circle, its residents dots on a ring inside it: the network is a ring
lattice rewired within each neighbourhood (Watts & Strogatz 1998, see ``coprod.model.network``),
so neighbours on the ring are neighbours in the network and their ties are short chords. Ties
across neighbourhoods are drawn between the circles, as wide as they are many. With more than
:data:`MAX_DOTS` residents a sample is drawn: a contiguous block of each neighbourhood's ring,
in proportion to its size, which keeps the local structure (residents are stored in random order
within a neighbourhood, so a block is a fair sample). The layout is fixed for a model, so it is
built once; each month only the colours change.

Like the charts, the map is laid out in CSS pixels at its size on the workshop's projector
(:data:`coprod.dashboard.charts.WIDTH` wide, text :data:`~coprod.dashboard.charts.FONT`
pixels). A neighbourhood's label says its number, standing and value on two lines when its
cell has room for them, only the value when it has room for that, and nothing otherwise: the
tooltip always says it all.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np
import scipy.sparse as sp

from coprod.dashboard import labels
from coprod.dashboard.charts import FONT, WIDTH, percent, text_width
from coprod.dashboard.i18n import _, ngettext, number

#: Most residents drawn as dots; beyond this the map shows a sample.
MAX_DOTS = 400
#: The shortest label, to decide whether any fits under a neighbourhood's circle (the longest
#: lines, in the language shown, are :func:`full_labels`).
SHORT_LABEL = "100/100"


def full_labels(n_hoods: int) -> list[str]:
    """The longest two-line label lines for neighbourhood ``n_hoods``, in the language shown."""
    words = (_("poorer"), _("middle"), _("better-off"))
    return [*(f"{n_hoods} · {word}" for word in words), _("trust {trust}").format(trust=100)]


#: Height of a line of text in the map.
LINE = FONT + 2
#: Trust colours, low to high (ColorBrewer RdYlBu, colour-blind safe).
TRUST_PALETTE = (
    "#a50026",
    "#d73027",
    "#f46d43",
    "#fdae61",
    "#fee090",
    "#e0f3f8",
    "#abd9e9",
    "#74add1",
    "#4575b4",
    "#313695",
)
TOOK_PART, DID_NOT = "#1b5e20", "#90a4ae"


@dataclass
class NetworkLayout:
    """Where everything goes, computed once per model."""

    rows: np.ndarray  # citizen rows drawn, by neighbourhood
    dot_prefix: list[str]  # '<circle cx=.. cy=.. r=.. fill="' per drawn citizen
    hood_xy: np.ndarray  # (hoods, 2) centres
    radius: float
    height: int
    label_lines: int  # lines of label under each circle: 2, 1 (the value only) or 0
    static: str  # ties, drawn the same every month
    background: str  # municipality bands, drawn first
    total: int  # residents in the model

    @property
    def sampled(self) -> bool:
        """Whether only a sample of the residents is drawn."""
        return len(self.rows) < self.total


def build_layout(
    hood: np.ndarray,
    adjacency: sp.csr_matrix,
    hood_municipality: np.ndarray,
    max_dots: int = MAX_DOTS,
) -> NetworkLayout:
    """Lay out neighbourhoods on a grid and a sample of residents on rings inside them.

    With several municipalities, each one's neighbourhoods sit together on one row of the
    grid, on a shaded band with the municipality's number.

    Args:
        hood: each citizen's neighbourhood (citizens sorted by neighbourhood).
        adjacency: the symmetric 0/1 network of citizens.
        hood_municipality: each neighbourhood's municipality.
        max_dots: most residents drawn (at least 8 per neighbourhood are).
    """
    n_hoods = len(hood_municipality)
    total = len(hood)
    max_dots = max(max_dots, 8 * n_hoods)
    sizes = np.bincount(hood, minlength=n_hoods)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    if total > max_dots:
        take = np.maximum(np.minimum(sizes, 3), np.round(max_dots * sizes / total).astype(int))
    else:
        take = sizes
    rows = np.concatenate([np.arange(s, s + k) for s, k in zip(starts, take, strict=True)])

    cols = int(np.ceil(np.sqrt(n_hoods * 1.6)))
    n_muni = int(hood_municipality.max()) + 1
    per_muni = n_hoods // n_muni
    if n_muni > 1 and per_muni * n_muni == n_hoods:  # whole municipalities to a row
        cols = per_muni * max(1, round(cols / per_muni))
    grid_rows = int(np.ceil(n_hoods / cols))
    cell = WIDTH / cols
    room = cell - 4  # the width a label may take
    if max(text_width(t) for t in full_labels(n_hoods)) <= room:
        lines = 2
    elif text_width(SHORT_LABEL) <= room:
        lines = 1
    else:
        lines = 0
    title = LINE + 2 if n_muni > 1 else 0  # room for the municipality's name above its row
    cell_h = title + cell * 0.86 + lines * LINE + 6
    height = int(np.ceil(grid_rows * cell_h)) + 2
    h_index = np.arange(n_hoods)
    hood_xy = np.column_stack(
        [(h_index % cols + 0.5) * cell, (h_index // cols) * cell_h + title + cell * 0.43 + 2]
    )
    radius = cell * 0.4
    bands = ""
    if n_muni > 1:
        bands = _municipality_bands(hood_municipality, hood_xy, cell, cell_h, title)

    local = rows - starts[hood[rows]]
    angle = 2 * np.pi * local / take[hood[rows]] - np.pi / 2
    ring = radius * 0.8
    xy = hood_xy[hood[rows]] + ring * np.column_stack([np.cos(angle), np.sin(angle)])
    spacing = 2 * np.pi * ring / max(int(take.max()), 1)  # room per dot on the fullest ring
    dot = float(np.clip(0.42 * spacing, 1.0, 3.5))
    dot_prefix = [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{dot:.1f}" fill="' for x, y in xy]

    static = _ties(adjacency, hood, rows, xy, hood_xy, radius, n_hoods)
    return NetworkLayout(rows, dot_prefix, hood_xy, radius, height, lines, static, bands, total)


def layout_for(model) -> NetworkLayout:
    """The layout of a :class:`~coprod.model.core.CoProductionModel`'s residents and ties."""
    return build_layout(model.citizens.hood, model.adjacency, model.hoods.municipality)


def _municipality_bands(
    hood_municipality: np.ndarray, hood_xy: np.ndarray, cell: float, cell_h: float, title: float
) -> str:
    """A shaded band behind each municipality's neighbourhoods, its number on top."""
    out = []
    above = title + cell * 0.43 + 1  # from the top of a row to its circles' centres
    words = _("municipality {number}")
    for m in range(int(hood_municipality.max()) + 1):
        xy = hood_xy[hood_municipality == m]
        x0, y0 = xy.min(axis=0) - [cell * 0.48, above]
        x1, y1 = xy.max(axis=0) + [cell * 0.48, cell_h - above - 3]
        name = words.format(number=m + 1)
        if text_width(name) > x1 - x0 - 6:
            name = f"{m + 1}"
        out.append(
            f'<g class="municipality"><rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
            f'height="{y1 - y0:.1f}" rx="6" fill="{"#eceff1" if m % 2 else "#f5f5f5"}"/>'
            f'<text x="{x0 + 4:.1f}" y="{y0 + FONT:.1f}" font-size="{FONT}" fill="#607d8b">'
            f"{escape(name)}</text></g>"
        )
    return "".join(out)


def _ties(
    adjacency: sp.csr_matrix,
    hood: np.ndarray,
    rows: np.ndarray,
    xy: np.ndarray,
    hood_xy: np.ndarray,
    radius: float,
    n_hoods: int,
) -> str:
    """Ties among drawn residents of a neighbourhood, and ties across neighbourhoods."""
    sub = sp.triu(adjacency[rows][:, rows], k=1).tocoo()
    inside = hood[rows][sub.row] == hood[rows][sub.col]
    a, b = xy[sub.row[inside]], xy[sub.col[inside]]
    path = "".join(
        f"M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}" for (x1, y1), (x2, y2) in zip(a, b, strict=True)
    )
    out = [f'<path d="{path}" stroke="#90a4ae" stroke-width="0.5" fill="none" opacity="0.7"/>']

    # ties across neighbourhoods, counted over the whole network
    full = sp.triu(adjacency, k=1).tocoo()
    ha, hb = hood[full.row], hood[full.col]
    across = ha != hb
    lo, hi = np.minimum(ha[across], hb[across]), np.maximum(ha[across], hb[across])
    counts = np.bincount(lo.astype(np.int64) * n_hoods + hi, minlength=n_hoods * n_hoods)
    pairs = np.flatnonzero(counts)
    top = counts[pairs].max() if len(pairs) else 1
    for pair in pairs:
        i, j = divmod(int(pair), n_hoods)
        (x1, y1), (x2, y2) = hood_xy[i], hood_xy[j]
        d = np.hypot(x2 - x1, y2 - y1) or 1.0
        ux, uy = (x2 - x1) / d, (y2 - y1) / d
        x1, y1, x2, y2 = x1 + ux * radius, y1 + uy * radius, x2 - ux * radius, y2 - uy * radius
        n = int(counts[pair])
        ties = ngettext(
            "{n} tie between neighbourhoods {first} and {second}",
            "{n} ties between neighbourhoods {first} and {second}",
            n,
        )
        width = 0.4 + 2.0 * n / top
        out.append(
            f'<line class="bridge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="#546e7a" stroke-width="{width:.1f}" opacity="0.3">'
            f"<title>{escape(ties.format(n=number(n), first=i + 1, second=j + 1))}</title></line>"
        )
    return "".join(out)


def trust_colour(values: np.ndarray) -> np.ndarray:
    """Palette colours for trust values in [0, 1]."""
    index = np.clip((np.asarray(values) * len(TRUST_PALETTE)).astype(int), 0, 9)
    return np.asarray(TRUST_PALETTE)[index]


def status_word(ses_mean: float) -> str:
    """A neighbourhood's socio-economic standing in a word."""
    if ses_mean < 0.45:
        return _("poorer")
    if ses_mean > 0.55:
        return _("better-off")
    return _("middle")


def network_svg(model, layout: NetworkLayout, colour_by: str = "participation") -> str:
    """The map for the model's current month, coloured by taking part or by trust."""
    c = model.citizens
    hoods = model.hoods
    n_hoods = len(hoods)
    population = np.maximum(hoods.population, 1)
    took_part = np.bincount(c.hood, weights=c.participated, minlength=n_hoods) / population
    trust = np.bincount(c.hood, weights=c.trust, minlength=n_hoods) / population
    online = np.bincount(c.hood, weights=c.adopted, minlength=n_hoods) / population

    if colour_by == "trust":
        fills = trust_colour(c.trust[layout.rows])
        hood_fill = trust_colour(trust)
        hood_opacity = np.full(n_hoods, 0.35)
    else:
        fills = np.where(c.participated[layout.rows], TOOK_PART, DID_NOT)
        hood_fill = np.full(n_hoods, TOOK_PART)
        hood_opacity = 0.04 + 0.6 * np.clip(took_part / 0.4, 0, 1)

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {layout.height}" width="100%" role="img" '
        f'aria-label="{escape(_(labels.NETWORK_TITLE))}" xmlns="http://www.w3.org/2000/svg">',
        layout.background,
    ]
    many = model.scenario.population.municipalities > 1
    below = layout.radius + FONT + 1  # from a circle's centre to its label's first line
    texts = []  # labels go over the ties, on a white halo, so that lines do not cross them
    for h in range(n_hoods):
        x, y = layout.hood_xy[h]
        name = _("Neighbourhood {number}").format(number=h + 1)
        if many:
            name = _("Neighbourhood {number} (municipality {municipality})").format(
                number=h + 1, municipality=int(hoods.municipality[h]) + 1
            )
        status = status_word(float(hoods.ses_mean[h]))
        tip = _(
            "{name}, {standing}: {residents} residents · {took_part} took part this month · "
            "trust {trust}/100 · {online} use the digital channel"
        ).format(
            name=name,
            standing=status,
            residents=number(int(hoods.population[h])),
            took_part=percent(took_part[h]),
            trust=number(100 * trust[h]),
            online=percent(online[h]),
        )
        if colour_by != "trust":
            shown = percent(took_part[h])
        else:
            shown = _("trust {trust}").format(trust=number(100 * trust[h]))
        if layout.label_lines == 2:
            label = (
                f'<tspan x="{x:.1f}">{escape(f"{h + 1} · {status}")}</tspan>'
                f'<tspan x="{x:.1f}" dy="{LINE}">{escape(shown)}</tspan>'
            )
        elif layout.label_lines == 1:
            one = (
                percent(took_part[h]) if colour_by != "trust" else f"{number(100 * trust[h])}/100"
            )
            label = escape(one)
        else:  # no room: the tooltip says it all
            label = ""
        parts.append(
            f'<g class="hood" data-hood="{h + 1}"><title>{escape(tip)}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{layout.radius:.1f}" fill="{hood_fill[h]}" '
            f'fill-opacity="{hood_opacity[h]:.2f}" stroke="#78909c" stroke-width="1"/></g>'
        )
        if label:
            texts.append(
                f'<text class="hood-label" data-hood="{h + 1}" x="{x:.1f}" y="{y + below:.1f}" '
                f'text-anchor="middle" font-size="{FONT}" fill="#455a64" stroke="#fff" '
                f'stroke-width="3" stroke-linejoin="round" paint-order="stroke">'
                f"<title>{escape(tip)}</title>{label}</text>"
            )
    parts.append(layout.static)
    parts.append(
        '<g class="residents">'
        + "".join(p + f + '"/>' for p, f in zip(layout.dot_prefix, fills, strict=True))
        + "</g>"
        + "".join(texts)
        + "</svg>"
    )
    return (
        f'<div class="coprod-network" data-colour="{colour_by}" data-month="{model.steps}" '
        f'data-dots="{len(layout.rows)}">' + "".join(parts) + _legend(layout, colour_by) + "</div>"
    )


def _legend(layout: NetworkLayout, colour_by: str) -> str:
    if colour_by == "trust":
        stops = "".join(
            f'<i style="background:{c};margin:0;border-radius:0"></i>' for c in TRUST_PALETTE
        )
        low, high = escape(_("low trust")), escape(_("high trust"))
        key = f'<span class="coprod-legend-item">{low} {stops} {high}</span>'
    else:
        took_part, did_not = _("took part this month"), _("did not")
        key = (
            f'<span class="coprod-legend-item"><i style="background:{TOOK_PART}"></i>'
            f"{escape(took_part)}</span>"
            f'<span class="coprod-legend-item"><i style="background:{DID_NOT}"></i>'
            f"{escape(did_not)}</span>"
        )
    if layout.sampled:
        sample = _("showing a sample of {shown} of {total} residents").format(
            shown=number(len(layout.rows)), total=number(layout.total)
        )
    else:
        sample = _("all {total} residents").format(total=number(layout.total))
    return (
        f'<div class="coprod-legend">{key}<span class="coprod-note">{escape(sample)}</span></div>'
    )
