"""Values computed from many tables, kept per process while the audit trail shows no change.

The audit trail is the app's change log: the audit listener writes an entry in the transaction of
every change of an audited table (everything but the trail itself, login attempts, caches and kept
forms), and entries are never changed. So the newest entry's id, together with the number of
entries among the newest TRAIL_SPAN ids, is a version of the whole database: the number catches an
entry of a transaction that committed after a newer one (a gap filled). Reading it is one
statement on an index.

A value is kept under its caller's key, the trail's state and the current minute: a change
that bypasses the listener (a bulk insert of the sample Land) or commits later than that span shows
within a minute at most. Each worker process keeps its own MEMO_SIZE values per database engine.
What the caller's key must hold: everything the value depends on that is not in the database
(the reader, the day, the address the site is served under).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models.auth import AuditEntry

T = TypeVar("T")

TRAIL_SPAN = 2000
MEMO_SIZE = 512

_memos: weakref.WeakKeyDictionary[sa.Engine, OrderedDict[tuple, object]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def trail_state(session: Session) -> tuple[int | None, int]:
    """(newest entry id, entries among the newest TRAIL_SPAN ids): one statement."""
    a = AuditEntry.__table__
    newest = sa.select(sa.func.max(a.c.id)).scalar_subquery()
    row = session.execute(sa.select(newest, sa.func.count()).select_from(a).where(a.c.id > newest - TRAIL_SPAN)).one()
    return row[0], row[1]


def remembered(session: Session, key: Hashable, now: datetime, compute: Callable[[], T]) -> T:
    """The value kept under `key` at the trail's current state and `now`'s minute, else `compute()`
    (outside the lock: two requests may compute the same value once each)."""
    full = (key, trail_state(session), now.replace(second=0, microsecond=0))
    engine = session.get_bind()
    with _lock:
        memo = _memos.setdefault(engine, OrderedDict())
        if full in memo:
            memo.move_to_end(full)
            return memo[full]  # type: ignore[return-value]
    value = compute()
    with _lock:
        memo[full] = value
        while len(memo) > MEMO_SIZE:
            memo.popitem(last=False)
    return value
