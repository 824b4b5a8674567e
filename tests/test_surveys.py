"""Issue 27 point 8: survey rounds — ask every coordinated office to update its application
landscape by a date, see who answered (by a change or a confirmation), remind (shown on the
office's start page), close a round and compare two rounds year to year."""

from __future__ import annotations

import io

import docx
import pytest
import sqlalchemy as sa
from conftest import PEINE, STEINFURT, form_data, import_file
from jobs_support import fetch_document

from planner import models
from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.models import land as lm
from planner.services import land_sample

pytestmark = pytest.mark.db


@pytest.fixture
def land(app):
    import_file(app, PEINE)
    import_file(app, STEINFURT)
    app.config["TODAY"] = "2026-12-07"
    with app.app_context():
        row = land_sample.seed_sample_land(
            db.session, load_strategy(land_sample.SAMPLE_FILE.read_text(encoding="utf-8"))
        )
        db.session.commit()
        orgs = dict(db.session.execute(sa.select(models.Organisation.name, models.Organisation.id)).all())
        return {
            "land": row.organisation_id,
            "peine": orgs["Landkreis Peine"],
            "steinfurt": orgs["Gesundheitsamt Kreis Steinfurt"],
        }


def _add_application(app, office_id: int, name: str) -> None:
    with app.app_context():
        db.session.add(
            lm.Application(organisation_id=office_id, name=name, vendor="Hersteller", task_area="Infektionsschutz")
        )
        db.session.commit()


def _new_round(client, land, title="Applikationslandkarte 2026", due="31.01.2027") -> str:
    response = client.post(
        f"/landesebene/{land['land']}/erhebungen",
        data={"title": title, "subject": "landkarte", "due": due, "note": "Bitte auch Schnittstellen."},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_round_with_bad_input_keeps_it_and_says_why(land, client_as):
    coordinator = client_as({land["land"]: "bearbeiten"})
    url = f"/landesebene/{land['land']}/erhebungen"
    for data, message in (
        ({"title": "", "subject": "landkarte", "due": "31.01.2027"}, "Bitte eine Bezeichnung angeben."),
        ({"title": "Runde", "subject": "landkarte", "due": "31.02.2027"}, "„31.02.2027“ ist kein gültiges Datum"),
        ({"title": "Runde", "subject": "landkarte", "due": "01.12.2026"}, "Die Frist liegt in der Vergangenheit."),
        ({"title": "Runde", "subject": "landkarte", "due": ""}, "Bitte ein Datum angeben (TT.MM.JJJJ)."),
        ({"title": "Runde", "subject": "alles", "due": "31.01.2027"}, "Keine gültige Auswahl"),
    ):
        response = coordinator.post(url, data=data)
        text = response.get_data(as_text=True)
        assert response.status_code == 422 and message in text, (data, text[-2000:])
        assert form_data(text)["due"] == data["due"]
    with coordinator.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(lm.SurveyRound)) == 0
    reader = client_as({land["land"]: "lesen"})
    assert "Neue Erhebungsrunde" not in reader.get(url).get_data(as_text=True)
    assert reader.post(url, data={"title": "x", "subject": "landkarte", "due": "31.01.2027"}).status_code == 404


def test_who_answered_reminders_on_the_start_page_and_confirmation(land, client_as, app):
    coordinator = client_as({land["land"]: "bearbeiten"})
    round_url = _new_round(coordinator, land)
    page = coordinator.get(round_url).get_data(as_text=True)
    assert "0 von 2 Ämtern haben geantwortet, 2 noch nicht (bis 31.01.2027 (noch 55 Tage))." in page

    # Peine changes its landscape after the round began: answered by the change
    _add_application(app, land["peine"], "SurvNet")
    # Steinfurt's member sees the request on the start page, reminded once
    assert coordinator.post(round_url + "/erinnern").status_code == 302
    page = coordinator.get(round_url).get_data(as_text=True)
    assert "1 von 2 Ämtern haben geantwortet" in page and "Applikationslandkarte aktualisiert" in page
    with app.app_context():
        reminders = db.session.execute(sa.select(lm.SurveyReminder.office_id)).scalars().all()
    assert reminders == [land["steinfurt"]]  # only the office that had not answered
    office = client_as({land["steinfurt"]: "bearbeiten"})
    start = office.get("/").get_data(as_text=True)
    assert "Bitte um Aktualisierung" in start
    assert "Landesstelle (Beispiel)</strong> bittet Gesundheitsamt Kreis Steinfurt, die Applikationslandkarte" in start
    assert "„Applikationslandkarte 2026“, bis 31.01.2027 (noch 55 Tage)" in start
    assert "Erinnert am " in start and "Bitte auch Schnittstellen." in start
    # it confirms that its entries are current
    [round_id] = [int(x) for x in round_url.rstrip("/").rsplit("/", 1)[1:]]
    assert office.post(f"/erhebungen/{round_id}/bestaetigen/{land['steinfurt']}").status_code == 302
    assert "Beantwortet am" in office.get("/").get_data(as_text=True)
    page = coordinator.get(round_url).get_data(as_text=True)
    assert "2 von 2 Ämtern haben geantwortet." in page and "Angaben bestätigt" in page
    # Peine's reader sees the request but cannot confirm; nobody confirms for another office
    reader = client_as({land["peine"]: "lesen"})
    assert "Angaben sind aktuell – bestätigen" not in reader.get("/").get_data(as_text=True)
    assert reader.post(f"/erhebungen/{round_id}/bestaetigen/{land['peine']}").status_code == 404
    assert office.post(f"/erhebungen/{round_id}/bestaetigen/{land['peine']}").status_code == 404
    # the office does not see the coordinator's rounds
    assert office.get(round_url).status_code == 404
    assert office.get(f"/landesebene/{land['land']}/erhebungen").status_code == 404


def test_closed_rounds_compare_year_to_year_and_the_landesbericht_reports_them(land, client_as, app):
    coordinator = client_as({land["land"]: "bearbeiten"})
    _add_application(app, land["peine"], "SurvNet")
    _add_application(app, land["peine"], "Octoware")
    _add_application(app, land["steinfurt"], "SurvNet")
    first = _new_round(coordinator, land, "Erhebung 2025")
    assert coordinator.post(first + "/abschliessen").status_code == 302
    assert "abgeschlossen am" in coordinator.get(first).get_data(as_text=True)
    assert coordinator.post(first + "/erinnern").status_code == 404  # a closed round takes no reminders
    comparison = f"/landesebene/{land['land']}/erhebungen/vergleich"
    assert "zwei abgeschlossene Erhebungsrunden" in coordinator.get(comparison).get_data(as_text=True)
    with app.app_context():
        db.session.execute(sa.delete(lm.Application).where(lm.Application.name == "Octoware"))
        db.session.commit()
    _add_application(app, land["steinfurt"], "Mikropro")
    second = _new_round(coordinator, land, "Erhebung 2026")
    coordinator.post(second + "/abschliessen")
    text = coordinator.get(comparison).get_data(as_text=True)
    assert "Erhebung 2025 (2 Ämter mit Angaben) → Erhebung 2026 (2 Ämter mit Angaben)" in text
    rows = [r.replace("\n", "") for r in text.split("<tr>") if '<th scope="row">' in r]
    assert any(">Octoware<" in r and ">1<" in r and ">0<" in r and ">-1<" in r for r in rows)
    assert any(">SurvNet<" in r and ">2<" in r and "±0" in r for r in rows)
    assert any("Landkreis Peine" in r and "Octoware" in r for r in rows)
    assert any("Gesundheitsamt Kreis Steinfurt" in r and "Mikropro" in r for r in rows)
    same = coordinator.get(comparison + "?von=1&bis=1")
    assert same.status_code == 422 and "zwei verschiedene Runden" in same.get_data(as_text=True)

    report = fetch_document(coordinator, f"/landesebene/{land['land']}/landesbericht.docx").data
    document = docx.Document(io.BytesIO(report))
    assert "Erhebungsrunden" in [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["Erhebung 2026", "Applikationslandkarte", "31.01.2027", "abgeschlossen", "0", "2", "2"] in cells
