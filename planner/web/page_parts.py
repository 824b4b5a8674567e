"""Parts of a strategy's pages served from the page cache (services/page_cache.py).

A view names the parts it shows with what each depends on besides the strategy's data (the
day, the reader's write access, a filter); `fetch` reads the strategy's revision and every
named part in one statement. Only for the parts not found does the view load the strategy
and render them (`render`), which also stores them for every worker and instance. The
revision is read before the view loads anything the parts are drawn from.

Nothing of one user goes into a part (no CSRF token, no name of the reader); what depends on
the reader's rights is in the part's options, so two readers with different rights get
different parts.
"""

from __future__ import annotations

from flask import render_template, request
from markupsafe import Markup

from ..extensions import db
from ..services import page_cache


class PageParts:
    """The cached parts of one page of one strategy."""

    def __init__(self, strategy_id: int):
        self.strategy_id = strategy_id
        self.revision: int | None = None
        self.keys: dict[str, str] = {}
        self.html: dict[str, Markup] = {}
        self._new: list[tuple[str, int, int, str]] = []

    def want(self, name: str, **options) -> PageParts:
        """A part of this page and what it depends on besides the strategy."""
        options["root"] = request.script_root
        self.keys[name] = page_cache.key(self.strategy_id, name, options)
        return self

    def fetch(self) -> list[str]:
        """Read the revision and the wanted parts; returns the names of those not in the cache.
        Call it before loading anything a part is rendered from."""
        self.revision, found = page_cache.lookup_current(db.session, self.strategy_id, self.keys.values())
        for name, key in self.keys.items():
            if key in found:
                self.html[name] = Markup(found[key])
        return [name for name in self.keys if name not in self.html]

    def render(self, name: str, template: str, **context) -> None:
        """Render a missing part and keep it (stored by `save`)."""
        html = render_template(template, **context)
        self.html[name] = Markup(html)
        self._new.append((self.keys[name], self.strategy_id, self.revision, html))

    def save(self) -> None:
        """Store the parts rendered by this request (a failure costs the caching, not the page)."""
        if self._new:
            page_cache.store_many(db.session, self._new)
            self._new = []
