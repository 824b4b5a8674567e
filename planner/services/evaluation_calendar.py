"""The evaluation calendar of a strategy row: its own due evaluations, the open ones left in its
earlier versions, and the calendar events for the ICS download and the calendar feed.

An event keeps its UID while its date moves (the strategy — its first version's id, the same in
every later version —, subject, slot: `ende`, `wirkung`, the n-th yearly one), so a calendar that
reads the file again replaces the event instead of adding one, after a Fortschreibung too. Its DTSTAMP is the last change of its strategy version; an overdue evaluation is shown on
today's date ("überfällig seit MM/JJJJ"), so its stamp is at least the start of today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from .. import models
from ..domain.evaluation_calendar import OPEN, subject_titles
from ..domain.strategy import Strategy
from ..domain.verstetigung import REASONS, STRATEGY, Decision, Due, calendar
from ..formats.ics import CalendarEvent
from . import audit
from . import verstetigung as records
from .whole_strategy import strategy_to_domain


def earlier_versions(
    session: Session,
    row: models.Strategy,
    strategy: Strategy,
    today: date,
    chain: list[models.Strategy] | None = None,
) -> list[tuple[models.Strategy, Due, str]]:
    """Open evaluations of finished measures that stayed in earlier versions (their impact evaluation
    often falls due after the Fortschreibung): (old version row, due entry, measure title).
    `chain` limits the versions to those the reader may see (default: all of them)."""
    return [(old, d, title) for old, d, title, _ in _earlier(session, row, strategy, today, chain)]


def _earlier(
    session: Session, row: models.Strategy, strategy: Strategy, today: date, chain: list[models.Strategy] | None
) -> list[tuple[models.Strategy, Due, str, str]]:
    """`earlier_versions` with each entry's slot name (see `slot_names`)."""
    chain = records.version_chain(session, row) if chain is None else chain
    carried = {m.key for m in strategy.measures}
    # dropped in a Fortschreibung: nothing of it is due any more, whether or not the old version says so
    dropped = {
        d.measure for v in getattr(strategy, "history", []) for d in v.decisions if d.decision is Decision.VERWERFEN
    }
    out = []
    for old in chain[: chain.index(row)]:
        old_strategy = strategy_to_domain(old)
        for d, slot in slot_names(calendar(old_strategy, today)):
            if d.subject != STRATEGY and d.subject not in carried | dropped and not d.done:
                out.append((old, d, old_strategy.measure(d.subject).title, slot))
    return sorted(out, key=lambda e: e[1].due.index)


_REASON_KEYS = {label: key for key, label in REASONS.items()}


def slot_names(entries: list[Due]) -> list[tuple[Due, str]]:
    """Each entry of a whole calendar with a name that stays when its month moves: subject and slot
    (`konzept-ende`, `konzept-wirkung`, `konzept-jaehrlich-2`: the second yearly evaluation)."""
    seen: dict[tuple[str, str], int] = {}
    named = []
    for d in sorted(entries, key=lambda d: d.due.index):
        reason = _REASON_KEYS.get(d.reason, d.kind.value)
        seen[d.subject, reason] = seen.get((d.subject, reason), 0) + 1
        repeated = reason in ("jaehrlich", "strategie")
        named.append((d, f"{d.subject}-{reason}" + (f"-{seen[d.subject, reason]}" if repeated else "")))
    return named


def own_entries(session: Session, row: models.Strategy, strategy: Strategy, today: date) -> list[Due]:
    """The calendar of a strategy; none for a carried-over (read-only) version: its open items
    live in its successor ("Offen aus früheren Versionen")."""
    if records.successor_id(session, row.id) is not None:
        return []
    return calendar(strategy, today)


Link = Callable[[models.Strategy, Due], str]


def evaluation_events(
    session: Session,
    row: models.Strategy,
    today: date,
    chain: list[models.Strategy] | None = None,
    link: Link | None = None,
) -> list[CalendarEvent]:
    """The open evaluations of a strategy (and those left in its earlier versions) as calendar events;
    none for a carried-over version. No date is due before a measure's status is clear: waiting
    evaluations get no event. `link` gives an event's absolute address (the evaluation form)."""
    if records.successor_id(session, row.id) is not None:
        return []
    strategy = strategy_to_domain(row)
    titles = subject_titles(strategy)
    entries = [
        (row, d, titles.get(d.subject, d.subject), slot)
        for d, slot in slot_names(calendar(strategy, today))
        if d.state in OPEN
    ]
    earlier = [e for e in _earlier(session, row, strategy, today, chain) if e[1].state in OPEN]
    root = records.version_chain(session, row)[0].id  # the strategy across its versions
    stamps: dict[int, datetime] = {}
    events = []
    for version, d, title, slot in entries + earlier:
        if version.id not in stamps:
            changed = audit.last_change(session, "strategies", version.id) or version.created_at
            stamps[version.id] = changed.replace(tzinfo=UTC, microsecond=0)
        url = link(version, d) if link else None
        events.append(_event(version, d, title, f"{root}-{slot}", today, stamps[version.id], url))
    return events


def _event(
    version: models.Strategy, d: Due, title: str, slot: str, today: date, changed: datetime, url: str | None
) -> CalendarEvent:
    late = f"überfällig seit {d.due.german()}"
    return CalendarEvent(
        uid=f"planner-{slot}@planner",
        day=today if d.overdue else date(d.due.year, d.due.month, 1),
        summary=(f"Ü{late[1:]}: " if d.overdue else "") + f"{d.kind.label}: {title}",
        description=f"{d.reason}; fällig {d.due.german()}"
        + (f", {late}" if d.overdue else "")
        + f" – {version.title}"
        + (f" (Version {version.version})" if version.version else ""),
        categories=("Evaluation",),
        # moved to today: this revision is today's
        stamp=max(changed, datetime(today.year, today.month, today.day, tzinfo=UTC)) if d.overdue else changed,
        url=url,
    )
