"""The evaluation calendar of a strategy and its ICS download."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from ... import models
from ...domain.evaluation_calendar import group_calendar
from ...domain.verstetigung import STRATEGY, Due
from ...extensions import db
from ...formats.ics import calendar_file
from ...services import evaluation_calendar
from ...services.whole_strategy import strategy_to_domain
from .. import clock
from ..access import get_strategy_or_404, may_write, readable_versions, successor_of
from ..downloads import download
from ..filters import strategy_file_stem

bp = Blueprint("calendar", __name__)


@bp.get("/evaluationen")
def index(strategy_id: int):
    """Evaluation calendar: overdue, waiting for a status (Status klären), due soon, later and done; by owner."""
    row = get_strategy_or_404(strategy_id)
    strategy = strategy_to_domain(row)
    today = clock.today()
    overview = group_calendar(strategy, evaluation_calendar.own_entries(db.session, row, strategy, today), today)
    superseded = successor_of(row)
    return render_template(
        "verstetigung/kalender.html",
        row=row,
        strategy=strategy,
        groups=overview.groups,
        waiting=overview.waiting,
        today=today,
        superseded=superseded,
        changeable=may_write(row.organisation_id) and superseded is None,
        by_owner=overview.by_owner,
        titles=overview.titles,
        earlier=[]
        if superseded
        else evaluation_calendar.earlier_versions(db.session, row, strategy, today, readable_versions(row)),
    )


@bp.get("/evaluationen.ics")
def ics(strategy_id: int):
    """The open evaluations as an iCalendar file (for Outlook and other calendars)."""
    row = get_strategy_or_404(strategy_id)
    events = evaluation_calendar.evaluation_events(
        db.session, row, clock.today(), readable_versions(row), link=evaluation_form_url
    )
    data = calendar_file(f"Evaluationen – {row.title}", events)
    return download(data, "text/calendar", f"evaluationen-{strategy_file_stem(row)}.ics")


def evaluation_form_url(version: models.Strategy, d: Due) -> str:
    """The absolute address of the form that records the evaluation (a calendar event links back to it)."""
    if d.subject == STRATEGY:
        return url_for(
            "verstetigung.evaluations.new_for_strategy",
            strategy_id=version.id,
            art=d.kind.value,
            faellig=str(d.due),
            _external=True,
        )
    return url_for(
        "verstetigung.evaluations.new_for_measure",
        strategy_id=version.id,
        key=d.subject,
        art=d.kind.value,
        faellig=str(d.due),
        _external=True,
    )
