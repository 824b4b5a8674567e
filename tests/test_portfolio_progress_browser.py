"""Issue 27 as a coordinator in a real browser on 07.12.2026: from the portfolio to the
Handlungsbedarf, on to one office's maturity page against the Land, the trend with its chart and
tables, the readiness on the funding calls and the condensed Land landscape. axe-core on every
page, at 1280 px and at 320 px (nothing wider than the window)."""

from __future__ import annotations

import pytest
from a11y import assert_accessible, assert_fits
from auth_support import create_user, login
from conftest import PEINE, STEINFURT, import_file
from playwright.sync_api import Page, expect

from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.services import land_sample

pytestmark = pytest.mark.browser


def _check_both_widths(page: Page) -> None:
    """axe at 1280 px and at 320 px; at 320 px the page does not scroll sideways."""
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 720})
    assert_fits(page)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def coordinator(page: Page, live_app, live_server):
    live_app.config["TODAY"] = "2026-12-07"
    import_file(live_app, PEINE)
    import_file(live_app, STEINFURT)
    with live_app.app_context():
        row = land_sample.seed_sample_land(
            db.session, load_strategy(land_sample.SAMPLE_FILE.read_text(encoding="utf-8"))
        )
        db.session.commit()
        land = row.organisation_id
    user = create_user(live_app, "koordination", roles={land: "lesen"})
    cookie = login(live_app.test_client(), user).get_cookie("session")
    page.goto("about:blank")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server.url}])
    page.set_viewport_size({"width": 1280, "height": 900})
    return page, land


def test_coordinator_journey(coordinator, live_server, screenshot):
    page, land = coordinator
    page.goto(f"{live_server.url}/landesebene/{land}")
    page.get_by_role("link", name="Handlungsbedarf der Ämter").click()
    expect(page.get_by_role("heading", name="Handlungsbedarf der Ämter", level=1)).to_be_visible()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text("2 von 2 Ämtern")
    table = page.get_by_role("region", name="Ämter mit Handlungsbedarf").last
    expect(table).to_contain_text("Letzte Messung älter als 24 Monate")
    _check_both_widths(page)
    screenshot("landesebene-handlungsbedarf")

    # sort by name with the form, then filter by one reason from the reasons table
    page.get_by_label("Sortieren nach").select_option("name")
    page.get_by_role("button", name="Anzeigen").click()
    expect(table.locator("th[aria-sort='ascending']")).to_contain_text("Gesundheitsamt")
    page.get_by_role("link", name="Keine Reifegradmessung").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text("1 von 2 Ämtern mit dem Grund")
    page.goto(f"{live_server.url}/landesebene/{land}/handlungsbedarf")

    # the office's maturity page, with the Land beside it
    page.get_by_role("link", name="Landkreis Peine").first.click()
    expect(page.get_by_role("heading", name="Im Vergleich zu Landesstelle (Beispiel)")).to_be_visible()
    _check_both_widths(page)
    screenshot("reifegrad-im-vergleich-zum-land")
    page.go_back()

    # the trend: chart and one table per dimension
    page.get_by_role("link", name="Entwicklung").first.click()
    expect(page.get_by_role("heading", name="Entwicklung des Reifegrads", level=1)).to_be_visible()
    chart = page.get_by_role("img", name="Entwicklung je Dimension", exact=False)
    expect(chart).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('figure.chart img'); return i.complete && i.naturalWidth > 0; }",
        timeout=20000,
    )
    table = page.get_by_role("region", name="Werte je Dimension und Jahr")
    expect(table.get_by_role("row", name="IT-Bereitstellung", exact=False)).to_contain_text("Median 2")
    _check_both_widths(page)
    screenshot("landesebene-entwicklung")

    # readiness for the current call on the funding calls page
    page.goto(f"{live_server.url}/landesebene/{land}/foerderaufrufe")
    expect(page.get_by_role("heading", name="3. Förderaufruf", exact=False).first).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Keine Reifegradmessung erfasst: Es gibt keine Ausgangsmessung.")
    _check_both_widths(page)
    page.get_by_role("navigation", name="Förderaufrufe").get_by_role("link", name="1. Förderaufruf").click()
    expect(page.get_by_role("region", name="Zwei Lesarten", exact=False).first).to_contain_text("7 von 8")
    assert_accessible(page)


def test_office_pages_for_peines_seven_of_eight(page: Page, live_app, live_server, screenshot):
    live_app.config["TODAY"] = "2026-12-07"
    sid = import_file(live_app, PEINE)
    page.set_viewport_size({"width": 1280, "height": 900})
    # the importing administrator's session (live_server) reads the strategy
    page.goto(f"{live_server.url}/strategien/{sid}/reifegrad/foerderung?aufruf=foerderaufruf-1")
    section = page.get_by_role("region", name="Zwei Lesarten", exact=False)
    expect(section).to_contain_text("Angabe des Amts (1. Förderaufruf): 7 von 8")
    expect(section).to_contain_text("planner, Stufe der Dimension +2: 3 von 8")
    _check_both_widths(page)
    screenshot("reifegrad-foerderung-lesarten")
    page.goto(f"{live_server.url}/strategien/{sid}/reifegrad/vergleich")
    expect(page.get_by_role("region", name="Zwei Lesarten", exact=False)).to_contain_text("6 von 8")
    _check_both_widths(page)
