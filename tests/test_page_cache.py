"""The page cache: the start page's Handlungsbedarf sections and the strategy page's measure
tables and Verlauf are rendered once per state of their strategy (and day, filter and the
reader's write access), shared through the database by every worker and instance, and
rendered anew after any change; readers with other rights get their own parts."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa
from auth_support import admin_client
from flask import has_request_context, request

from planner import create_app, models
from planner.extensions import db
from planner.models.cache import CacheEntry
from planner.services import lagebild as lagebild_service
from planner.services import strategies as strategies_service

pytestmark = pytest.mark.db


@pytest.fixture
def today(app):
    app.config["TODAY"] = date(2024, 3, 15)


@pytest.fixture
def rendered(monkeypatch):
    """Counts how often a strategy page's measures and the start page's sections are built."""
    calls: list[str] = []
    read_strategy, items = strategies_service.read_strategy, lagebild_service.strategy_items

    def counting_read_strategy(*args, **kwargs):
        if has_request_context() and request.method == "GET":  # a page, not a change read before it writes
            calls.append("strategy page")
        return read_strategy(*args, **kwargs)

    def counting_items(session, ids, day):
        calls.extend("start page" for _ in ids)
        return items(session, ids, day)

    monkeypatch.setattr(strategies_service, "read_strategy", counting_read_strategy)
    monkeypatch.setattr(lagebild_service, "strategy_items", counting_items)
    return calls


def _edit(app, strategy_id: int, key: str, **fields) -> None:
    """Change a measure through the service, as the edit form does."""
    with app.app_context():
        row = strategies_service.load_strategy_row(db.session, strategy_id)
        measure = strategies_service.read_strategy(db.session, row).measure(key)
        strategies_service.save_measure(db.session, row, replace(measure, **fields), existing_key=key)
        db.session.commit()


def _same(a: str, b: str) -> bool:
    """The same page but for the CSRF tokens (signed with the time) and the session's remaining time."""
    token = re.compile(r'(name="csrf_token" type="hidden" value="|data-csrf="|data-idle-seconds=")[^"]+"')
    return token.sub(r"\1", a) == token.sub(r"\1", b)


def _cached(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(CacheEntry))


def _organisation(app, strategy_id: int) -> int:
    with app.app_context():
        return db.session.get(models.Strategy, strategy_id).organisation_id


def test_an_unchanged_strategy_is_rendered_once(app, client, sample_id, today, rendered):
    page, start = f"/strategien/{sample_id}", "/"
    first_page, first_start = client.get(page), client.get(start)
    assert first_page.status_code == first_start.status_code == 200
    assert rendered == ["strategy page", "start page"]
    assert _cached(app) == 2  # the strategy page's part (measure tables and Verlauf), the Handlungsbedarf section
    assert _same(client.get(page).text, first_page.text)
    assert _same(client.get(start).text, first_start.text)
    assert rendered == ["strategy page", "start page"]  # both from the cache
    # a filter is a part of its own
    filtered = client.get(f"{page}?zeitstand=beginn_ueberfaellig")
    assert filtered.status_code == 200 and rendered[-1] == "strategy page"


def test_a_changed_measure_gives_new_pages(app, client, sample_id, today, rendered):
    page = f"/strategien/{sample_id}"
    assert "Entwicklung eines Schulungskonzepts" in client.get(page).text
    assert "Entwicklung eines Schulungskonzepts" in client.get("/").text  # its start is overdue
    _edit(app, sample_id, "konzept", title="Umbenanntes Schulungskonzept")
    assert "Umbenanntes Schulungskonzept" in client.get(page).text
    assert "Umbenanntes Schulungskonzept" in client.get("/").text
    assert "Entwicklung eines Schulungskonzepts" not in client.get("/").text
    assert rendered.count("strategy page") == 2 and rendered.count("start page") == 2


def test_a_changed_dependency_and_a_baseline_give_new_pages(app, client, sample_id, today, rendered):
    page = f"/strategien/{sample_id}"
    before = client.get(page).text
    response = client.post(f"{page}/massnahmen/chatbot/abhaengigkeiten", data={"dep-prerequisite": "schulungen"})
    assert response.status_code == 302
    after = client.get(page).text
    assert after != before and rendered.count("strategy page") == 2  # the Verlauf shows the new link
    response = client.post(f"{page}/fahrplan/basisplaene", data={"name": "Basisplan 2024"})
    assert response.status_code == 302
    assert "Basisplan 2024" in client.get(page).text and rendered.count("strategy page") == 3


def test_another_day_gives_new_pages(app, client, sample_id, today, rendered):
    page = f"/strategien/{sample_id}"
    assert "Zeitstand am 15.03.2024" in client.get(page).text
    client.get("/")
    app.config["TODAY"] = date(2024, 3, 16)
    assert "Zeitstand am 16.03.2024" in client.get(page).text
    client.get("/")
    assert rendered == ["strategy page", "start page", "strategy page", "start page"]


def test_readers_with_other_rights_get_their_own_parts(app, client_as, sample_id, today):
    """A writer's cached parts (with links to change) never reach a reader, and the reverse,
    whichever of them fills the cache first."""
    org = _organisation(app, sample_id)
    writer = client_as(roles={org: "bearbeiten"})
    reader = client_as(roles={org: "lesen"})
    page = f"/strategien/{sample_id}"
    create_link = f"/strategien/{sample_id}/massnahmen/neu?dimension="
    for round_, order in enumerate(((writer, reader), (reader, writer))):
        for c in order:
            assert c.get(page).status_code == c.get("/").status_code == 200
        assert create_link in writer.get(page).text
        assert create_link not in reader.get(page).text
        assert "Statusabfrage für alle Maßnahmen" in writer.get("/").text
        assert "Statusabfrage für alle Maßnahmen" not in reader.get("/").text
        _edit(app, sample_id, "konzept", title=f"Runde {round_}")  # the next round starts from an empty cache


def test_another_organisation_never_sees_the_parts(app, client, client_as, sample_id, steinfurt_id, today):
    """Sections cached for a reader of every organisation are not shown to a reader of one."""
    assert "Digitalisierungsstrategie Musterstadt" in client.get("/").text  # the admin fills the cache
    only_steinfurt = client_as(roles={_organisation(app, steinfurt_id): "lesen"})
    start = only_steinfurt.get("/").text
    assert "Digitalisierungsstrategie Musterstadt" not in start and "Musterstadt" not in start
    assert only_steinfurt.get(f"/strategien/{sample_id}").status_code == 404


def test_two_instances_sharing_a_database_never_show_a_stale_page(app, client, sample_id, today, rendered):
    """A second app (another server) on the same database serves what the first one cached, and
    a change made through either is seen by both at once."""
    other = create_app({**app.config})
    other_client = admin_client(other)
    page = f"/strategien/{sample_id}"
    first = client.get(page)
    assert other_client.get(page).text.count("Entwicklung eines Schulungskonzepts") == first.text.count(
        "Entwicklung eines Schulungskonzepts"
    )
    assert rendered == ["strategy page"]  # the second server took it from the shared cache
    client.get("/"), other_client.get("/")
    assert rendered == ["strategy page", "start page"]
    _edit(other, sample_id, "konzept", title="Geändert auf dem zweiten Server")
    assert "Geändert auf dem zweiten Server" in client.get(page).text
    assert "Geändert auf dem zweiten Server" in client.get("/").text
    _edit(app, sample_id, "konzept", title="Wieder auf dem ersten")
    assert "Wieder auf dem ersten" in other_client.get(page).text
    assert "Wieder auf dem ersten" in other_client.get("/").text
    with other.app_context():
        db.engine.dispose()


def test_a_cached_measure_page_carries_each_readers_own_csrf_token(app, client_as, sample_id, today, rendered):
    """The forms of a cached measure page hold a placeholder, replaced by the reader's own token:
    a second writer served from the cache can save with their token, not with the first one's."""
    app.config["WTF_CSRF_ENABLED"] = True
    org = _organisation(app, sample_id)
    first, second = client_as(roles={org: "bearbeiten"}), client_as(roles={org: "bearbeiten"})
    page = f"/strategien/{sample_id}/massnahmen/chatbot"
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    first_page, second_page = first.get(page).text, second.get(page).text
    assert rendered == ["strategy page"]  # the second writer got the cached page
    assert "placeholder" not in first_page and "placeholder" not in second_page
    assert "Abhängigkeit hinzufügen" in second_page
    first_token, second_token = token.search(first_page).group(1), token.search(second_page).group(1)
    assert first_token != second_token
    url = f"{page}/abhaengigkeiten"
    refused = second.post(url, data={"csrf_token": first_token, "dep-prerequisite": "schulungen"})
    assert refused.status_code == 400
    saved = second.post(url, data={"csrf_token": second_token, "dep-prerequisite": "schulungen"})
    assert saved.status_code == 302
    assert "Nichttechnische und technische Schulungen" in first.get(page).text  # a new page after the change
    assert rendered == ["strategy page", "strategy page"]


def test_the_fahrplan_page_follows_baselines_options_and_rights(app, client, client_as, sample_id, today, monkeypatch):
    """The Fahrplan page is built once per state, view options and write access; a baseline makes
    a new page; an unknown baseline answers 404 and leaves nothing in the cache."""
    from planner.services import roadmap as roadmap_service

    built: list[int] = []
    original = roadmap_service.roadmap
    monkeypatch.setattr(roadmap_service, "roadmap", lambda row: built.append(row.id) or original(row))
    page = f"/strategien/{sample_id}/fahrplan"
    first = client.get(page).text
    assert _same(client.get(page).text, first) and len(built) == 1
    plain = client.get(f"{page}?ansicht=1&kritisch=0&abhaengigkeiten=0").text
    assert not _same(plain, first) and len(built) == 2  # other options, another part
    reader = client_as(roles={_organisation(app, sample_id): "lesen"})
    as_reader = reader.get(page).text
    assert "Basisplan anlegen" in first and "Basisplan anlegen" not in as_reader
    assert len(built) == 3  # the reader may not change: a part of its own
    cached = _cached(app)
    assert client.get(f"{page}?ansicht=1&basisplan=999").status_code == 404
    assert _cached(app) == cached
    response = client.post(f"{page}/basisplaene", data={"name": "Basisplan Kreistag"})
    assert response.status_code == 302
    assert "Basisplan Kreistag" in client.get(page).text and "Basisplan Kreistag" in reader.get(page).text
    assert len(built) == 6  # the 404 above read the strategy too, then one page for each
