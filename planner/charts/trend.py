"""The state-wide trend per dimension: one small panel per dimension, year by year.

In each panel the bars are the share of the counted offices at stage 3 or higher (right axis,
0–100 %), the line with markers is the median stage (left axis, 0–4); stage 3, the minimum
requirement, is a dashed line. Bars and line differ in form, not only in colour, so the chart
reads in greyscale; the page shows the same figures in a table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..domain.catalogue import catalogue
from ..domain.german import number
from ..domain.portfolio_progress import TrendPoint
from .common import GRID, INK, MUTED, lighter, new_figure, render

COLUMNS = 4


def describe(trend: Mapping[str, Sequence[TrendPoint]]) -> str:
    """The chart's data as German sentences (the SVG's <desc>)."""
    parts = []
    for name, points in trend.items():
        years = "; ".join(
            f"{p.year}: Median {number(p.median, 1) if p.median is not None else 'keiner'}, "
            f"{p.at_stage_3} von {p.assessed} auf Stufe 3"
            for p in points
        )
        parts.append(f"{name}: {years or 'keine Messungen'}.")
    return " ".join(parts)


def trend_chart(
    trend: Mapping[str, Sequence[TrendPoint]], fmt: str = "svg", title: str = "Entwicklung je Dimension"
) -> bytes:
    """Small multiples of the trend as SVG, PNG or PDF bytes."""
    cat = catalogue()
    rows = -(-len(cat.dimensions) // COLUMNS)
    fig = new_figure(12.0, 3.0 * rows + 0.8)
    stage = cat.minimum_stage
    axes = fig.subplots(rows, COLUMNS, squeeze=False, sharey=True)
    for i, dim in enumerate(cat.dimensions):
        ax = axes[i // COLUMNS][i % COLUMNS]
        points = list(trend.get(dim.name, []))
        years = [p.year for p in points]
        share = ax.twinx()
        share.set_ylim(-5, 105)  # aligned with the stage axis: 0 % at stage 0, 100 % at stage 4
        share.set_yticks(range(0, 101, 25))
        share.bar(
            years,
            [100 * p.at_stage_3 / p.assessed if p.assessed else 0 for p in points],
            width=0.6,
            color=lighter(dim.colour, 0.55),
            edgecolor=dim.colour,
            hatch="//",
            zorder=1,
        )
        share.tick_params(labelsize=8, colors=MUTED)
        if i % COLUMNS == COLUMNS - 1:
            share.set_ylabel("Anteil auf Stufe 3 (%)", fontsize=8, color=MUTED)
        else:
            share.set_yticklabels([])
        ax.set_zorder(share.get_zorder() + 1)  # the median line above the bars
        ax.patch.set_visible(False)
        median_years = [p.year for p in points if p.median is not None]
        ax.plot(median_years, [p.median for p in points if p.median is not None], color=INK, marker="o", linewidth=2)
        ax.axhline(stage, color=MUTED, linestyle=(0, (4, 3)), linewidth=1)
        ax.set_ylim(-0.2, 4.2)
        ax.set_yticks(range(5))
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], fontsize=8, rotation=45 if len(years) > 6 else 0)
        ax.tick_params(labelsize=8, colors=INK)
        if i % COLUMNS == 0:
            ax.set_ylabel("Median (Stufe)", fontsize=8, color=MUTED)
        ax.set_title(dim.name, fontsize=9, color=INK, loc="left")
        if not points:
            ax.text(0.5, 0.5, "keine Messungen", transform=ax.transAxes, ha="center", color=MUTED)
    fig.suptitle(
        f"{title}: Median (Linie) und Anteil der Ämter auf Stufe {stage} (Balken), Stand jeweils zum Jahresende",
        fontsize=10,
        color=INK,
    )
    fig.subplots_adjust(left=0.06, right=0.94, top=0.88, bottom=0.1, hspace=0.5, wspace=0.25)
    return render(fig, fmt, title, describe(trend))
