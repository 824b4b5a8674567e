"""Rendered parts of pages, cached once per state of a strategy, in the chart cache's table.

The same mechanism as the charts (services/chart_cache.py): an entry is stored with the
strategy's revision (bumped by the audit listener in the transaction of every change of the
strategy or of what its pages show) and counts only at that revision; its key holds the part's
name and everything else the part depends on (the day,
the reader's rights that change the part, the address the site is served under) and a
fingerprint of the code and templates it is rendered with. Every worker and every instance on
the same database shares the entries; a change retires every part of the strategy at the moment it commits.

What a part may depend on is the caller's responsibility: only what is in its options and
the strategy's own data. Nothing that belongs to one user (CSRF tokens, names of the reader,
flashed messages) goes into a cached part; such things are rendered around it per request.

Order matters as for the charts: read the revision first (`lookup_current`, or with the strategy ids), then
the data a part is rendered from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import chart_cache

MIMETYPE = "text/html; charset=utf-8"

_ROOT = Path(__file__).resolve().parent.parent


@cache
def code_fingerprint() -> str:
    """A hash of what page parts are rendered with: the chart fingerprint (domain, data), the
    services, the web layer and the templates. A new release renders its parts anew."""
    digest = hashlib.sha256(chart_cache.code_fingerprint().encode())
    for folder, pattern in (
        (_ROOT / "services", "*.py"),
        (_ROOT / "web", "*.py"),
        (_ROOT.parent / "templates", "**/*.html"),
    ):
        for path in sorted(folder.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def key(strategy_id: int, part: str, options: dict | None = None) -> str:
    """The key of a rendered part of a page (stored with the revision it was rendered at)."""
    return chart_cache.key(strategy_id, f"page:{part}", "html", {**(options or {}), "code": code_fingerprint()})


def lookup_current(session: Session, strategy_id: int, keys: Iterable[str]) -> tuple[int, dict[str, str]]:
    """The strategy's current revision and its parts among `keys` rendered at it, in one statement."""
    revision, found = chart_cache.lookup_current(session, strategy_id, keys)
    return revision, {k: v.decode() for k, v in found.items()}


def lookup_many(session: Session, revisions: dict[int, int], keys: dict[str, int]) -> dict[str, str]:
    """Parts of several strategies (key -> strategy id) rendered at the revisions read before."""
    return {k: v.decode() for k, v in chart_cache.lookup_many(session, revisions, keys).items()}


def store_many(session: Session, parts: Iterable[tuple[str, int, int, str]]) -> None:
    """Keep rendered parts (key, strategy id, revision, HTML) and commit; a failure (a full disk,
    a lost connection) is rolled back and costs only the caching, never the page."""
    try:
        # in the order of their keys: two requests storing the same parts never wait for each other in a circle
        for cache_key, strategy_id, revision, html in sorted(parts, key=lambda p: p[0]):
            chart_cache.store(session, cache_key, strategy_id, revision, MIMETYPE, html.encode())
        session.commit()
    except SQLAlchemyError:
        session.rollback()
