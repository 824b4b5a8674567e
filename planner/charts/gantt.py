"""Umsetzungsfahrplan: the roadmap as a Gantt chart, one row per measure, grouped by dimension
in the model's order, with the backlog and a legend beside it (as in Steinfurt's Abbildung 6).

Layout is computed in inches: the chart's y axis counts inches from its top, its x axis months
from the window's start. So the figure grows with the rows and every row keeps its height.
"""

from __future__ import annotations

import calendar
import textwrap
from dataclasses import dataclass
from datetime import date

from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.path import Path as MplPath

from ..domain.catalogue import catalogue
from ..domain.german import berlin_today, german_date
from ..domain.months import Month
from ..domain.roadmap_view import Bar, RoadmapView, roadmap_view
from ..domain.schedule import Analysis, analyse, ready_month
from ..domain.strategy import Status, Strategy
from .common import GRID, INK, MUTED, lighter, new_figure

MONTHS_DE = ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]
# magenta: no dimension uses it (redige.yaml), nor its cross-hatch (completed bars: ////, overdue: \\\\)
CONFLICT = "#c2007a"
CRITICAL = "#000000"
TODAY = "#0b5394"
BASELINE = "#8d949c"
OUTSIDE_PLAN = "#e9ecef"  # months drawn beyond the plan period
PLAN_EDGE = "#1b1f24"
OVERDUE_HATCH = "\\\\\\\\"  # back-slanted, unlike the completed bars (a dotted hatch makes SVGs huge)
PLAN_BAND = 0.3  # inches above the header for the plan period band, when the window is widened
ARROW = "#5f6b78"

WIDTH = 13.6
LABEL_W = 4.1  # row labels
SIDE_W = 3.05  # legend and backlog
GAP = 0.3
LEFT = 0.2
TOP = 1.45  # title and the year / quarter / month header
BOTTOM = 0.75
ROW_H = 0.29
ROW_H2 = 0.4  # a row whose title needs two lines
HEAD_H = 0.34
LINE_H = 0.2  # one line of text in the side panel
LABEL_CHARS = 56  # per line; a longer title wraps onto a second line
LABEL_PAD = 0.2  # inches between a row's label and the chart: room for ◀ and ⚠ at the window's start
SIDE_CHARS = 34

Baseline = dict[str, tuple[Month | None, Month | None]]


@dataclass
class _Row:
    y: float  # centre, inches from the chart's top
    bar: Bar
    label: str  # one or two lines
    h: float = ROW_H


class _Boxes:
    """The chart's plain rectangles (no hatch): one collection per z-order, clipping and transform
    instead of one artist per rectangle. A Fahrplan has some 140 of them (bars, stripes, bands,
    headers, outlines); as artists they were a third of a cold SVG's time. A collection takes its
    place among the artists where its first rectangle was added, so the drawing order stays."""

    def __init__(self, ax) -> None:
        self.ax = ax
        # by (z-order, clipping, id of the transform: the collection holds the transform alive)
        self.groups: dict[tuple, tuple[PolyCollection, list, list, list, list]] = {}

    def add(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        *,
        facecolor: str = "none",
        edgecolor: str = "none",
        linewidth: float = 1.0,
        alpha: float | None = None,
        zorder: float = 1,
        clip_on: bool = True,
        transform=None,
    ) -> None:
        key = (zorder, clip_on, id(transform))
        group = self.groups.get(key)
        if group is None:
            collection = PolyCollection(
                [], zorder=zorder, joinstyle="miter", transform=transform or self.ax.transData, clip_on=clip_on
            )
            self.ax.add_collection(collection, autolim=False)
            group = self.groups[key] = (collection, [], [], [], [])
        collection, verts, faces, edges, widths = group
        verts.append(((x, y), (x + width, y), (x + width, y + height), (x, y + height)))
        faces.append(to_rgba(facecolor, alpha))
        edges.append(to_rgba(edgecolor))
        widths.append(linewidth if edgecolor != "none" else 0.0)

    def finish(self) -> None:
        for collection, verts, faces, edges, widths in self.groups.values():
            collection.set_verts(verts)
            collection.set_facecolor(faces)
            collection.set_edgecolor(edges)
            collection.set_linewidth(widths)


def gantt_chart(
    strategy: Strategy,
    analysis: Analysis | None = None,
    *,
    today: date | None = None,
    dependencies: bool = False,
    critical: bool = False,
    baseline: Baseline | None = None,
    baseline_label: str = "Basisplan",
    heading: str = "Umsetzungsfahrplan",
) -> Figure:
    """The Umsetzungsfahrplan as a figure. `today` draws the today line (default: today);
    `baseline` maps measure keys to frozen (start, end) drawn as grey bars under the current ones."""
    today = today or berlin_today()
    analysis = analysis or analyse(strategy)
    view = roadmap_view(strategy, today)
    rows, headers, chart_h = _rows(view)
    side = _side_panel_lines(view, analysis, critical, dependencies, baseline is not None, baseline_label, today)
    side_h = sum(h for h, *_ in side)
    top = TOP + (PLAN_BAND if view.widened else 0)
    height = top + max(chart_h, side_h) + BOTTOM
    fig = new_figure(WIDTH, height)
    chart_w = WIDTH - LEFT - LABEL_W - GAP - SIDE_W
    ax = fig.add_axes(((LEFT + LABEL_W) / WIDTH, (height - top - chart_h) / height, chart_w / WIDTH, chart_h / height))
    ax.set_xlim(0, view.months)
    ax.set_ylim(chart_h, 0)
    ax.set_axis_off()
    boxes = _Boxes(ax)
    _title(fig, heading, strategy, view, today, height)
    _time_axis(ax, boxes, view, chart_h, len(rows) > 25)
    _plan_period(ax, boxes, view, chart_h)
    _groups(ax, boxes, headers, chart_h, view.months, chart_w)
    by_key = {r.bar.measure.key: r for r in rows}
    critical_keys = set(analysis.critical_path) if critical else set()
    if not rows:
        ax.text(
            view.months / 2,
            chart_h / 2,
            "Keine Maßnahme mit Termin im Fahrplanzeitraum.",
            ha="center",
            va="center",
            fontsize=10,
            color=MUTED,
        )
    for i, row in enumerate(rows):
        _row(ax, boxes, row, i, view, chart_w, baseline, row.bar.measure.key in critical_keys, today)
    _conflicts(ax, boxes, analysis, by_key, view)
    if dependencies or critical:
        _arrows(ax, strategy, analysis, by_key, view, dependencies, critical_keys)
    _today_line(ax, view, today, chart_h)
    boxes.finish()
    _draw_side_panel(fig, side, height, top)
    return fig


def _rows(view: RoadmapView) -> tuple[list[_Row], list[tuple[float, object]], float]:
    rows, headers, y = [], [], 0.0
    for dim, bars in view.groups:
        headers.append((y, dim))
        y += HEAD_H
        for bar in bars:
            label = _label(bar.measure.title, bar.measure.second_loop)
            h = ROW_H2 if "\n" in label else ROW_H
            rows.append(_Row(y + h / 2, bar, label, h))
            y += h
    return rows, headers, max(y, 3 * ROW_H)


def _title(fig: Figure, heading: str, strategy: Strategy, view: RoadmapView, today: date, height: float) -> None:
    t = fig.dpi_scale_trans
    fig.text(LEFT, height - 0.38, heading, transform=t, fontsize=16, fontweight="bold", color=INK)
    who = f"{strategy.organisation} – {strategy.title}" + (f" ({strategy.version})" if strategy.version else "")
    when = f" · {_period_text(view)} · Stand {german_date(today)}"
    # one line across the figure (about 0.07 inch a character at 9 pt): a very long name is shortened
    who = textwrap.shorten(who, max(40, int((WIDTH - 2 * LEFT) / 0.07) - len(when)), placeholder=" …")
    fig.text(
        LEFT,
        height - 0.62,
        who + when,
        transform=t,
        fontsize=9,
        color=MUTED,
    )


def _period_text(view: RoadmapView) -> str:
    plan = f"Planungszeitraum {view.plan_start.german()} – {view.plan_end.german()}"
    if not view.widened:
        return plan
    return f"{plan} (dargestellt {view.window_start.german()} – {view.window_end.german()})"


def _plan_period(ax, boxes: _Boxes, view: RoadmapView, chart_h: float) -> None:
    """Months beyond the plan period shaded, its edges drawn, and a labelled band above the header."""
    if not view.widened:
        return
    x0 = max(_x(view.plan_start, view), 0.0)
    x1 = min(_x(view.plan_end, view) + 1, float(view.months))
    for a, b in ((0.0, x0), (x1, float(view.months))):
        if b > a:
            boxes.add(a, 0, b - a, chart_h, facecolor=OUTSIDE_PLAN, zorder=0.05)
    for x in (x0, x1):
        ax.plot([x, x], [-1.02, chart_h], color=PLAN_EDGE, linewidth=1.3, zorder=5.5, clip_on=False)
    if x1 > x0:
        _band(ax, boxes, x0, x1 - x0, -1.02, 0.24, "#c9d6e3", "Planungszeitraum", 8.5, "bold")


def _x(month: Month, view: RoadmapView) -> float:
    return float(month - view.window_start)


def _time_axis(ax, boxes: _Boxes, view: RoadmapView, chart_h: float, months_below_too: bool) -> None:
    n = view.months
    month_labels = n <= 36
    # the month lines as three collections (years, quarters, months): one artist each, not one per month
    lines: dict[tuple[str, float], list] = {("#59636e", 1.0): [], ("#a9b2bc", 0.8): [], (GRID, 0.5): []}
    for i in range(n + 1):
        month = view.window_start + i
        if i in (0, n) or month.month == 1:
            style = ("#59636e", 1.0)
        elif month.month in (4, 7, 10):
            style = ("#a9b2bc", 0.8)
        else:
            style = (GRID, 0.5)
        lines[style].append([(i, 0), (i, chart_h)])
    for (colour, width), segments in lines.items():
        if segments:
            ax.add_collection(
                LineCollection(segments, colors=colour, linewidths=width, capstyle="projecting", zorder=0.5),
                autolim=False,
            )
    # year and quarter bands above the chart
    i = 0
    while i < n:
        month = view.window_start + i
        year_len = min(13 - month.month, n - i)
        _band(ax, boxes, i, year_len, -0.74, 0.24, "#dfe6ee", str(month.year), 9, "bold")
        i += year_len
    i = 0
    while i < n:
        month = view.window_start + i
        q_len = min(3 - (month.month - 1) % 3, n - i)
        label = f"Q{(month.month - 1) // 3 + 1}" if q_len >= 2 or n <= 24 else ""
        _band(ax, boxes, i, q_len, -0.48, 0.22, "#eef2f6", label, 8, "normal")
        i += q_len
    if month_labels:
        rows_y = [-0.13] + ([chart_h + 0.14] if months_below_too else [])
        for i in range(n):
            month = view.window_start + i
            label = MONTHS_DE[month.month - 1] if n <= 30 else MONTHS_DE[month.month - 1][0]
            for y in rows_y:
                ax.text(i + 0.5, y, label, ha="center", va="center", fontsize=7.5, color=MUTED, clip_on=False)


def _band(
    ax, boxes: _Boxes, x: float, width: float, y: float, h: float, fill: str, label: str, size: float, weight: str
) -> None:
    boxes.add(x, y, width, h, facecolor=fill, edgecolor="white", linewidth=1.2, clip_on=False)
    if label:
        ax.text(
            x + width / 2,
            y + h / 2,
            label,
            ha="center",
            va="center",
            fontsize=size,
            fontweight=weight,
            color=INK,
            clip_on=False,
        )


def _groups(ax, boxes: _Boxes, headers, chart_h: float, months: int, chart_w: float) -> None:
    label_frac = LABEL_W / chart_w
    beside = ax.get_yaxis_transform()  # x in the axes' width, y in inches
    for y, dim in headers:
        boxes.add(0, y, months, HEAD_H, facecolor=lighter(dim.colour, 0.86), zorder=0.2)
        boxes.add(-label_frac, y + 0.05, 0.012, HEAD_H - 0.1, facecolor=dim.colour, clip_on=False, transform=beside)
        ax.text(
            -label_frac + 0.02,
            y + HEAD_H / 2,
            dim.name,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize=9,
            fontweight="bold",
            color=INK,
            clip_on=False,
        )


def _label(title: str, second_loop: bool) -> str:
    """The row's label: the whole title on one or two lines; only a title too long for two is shortened (…)."""
    text = ("*" if second_loop else "") + title
    if len(text) <= LABEL_CHARS:
        return text
    lines = textwrap.wrap(text, LABEL_CHARS, break_on_hyphens=False)
    if len(lines) > 2:
        rest = " ".join(lines[1:])
        lines = [lines[0], rest[: LABEL_CHARS - 1].rstrip() + "…"]
    return "\n".join(lines)


def _row(
    ax,
    boxes: _Boxes,
    row: _Row,
    index: int,
    view: RoadmapView,
    chart_w: float,
    baseline: Baseline | None,
    on_critical: bool,
    today: date,
) -> None:
    bar, m, y = row.bar, row.bar.measure, row.y
    if index % 2:
        boxes.add(0, y - row.h / 2, view.months, row.h, facecolor="#f4f6f8", zorder=0.1)
    ax.text(
        -LABEL_PAD / chart_w,
        y,
        row.label,
        transform=ax.get_yaxis_transform(),
        ha="right",
        va="center",
        fontsize=8.5,
        linespacing=1.05,
        color=INK,
        fontweight="bold" if on_critical else "normal",
        clip_on=False,
        gid=f"zeile-{m.key}",
    )
    x0, x1 = _x(bar.start, view), _x(bar.end, view) + 1
    colour = bar.dimension.colour
    top, h = (y - 0.36 * ROW_H, 0.5 * ROW_H) if baseline is not None else (y - 0.32 * ROW_H, 0.64 * ROW_H)
    if baseline is not None and m.key in baseline:
        _baseline_bar(boxes, baseline[m.key], view, y)
    if bar.completed:  # finished (open-ended ones too): light, hatched, ✓
        ax.add_artist(
            Rectangle(
                (x0, top),
                x1 - x0,
                h,
                facecolor=lighter(colour, 0.6),
                edgecolor=colour,
                hatch="////",
                linewidth=0.8,
                zorder=2,
            )
        )
    elif m.end is None:  # open-ended: solid, then fading out to the window's end
        fade = min(3.0, (x1 - x0) / 2)
        boxes.add(x0, top, x1 - x0 - fade, h, facecolor=colour, zorder=2)
        steps = 6
        for s in range(steps):
            step = x1 - fade + s * fade / steps
            boxes.add(step, top, fade / steps, h, facecolor=colour, alpha=0.85 - s * 0.13, zorder=2)
    else:
        boxes.add(x0, top, x1 - x0, h, facecolor=colour, zorder=2)
    if bar.overdue_to is not None:
        _overdue_extension(ax, bar, view, top, h, today)  # the critical-path outline stays on the plan
    if on_critical:
        boxes.add(x0, top, x1 - x0, h, edgecolor=CRITICAL, linewidth=2.0, zorder=4)
    if bar.after_window:
        ax.text(
            view.months + 0.05,
            y - 0.1 * ROW_H if baseline else y,
            "▶",
            ha="left",
            va="center",
            fontsize=8,
            color=colour,
            clip_on=False,
        )
    if bar.before_window:
        ax.text(-0.05, y, "◀", ha="right", va="center", fontsize=8, color=colour, clip_on=False, zorder=3)
    if bar.completed:
        _mark(ax, x0, x1, y, view.months, "✓", INK)


def _today_x(today: date, view: RoadmapView) -> float:
    """Where today is on the x axis: its month plus the share of the month gone by."""
    days = calendar.monthrange(today.year, today.month)[1]
    return _x(Month(today.year, today.month), view) + (today.day - 1) / days


def _overdue_extension(ax, bar: Bar, view: RoadmapView, top: float, h: float, today: date) -> float:
    """The months from the planned end to today, for a measure not marked finished: the bar goes
    on, lighter and back-hatched, with a dashed outline. Returns the right end drawn."""
    start = _x(bar.end, view) + 1
    end = max(start, min(_today_x(today, view), float(view.months)))
    if end <= start:
        return start
    colour = bar.dimension.colour
    ax.add_artist(
        Rectangle(
            (start, top),
            end - start,
            h,
            facecolor=lighter(colour, 0.72),
            edgecolor=colour,
            hatch=OVERDUE_HATCH,
            linewidth=0.9,
            linestyle=(0, (2, 1.5)),
            zorder=2,
        )
    )
    return end


def _mark(ax, x0: float, x1: float, y: float, months: int, symbol: str, colour: str, nth: int = 0) -> None:
    """A symbol right after the bar; before it when the bar reaches the window's end; on a white
    patch inside the bar when there is room on neither side."""
    shift = nth * 0.7
    if x1 + 0.9 + shift <= months:
        x, ha, patch = x1 + 0.15 + shift, "left", None
    elif x0 >= 1.0 + shift:
        x, ha, patch = x0 - 0.15 - shift, "right", None
    else:
        x, ha, patch = (
            x0 + 0.2 + shift,
            "left",
            {"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none"},
        )
    ax.text(x, y, symbol, ha=ha, va="center", fontsize=9, color=colour, fontweight="bold", zorder=5, bbox=patch)


def _baseline_bar(boxes: _Boxes, dates: tuple[Month | None, Month | None], view: RoadmapView, y: float) -> None:
    start, end = dates
    if start is None:
        return
    last = end or view.window_end
    if start > view.window_end or last < view.window_start:
        return
    x0 = _x(max(start, view.window_start), view)
    x1 = _x(min(last, view.window_end), view) + 1
    # above the conflict hatch (which spans the whole row), below the critical-path outline
    boxes.add(x0, y + 0.18 * ROW_H, x1 - x0, 0.22 * ROW_H, facecolor=BASELINE, zorder=3.2)


def _conflicts(ax, boxes: _Boxes, analysis: Analysis, by_key: dict[str, _Row], view: RoadmapView) -> None:
    """The months a measure runs before its prerequisite allows, cross-hatched magenta, and ⚠ beside it."""
    too_early: dict[str, Month] = {}
    for c in analysis.conflicts:
        ready = c.prerequisite_ends or c.prerequisite_starts
        too_early[c.measure] = max(ready, too_early.get(c.measure, ready))
    for key, ready in too_early.items():
        row = by_key.get(key)
        if row is None:
            continue
        bar = row.bar
        x0 = _x(bar.start, view)
        x_ready = min(_x(ready, view), _x(bar.end, view) + 1)
        top = row.y - 0.5 * ROW_H
        if x_ready > x0:
            # cross-hatched in magenta above and below the bar (behind it: the bar keeps its
            # dimension colour), framed, so it shows on every dimension colour
            ax.add_artist(
                Rectangle(
                    (x0, top), x_ready - x0, ROW_H, facecolor="white", edgecolor=CONFLICT, hatch="xxxx", zorder=1.9
                )
            )
            boxes.add(x0, top, x_ready - x0, ROW_H, edgecolor=CONFLICT, linewidth=1.6, zorder=3)
        if bar.before_window:  # ◀ has the place before the bar: the warning goes after it
            x1 = _x(bar.end, view) + 1
            _mark(ax, x0, x1, row.y, view.months, "⚠", CONFLICT, nth=1 if bar.completed else 0)
            continue
        ax.text(
            x0 - 0.12,
            row.y,
            "⚠",
            ha="right",
            va="center",
            fontsize=10,
            color=CONFLICT,
            zorder=5,
            clip_on=False,
            fontweight="bold",
        )


def _arrows(
    ax,
    strategy: Strategy,
    analysis: Analysis,
    by_key: dict[str, _Row],
    view: RoadmapView,
    all_links: bool,
    critical_keys: set[str],
) -> None:
    """Elbow arrows from the prerequisite's last month (its start, when open-ended) down or up to
    the dependent: into its start when that comes later, onto its bar when it already runs."""
    conflicting = {(c.depends_on, c.measure) for c in analysis.conflicts}
    path = analysis.critical_path
    critical_edges = set(zip(path, path[1:], strict=False)) if critical_keys else set()
    half = 0.32 * ROW_H
    for m in strategy.measures:
        if m.key not in by_key:
            continue
        for p in m.depends_on:
            if p not in by_key or (not all_links and (p, m.key) not in critical_edges):
                continue
            pre, dep = by_key[p], by_key[m.key]
            anchor = min(max(_x(ready_month(pre.bar.measure), view), 0), view.months - 1) + 0.5
            x_to = _x(dep.bar.start, view)
            down = 1 if dep.y > pre.y else -1
            dep_end = _x(dep.bar.end, view) + 1
            points = [(anchor, pre.y + down * half)]
            if x_to > anchor + 0.2:  # starts later: into its start
                points += [(anchor, dep.y), (x_to, dep.y)]
            elif dep_end < anchor - 0.2:  # over before the prerequisite is: back to its end
                points += [(anchor, dep.y), (dep_end, dep.y)]
            else:  # runs at that month: onto the bar
                points += [(anchor, dep.y - down * half)]
            if (p, m.key) in critical_edges:
                colour, width, style = CRITICAL, 1.4, "-"
            elif (p, m.key) in conflicting:
                colour, width, style = CONFLICT, 1.1, (0, (3, 1.5))
            else:
                colour, width, style = ARROW, 0.8, "-"
            ax.add_artist(
                FancyArrowPatch(
                    path=MplPath(points),
                    arrowstyle="-|>",
                    mutation_scale=7,
                    color=colour,
                    linewidth=width,
                    linestyle=style,
                    zorder=3.5,
                )
            )


def _today_line(ax, view: RoadmapView, today: date, chart_h: float) -> None:
    month = Month(today.year, today.month)
    if not view.window_start <= month <= view.window_end:
        return
    days = calendar.monthrange(today.year, today.month)[1]
    x = _x(month, view) + (today.day - 1) / days
    ax.plot([x, x], [-0.02, chart_h], color=TODAY, linewidth=1.4, linestyle=(0, (4, 2)), zorder=6)
    ax.text(
        x,
        chart_h + 0.42,
        f"heute {german_date(today)}",
        ha="center",
        va="center",
        fontsize=8,
        color=TODAY,
        fontweight="bold",
        clip_on=False,
    )


# --- the side panel: legend and the measures listed apart ------------------------------


def _side_panel_lines(view, analysis, critical, dependencies, with_baseline, baseline_label, today):
    """(height, kind, payload) entries, top to bottom."""
    lines: list[tuple[float, str, object]] = [(0.3, "heading", "Legende")]
    for dim in catalogue().dimensions:
        lines.append((LINE_H, "dimension", dim))
    lines.append((0.12, "space", None))
    lines.append((LINE_H, "sample", ("plain", "geplant / in Umsetzung")))
    lines.append((LINE_H, "sample", ("done", "abgeschlossen (schraffiert, ✓)")))
    lines.append((LINE_H, "sample", ("open", "fortlaufend (ab …), verblasst ▶")))
    if any(b.overdue_to for b in view.bars):
        lines.append((LINE_H, "sample", ("overdue", "Abschluss überfällig: geplantes")))
        lines.append((LINE_H * 0.9, "indent", "Ende bis heute (hell, schraffiert)"))
    lines.append((LINE_H, "sample", ("conflict", "⚠ Zeitkonflikt: beginnt vor Ende")))
    lines.append((LINE_H * 0.9, "indent", "einer Voraussetzung (magenta gekreuzt)"))
    if view.widened:
        lines.append((LINE_H, "sample", ("outside-plan", "außerhalb des Planungszeitraums")))
    if view.window_start <= Month(today.year, today.month) <= view.window_end:
        lines.append((LINE_H, "sample", ("today", f"heute ({german_date(today)})")))
    else:
        lines.append((LINE_H, "text", f"heute ({german_date(today)}): außerhalb des Zeitraums"))
    if any(b.before_window or b.after_window for b in view.bars):
        lines.append((LINE_H, "text", "◀ ▶  beginnt / endet außerhalb der Darstellung"))
    if critical:
        lines.append((LINE_H, "sample", ("critical", f"kritischer Pfad ({analysis.critical_path_months} Monate)")))
    if dependencies:
        lines.append((LINE_H, "sample", ("arrow", "Pfeil: Voraussetzung → Maßnahme")))
        if analysis.conflicts:
            lines.append((LINE_H, "sample", ("conflict-arrow", "rot gestrichelt: im Zeitkonflikt")))
    if with_baseline:
        lines.append((LINE_H, "sample", ("baseline", baseline_label)))
    lines.append((LINE_H, "text", "* in der zweiten Evaluationsschleife ergänzt"))
    for heading, measures in (
        ("Maßnahmen-Backlog", view.backlog),
        ("Ohne Termin", view.unplanned),
        ("Außerhalb der Darstellung", view.outside),
    ):
        if not measures and heading != "Maßnahmen-Backlog":
            continue
        lines.append((0.14, "space", None))
        lines.append((0.3, "heading", heading))
        if not measures:
            lines.append((LINE_H, "text", "keine"))
        for m in measures:
            done = " (abgeschlossen)" if m.status is Status.ABGESCHLOSSEN else ""
            wrapped = textwrap.wrap(m.title + done, SIDE_CHARS) or [m.key]
            for j, part in enumerate(wrapped):
                lines.append((LINE_H * 0.92, "text", ("• " if j == 0 else "  ") + part))
    return lines


def _draw_side_panel(fig: Figure, lines, height: float, top: float) -> None:
    t = fig.dpi_scale_trans
    x = WIDTH - SIDE_W + 0.15
    y = height - top + 0.12
    for h, kind, payload in lines:
        mid = y - h / 2
        if kind == "heading":
            fig.text(x, mid, payload, transform=t, fontsize=10, fontweight="bold", va="center", color=INK)
        elif kind == "dimension":
            fig.add_artist(
                Rectangle((x, mid - 0.06), 0.26, 0.12, transform=t, facecolor=payload.colour, edgecolor="none")
            )
            fig.text(x + 0.36, mid, payload.name, transform=t, fontsize=8.5, va="center", color=INK)
        elif kind == "sample":
            style, label = payload
            _sample(fig, x, mid, style)
            fig.text(x + 0.36, mid, label, transform=t, fontsize=8.5, va="center", color=INK)
        elif kind == "indent":
            fig.text(x + 0.36, mid, payload, transform=t, fontsize=8.5, va="center", color=INK)
        elif kind == "text":
            fig.text(x, mid, payload, transform=t, fontsize=8.5, va="center", color=INK)
        y -= h


def _sample(fig: Figure, x: float, y: float, style: str) -> None:
    t = fig.dpi_scale_trans
    grey = "#4a6a8a"
    box = dict(transform=t, zorder=3)
    if style == "plain":
        fig.add_artist(Rectangle((x, y - 0.05), 0.26, 0.1, facecolor=grey, edgecolor="none", **box))
    elif style == "done":
        fig.add_artist(
            Rectangle(
                (x, y - 0.05),
                0.26,
                0.1,
                facecolor=lighter(grey, 0.6),
                edgecolor=grey,
                hatch="////",
                linewidth=0.8,
                **box,
            )
        )
    elif style == "open":
        for s in range(4):
            fig.add_artist(
                Rectangle(
                    (x + s * 0.065, y - 0.05), 0.065, 0.1, facecolor=grey, alpha=0.9 - s * 0.22, edgecolor="none", **box
                )
            )
    elif style == "conflict":
        fig.add_artist(
            Rectangle(
                (x, y - 0.09), 0.26, 0.18, facecolor="white", edgecolor=CONFLICT, hatch="xxxx", linewidth=1.4, **box
            )
        )
        fig.add_artist(Rectangle((x, y - 0.05), 0.26, 0.1, facecolor=grey, edgecolor="none", transform=t, zorder=4))
    elif style == "overdue":
        fig.add_artist(Rectangle((x, y - 0.05), 0.12, 0.1, facecolor=grey, edgecolor="none", **box))
        fig.add_artist(
            Rectangle(
                (x + 0.12, y - 0.05),
                0.14,
                0.1,
                facecolor=lighter(grey, 0.72),
                edgecolor=grey,
                hatch=OVERDUE_HATCH,
                linewidth=0.9,
                linestyle=(0, (2, 1.5)),
                **box,
            )
        )
    elif style == "outside-plan":
        fig.add_artist(Rectangle((x, y - 0.08), 0.26, 0.16, facecolor=OUTSIDE_PLAN, edgecolor=PLAN_EDGE, **box))
    elif style == "today":
        fig.add_artist(
            Rectangle((x + 0.12, y - 0.08), 0.0, 0.16, edgecolor=TODAY, linewidth=1.4, linestyle=(0, (4, 2)), **box)
        )
    elif style == "critical":
        fig.add_artist(Rectangle((x, y - 0.05), 0.26, 0.1, facecolor=grey, edgecolor=CRITICAL, linewidth=2, **box))
    elif style == "arrow":
        fig.add_artist(
            FancyArrowPatch(
                (x, y), (x + 0.26, y), arrowstyle="-|>", mutation_scale=7, color=ARROW, linewidth=0.8, transform=t
            )
        )
    elif style == "conflict-arrow":
        fig.add_artist(
            FancyArrowPatch(
                (x, y),
                (x + 0.26, y),
                arrowstyle="-|>",
                mutation_scale=7,
                color=CONFLICT,
                linewidth=1.1,
                linestyle=(0, (3, 1.5)),
                transform=t,
            )
        )
    elif style == "baseline":
        fig.add_artist(Rectangle((x, y - 0.03), 0.26, 0.06, facecolor=BASELINE, edgecolor="none", **box))


# --- text for screen readers and the page ----------------------------------------------


def gantt_text(strategy: Strategy, analysis: Analysis, today: date | None = None) -> tuple[str, str]:
    """Title and description of the chart: what a screen reader announces."""
    view = roadmap_view(strategy, today)
    titles = {m.key: m.title for m in strategy.measures}
    title = f"Umsetzungsfahrplan {view.plan_start.german()} – {view.plan_end.german()}: {strategy.title}"
    counts = ", ".join(f"{dim.name} {len(bars)}" for dim, bars in view.groups)
    parts = [f"Gantt-Diagramm mit {len(view.bars)} Maßnahmen nach Dimension ({counts})."]
    if view.widened:
        parts.append(
            f"Dargestellt {view.window_start.german()} – {view.window_end.german()}, damit heute "
            f"({german_date(today or berlin_today())}) und jede terminierte Maßnahme sichtbar sind; "
            "die Monate außerhalb des Planungszeitraums sind grau hinterlegt."
        )
    overdue = [b for b in view.bars if b.overdue_to is not None]
    if overdue:
        names = ", ".join(f"„{b.measure.title}“ (geplant bis {b.measure.end.german()})" for b in overdue)
        parts.append(f"Abschluss überfällig, Balken bis heute verlängert: {names}.")
    if analysis.conflicts:
        items = "; ".join(
            f"„{titles[c.measure]}“ beginnt {c.starts.german()}, hängt aber von „{titles[c.depends_on]}“ ab ("
            + (
                f"endet {c.prerequisite_ends.german()}"
                if c.prerequisite_ends
                else f"fortlaufend ab {c.prerequisite_starts.german()}"
            )
            + ")"
            for c in analysis.conflicts
        )
        n = len(analysis.conflicts)
        parts.append(f"{n} Zeitkonflikt{'' if n == 1 else 'e'}: {items}.")
    else:
        parts.append("Keine Zeitkonflikte.")
    if analysis.critical_path:
        chain = " → ".join(f"„{titles[k]}“" for k in analysis.critical_path)
        parts.append(f"Kritischer Pfad ({analysis.critical_path_months} Monate): {chain}.")
    if view.backlog:
        parts.append("Maßnahmen-Backlog: " + ", ".join(f"„{m.title}“" for m in view.backlog) + ".")
    return title, " ".join(parts)
