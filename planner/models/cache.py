"""Chart cache tables: a change counter per strategy and the rendered charts.
Migration: 0006_h3_chart_cache.

`strategy_revisions` counts every change of a strategy or of what its pages show (measures,
owners, dependencies, baselines, Verstetigung records; persons and assessments of its
organisation): the audit listener bumps it in the transaction of the change. `chart_cache`
holds rendered charts keyed by that counter, so every worker and every instance sharing the
database serves a chart rendered once per state. Neither table has a foreign key: a counter
must keep counting when a strategy is deleted (a new strategy may get the same id on SQLite),
and both are left out of backups (services/backup.py EXCLUDED).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .core import Model, utcnow


class StrategyRevision(Model):
    """How often the strategy (or anything its pages show) has changed; no row: 0."""

    __tablename__ = "strategy_revisions"

    strategy_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(default=0)


class ChartCacheEntry(Model):
    """A rendered chart: key = hash of chart, format, options, date and the strategy's revision."""

    __tablename__ = "chart_cache"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    strategy_id: Mapped[int] = mapped_column(index=True)
    revision: Mapped[int]
    mimetype: Mapped[str] = mapped_column(sa.String(50))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
