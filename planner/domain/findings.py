"""What `planner check` reports beyond validity. Other analyses add their keys here."""

from __future__ import annotations

from typing import Any

from . import schedule
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
