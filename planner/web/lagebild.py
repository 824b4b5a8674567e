"""The start page: Handlungsbedarf of every strategy the user may see, own measures first."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from ..extensions import db
from ..models import utcnow
from ..models.auth import Coordination
from ..services import cache, surveys
from ..services import lagebild as service
from .access import coordinating_organisation_ids, may_write, member_organisation_ids, visible_organisation_ids
from .cached import conditional, parts, visible_scopes
from .clock import today
from .measures import _conflict_sentence
from .strategies import measure_counts, strategy_versions, visible_organisations

bp = Blueprint("lagebild", __name__)
bp.add_app_template_global(_conflict_sentence, "conflict_sentence")


def change_link(change: service.RecentChange) -> str:
    """Where a recent change is looked at: the measure or strategy page, else the object's Verlauf."""
    if change.measure_key is not None:
        return url_for("measures.detail", strategy_id=change.strategy_id, key=change.measure_key)
    if change.table == "strategies" and change.strategy_id is not None:
        return url_for("strategies.detail", strategy_id=change.strategy_id)
    return url_for("admin.history", table=change.table, object_id=change.object_id)


# an administrator's start page shows this many strategies' sections (a Land may have hundreds)
MAX_SECTIONS = 20


def sections_shown(current: list[tuple[int, int]], members: set[int] | None) -> list[tuple[int, int]]:
    """Whose Handlungsbedarf the start page spells out: the strategies of the user's own
    organisations (coordinated offices are looked at on the Landesebene pages), for an
    administrator the first MAX_SECTIONS."""
    if members is None:
        return current[:MAX_SECTIONS]
    return [c for c in current if c[1] in members]


def strategy_parts(current: list[tuple[int, int]], day, read: dict[str, int]) -> list[Markup]:
    """Each given current strategy's Handlungsbedarf section, a cached part per strategy (its
    revisions read before), day and write access."""
    shown = []
    for strategy_id, org in current:
        stamp = cache.stamp(read, [cache.strategy(strategy_id), cache.organisation(org)])
        options = {"strategy": strategy_id, "day": day, "write": may_write(org)}

        def render(strategy_id=strategy_id):
            items = service.strategy_items(db.session, [strategy_id], day)
            return {"html": render_template("lagebild/_strategy.html", s=items[0]) if items else ""}

        shown.append(parts(stamp, "lagebild section", options, render)["html"])
    return shown


@bp.get("/")
def start():
    """Handlungsbedarf: what needs doing in every visible strategy; then all organisations and
    strategies. Answered 304 while nothing the reader sees changed."""
    members = member_organisation_ids()

    def respond(read):
        body = Markup(_content(today(), utcnow(), read))
        # the open survey rounds addressed to the user's offices (administrators: none)
        requests = [] if members is None else surveys.requests_for(db.session, members)
        return render_template("lagebild/start.html", body=body, requests=requests)

    # a survey round or reminder of a coordinating Land changes the page too
    coordinators = sa.select(cache.scope_text("o", Coordination.coordinator_id))
    if members is not None:
        coordinators = coordinators.where(Coordination.organisation_id.in_(members))
    return conditional([], respond, within=[*visible_scopes(), coordinators])


def _content(day, now, read: dict[str, int]) -> str:
    visible = visible_organisation_ids()
    current = service.current_strategy_ids(db.session, visible)  # revisions first, then the data
    shown = sections_shown(current, member_organisation_ids())
    sections = strategy_parts(shown, day, read)
    ids = [i for i, _ in current]
    persons, mine = service.my_measures(db.session, current_user.id, ids, day)
    changes = service.recent_changes(db.session, visible, current_user.id, now)
    organisations = visible_organisations()
    return render_template(
        "lagebild/_start_body.html",
        strategy_parts=sections,
        not_shown=len(current) - len(shown),
        coordinating=coordinating_organisation_ids(),
        persons=persons,
        mine=mine,
        changes=[(c, change_link(c)) for c in changes],
        organisations=organisations,
        versions=strategy_versions(organisations),
        measure_counts=measure_counts(organisations),
        day=day,
    )
