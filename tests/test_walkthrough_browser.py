"""The measure owner's walk in a real browser: a save that creates a schedule conflict is flagged."""

from __future__ import annotations

import pytest
from a11y import assert_accessible
from conftest import STEINFURT, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_owner_moves_a_measure_too_early_and_sees_the_conflict(page: Page, live_server, live_app, screenshot):
    sid = import_file(live_app, STEINFURT)
    page.goto(f"{live_server.url}/strategien/{sid}/massnahmen/beschaffung-hardware")
    page.get_by_role("link", name="Bearbeiten", exact=True).click()
    page.get_by_label("Geplanter Beginn").fill("03/2023")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Maßnahme wurde gespeichert.")).to_be_visible()
    warning = page.locator(".flash-warning")
    expect(warning).to_contain_text("Zeitkonflikt im Fahrplan")
    expect(warning).to_contain_text("„Anforderungsprofile an die Arbeitsplätze“ ab (endet 04/2023)")
    expect(page.locator(".measure-conflicts")).to_contain_text("beginnt 03/2023")
    assert_accessible(page)
    screenshot("walkthrough-measure-conflict")
    page.get_by_role("link", name="Vollständigen Verlauf anzeigen").click()
    expect(page.get_by_role("heading", name="Verlauf: Maßnahme „Beschaffung Hardware“")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Zur Maßnahme").click()
    expect(page.get_by_role("heading", name="Beschaffung Hardware")).to_be_visible()
