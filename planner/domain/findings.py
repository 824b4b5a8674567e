"""What `planner check` reports beyond validity. Other analyses add their keys here."""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx

from . import schedule
from .german import berlin_today, german_date
from .graph import find_cycles
from .schedule_state import schedule_state
from .strategy import Status, Strategy


def check_report(strategy: Strategy, today: date | None = None) -> dict[str, Any]:
    """Findings of a valid strategy as JSON-ready data; the schedule state of every measure on `today`."""
    report: dict[str, Any] = {"backlog": [m.key for m in strategy.measures if m.status is Status.BACKLOG]}
    report.update(schedule.analyse(strategy).to_json())  # roadmap: cycles, conflicts, order, waves, critical path
    report["today"] = (today or berlin_today()).isoformat()
    report["schedule"] = schedule_report(strategy, today or berlin_today())
    if getattr(strategy, "draft", False):  # a Fortschreibung without its Beschluss (domain/fortschreibung.py)
        report["draft"] = True
    return report


def schedule_report(strategy: Strategy, today: date) -> list[dict[str, Any]]:
    """Each measure's schedule state in file order: {"measure", "state", "months_overdue"}."""
    out = []
    for m in strategy.measures:
        st = schedule_state(m, today)
        out.append({"measure": m.key, "state": st.state.value, "months_overdue": st.months_overdue})
    return out


def check_summary(report: dict[str, Any]) -> list[str]:
    """Human-readable lines for the findings."""
    lines = ["Entwurf – Beschluss ausstehend (Fortschreibung)"] if report.get("draft") else []
    if report.get("backlog"):
        lines.append(f"Backlog: {len(report['backlog'])} Maßnahmen")
    lines.extend(schedule.summary_lines(report))
    overdue = [e for e in report.get("schedule", []) if e["months_overdue"] is not None]
    if overdue:
        ends = sum(e["state"] == "abschluss_ueberfaellig" for e in overdue)
        lines.append(
            f"Zeitstand am {german_date(date.fromisoformat(report['today']))}: {ends} Maßnahmen mit überfälligem Abschluss, "
            f"{len(overdue) - ends} mit überfälligem Beginn"
        )
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
