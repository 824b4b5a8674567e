"""Owners are persons: kind (person or unit), a login linked to its person, duplicates merged (audit-logged);
"erfasst von" prefills with the linked person; strategy files keep their owners."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from auth_support import form_data
from conftest import STEINFURT, domain

from planner import models
from planner.extensions import db
from planner.formats.strategy_file import dump_strategy, load_strategy
from planner.models.auth import AuditEntry

pytestmark = pytest.mark.db


def _person(app, name: str) -> models.Person:
    with app.app_context():
        p = db.session.scalar(sa.select(models.Person).where(models.Person.name == name))
        db.session.expunge(p)
        return p


def test_duplicates_are_suggested_and_merged(app, client, steinfurt_id):
    it, service, named = (_person(app, n) for n in ("IT", "IT-Service", "IT-Service (Lukas Bäumer)"))
    org = it.organisation_id
    page = client.get(f"/verwaltung/organisationen/{org}").text
    assert "Mögliche Dubletten" in page and "„IT“ und „IT-Service“" in page
    before = domain(app, steinfurt_id)
    owned_by = lambda s, name: {m.key for m in s.measures if any(o.name == name for o in m.owners)}  # noqa: E731
    expected = owned_by(before, "IT") | owned_by(before, "IT-Service") | owned_by(before, "IT-Service (Lukas Bäumer)")
    for source in (it, named):
        url = f"/verwaltung/organisationen/{org}/personen/{source.id}/zusammenfuehren"
        assert client.get(url + f"?mit={service.id}").status_code == 200
        response = client.post(url, data={"target": str(service.id)})
        assert response.status_code == 302
    after = domain(app, steinfurt_id)
    assert owned_by(after, "IT-Service") == expected
    assert (
        owned_by(after, "IT") == set()
        and "Mögliche Dubletten" not in client.get(f"/verwaltung/organisationen/{org}").text
    )
    with app.app_context():
        deleted = db.session.scalars(
            sa.select(AuditEntry.object_id).where(AuditEntry.table_name == "persons", AuditEntry.action == "delete")
        ).all()
    assert set(deleted) == {str(it.id), str(named.id)}
    # the strategy file still round-trips, with the merged owner
    text = client.get(f"/strategien/{steinfurt_id}/export.yaml").text
    again = load_strategy(text)
    assert {m.key for m in again.measures if any(o.name == "IT-Service" for o in m.owners)} == expected
    assert dump_strategy(again) == text


def test_merge_into_itself_or_garbage_is_refused(app, client, steinfurt_id):
    it = _person(app, "IT")
    url = f"/verwaltung/organisationen/{it.organisation_id}/personen/{it.id}/zusammenfuehren"
    response = client.post(url, data={"target": str(it.id)})
    assert response.status_code == 422 and "Keine gültige Auswahl" in response.text
    assert client.post(url, data={"target": "abc"}).status_code == 422


def test_person_kind_name_and_linked_login(app, client, client_as, make_user, steinfurt_id):
    service = _person(app, "IT-Service")
    org = service.organisation_id
    user = make_user("baeumer", roles={org: "bearbeiten"}, display_name="Lukas B.")
    url = f"/verwaltung/organisationen/{org}/personen/{service.id}"
    data = form_data(client.get(url).text)
    data.update(kind="einheit", user=str(user))
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        row = db.session.get(models.Person, service.id)
        assert (row.kind, row.user_id) == ("einheit", user)
    # a name the organisation has already is refused, with the input kept (a form of the saved version)
    data = form_data(client.get(url).text) | {"name": "Annika Feldhues"}
    response = client.post(url, data=data)
    assert response.status_code == 422 and "gibt es in dieser Organisation schon" in response.text
    # the linked login's forms prefill with the person
    login = client_as(user_id=user)
    progress = login.get(f"/strategien/{steinfurt_id}/massnahmen/inventur-hardware/verstetigung").text
    assert 'value="IT-Service"' in progress
    # a new person is added inline on the organisation page
    response = client.post(
        f"/verwaltung/organisationen/{org}/personen", data={"neu-name": "Datenschutz", "neu-kind": "einheit"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(models.Person.kind).where(models.Person.name == "Datenschutz")) == "einheit"


def test_strategy_file_round_trip_is_unchanged(app, client, steinfurt_id):
    text = client.get(f"/strategien/{steinfurt_id}/export.yaml").text
    assert load_strategy(text).measures == load_strategy(STEINFURT.read_text(encoding="utf-8")).measures


def test_owner_is_picked_from_the_organisation_or_added_inline(app, client, steinfurt_id):
    url = f"/strategien/{steinfurt_id}/massnahmen/inventur-hardware/bearbeiten"
    data = form_data(client.get(url).text)
    assert "IT-Service" in client.get(url).text.split('name="owner_pick"')[1].split("</select>")[0]
    data["owner_pick"], data["owner_pick_role"] = "Annika Feldhues", "support"
    data["owners"] = data["owners"] + "\nNeue Kollegin (Support)"
    response = client.post(url, data=data, follow_redirects=True)
    assert "Neu in der Organisation angelegt: „Neue Kollegin“" in response.text
    owners = {(o.name, o.role.value) for o in domain(app, steinfurt_id).measure("inventur-hardware").owners}
    assert {("Annika Feldhues", "support"), ("Neue Kollegin", "support")} <= owners
    data = form_data(client.get(url).text)
    data["owner_pick"] = "Niemand Bekanntes"
    response = client.post(url, data=data)
    assert response.status_code == 422 and "Bitte eine Person der Organisation wählen" in response.text
