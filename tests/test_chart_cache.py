"""The chart cache: every chart is drawn once per state of its strategy, shared through the
database by every worker and instance, and drawn anew after any change (measure, dependency,
baseline, assessment, targets, the date); ETag and If-None-Match answer 304."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from auth_support import admin_client
from conftest import PEINE, import_file

from planner import create_app, models
from planner.extensions import db
from planner.models.cache import CacheEntry
from planner.services import strategies as strategies_service

pytestmark = pytest.mark.db

CHARTS = ["fahrplan.svg", "fahrplan.png", "fahrplan.pdf", "bewertung.svg", "abhaengigkeiten.svg", "reifegrad/radar.svg"]


@pytest.fixture
def drawn(monkeypatch):
    """Counts the charts really drawn (matplotlib figures rendered)."""
    from planner.charts import common, radar

    calls: list[str] = []
    original = common.render

    def counting(fig, fmt, *args, **kwargs):
        calls.append(fmt)
        return original(fig, fmt, *args, **kwargs)

    monkeypatch.setattr(common, "render", counting)
    monkeypatch.setattr(radar, "render", counting)
    monkeypatch.setattr("planner.web.roadmap.render", counting)
    return calls


@pytest.fixture
def today(app):
    app.config["TODAY"] = date(2024, 3, 15)


def _edit(app, strategy_id: int, key: str, **fields) -> None:
    """Change a measure through the service, as the edit form does."""
    from dataclasses import replace

    with app.app_context():
        row = strategies_service.load_strategy_row(db.session, strategy_id)
        measure = strategies_service.read_strategy(db.session, row).measure(key)
        strategies_service.save_measure(db.session, row, replace(measure, **fields), existing_key=key)
        db.session.commit()


@pytest.mark.parametrize("chart", CHARTS)
def test_an_unchanged_strategy_is_drawn_once_and_answers_304(client, sample_id, today, drawn, chart):
    url = f"/strategien/{sample_id}/{chart}"
    first = client.get(url)
    assert first.status_code == 200 and first.data
    renders = len(drawn)  # a tagged PDF also renders the SVG it embeds
    assert renders >= 1
    etag = first.headers["ETag"]
    again = client.get(url)
    assert again.status_code == 200 and again.data == first.data and again.headers["ETag"] == etag
    assert len(drawn) == renders  # served from the cache
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert len(drawn) == renders
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_options_and_formats_are_cached_apart(client, sample_id, today, drawn):
    base = f"/strategien/{sample_id}/fahrplan"
    plain = client.get(f"{base}.svg?ansicht=1&kritisch=0&abhaengigkeiten=0")
    arrows = client.get(f"{base}.svg?ansicht=1&kritisch=1&abhaengigkeiten=1")
    png = client.get(f"{base}.png")
    assert len({plain.headers["ETag"], arrows.headers["ETag"], png.headers["ETag"]}) == 3
    assert plain.data != arrows.data and png.mimetype == "image/png"
    assert len(drawn) == 3
    client.get(f"{base}.svg?ansicht=1&kritisch=1&abhaengigkeiten=1")
    assert len(drawn) == 3


def test_a_changed_measure_gives_a_new_chart(app, client, sample_id, today, drawn):
    urls = [f"/strategien/{sample_id}/{c}" for c in ("fahrplan.svg", "bewertung.svg", "abhaengigkeiten.svg")]
    before = {u: client.get(u) for u in urls}
    _edit(app, sample_id, "konzept", title="Umbenanntes Schulungskonzept")
    for url in urls:
        after = client.get(url)
        assert after.headers["ETag"] != before[url].headers["ETag"], url
        assert "Umbenanntes Schulungskonzept" in after.text and after.data != before[url].data, url
        # the old ETag no longer answers 304
        assert client.get(url, headers={"If-None-Match": before[url].headers["ETag"]}).status_code == 200


def test_a_changed_dependency_gives_a_new_chart(app, client, sample_id, today):
    url = f"/strategien/{sample_id}/abhaengigkeiten.svg"
    before = client.get(url)
    response = client.post(
        f"/strategien/{sample_id}/massnahmen/chatbot/abhaengigkeiten", data={"dep-prerequisite": "schulungen"}
    )
    assert response.status_code == 302
    after = client.get(url)
    assert after.headers["ETag"] != before.headers["ETag"] and after.data != before.data
    removed = client.post(f"/strategien/{sample_id}/massnahmen/chatbot/abhaengigkeiten/schulungen/entfernen")
    assert removed.status_code == 302
    assert client.get(url).headers["ETag"] not in (after.headers["ETag"], before.headers["ETag"])


def test_a_baseline_gives_a_new_fahrplan(app, client, sample_id, today):
    url = f"/strategien/{sample_id}/fahrplan.svg"
    before = client.get(url).headers["ETag"]
    response = client.post(f"/strategien/{sample_id}/fahrplan/basisplaene", data={"name": "Basisplan 2024"})
    assert response.status_code == 302
    assert client.get(url).headers["ETag"] != before
    bid = response.location.split("basisplan=")[1]
    with_baseline = client.get(f"{url}?ansicht=1&basisplan={bid}")
    assert "Basisplan „Basisplan 2024“" in with_baseline.text
    # deleting it changes the state again: the same address must not show the deleted baseline
    deleted = client.post(f"/strategien/{sample_id}/fahrplan/basisplaene/{bid}/loeschen")
    assert deleted.status_code == 302
    assert client.get(f"{url}?ansicht=1&basisplan={bid}").status_code == 404


def test_another_day_gives_a_new_fahrplan(app, client, sample_id, today):
    url = f"/strategien/{sample_id}/fahrplan.svg"
    first = client.get(url)
    assert "15.03.2024" in first.text
    app.config["TODAY"] = date(2024, 3, 16)
    second = client.get(url)
    assert second.headers["ETag"] != first.headers["ETag"] and "16.03.2024" in second.text


def test_the_radar_follows_assessments_and_targets(app, client):
    sid = import_file(app, PEINE)
    url = f"/strategien/{sid}/reifegrad/radar.svg"
    first = client.get(url)
    from planner.models import maturity as mm
    from planner.services import maturity

    with app.app_context():
        row = db.session.scalar(sa.select(mm.MaturityAssessment).order_by(mm.MaturityAssessment.assessed_on.desc()))
        org = row.organisation_id
        maturity.delete_assessment(db.session, row)
        db.session.commit()
    second = client.get(url)
    assert second.headers["ETag"] != first.headers["ETag"] and second.data != first.data
    with app.app_context():
        maturity.save_targets(db.session, db.session.get(models.Strategy, sid), {"Schulungen": 4}, 3)
        db.session.commit()
    third = client.get(url)
    assert third.headers["ETag"] != second.headers["ETag"]
    with app.app_context():  # back to the default: only a bulk delete, no audited row
        maturity.save_targets(db.session, db.session.get(models.Strategy, sid), {}, 3)
        db.session.commit()
    assert client.get(url).headers["ETag"] != third.headers["ETag"]
    assert org


def test_a_change_in_another_office_keeps_the_strategys_charts(app, client, sample_id, today, drawn):
    """A chart is kept under the revisions of its strategy and its organisation only: a save in
    another office (Peine) leaves it valid, a save in its own strategy retires it."""
    peine = import_file(app, PEINE)
    for chart in CHARTS[:5]:
        client.get(f"/strategien/{sample_id}/{chart}")
    first = len(drawn)
    with app.app_context():
        key = db.session.scalar(sa.select(models.Measure.key).where(models.Measure.strategy_id == peine))
    _edit(app, peine, key, title="Geändert in Peine")
    for chart in CHARTS[:5]:
        client.get(f"/strategien/{sample_id}/{chart}")
    assert len(drawn) == first  # still valid
    _edit(app, sample_id, "konzept", title="Neu")
    for chart in CHARTS[:5]:
        client.get(f"/strategien/{sample_id}/{chart}")
    assert len(drawn) == 2 * first


def test_two_instances_sharing_a_database_never_show_a_stale_chart(app, client, sample_id, today):
    """A second app (another server) on the same database: it serves what the first one
    cached, and a change made through either is seen by both at once."""
    other = create_app({**app.config})
    other_client = admin_client(other)
    url = f"/strategien/{sample_id}/bewertung.svg"
    first = client.get(url)
    assert other_client.get(url).data == first.data  # from the shared cache
    # change through the second instance, read through the first
    other_client.post(
        f"/strategien/{sample_id}/massnahmen/chatbot/abhaengigkeiten", data={"dep-prerequisite": "konzept"}
    )
    response = other_client.get(f"/strategien/{sample_id}/massnahmen/konzept/bearbeiten")
    assert response.status_code == 200
    _edit(other, sample_id, "konzept", title="Geändert auf dem zweiten Server")
    assert "Geändert auf dem zweiten Server" in client.get(url).text
    # and back: a change through the first instance is seen by the second
    _edit(app, sample_id, "konzept", title="Wieder auf dem ersten")
    assert "Wieder auf dem ersten" in other_client.get(url).text
    with other.app_context():
        db.engine.dispose()


def test_a_cached_chart_answers_with_its_etag_and_304(app, client_as, sample_id, today):
    """A reader's cached chart costs the login check, the strategy row, the revisions and the
    entry; the ETag answers 304, and a change shows at once."""
    with app.app_context():
        org = db.session.scalar(sa.select(models.Strategy.organisation_id).where(models.Strategy.id == sample_id))
    reader = client_as(roles={org: "lesen"})
    url = f"/strategien/{sample_id}/fahrplan.svg"
    first = reader.get(url)
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    again = reader.get(url)
    assert len(statements) <= 6 and not any("FROM measures" in s for s in statements), statements
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "no-cache"
    assert reader.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    _edit(app, sample_id, "chatbot", title="Chatbot für Bürgeranfragen")
    changed = reader.get(url)
    assert changed.headers["ETag"] != first.headers["ETag"] and "Chatbot für Bürgeranfragen" in changed.text


def test_a_reader_never_waits_for_a_writer_or_another_drawer(app, client, sample_id, today):
    """On PostgreSQL: a writer's open transaction (its revision rows locked) and another request
    drawing the same chart (its advisory lock) hold no reader up: the reader gets the chart
    within the lock timeout, the older one while the current one is being drawn."""
    from sqlalchemy.orm import Session

    from planner.services import cache

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("row and advisory locks: SQLite lets one writer at a time anyway")
    url = f"/strategien/{sample_id}/bewertung.svg"
    old = client.get(url).data
    with Session(engine) as writer, Session(engine) as drawer:
        cache.bump(writer.connection(), [cache.strategy(sample_id)])  # locked until the writer commits
        writer.commit()
        entry = drawer.scalar(sa.select(CacheEntry.key).limit(1))
        drawer.execute(sa.select(sa.func.pg_advisory_xact_lock(int(entry[:15], 16))))  # "drawing" it
        cache.bump(writer.connection(), [cache.strategy(sample_id)])  # and another change, still open
        with app.app_context():
            db.session.execute(sa.text("SET lock_timeout = '2s'"))
        response = client.get(url)
        assert response.status_code == 200 and response.data == old  # the older one, meanwhile
        assert response.headers["Cache-Control"] == "no-store"
        drawer.rollback()
        writer.rollback()
