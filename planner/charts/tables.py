"""The data of each chart as a table: printed after the chart in its PDF, so that the PDF says in
text what the figure shows (the pages show the same data in their own HTML tables)."""

from __future__ import annotations

from datetime import date

from ..documents.pdf import DataTable
from ..domain.catalogue import catalogue
from ..domain.german import berlin_today, german_date
from ..domain.roadmap_view import numbered, roadmap_view
from ..domain.schedule import Analysis
from ..domain.schedule_state import schedule_state
from ..domain.strategy import Rating, Strategy


def _rating(value: Rating | None) -> str:
    return value.label if value else "unbekannt"


def gantt_table(strategy: Strategy, analysis: Analysis, today: date | None = None) -> DataTable:
    """The Fahrplan's bars by dimension: status, schedule state on `today`, start, end, duration, notes."""
    today = today or berlin_today()
    view = roadmap_view(strategy, today)
    conflicting = analysis.conflicting()
    critical = set(analysis.critical_path)
    groups = []
    for dim, bars in view.groups:
        rows = []
        for bar in bars:
            m = bar.measure
            notes = [
                text
                for flag, text in (
                    (m.key in conflicting, "Zeitkonflikt"),
                    (m.key in critical, "kritischer Pfad"),
                    (m.start < view.plan_start, "beginnt vor dem Planungszeitraum"),
                    (m.end is not None and m.end > view.plan_end, "endet nach dem Planungszeitraum"),
                )
                if flag
            ]
            rows.append(
                [
                    ("*" if m.second_loop else "") + m.title,
                    m.status.label,
                    schedule_state(m, today).text,
                    m.start.german() if m.start else "–",
                    m.end.german() if m.end else "fortlaufend",
                    f"{m.duration} Mon." if m.duration else "–",
                    ", ".join(notes) or "–",
                ]
            )
        groups.append((dim.name, rows))
    if view.backlog:
        groups.append(
            ("Maßnahmen-Backlog", [[m.title, m.status.label, "Backlog", "–", "–", "–", "–"] for m in view.backlog])
        )
    return DataTable(
        f"Maßnahmen im Fahrplan, Planungszeitraum {view.plan_start.german()} – {view.plan_end.german()}",
        ["Maßnahme", "Status", f"Zeitstand am {german_date(today)}", "Beginn", "Ende", "Dauer", "Hinweise"],
        groups,
    )


def matrix_table(strategy: Strategy) -> DataTable:
    """The Bewertung's numbered measures with Dringlichkeit and Machbarkeit."""
    cat = catalogue()
    rows = [
        [
            f"{n}. " + ("*" if m.second_loop else "") + m.title,
            cat.canonical_dimension(m.dimension),
            _rating(m.urgency),
            _rating(m.feasibility),
            m.status.label,
        ]
        for n, m in numbered(strategy)
    ]
    return DataTable(
        "Maßnahmen mit Nummer, Dimension, Dringlichkeit, Machbarkeit und Status",
        ["Nr. und Maßnahme", "Dimension", "Dringlichkeit", "Machbarkeit", "Status"],
        [("", rows)],
    )


def dependency_table(strategy: Strategy, analysis: Analysis) -> DataTable:
    """Every dependency with both measures' dates and whether it is a schedule conflict."""
    numbers = {m.key: n for n, m in numbered(strategy)}
    by_key = {m.key: m for m in strategy.measures}
    conflicts = {(c.depends_on, c.measure) for c in analysis.conflicts}

    def name(key: str) -> str:
        m = by_key[key]
        return (f"{numbers[key]}. " if key in numbers else "") + m.title

    def dates(key: str) -> str:
        m = by_key[key]
        return m.planned_range or m.status.label

    rows = [
        [name(m.key), dates(m.key), name(p), dates(p), "Zeitkonflikt" if (p, m.key) in conflicts else "in Ordnung"]
        for _, m in numbered(strategy)
        for p in m.depends_on
        if p in by_key
    ]
    return DataTable(
        "Abhängigkeiten zwischen den Maßnahmen mit Terminen und Befund",
        ["Maßnahme", "geplant", "hängt ab von (Voraussetzung)", "geplant", "Befund"],
        [("", rows)] if rows else [],
    )
