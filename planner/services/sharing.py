"""Sharing a strategy with other health offices: the office's decision, one row per shared strategy.

A shared strategy is readable (never writable) by every logged-in member of another office;
the access rules that use this live in web/access.py, the one place for permissions.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..models.land import SharedStrategy


def is_shared(session: Session, strategy_id: int) -> bool:
    """Whether the strategy is visible to other health offices."""
    return session.get(SharedStrategy, strategy_id) is not None


def set_shared(session: Session, strategy_id: int, shared: bool, by: str) -> bool:
    """Share or stop sharing the strategy; whether anything changed."""
    row = session.get(SharedStrategy, strategy_id)
    if shared and row is None:
        session.add(SharedStrategy(strategy_id=strategy_id, shared_by=by[:200]))
        return True
    if not shared and row is not None:
        session.delete(row)
        return True
    return False


def shared_strategy_ids() -> sa.Select:
    """The ids of all shared strategies, as a subquery for other queries."""
    return sa.select(SharedStrategy.strategy_id)


def shared_by_others(session: Session, own: set[int] | None) -> list[tuple[int, str, str, str]]:
    """(strategy id, organisation, title, version) of the strategies other offices share, outside
    the organisations `own` (None: the user sees everything anyway, so none are listed apart)."""
    if own is None:
        return []
    s, o = models.Strategy, models.Organisation
    query = (
        sa.select(s.id, o.name, s.title, s.version)
        .join(o, o.id == s.organisation_id)
        .where(s.id.in_(shared_strategy_ids()), s.organisation_id.not_in(own))
        .order_by(o.name, s.title, s.id)
    )
    return [tuple(r) for r in session.execute(query)]
