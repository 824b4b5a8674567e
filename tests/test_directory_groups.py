"""Issue 29, point 2: the mapping of directory groups to roles, editable by an administrator on the
page "Verzeichnisgruppen" and as a file (web upload/download, `planner directory-groups`)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
import yaml
from conftest import run

from planner import models
from planner.extensions import db
from planner.models.auth import AuditEntry, DirectoryGroupRole
from planner.services import directory_groups as service

pytestmark = pytest.mark.db

URL = "/verwaltung/verzeichnisgruppen"


@pytest.fixture
def offices(app) -> dict[str, int]:
    """Two organisations in the empty database: {name: id}."""
    with app.app_context():
        rows = [models.Organisation(name=n) for n in ("Gesundheitsamt Steinfurt", "Landesamt Niedersachsen")]
        db.session.add_all(rows)
        db.session.commit()
        return {r.name: r.id for r in rows}


def _mappings(app) -> list[tuple[str, str, int, str]]:
    with app.app_context():
        return [
            (m.group_dn, m.group_key, m.organisation_id, m.role)
            for m in db.session.scalars(sa.select(DirectoryGroupRole).order_by(DirectoryGroupRole.id))
        ]


# --- service ---------------------------------------------------------------------------------


def test_normalise_and_roles_for_with_the_strongest_role(app, offices):
    st, nds = offices["Gesundheitsamt Steinfurt"], offices["Landesamt Niedersachsen"]
    assert service.normalise_dn(" CN=GA-Strategie , OU=Gruppen,DC=Kreis ") == "cn=ga-strategie,ou=gruppen,dc=kreis"
    with app.app_context():
        service.add_mapping(db.session, "CN=Lesen,OU=Gruppen", st, "lesen")
        service.add_mapping(db.session, "CN=Verwalten,OU=Gruppen", st, "verwalten")
        service.add_mapping(db.session, "CN=Lesen,OU=Gruppen", nds, "bearbeiten")
        db.session.commit()
        assert service.roles_for(db.session, {"cn=lesen, ou=gruppen", "CN=Verwalten,OU=Gruppen"}) == {
            st: "verwalten",
            nds: "bearbeiten",
        }
        assert service.roles_for(db.session, {"CN=Lesen,OU=Gruppen"}) == {st: "lesen", nds: "bearbeiten"}
        assert service.roles_for(db.session, {"CN=Fremd,OU=Gruppen"}) == {}
        assert service.roles_for(db.session, set()) == {}
        with pytest.raises(service.DirectoryGroupError, match="schon eine Rolle"):
            service.add_mapping(db.session, "cn=lesen , ou=GRUPPEN", st, "verwalten")
        for bad in ("Gruppe ohne Gleichheitszeichen", "CN=a\nOU=b", "CN=" + "x" * 500, "  "):
            with pytest.raises(service.DirectoryGroupError):
                service.add_mapping(db.session, bad, st, "lesen")


def test_import_is_all_or_nothing_and_names_the_lines(app, offices):
    with app.app_context():
        service.add_mapping(db.session, "CN=Alt,OU=Gruppen", offices["Gesundheitsamt Steinfurt"], "lesen")
        db.session.commit()
    before = _mappings(app)
    text = (
        "- gruppe: CN=Gut,OU=Gruppen\n"
        "  organisation: Gesundheitsamt Steinfurt\n"
        "  rolle: lesen\n"
        "- gruppe: CN=Zwei,OU=Gruppen\n"
        "  organisation: Gesundheitsamt Nirgendwo\n"
        "  rolle: chef\n"
        "- gruppe: keine DN\n"
        "  organisation: Gesundheitsamt Steinfurt\n"
        "  rolle: lesen\n"
        "- gruppe: cn=gut, ou=gruppen\n"
        "  organisation: Gesundheitsamt Steinfurt\n"
        "  rolle: verwalten\n"
    )
    with app.app_context():
        with pytest.raises(service.DirectoryGroupError) as caught:
            service.import_yaml(db.session, text)
        db.session.rollback()
    problems = caught.value.problems
    assert any("Eintrag 2 (Zeile 4)" in p and "„Gesundheitsamt Nirgendwo“ gibt es nicht" in p for p in problems)
    assert any("Eintrag 2 (Zeile 4)" in p and "unbekannte Rolle „chef“" in p for p in problems)
    assert any("Eintrag 3 (Zeile 7)" in p and "kein DN" in p for p in problems)
    assert any("Eintrag 4 (Zeile 10)" in p and "wie Eintrag 1" in p for p in problems)
    assert _mappings(app) == before
    for broken in ("", "gruppe: x", "- [1, 2", "- 5"):
        with app.app_context(), pytest.raises(service.DirectoryGroupError):
            service.import_yaml(db.session, broken)
    assert _mappings(app) == before


# --- page ------------------------------------------------------------------------------------


def test_only_administrators_reach_the_page(app, client, client_as, offices):
    st = offices["Gesundheitsamt Steinfurt"]
    page = client.get("/verwaltung/benutzer").text
    assert URL in page
    assert "nicht eingerichtet" in client.get(URL).text
    app.config["PLANNER_LDAP_URL"] = "ldaps://verzeichnis.kreis.example"
    assert "ist eingerichtet" in client.get(URL).text
    with app.app_context():
        mapping = service.add_mapping(db.session, "CN=A,OU=G", st, "lesen").id
        db.session.commit()
    manager = client_as({st: "verwalten"})
    for url in (URL, URL + ".yaml"):
        assert manager.get(url).status_code == 404
    assert (
        manager.post(URL, data={"neu-group_dn": "CN=B", "neu-organisation": st, "neu-role": "lesen"}).status_code == 404
    )
    assert manager.post(f"{URL}/{mapping}/entfernen").status_code == 404
    assert manager.post(f"{URL}/{mapping}/rolle", data={f"m{mapping}-role": "verwalten"}).status_code == 404
    assert _mappings(app) == [("CN=A,OU=G", "cn=a,ou=g", st, "lesen")]


def test_add_change_and_remove_a_mapping(app, client, offices):
    st = offices["Gesundheitsamt Steinfurt"]
    data = {"neu-group_dn": "CN=GA-Strategie, OU=Gruppen", "neu-organisation": st, "neu-role": "bearbeiten"}
    assert client.post(URL, data=data).status_code == 302
    assert _mappings(app) == [("CN=GA-Strategie, OU=Gruppen", "cn=ga-strategie,ou=gruppen", st, "bearbeiten")]
    page = client.get(URL).text
    assert "CN=GA-Strategie, OU=Gruppen" in page and "Gesundheitsamt Steinfurt" in page
    # the same group again (other spelling): a German error, the input kept
    again = client.post(URL, data={**data, "neu-group_dn": "cn=ga-strategie,ou=gruppen"})
    assert again.status_code == 422
    assert "schon eine Rolle" in again.text and 'value="cn=ga-strategie,ou=gruppen"' in again.text
    bad = client.post(URL, data={**data, "neu-group_dn": "GA-Strategie"})
    assert bad.status_code == 422 and "kein DN" in bad.text and 'value="GA-Strategie"' in bad.text
    mapping = _mappings_ids(app)[0]
    assert client.post(f"{URL}/{mapping}/rolle", data={f"m{mapping}-role": "verwalten"}).status_code == 302
    assert _mappings(app)[0][3] == "verwalten"
    assert client.post(f"{URL}/{mapping}/rolle", data={f"m{mapping}-role": "chef"}).status_code == 302
    assert _mappings(app)[0][3] == "verwalten"
    assert client.post(f"{URL}/{mapping}/entfernen").status_code == 302
    assert _mappings(app) == []
    assert client.post(f"{URL}/{mapping}/entfernen").status_code == 404
    assert client.post(f"{URL}/{mapping}/rolle", data={f"m{mapping}-role": "lesen"}).status_code == 404
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.table_name == "directory_group_roles")
        ).all()
    assert set(actions) >= {"insert", "delete"}


def _mappings_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(DirectoryGroupRole.id).order_by(DirectoryGroupRole.id)))


def test_the_file_round_trips_through_the_page(app, client, offices):
    st, nds = offices["Gesundheitsamt Steinfurt"], offices["Landesamt Niedersachsen"]
    with app.app_context():
        service.add_mapping(db.session, "CN=Ä-Gruppe,OU=Gruppen", st, "verwalten")
        service.add_mapping(db.session, "CN=Lesen,OU=Gruppen", nds, "lesen")
        db.session.commit()
    before = _mappings(app)
    response = client.get(URL + ".yaml")
    assert response.status_code == 200 and "verzeichnisgruppen.yaml" in response.headers["Content-Disposition"]
    entries = yaml.safe_load(response.data)
    assert {
        "gruppe": "CN=Ä-Gruppe,OU=Gruppen",
        "organisation": "Gesundheitsamt Steinfurt",
        "rolle": "verwalten",
    } in entries
    # a faulty file changes nothing and says what is wrong where
    faulty = response.data + b"- gruppe: CN=X\n  organisation: Gibt es nicht\n  rolle: lesen\n"
    refused = client.post(URL + "/datei", data={"datei-file": (io.BytesIO(faulty), "verzeichnisgruppen.yaml")})
    assert (
        refused.status_code == 422 and "Eintrag 3" in refused.text and "„Gibt es nicht“ gibt es nicht" in refused.text
    )
    assert _mappings(app) == before
    # the downloaded file, uploaded again, gives the same mapping; an edited one replaces it
    assert client.post(URL + "/datei", data={"datei-file": (io.BytesIO(response.data), "v.yaml")}).status_code == 302
    assert sorted(m[1:] for m in _mappings(app)) == sorted(m[1:] for m in before)
    edited = b"- gruppe: CN=Neu,OU=Gruppen\n  organisation: Landesamt Niedersachsen\n  rolle: bearbeiten\n"
    assert client.post(URL + "/datei", data={"datei-file": (io.BytesIO(edited), "v.yml")}).status_code == 302
    assert [m[1:] for m in _mappings(app)] == [("cn=neu,ou=gruppen", nds, "bearbeiten")]


def test_the_cli_exports_and_imports(app, offices, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_ENGINES"]["default"])
    st = offices["Gesundheitsamt Steinfurt"]
    with app.app_context():
        service.add_mapping(db.session, "CN=GA,OU=Gruppen", st, "bearbeiten")
        db.session.commit()
    before = _mappings(app)
    out = tmp_path / "verzeichnisgruppen.yaml"
    result = run("directory-groups", "export", "-o", out)
    assert result.exit_code == 0, result.output
    assert "1 Zuordnung" in result.output
    bad = tmp_path / "falsch.yaml"
    bad.write_text(out.read_text(encoding="utf-8") + "- gruppe: CN=X\n  organisation: Nirgends\n  rolle: lesen\n")
    refused = run("directory-groups", "import", bad)
    assert refused.exit_code == 1 and "Eintrag 2" in refused.output and "nichts wurde geändert" in refused.output
    assert _mappings(app) == before
    out.write_text(out.read_text(encoding="utf-8").replace("bearbeiten", "lesen"), encoding="utf-8")
    result = run("directory-groups", "import", out)
    assert result.exit_code == 0, result.output
    assert [m[1:] for m in _mappings(app)] == [("cn=ga,ou=gruppen", st, "lesen")]


def test_a_deeply_nested_file_is_refused_in_german(app):
    with app.app_context(), pytest.raises(service.DirectoryGroupError, match="zu tief verschachtelt"):
        service.import_yaml(db.session, "a: " + "[" * 5000 + "]" * 5000 + "\n")
