"""The strategy's navigation in a real browser (issue 24, point 7), Kreis Steinfurt on 07.12.2026:
the groups and a group's own pages at 1280 and 320 px (usable at 320 px: every entry visible and
reachable, nothing wider than the window), the plan-period notice with its way to the review, the
Ausgaben page; axe-core on every page."""

from __future__ import annotations

import pytest
from a11y import assert_accessible, assert_fits
from conftest import STEINFURT, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

GROUPS = ["Überblick", "Maßnahmen", "Fahrplan", "Reifegrad", "Verstetigung", "Ausgaben"]


@pytest.fixture
def steinfurt(live_app):
    live_app.config["TODAY"] = "2026-12-07"
    return import_file(live_app, STEINFURT)


@pytest.mark.parametrize("width", [1280, 320])
def test_the_strategy_navigation_at_1280_and_320_px(page: Page, live_server, steinfurt, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    base = f"{live_server.url}/strategien/{steinfurt}"
    page.goto(base)
    groups = page.get_by_role("navigation", name="Bereiche der Strategie")
    links = groups.get_by_role("link")
    expect(links).to_have_text(GROUPS)
    for i in range(len(GROUPS)):
        expect(links.nth(i)).to_be_visible()
    expect(groups.get_by_role("link", name="Überblick")).to_have_attribute("aria-current", "page")
    notice = page.get_by_role("note").filter(has_text="Planungszeitraum seit 12/2024 abgelaufen")
    expect(notice).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
    screenshot(f"navigation-ueberblick-{width}", full_page=False)

    # a group opens on its first page; its own pages are a list of their own
    groups.get_by_role("link", name="Fahrplan").click()
    expect(page.get_by_role("heading", name="Umsetzungsfahrplan", level=1)).to_be_visible()
    pages = page.get_by_role("navigation", name="Seiten im Bereich Fahrplan")
    expect(pages.get_by_role("link")).to_have_text(
        ["Fahrplan", "Backlog", "Bewertung", "Abhängigkeiten", "Planungsvorschlag"]
    )
    pages.get_by_role("link", name="Abhängigkeiten").click()
    groups = page.get_by_role("navigation", name="Bereiche der Strategie")
    expect(groups.get_by_role("link", name="Fahrplan")).to_have_attribute("aria-current", "true")
    pages = page.get_by_role("navigation", name="Seiten im Bereich Fahrplan")
    expect(pages.get_by_role("link", name="Abhängigkeiten")).to_have_attribute("aria-current", "page")
    assert_fits(page)
    assert_accessible(page)
    screenshot(f"navigation-abhaengigkeiten-{width}", full_page=False)

    # the menu works with the keyboard alone: Tab reaches every group
    page.goto(base)
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "(() => { const a = document.activeElement;"
            " return a && a.closest('nav[aria-label=\"Bereiche der Strategie\"]') ? a.textContent.trim() : null })()"
        )
        if label:
            reached.append(label)
        if len(reached) == len(GROUPS):
            break
    assert reached == GROUPS

    # Verstetigung holds the evaluations, the reviews and the versions
    page.get_by_role("navigation", name="Bereiche der Strategie").get_by_role("link", name="Verstetigung").click()
    pages = page.get_by_role("navigation", name="Seiten im Bereich Verstetigung")
    pages.get_by_role("link", name="Versionen").click()
    expect(
        page.get_by_role("navigation", name="Bereiche der Strategie").get_by_role("link", name="Verstetigung")
    ).to_have_attribute("aria-current", "true")
    assert_accessible(page)

    # the Ausgaben page: every file, by kind
    page.get_by_role("navigation", name="Bereiche der Strategie").get_by_role("link", name="Ausgaben").click()
    expect(page.get_by_role("heading", name="Ausgaben", level=1)).to_be_visible()
    for kind in ("PDF", "Word", "Excel", "MS Project", "Kalender"):
        expect(page.get_by_role("heading", name=kind, exact=True, level=2)).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
    screenshot(f"navigation-ausgaben-{width}", full_page=True)

    # the notice leads to the review
    page.goto(base)
    page.get_by_role("note").filter(has_text="Planungszeitraum").get_by_role("link").click()
    expect(page).to_have_url(f"{base}/strategiereviews")
    expect(
        page.get_by_role("navigation", name="Bereiche der Strategie").get_by_role("link", name="Verstetigung")
    ).to_have_attribute("aria-current", "true")
