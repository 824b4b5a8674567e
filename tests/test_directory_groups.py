"""Issue 29, point 2: the mapping of directory groups to roles, editable by an administrator on the
page "Verzeichnisgruppen" and as a file (web upload/download, `planner directory-groups`)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from planner import models
from planner.extensions import db
from planner.models.auth import AuditEntry, DirectoryGroupRole
from planner.services import directory_groups as service

pytestmark = pytest.mark.db


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
