"""A small line chart per impact indicator: measured values over time, baseline and target as lines."""

from __future__ import annotations

import math
from datetime import timedelta

from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..domain.german import german_date, number
from ..domain.verstetigung import Indicator
from .common import GRID, INK, MUTED, new_figure

VALUE = "#1f5fa8"
TARGET = "#1b7a3a"


def indicator_chart(ind: Indicator) -> Figure:
    """Values as a line with points; baseline dotted grey, target dashed green."""
    fig = new_figure(4.8, 2.5)
    ax = fig.add_axes((0.13, 0.27, 0.83, 0.6))
    # inf and nan (stored before such input was refused) cannot be drawn: left out
    values = sorted((v for v in ind.values if math.isfinite(v.value)), key=lambda v: v.measured)
    baseline = ind.baseline if ind.baseline is not None and math.isfinite(ind.baseline) else None
    target = ind.target if ind.target is not None and math.isfinite(ind.target) else None
    if values:
        ax.plot(
            [v.measured for v in values],
            [v.value for v in values],
            color=VALUE,
            marker="o",
            linewidth=2,
            label="gemessen",
        )
        for v in values:
            ax.annotate(
                number(v.value),
                (v.measured, v.value),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7,
                color=INK,
            )
    if baseline is not None:
        ax.axhline(baseline, color=MUTED, linestyle=":", linewidth=1.5, label=f"Ausgangswert {number(baseline)}")
    if target is not None:
        ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.5, label=f"Zielwert {number(target)}")
    ax.set_title(ind.name, fontsize=9, color=INK, loc="left")
    ax.set_ylabel(ind.unit or "Wert", fontsize=8, color=MUTED)
    ax.tick_params(labelsize=7, colors=INK)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))  # 0,5 not 0.5
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=5))
    ax.xaxis.set_major_formatter(DateFormatter("%m/%Y"))
    if len(values) == 1:  # a single point: room either side, so it is not drawn on the frame
        ax.set_xlim(values[0].measured - timedelta(days=60), values[0].measured + timedelta(days=60))
    ax.grid(True, color=GRID, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if not values:
        ax.text(
            0.5, 0.5, "noch keine Messwerte", transform=ax.transAxes, ha="center", va="center", fontsize=8, color=MUTED
        )
        ax.set_xticks([])
    ax.margins(y=0.18)
    if not (values or baseline is not None or target is not None):
        ax.set_yticks([])
        return fig
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=7, frameon=False)
    return fig


def indicator_text(ind: Indicator) -> tuple[str, str]:
    """Title and description for screen readers."""
    unit = f" {ind.unit}" if ind.unit else ""
    parts = [
        f"Ausgangswert {number(ind.baseline)}{unit}" if ind.baseline is not None else "kein Ausgangswert",
        f"Zielwert {number(ind.target)}{unit}" if ind.target is not None else "kein Zielwert",
    ]
    values = sorted(ind.values, key=lambda v: v.measured)
    if values:
        parts.append("Messwerte: " + ", ".join(f"{german_date(v.measured)} {number(v.value)}{unit}" for v in values))
    else:
        parts.append("noch keine Messwerte")
    return f"Indikator {ind.name}", "; ".join(parts) + "."
