"""What `planner check` reports beyond validity. Other analyses add their keys here."""

from __future__ import annotations

from typing import Any

import networkx as nx

from . import schedule
from .graph import find_cycles
from .strategy import Status, Strategy


def check_report(strategy: Strategy) -> dict[str, Any]:
    """Findings of a valid strategy as JSON-ready data."""
    report: dict[str, Any] = {"backlog": [m.key for m in strategy.measures if m.status is Status.BACKLOG]}
    report.update(schedule.analyse(strategy).to_json())  # roadmap: cycles, conflicts, order, waves, critical path
    return report


def check_summary(report: dict[str, Any]) -> list[str]:
    """Human-readable lines for the findings."""
    lines = []
    if report.get("backlog"):
        lines.append(f"Backlog: {len(report['backlog'])} Maßnahmen")
    lines.extend(schedule.summary_lines(report))
    return lines


def raw_cycles(data: Any) -> list[list[str]]:
    """Dependency cycles of a file that failed validation, read straight from its parsed data
    (measure ids and depends_on), so `planner check --json` names them even then; [] when the
    data is too broken to tell."""
    measures = data.get("measures") if isinstance(data, dict) else None
    if not isinstance(measures, list):
        return []
    graph = nx.DiGraph()
    for raw in measures:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            graph.add_node(raw["id"])
    for raw in measures:
        if not isinstance(raw, dict) or raw.get("id") not in graph or not isinstance(raw.get("depends_on"), list):
            continue
        for pre in raw["depends_on"]:
            if isinstance(pre, str) and pre in graph:
                graph.add_edge(pre, raw["id"])
    return find_cycles(graph)
