"""Every foundation page through the Flask client: strategies, measures, dependencies, import/export."""

from __future__ import annotations

import io

import pytest
import yaml
from conftest import DATA, domain, version_of

from planner.extensions import db
from planner.formats.strategy_file import load_strategy

pytestmark = pytest.mark.db

SAMPLE = (DATA / "sample.yaml").read_text(encoding="utf-8")


MEASURE = {
    "title": "Beschaffung und Einführung eines Terminkalendertools",
    "description": "Ein Tool koordiniert Termine digital.",
    "goal": "Steigerung der Effizienz",
    "dimension": "Bürger*innenzentrierung",
    "status": "geplant",
    "urgency": "mittel",
    "feasibility": "",
    "owners": "Annika Feldhues (Lead)\nFelix Marincel (Support)",
    "actors": "IT-Anwendungsbetreuung\nGA",
    "requirements": "Datenschutzkonformität",
    "start": "09/2024",
    "end": "06/2025",
    "examples": "samedi",
    "steps": "Markterkundung\nBeschaffung",
}


def test_index_lists_organisations_and_strategies(client, sample_id):
    html = client.get("/").text
    assert "Gesundheitsamt Musterstadt" in html
    assert f'href="/strategien/{sample_id}"' in html


def test_empty_index_explains_what_to_do(client):
    assert "Noch keine Strategie vorhanden" in client.get("/").text


def test_strategy_page_groups_measures_by_dimension(client, sample_id):
    html = client.get(f"/strategien/{sample_id}").text
    assert "Wir sind ein digitales, bürgernahes Gesundheitsamt." in html
    assert "Transparent" in html
    assert html.index("Dimension Mitarbeitende") < html.index("Entwicklung eines Schulungskonzepts")
    assert html.index("Dimension IT-Sicherheit") < html.index("Entwicklung eines Awareness-Konzepts")
    assert "in der zweiten Evaluationsschleife hinzugefügt" in html
    assert "ab 04/2024" in html and "01/2024 – 04/2024" in html


def test_measure_page_shows_every_field_and_both_dependency_directions(client, sample_id):
    html = client.get(f"/strategien/{sample_id}/massnahmen/konzept").text
    for text in [
        "Ein Schulungskonzept wird erstellt.",
        "Kompetenzentwicklung",
        'Annika Feldhues (<span lang="en">Lead</span>)',
        'Andreas Heeke (<span lang="en">Support</span>)',
        "Haupt-/Personalamt",
        "Beteiligung Personalrat",
        "01/2024 – 04/2024",
        "Schulungen",
        "hoch",
        "mittel",
    ]:
        assert text in html, text
    # konzept is the basis for two measures
    grundlage = html[html.index("Grundlage für") :]
    assert "Nichttechnische und technische Schulungen" in grundlage and "Awareness" in grundlage
    awareness = client.get(f"/strategien/{sample_id}/massnahmen/awareness").text
    assert "Konzeption und Planung" in awareness
    assert "Entwicklung eines Schulungskonzepts" in awareness[awareness.index("Abhängigkeit von") :]
    assert "unbekannt" in client.get(f"/strategien/{sample_id}/massnahmen/schulungen").text


def test_unknown_objects_answer_404_in_german(client, sample_id):
    for url in [f"/strategien/{sample_id}/massnahmen/gibtsnicht", "/strategien/999", "/strategien/999/massnahmen/neu"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "Nicht gefunden" in response.text


def test_create_measure(app, client, sample_id):
    response = client.post(f"/strategien/{sample_id}/massnahmen/neu", data={**MEASURE, "depends_on": ["awareness"]})
    assert response.status_code == 302
    key = "beschaffung-und-einfuehrung-eines-terminkalendertools"
    assert response.location.endswith(f"/massnahmen/{key}")
    m = domain(app, sample_id).measure(key)
    assert m.owners[1].name == "Felix Marincel" and m.owners[1].role.value == "support"
    assert m.depends_on == ["awareness"] and str(m.start) == "2024-09" and str(m.end) == "2025-06"
    assert m.feasibility is None and m.examples == ["samedi"] and m.steps == ["Markterkundung", "Beschaffung"]


def test_create_form_keeps_input_and_names_errors(app, client, sample_id):
    response = client.post(f"/strategien/{sample_id}/massnahmen/neu", data={**MEASURE, "title": "", "start": "13/2024"})
    assert response.status_code == 422
    html = response.text
    assert "Bitte ausfüllen." in html
    assert "„13/2024“ ist kein Monat" in html
    assert "Felix Marincel (Support)" in html and "samedi" in html
    assert len(domain(app, sample_id).measures) == 4


def test_a_value_outside_the_choices_is_refused_in_german(client, sample_id):
    response = client.post(f"/strategien/{sample_id}/massnahmen/neu", data={**MEASURE, "urgency": "sehr hoch"})
    assert response.status_code == 422
    assert "Keine gültige Auswahl" in response.text
    assert "Not a valid choice" not in response.text


def test_end_before_start_is_refused_on_the_field(client, sample_id):
    response = client.post(
        f"/strategien/{sample_id}/massnahmen/neu", data={**MEASURE, "start": "06/2025", "end": "01/2025"}
    )
    assert response.status_code == 422
    assert "Das Ende 01/2025 liegt vor dem Beginn 06/2025." in response.text


def test_edit_measure(app, client, sample_id):
    url = f"/strategien/{sample_id}/massnahmen/awareness/bearbeiten"
    form = client.get(url).text
    assert "IT-Sicherheitsbeauftragte (Lead)" in form and "Konzeption und Planung" in form
    data = {**MEASURE, "title": "Awareness-Konzept", "dimension": "IT-Sicherheit", "depends_on": ["konzept"]}
    assert client.post(url, data={**data, "lock_version": version_of(client, url)}).status_code == 302
    m = domain(app, sample_id).measure("awareness")
    assert m.title == "Awareness-Konzept" and m.depends_on == ["konzept"]


def test_edit_that_closes_a_cycle_is_refused_with_the_cycle_named(app, client, sample_id):
    url = f"/strategien/{sample_id}/massnahmen/konzept/bearbeiten"
    data = {
        **MEASURE,
        "title": "Entwicklung eines Schulungskonzepts",
        "dimension": "Mitarbeitende",
        "depends_on": ["awareness"],
        "lock_version": version_of(client, url),
    }
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Zyklus" in response.text and "Entwicklung eines Awareness-Konzepts (awareness)" in response.text
    assert domain(app, sample_id).measure("konzept").depends_on == []


def test_add_and_remove_dependency(app, client, sample_id):
    base = f"/strategien/{sample_id}/massnahmen/chatbot"
    response = client.post(f"{base}/abhaengigkeiten", data={"dep-prerequisite": "awareness"}, follow_redirects=True)
    assert "hängt jetzt von" in response.text
    assert domain(app, sample_id).measure("chatbot").depends_on == ["awareness"]
    client.post(f"{base}/abhaengigkeiten/awareness/entfernen")
    assert domain(app, sample_id).measure("chatbot").depends_on == []


def test_dependency_closing_a_cycle_is_refused(app, client, sample_id):
    response = client.post(
        f"/strategien/{sample_id}/massnahmen/konzept/abhaengigkeiten",
        data={"dep-prerequisite": "awareness"},
        follow_redirects=True,
    )
    assert "weil sie einen Zyklus schließen würde" in response.text
    assert (
        "Entwicklung eines Schulungskonzepts (konzept) → Entwicklung eines Awareness-Konzepts (awareness)"
        in response.text
    )
    assert domain(app, sample_id).measure("konzept").depends_on == []


def test_delete_measure_removes_its_dependencies(app, client, sample_id):
    page = client.get(f"/strategien/{sample_id}/massnahmen/konzept/loeschen").text
    assert "Grundlage für" in page and "Awareness" in page
    assert client.post(f"/strategien/{sample_id}/massnahmen/konzept/loeschen").status_code == 302
    s = domain(app, sample_id)
    assert s.measure("konzept") is None and s.measure("awareness").depends_on == []


def test_export_gives_back_the_imported_file(app, client, sample_id):
    response = client.get(f"/strategien/{sample_id}/export.yaml")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert load_strategy(response.text) == load_strategy(SAMPLE)


def test_upload_valid_file(app, client):
    response = client.post(
        "/strategien/importieren",
        data={"file": (io.BytesIO(SAMPLE.encode()), "muster.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "Musterstadt" in client.get(response.location).text


def test_upload_invalid_file_is_refused_whole(client):
    data = yaml.safe_load(SAMPLE)
    data["measures"][1]["dimension"] = "Raumfahrt"
    data["measures"][2]["start"] = "2024-13"
    response = client.post(
        "/strategien/importieren",
        data={"file": (io.BytesIO(yaml.safe_dump(data, allow_unicode=True).encode()), "x.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Maßnahme „schulungen“, Feld „dimension“: Unbekannte Dimension „Raumfahrt“." in response.text
    assert "Maßnahme „awareness“, Feld „start“" in response.text
    assert "Noch keine Strategie vorhanden" in client.get("/").text


def test_upload_rejects_non_yaml_and_non_utf8(client):
    response = client.post(
        "/strategien/importieren", data={"file": (io.BytesIO(b"x"), "x.pdf")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "YAML-Datei" in response.text
    response = client.post(
        "/strategien/importieren",
        data={"file": (io.BytesIO("ä".encode("latin-1")), "x.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "UTF-8" in response.text
    assert client.post("/strategien/importieren", data={}).status_code == 422


def test_create_and_edit_strategy(app, client):
    assert client.get("/strategien/neu").status_code == 200
    data = {
        "organisation": "GA Neustadt",
        "title": "Strategie 2025",
        "version": "1",
        "adopted": "01/2025",
        "window_start": "01/2025",
        "window_end": "12/2026",
        "vision": "Digital.",
        "mission": "Schrittweise.",
        "principles": "Offen\nSicher",
    }
    response = client.post("/strategien/neu", data=data)
    assert response.status_code == 302
    sid = int(response.location.rsplit("/", 1)[1])
    assert client.get(f"/strategien/{sid}/bearbeiten").status_code == 200
    data["lock_version"] = version_of(client, f"/strategien/{sid}/bearbeiten")
    response = client.post(f"/strategien/{sid}/bearbeiten", data={**data, "window_end": "12/2024"})
    assert response.status_code == 422 and "liegt vor seinem Beginn" in response.text
    assert client.post(f"/strategien/{sid}/bearbeiten", data={**data, "vision": "Neue Vision."}).status_code == 302
    s = domain(app, sid)
    assert s.vision == "Neue Vision." and s.principles == ["Offen", "Sicher"] and str(s.window_end) == "2026-12"


def test_strategy_form_month_error_keeps_input(client):
    response = client.post(
        "/strategien/neu", data={"organisation": "GA", "title": "T", "adopted": "März", "vision": "Meine Vision"}
    )
    assert response.status_code == 422
    assert "„März“ ist kein Monat" in response.text and "Meine Vision" in response.text


def test_dimension_stylesheet_comes_from_the_catalogue(client):
    css = client.get("/assets/dimensionen.css").text
    assert '[data-dim="0"] { --dim: #1f5fa8; }' in css and css.count("--dim") == 8


def test_csrf_is_enforced_when_enabled(live_app, sample_id=None):
    client = live_app.test_client()
    response = client.post("/strategien/neu", data={"organisation": "GA", "title": "T"})
    assert response.status_code == 400 and "Sitzung abgelaufen" in response.text


def test_import_lists_each_dependency_once_in_the_same_session(app):
    from planner.services.whole_strategy import import_strategy

    with app.app_context():
        row = import_strategy(db.session, load_strategy((DATA / "sample.yaml").read_text(encoding="utf-8")))
        for measure in row.measures:
            keys = [d.prerequisite.key for d in measure.prerequisites]
            assert len(keys) == len(set(keys)), measure.key
            back = [d.dependent.key for d in measure.dependents]
            assert len(back) == len(set(back)), measure.key
        assert any(m.prerequisites for m in row.measures)
