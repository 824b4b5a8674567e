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
    ETag answers 304. SVG is inline (pages embed it), PNG and PDF are downloads."""
    revision = chart_cache.revision(db.session, strategy_id)  # before any data it is drawn from
    row = get_strategy_or_404(strategy_id, load=False)
    options, draw = prepare(row)
    key = chart_cache.key(row.id, revision, chart, fmt, options)
    headers = {"Cache-Control": "no-cache"}
    if filename is not None:
        headers |= disposition_header(filename(row), inline=fmt == "svg")
    if request.if_none_match.contains(key):
        response = Response(status=304, headers=headers)
        response.set_etag(key)
        return response
    data = chart_cache.lookup(db.session, key)
    if data is None:
        data = draw()
        try:
            chart_cache.store(db.session, key, row.id, revision, MIMETYPES[fmt], data)
            db.session.commit()
        except SQLAlchemyError:  # a full disk or a lost connection must not cost the user the chart
            db.session.rollback()
            current_app.logger.warning("Diagramm nicht zwischengespeichert: %s", key, exc_info=True)
    response = Response(data, mimetype=MIMETYPES[fmt], headers=headers)
    response.set_etag(key)
    return response
