"""Steckbriefe in a real browser: the journey from the measure to its Steckbrief and to all
Steckbriefe of one person, axe-core on both pages, and the browser's print of the page on one A4 page."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from a11y import assert_accessible
from conftest import DATA, STEINFURT, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_measure_to_steckbrief_to_all_of_one_owner(page: Page, live_server, live_app, screenshot):
    sid = import_file(live_app, DATA / "sample.yaml")
    page.goto(f"{live_server.url}/strategien/{sid}/massnahmen/konzept")
    page.get_by_role("link", name="Steckbrief", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Entwicklung eines Schulungskonzepts")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Annika Feldhues (Lead)")).to_be_visible()
    expect(page.get_by_role("heading", name="Schnittstellen zu anderen Maßnahmen")).to_be_visible()
    screenshot("steckbriefe-page")
    assert_accessible(page)

    # the PDF downloads from the page
    with page.expect_download() as download:
        page.get_by_role("link", name="Steckbrief als PDF").click()
    assert download.value.suggested_filename == "steckbrief-konzept.pdf"

    page.get_by_role("link", name="Alle Steckbriefe von Annika Feldhues").click()
    expect(page.get_by_role("heading", name="2 Steckbriefe in der Auswahl")).to_be_visible()
    expect(page.get_by_label("Verantwortliche", exact=True)).to_have_value("Annika Feldhues")
    screenshot("steckbriefe-index-owner")
    assert_accessible(page)

    # an unknown filter value is answered in German on the same page
    page.goto(f"{live_server.url}/strategien/{sid}/steckbriefe?status=erledigt")
    expect(page.get_by_role("alert")).to_contain_text("Unbekannter Status „erledigt“")
    assert_accessible(page)

    # the filter form: choose a dimension, then download the selection as Word
    page.goto(f"{live_server.url}/strategien/{sid}/steckbriefe")
    page.get_by_label("Dimension", exact=True).select_option("IT-Sicherheit")
    page.get_by_role("button", name="Auswahl anzeigen").click()
    expect(page.get_by_role("heading", name="1 Steckbrief in der Auswahl")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Auswahl als Word-Datei").click()
    assert download.value.suggested_filename.endswith("-it-sicherheit.docx")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_browser_print_of_the_page_is_one_a4_page(page: Page, live_server, live_app, tmp_path):
    path = STEINFURT if STEINFURT.exists() else DATA / "sample.yaml"
    sid = import_file(live_app, path)
    from planner.formats.strategy_file import load_strategy

    keys = [m.key for m in load_strategy(path.read_text(encoding="utf-8")).measures]
    for key in keys:
        page.goto(f"{live_server.url}/strategien/{sid}/massnahmen/{key}/steckbrief")
        page.emulate_media(media="print")
        pdf = tmp_path / f"{key}.pdf"
        pdf.write_bytes(page.pdf(format="A4", print_background=True))
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        assert text.count("\f") == 1, key
        assert "Zum Inhalt springen" not in text and "Alle Steckbriefe von" not in text
