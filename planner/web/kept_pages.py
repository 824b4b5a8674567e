"""Whole read-only pages kept per reader while nothing changes (services/trail_memo.py).

The people who use planner open the same pages all day; while the database has no change, a
reader's page at an address is the same. `kept_page` keeps it per reader, address and day in the
process and serves it at the cost of the login check and one statement on the audit trail; any
change anywhere, or the next minute, renders it anew (its cached parts — services/page_cache.py —
usually still hold). What differs per request is rendered as placeholders and filled in when the
page is served: the reader's CSRF token and the seconds left of the session. A request that
carries flashed messages or a restored form, and a page that is not a plain 200 HTML answer, is
neither served from nor kept in the memo.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, wraps

from flask import Response, current_app, g, request, session
from flask.globals import request_ctx
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..extensions import db
from ..models import utcnow
from ..services import trail_memo
from .clock import today
from .page_parts import PageParts
from .placeholders import csrf_placeholder, timer_placeholder
from .session_timeout import remaining_seconds

DROPPED_HEADERS = {"content-length", "set-cookie"}


@contextmanager
def _timer_placeholder() -> Iterator[None]:
    g.session_timer_placeholder = True
    try:
        yield
    finally:
        g.pop("session_timer_placeholder", None)


def _keepable() -> bool:
    return (
        request.method == "GET"
        and current_user.is_authenticated
        and not session.get("_flashes")
        and not g.get("kept_form")
    )


@cache
def _splitter(markers: tuple[str, ...]) -> re.Pattern:
    return re.compile("(" + "|".join(re.escape(m) for m in markers) + ")")


def _segments(body: str) -> tuple[bytes | str, ...]:
    """The page as encoded pieces between its placeholders (kept so, it is served by one join)."""
    markers = (csrf_placeholder(), timer_placeholder())
    return tuple(p if p in markers else p.encode() for p in _splitter(markers).split(body))


def _serve(segments: tuple[bytes | str, ...], mimetype: str, headers: list[tuple[str, str]]) -> Response:
    """The kept page with this request's CSRF token and session time filled in."""
    values = {}
    csrf, timer = csrf_placeholder(), timer_placeholder()
    if csrf in segments:
        values[csrf] = generate_csrf().encode()
    if timer in segments:
        values[timer] = str(remaining_seconds()).encode()
    body = b"".join(values[s] if isinstance(s, str) else s for s in segments)
    return Response(body, mimetype=mimetype, headers=headers)


def kept_page(view: Callable) -> Callable:
    """Serve the view's page from the memo while nothing changed; render and keep it otherwise."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _keepable():
            return view(*args, **kwargs)
        key = (
            "page",
            current_user.id,
            request.scheme,
            request.host,
            request.script_root,
            request.full_path,
            today(),
        )
        full, kept = trail_memo.lookup(db.session, key, utcnow())
        if kept is not trail_memo.MISSING:
            return _serve(*kept)
        with PageParts.placeholder_csrf(), _timer_placeholder():
            response = current_app.make_response(view(*args, **kwargs))
        if response.status_code != 200 or response.is_streamed or response.mimetype != "text/html":
            return response
        body = response.get_data(as_text=True)
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in DROPPED_HEADERS]
        kept = (_segments(body), response.mimetype, headers)
        if not request_ctx.flashes:  # a page that showed a message is not shown again
            trail_memo.keep(db.session, full, kept, utcnow())
        return _serve(*kept)

    return wrapper
