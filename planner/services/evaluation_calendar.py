"""The evaluation calendar of a strategy row: its own due evaluations, the open ones left in its
earlier versions, and the calendar events for the ICS download and the calendar feed."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from .. import models
from ..domain.evaluation_calendar import OPEN, subject_titles
from ..domain.strategy import Strategy
from ..domain.verstetigung import STRATEGY, Due, calendar
from ..formats.ics import CalendarEvent
from . import verstetigung as records
from .whole_strategy import strategy_to_domain


def earlier_versions(
    session: Session, row: models.Strategy, strategy: Strategy, today: date
) -> list[tuple[models.Strategy, Due, str]]:
    """Open evaluations of finished measures that stayed in earlier versions (their impact evaluation
    often falls due after the Fortschreibung): (old version row, due entry, measure title)."""
    chain = records.version_chain(session, row)
    carried = {m.key for m in strategy.measures}
    out = []
    for old in chain[: chain.index(row)]:
        old_strategy = strategy_to_domain(old)
        for d in calendar(old_strategy, today):
            if d.subject != STRATEGY and d.subject not in carried and not d.done:
                out.append((old, d, old_strategy.measure(d.subject).title))
    return sorted(out, key=lambda e: e[1].due.index)


def own_entries(session: Session, row: models.Strategy, strategy: Strategy, today: date) -> list[Due]:
    """The calendar of a strategy; none for a carried-over (read-only) version: its open items
    live in its successor ("Offen aus früheren Versionen")."""
    if records.successor_id(session, row.id) is not None:
        return []
    return calendar(strategy, today)


def evaluation_events(session: Session, row: models.Strategy, today: date) -> list[CalendarEvent]:
    """The open evaluations of a strategy (and those left in its earlier versions) as calendar events;
    none for a carried-over version. No date is due before a measure's status is clear: waiting
    evaluations get no event."""
    if records.successor_id(session, row.id) is not None:
        return []
    strategy = strategy_to_domain(row)
    titles = subject_titles(strategy)
    entries = [(row, d, titles.get(d.subject, d.subject)) for d in calendar(strategy, today) if d.state in OPEN]
    earlier = [e for e in earlier_versions(session, row, strategy, today) if e[1].state in OPEN]
    return [_event(version, d, title) for version, d, title in entries + earlier]


def _event(version: models.Strategy, d: Due, title: str) -> CalendarEvent:
    prefix = "Überfällig: " if d.overdue else ""
    return CalendarEvent(
        uid=f"planner-{version.id}-{d.subject}-{d.kind.value}-{d.due}@planner",
        day=date(d.due.year, d.due.month, 1),
        summary=f"{prefix}{d.kind.label}: {title}",
        description=f"{d.reason}; fällig {d.due.german()} – {version.title}"
        + (f" (Version {version.version})" if version.version else ""),
        categories=("Evaluation",),
    )
