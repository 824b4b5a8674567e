"""Rendered charts (and page parts, services/page_cache.py), cached once per state of a strategy
and shared through the database.

An entry is stored under a key made of the chart, its format and options (the date, for
charts that draw today) and a fingerprint of the drawing code, together with the strategy's
revision it was drawn at. The revision (models.cache.StrategyRevision) is bumped by the audit
listener in the same transaction as every change of the strategy or of its organisation's
data; an entry counts only while its revision is the strategy's current one, so a change
retires it on every worker and every instance at the moment the change commits.
`lookup_current` reads the current revision and the entries in one statement.

Order matters for "never stale": read the revision first, then load the data the chart is
drawn from. A chart drawn from data newer than its revision may be filed under the older
revision (a later reader sees the newer picture, never an older one); the reverse cannot happen.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..models import Strategy
from ..models.cache import ChartCacheEntry, StrategyRevision

# changes of these tables belong to an organisation but change no chart
_NOT_SHOWN = {"users", "memberships", "coordinations"}

_revisions = StrategyRevision.__table__
_cache = ChartCacheEntry.__table__


@cache
def code_fingerprint() -> str:
    """A hash of the code charts are drawn with (charts, the PDF helper, the domain analyses and
    the catalogue): a new release draws its charts anew."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for folder, pattern in (("charts", "*.py"), ("documents", "*.py"), ("domain", "*.py"), ("data", "*.yaml")):
        for path in sorted((root / folder).glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def revision(session: Session, strategy_id: int) -> int:
    """The strategy's change counter (0 before its first change)."""
    value = session.execute(
        sa.select(_revisions.c.revision).where(_revisions.c.strategy_id == strategy_id)
    ).scalar_one_or_none()
    return value or 0


def key(strategy_id: int, chart: str, fmt: str, options: dict | None = None) -> str:
    """The cache key (without the revision: an entry is stored with the revision it was drawn at)."""
    text = json.dumps([code_fingerprint(), strategy_id, chart, fmt, options or {}], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def etag(cache_key: str, revision: int) -> str:
    """The ETag of an entry: its key and the revision."""
    return f"{cache_key}-{revision}"


def lookup_current(session: Session, strategy_id: int, keys: Iterable[str]) -> tuple[int, dict[str, bytes]]:
    """The strategy's current revision and the entries among `keys` drawn at it, in one statement."""
    rows = session.execute(_current_statement(), {"strategy_id": strategy_id, "keys": sorted(set(keys))}).all()
    return rows[0].revision, {r.key: bytes(r.data) for r in rows if r.key is not None}


@cache
def _current_statement() -> sa.Select:
    """The revision of :strategy_id and its entries among :keys drawn at it (built once)."""
    strategy_id = sa.bindparam("strategy_id", type_=sa.Integer)
    current = sa.select(
        sa.func.coalesce(
            sa.select(_revisions.c.revision).where(_revisions.c.strategy_id == strategy_id).scalar_subquery(), 0
        ).label("revision")
    ).subquery()
    return sa.select(current.c.revision, _cache.c.key, _cache.c.data).select_from(
        current.outerjoin(
            _cache,
            sa.and_(
                _cache.c.key.in_(sa.bindparam("keys", expanding=True)),
                _cache.c.strategy_id == strategy_id,
                _cache.c.revision == current.c.revision,
            ),
        )
    )


def wait_for_drawing(session: Session, cache_key: str) -> bool:
    """Before drawing a missing entry: on PostgreSQL wait while another request draws the same
    entry (a transaction-level advisory lock, released at its commit or rollback), so a cold entry
    asked for by many readers at once is drawn once and the others take it from the cache; look
    it up again afterwards. True when a lock was taken (SQLite serialises its writers anyway)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(int(cache_key[:15], 16))))
    return True


def lookup_many(session: Session, revisions: dict[int, int], keys: dict[str, int]) -> dict[str, bytes]:
    """The entries among `keys` (key -> strategy id) drawn at their strategy's revision in `revisions`
    (read before), in one statement."""
    if not keys:
        return {}
    rows = session.execute(
        sa.select(_cache.c.key, _cache.c.strategy_id, _cache.c.revision, _cache.c.data).where(
            _cache.c.key.in_(sorted(keys))
        )
    )
    return {r.key: bytes(r.data) for r in rows if revisions.get(r.strategy_id) == r.revision}


def _insert(connection: Connection):
    return postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert


def store(session: Session, cache_key: str, strategy_id: int, revision: int, mimetype: str, data: bytes) -> None:
    """Keep a rendered chart; drop the strategy's charts of other revisions. Two workers that
    rendered the same chart at once both succeed (the second insert is skipped; an entry of an
    older revision left by a slow worker counts for nobody and goes with the next store)."""
    connection = session.connection()
    _drop(connection, _cache.c.strategy_id == strategy_id, _cache.c.revision != revision)
    insert = _insert(connection)
    session.execute(
        insert(_cache)
        .values(key=cache_key, strategy_id=strategy_id, revision=revision, mimetype=mimetype, data=data)
        .on_conflict_do_nothing(index_elements=["key"])
    )


def bump(connection: Connection, strategy_ids: Iterable[int]) -> None:
    """Count one change for each strategy and forget its charts (in the caller's transaction)."""
    ids = sorted(set(strategy_ids))  # one order for every writer: no deadlocks between them
    if not ids:
        return
    insert = _insert(connection)
    statement = insert(_revisions).values([{"strategy_id": i, "revision": 1} for i in ids])
    connection.execute(
        statement.on_conflict_do_update(index_elements=["strategy_id"], set_={"revision": _revisions.c.revision + 1})
    )
    _drop(connection, _cache.c.strategy_id.in_(ids))


def _drop(connection: Connection, *conditions) -> None:
    """Delete the entries that meet the conditions, but on PostgreSQL only those no other
    transaction holds (SKIP LOCKED): dropping entries is tidying up — an entry of an older revision
    counts for nobody and goes with a later store or change — so it never waits for another
    request, and readers storing parts and writers changing strategies cannot deadlock over it."""
    stale = sa.select(_cache.c.key).where(*conditions)
    if connection.dialect.name == "postgresql":
        stale = stale.with_for_update(skip_locked=True)
    connection.execute(sa.delete(_cache).where(_cache.c.key.in_(stale)))


def changed_strategies(connection: Connection, entries: Iterable[dict]) -> set[int]:
    """The strategies whose charts a flush's audit entries may change: the strategy an entry
    lies under, else every strategy of the entry's organisation (persons, assessments)."""
    ids: set[int] = set()
    organisations: set[int] = set()
    for e in entries:
        if e["table_name"] == "strategies":
            ids.add(int(e["object_id"]))
            continue
        under = [int(part.split(":", 1)[1]) for part in e["path"].split("|") if part.startswith("strategies:")]
        if under:
            ids.update(under)
        elif e["organisation_id"] is not None and e["table_name"] not in _NOT_SHOWN:
            organisations.add(e["organisation_id"])
    if organisations:
        ids.update(strategies_of(connection, organisations))
    return ids


def strategies_of(connection: Connection, organisation_ids: Iterable[int]) -> list[int]:
    """The ids of the organisations' strategies."""
    return list(
        connection.execute(
            sa.select(Strategy.id).where(Strategy.organisation_id.in_(sorted(organisation_ids)))
        ).scalars()
    )
