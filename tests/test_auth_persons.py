"""Persons as personal data: export everything about a person, anonymise a person everywhere."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from auth_support import form_data

from planner import models
from planner.extensions import db
from planner.models import Model

pytestmark = pytest.mark.db


def _setup(app, client, sample_id):
    """Annika Feldhues owns measures, is named in a free text, and appears in the trail."""
    url = f"/strategien/{sample_id}/massnahmen/awareness/bearbeiten"
    form = form_data(client.get(url).get_data(as_text=True))
    form["actors"] = "IT\nRücksprache mit Annika Feldhues"
    form["owners"] = "IT-Sicherheitsbeauftragte (Lead)\nAnnika Feldhues (Support)"
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        person = db.session.scalar(sa.select(models.Person).where(models.Person.name == "Annika Feldhues"))
        return person.organisation_id, person.id


def _everywhere(app, text: str) -> list[str]:
    """Every table.column whose stored text contains `text`."""
    found = []
    with app.app_context():
        for table in Model.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, (sa.String, sa.Text, sa.JSON)):
                    for (value,) in db.session.execute(sa.select(column)):
                        if value is not None and text in (
                            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                        ):
                            found.append(f"{table.name}.{column.name}")
    return sorted(set(found))


def test_person_export_lists_measures_mentions_and_trail(app, client, sample_id):
    org, pid = _setup(app, client, sample_id)
    response = client.get(f"/verwaltung/organisationen/{org}/personen/{pid}/auskunft.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["person"]["name"] == "Annika Feldhues"
    assert {(m["measure"], m["role"]) for m in document["measures"]} >= {
        ("Entwicklung eines Schulungskonzepts", "lead"),
        ("Entwicklung eines Awareness-Konzepts", "support"),
    }
    assert {"table": "measures", "field": "actors"}.items() <= next(
        m for m in document["mentions"] if m["table"] == "measures"
    ).items()
    assert any(e["table"] == "persons" and e["field"] == "name" for e in document["audit_trail"])
    assert any(e["field"] == "actors" and "Annika Feldhues" in (e["new"] or "") for e in document["audit_trail"])


def test_anonymise_replaces_the_name_everywhere(app, client, sample_id):
    org, pid = _setup(app, client, sample_id)
    assert "measures.actors" in _everywhere(app, "Annika Feldhues")
    page = client.get(f"/verwaltung/organisationen/{org}/personen/{pid}/anonymisieren")
    assert page.status_code == 200 and "Annika Feldhues" in page.get_data(as_text=True)
    response = client.post(f"/verwaltung/organisationen/{org}/personen/{pid}/anonymisieren")
    assert response.status_code == 302
    assert _everywhere(app, "Annika Feldhues") == []
    with app.app_context():
        person = db.session.get(models.Person, pid)
        assert person.name == "Anonymisierte Person 1"
        # the measures keep their owner, now anonymous
        owned = db.session.scalars(sa.select(models.MeasureOwner).where(models.MeasureOwner.person_id == pid)).all()
        assert len(owned) == 3  # konzept, schulungen, awareness
    text = client.get(f"/strategien/{sample_id}/massnahmen/awareness").get_data(as_text=True)
    text = re.sub(r"<span lang=\"en\">([^<]*)</span>", r"\1", text)  # "Support" is marked as English
    assert "Anonymisierte Person 1 (Support)" in text and "Rücksprache mit Anonymisierte Person 1" in text
    # the anonymisation itself is in the trail, without the name
    from planner.models.auth import AuditEntry

    with app.app_context():
        redacted = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.table_name == "persons", AuditEntry.object_id == str(pid), AuditEntry.action == "update"
            )
        ).all()
        assert redacted and all(e.old == "(anonymisiert)" for e in redacted)


def test_person_of_another_organisation_is_404(app, client, sample_id, client_as):
    org, pid = _setup(app, client, sample_id)
    with app.app_context():
        other = models.Organisation(name="Fremdes Amt")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    assert client.get(f"/verwaltung/organisationen/{other_id}/personen/{pid}/auskunft.json").status_code == 404
    outsider = client_as({other_id: "verwalten"})
    assert outsider.get(f"/verwaltung/organisationen/{org}/personen/{pid}/auskunft.json").status_code == 404
    assert outsider.post(f"/verwaltung/organisationen/{org}/personen/{pid}/anonymisieren").status_code == 404
    editor = client_as({org: "bearbeiten"})
    assert editor.get(f"/verwaltung/organisationen/{org}/personen/{pid}/auskunft.json").status_code == 404
