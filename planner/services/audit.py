"""The audit trail, recorded generically from SQLAlchemy session events.

Every flush of every session writes one AuditEntry per changed column of every mapped
object (insert, update, delete): who, when, table and id, field, old and new value. No
area has to call anything: new models are covered as soon as they are mapped.

The same foreign-key walk gives each entry its organisation and its ancestors ("path"),
so a measure's Verlauf shows its owners and dependencies, and the backup knows which
rows belong to an organisation. The Verlauf's German display is in `verlauf.py`.

Optimistic locking: a change to a part of a versioned object (a measure's owners or
dependencies, reached through a delete-orphan relationship) bumps the owner's version
too, so a concurrent edit of the measure form notices it.
"""

from __future__ import annotations

import json
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.orm.attributes import flag_modified, get_history

from ..models import Model, utcnow
from ..models.auth import AuditEntry
from .cache import UNSEEN, bump, scopes_of_entries
from .cache import install as install_cache

# the transient tables (services/cache.py UNSEEN): kept input, one-time form tokens, the mail
# logistics, documents made in the background — a job must not change the state it documents
NOT_AUDITED = UNSEEN
# recorded as changed without the value; last_login_at would fill the trail on every login
SECRET_FIELDS = {"password_hash", "token_hash"}
SKIPPED_FIELDS = {("users", "last_login_at"), ("user_tokens", "last_used_at")}
REDACTED = "(anonymisiert)"

# who acts outside a request (CLI, tests, benchmark setup)
actor: ContextVar[tuple[int | None, str] | None] = ContextVar("planner_audit_actor", default=None)


def current_actor() -> tuple[int | None, str]:
    """(user id, username) of whoever causes the change."""
    if has_request_context() and current_user and getattr(current_user, "is_authenticated", False):
        via = g.get("audit_via")  # e.g. the API token the request came with
        return current_user.id, (f"{current_user.username} ({via})" if via else current_user.username)[:100]
    return actor.get() or (None, "System")


# --- the foreign-key graph of the metadata ----------------------------------------


@cache
def class_of_table() -> dict[str, type]:
    """Mapped class of every table name."""
    return {m.local_table.name: m.class_ for m in Model.registry.mappers}


def _column_attr(mapper: Mapper, column: sa.Column) -> str:
    return mapper.get_property_by_column(column).key


def just_flushed(session: Session) -> dict[tuple[str, tuple], Any]:
    """The objects this flush inserted, by identity key: inside ``after_flush`` they are not yet in
    the identity map, and loading one of them again would put a second copy there."""
    found = {}
    for obj in session.new:
        state = inspect(obj)
        key = tuple(state.mapper.primary_key_from_instance(obj))
        if None not in key:
            found[(state.mapper.local_table.name, key)] = obj
    return found


def parents(session: Session, obj: Any, inserted: dict[tuple[str, tuple], Any] | None = None) -> list[Any]:
    """The objects this object's foreign keys point to (loaded through the identity map when possible;
    ``inserted`` are the objects of a flush still under way, see ``just_flushed``)."""
    mapper = inspect(obj).mapper
    found = []
    for fk in sorted(mapper.local_table.foreign_keys, key=lambda f: f.parent.name):
        value = inspect(obj).dict.get(_column_attr(mapper, fk.parent))
        if value is None:
            value = getattr(obj, _column_attr(mapper, fk.parent), None)
        cls = class_of_table().get(fk.column.table.name)
        if value is None or cls is None:
            continue
        parent = (inserted or {}).get((fk.column.table.name, (value,)))
        if parent is None:
            with session.no_autoflush:
                parent = session.get(cls, value)
        if parent is not None:
            found.append(parent)
    return found


def identity(obj: Any) -> tuple[str, str]:
    """(table name, id as text) of a mapped object; composite keys joined by commas."""
    state = inspect(obj)
    key = state.identity or state.mapper.primary_key_from_instance(obj)
    return state.mapper.local_table.name, ",".join(str(k) for k in key)


def ancestors(
    session: Session, obj: Any, depth: int = 6, inserted: dict[tuple[str, tuple], Any] | None = None
) -> list[tuple[str, str]]:
    """Every object above this one along foreign keys, nearest first, without repeats."""
    seen: list[tuple[str, str]] = []
    frontier = [obj]
    for _ in range(depth):
        nxt = []
        for o in frontier:
            for p in parents(session, o, inserted):
                ident = identity(p)
                if ident not in seen:
                    seen.append(ident)
                    nxt.append(p)
        frontier = nxt
    return seen


def organisation_of(table: str, object_id: str, path: list[tuple[str, str]], values: dict) -> int | None:
    """The organisation an object belongs to: itself, an ancestor, or an organisation_id column."""
    if table == "organisations":
        return int(object_id)
    for t, i in path:
        if t == "organisations":
            return int(i)
    value = values.get("organisation_id")
    return int(value) if isinstance(value, int) else None


# --- values ---------------------------------------------------------------------------


def as_text(value: Any) -> str | None:
    """A column value as stored in the trail."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)  # numbers, Decimal, text


def _columns(obj: Any) -> list[tuple[str, str]]:
    """(attribute key, column name) of the object's table columns."""
    mapper = inspect(obj).mapper
    return [(_column_attr(mapper, c), c.name) for c in mapper.local_table.columns]


# --- session events -------------------------------------------------------------------


@dataclass
class _Pending:
    obj: Any
    action: str
    changes: list[tuple[str, Any, Any]]  # column, old, new (new None for delete, filled after flush for insert)
    version_old: int | None = None


def _versioned_parts() -> dict[type, list[tuple[type, Any]]]:
    """Child class -> [(versioned parent class, relationship)] for delete-orphan parts of versioned objects."""
    parts: dict[type, list[tuple[type, Any]]] = {}
    for mapper in Model.registry.mappers:
        if mapper.version_id_col is None:
            continue
        for rel in mapper.relationships:
            if rel.cascade.delete_orphan and rel.mapper.version_id_col is None:
                parts.setdefault(rel.mapper.class_, []).append((mapper.class_, rel))
    return parts


def _touch_versioned_owners(session: Session) -> set[int]:
    """Bump the version of a measure (or any versioned object) whose parts changed."""
    parts = _versioned_parts()
    touched: set[int] = set()
    # a part removed from a collection is deleted as an orphan only during the flush: look at the collections
    for obj in session.dirty:
        mapper = inspect(obj).mapper
        if mapper.version_id_col is None or obj in session.deleted:
            continue
        for rel in mapper.relationships:
            if rel.cascade.delete_orphan and get_history(obj, rel.key, passive=True).has_changes():
                if not session.is_modified(obj, include_collections=False):
                    version_key = _column_attr(mapper, mapper.version_id_col)
                    flag_modified(obj, next(k for k, name in _columns(obj) if name not in ("id", version_key)))
                touched.add(id(obj))
                break
    for obj in [*session.new, *session.dirty, *session.deleted]:
        for parent_cls, rel in parts.get(type(obj), []):
            for _local, remote in rel.local_remote_pairs:
                # local is the parent's column, remote the child's foreign key column
                child_mapper = inspect(obj).mapper
                value = getattr(obj, _column_attr(child_mapper, remote), None)
                if value is None:
                    continue
                parent = session.identity_map.get(session.identity_key(parent_cls, value))
                if parent is None:
                    with session.no_autoflush:
                        parent = session.get(parent_cls, value)
                if parent is None or parent in session.deleted or parent in session.new or id(parent) in touched:
                    continue
                version_key = _column_attr(inspect(parent).mapper, inspect(parent).mapper.version_id_col)
                first = next(k for k, name in _columns(parent) if name not in ("id", version_key))
                if not session.is_modified(parent, include_collections=False):
                    flag_modified(parent, first)
                touched.add(id(parent))
    return touched


def _before_flush(session: Session, _context, _instances) -> None:
    if session.info.get("audit_off"):
        return
    touched = _touch_versioned_owners(session)
    pending: list[_Pending] = session.info.setdefault("audit_pending", [])
    for obj in session.new:
        if _audited(obj):
            pending.append(_Pending(obj, "insert", []))
    for obj in session.dirty:
        if not _audited(obj) or not (session.is_modified(obj, include_collections=False) or id(obj) in touched):
            continue
        changes = []
        table = inspect(obj).mapper.local_table.name
        for key, name in _columns(obj):
            if (table, name) in SKIPPED_FIELDS:
                continue
            hist = get_history(obj, key, passive=True)
            if not hist.has_changes() or not hist.deleted:
                continue
            old, new = hist.deleted[0], hist.added[0] if hist.added else None
            if old != new:
                changes.append((name, old, new))
        mapper = inspect(obj).mapper
        version = None
        if mapper.version_id_col is not None:
            version = inspect(obj).committed_state.get(_column_attr(mapper, mapper.version_id_col))
            version = version if version is not None else getattr(obj, _column_attr(mapper, mapper.version_id_col))
        if changes or version is not None:
            pending.append(_Pending(obj, "update", changes, version))
    # deletions, orphans included, are collected by the mapper event below


def _before_delete(_mapper, _connection, target) -> None:
    """Every deleted row, also orphans removed from a collection (not in session.deleted before the flush)."""
    session = object_session(target)
    if session is None or session.info.get("audit_off") or not _audited(target):
        return
    values = [(name, getattr(target, key), None) for key, name in _columns(target)]
    session.info.setdefault("audit_pending", []).append(_Pending(target, "delete", values))


def _audited(obj: Any) -> bool:
    return isinstance(obj, Model) and inspect(obj).mapper.local_table.name not in NOT_AUDITED


def _after_flush(session: Session, _context) -> None:
    pending: list[_Pending] = session.info.pop("audit_pending", [])
    if not pending:
        return
    user_id, username = current_actor()
    redact = session.info.get("audit_redact", False)
    # one id per transaction: a save that flushes several times (an import, a status round) is one change
    change_id = session.info.setdefault("audit_change_id", uuid.uuid4().hex)
    now = utcnow()
    rows = []
    inserted = just_flushed(session)
    for p in pending:
        table, object_id = identity(p.obj)
        path = ancestors(session, p.obj, inserted=inserted)
        values = {name: getattr(p.obj, key, None) for key, name in _columns(p.obj)}
        if p.action == "insert":
            changes = [
                (name, None, value)
                for name, value in values.items()
                if value is not None and value != [] and name != "id"
            ]
        elif p.action == "update":
            changes = list(p.changes)
            mapper = inspect(p.obj).mapper
            if p.version_old is not None:
                new_version = getattr(p.obj, _column_attr(mapper, mapper.version_id_col))
                if new_version != p.version_old:
                    changes.append((mapper.version_id_col.name, p.version_old, new_version))
        else:
            changes = [(name, old, None) for name, old, _ in p.changes if old is not None]
        org = organisation_of(table, object_id, path, values)
        path_text = "|" + "|".join(f"{t}:{i}" for t, i in path) + "|" if path else ""
        for name, old, new in changes:
            if (table, name) in SKIPPED_FIELDS:
                continue
            old_t, new_t = as_text(old), as_text(new)
            if name in SECRET_FIELDS:
                old_t, new_t = ("***" if old is not None else None), ("***" if new is not None else None)
            elif redact:
                old_t, new_t = (REDACTED if old is not None else None), (REDACTED if new is not None else None)
            rows.append(
                {
                    "change_id": change_id,
                    "at": now,
                    "user_id": user_id,
                    "username": username,
                    "organisation_id": org,
                    "table_name": table,
                    "object_id": object_id,
                    "action": p.action,
                    "field": name,
                    "old": old_t,
                    "new": new_t,
                    "path": path_text,
                }
            )
    if rows:
        connection = session.connection()
        connection.execute(sa.insert(AuditEntry.__table__), rows)
        # every change counts for the cached values that read it (services/cache.py)
        bump(connection, scopes_of_entries(rows))


def _after_rollback(session: Session) -> None:
    session.info.pop("audit_pending", None)
    session.info.pop("audit_change_id", None)


def _after_commit(session: Session) -> None:
    session.info.pop("audit_change_id", None)


_installed = False


def install() -> None:
    """Listen to every ORM session (idempotent)."""
    global _installed
    if _installed:
        return
    install_cache()  # ORM bulk writes, which pass no flush
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Model, "before_delete", _before_delete, propagate=True)
    event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
    event.listen(Session, "after_commit", _after_commit)
    _installed = True


# --- reading the trail ----------------------------------------------------------------


def _about(session: Session, table: str, object_id: int | str) -> sa.ColumnElement[bool] | None:
    """The condition for entries about the object itself or anything below it; None without a trail."""
    marker = f"%|{table}:{object_id}|%"
    # the path search cannot use an index: narrow it to the object's organisation (indexed) first
    organisation = object_organisation(session, table, str(object_id))
    if organisation is False:
        return None
    return sa.and_(
        sa.or_(
            sa.and_(AuditEntry.table_name == table, AuditEntry.object_id == str(object_id)),
            AuditEntry.path.like(marker),
        ),
        AuditEntry.organisation_id.is_(None) if organisation is None else AuditEntry.organisation_id == organisation,
    )


def history(session: Session, table: str, object_id: int | str, limit: int = 500) -> list:
    """Entries about the object itself or anything below it, newest first."""
    about = _about(session, table, object_id)
    if about is None:
        return []
    return list(session.scalars(sa.select(AuditEntry).where(about).order_by(AuditEntry.id.desc()).limit(limit)))


def last_change(session: Session, table: str, object_id: int | str) -> datetime | None:
    """When the object or anything below it last changed (UTC, naive as stored); None without a trail."""
    about = _about(session, table, object_id)
    return None if about is None else session.scalar(sa.select(sa.func.max(AuditEntry.at)).where(about))


def object_organisation(session: Session, table: str, object_id: str) -> int | None | bool:
    """The organisation of the object's trail; False when there is no trail at all."""
    row = session.execute(
        sa.select(AuditEntry.organisation_id)
        .where(AuditEntry.table_name == table, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    return False if row is None else row[0]


def changes_since(session: Session, table: str, object_id: int | str, version: int) -> list:
    """What others changed on a versioned object after `version`: entries of those saves, oldest first."""
    bumps = session.execute(
        sa.select(AuditEntry.change_id, AuditEntry.new).where(
            AuditEntry.table_name == table, AuditEntry.object_id == str(object_id), AuditEntry.field == "lock_version"
        )
    ).all()
    change_ids = [c for c, new in bumps if new is not None and new.isdigit() and int(new) > version]
    if not change_ids:
        return []
    marker = f"%|{table}:{object_id}|%"
    return list(
        session.scalars(
            sa.select(AuditEntry)
            .where(
                AuditEntry.change_id.in_(change_ids),
                AuditEntry.field != "lock_version",
                sa.or_(
                    sa.and_(AuditEntry.table_name == table, AuditEntry.object_id == str(object_id)),
                    AuditEntry.path.like(marker),
                ),
            )
            .order_by(AuditEntry.id)
        )
    )
