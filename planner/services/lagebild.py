"""The start page's Handlungsbedarf: action items of every strategy a user may see, the user's own
measures (when the account is linked to a person) and recent changes by other people.

Views hand in the organisations the user may see; nothing here touches the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..domain.lagebild import ActionItems, action_items
from ..domain.months import month_of
from ..domain.schedule_state import ScheduleState, schedule_state
from ..domain.strategy import Measure, Strategy
from ..models import verstetigung as vm
from ..models.auth import AuditEntry
from . import audit, verlauf
from .strategies import load_strategy_row
from .whole_strategy import strategy_to_domain

RECENT_DAYS = 14


@dataclass
class StrategyItems:
    """One strategy with what needs attention in it."""

    row: models.Strategy
    strategy: Strategy
    items: ActionItems


@dataclass
class MyMeasure:
    """A measure the user's person owns."""

    row: models.Strategy
    measure: Measure
    role: str
    state: ScheduleState


@dataclass
class RecentChange:
    """One save by someone else: who, when, what (object), how many fields, and where to look."""

    at: datetime
    username: str
    what: str
    fields: list[str] = field(default_factory=list)
    table: str = ""
    object_id: str = ""
    imported: int | None = None  # an import: how many entries it wrote


def current_strategies(session: Session, organisation_ids: set[int] | None) -> list[models.Strategy]:
    """The visible strategies without a Fortschreibung (an old version's open items live in its successor)."""
    query = sa.select(models.Strategy.id).where(~sa.exists().where(vm.Succession.predecessor_id == models.Strategy.id))
    if organisation_ids is not None:
        query = query.where(models.Strategy.organisation_id.in_(list(organisation_ids) or [-1]))
    ids = session.scalars(query.order_by(models.Strategy.organisation_id, models.Strategy.id)).all()
    return [load_strategy_row(session, i) for i in ids]


def strategy_items(rows: list[models.Strategy], today: date) -> list[StrategyItems]:
    """Action items of each strategy."""
    out = []
    for row in rows:
        strategy = strategy_to_domain(row)
        out.append(StrategyItems(row, strategy, action_items(strategy, today)))
    return out


def linked_persons(session: Session, user_id: int) -> list[models.Person]:
    """The persons (one per organisation at most, usually one) linked to this login."""
    return list(session.scalars(sa.select(models.Person).where(models.Person.user_id == user_id)))


def my_measures(
    session: Session, user_id: int, strategies: list[StrategyItems], today: date
) -> tuple[list[models.Person], list[MyMeasure]]:
    """The persons linked to the user and the measures they own in the listed strategies."""
    persons = linked_persons(session, user_id)
    names = {(p.organisation_id, p.name) for p in persons}
    now = month_of(today)
    out = []
    for s in strategies:
        for m in s.strategy.measures:
            for o in m.owners:
                if (s.row.organisation_id, o.name) in names:
                    out.append(MyMeasure(s.row, m, o.role.label, schedule_state(m, now)))
                    break
    out.sort(key=lambda x: (not x.state.state.overdue, x.state.state.value, x.measure.title))
    return persons, out


def recent_changes(
    session: Session, organisation_ids: set[int] | None, user_id: int | None, now: datetime, limit: int = 10
) -> list[RecentChange]:
    """Saves by other people in the last 14 days, newest first: one line per save and object."""
    query = sa.select(AuditEntry).where(
        AuditEntry.at >= now - timedelta(days=RECENT_DAYS),
        AuditEntry.field != "lock_version",
        AuditEntry.table_name.not_in(["users", "memberships", "login_attempts"]),
    )
    if user_id is not None:
        query = query.where(sa.or_(AuditEntry.user_id.is_(None), AuditEntry.user_id != user_id))
    if organisation_ids is not None:
        query = query.where(AuditEntry.organisation_id.in_(list(organisation_ids) or [-1]))
    entries = session.scalars(query.order_by(AuditEntry.id.desc()).limit(2000)).all()
    imports = verlauf.imported_changes(entries)
    grouped: dict[tuple[str, str], RecentChange] = {}
    for e in entries:
        if e.change_id in imports:
            table, object_id, count = imports[e.change_id]
            key = (e.change_id, "import")
            if key not in grouped and len(grouped) < limit:
                grouped[key] = RecentChange(e.at, e.username, "", [], table=table, object_id=object_id, imported=count)
            continue
        target = _target(e)
        key = (e.change_id, f"{target[0]}:{target[1]}")
        change = grouped.get(key)
        if change is None:
            if len(grouped) >= limit:
                continue
            change = grouped[key] = RecentChange(e.at, e.username, "", table=target[0], object_id=target[1])
        label = verlauf.field_label(e.field)
        if label not in change.fields:
            change.fields.append(label)
    names = _names(session, grouped.values())
    for change in grouped.values():
        name = names.get((change.table, change.object_id))
        change.what = verlauf.table_label(change.table) + (f" „{name}“" if name else "")
    return list(grouped.values())


def _target(e: AuditEntry) -> tuple[str, str]:
    """The object a change is shown under: the nearest measure or strategy above it, else itself."""
    if e.table_name in ("measures", "strategies"):
        return e.table_name, e.object_id
    for part in (e.path or "").strip("|").split("|"):
        table, _, object_id = part.partition(":")
        if table in ("measures", "strategies"):
            return table, object_id
    return e.table_name, e.object_id


def _names(session: Session, changes) -> dict[tuple[str, str], str]:
    names = {}
    classes = audit.class_of_table()
    for c in changes:
        cls = classes.get(c.table)
        obj = session.get(cls, int(c.object_id)) if cls is not None and c.object_id.isdigit() else None
        label = (getattr(obj, "title", None) or getattr(obj, "name", None)) if obj is not None else None
        if isinstance(label, str):
            names[(c.table, c.object_id)] = label
    return names
