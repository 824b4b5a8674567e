"""Statusabfrage and Bewertungsworkshop: one form over all measures, one transaction, lost-update check
per measure, German errors per row, the form keeps what was typed; print page and XLSX."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from auth_support import form_data
from conftest import domain

from planner import models
from planner.extensions import db
from planner.models import verstetigung as vm
from planner.models.auth import AuditEntry

pytestmark = pytest.mark.db

CLOSE = ("inventur-hardware", "beschaffung-hardware", "schulungskonzept")


@pytest.fixture
def today(app):
    app.config["TODAY"] = "2026-11-30"


def _row_index(data: dict, key: str) -> int:
    return next(int(k[1:].split("-")[0]) for k, v in data.items() if k.endswith("-key") and v == key)


def _close(data: dict, key: str, end: str = "10/2026", note: str = "") -> None:
    i = _row_index(data, key)
    data[f"m{i}-status"] = "abgeschlossen"
    data[f"m{i}-actual_end"] = end
    data[f"m{i}-note"] = note


def test_status_round_closes_three_measures_in_one_save(app, client, steinfurt_id, today):
    url = f"/strategien/{steinfurt_id}/statusabfrage"
    page = client.get(url)
    assert page.status_code == 200
    assert "Abschluss überfällig seit 44 Monaten" in page.text  # Inventur Hardware, planned end 03/2023
    data = form_data(page.text)
    assert data["by"] == "Administration" and data["changed_on"] == "30.11.2026"
    for key in CLOSE:
        _close(data, key, note="erledigt laut Teamsitzung")
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert "3 Maßnahmen aktualisiert" in client.get(url).text
    s = domain(app, steinfurt_id)
    for key in CLOSE:
        m = s.measure(key)
        assert (m.status.value, str(m.actual_end)) == ("abgeschlossen", "2026-10")
        assert s.status_history[key][-1].note == "erledigt laut Teamsitzung"
        assert s.status_history[key][-1].by == "Administration"
    untouched = s.measure("prozesserhebung")
    assert untouched.status.value == "geplant" and untouched.actual_end is None
    with app.app_context():
        # the audit trail has every measure's change, and only those three measures changed
        changed = set(
            db.session.scalars(
                sa.select(AuditEntry.object_id).where(
                    AuditEntry.table_name == "measures", AuditEntry.field == "actual_end"
                )
            )
        )
        ids = set(str(i) for i in db.session.scalars(sa.select(models.Measure.id).where(models.Measure.key.in_(CLOSE))))
    assert changed == ids


def test_one_bad_row_saves_nothing_and_keeps_every_input(app, client, steinfurt_id, today):
    url = f"/strategien/{steinfurt_id}/statusabfrage"
    data = form_data(client.get(url).text)
    _close(data, CLOSE[0], note="Hardware gezählt")
    _close(data, CLOSE[1], end="13/2026")  # no month
    _close(data, CLOSE[2], end="")  # finished without an end
    response = client.post(url, data=data)
    assert response.status_code == 422
    text = response.text
    assert "keine Maßnahme wurde geändert" in text
    assert "„13/2026“ ist kein Monat" in text
    assert "Für eine abgeschlossene Maßnahme bitte das tatsächliche Ende angeben." in text
    assert 'value="Hardware gezählt"' in text and 'value="13/2026"' in text
    s = domain(app, steinfurt_id)
    assert all(s.measure(k).status.value != "abgeschlossen" for k in CLOSE)
    assert s.status_history.get(CLOSE[0], []) == []


def test_lost_update_is_refused_per_measure(app, client, steinfurt_id, today):
    url = f"/strategien/{steinfurt_id}/statusabfrage"
    data = form_data(client.get(url).text)
    # meanwhile someone else changes one of the measures on its own page
    other = form_data(client.get(url).text)
    _close(other, CLOSE[0], end="05/2023")
    assert client.post(url, data=other).status_code == 302
    _close(data, CLOSE[0], end="09/2026")
    _close(data, CLOSE[1])
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Inzwischen von jemand anderem geändert" in response.text
    assert "05/2023" in response.text  # what the other person saved
    s = domain(app, steinfurt_id)
    assert str(s.measure(CLOSE[0]).actual_end) == "2023-05" and s.measure(CLOSE[1]).actual_end is None
    # the form now carries the current version: saving again (after checking) goes through
    again = form_data(response.text)
    assert again[f"m{_row_index(again, CLOSE[0])}-actual_end"] == "09/2026"
    assert client.post(url, data=again).status_code == 302
    assert str(domain(app, steinfurt_id).measure(CLOSE[0]).actual_end) == "2026-09"


def test_status_round_of_one_owner(app, client, steinfurt_id, today):
    with app.app_context():
        person = db.session.scalar(sa.select(models.Person).where(models.Person.name == "Felix Marincel"))
    url = f"/strategien/{steinfurt_id}/statusabfrage?person={person.id}"
    text = client.get(url).text
    assert "Statusabfrage: Felix Marincel" in text
    assert "Prozessoptimierung in Workshops" in text and "Inventur Hardware" not in text
    assert client.get(f"/strategien/{steinfurt_id}/statusabfrage?person=999999").status_code == 404
    assert client.get(f"/strategien/{steinfurt_id}/statusabfrage?person=abc").status_code == 404


def test_print_page_and_xlsx_write_user_text_as_text(app, client, steinfurt_id, today):
    from openpyxl import load_workbook

    url = f"/strategien/{steinfurt_id}/statusabfrage"
    data = form_data(client.get(url).text)
    i = _row_index(data, CLOSE[0])
    data[f"m{i}-note"] = '=HYPERLINK("http://example.org","klick")'
    assert client.post(url, data=data).status_code == 302
    printed = client.get(url + "/druck")
    assert printed.status_code == 200 and "Inventur Hardware" in printed.text
    assert "Abschluss überfällig seit 44 Monaten" in printed.text
    response = client.get(f"/strategien/{steinfurt_id}/statusabfrage.xlsx")
    assert response.status_code == 200
    assert "statusabfrage-gesundheitsamt-kreis-steinfurt-2023.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value.startswith("Statusabfrage – ")
    assert [c.value for c in sheet[4]][:2] == ["Maßnahme", "Verantwortlich"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5)}
    assert len(rows) == 25
    note = rows["Inventur Hardware"][7]
    assert note.value.endswith('=HYPERLINK("http://example.org","klick")') and note.data_type == "s"
    # a title typed as a formula stays text too
    with app.app_context():
        row = db.session.scalar(sa.select(models.Measure).where(models.Measure.key == CLOSE[1]))
        row.title = "=1+1"
        db.session.commit()
    sheet = load_workbook(io.BytesIO(client.get(f"/strategien/{steinfurt_id}/statusabfrage.xlsx").data)).active
    cell = next(r[0] for r in sheet.iter_rows(min_row=5) if r[0].value == "=1+1")
    assert cell.data_type == "s"


def test_readers_see_the_round_but_cannot_save(app, client_as, steinfurt_id, today):
    with app.app_context():
        org = db.session.scalar(sa.select(models.Strategy.organisation_id).where(models.Strategy.id == steinfurt_id))
    reader = client_as({org: "lesen"})
    url = f"/strategien/{steinfurt_id}/statusabfrage"
    text = reader.get(url).text
    assert "Inventur Hardware" in text and "Alle Änderungen speichern" not in text
    assert reader.post(url, data={"m0-key": "inventur-hardware", "m0-status": "abgeschlossen"}).status_code == 404


def test_workshop_rates_every_measure_and_shows_the_matrix(app, client, steinfurt_id):
    url = f"/strategien/{steinfurt_id}/bewertungsworkshop"
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.text)
    keys = [v for k, v in data.items() if k.endswith("-key")]
    assert len(keys) == 25
    ratings = ["hoch", "mittel", "gering"]
    for n, key in enumerate(keys):
        i = _row_index(data, key)
        data[f"m{i}-feasibility"] = ratings[n % 3]
    response = client.post(url, data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/bewertung")
    s = domain(app, steinfurt_id)
    assert all(m.feasibility is not None for m in s.measures)
    matrix = client.get(response.headers["Location"]).text
    assert "25 Maßnahmen geändert" in matrix


def test_workshop_lost_update_and_garbage(app, client, steinfurt_id):
    url = f"/strategien/{steinfurt_id}/bewertungsworkshop"
    data = form_data(client.get(url).text)
    stale = dict(data)
    i = _row_index(data, CLOSE[0])
    data[f"m{i}-urgency"] = "gering"
    assert client.post(url, data=data).status_code == 302
    stale[f"m{i}-urgency"] = "mittel"
    j = _row_index(stale, CLOSE[1])
    stale[f"m{j}-feasibility"] = "hoch"
    response = client.post(url, data=stale)
    assert response.status_code == 422 and "Inzwischen von jemand anderem geändert" in response.text
    s = domain(app, steinfurt_id)
    assert s.measure(CLOSE[0]).urgency.value == "gering" and s.measure(CLOSE[1]).feasibility is None
    stale[f"m{j}-feasibility"] = "sehr hoch"
    response = client.post(url, data=stale)
    assert response.status_code == 422 and "Keine gültige Auswahl" in response.text


def test_status_note_is_kept_in_the_history(app, client, steinfurt_id, today):
    url = f"/strategien/{steinfurt_id}/statusabfrage"
    data = form_data(client.get(url).text)
    i = _row_index(data, CLOSE[0])
    data[f"m{i}-note"] = "Inventur läuft noch"
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        notes = db.session.scalars(sa.select(vm.StatusChange.note)).all()
    assert notes == ["Inventur läuft noch"]
    assert "zuletzt 30.11.2026: Inventur läuft noch" in client.get(url).text
