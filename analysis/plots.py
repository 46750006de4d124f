"""Figures of a run's measures: participation, adoption, trust and the three value families."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

#: Panels of the overview figure: title and the measures drawn in it.
PANELS: dict[str, tuple[str, ...]] = {
    "Participation": ("participation_rate", "coproduction_rate", "cocreation_rate"),
    "Digital channel and inequality": ("adoption", "participation_gap", "top10_share"),
    "Citizens' trust and efficacy": ("trust", "efficacy", "intrinsic_motivation"),
    "Performing governance": ("effectiveness", "efficiency"),
    "Responsive governance": ("responsiveness", "satisfaction", "participation_rate"),
    "Proper governance": ("lawfulness", "equality", "integrity"),
}


def overview_figure(model_vars: pd.DataFrame, title: str = "") -> Figure:
    """Six panels of the main measures over time (months)."""
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5), sharex=True, constrained_layout=True)
    for ax, (panel, columns) in zip(axes.ravel(), PANELS.items(), strict=True):
        for column in columns:
            ax.plot(model_vars.index, model_vars[column], label=column.replace("_", " "))
        ax.set_title(panel)
        ax.set_ylim(-0.05 if panel.startswith("Digital") else 0.0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    for ax in axes[1]:
        ax.set_xlabel("month")
    if title:
        fig.suptitle(title)
    return fig


def save_figure(fig: Figure, path) -> None:
    """Save a figure as PNG atomically and close it."""
    from coprod.analysis.output import atomic_write

    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    plt.close(fig)
