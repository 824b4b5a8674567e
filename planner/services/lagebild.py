"""The start page's Handlungsbedarf: action items of every strategy a user may see, the user's own
measures (when the account is linked to a person) and recent changes by other people.

Views hand in the organisations the user may see; nothing here touches the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..domain.lagebild import ActionItems, action_items, status_recorded_after_end
from ..domain.months import month_of
from ..domain.schedule_state import ScheduleState, State, schedule_state
from ..domain.strategy import Measure, OwnerRole, Strategy
from ..domain.verstetigung import StatusChange
from ..models import verstetigung as vm
from ..models.auth import AuditEntry
from . import audit, verlauf
from .strategies import load_strategy_row, measure_from_row
from .whole_strategy import strategy_to_domain

RECENT_DAYS = 14
ENTRIES_PER_SAVE = 100  # read of each save for the recent changes


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
    reschedule: bool = False  # its status was recorded after its planned end: it needs new dates


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
    strategy_id: int | None = None  # the strategy the object (a measure or a strategy) still lies in
    measure_key: str | None = None  # the key of the measure, when the object is a measure


def current_strategy_ids(session: Session, organisation_ids: set[int] | None) -> list[tuple[int, int]]:
    """(id, organisation id) of the visible strategies without a Fortschreibung (an old
    version's open items live in its successor), in the order of the page; one statement."""
    s = models.Strategy
    query = sa.select(s.id, s.organisation_id).where(~sa.exists().where(vm.Succession.predecessor_id == s.id))
    if organisation_ids is not None:
        query = query.where(s.organisation_id.in_(list(organisation_ids) or [-1]))
    return [(i, o) for i, o in session.execute(query.order_by(s.organisation_id, s.id))]


def strategy_items(session: Session, strategy_ids: list[int], today: date) -> list[StrategyItems]:
    """Action items of each strategy (the whole strategy is loaded: evaluations, indicators, ...)."""
    out = []
    for i in strategy_ids:
        row = load_strategy_row(session, i)
        if row is None:  # deleted meanwhile
            continue
        strategy = strategy_to_domain(row)
        out.append(StrategyItems(row, strategy, action_items(strategy, today)))
    return out


def linked_persons(session: Session, user_id: int) -> list[models.Person]:
    """The persons (one per organisation at most, usually one) linked to this login."""
    return list(session.scalars(sa.select(models.Person).where(models.Person.user_id == user_id)))


def my_measures(
    session: Session, user_id: int, strategy_ids: list[int], today: date
) -> tuple[list[models.Person], list[MyMeasure]]:
    """The persons linked to the user and the measures they own in the listed strategies (their
    first role in each measure); three statements, or one without a linked person."""
    persons = linked_persons(session, user_id)
    if not persons or not strategy_ids:
        return persons, []
    m, o = models.Measure.__table__, models.MeasureOwner.__table__
    rows = session.execute(
        sa.select(m, o.c.role.label("owner_role"))
        .join(o, o.c.measure_id == m.c.id)
        .where(o.c.person_id.in_([p.id for p in persons]), m.c.strategy_id.in_(strategy_ids))
        .order_by(m.c.id, o.c.position, o.c.id)
    ).all()
    strategies = (
        {
            r.id: r
            for r in session.scalars(
                sa.select(models.Strategy).where(models.Strategy.id.in_({r.strategy_id for r in rows}))
            )
        }
        if rows
        else {}
    )
    now = month_of(today)
    found: dict[int, MyMeasure] = {}  # measure row id → the measure, in the order of the rows
    for r in rows:
        if r.id not in found:
            measure = measure_from_row(r)
            role = OwnerRole(r.owner_role).label
            found[r.id] = MyMeasure(strategies[r.strategy_id], measure, role, schedule_state(measure, now))
    # past their end: a status recorded after the end means the measure runs on and needs new dates
    late = [i for i, x in found.items() if x.state.state is State.ABSCHLUSS_UEBERFAELLIG]
    if late:
        c = vm.StatusChange
        recorded = dict(
            session.execute(
                sa.select(c.measure_id, sa.func.max(c.changed_on)).where(c.measure_id.in_(late)).group_by(c.measure_id)
            ).all()
        )
        for i, day in recorded.items():
            x = found[i]
            if status_recorded_after_end(x.measure, [StatusChange(day, x.measure.status)], now):
                found[i] = replace(x, reschedule=True)
    out = list(found.values())
    out.sort(key=lambda x: (not x.state.state.overdue, x.state.state.value, x.measure.title))
    return persons, out


def recent_changes(
    session: Session, organisation_ids: set[int] | None, user_id: int | None, now: datetime, limit: int = 10
) -> list[RecentChange]:
    """Saves by other people in the last 14 days, newest first: one line per save and object.

    Among the newest 2,000 entries, the newest saves are grouped in the database (an import,
    a strategy inserted with its measures in one save, is one line with its count); of the
    other saves only their newest entries are read (ENTRIES_PER_SAVE), as plain rows."""
    a = AuditEntry.__table__
    conditions = [
        a.c.at >= now - timedelta(days=RECENT_DAYS),
        a.c.field != "lock_version",
        a.c.table_name.not_in(["users", "memberships", "login_attempts"]),
    ]
    if user_id is not None:
        conditions.append(sa.or_(a.c.user_id.is_(None), a.c.user_id != user_id))
    if organisation_ids is not None:
        conditions.append(a.c.organisation_id.in_(list(organisation_ids) or [-1]))
    window = sa.select(a.c.id).where(*conditions).order_by(a.c.id.desc()).limit(2000).subquery()

    def inserted(table: str):
        return sa.and_(a.c.table_name == table, a.c.action == "insert")

    saves = session.execute(
        sa.select(
            a.c.change_id,
            sa.func.max(a.c.id).label("last"),
            sa.func.max(a.c.at).label("at"),
            sa.func.max(a.c.username).label("username"),
            sa.func.count().label("entries"),
            sa.func.max(sa.case((inserted("strategies"), a.c.object_id))).label("strategy"),
            sa.func.max(sa.case((inserted("measures"), 1), else_=0)).label("measures"),
        )
        .where(a.c.id.in_(sa.select(window.c.id)))
        .group_by(a.c.change_id)
        .order_by(sa.desc("last"))
        .limit(limit)
    ).all()
    imports = {s.change_id: s for s in saves if s.strategy is not None and s.measures}
    others = [s.change_id for s in saves if s.change_id not in imports]
    newest = (
        sa.select(
            a.c.id,
            a.c.change_id,
            a.c.at,
            a.c.username,
            a.c.table_name,
            a.c.object_id,
            a.c.field,
            a.c.path,
            sa.func.row_number().over(partition_by=a.c.change_id, order_by=a.c.id.desc()).label("n"),
        )
        .where(a.c.id.in_(sa.select(window.c.id)), a.c.change_id.in_(others))
        .subquery()
    )
    # the newest entries of each save are enough for its lines (ten at most, four fields each)
    entries = (
        session.execute(sa.select(newest).where(newest.c.n <= ENTRIES_PER_SAVE).order_by(newest.c.id.desc())).all()
        if others
        else []
    )
    by_save: dict[str, list] = {}
    for e in entries:
        by_save.setdefault(e.change_id, []).append(e)
    grouped: dict[tuple[str, str], RecentChange] = {}
    for save in saves:
        if save.change_id in imports:
            grouped[(save.change_id, "import")] = RecentChange(
                save.at, save.username, "", [], table="strategies", object_id=save.strategy, imported=save.entries
            )
            continue
        for e in by_save.get(save.change_id, []):
            target = _target(e)
            key = (e.change_id, f"{target[0]}:{target[1]}")
            change = grouped.get(key)
            if change is None:
                if len(grouped) >= limit:
                    break
                change = grouped[key] = RecentChange(e.at, e.username, "", table=target[0], object_id=target[1])
            label = verlauf.field_label(e.field)
            if label not in change.fields:
                change.fields.append(label)
    objects = _objects(session, grouped.values())
    for change in grouped.values():
        obj = objects.get((change.table, change.object_id))
        name = (getattr(obj, "title", None) or getattr(obj, "name", None)) if obj is not None else None
        change.what = verlauf.table_label(change.table) + (f" „{name}“" if isinstance(name, str) and name else "")
        if isinstance(obj, models.Measure):
            change.strategy_id, change.measure_key = obj.strategy_id, obj.key
        elif isinstance(obj, models.Strategy):
            change.strategy_id = obj.id
    return list(grouped.values())


def _target(e) -> tuple[str, str]:
    """The object a change is shown under: the nearest measure or strategy above it, else itself."""
    if e.table_name in ("measures", "strategies"):
        return e.table_name, e.object_id
    for part in (e.path or "").strip("|").split("|"):
        table, _, object_id = part.partition(":")
        if table in ("measures", "strategies"):
            return table, object_id
    return e.table_name, e.object_id


def _objects(session: Session, changes) -> dict[tuple[str, str], object]:
    """The still existing object of each change, one statement per table."""
    classes = audit.class_of_table()
    wanted: dict[str, set[int]] = {}
    for c in changes:
        if c.table in classes and c.object_id.isdigit():
            wanted.setdefault(c.table, set()).add(int(c.object_id))
    objects = {}
    for table, ids in wanted.items():
        key_column = sa.inspect(classes[table]).primary_key[0]
        for obj in session.scalars(sa.select(classes[table]).where(key_column.in_(sorted(ids)))):
            objects[(table, str(sa.inspect(obj).identity[0]))] = obj
    return objects
