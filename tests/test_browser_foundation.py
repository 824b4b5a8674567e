"""The main foundation journey in a real browser, and axe-core on every page."""

from __future__ import annotations

import re

import pytest
from a11y import assert_accessible, crawl
from conftest import DATA, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_create_measure_link_dependency_and_cycle_refused(page: Page, live_server, live_app, screenshot):
    sid = import_file(live_app, DATA / "sample.yaml")
    page.goto(f"{live_server.url}/strategien/{sid}")
    expect(page.get_by_role("heading", name="Digitalisierungsstrategie Musterstadt")).to_be_visible()

    page.get_by_role("link", name="Neue Maßnahme").click()
    page.get_by_label("Titel").fill("Einführung eines Terminkalendertools")
    page.get_by_label("Dimension", exact=True).select_option("Bürger*innenzentrierung")
    page.get_by_label("Dringlichkeit").select_option("mittel")
    page.get_by_label("Geplanter Beginn").fill("13/2024")
    page.get_by_label("Verantwortliche").fill("Annika Feldhues (Lead)\nFelix Marincel (Support)")
    page.get_by_role("button", name="Speichern").click()
    # the bad month is named, and what was typed is still there
    # (once in the error summary, which links to the field, and once beside the field)
    expect(page.get_by_role("link", name="Geplanter Beginn: „13/2024“ ist kein Monat", exact=False)).to_be_visible()
    expect(page.get_by_text("„13/2024“ ist kein Monat")).to_have_count(2)
    expect(page.get_by_label("Titel")).to_have_value("Einführung eines Terminkalendertools")
    assert_accessible(page)
    page.get_by_label("Geplanter Beginn").fill("09/2024")
    page.get_by_label("Geplantes Ende").fill("06/2025")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", name="Einführung eines Terminkalendertools")).to_be_visible()
    expect(page.get_by_text("Felix Marincel (Support)")).to_be_visible()

    # link: the calendar tool depends on the awareness concept
    page.get_by_label("Neue Abhängigkeit").select_option(label="Entwicklung eines Awareness-Konzepts")
    page.get_by_role("button", name="Abhängigkeit hinzufügen").click()
    expect(page.get_by_text("hängt jetzt von")).to_be_visible()

    # the other way round would close a cycle: refused, and the cycle is named
    page.get_by_role("link", name="Entwicklung eines Awareness-Konzepts").first.click()
    page.get_by_label("Neue Abhängigkeit").select_option(label="Einführung eines Terminkalendertools")
    page.get_by_role("button", name="Abhängigkeit hinzufügen").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Zyklus")
    expect(alert).to_contain_text("Einführung eines Terminkalendertools")
    expect(alert).to_contain_text("Entwicklung eines Awareness-Konzepts")
    screenshot("foundation-cycle-refused")
    assert_accessible(page)


def test_upload_invalid_file_names_measure_and_field(page: Page, live_server, tmp_path):
    bad = tmp_path / "kaputt.yaml"
    text = (DATA / "sample.yaml").read_text(encoding="utf-8").replace("end: 2024-06", "end: 2023-06")
    bad.write_text(text, encoding="utf-8")
    page.goto(f"{live_server.url}/strategien/importieren")
    page.get_by_label("Strategiedatei (YAML)").set_input_files(str(bad))
    page.get_by_role("button", name="Importieren").click()
    expect(page.get_by_role("alert")).to_contain_text("Maßnahme „awareness“, Feld „end“")
    assert_accessible(page)
    page.get_by_label("Strategiedatei (YAML)").set_input_files(str(DATA / "sample.yaml"))
    page.get_by_role("button", name="Importieren").click()
    expect(page.get_by_text(re.compile("mit 4 Maßnahmen wurde importiert"))).to_be_visible()


def test_every_page_passes_axe(page: Page, live_server, live_app):
    import_file(live_app, DATA / "sample.yaml")
    pages = crawl(page, live_server.url + "/")
    assert len(pages) >= 8, pages
