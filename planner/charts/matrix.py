"""Maßnahmenbewertung: every measure placed by Dringlichkeit (up) and Machbarkeit (right), as a
numbered dot in its dimension's colour, with the numbered list beside it (Steinfurt's
Abbildung 5). Measures with an unknown rating sit apart, in a dashed strip "unbekannt".

Drawn in inches on one axes that covers the figure, so cells grow with their contents.
"""

from __future__ import annotations

import math
import textwrap

from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from ..domain.catalogue import catalogue
from ..domain.roadmap_view import numbered
from ..domain.strategy import Measure, Rating, Status, Strategy
from .common import INK, MUTED, lighter, new_figure

MAIN_LEVELS = (Rating.GERING, Rating.MITTEL, Rating.HOCH)
DOT = 0.34  # diameter, inches
PITCH = 0.42  # distance between dots
PER_ROW = 3
CELL_W = PER_ROW * PITCH + 0.3
LEFT = 1.55  # room for the Dringlichkeit labels
TOP = 1.25
BOTTOM = 0.95
GAP = 0.35  # between the grid and the "unbekannt" strip
LEGEND_W = 4.3
LINE_H = 0.2
LEGEND_CHARS = 50

Key = tuple[Rating | None, Rating | None]  # (urgency, feasibility)


def levels(measures: list[Measure], attribute: str) -> list[Rating]:
    """The three main levels, plus the in-between ones the measures use (e.g. gering/mittel)."""
    used = {getattr(m, attribute) for m in measures} - {None}
    return [r for r in Rating if r in MAIN_LEVELS or r in used]


def matrix_cells(strategy: Strategy) -> dict[Key, list[tuple[int, Measure]]]:
    """Numbered measures by (Dringlichkeit, Machbarkeit); None stands for unknown."""
    cells: dict[Key, list[tuple[int, Measure]]] = {}
    for number, m in numbered(strategy):
        cells.setdefault((m.urgency, m.feasibility), []).append((number, m))
    return cells


def matrix_chart(strategy: Strategy) -> Figure:
    """The urgency × feasibility grid with numbered dots and the legend list."""
    items = numbered(strategy)
    measures = [m for _, m in items]
    cells = matrix_cells(strategy)
    cols = levels(measures, "feasibility")
    rows = levels(measures, "urgency")
    unknown_col = any(f is None for (_, f) in cells)
    unknown_row = any(u is None for (u, _) in cells)

    def rows_needed(count: int) -> int:
        return max(1, math.ceil(count / PER_ROW))

    row_h = {
        u: max(0.9, rows_needed(max((len(cells.get((u, f), [])) for f in [*cols, None]), default=0)) * PITCH + 0.3)
        for u in [*rows, None]
    }
    grid_w = len(cols) * CELL_W + ((GAP + CELL_W) if unknown_col else 0)
    grid_h = sum(row_h[u] for u in rows) + ((GAP + row_h[None]) if unknown_row else 0)
    legend_h = (
        0.35
        + sum(LINE_H * len(_legend_lines(m)) for m in measures)
        + (0.1 + LINE_H) * len({m.dimension for m in measures})
    )
    width = LEFT + grid_w + 0.5 + LEGEND_W
    height = TOP + max(grid_h, legend_h + 0.5) + BOTTOM
    fig = new_figure(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()

    ax.text(0.25, height - 0.4, "Maßnahmenbewertung", fontsize=16, fontweight="bold", color=INK, va="center")
    ax.text(
        0.25,
        height - 0.68,
        # one line across the figure (about 0.07 inch a character at 9 pt): a very long name is shortened
        textwrap.shorten(
            f"{strategy.organisation} – {strategy.title}", max(40, int((width - 0.5) / 0.07) - 50), placeholder=" …"
        )
        + f": Dringlichkeit × Machbarkeit, {len(measures)} Maßnahmen",
        fontsize=9,
        color=MUTED,
        va="center",
    )

    # columns left to right, rows bottom (gering) to top (hoch); the unknown strips apart
    col_x = {f: LEFT + i * CELL_W for i, f in enumerate(cols)}
    if unknown_col:
        col_x[None] = LEFT + len(cols) * CELL_W + GAP
    top = height - TOP
    row_y: dict[Rating | None, float] = {}
    y = top
    for u in reversed(rows):
        y -= row_h[u]
        row_y[u] = y
    if unknown_row:
        y -= GAP + row_h[None]
        row_y[None] = y

    for u, y0 in row_y.items():
        for f, x0 in col_x.items():
            known = u is not None and f is not None
            ax.add_patch(
                Rectangle(
                    (x0, y0),
                    CELL_W,
                    row_h[u],
                    facecolor=_cell_fill(u, f) if known else "white",
                    edgecolor="#7d8792" if known else "#9aa3ad",
                    linewidth=0.9 if known else 1.0,
                    linestyle="-" if known else (0, (4, 3)),
                )
            )
            for k, (number, m) in enumerate(cells.get((u, f), [])):
                cx = x0 + 0.15 + PITCH / 2 + (k % PER_ROW) * PITCH
                cy = y0 + row_h[u] - 0.15 - PITCH / 2 - (k // PER_ROW) * PITCH
                _dot(ax, cx, cy, number, m)
        label = u.value if u is not None else "unbekannt"
        ax.text(
            LEFT - 0.12,
            y0 + row_h[u] / 2,
            label,
            ha="right",
            va="center",
            fontsize=9,
            color=INK,
            fontstyle="normal" if u is not None else "italic",
        )
    for f, x0 in col_x.items():
        ax.text(
            x0 + CELL_W / 2,
            min(row_y.values()) - 0.2,
            f.value if f is not None else "unbekannt",
            ha="center",
            va="center",
            fontsize=9,
            color=INK,
            fontstyle="normal" if f is not None else "italic",
        )
    known_w = len(cols) * CELL_W
    ax.annotate(
        "",
        xy=(LEFT + known_w, min(row_y.values()) - 0.5),
        xytext=(LEFT, min(row_y.values()) - 0.5),
        arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1},
    )
    ax.text(
        LEFT + known_w / 2,
        min(row_y.values()) - 0.7,
        "Machbarkeit",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        color=INK,
    )
    known_bottom = row_y[rows[0]]
    ax.annotate(
        "", xy=(0.35, top), xytext=(0.35, known_bottom), arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1}
    )
    ax.text(
        0.2,
        (top + known_bottom) / 2,
        "Dringlichkeit",
        rotation=90,
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        color=INK,
    )
    _legend(ax, LEFT + grid_w + 0.5, top, items)
    return fig


def _cell_fill(u: Rating, f: Rating) -> str:
    """Quietly darker towards urgent and feasible: where a roadmap starts."""
    return lighter("#5b7fa6", 0.93 - 0.035 * (u.rank + f.rank - 2))


def _dot(ax, cx: float, cy: float, number: int, m: Measure) -> None:
    dim = catalogue().dimension(m.dimension)
    colour = dim.colour if dim else "#4a4a4a"
    backlog = m.status is Status.BACKLOG
    ax.add_patch(
        Circle(
            (cx, cy),
            DOT / 2,
            facecolor="white" if backlog else colour,
            edgecolor=colour,
            linewidth=1.6,
            linestyle=(0, (2, 1)) if backlog else "-",
            zorder=3,
        )
    )
    ax.text(
        cx,
        cy,
        str(number),
        ha="center",
        va="center",
        fontsize=8,
        fontweight="bold",
        color=colour if backlog else "white",
        zorder=4,
    )


def _legend_lines(m: Measure) -> list[str]:
    suffix = " (Backlog)" if m.status is Status.BACKLOG else ""
    return textwrap.wrap(("*" if m.second_loop else "") + m.title + suffix, LEGEND_CHARS) or [m.key]


def _legend(ax, x: float, top: float, items: list[tuple[int, Measure]]) -> None:
    y = top - 0.1
    ax.text(x, y, "Maßnahmen", fontsize=10, fontweight="bold", color=INK, va="center")
    y -= 0.35
    current = None
    for number, m in items:
        dim = catalogue().dimension(m.dimension)
        if dim is not None and dim != current:
            current = dim
            y -= 0.1
            ax.text(x, y, dim.name, fontsize=8, fontweight="bold", color=MUTED, va="center")
            y -= LINE_H
        colour = dim.colour if dim else "#4a4a4a"
        lines = _legend_lines(m)
        ax.add_patch(
            Circle(
                (x + 0.1, y),
                0.07,
                facecolor="white" if m.status is Status.BACKLOG else colour,
                edgecolor=colour,
                linewidth=1.2,
            )
        )
        ax.text(x + 0.48, y, str(number), ha="right", va="center", fontsize=8, fontweight="bold", color=INK)
        for j, line in enumerate(lines):
            ax.text(x + 0.6, y - j * LINE_H, line, ha="left", va="center", fontsize=8, color=INK)
        y -= LINE_H * len(lines)
    y -= 0.2
    ax.text(
        x,
        y,
        "Farbe: Dimension · hohler Kreis: Backlog · * zweite Evaluationsschleife",
        fontsize=7.5,
        color=MUTED,
        va="center",
    )


def matrix_text(strategy: Strategy) -> tuple[str, str]:
    """Title and description for screen readers."""
    cells = matrix_cells(strategy)
    parts = []
    for (u, f), items in sorted(
        cells.items(),
        key=lambda kv: (
            kv[0][0] is None,
            -(kv[0][0].rank if kv[0][0] else 0),
            kv[0][1] is None,
            -(kv[0][1].rank if kv[0][1] else 0),
        ),
    ):
        where = f"Dringlichkeit {u.value if u else 'unbekannt'}, Machbarkeit {f.value if f else 'unbekannt'}"
        parts.append(f"{where}: " + ", ".join(f"{n} {m.title}" for n, m in items))
    total = sum(len(v) for v in cells.values())
    title = f"Maßnahmenbewertung: {strategy.title}"
    return title, f"Matrix Dringlichkeit × Machbarkeit mit {total} Maßnahmen. " + "; ".join(parts) + "."
