"""The start page: Handlungsbedarf of every strategy the user may see, own measures first."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from .. import models
from ..extensions import db
from ..models import utcnow
from ..services import lagebild as service
from ..services import verlauf
from .access import visible_organisation_ids
from .clock import today
from .measures import _conflict_sentence
from .strategies import measure_counts, visible_organisations

bp = Blueprint("lagebild", __name__)
bp.add_app_template_global(_conflict_sentence, "conflict_sentence")


def change_link(change: service.RecentChange) -> str:
    """Where a recent change is looked at: the measure or strategy page, else the object's Verlauf."""
    if change.table in ("measures", "strategies"):
        row = verlauf.object_of(db.session, change.table, change.object_id)
        if isinstance(row, models.Measure):
            return url_for("measures.detail", strategy_id=row.strategy_id, key=row.key)
        if isinstance(row, models.Strategy):
            return url_for("strategies.detail", strategy_id=row.id)
    return url_for("admin.history", table=change.table, object_id=change.object_id)


@bp.get("/")
def start():
    """Handlungsbedarf: what needs doing in every visible strategy; then all organisations and strategies."""
    visible = visible_organisation_ids()
    day = today()
    strategies = service.strategy_items(service.current_strategies(db.session, visible), day)
    persons, mine = service.my_measures(db.session, current_user.id, strategies, day)
    changes = service.recent_changes(db.session, visible, current_user.id, utcnow())
    organisations = visible_organisations()
    return render_template(
        "lagebild/start.html",
        strategies=strategies,
        persons=persons,
        mine=mine,
        changes=[(c, change_link(c)) for c in changes],
        organisations=organisations,
        measure_counts=measure_counts(organisations),
        day=day,
    )
