"""Done-when journey of issue 16 (part A) in a real browser: a member of the state office opens the
portfolio, filters the offices below stage 3 in IT-Sicherheit, opens one office's Fahrplan (read
only), exports the XLSX, looks at the funding calls across offices and names the offices taking
part in a Landesmaßnahme. axe-core on every new page."""

from __future__ import annotations

import io

import openpyxl
import pytest
from a11y import assert_accessible
from auth_support import create_user, login
from conftest import PEINE, STEINFURT, import_file
from playwright.sync_api import Page, expect

from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.services import land_sample

pytestmark = pytest.mark.browser


@pytest.fixture
def state_office_page(page: Page, live_app, live_server):
    live_app.config["TODAY"] = "2026-12-01"
    import_file(live_app, PEINE)
    import_file(live_app, STEINFURT)
    with live_app.app_context():
        row = land_sample.seed_sample_land(
            db.session, load_strategy(land_sample.SAMPLE_FILE.read_text(encoding="utf-8"))
        )
        db.session.commit()
        land = row.organisation_id
    user = create_user(live_app, "landesstelle", roles={land: "bearbeiten"})
    cookie = login(live_app.test_client(), user).get_cookie("session")
    page.goto("about:blank")  # no request of the administrator's page may set its cookie again
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server.url}])
    return page


def test_state_office_journey(state_office_page: Page, live_server, screenshot):
    page = state_office_page
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Landesebene").click()
    expect(page.get_by_role("heading", name="Landesebene", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Portfolio: Landesstelle (Beispiel)").click()
    expect(page.get_by_role("heading", name="Portfolio der Gesundheitsämter", level=1)).to_be_visible()
    expect(page.get_by_role("main").get_by_role("status").first).to_contain_text("2 von 2 Ämtern")
    assert_accessible(page)
    screenshot("landesebene-portfolio")

    # offices below stage 3 in IT-Sicherheit (a GET form: the URL carries the filter)
    page.get_by_label("Unter Stufe 3 in").select_option("IT-Sicherheit")
    page.get_by_label("Dimension", exact=True).select_option("IT-Sicherheit")
    page.get_by_label("Stufe", exact=True).select_option("1")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_role("main").get_by_role("status").first).to_contain_text(
        "1 von 2 Ämtern unter Stufe 3 in IT-Sicherheit"
    )
    assert "unter=IT-Sicherheit" in page.url
    heat = page.get_by_role("region", name="Reifegrad je Amt und Dimension")
    expect(heat.get_by_role("rowheader", name="Landkreis Peine")).to_be_visible()
    expect(heat.get_by_role("rowheader", name="Gesundheitsamt Kreis Steinfurt")).to_have_count(0)
    assert_accessible(page)

    # the XLSX of the filtered portfolio
    with page.expect_download() as info:
        page.get_by_role("link", name="Als Excel (XLSX)").click()
    book = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes()))
    names = [r[0] for r in book["Ämter"].iter_rows(min_row=5, values_only=True)]
    assert names == ["Landkreis Peine"]

    # one office's Fahrplan, read only for the state office
    page.get_by_role("link", name="Fahrplan Landkreis Peine").click()
    expect(page.get_by_role("heading", name="Umsetzungsfahrplan", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Basisplan anlegen")).to_have_count(0)
    page.go_back()

    # funding calls across offices with both readings
    page.get_by_role("link", name="Förderaufrufe").first.click()
    expect(page.get_by_role("heading", name="Förderaufrufe über alle Gesundheitsämter", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Zwei Lesarten", exact=False).first).to_contain_text("6 von 8")
    assert_accessible(page)

    # a Landesmaßnahme: the offices taking part
    page.go_back()
    page.get_by_role(
        "link", name="bearbeiten (Clouddienst für den Austausch von Dateien mit schutzbedürftigen Daten)"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Einordnung und Teilnahme")
    assert_accessible(page)
    page.get_by_label("Stand: Gesundheitsamt Kreis Steinfurt").select_option("nimmt nicht teil")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Einordnung und teilnehmende Gesundheitsämter sind gespeichert.")).to_be_visible()
    page.goto(live_server.url + "/landesebene/")
    page.get_by_role("link", name="Portfolio: Landesstelle (Beispiel)").click()
    expect(page.get_by_role("region", name="Landesmaßnahmen").first).to_contain_text("1: Landkreis Peine")


def test_sorted_heat_map_column_is_marked(state_office_page: Page, live_server, screenshot):
    page = state_office_page
    page.goto(live_server.url + "/landesebene/")
    page.get_by_role("link", name="Portfolio: Landesstelle (Beispiel)").click()
    heat = page.get_by_role("region", name="Reifegrad je Amt und Dimension")
    expect(heat.locator("th[aria-sort]")).to_have_count(1)
    expect(heat.locator("th[aria-sort='ascending']")).to_contain_text("Gesundheitsamt")
    heat.get_by_role("link", name="IT-Sicherheit").click()
    sorted_column = heat.get_by_role("columnheader", name="IT-Sicherheit")
    expect(sorted_column).to_have_attribute("aria-sort", "descending")
    expect(sorted_column.locator(".sort-mark")).to_be_visible()
    expect(heat.locator("th[aria-sort]")).to_have_count(1)
    assert_accessible(page)
    screenshot("landesebene-heat-sorted")
