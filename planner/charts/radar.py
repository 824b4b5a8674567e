"""Radar of the 8 ReDiGe dimensions: baseline, latest assessment and target.

The radial axis runs from "–" (stage 0 not met) through 0 to 4; stage 3, the minimum
requirement, is drawn as a heavier ring. Series differ by line style and marker as well as
colour, so the chart reads without colour. A dimension without data leaves a gap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..domain.catalogue import catalogue
from ..domain.maturity import Level, level_label
from .common import GRID, INK, MUTED, new_figure, render

# colour, line style, marker, fill alpha – distinguishable in greyscale too
STYLES = {
    "target": ("#505a66", (0, (5, 3)), "s", 0.0),
    "baseline": ("#c2571a", "-", "o", 0.08),
    "latest": ("#0b5394", "-", "D", 0.18),
}
NONE_R = -1  # where "–" sits on the radial axis


@dataclass(frozen=True)
class RadarSeries:
    """One polygon: a label for the legend, dimension levels (absent = no data) and its style."""

    label: str
    levels: Mapping[str, Level]
    style: str


def _values(levels: Mapping[str, Level]) -> list[float]:
    return [
        (NONE_R if levels[d] is None else levels[d]) if d in levels else math.nan for d in catalogue().dimension_names
    ]


def describe(series: list[RadarSeries]) -> str:
    """The chart's data as one German sentence per series (the SVG's <desc>)."""
    parts = []
    for s in series:
        values = ", ".join(
            f"{d} {level_label(s.levels[d]) if d in s.levels else 'keine Daten'}" for d in catalogue().dimension_names
        )
        parts.append(f"{s.label}: {values}.")
    return " ".join(parts)


def radar_chart(series: list[RadarSeries], fmt: str = "svg", title: str = "Reifegrad je Dimension") -> bytes:
    """The radar as SVG, PNG or PDF bytes."""
    cat = catalogue()
    n = len(cat.dimensions)
    angles = [2 * math.pi * i / n for i in range(n)]
    fig = new_figure(8.4, 7.0)
    ax = fig.add_axes((0.24, 0.14, 0.52, 0.62), projection="polar")
    ax.set_theta_offset(math.pi / 2)  # first dimension at the top, then clockwise
    ax.set_theta_direction(-1)
    ax.set_ylim(NONE_R - 0.6, 4)  # "–" gets a ring of its own instead of the centre point
    ax.set_yticks(range(NONE_R, 5))
    ax.set_yticklabels([level_label(None)] + [str(k) for k in range(5)], color=MUTED, fontsize=9)
    ax.set_rlabel_position(360 / n / 2)
    ax.set_xticks(angles)
    ax.set_xticklabels([])
    ax.grid(color=GRID, linewidth=0.8)
    ax.spines["polar"].set_color(GRID)
    ring = [math.radians(a) for a in range(0, 361, 2)]
    ax.plot(ring, [cat.minimum_stage] * len(ring), color=INK, linewidth=2.2, zorder=1)
    for angle, dim in zip(angles, cat.dimensions, strict=True):
        label = dim.name.replace(", ", ",\n", 1) if len(dim.name) > 22 else dim.name
        side = math.sin(angle)  # clockwise from the top: > 0 is the right half
        ha = "left" if side > 0.3 else "right" if side < -0.3 else "center"
        ax.text(angle, 4.6, label, ha=ha, va="center", fontsize=10.5, color=INK)
    closed = [*angles, angles[0]]
    for s in series:
        colour, linestyle, marker, alpha = STYLES[s.style]
        values = _values(s.levels)
        closed_values = [*values, values[0]]
        ax.plot(
            closed,
            closed_values,
            color=colour,
            linestyle=linestyle,
            linewidth=2.2,
            marker=marker,
            markersize=7,
            label=s.label,
            zorder={"target": 3, "baseline": 4, "latest": 5}[s.style],
        )
        if alpha and not any(math.isnan(v) for v in values):
            ax.fill(closed, closed_values, color=colour, alpha=alpha, zorder=2)
    fig.text(0.5, 0.965, title, ha="center", va="top", fontsize=14, fontweight="bold", color=INK)
    fig.text(
        0.5,
        0.925,
        "Stufe 3 (dicker Ring): Mindestanforderung „Digitales Gesundheitsamt 2025“.\n"
        f"Innerster Ring „{level_label(None)}“: Stufe 0 nicht erreicht.",
        ha="center",
        va="top",
        fontsize=9,
        color=MUTED,
    )
    if series:
        fig.legend(
            loc="lower center",
            ncol=len(series),
            frameon=False,
            fontsize=9.5,
            bbox_to_anchor=(0.5, 0.01),
            handlelength=2.6,
            columnspacing=1.2,
        )
    return render(fig, fmt, title, describe(series))
