"""The one cache of planner: a value is kept under exactly the versions of what it reads.

Versions: `revisions` holds a counter per scope — "s:<id>" for a strategy (its measures, owners,
dependencies, baselines, Verstetigung, anything under it), "o:<id>" for an organisation (its
own data outside strategies: persons, assessments, memberships, coordinations, its list of
strategies), "u:<id>" for a user (account, roles) and "*" for every value (a restore, a bulk
write whose scopes cannot be told). It is bumped in the transaction of the change, by the
audit listener (services/audit.py, from the entries' paths) and by `do_orm_execute` for ORM
bulk inserts, updates and deletes, which write no audit entry; nobody calls `bump` by hand.

The one rule: **read the stamp first, then the data, and key the value by the stamp.**
`stamp()` reads the revisions of the scopes a value reads (one statement), `cached()` keeps a
value under the stamp, its name and its options (everything else it depends on: rights, day,
the address links are rendered under) and the fingerprint of all code. A change retires
exactly the values that read its scopes; a value made from data newer than its stamp is
filed under an older stamp that no later reader asks for.

Values live in a bounded per-process memory (CACHE_ITEMS values, CACHE_BYTES of text) and,
when `shared`, in the database table `cache_entries` (one row per name and options, replaced
by the next stamp), for every worker and instance. A missing value being made by another
request is served stale while it is made; with nothing older kept, a value another worker makes
(a PostgreSQL advisory lock, never waited on) is waited for WAIT_SECONDS at most before it is
made here too, one another thread of this process makes is waited for (making it twice on the
same cores only costs more). No reader takes a lock a writer holds.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session

from ..models.cache import CacheEntry, Revision

CACHE_ITEMS = 4096
CACHE_BYTES = 64 * 1024 * 1024
WAIT_SECONDS = 0.5  # for another worker making a value
MAKER_SECONDS = 30  # for another thread of this process making a value none older is kept of
EVERYTHING = "*"
MADE = "planner.cache.made"  # in a session's info: how many values were made (not found) in it
SCOPED = {"strategies": "s", "organisations": "o", "users": "u"}
# tables whose changes no cached value shows
# tables no page shows and the trail does not record (services/audit.py NOT_AUDITED is this set):
# the trail itself, logins, the cache, kept input and one-time form tokens, the mail logistics,
# documents made in the background — a write there changes no revision
UNSEEN = frozenset(
    {
        "audit_entries",
        "login_attempts",
        "revisions",
        "cache_entries",
        "kept_forms",
        "form_submissions",
        "mail_outbox",
        "mail_reminders",
        "document_jobs",
    }
)
_ROOT = Path(__file__).resolve().parent.parent


def strategy(strategy_id: int) -> str:
    return f"s:{strategy_id}"


def organisation(organisation_id: int) -> str:
    return f"o:{organisation_id}"


def user(user_id: int) -> str:
    return f"u:{user_id}"


@cache
def code_fingerprint() -> str:
    """A hash of all code and data the app renders with (every file under planner/, templates/, static/)."""
    digest = hashlib.sha256()
    for folder in (_ROOT, _ROOT.parent / "templates", _ROOT.parent / "static"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix not in {".pyc", ".db"}):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# --- versions --------------------------------------------------------------------------------


def revisions(session: Session, scopes: Iterable[str], within: Iterable[sa.Select] = ()) -> dict[str, int]:
    """The revisions of the scopes and of those each `within` selects as text, in one statement
    (a scope never changed has none)."""
    r = Revision.__table__
    wanted = sa.or_(r.c.scope.in_(sorted({*scopes, EVERYTHING})), *(r.c.scope.in_(w) for w in within))
    return dict(session.execute(sa.select(r.c.scope, r.c.revision).where(wanted)).all())


def stamp(read: dict[str, int], scopes: Iterable[str] | None = None) -> str:
    """The version of what a value reads: the revisions read (of `scopes` only, when given)."""
    if scopes is not None:
        read = {s: read[s] for s in {*scopes, EVERYTHING} if s in read}
    return hashlib.sha256(json.dumps(sorted(read.items())).encode()).hexdigest()[:32]


def scope_text(prefix: str, column) -> sa.ColumnElement:
    """The scope of an id column as SQL text (for `within`)."""
    return sa.literal(f"{prefix}:") + sa.cast(column, sa.String)


def bump(connection: Connection, scopes: Iterable[str]) -> None:
    """Count one change of each scope, in the caller's transaction (in one order: no deadlocks)."""
    scopes = sorted(set(scopes))
    if scopes:
        r = Revision.__table__
        insert = (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(r)
        values = insert.values([{"scope": s, "revision": 1} for s in scopes])
        connection.execute(values.on_conflict_do_update(index_elements=["scope"], set_={"revision": r.c.revision + 1}))


def scopes_of_entries(entries: Iterable[dict]) -> set[str]:
    """The scopes audit entries change: the strategy they lie under, else their organisations; users."""
    found: set[str] = set()
    for e in entries:
        path = [p.split(":", 1) for p in e["path"].strip("|").split("|") if ":" in p]
        path.append([e["table_name"], e["object_id"]])
        under = [i for t, i in path if t == "strategies"]
        found.update(strategy(int(i)) for i in under)
        if not under or e["table_name"] == "strategies":  # the list of an organisation's strategies
            found.update(organisation(int(i)) for t, i in path if t == "organisations")
            if e["organisation_id"] is not None:
                found.add(organisation(e["organisation_id"]))
        found.update(user(int(i)) for t, i in path if t == "users")
    return found


def _bulk_scopes(session: Session, table: sa.Table, statement, parameters) -> set[str] | None:
    """The scopes a bulk statement changes, from the columns pointing at strategies,
    organisations and users (directly or through one parent); None when they cannot be told."""
    direct = [
        (c, SCOPED[fk.column.table.name]) for c in table.c for fk in c.foreign_keys if fk.column.table.name in SCOPED
    ]
    direct += [(c, SCOPED[table.name]) for c in table.primary_key if table.name in SCOPED]
    if isinstance(statement, sa.Insert):
        rows = parameters if isinstance(parameters, list) else [parameters or {}]
        values = [(p, r.get(c.key)) for r in rows for c, p in direct]
        return {f"{p}:{v}" for p, v in values if v is not None} if values else None
    where = statement.whereclause if statement.whereclause is not None else sa.true()
    if not direct:  # e.g. measure_owners: through the measure
        parent = next((fk for c in table.c for fk in c.foreign_keys), None)
        if parent is None:
            return None
        above = parent.column.table
        direct = [
            (c, SCOPED[fk.column.table.name])
            for c in above.c
            for fk in c.foreign_keys
            if fk.column.table.name in SCOPED
        ]
        where = parent.column.in_(sa.select(parent.parent).where(where))
        table = above
    if not direct:
        return None
    rows = session.connection().execute(sa.select(*[c for c, _ in direct]).select_from(table).where(where).distinct())
    return {f"{p}:{v}" for row in rows for (_, p), v in zip(direct, row, strict=True) if v is not None}


def _on_execute(state: ORMExecuteState) -> None:
    """ORM bulk inserts, updates and deletes write no audit entry: bump their scopes here."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get("audit_off"):
        return
    table = getattr(state.statement, "table", None)
    if not isinstance(table, sa.Table) or table.name in UNSEEN:
        return
    scopes = _bulk_scopes(state.session, table, state.statement, state.parameters)
    bump(state.session.connection(), scopes if scopes is not None else [EVERYTHING])


def install() -> None:
    if not event.contains(Session, "do_orm_execute", _on_execute):
        event.listen(Session, "do_orm_execute", _on_execute)


# --- values ----------------------------------------------------------------------------------


class _Memory:
    """Least recently used values of one database, bounded by count and text size."""

    def __init__(self) -> None:
        self.values: OrderedDict[str, tuple[str, object, int]] = OrderedDict()
        self.size = 0


_memories: weakref.WeakKeyDictionary[sa.Engine, _Memory] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_makers: dict[str, threading.Lock] = {}  # a value being made in this process


def _remember(session: Session, key: str, current: str, value: object) -> None:
    size = len(value) if isinstance(value, str | bytes) else 1
    with _lock:
        memory = _memories.setdefault(session.get_bind(), _Memory())
        old = memory.values.pop(key, None)
        memory.size += size - (old[2] if old else 0)
        memory.values[key] = (current, value, size)
        while len(memory.values) > CACHE_ITEMS or memory.size > CACHE_BYTES:
            memory.size -= memory.values.popitem(last=False)[1][2]


def _recalled(session: Session, key: str) -> tuple[str, object] | None:
    """(stamp, value) kept in this process under the key, of any stamp."""
    with _lock:
        memory = _memories.get(session.get_bind())
        found = memory.values.get(key) if memory else None
        if found is not None:
            memory.values.move_to_end(key)
        return found[:2] if found else None


def key(name: str, options: dict | None = None) -> str:
    text = json.dumps([code_fingerprint(), name, options or {}], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def latest(session: Session, name: str, options: dict | None = None) -> object | None:
    """The value kept in this process for this name and options, of whatever stamp (None: none):
    what a value made anew may start from."""
    kept = _recalled(session, key(name, options))
    return kept[1] if kept is not None else None


def cached(
    session: Session,
    current: str,
    name: str,
    make: Callable[[], object],
    options: dict | None = None,
    shared: bool = True,
):
    """The value `make()` returns for this stamp, name and options, made once; `shared` values
    (str or bytes) are kept in the database for every worker too."""
    return cached_or_stale(session, current, name, make, options, shared)[0]


def cached_or_stale(
    session: Session,
    current: str,
    name: str,
    make: Callable[[], object],
    options: dict | None = None,
    shared: bool = True,
) -> tuple[object, bool]:
    """`cached`, and whether the value is one of an older stamp, served while another request
    makes the current one."""
    k = key(name, options)
    kept = _recalled(session, k)
    if kept is not None and kept[0] == current:
        return kept[1], False
    with _lock:
        making = _makers.setdefault(k, threading.Lock())
    mine = making.acquire(blocking=False)
    try:
        if not mine:  # another thread of this process makes it: the older value, or wait briefly
            if kept is not None:
                return kept[1], True
            mine = making.acquire(timeout=MAKER_SECONDS)  # making it twice here would only cost more
            kept = _recalled(session, k)
            if kept is not None and kept[0] == current:
                return kept[1], False
        if shared:
            entry = CacheEntry.__table__
            lookup = sa.select(entry.c.stamp, entry.c.data, entry.c.mimetype).where(entry.c.key == k)
            row = session.execute(lookup).first()
            deadline = time.monotonic() + WAIT_SECONDS
            while not (row is not None and row.stamp == current) and not _making(session, k):
                if row is not None:  # another worker makes it: the older value meanwhile
                    return _decoded(row), True
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
                row = session.execute(lookup).first()
            if row is not None and row.stamp == current:
                _remember(session, k, current, value := _decoded(row))
                return value, False
        value = make()
        session.info[MADE] = session.info.get(MADE, 0) + 1
        _remember(session, k, current, value)
        if shared:
            _store(session, k, current, value)
        return value, False
    finally:
        if mine:
            making.release()
            with _lock:
                _makers.pop(k, None)


def _decoded(row) -> str | bytes:
    return bytes(row.data).decode() if row.mimetype == "text" else bytes(row.data)


def _making(session: Session, k: str) -> bool:
    """Take the right to make this value (True), or learn that another transaction has it (False)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.execute(sa.select(sa.func.pg_try_advisory_xact_lock(int(k[:15], 16)))).scalar())


def _store(session: Session, k: str, current: str, value: str | bytes) -> None:
    """Keep a value for every worker and commit; a failure costs the caching, never the answer."""
    entry = CacheEntry.__table__
    text = isinstance(value, str)
    row = {
        "key": k,
        "stamp": current,
        "mimetype": "text" if text else "bytes",
        "data": value.encode() if text else value,
    }
    try:
        insert = (postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(entry)
        session.execute(insert.values(row).on_conflict_do_update(index_elements=["key"], set_=row))
        session.commit()
    except SQLAlchemyError:
        session.rollback()
