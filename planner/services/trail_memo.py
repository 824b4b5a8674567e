"""Values computed from many tables, kept per process while the audit trail shows no change.

The audit trail is the app's change log: the audit listener writes an entry in the transaction of
every change of an audited table (everything but the trail itself, login attempts, caches and kept
forms), and entries are never changed. So the newest entry's id, together with the number of
entries among the newest TRAIL_SPAN ids, is a version of the whole database: the number catches an
entry of a transaction that committed after a newer one (a gap filled). The few bulk changes that
write no entry (maturity targets set back to the default, a criteria import) bump their strategies'
revisions (services/chart_cache.py), which only grow: their sum is the third part of the state.
Reading the state is one statement.

A value is kept under its caller's key and the trail's state, for a minute or a little more
(MEMO_SECONDS with a random part, so that values kept together are not all computed anew at
once): a change that bypasses both the listener and the revisions, or commits later than that span,
shows within a minute and a half at most. Each worker process keeps its own values per database engine (at most
MEMO_SIZE of them and MEMO_BYTES of text).
What the caller's key must hold: everything the value depends on that is not in the database
(the reader, the day, the address the site is served under).
"""

from __future__ import annotations

import random
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models.auth import AuditEntry
from ..models.cache import StrategyRevision

TRAIL_SPAN = 2000
MEMO_SIZE = 512  # values per engine and process
MEMO_SECONDS = 60  # and for at most 60–90 s
MEMO_BYTES = 48 * 1024 * 1024  # and at most this much text (a 300-measure page is about 0.3 MB)

_memos: weakref.WeakKeyDictionary[sa.Engine, _Memo] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
MISSING = object()


class _Memo:
    """Least recently used values with their weights (the length of a text, else 1) and expiry."""

    def __init__(self) -> None:
        self.values: OrderedDict[tuple, tuple[object, int, datetime]] = OrderedDict()
        self.weight = 0


def _weight(value: object) -> int:
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, tuple | list):
        return sum(_weight(v) for v in value) or 1
    return 1


def _state_statement() -> sa.Select:
    a, r = AuditEntry.__table__, StrategyRevision.__table__
    newest = sa.select(sa.func.max(a.c.id)).scalar_subquery()
    revisions = sa.select(sa.func.sum(r.c.revision)).scalar_subquery()
    return sa.select(newest, sa.func.count(), revisions).select_from(a).where(a.c.id > newest - TRAIL_SPAN)


_STATE = _state_statement()  # built once: it is read on every request of a kept page


def trail_state(session: Session) -> tuple[int | None, int, int | None]:
    """(newest entry id, entries among the newest TRAIL_SPAN ids, sum of the strategy revisions):
    one statement."""
    row = session.execute(_STATE).one()
    return row[0], row[1], row[2]


def lookup(session: Session, key: Hashable, now: datetime) -> tuple[tuple, object]:
    """The full key (the caller's and the trail's state) and the value kept under it, or MISSING
    (also when it has expired); pass the full key to `keep` after computing the value."""
    full = (key, trail_state(session))
    with _lock:
        memo = _memos.get(session.get_bind())
        entry = memo.values.get(full) if memo is not None else None
        if entry is not None and now < entry[2]:
            memo.values.move_to_end(full)
            return full, entry[0]
    return full, MISSING


def keep(session: Session, full_key: tuple, value: object, now: datetime) -> None:
    """Keep a value under the full key `lookup` returned, for MEMO_SECONDS and a random part of
    half as much again (values kept at the same moment do not all expire at once); the least
    recently used go first when the memo is full."""
    weight = _weight(value)
    if weight > MEMO_BYTES // 4:
        return
    expires = now + timedelta(seconds=MEMO_SECONDS * (1 + random.random() / 2))  # noqa: S311 - not secret
    with _lock:
        memo = _memos.setdefault(session.get_bind(), _Memo())
        old = memo.values.pop(full_key, None)
        memo.weight -= old[1] if old else 0
        memo.values[full_key] = (value, weight, expires)
        memo.weight += weight
        while len(memo.values) > MEMO_SIZE or memo.weight > MEMO_BYTES:
            _, (_, dropped, _) = memo.values.popitem(last=False)
            memo.weight -= dropped


def clear() -> None:
    """Forget every kept value (after a change the trail cannot see, such as a setting of the
    running process)."""
    with _lock:
        _memos.clear()
