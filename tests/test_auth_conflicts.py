"""No lost updates: the second of two concurrent saves is refused, names what the other person changed,
and keeps what the second person typed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from auth_support import form_data
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from planner import models
from planner.extensions import db

pytestmark = pytest.mark.db


@pytest.fixture
def two_editors(app, client, client_as, sample_id):
    """The administrator and a second editor of the same organisation."""
    with app.app_context():
        org = db.session.scalar(sa.select(models.Strategy.organisation_id).where(models.Strategy.id == sample_id))
    return client, client_as({org: "bearbeiten"})


def test_second_measure_save_is_refused_with_the_other_change_named(two_editors, sample_id, app):
    first, second = two_editors
    url = f"/strategien/{sample_id}/massnahmen/konzept/bearbeiten"
    form_1 = form_data(first.get(url).get_data(as_text=True))
    form_2 = form_data(second.get(url).get_data(as_text=True))
    assert form_1["lock_version"] == form_2["lock_version"] != ""

    form_1["title"] = "Schulungskonzept (Fassung Anna)"
    form_1["status"] = "in_umsetzung"
    assert first.post(url, data=form_1).status_code == 302

    form_2["goal"] = "Mein sorgfältig getippter Text"
    response = second.post(url, data=form_2)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Ihre Änderungen wurden nicht gespeichert" in text
    assert "Titel: „Schulungskonzept (Fassung Anna)“" in text
    assert "Status: „in Umsetzung“" in text
    assert "von admin" in text
    # what the second person typed is still in the form, with the new version to save over it deliberately
    again = form_data(text)
    assert again["goal"] == "Mein sorgfältig getippter Text"
    assert int(again["lock_version"]) > int(form_2["lock_version"])
    with app.app_context():
        measure = db.session.scalar(sa.select(models.Measure).where(models.Measure.key == "konzept"))
        assert measure.title == "Schulungskonzept (Fassung Anna)"
        assert measure.goal != "Mein sorgfältig getippter Text"
    # saving again after seeing the conflict is a deliberate decision: accepted
    assert second.post(url, data=again).status_code == 302
    with app.app_context():
        measure = db.session.scalar(sa.select(models.Measure).where(models.Measure.key == "konzept"))
        assert measure.goal == "Mein sorgfältig getippter Text"


def test_owner_change_alone_also_counts_as_a_change(two_editors, sample_id):
    first, second = two_editors
    url = f"/strategien/{sample_id}/massnahmen/konzept/bearbeiten"
    form_1 = form_data(first.get(url).get_data(as_text=True))
    form_2 = form_data(second.get(url).get_data(as_text=True))
    form_1["owners"] = "IT-Service (Lead)"
    assert first.post(url, data=form_1).status_code == 302
    response = second.post(url, data=form_2)
    assert response.status_code == 422
    assert "IT-Service" in response.get_data(as_text=True)


def test_dependency_change_also_counts(two_editors, sample_id):
    first, second = two_editors
    base = f"/strategien/{sample_id}/massnahmen/awareness"
    stale = form_data(second.get(base + "/bearbeiten").get_data(as_text=True))
    assert first.post(base + "/abhaengigkeiten", data={"dep-prerequisite": "schulungen"}).status_code == 302
    response = second.post(base + "/bearbeiten", data=stale)
    assert response.status_code == 422
    assert "Abhängigkeit" in response.get_data(as_text=True)


def test_second_strategy_save_is_refused(two_editors, sample_id, app):
    first, second = two_editors
    url = f"/strategien/{sample_id}/bearbeiten"
    form_1 = form_data(first.get(url).get_data(as_text=True))
    form_2 = form_data(second.get(url).get_data(as_text=True))
    form_1["vision"] = "Vision von Anna"
    assert first.post(url, data=form_1).status_code == 302
    form_2["mission"] = "Mission von Ben"
    response = second.post(url, data=form_2)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Vision-Statement: „Vision von Anna“" in text
    assert form_data(text)["mission"] == "Mission von Ben"
    with app.app_context():
        assert db.session.get(models.Strategy, sample_id).mission != "Mission von Ben"


def test_saves_in_turn_are_accepted(client, sample_id):
    url = f"/strategien/{sample_id}/massnahmen/konzept/bearbeiten"
    for title in ("Eins", "Zwei", "Drei"):
        form = form_data(client.get(url).get_data(as_text=True))
        form["title"] = title
        assert client.post(url, data=form).status_code == 302


def test_the_database_refuses_a_racing_update(app, sample_id):
    """Both requests passed the form check at the same moment: the version column still stops the second."""
    with app.app_context():
        engine = db.engine
        with Session(engine) as one, Session(engine) as two:
            a = one.scalar(sa.select(models.Measure).where(models.Measure.key == "konzept"))
            b = two.scalar(sa.select(models.Measure).where(models.Measure.key == "konzept"))
            a.title = "A"
            one.commit()
            b.title = "B"
            with pytest.raises(StaleDataError):
                two.commit()
