"""The one strategy review on Steinfurt at 30.11.2026 in a real browser, axe-core on every new page at
1280 and 320 px: prepare the review from the strategy's "Strategiereview", change two proposed
decisions (a changed one without its reason is refused first, nothing lost), finalise after the
confirmation page (which lists what it settles), print the PDF (its decisions match the page), start the Fortschreibung with no further selects, confirm the proposed dates; the new version's
Fahrplan has every carried-over measure inside its period and no conflict; the list shows one strategy."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from a11y import assert_accessible, assert_fits
from conftest import STEINFURT, domain, import_file
from playwright.sync_api import Page, expect

from planner.domain.months import Month
from planner.domain.schedule import schedule_conflicts

pytestmark = pytest.mark.browser


@pytest.fixture
def steinfurt(live_app):
    live_app.config["TODAY"] = "2026-11-30"
    return import_file(live_app, STEINFURT)


def assert_accessible_at_both_widths(page: Page, screenshot=None, name: str = "") -> None:
    """axe-core at 1280 px and at 320 px, where the page must not scroll sideways (WCAG 1.4.10);
    with `name`, a screenshot at 320 px too."""
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 720})
    try:
        assert_fits(page)
        assert_accessible(page)
        if name:
            screenshot(f"{name}-320")
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})


def test_review_meeting_to_fortschreibung(page: Page, live_server, live_app, steinfurt, screenshot):
    base = f"{live_server.url}/strategien/{steinfurt}"
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(base)
    page.get_by_role("navigation", name="Bereiche der Strategie").get_by_role("link", name="Verstetigung").click()
    page.get_by_role("navigation", name="Seiten im Bereich Verstetigung").get_by_role(
        "link", name="Strategiereview", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Strategiereview", exact=True)).to_be_visible()
    assert_accessible_at_both_widths(page)
    page.get_by_role("button", name="Review vorbereiten").click()
    expect(page.get_by_text("je Maßnahme ist eine Entscheidung vorgeschlagen")).to_be_visible()
    assert_accessible_at_both_widths(page)

    # change two proposed decisions, with notes; participants and minutes
    page.get_by_label("Teilnehmende").fill("Strategieteam, Amtsleitung, Digitalisierungsbeauftragte")
    page.get_by_label("Protokoll").fill("Kernfragen besprochen; Fortschreibung für zwei Jahre.")
    titles = {m.key: m.title for m in domain(live_app, steinfurt).measures}
    page.get_by_label(f"Entscheidung zu „{titles['whiteboard-tool']}“", exact=True).select_option("verwerfen")
    page.get_by_label(f"Entscheidung zu „{titles['chatbot']}“", exact=True).select_option("behalten")
    page.get_by_label(f"Notiz zu „{titles['chatbot']}“", exact=True).fill("Förderung beantragt")
    # a decision that differs from the proposal without its reason: refused, everything kept
    page.get_by_role("button", name="Speichern und abschließen …").click()
    expect(page.get_by_text("Die Angaben wurden nicht gespeichert.")).to_be_visible()
    expect(page.get_by_text("Bitte begründen, warum statt „anpassen“ anders entschieden wird.").first).to_be_visible()
    expect(page.get_by_label("Teilnehmende")).to_have_value("Strategieteam, Amtsleitung, Digitalisierungsbeauftragte")
    expect(page.get_by_label(f"Entscheidung zu „{titles['whiteboard-tool']}“", exact=True)).to_have_value("verwerfen")
    assert_accessible_at_both_widths(page, screenshot, "review-sitzung-fehler")
    page.get_by_label(f"Notiz zu „{titles['whiteboard-tool']}“", exact=True).fill("ersetzt durch Teams")
    screenshot("review-sitzung")
    page.get_by_role("button", name="Speichern und abschließen …").click()
    # the confirmation: a page of its own, listing what finalising settles in this version
    expect(page.get_by_role("heading", name="Strategiereview abschließen?")).to_be_visible()
    expect(page.get_by_text(f"{titles['whiteboard-tool']}: verworfen")).to_be_visible()
    screenshot("review-abschliessen")
    assert_accessible_at_both_widths(page, screenshot, "review-abschliessen")
    page.get_by_role("button", name="Ja, Review abschließen").click()
    expect(page.get_by_text("Das Strategiereview wurde abgeschlossen.")).to_be_visible()
    assert_accessible_at_both_widths(page)
    assert domain(live_app, steinfurt).measure("whiteboard-tool").status.value == "verworfen"
    rows = page.locator("#entscheidungen tbody tr")
    on_page = {
        rows.nth(i).locator("th").inner_text(): (
            rows.nth(i).locator("td").nth(0).inner_text(),
            rows.nth(i).locator("td").nth(1).inner_text(),
        )
        for i in range(rows.count())
    }
    assert on_page[titles["chatbot"]] == ("behalten", "Förderung beantragt")
    assert on_page[titles["whiteboard-tool"]] == ("verwerfen", "ersetzt durch Teams")

    # the PDF prints exactly these decisions
    with page.expect_download() as dl:
        page.get_by_role("link", name="Review als PDF herunterladen").click()
    data = Path(dl.value.path()).read_bytes()
    raw = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    text = "".join(raw.split())  # cells wrap: compare without white space
    for title, (decision, note) in on_page.items():
        assert "".join(f"{title}{decision}{note}".split()) in text, title

    # the Fortschreibung: nothing to select, confirm the proposed dates
    page.get_by_role("link", name="Fortschreibung beginnen").click()
    expect(page.get_by_label("Bezeichnung der neuen Version")).to_have_value("Fortschreibung 12/2026")
    expect(page.get_by_label("Beginn des Zeitraums")).to_have_value("12/2026")
    expect(page.get_by_label("Ende des Zeitraums")).to_have_value("11/2028")
    assert page.locator("select").count() == 0
    assert_accessible(page)
    page.get_by_role("button", name="Termine vorschlagen").click()
    expect(page.get_by_role("heading", name="Vorschau: jede Maßnahme", exact=False)).to_be_visible()
    screenshot("review-fortschreibung-termine")
    assert_accessible(page)
    page.get_by_role("button", name="Termine bestätigen und neue Version anlegen").click()
    expect(page.get_by_text("wurde angelegt")).to_be_visible()
    new_id = int(page.url.rstrip("/").split("/")[-1])

    new = domain(live_app, new_id)
    carried = [m for m in new.measures if m.status.value not in ("backlog", "verworfen", "abgeschlossen")]
    assert carried
    for m in carried:
        assert m.start is not None, m.key
        assert Month(2026, 12) <= m.start and (m.end or m.start) <= Month(2028, 11), m.key
    assert schedule_conflicts(new.measures) == []
    page.get_by_role("link", name="Fahrplan", exact=True).first.click()
    screenshot("review-neue-version-fahrplan")

    # the list: one strategy, its earlier version folded beneath
    page.goto(f"{live_server.url}/strategien")
    expect(page.get_by_text("1 frühere Version")).to_be_visible()
    assert page.locator(f'a[href="/strategien/{new_id}"]').count() == 1
    page.get_by_text("1 frühere Version").click()
    assert_accessible(page)
    page.locator(f'a[href="/strategien/{steinfurt}"]').first.click()
    expect(page.get_by_text("Abgelöst durch")).to_be_visible()
