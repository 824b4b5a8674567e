"""Calendar subscription: one iCalendar feed per user and token, with the open evaluations and
strategy reviews of every strategy the user may see (Outlook re-reads the address by itself)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort

from .. import models
from ..extensions import db
from ..services import tokens
from ..services.strategies import load_strategy_row
from ..services.verstetigung import successor_id
from . import clock
from .access import visible_organisation_ids
from .token_auth import act_as
from .verstetigung import calendar_events, new_calendar

bp = Blueprint("calendar_feed", __name__)


@bp.get("/kalender/<secret>.ics")
def feed(secret: str):
    """The feed of the calendar token in the address; an unknown or revoked token is not found."""
    token = tokens.lookup(db.session, secret, "kalender")
    if token is None:
        abort(404)
    act_as(token, f"Kalender „{token.name}“")
    visible = visible_organisation_ids()
    query = sa.select(models.Strategy.id).order_by(models.Strategy.id)
    if visible is not None:
        query = query.where(models.Strategy.organisation_id.in_(visible or [-1]))
    cal = new_calendar(f"planner – Evaluationen ({token.user.label})")
    today = clock.today()
    for strategy_id in db.session.scalars(query):
        if successor_id(db.session, strategy_id) is not None:
            continue  # a carried-over version: its open evaluations appear with its successor
        calendar_events(cal, load_strategy_row(db.session, strategy_id), today)
    return Response(cal.to_ical(), mimetype="text/calendar", headers={"Cache-Control": "private, no-cache"})
