"""The start page's content is kept per reader while the audit trail shows no change
(services/trail_memo.py): an unchanged database costs a warm start page two or three statements (the user, the roles, the trail), and
every kind of change shows at once — a save, an entry that committed after a newer one, a new
day, another reader, another database; and nothing is kept for more than a minute and a half."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from auth_support import form_data
from lxml import html as lxml_html

from planner import create_app, models
from planner.extensions import db
from planner.models import Model
from planner.models.auth import AuditEntry
from planner.services import trail_memo

pytestmark = pytest.mark.db


def _org(app, sid: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(models.Strategy.organisation_id).where(models.Strategy.id == sid))


def _audit(app, sid: int, entry_id: int) -> None:
    """An entry as another person's save of the strategy's title writes it, under a given id."""
    with app.app_context():
        db.session.execute(
            sa.insert(AuditEntry).values(
                id=entry_id,
                change_id=f"c{entry_id}",
                user_id=None,
                username=f"person{entry_id}",
                organisation_id=_org(app, sid),
                table_name="strategies",
                object_id=str(sid),
                action="update",
                field="title",
                old="a",
                new="b",
                path="",
                at=models.utcnow(),
            )
        )
        db.session.commit()


def _without_timer(text: str) -> str:
    return re.sub(r'data-remaining-seconds="\d+"', "", text)


def _changes(text: str) -> list[str]:
    doc = lxml_html.fromstring(text)
    return [" ".join(li.itertext()) for li in doc.xpath("//section[@aria-labelledby='aenderungen-h']//li")]


def test_a_warm_start_page_reads_only_the_user_the_roles_and_the_trail(app, client, steinfurt_id):
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    assert client.get("/").status_code == 200
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    first = client.get("/").text
    # the user (an administrator: no roles to read) and the trail's state; nothing of the strategies
    assert len(statements) == 2 and "audit_entries" in statements[1]
    # the same page; only the session's remaining seconds may have ticked on between the two requests
    assert _without_timer(client.get("/").text) == _without_timer(first)


def test_every_change_shows_at_once(app, client, client_as, make_user, steinfurt_id):
    app.config["TODAY"] = "2026-11-30"
    org = _org(app, steinfurt_id)
    before = _changes(client.get("/").text)
    # a save through the app
    editor = client_as(user_id=make_user("kollegin", roles={org: "bearbeiten"}))
    url = f"/strategien/{steinfurt_id}/bewertungsworkshop"
    data = form_data(editor.get(url).text)
    data["m0-feasibility"] = "hoch"
    assert editor.post(url, data=data).status_code == 302
    after = _changes(client.get("/").text)
    assert "kollegin" in after[0] and len(after) == len(before) + 1
    # an entry that commits after a newer one fills a gap below the newest id
    with app.app_context():
        newest = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    _audit(app, steinfurt_id, newest + 10)
    assert "person" in _changes(client.get("/").text)[0]
    _audit(app, steinfurt_id, newest + 5)
    lines = _changes(client.get("/").text)
    assert f"person{newest + 10}" in lines[0] and f"person{newest + 5}" in lines[1]
    # the day is part of the key: the Stand line follows it
    app.config["TODAY"] = "2026-12-01"
    assert "Stand 01.12.2026" in client.get("/").text


def test_the_value_is_kept_per_key_trail_state_time_and_database(app, steinfurt_id, tmp_path):
    calls: list[str] = []
    now = models.utcnow().replace(second=5)

    def value(at=now, key="k", on=app):
        with on.app_context():
            full, kept = trail_memo.lookup(db.session, key, at)
            if kept is trail_memo.MISSING:
                calls.append(key)
                kept = len(calls)
                trail_memo.keep(db.session, full, kept, at)
            return kept

    assert value() == value() == 1  # computed once
    assert value(key="other") == 2  # another key
    assert value(at=now + timedelta(seconds=59)) == 1  # kept for a minute at least
    assert value(at=now + timedelta(seconds=91)) == 3  # and a minute and a half at most
    with app.app_context():
        newest = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    _audit(app, steinfurt_id, newest + 3)
    assert value() == 4  # a new entry
    assert value() == 4
    _audit(app, steinfurt_id, newest + 2)
    assert value() == 5  # a gap filled
    other = create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{tmp_path}/other.db"}})
    with other.app_context():
        Model.metadata.create_all(db.engine)
    assert value(on=other) == 6  # another database, never the first one's value


def test_the_sample_land_written_in_bulk_changes_the_state(app):
    """demo-land writes past the audit listener; it counts a change of each new strategy."""
    from planner.services.land_sample import demo_land

    with app.app_context():
        before = trail_memo.trail_state(db.session)
        demo_land(db.session, 3, measures=3)
        db.session.commit()
        after = trail_memo.trail_state(db.session)
    assert after[2] == (before[2] or 0) + 3
