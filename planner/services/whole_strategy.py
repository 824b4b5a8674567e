"""The whole strategy: the one place that assembles every area's data, for a strategy file's
import and export, the Steckbriefe and the Fortschreibung.

The core (`strategies`) knows no area; each area service (`maturity`, `verstetigung`) reads
and writes its own part; this module calls the core and then each area in turn. A new area
with data in the strategy file adds one line to each function here. (The organisation backup
in `backup` needs no assembly: it follows the tables' foreign keys.)
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import models
from ..domain.strategy import Strategy
from ..domain.whole_strategy import WholeStrategy, with_parts
from .maturity import domain_fields, store_strategy_maturity
from .strategies import core_to_domain, import_core
from .verstetigung import store_strategy_verstetigung, verstetigung_fields


def strategy_to_domain(row: models.Strategy) -> WholeStrategy:
    """The whole domain strategy of a row: the core and every area's data (export, Steckbriefe,
    Verstetigung). Pages that show less use `strategies.core_to_domain` or `read_core`."""
    return with_parts(core_to_domain(row), **domain_fields(row), **verstetigung_fields(row))


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
