"""The edit-conflict check of forms that carry the version they were filled from (optimistic
locking with `lock_version`): one helper for every such form."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .verlauf import conflict_message, describe_conflict


class EditConflict(Exception):
    """Someone else saved the object after the form was filled; nothing was written.

    `message` is the German refusal naming what they changed; `current_version` is the version
    to put into the form again (None when the object is gone)."""

    def __init__(self, message: str, current_version: int | None):
        super().__init__(message)
        self.message = message
        self.current_version = current_version


@contextmanager
def unchanged_since(session: Session, table: str, row, seen: int) -> Iterator[None]:
    """Run the writes of the block only when `row` is still at version `seen`, and flush them.

    When it has moved on, or a concurrent save wins the race at the flush (StaleDataError),
    the transaction is rolled back and EditConflict raised. Other exceptions pass unchanged."""
    row_id = row.id
    try:
        if seen != row.lock_version:
            raise StaleDataError(seen)
        yield
        session.flush()
    except StaleDataError:
        session.rollback()
        message = conflict_message(describe_conflict(session, table, row_id, seen))
        fresh = session.get(type(row), row_id)
        raise EditConflict(message, fresh.lock_version if fresh is not None else None) from None
