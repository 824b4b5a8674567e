"""The dependency graph as a picture: measures as boxes in their dimension's colour, laid out in
waves from left to right (prerequisites left of what builds on them), conflicts in red,
redundant links dotted. Measures without any link are listed in a compact block below.

Layered layout without graphviz: layers from the topological waves, order within a layer by
the barycentre of the neighbours (a few sweeps), which keeps crossings down.
"""

from __future__ import annotations

import textwrap

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path as MplPath

from ..domain.catalogue import catalogue
from ..domain.graph import build_graph, topological_layers
from ..domain.roadmap_view import numbered
from ..domain.schedule import Analysis, analyse, tie_key
from ..domain.strategy import Measure, Status, Strategy
from .common import INK, MUTED, lighter, new_figure
from .gantt import CONFLICT

NODE_W = 2.6
NODE_H = 0.78
LAYER_GAP = 1.0
ROW_GAP = 0.22
MARGIN = 0.4
TOP_TITLE = 0.78  # the title; the subtitle lines and the legend rows follow
SUB_LINE = 0.19  # one subtitle line
TITLE_CHARS = 30
MIN_WIDTH = 13.0
ISOLATED_COLS_MIN = 4


def layout(strategy: Strategy) -> tuple[list[list[str]], list[str]]:
    """Layers of linked measures (left to right) and the measures without any link."""
    members = [m for m in strategy.measures if m.status is not Status.VERWORFEN]
    by_key = {m.key: m for m in members}
    graph = build_graph(members)
    isolated = sorted((k for k in graph if graph.degree(k) == 0), key=lambda k: tie_key(by_key[k]))
    linked = graph.subgraph([k for k in graph if graph.degree(k) > 0])
    layers, blocked = topological_layers(linked)
    layers = [sorted(layer, key=lambda k: tie_key(by_key[k])) for layer in layers]
    if blocked:  # a cycle (only possible for unchecked input): show its measures in a last column
        layers.append(sorted(blocked, key=lambda k: tie_key(by_key[k])))
    return _reduce_crossings(linked, layers), isolated


def _reduce_crossings(graph: nx.DiGraph, layers: list[list[str]], sweeps: int = 4) -> list[list[str]]:
    position = {k: i for layer in layers for i, k in enumerate(layer)}
    for sweep in range(sweeps):
        indices = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        for li in indices:
            neighbours = graph.predecessors if sweep % 2 == 0 else graph.successors

            def centre(k: str, neighbours=neighbours) -> float:
                found = [position[n] for n in neighbours(k) if n in position]
                return sum(found) / len(found) if found else position[k]

            layers[li] = sorted(layers[li], key=lambda k: (centre(k), position[k]))
            position.update({k: i for i, k in enumerate(layers[li])})
    return layers


def dependency_chart(strategy: Strategy, analysis: Analysis | None = None) -> Figure:
    """The picture of the dependency graph."""
    analysis = analysis or analyse(strategy)
    numbers = {m.key: n for n, m in numbered(strategy)}
    by_key = {m.key: m for m in strategy.measures}
    layers, isolated = layout(strategy)
    tallest = max((len(layer) for layer in layers), default=0)
    graph_w = len(layers) * NODE_W + max(len(layers) - 1, 0) * LAYER_GAP
    width = max(MIN_WIDTH, graph_w + 2 * MARGIN)
    gap = (
        LAYER_GAP
        if len(layers) < 2
        else max(LAYER_GAP, (width - 2 * MARGIN - len(layers) * NODE_W) / (len(layers) - 1))
    )
    gap = min(gap, 2.6)
    graph_h = tallest * (NODE_H + ROW_GAP)
    cols = max(ISOLATED_COLS_MIN, int((width - 2 * MARGIN + ROW_GAP) // (NODE_W + ROW_GAP)))
    iso_rows = -(-len(isolated) // cols) if isolated else 0
    iso_h = (0.55 + iso_rows * (NODE_H + ROW_GAP)) if isolated else 0
    legend = _legend_rows(width)
    chars = int((width - 2 * MARGIN) / SUB_CHAR_W)
    subtitle = textwrap.wrap(f"{strategy.organisation} – {strategy.title}", chars) + textwrap.wrap(
        "Voraussetzungen links, darauf aufbauende Maßnahmen rechts (Spalten = Wellen der logischen Reihenfolge)", chars
    )
    head_h = TOP_TITLE + len(subtitle) * SUB_LINE
    top_h = head_h + len(legend) * LEGEND_ROW + 0.25
    height = top_h + graph_h + iso_h + MARGIN + (0.4 if not layers else 0)
    fig = new_figure(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    ax.text(
        MARGIN, height - 0.4, "Abhängigkeiten der Maßnahmen", fontsize=16, fontweight="bold", color=INK, va="center"
    )
    for i, line in enumerate(subtitle):
        ax.text(MARGIN, height - 0.68 - i * SUB_LINE, line, fontsize=9, color=MUTED, va="center")
    _legend(ax, legend, height - head_h - 0.1)

    centre: dict[str, tuple[float, float]] = {}
    layer_of: dict[str, int] = {}
    columns: list[tuple[float, list[float]]] = []  # per layer: left edge, node centres top to bottom
    top = height - top_h
    x0 = MARGIN + max(0.0, (width - 2 * MARGIN - (len(layers) * NODE_W + (len(layers) - 1) * gap)) / 2)
    for li, layer in enumerate(layers):
        x = x0 + li * (NODE_W + gap)
        offset = (tallest - len(layer)) * (NODE_H + ROW_GAP) / 2
        for ri, k in enumerate(layer):
            y = top - offset - ri * (NODE_H + ROW_GAP) - NODE_H
            centre[k] = (x + NODE_W / 2, y + NODE_H / 2)
            layer_of[k] = li
        columns.append((x, [centre[k][1] for k in layer]))
    conflicting_nodes = {c.measure for c in analysis.conflicts}  # the one that starts too early
    conflict_edges = {(c.depends_on, c.measure) for c in analysis.conflicts}
    redundant = set(analysis.redundant)
    for m in strategy.measures:
        for p in m.depends_on:
            if p in centre and m.key in centre:
                between = columns[layer_of[p] + 1 : layer_of[m.key]]
                _edge(ax, centre[p], centre[m.key], (p, m.key) in conflict_edges, (p, m.key) in redundant, between)
                ax.patches[-1].set_gid(f"kante-{p}-{m.key}")
    for k, (cx, cy) in centre.items():
        _node(ax, cx, cy, by_key[k], numbers.get(k), k in conflicting_nodes)
    if not layers:
        ax.text(
            width / 2, top - 0.2, "Keine Abhängigkeiten erfasst.", ha="center", va="center", fontsize=10, color=MUTED
        )
    if isolated:
        y = top - graph_h - (0.4 if not layers else 0) - 0.3
        ax.text(MARGIN, y, "Maßnahmen ohne Abhängigkeiten", fontsize=10, fontweight="bold", color=INK, va="center")
        for i, k in enumerate(isolated):
            cx = MARGIN + (i % cols) * (NODE_W + ROW_GAP) + NODE_W / 2
            cy = y - 0.3 - (i // cols) * (NODE_H + ROW_GAP) - NODE_H / 2
            _node(ax, cx, cy, by_key[k], numbers.get(k), False)
    return fig


def _node(ax, cx: float, cy: float, m: Measure, number: int | None, conflict: bool) -> None:
    dim = catalogue().dimension(m.dimension)
    colour = dim.colour if dim else "#4a4a4a"
    backlog = m.status is Status.BACKLOG
    x, y = cx - NODE_W / 2, cy - NODE_H / 2
    edge = CONFLICT if conflict else ("#7d8792" if backlog else colour)
    ax.add_artist(
        FancyBboxPatch(
            (x, y),
            NODE_W,
            NODE_H,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor="white" if backlog else lighter(colour, 0.82),
            edgecolor=edge,
            linewidth=2.0 if conflict else 1.0,
            linestyle=(0, (3, 2)) if backlog else "-",
            zorder=3,
        )
    )
    ax.add_artist(Rectangle((x, y), 0.09, NODE_H, facecolor=colour, edgecolor="none", zorder=3.5))
    title = ("*" if m.second_loop else "") + m.title
    lines = textwrap.wrap(title, TITLE_CHARS)
    if len(lines) > 3:  # three lines fit above the months; only longer titles are shortened
        lines = [*lines[:2], textwrap.shorten(" ".join(lines[2:]), TITLE_CHARS, placeholder=" …")]
    label = f"{number}  " if number else ""
    ax.text(
        x + 0.17,
        y + NODE_H - 0.1,
        label + "\n".join(lines),
        ha="left",
        va="top",
        fontsize=8,
        color=INK,
        linespacing=1.15,
        zorder=4,
    )
    when = m.planned_range or ("Backlog" if backlog else "ohne Termin")
    ax.text(
        x + 0.17,
        y + 0.08,
        ("⚠ " if conflict else "") + when,
        ha="left",
        va="bottom",
        fontsize=7.2,
        color=CONFLICT if conflict else MUTED,
        fontweight="bold" if conflict else "normal",
        zorder=4,
    )


def _gap_y(y: float, centres: list[float]) -> float:
    """The y nearest to `y` where a line crosses a column without running through a box:
    `y` itself when it misses every box, else the middle of the nearest gap (or above/below)."""
    half = NODE_H / 2 + 0.03
    if all(abs(y - c) > half for c in centres):
        return y
    pitch = NODE_H + ROW_GAP
    gaps = [c + pitch / 2 for c in centres] + [centres[-1] - pitch / 2]
    return min(gaps, key=lambda g: abs(g - y))


def _edge(
    ax,
    a: tuple[float, float],
    b: tuple[float, float],
    conflict: bool,
    redundant: bool,
    between: list[tuple[float, list[float]]] = (),
) -> None:
    """An arrow from a's right side to b's left side. A link that skips columns runs through the
    gaps between the boxes of the columns in between, never behind a box."""
    start = (a[0] + NODE_W / 2, a[1])
    end = (b[0] - NODE_W / 2, b[1])
    if conflict:
        colour, width, style = CONFLICT, 1.8, "-"
    elif redundant:
        colour, width, style = "#8d949c", 0.9, (0, (1, 2))
    else:
        colour, width, style = "#5f6b78", 1.0, "-"
    common = dict(
        arrowstyle="-|>",
        mutation_scale=9,
        color=colour,
        linewidth=width,
        linestyle=style,
        zorder=2 if not conflict else 2.5,
    )
    if between:
        points = [start]
        for left, centres in between:
            x_mid = left + NODE_W / 2
            straight = start[1] + (end[1] - start[1]) * (x_mid - start[0]) / (end[0] - start[0])
            y = _gap_y(straight, centres)
            points += [(left - 0.15, y), (left + NODE_W + 0.15, y)]
        points.append(end)
        ax.add_artist(FancyArrowPatch(path=MplPath(points), **common))
        return
    rad = 0.0 if abs(a[1] - b[1]) < 0.01 else 0.12
    ax.add_artist(FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}", shrinkA=1, shrinkB=1, **common))


LEGEND_FONT = 8.0
CHAR_W = 0.062  # inches per character of DejaVu Sans at 8 pt, with a little room (measured 0.057)
SUB_CHAR_W = 0.07  # the same at 9 pt
LEGEND_ROW = 0.28


def _legend_items() -> list[tuple[str, object, str]]:
    items: list[tuple[str, object, str]] = [("dimension", d.colour, d.name) for d in catalogue().dimensions]
    items += [
        ("arrow", ("#5f6b78", "-"), "Abhängigkeit (Voraussetzung → Maßnahme)"),
        ("arrow", (CONFLICT, "-"), "⚠ Zeitkonflikt: beginnt vor Ende der Voraussetzung (rot)"),
        ("arrow", ("#8d949c", (0, (1, 2))), "redundant: schon über andere Abhängigkeiten gegeben"),
        ("backlog", None, "Backlog (gestrichelt)"),
    ]
    return items


def _legend_rows(width: float) -> list[list[tuple[float, tuple[str, object, str]]]]:
    """The legend items flowed into rows that fit the figure, each with its x position."""
    rows: list[list[tuple[float, tuple[str, object, str]]]] = [[]]
    x = MARGIN
    for item in _legend_items():
        sample = 0.22 if item[0] == "dimension" else 0.35
        needed = sample + 0.1 + CHAR_W * len(item[2])
        if rows[-1] and item[0] != rows[-1][-1][1][0] and item[0] == "arrow" and rows[-1][-1][1][0] == "dimension":
            rows.append([])  # symbols start a new row after the colours
            x = MARGIN
        if rows[-1] and x + needed > width - MARGIN:
            rows.append([])
            x = MARGIN
        rows[-1].append((x, item))
        x += needed + 0.25
    return rows


def _legend(ax, rows, y: float) -> None:
    for row in rows:
        for x, (kind, payload, text) in row:
            if kind == "dimension":
                ax.add_artist(Rectangle((x, y - 0.06), 0.22, 0.12, facecolor=payload, edgecolor="none"))
                ax.text(x + 0.32, y, text, fontsize=LEGEND_FONT, va="center", color=INK)
            elif kind == "arrow":
                colour, style = payload
                ax.add_artist(
                    FancyArrowPatch(
                        (x, y),
                        (x + 0.35, y),
                        arrowstyle="-|>",
                        mutation_scale=8,
                        color=colour,
                        linewidth=1.5 if colour == CONFLICT else 1.0,
                        linestyle=style,
                    )
                )
                ax.text(x + 0.45, y, text, fontsize=LEGEND_FONT, va="center", color=INK)
            else:
                ax.add_artist(
                    Rectangle((x, y - 0.07), 0.35, 0.14, facecolor="white", edgecolor="#7d8792", linestyle=(0, (3, 2)))
                )
                ax.text(x + 0.45, y, text, fontsize=LEGEND_FONT, va="center", color=INK)
        y -= LEGEND_ROW


def dependency_text(strategy: Strategy, analysis: Analysis) -> tuple[str, str]:
    """Title and description for screen readers."""
    titles = {m.key: m.title for m in strategy.measures}
    edges = [(p, m.key) for m in strategy.measures for p in m.depends_on if p in titles]
    parts = [f"Graph mit {len(edges)} Abhängigkeiten zwischen Maßnahmen."]
    if analysis.conflicts:
        parts.append(
            "Zeitkonflikte (rot): "
            + "; ".join(f"„{titles[c.measure]}“ hängt von „{titles[c.depends_on]}“ ab" for c in analysis.conflicts)
            + "."
        )
    if analysis.waves:
        parts.append(
            " ".join(
                f"Welle {i}: " + ", ".join(titles[k] for k in wave) + "." for i, wave in enumerate(analysis.waves, 1)
            )
        )
    return f"Abhängigkeiten: {strategy.title}", " ".join(parts)
