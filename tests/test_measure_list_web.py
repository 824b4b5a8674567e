"""The Maßnahmenliste in the web interface: download, upload → preview → confirm, all or nothing,
audit trail, lost-update check, German errors naming sheet, row and column (issue 17, point 1)."""

from __future__ import annotations

import io
from dataclasses import asdict

import pytest
import sqlalchemy as sa
from auth_support import form_data
from conftest import domain
from openpyxl import load_workbook

from planner import models
from planner.extensions import db
from planner.formats.measure_workbook import COLUMNS, SHEET_MEASURES, SHEET_STRATEGY
from planner.models.auth import AuditEntry

pytestmark = pytest.mark.db

HEADERS = [c.header for c in COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, sid: int) -> bytes:
    response = client.get(f"/strategien/{sid}/massnahmenliste.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def edit_cells(data: bytes, *cells, sheet: str = SHEET_MEASURES) -> bytes:
    book = load_workbook(io.BytesIO(data))
    for row, header, value in cells:
        book[sheet].cell(row=row, column=HEADERS.index(header) + 1 if isinstance(header, str) else header).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, sid: int, data: bytes, name: str = "liste.xlsx"):
    return client.post(
        f"/strategien/{sid}/massnahmenliste/importieren",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm(client, sid: int, preview_html: str, **changes):
    data = form_data(preview_html)
    data.update(changes)
    return client.post(f"/strategien/{sid}/massnahmenliste/uebernehmen", data=data)


def audit_changes(app, since: int) -> list[tuple[str, str, str, str | None, str | None]]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.id > since, AuditEntry.field != "lock_version")
            .order_by(AuditEntry.id)
        )
        return [(e.table_name, e.action, e.field, e.old, e.new) for e in rows]


def last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0


def snapshot(app, sid: int) -> dict:
    s = domain(app, sid)
    return {"strategy": (s.title, s.vision, s.mission, s.principles), "measures": [asdict(m) for m in s.measures]}


def test_strategy_pages_offer_download_and_import(client, sample_id):
    """The download on the Ausgaben page, the import among the Maßnahmen area's pages."""
    files = client.get(f"/strategien/{sample_id}/ausgaben").text
    assert f'href="/strategien/{sample_id}/massnahmenliste.xlsx"' in files
    measures = client.get(f"/strategien/{sample_id}/steckbriefe").text
    assert f'href="/strategien/{sample_id}/massnahmenliste/importieren"' in measures
    book = load_workbook(io.BytesIO(download(client, sample_id)))
    assert book[SHEET_MEASURES]["A2"].value == "konzept"


def test_upload_page(client, sample_id):
    response = client.get(f"/strategien/{sample_id}/massnahmenliste/importieren")
    assert response.status_code == 200
    assert "Maßnahmenliste importieren" in response.text and 'type="file"' in response.text


def test_round_trip_changes_exactly_the_three_edited_fields_with_their_audit_entries(app, client, sample_id):
    before = domain(app, sample_id)
    data = edit_cells(
        download(client, sample_id),
        (2, "Dringlichkeit", "mittel"),
        (2, "Beginn", "02/2024"),
        (4, "Titel", "Awareness-Konzept für alle"),
    )
    preview = upload(client, sample_id, data)
    assert preview.status_code == 200, preview.text
    html = preview.text
    assert "2 geändert, 0 neu, 0 nicht mehr in der Datei" in html and "2 unverändert" in html
    assert "Entwicklung eines Schulungskonzepts" in html and "Zeile 2" in html
    assert "Awareness-Konzept für alle" in html and "01/2024" in html and "02/2024" in html
    assert domain(app, sample_id) == before  # the preview writes nothing
    mark = last_audit_id(app)
    response = confirm(client, sample_id, html)
    assert response.status_code == 302
    assert response.location.endswith(f"/strategien/{sample_id}")
    after = domain(app, sample_id)
    konzept, awareness = after.measure("konzept"), after.measure("awareness")
    assert konzept.urgency.value == "mittel" and str(konzept.start) == "2024-02"
    assert awareness.title == "Awareness-Konzept für alle"
    expected = before
    expected.measure("konzept").urgency = konzept.urgency
    expected.measure("konzept").start = konzept.start
    expected.measure("awareness").title = awareness.title
    assert after == expected  # nothing else changed
    changes = audit_changes(app, mark)
    assert sorted(changes) == sorted(
        [
            ("measures", "update", "urgency", "hoch", "mittel"),
            ("measures", "update", "start", "2024-01", "2024-02"),
            ("measures", "update", "title", "Entwicklung eines Awareness-Konzepts", "Awareness-Konzept für alle"),
        ]
    )
    with app.app_context():
        usernames = set(db.session.scalars(sa.select(AuditEntry.username).where(AuditEntry.id > mark)))
    assert usernames == {"admin"}
    followed = client.get(f"/strategien/{sample_id}").text
    assert "Die Maßnahmenliste wurde übernommen: 2 geändert, 0 neu, 0 gelöscht." in followed


def test_new_rows_and_missing_measures_keep_or_delete(app, client, sample_id):
    book = load_workbook(io.BytesIO(download(client, sample_id)))
    sheet = book[SHEET_MEASURES]
    sheet.delete_rows(5)  # chatbot: no longer in the file
    new = {
        "Titel": "Digitale Aktenführung",
        "Dimension": "Prozessdigitalisierung",
        "Status": "Geplant",
        "Beginn": "03.2025",
        "Abhängig von (IDs)": "konzept",
        "Verantwortliche": "IT-Service (Support)",
    }
    for header, value in new.items():
        sheet.cell(row=5, column=HEADERS.index(header) + 1).value = value
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, sample_id, out.getvalue())
    assert preview.status_code == 200, preview.text
    assert "0 geändert, 1 neu, 1 nicht mehr in der Datei" in preview.text
    assert "Beschaffung und Einführung eines Chatbots löschen" in preview.text
    assert (
        "Digitale Aktenführung" in preview.text and "03/2025" in preview.text and "IT-Service (Support)" in preview.text
    )
    # without a tick the missing measure stays
    assert confirm(client, sample_id, preview.text).status_code == 302
    s = domain(app, sample_id)
    assert [m.key for m in s.measures] == ["konzept", "schulungen", "awareness", "chatbot", "digitale-aktenfuehrung"]
    m = s.measure("digitale-aktenfuehrung")
    assert m.depends_on == ["konzept"] and str(m.start) == "2025-03" and m.owners[0].role.value == "support"
    # the same file again, now deleting the missing measure
    data = download(client, sample_id)
    book = load_workbook(io.BytesIO(data))
    book[SHEET_MEASURES].delete_rows(5)
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, sample_id, out.getvalue())
    assert "0 geändert, 0 neu, 1 nicht mehr in der Datei" in preview.text
    assert confirm(client, sample_id, preview.text, delete=["chatbot"]).status_code == 302
    assert domain(app, sample_id).measure("chatbot") is None


def test_deleting_a_measure_others_depend_on_is_refused_with_the_row(app, client, sample_id):
    book = load_workbook(io.BytesIO(download(client, sample_id)))
    book[SHEET_MEASURES].delete_rows(2)  # konzept, which schulungen and awareness depend on
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, sample_id, out.getvalue())
    assert preview.status_code == 200
    before = snapshot(app, sample_id)
    response = confirm(client, sample_id, preview.text, delete=["konzept"])
    assert response.status_code == 422
    assert (
        "Blatt „Maßnahmen“, Zeile 2, Spalte S (Abhängig von (IDs)): Unbekannte Abhängigkeit „konzept“." in response.text
    )
    assert "Vorschau: Maßnahmenliste übernehmen" in response.text  # the preview again, nothing ticked
    assert "checked" not in response.text
    assert snapshot(app, sample_id) == before


def test_strategy_sheet_changes_are_previewed_and_applied(app, client, sample_id):
    data = download(client, sample_id)
    book = load_workbook(io.BytesIO(data))
    sheet = book[SHEET_STRATEGY]
    row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == "Vision-Statement")
    sheet.cell(row=row, column=2).value = "Wir sind das digitale Gesundheitsamt."
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, sample_id, out.getvalue())
    assert "Strategie: 1 Felder geändert" in preview.text and "Vision-Statement" in preview.text
    mark = last_audit_id(app)
    assert confirm(client, sample_id, preview.text).status_code == 302
    assert domain(app, sample_id).vision == "Wir sind das digitale Gesundheitsamt."
    assert audit_changes(app, mark) == [
        (
            "strategies",
            "update",
            "vision",
            "Wir sind ein digitales, bürgernahes Gesundheitsamt.",
            "Wir sind das digitale Gesundheitsamt.",
        )
    ]


def test_an_unchanged_file_changes_nothing(app, client, sample_id):
    preview = upload(client, sample_id, download(client, sample_id))
    assert "0 geändert, 0 neu, 0 nicht mehr in der Datei" in preview.text
    assert "Die Datei enthält keine Änderungen." in preview.text


def test_bad_values_are_refused_with_sheet_row_and_column_and_nothing_changes(app, client, sample_id):
    before = snapshot(app, sample_id)
    data = edit_cells(
        download(client, sample_id),
        (2, "Dringlichkeit", "Hochh"),
        (3, "Beginn", "13/2025"),
        (4, "Titel", '=HYPERLINK("http://boese.example")'),
    )
    book = load_workbook(io.BytesIO(data))
    book[SHEET_MEASURES].cell(row=4, column=2).data_type = "f"  # a real formula, as Excel would save it
    out = io.BytesIO()
    book.save(out)
    response = upload(client, sample_id, out.getvalue())
    assert response.status_code == 422
    html = response.text
    assert "Die Datei wurde nicht übernommen (3 Fehler)" in html
    assert "Blatt „Maßnahmen“, Zeile 2, Spalte I (Dringlichkeit): „Hochh“ ist nicht erlaubt" in html
    assert "Blatt „Maßnahmen“, Zeile 3, Spalte Q (Beginn): „13/2025“ ist kein Monat" in html
    assert "Blatt „Maßnahmen“, Zeile 4, Spalte B (Titel): Die Zelle enthält eine Formel" in html
    assert snapshot(app, sample_id) == before


def test_damaged_or_wrong_files_change_nothing(app, client, sample_id):
    before = snapshot(app, sample_id)
    data = download(client, sample_id)
    response = upload(client, sample_id, data[: len(data) // 3])
    assert response.status_code == 422
    assert "Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)." in response.text
    response = upload(client, sample_id, b"format: planner-strategy/1", name="strategie.yaml")
    assert response.status_code == 422
    assert "Bitte eine Excel-Arbeitsmappe (.xlsx) hochladen." in response.text
    response = client.post(f"/strategien/{sample_id}/massnahmenliste/importieren", data={})
    assert response.status_code == 422 and "Bitte wählen Sie eine Datei aus." in response.text
    response = client.post(
        f"/strategien/{sample_id}/massnahmenliste/uebernehmen", data={"workbook": "%%%", "seen": "x"}
    )
    assert response.status_code == 422 and "Die Vorschau ist unvollständig" in response.text
    assert snapshot(app, sample_id) == before


def test_a_strategy_changed_since_the_preview_is_refused(app, client, sample_id):
    data = edit_cells(download(client, sample_id), (2, "Dringlichkeit", "mittel"))
    preview = upload(client, sample_id, data)
    assert preview.status_code == 200
    # meanwhile someone edits another measure
    form = form_data(client.get(f"/strategien/{sample_id}/massnahmen/awareness/bearbeiten").text)
    form["title"] = "Awareness, inzwischen geändert"
    assert client.post(f"/strategien/{sample_id}/massnahmen/awareness/bearbeiten", data=form).status_code == 302
    before = snapshot(app, sample_id)
    response = confirm(client, sample_id, preview.text)
    assert response.status_code == 422
    assert "Die Strategie wurde seit der Vorschau geändert. Es wurde nichts übernommen" in response.text
    assert snapshot(app, sample_id) == before
    # the new preview is on the current state: it shows that the file would undo the other edit
    assert "2 geändert, 0 neu, 0 nicht mehr in der Datei" in response.text
    assert "Awareness, inzwischen geändert" in response.text
    assert confirm(client, sample_id, response.text).status_code == 302
    s = domain(app, sample_id)
    assert s.measure("konzept").urgency.value == "mittel"
    assert s.measure("awareness").title == "Entwicklung eines Awareness-Konzepts"


def test_two_confirmations_of_one_preview_apply_once(app, client, sample_id):
    preview = upload(client, sample_id, edit_cells(download(client, sample_id), (2, "Dringlichkeit", "mittel")))
    assert confirm(client, sample_id, preview.text).status_code == 302
    assert confirm(client, sample_id, preview.text).status_code == 422


def test_readers_may_download_but_not_import(app, client_as, sample_id):
    with app.app_context():
        org_id = db.session.scalar(sa.select(models.Strategy.organisation_id).where(models.Strategy.id == sample_id))
    reader = client_as(roles={org_id: "lesen"})
    assert reader.get(f"/strategien/{sample_id}/massnahmenliste.xlsx").status_code == 200
    assert reader.get(f"/strategien/{sample_id}/massnahmenliste/importieren").status_code == 404
    assert "massnahmenliste/importieren" not in reader.get(f"/strategien/{sample_id}").text


def test_the_preview_notes_a_month_that_became_a_number(app, client, sample_id):
    """A typed 01.2027 that LibreOffice turned into 1.2027 is read as 01/2027, and the preview says so."""
    data = edit_cells(download(client, sample_id), (2, "Ende", 1.2027))
    preview = upload(client, sample_id, data)
    assert preview.status_code == 200, preview.text
    assert "Bitte prüfen (1)" in preview.text
    assert "Die Zahl 1,2027 wurde als 01/2027 gelesen" in preview.text


# --- the owners' e-mail addresses (issue 28, point 2) ---------------------------------------------

ADDRESSES = "E-Mail der Verantwortlichen"


def addresses_of(app) -> dict[str, str | None]:
    with app.app_context():
        return dict(db.session.execute(sa.select(models.Person.name, models.Person.email)).all())


def cells_of(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]


def test_owner_addresses_are_imported_previewed_and_kept(app, client, sample_id):
    data = edit_cells(download(client, sample_id), (2, ADDRESSES, "a.feldhues@kreis.example\nheeke@kreis.example"))
    preview = upload(client, sample_id, data)
    assert preview.status_code == 200
    assert "1 geändert, 0 neu" in preview.text
    assert ADDRESSES in preview.text and "heeke@kreis.example" in preview.text
    assert confirm(client, sample_id, preview.text).status_code == 302
    stored = addresses_of(app)
    assert stored["Annika Feldhues"] == "a.feldhues@kreis.example" and stored["Andreas Heeke"] == "heeke@kreis.example"
    # the editor's list shows them, one line per owner; the same list again changes nothing
    again = download(client, sample_id)
    sheet = load_workbook(io.BytesIO(again))[SHEET_MEASURES]
    column = HEADERS.index(ADDRESSES) + 1
    assert sheet.cell(row=1, column=column).value == ADDRESSES
    assert sheet.cell(row=2, column=column).value == "a.feldhues@kreis.example\nheeke@kreis.example"
    assert sheet.cell(row=3, column=column).value == "a.feldhues@kreis.example"  # the person's, on each measure
    assert "0 geändert, 0 neu" in upload(client, sample_id, again).text
    # an empty line keeps the stored address (as an owner without one in the strategy file)
    kept = edit_cells(again, (2, ADDRESSES, "\nneu.heeke@kreis.example"), (3, ADDRESSES, None))
    preview = upload(client, sample_id, kept)
    assert "1 geändert, 0 neu" in preview.text
    assert confirm(client, sample_id, preview.text).status_code == 302
    stored = addresses_of(app)
    assert (
        stored["Annika Feldhues"] == "a.feldhues@kreis.example" and stored["Andreas Heeke"] == "neu.heeke@kreis.example"
    )


def test_readers_list_has_no_addresses_and_a_list_without_them_keeps_them(app, client, client_as, sample_id):
    with app.app_context():
        org_id = db.session.scalar(sa.select(models.Strategy.organisation_id).where(models.Strategy.id == sample_id))
        person = db.session.scalar(sa.select(models.Person).where(models.Person.name == "Annika Feldhues"))
        person.email = "a.feldhues@kreis.example"
        db.session.commit()
    reader = client_as(roles={org_id: "lesen"})
    data = download(reader, sample_id)
    values = cells_of(data)
    assert ADDRESSES not in values and not any("a.feldhues@kreis.example" in str(v) for v in values)
    assert any("a.feldhues@kreis.example" in str(v) for v in cells_of(download(client, sample_id)))
    # the reader's list, edited and imported by an editor: the stored address stays
    headers = [c.value for c in load_workbook(io.BytesIO(data))[SHEET_MEASURES][1]]
    edited = edit_cells(data, (2, headers.index("Dringlichkeit") + 1, "mittel"))
    preview = upload(client, sample_id, edited)
    assert "1 geändert, 0 neu" in preview.text and ADDRESSES not in preview.text
    assert confirm(client, sample_id, preview.text).status_code == 302
    assert addresses_of(app)["Annika Feldhues"] == "a.feldhues@kreis.example"


def test_bad_addresses_name_row_and_column_and_change_nothing(app, client, sample_id):
    before = snapshot(app, sample_id), addresses_of(app)
    data = edit_cells(
        download(client, sample_id),
        (2, ADDRESSES, "a.feldhues@kreis.example\nheeke@kreis.example"),
        (3, ADDRESSES, "annika@anders.example"),  # one person, two addresses
        (4, ADDRESSES, "kein-at-zeichen"),
        (5, ADDRESSES, "eins@kreis.example\nzwei@kreis.example"),  # a measure without owners
    )
    response = upload(client, sample_id, data)
    assert response.status_code == 422
    html = response.text
    assert "Die Datei wurde nicht übernommen (3 Fehler)" in html
    assert (
        "Blatt „Maßnahmen“, Zeile 3, Spalte N (E-Mail der Verantwortlichen): „Annika Feldhues“ hat in Zeile 2 die "
        "Adresse „a.feldhues@kreis.example“" in html
    )
    assert "Zeile 4, Spalte N (E-Mail der Verantwortlichen): „kein-at-zeichen“ ist keine gültige E-Mail-Adresse" in html
    assert "Zeile 5, Spalte N (E-Mail der Verantwortlichen): 2 Zeilen, aber 0 Verantwortliche" in html
    assert (snapshot(app, sample_id), addresses_of(app)) == before
