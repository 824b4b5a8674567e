"""The start page: Handlungsbedarf of every strategy the user may see, own measures first."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..extensions import db
from ..models import utcnow
from ..services import chart_cache, page_cache
from ..services import lagebild as service
from .access import coordinating_organisation_ids, may_write, member_organisation_ids, visible_organisation_ids
from .clock import today
from .kept_pages import kept_page
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


def sections_shown(current: list[tuple[int, int, int]], members: set[int] | None) -> list[tuple[int, int, int]]:
    """Whose Handlungsbedarf the start page spells out: the strategies of the user's own
    organisations (coordinated offices are looked at on the Landesebene pages), for an
    administrator the first MAX_SECTIONS."""
    if members is None:
        return current[:MAX_SECTIONS]
    return [c for c in current if c[1] in members]


def strategy_parts(current: list[tuple[int, int, int]], day) -> tuple[list[int], list[Markup]]:
    """Each given current strategy's Handlungsbedarf section, rendered once per strategy
    revision, day and write access and shared through the page cache: a warm start page reads
    the ids with their revisions and then the sections: two statements, whatever their number."""
    ids = [i for i, _, _ in current]
    revisions = {i: rev for i, _, rev in current}
    keys = {
        i: page_cache.key(i, "lagebild", {"day": day, "write": may_write(org), "root": request.script_root})
        for i, org, _ in current
    }
    found = page_cache.lookup_many(db.session, revisions, {k: i for i, k in keys.items()})
    missing = [i for i in ids if keys[i] not in found]
    if missing and chart_cache.wait_for_drawing(db.session, keys[missing[0]]):
        # another request may have rendered them while this one waited
        found = page_cache.lookup_many(db.session, revisions, {k: i for i, k in keys.items()})
        missing = [i for i in ids if keys[i] not in found]
    if missing:
        rendered = []
        for s in service.strategy_items(db.session, missing, day):
            html = render_template("lagebild/_strategy.html", s=s)
            found[keys[s.row.id]] = html
            rendered.append((keys[s.row.id], s.row.id, revisions[s.row.id], html))
        page_cache.store_many(db.session, rendered)
    return ids, [Markup(found[keys[i]]) for i in ids if keys[i] in found]


@bp.get("/")
@kept_page
def start():
    """Handlungsbedarf: what needs doing in every visible strategy; then all organisations and
    strategies. Kept per reader while nothing changes (web/kept_pages.py)."""
    day = today()
    return render_template("lagebild/start.html", body=Markup(_content(day, utcnow())))


def _content(day, now) -> str:
    visible = visible_organisation_ids()
    current = service.current_strategy_ids(db.session, visible)  # revisions first, then the data
    shown = sections_shown(current, member_organisation_ids())
    _, parts = strategy_parts(shown, day)
    ids = [i for i, _, _ in current]
    persons, mine = service.my_measures(db.session, current_user.id, ids, day)
    changes = service.recent_changes(db.session, visible, current_user.id, now)
    organisations = visible_organisations()
    return render_template(
        "lagebild/_start_body.html",
        strategy_parts=parts,
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
