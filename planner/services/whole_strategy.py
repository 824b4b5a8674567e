"""The whole strategy: the one place that assembles every area's data, for a strategy file's
import and export, the Steckbriefe and the Fortschreibung.

The core (`strategies`) knows no area; each area service (`maturity`, `verstetigung`) reads
and writes its own part; this module calls the core and then each area in turn. A new area
with data in the strategy file adds one line to each function here. (The organisation backup
in `backup` needs no assembly: it follows the tables' foreign keys.)
"""

from __future__ import annotations

from sqlalchemy.orm import Session, object_session

from .. import models
from ..domain.strategy import Strategy
from ..domain.whole_strategy import WholeStrategy, with_parts
from .maturity import domain_fields, store_strategy_maturity
from .strategies import import_core, read_strategy
from .verstetigung import store_strategy_verstetigung, verstetigung_fields


def strategy_to_domain(row: models.Strategy) -> WholeStrategy:
    """The whole domain strategy of a row: the core and every area's data (export, Steckbriefe,
    Verstetigung). Pages that show less use `strategies.read_strategy`."""
    return with_parts(read_strategy(object_session(row), row), **domain_fields(row), **verstetigung_fields(row))


def import_strategy(session: Session, strategy: Strategy) -> models.Strategy:
    """Write a validated strategy as a new strategy of its organisation: the core, then each
    area's part (a core `Strategy` has none). Raises `strategies.ValidationFailed` (nothing
    written by the caller's rollback) when the core or an area refuses it."""
    if not isinstance(strategy, WholeStrategy):
        strategy = with_parts(strategy)
    row = import_core(session, strategy)
    store_strategy_maturity(session, row, strategy)
    store_strategy_verstetigung(session, row, strategy)
    return row
