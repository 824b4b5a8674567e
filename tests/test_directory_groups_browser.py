"""In a real browser: Verwaltung › Verzeichnisgruppen, adding, refusing and removing a mapping, with axe."""

from __future__ import annotations

import pytest
from a11y import assert_accessible, assert_fits
from conftest import DATA, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_add_and_remove_a_directory_group(page: Page, live_server, live_app, screenshot):
    import_file(live_app, DATA / "sample.yaml")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Verwaltung").click()
    page.get_by_role("link", name="Verzeichnisgruppen").click()
    expect(page.get_by_role("heading", name="Verzeichnisgruppen und Rollen")).to_be_visible()
    expect(page.get_by_text("nicht eingerichtet")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Verzeichnisgruppe (DN)").fill("GA-Strategie")
    page.get_by_role("button", name="Zuordnung anlegen").click()
    expect(page.get_by_text("Das ist kein DN")).to_be_visible()
    expect(page.get_by_label("Verzeichnisgruppe (DN)")).to_have_value("GA-Strategie")
    assert_accessible(page)

    page.get_by_label("Verzeichnisgruppe (DN)").fill("CN=GA-Strategie,OU=Gruppen,DC=kreis,DC=de")
    page.get_by_label("Organisation", exact=True).select_option(label="Gesundheitsamt Musterstadt")
    page.get_by_label("Rolle", exact=True).select_option("bearbeiten")
    page.get_by_role("button", name="Zuordnung anlegen").click()
    expect(page.get_by_text("Die Zuordnung wurde angelegt.")).to_be_visible()
    expect(page.get_by_role("cell", name="CN=GA-Strategie,OU=Gruppen,DC=kreis,DC=de", exact=True)).to_be_visible()
    assert_accessible(page)
    screenshot("directory-groups")

    page.get_by_label("Rolle für CN=GA-Strategie").select_option("verwalten")
    page.get_by_role("button", name="Ändern").click()
    expect(page.get_by_text("Die Rolle wurde geändert.")).to_be_visible()
    expect(page.get_by_label("Rolle für CN=GA-Strategie")).to_have_value("verwalten")
    # reflow at 320 px with a long DN in the table: the table scrolls in its region, the page does not
    page.set_viewport_size({"width": 320, "height": 720})
    assert_fits(page)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("button", name="Entfernen").click()
    expect(page.get_by_text("Die Zuordnung wurde entfernt.")).to_be_visible()
    expect(page.get_by_text("Noch keine Zuordnung")).to_be_visible()
    assert_accessible(page)
