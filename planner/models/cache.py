"""The cache's tables (services/cache.py): a change counter per scope and the shared values.
Migration: 0010_one_cache (0010_one_cache_keyed_by_revisions.py).

`revisions` counts the changes of a scope ("s:<strategy id>", "o:<organisation id>",
"u:<user id>", "*"), bumped in the transaction of the change. `cache_entries` holds one value
per name and options with the stamp (the revisions it was made at) it counts for. Neither has a
foreign key; both are left out of backups (services/backup.py EXCLUDED).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .core import Model, utcnow


class Revision(Model):
    """How often a scope has changed; no row: never."""

    __tablename__ = "revisions"

    scope: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    revision: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class CacheEntry(Model):
    """A cached value: key = hash of name, options and code; valid while `stamp` is current."""

    __tablename__ = "cache_entries"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    stamp: Mapped[str] = mapped_column(sa.String(32))
    mimetype: Mapped[str] = mapped_column(sa.String(10))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
