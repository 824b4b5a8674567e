"""The schedule state in a real browser at a fixed today (issue 13): Steinfurt on 30.11.2026 reads
"Abschluss überfällig" wherever a measure appears, the Fahrplan reaches today, the calendar asks
to clear the status; recording one measure as finished changes its badge and turns its waiting
evaluation into a due one. Inside the plan period nothing has passed its planned end."""

from __future__ import annotations

import pytest
from a11y import assert_accessible
from conftest import STEINFURT, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _images_loaded(page: Page) -> None:
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)", timeout=20_000)


def test_steinfurt_on_30_11_2026_shows_what_is_overdue(page: Page, live_server, live_app, screenshot):
    live_app.config["TODAY"] = "2026-11-30"
    sid = import_file(live_app, STEINFURT)
    base = f"{live_server.url}/strategien/{sid}"

    # the strategy overview: a badge per measure, filterable
    page.goto(base)
    overdue = page.locator('[data-state="abschluss_ueberfaellig"]')
    expect(overdue).to_have_count(17)
    expect(page.get_by_text("Abschluss überfällig seit 43 Monaten").first).to_be_visible()
    page.get_by_label("Zeitstand").select_option("beginn_ueberfaellig")
    page.get_by_role("button", name="Filtern").click()
    expect(page.locator('[data-state="beginn_ueberfaellig"]')).to_have_count(1)
    expect(page.get_by_role("link", name="Nichttechnische und technische Schulungen")).to_be_visible()
    screenshot("schedule-uebersicht-2026-11-30")
    assert_accessible(page)

    # the Fahrplan reaches today; its text alternative is collapsed but there
    page.goto(f"{base}/fahrplan")
    _images_loaded(page)
    expect(page.locator(".page-head .meta")).to_contain_text("dargestellt 10/2022 – 12/2026")
    summary = page.get_by_text("Beschreibung des Diagramms als Text")
    expect(summary).to_be_visible()
    expect(page.locator("#fahrplan-beschreibung")).to_be_hidden()
    summary.click()
    expect(page.locator("#fahrplan-beschreibung")).to_contain_text("Balken bis heute verlängert")
    expect(page.locator("table.roadmap-table [data-state='abschluss_ueberfaellig']")).to_have_count(17)
    screenshot("schedule-fahrplan-2026-11-30")
    assert_accessible(page)

    # the calendar: the status of 19 measures is to be cleared; only the strategy review is overdue
    page.goto(f"{base}/evaluationen")
    expect(page.get_by_role("heading", name="Status klären (19 Maßnahmen)")).to_be_visible()
    expect(page.get_by_role("heading", name="Überfällig (1)")).to_be_visible()
    screenshot("schedule-kalender-2026-11-30")
    assert_accessible(page)

    # record "Kommunikationskonzept" as finished in 11/2026 from the calendar's link
    row = page.locator("tr", has=page.get_by_role("link", name="Entwicklung eines Kommunikationskonzepts", exact=True))
    row.get_by_role("link", name="Stand erfassen").click()
    page.get_by_label("Status", exact=True).select_option("abgeschlossen")
    page.get_by_label("Tatsächliches Ende").fill("11/2026")
    page.get_by_label("Erfasst von").fill("Strategieteam")
    page.get_by_role("button", name="Stand speichern").click()
    expect(page.get_by_text("Der Stand wurde gespeichert.")).to_be_visible()
    assert_accessible(page)

    # its badge, the Fahrplan and the calendar change accordingly
    page.goto(f"{base}/massnahmen/kommunikationskonzept")
    expect(page.locator(".page-head [data-state='abgeschlossen']")).to_contain_text("abgeschlossen, 43 Monate später")
    page.goto(base)
    expect(page.locator('[data-state="abschluss_ueberfaellig"]')).to_have_count(16)
    page.goto(f"{base}/fahrplan")
    expect(page.locator("table.roadmap-table [data-state='abschluss_ueberfaellig']")).to_have_count(16)
    page.goto(f"{base}/evaluationen")
    expect(page.get_by_role("heading", name="Status klären (18 Maßnahmen)")).to_be_visible()
    # the process evaluation the month after the actual end (12/2026) is due soon, beside the
    # strategy's second review (03/2027); it ran 01/2023–11/2026, so its yearly ones are overdue now
    soon = page.locator("section", has=page.get_by_role("heading", name="In den nächsten sechs Monaten fällig (2)"))
    expect(soon.locator("tr", has_text="12/2026")).to_contain_text("Entwicklung eines Kommunikationskonzepts")
    expect(page.get_by_role("heading", name="Überfällig (4)")).to_be_visible()
    assert_accessible(page)


def test_steinfurt_inside_the_plan_period_has_nothing_past_its_end(page: Page, live_server, live_app, screenshot):
    live_app.config["TODAY"] = "2023-02-15"
    sid = import_file(live_app, STEINFURT)
    base = f"{live_server.url}/strategien/{sid}"
    page.goto(base)
    expect(page.locator('[data-state="geplant"]')).to_have_count(11)
    expect(page.get_by_text("Abschluss überfällig")).to_have_count(0)
    # measures planned from 01/2023 (Inventur from 11/2022) and not marked as begun: their start is overdue
    expect(page.locator('[data-state="beginn_ueberfaellig"]')).to_have_count(7)
    assert_accessible(page)
    page.goto(f"{base}/fahrplan")
    _images_loaded(page)
    expect(page.locator("table.roadmap-table").get_by_text("Abschluss überfällig")).to_have_count(0)
    page.goto(f"{base}/evaluationen")
    expect(page.get_by_role("heading", name="Überfällig (0)")).to_be_visible()
    screenshot("schedule-kalender-2023-02-15")
    assert_accessible(page)
