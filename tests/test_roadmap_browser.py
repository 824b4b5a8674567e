"""Roadmap pages in a real browser: screenshots to look at, axe-core on every page, and the
baseline and proposal journeys as a user clicks them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from a11y import assert_accessible
from conftest import DATA, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def sample(live_app):
    # before the first planned start: the proposal holds nothing back for being in the past
    live_app.config["TODAY"] = date(2024, 1, 15)
    return import_file(live_app, DATA / "sample.yaml")


def test_roadmap_pages_pass_axe_and_are_photographed(page: Page, live_server, sample, screenshot):
    base = f"{live_server.url}/strategien/{sample}"
    for path, name, heading in (
        ("fahrplan", "roadmap-fahrplan", "Umsetzungsfahrplan"),
        ("backlog", "roadmap-backlog", "Maßnahmen-Backlog"),
        ("bewertung", "roadmap-bewertung", "Maßnahmenbewertung"),
        ("abhaengigkeiten?massnahme=konzept&monate=3", "roadmap-abhaengigkeiten", "Abhängigkeiten"),
        ("planungsvorschlag", "roadmap-vorschlag", "Planungsvorschlag"),
    ):
        page.goto(f"{base}/{path}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        # the chart images load (an <img> that failed has naturalWidth 0)
        for img in page.locator("img.chart-img").all():
            expect(img).to_be_visible()
            assert img.evaluate("i => i.complete && i.naturalWidth > 0"), path
        screenshot(name)
        assert_accessible(page)


def test_freeze_baseline_then_take_over_proposal(page: Page, live_server, sample, screenshot):
    base = f"{live_server.url}/strategien/{sample}"
    page.goto(f"{base}/fahrplan")
    page.get_by_label("Name des Basisplans").fill("Basisplan 2024")
    page.get_by_role("button", name="Basisplan anlegen").click()
    expect(page.get_by_text("Der Basisplan „Basisplan 2024“ wurde angelegt.")).to_be_visible()
    expect(page.get_by_text("Nichts hat sich verschoben")).to_be_visible()

    page.get_by_role("link", name="Planungsvorschlag", exact=True).click()
    expect(page.get_by_text("1 Maßnahme bekommt neue Termine.")).to_be_visible()
    page.get_by_role("button", name="Neue Termine für Entwicklung eines Awareness-Konzepts übernehmen").click()
    expect(
        page.get_by_text("Die neuen Termine für „Entwicklung eines Awareness-Konzepts“ wurden übernommen.")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Fahrplan", exact=True).first.click()
    expect(page.get_by_text("Keine Zeitkonflikte: Jede Maßnahme")).to_be_visible()
    page.get_by_label("Basisplan im Hintergrund zeigen").select_option(label="Basisplan 2024")
    page.get_by_label("Abhängigkeiten als Pfeile einzeichnen").check()
    page.get_by_role("button", name="Anzeigen").click()
    changes = page.locator("table", has_text="im Basisplan")
    expect(changes).to_contain_text("Beginn 2 Monate später, Ende 2 Monate später")
    chart = page.locator("img.chart-img")
    expect(chart).to_be_visible()
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    assert chart.evaluate("i => i.naturalWidth > 0"), "the Fahrplan with its baseline bars did not load"
    screenshot("roadmap-fahrplan-basisplan")
    assert_accessible(page)


def test_steinfurt_conflicts_resolved_by_taking_over_the_proposal(page: Page, live_server, live_app, screenshot):
    from conftest import STEINFURT

    if not STEINFURT.exists():
        pytest.skip("strategies/steinfurt-2023.yaml is not there yet")
    # the month of the first planned start (Inventur Hardware 11/2022): nothing is held back by today
    live_app.config["TODAY"] = date(2022, 11, 15)
    sid = import_file(live_app, STEINFURT)
    base = f"{live_server.url}/strategien/{sid}"
    page.goto(f"{base}/fahrplan")
    conflicts = page.locator("section", has=page.get_by_role("heading", name="Zeitkonflikte"))
    expect(conflicts.locator("tbody tr")).to_have_count(7)
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    screenshot("roadmap-steinfurt-fahrplan")
    assert_accessible(page)
    for path in ("backlog", "bewertung", "abhaengigkeiten?massnahme=dokumentationskonzept&monate=2"):
        page.goto(f"{base}/{path}")
        page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        screenshot(f"roadmap-steinfurt-{path.split('?')[0]}")
        assert_accessible(page)
    page.goto(f"{base}/fahrplan")
    page.get_by_label("Name des Basisplans").fill("Basisplan 2023")
    page.get_by_role("button", name="Basisplan anlegen").click()
    expect(page.get_by_text("Der Basisplan „Basisplan 2023“ wurde angelegt.")).to_be_visible()

    # a wrong month is refused in German, the input kept
    page.goto(f"{base}/planungsvorschlag?modus=frueh&ab=13%2F2023")
    expect(page.get_by_text("„13/2023“ ist kein Monat")).to_have_count(2)  # in the error summary and beside the field
    expect(page.get_by_label("Frühestens ab (MM/JJJJ, optional)")).to_have_value("13/2023")
    assert_accessible(page)

    page.get_by_role("link", name="Planungsvorschlag", exact=True).click()
    expect(page.get_by_text("4 Maßnahmen bekommen neue Termine.")).to_be_visible()
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    screenshot("roadmap-steinfurt-vorschlag")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Alle .*übernehmen")).click()
    expect(page.get_by_text("Der Vorschlag wurde übernommen: 4 Maßnahmen haben neue Termine.")).to_be_visible()

    page.get_by_role("link", name="Fahrplan", exact=True).first.click()
    expect(page.get_by_text("Keine Zeitkonflikte: Jede Maßnahme")).to_be_visible()
    page.get_by_label("Basisplan im Hintergrund zeigen").select_option(label="Basisplan 2023")
    page.get_by_role("button", name="Anzeigen").click()
    moved = page.locator("table", has_text="im Basisplan")
    expect(moved.locator("tbody tr")).to_have_count(4)
    expect(moved).to_contain_text("Regelmäßige Evaluation der Prozessmodellierung")
    expect(moved).to_contain_text("Beginn 18 Monate später, Ende 18 Monate später")
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    screenshot("roadmap-steinfurt-basisplan")
    assert_accessible(page)
