"""Chart downloads through the shared chart cache (services/chart_cache.py), with ETag and 304."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from .. import models
from ..charts.common import MIMETYPES
from ..extensions import db
from ..services import chart_cache
from .access import get_strategy_or_404
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
    options are read again after the revision (never draw older data under a newer revision)."""
    row = get_strategy_or_404(strategy_id, load=False)
    options, draw = prepare(row)
    key = chart_cache.key(row.id, chart, fmt, options)
    revision, found = chart_cache.lookup_current(db.session, row.id, [key])
    headers = {"Cache-Control": "no-cache"}
    if filename is not None:
        headers |= disposition_header(filename(row), inline=fmt == "svg")
    etag = chart_cache.etag(key, revision)
    if request.if_none_match.contains(etag):
        response = Response(status=304, headers=headers)
        response.set_etag(etag)
        return response
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
    response = Response(data, mimetype=MIMETYPES[fmt], headers=headers)
    response.set_etag(etag)
    return response
