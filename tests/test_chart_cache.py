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
from planner.models.cache import ChartCacheEntry
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


def test_a_change_forgets_the_strategys_charts(app, client, sample_id, today):
    for chart in CHARTS[:5]:
        client.get(f"/strategien/{sample_id}/{chart}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChartCacheEntry)) == 5
    _edit(app, sample_id, "konzept", title="Neu")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChartCacheEntry)) == 0


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


def test_a_readers_chart_is_kept_while_nothing_changes(app, client_as, sample_id, today):
    """A reader's chart at an unchanged database costs the login check and one statement on the
    audit trail (web/chart_files.py with services/trail_memo.py); 304 still answers from it, and a
    change shows at once."""
    with app.app_context():
        org = db.session.scalar(sa.select(models.Strategy.organisation_id).where(models.Strategy.id == sample_id))
    reader = client_as(roles={org: "lesen"})
    url = f"/strategien/{sample_id}/fahrplan.svg"
    first = reader.get(url)
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    again = reader.get(url)
    assert len(statements) == 2 and "audit_entries" in statements[1]
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "no-cache"
    assert reader.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    _edit(app, sample_id, "chatbot", title="Chatbot für Bürgeranfragen")
    changed = reader.get(url)
    assert changed.headers["ETag"] != first.headers["ETag"] and "Chatbot für Bürgeranfragen" in changed.text


@pytest.mark.parametrize("first", ["reader stores", "writer changes"])
def test_tidying_the_cache_never_waits_for_another_transaction(app, sample_id, first):
    """A reader storing a part drops the strategy's entries of older revisions; a change of the
    strategy drops all of them. Each only drops rows no other transaction holds, so neither waits
    for the other (on PostgreSQL they deadlocked under load: bench/load.py). The second
    transaction runs with a lock timeout while the first is still open."""
    from sqlalchemy.orm import Session

    from planner.services import chart_cache

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite lets one writer at a time anyway")
    with Session(engine) as setup:
        current = chart_cache.revision(setup, sample_id)
        for name in ("alt-1", "alt-2"):  # entries of an older revision, to be tidied away
            setup.execute(
                sa.insert(ChartCacheEntry).values(
                    key=name, strategy_id=sample_id, revision=current - 1, mimetype="text/plain", data=b"x"
                )
            )
        setup.commit()

    def reader(session):
        chart_cache.store(session, "neu", sample_id, current, "text/plain", b"y")

    def writer(session):
        chart_cache.bump(session.connection(), [sample_id])

    one, two = (reader, writer) if first == "reader stores" else (writer, reader)
    with Session(engine) as a, Session(engine) as b:
        one(a)  # holds the rows it dropped until it commits
        b.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
        two(b)  # must not wait for the first (it raised LockNotAvailable before)
        a.commit()
        b.commit()
    with app.app_context():
        assert chart_cache.revision(db.session, sample_id) == current + 1
