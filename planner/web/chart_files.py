"""Chart downloads through the shared chart cache (services/chart_cache.py), with ETag and 304."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .. import models
from ..charts.common import MIMETYPES
from ..extensions import db
from ..models import utcnow
from ..services import chart_cache, trail_memo
from .access import get_strategy_or_404
from .clock import today
from .downloads import disposition_header

# (options that select the picture, a function that draws it) for a loaded strategy row
Prepare = Callable[[models.Strategy], tuple[dict, Callable[[], bytes]]]


def chart_response(
    strategy_id: int, chart: str, fmt: str, prepare: Prepare, filename: Callable[[models.Strategy], str] | None = None
) -> Response:
    """The chart from the cache, drawn and stored on a miss; `If-None-Match` with the current
    ETag answers 304. SVG is inline (pages embed it), PNG and PDF are downloads.

    A cached chart costs the strategy row, the reader's rights, what `prepare` reads for the
    options and one statement for the revision and the entry. On a miss the strategy and the
    options are read again after the revision (never draw older data under a newer revision).
    A logged-in reader's chart is also kept in the process while nothing changes
    (services/trail_memo.py): then it costs the login check and one statement."""
    kept_key = None
    if current_user.is_authenticated:
        kept_key, kept = trail_memo.lookup(
            db.session, ("chart", current_user.id, request.script_root, request.full_path, today()), utcnow()
        )
        if kept is not trail_memo.MISSING:
            return _response(*kept)
    row = get_strategy_or_404(strategy_id, load=False)
    options, draw = prepare(row)
    key = chart_cache.key(row.id, chart, fmt, options)
    revision, found = chart_cache.lookup_current(db.session, row.id, [key])
    headers = {"Cache-Control": "no-cache"}
    if filename is not None:
        headers |= disposition_header(filename(row), inline=fmt == "svg")
    etag = chart_cache.etag(key, revision)
    if request.if_none_match.contains(etag):
        return _response(b"", MIMETYPES[fmt], headers, etag)
    data = found.get(key)
    if data is None and chart_cache.wait_for_drawing(db.session, key):
        revision, found = chart_cache.lookup_current(db.session, row.id, [key])  # drawn meanwhile?
        data = found.get(key)
    if data is None:
        db.session.expire_all()  # read what the chart is drawn from after the revision
        row = get_strategy_or_404(strategy_id, load=False)
        options, draw = prepare(row)
        key = chart_cache.key(row.id, chart, fmt, options)
        etag = chart_cache.etag(key, revision)
        data = draw()
        try:
            chart_cache.store(db.session, key, row.id, revision, MIMETYPES[fmt], data)
            db.session.commit()
        except SQLAlchemyError:  # a full disk or a lost connection must not cost the user the chart
            db.session.rollback()
            current_app.logger.warning("Diagramm nicht zwischengespeichert: %s", key, exc_info=True)
    if kept_key is not None:
        trail_memo.keep(db.session, kept_key, (data, MIMETYPES[fmt], headers, etag), utcnow())
    return _response(data, MIMETYPES[fmt], headers, etag)


def _response(data: bytes, mimetype: str, headers: dict, etag: str) -> Response:
    """The chart, or 304 when the browser already has this state of it."""
    if request.if_none_match.contains(etag):
        response = Response(status=304, headers=headers)
    else:
        response = Response(data, mimetype=mimetype, headers=headers)
    response.set_etag(etag)
    return response
