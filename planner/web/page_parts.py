"""Parts of a strategy's pages served from the page cache (services/page_cache.py).

A view names the parts it shows with what each depends on besides the strategy's data (the
day, the reader's write access, a filter); `fetch` reads the strategy's revision and every
named part in one statement. Only for the parts not found does the view load the strategy
and render them (`render`), which also stores them for every worker and instance. The
revision is read before the view loads anything the parts are drawn from.

Nothing of one user goes into a part (no name of the reader, no CSRF token); what depends on
the reader's rights is in the part's options, so two readers with different rights get
different parts. Forms in a part are built and rendered inside `placeholder_csrf()`: the part
holds a placeholder, replaced by the reader's own token each time it is served.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..extensions import db
from ..services import chart_cache, page_cache
from .placeholders import csrf_placeholder


def _served(html: str) -> Markup:
    """A part as this reader gets it: with the reader's own CSRF token."""
    marker = csrf_placeholder()
    if marker in html:
        html = html.replace(marker, generate_csrf())
    return Markup(html)


class PageParts:
    """The cached parts of one page of one strategy."""

    def __init__(self, strategy_id: int):
        self.strategy_id = strategy_id
        self.revision: int | None = None
        self.keys: dict[str, str] = {}
        self._html: dict[str, str] = {}
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
        missing = [name for name, key in self.keys.items() if key not in found]
        if missing and chart_cache.wait_for_drawing(db.session, self.keys[missing[0]]):
            # another request may have rendered them while this one waited
            self.revision, found = page_cache.lookup_current(db.session, self.strategy_id, self.keys.values())
        for name, key in self.keys.items():
            if key in found:
                self._html[name] = found[key]
        return [name for name in self.keys if name not in self._html]

    def render(self, name: str, template: str, **context) -> None:
        """Render a missing part and keep it (stored by `save`)."""
        self.put(name, render_template(template, **context))

    def put(self, name: str, html: str) -> None:
        """Keep a missing part rendered otherwise (HTML, escaped where needed)."""
        self._html[name] = str(html)
        self._new.append((self.keys[name], self.strategy_id, self.revision, str(html)))

    @property
    def html(self) -> dict[str, Markup]:
        """The parts as this reader gets them (with the reader's own CSRF token); ask after
        rendering, outside `placeholder_csrf()`."""
        return {name: _served(html) for name, html in self._html.items()}

    @staticmethod
    @contextmanager
    def placeholder_csrf() -> Iterator[None]:
        """Forms built and rendered meanwhile carry the placeholder instead of a CSRF token."""
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        saved = g.pop(field, None)
        setattr(g, field, csrf_placeholder())
        try:
            yield
        finally:
            g.pop(field, None)
            if saved is not None:
                setattr(g, field, saved)

    def save(self) -> None:
        """Store the parts rendered by this request (a failure costs the caching, not the page)."""
        if self._new:
            page_cache.store_many(db.session, self._new)
            self._new = []
