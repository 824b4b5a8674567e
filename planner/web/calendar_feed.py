"""Calendar subscription: one iCalendar feed per user and token, with the open evaluations and
strategy reviews of every strategy the user may see (Outlook re-reads the address by itself)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort

from .. import models
from ..extensions import db
from ..formats.ics import calendar_file
from ..services import tokens
from ..services.evaluation_calendar import evaluation_events
from ..services.strategies import load_strategy_row
from ..services.verstetigung import successor_id
from . import clock
from .access import visible_organisation_ids
from .token_auth import act_as, still_allowed
from .verstetigung.calendar import evaluation_form_url

bp = Blueprint("calendar_feed", __name__)


@bp.get("/kalender/<secret>.ics")
def feed(secret: str):
    """The feed of the calendar token in the address; an unknown or revoked token is not found."""
    token = tokens.lookup(db.session, secret, "kalender")
    if token is None or not still_allowed(token.user):
        abort(404)
    act_as(token, f"Kalender „{token.name}“")
    visible = visible_organisation_ids()
    query = sa.select(models.Strategy.id).order_by(models.Strategy.id)
    if visible is not None:
        query = query.where(models.Strategy.organisation_id.in_(visible or [-1]))
    today = clock.today()
    events = []
    for strategy_id in db.session.scalars(query):
        if successor_id(db.session, strategy_id) is not None:
            continue  # a carried-over version: its open evaluations appear with its successor
        row = load_strategy_row(db.session, strategy_id)
        events += evaluation_events(db.session, row, today, link=evaluation_form_url)
    data = calendar_file(f"planner – Evaluationen ({token.user.label})", events)
    return Response(data, mimetype="text/calendar", headers={"Cache-Control": "private, no-cache"})
