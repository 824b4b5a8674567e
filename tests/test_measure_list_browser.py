"""The Maßnahmenliste journey in a real browser: download, edit in openpyxl, upload, preview, confirm."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from a11y import assert_accessible
from conftest import DATA, domain, import_file
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_download_edit_upload_preview_confirm(page: Page, live_server, live_app, tmp_path, screenshot):
    sid = import_file(live_app, DATA / "sample.yaml")
    page.goto(f"{live_server.url}/strategien/{sid}")
    page.get_by_role("navigation", name="Bereiche der Strategie").get_by_role("link", name="Ausgaben").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Maßnahmenliste (Excel)").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book["Maßnahmen"]
    sheet["I2"] = "Mittel"  # Dringlichkeit, typed in another case
    sheet["Q3"] = "2024-05"  # Beginn (an editor's list: the owners' addresses in column N)
    sheet["B4"] = "Awareness-Konzept 2.0"
    bad, good = tmp_path / "fehler.xlsx", tmp_path / "liste.xlsx"
    book.save(good)
    sheet["I2"] = "Hochh"
    book.save(bad)

    page.get_by_role("navigation", name="Bereiche der Strategie").get_by_role("link", name="Maßnahmen").click()
    page.get_by_role("navigation", name="Seiten im Bereich Maßnahmen").get_by_role(
        "link", name="Maßnahmenliste importieren"
    ).click()
    page.get_by_label("Maßnahmenliste (Excel-Arbeitsmappe)").set_input_files(str(bad))
    page.get_by_role("button", name="Vorschau anzeigen").click()
    expect(page.get_by_role("alert")).to_contain_text("Blatt „Maßnahmen“, Zeile 2, Spalte I (Dringlichkeit): „Hochh“")
    assert_accessible(page)

    page.get_by_label("Maßnahmenliste (Excel-Arbeitsmappe)").set_input_files(str(good))
    page.get_by_role("button", name="Vorschau anzeigen").click()
    expect(page.get_by_text("3 geändert, 0 neu, 0 nicht mehr in der Datei")).to_be_visible()
    expect(page.get_by_role("cell", name="Awareness-Konzept 2.0")).to_be_visible()
    screenshot("measure-list-preview")
    assert_accessible(page)
    page.get_by_role("button", name="Änderungen übernehmen").click()
    expect(page.get_by_text("Die Maßnahmenliste wurde übernommen: 3 geändert, 0 neu, 0 gelöscht.")).to_be_visible()
    s = domain(live_app, sid)
    assert s.measure("konzept").urgency.value == "mittel"
    assert str(s.measure("schulungen").start) == "2024-05"
    assert s.measure("awareness").title == "Awareness-Konzept 2.0"
