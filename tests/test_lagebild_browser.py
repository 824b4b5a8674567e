"""Done-when journey of issue 13 in a real browser (fixed today 30.11.2026, Kreis Steinfurt): the start
page lists the overdue measures; a Statusabfrage closes three of them in one save; their badges, the
Fahrplan and the evaluation calendar change ("Status klären" becomes due). The Bewertungsworkshop fills
the matrix. At a today inside the plan period nothing is overdue. axe-core on every new page; no console
error and no failed request on the main pages."""

from __future__ import annotations

import re

import pytest
from a11y import assert_accessible, settled
from conftest import STEINFURT, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

CLOSED = ("Inventur Hardware", "Beschaffung Hardware", "Entwicklung eines Schulungskonzepts")


@pytest.fixture
def steinfurt(live_app):
    live_app.config["TODAY"] = "2026-11-30"
    return import_file(live_app, STEINFURT)


def _link(page: Page, title: str):
    """A measure's link; the Fahrplan marks measures of the second evaluation loop with '*'."""
    return page.get_by_role("link", name=re.compile(rf"^\*?{re.escape(title)}$"))


def _row(page: Page, title: str, within=None):
    """The table row whose row header is the measure (other rows may link to it as a dependency)."""
    header = page.locator("th[scope=row]").filter(has=_link(page, title))
    return (within or page).locator("tr").filter(has=header)


def test_status_round_journey(page: Page, live_server, steinfurt, screenshot):
    base = f"{live_server.url}/strategien/{steinfurt}"
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Handlungsbedarf", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Maßnahmen aktualisieren (18)")).to_be_visible()
    expect(_row(page, "Inventur Hardware")).to_contain_text("Abschluss überfällig seit 44 Monaten")
    screenshot("handbuch-start", full_page=False)
    assert_accessible(page)

    # before: the calendar waits for the status of the three measures
    page.goto(f"{base}/evaluationen")
    klaeren = page.locator("section[aria-labelledby='klaeren-h']")
    for title in CLOSED:
        expect(klaeren.get_by_role("link", name=title, exact=True)).to_be_visible()

    # the status round: three measures closed in one save
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Statusabfrage für alle Maßnahmen").click()
    expect(page.get_by_role("heading", name="Statusabfrage", level=1)).to_be_visible()
    assert_accessible(page)
    for title in CLOSED:
        page.get_by_label(f"Status: {title}", exact=True).select_option("abgeschlossen")
        page.get_by_label(f"Tatsächliches Ende: {title}", exact=True).fill("10/2026")
    page.get_by_label("Stand: Inventur Hardware", exact=True).fill("Inventur im Oktober abgeschlossen")
    screenshot("handbuch-statusabfrage", full_page=False)
    page.get_by_role("button", name="Alle Änderungen speichern").click()
    expect(page.get_by_text("Die Statusabfrage wurde gespeichert: 3 Maßnahmen aktualisiert.")).to_be_visible()
    expect(_row(page, "Inventur Hardware")).to_contain_text("abgeschlossen, 43 Monate später")
    expect(_row(page, "Inventur Hardware")).to_contain_text("zuletzt 30.11.2026: Inventur im Oktober abgeschlossen")

    # the start page: three fewer to update
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Maßnahmen aktualisieren (15)")).to_be_visible()
    for title in CLOSED:
        expect(page.locator("section.lagebild table").first.get_by_role("link", name=title, exact=True)).to_have_count(
            0
        )
    screenshot("lagebild-start-nach-statusabfrage")

    # the measure page and the Fahrplan table show the new state
    page.goto(f"{base}/massnahmen/inventur-hardware")
    expect(page.get_by_text("abgeschlossen, 43 Monate später").first).to_be_visible()
    page.goto(f"{base}/fahrplan")
    for title in CLOSED:
        expect(_row(page, title)).to_contain_text("abgeschlossen")
    expect(_row(page, "Prozessoptimierung in Workshops")).to_contain_text("Abschluss überfällig")
    png = page.request.get(f"{base}/fahrplan.png")
    assert png.ok and png.headers["content-type"] == "image/png"

    # the calendar: their process evaluation is now due (this month), no longer "Status klären"
    page.goto(f"{base}/evaluationen")
    klaeren = page.locator("section[aria-labelledby='klaeren-h']")
    for title in CLOSED:
        expect(klaeren.get_by_role("link", name=title, exact=True)).to_have_count(0)
    soon = page.locator("section[aria-labelledby='demnaechst-h']")
    for title in CLOSED:
        row = _row(page, title, soon).first
        expect(row).to_contain_text("11/2026")
        expect(row).to_contain_text("Prozessevaluation")
    screenshot("handbuch-evaluation", full_page=False)

    # the printable page
    page.goto(f"{base}/statusabfrage/druck")
    expect(page.get_by_role("heading", name="Statusabfrage")).to_be_visible()
    assert_accessible(page)


def test_rating_workshop_fills_the_matrix(page: Page, live_server, steinfurt, screenshot):
    base = f"{live_server.url}/strategien/{steinfurt}"
    page.goto(f"{base}/bewertung")
    expect(page.get_by_text(re.compile("unbekannt", re.I)).first).to_be_visible()
    page.goto(f"{base}/bewertungsworkshop")
    expect(page.get_by_role("heading", name="Bewertungsworkshop")).to_be_visible()
    assert_accessible(page)
    # keyboard only: focus the first Machbarkeit, type a letter; Tab passes the next row's title link
    # and Dringlichkeit to its Machbarkeit
    first = page.get_by_label("Machbarkeit: Hinzuziehen einer externen Moderation", exact=True)
    first.focus()
    for _ in range(25):
        page.keyboard.press("h")
        for _ in range(3):
            page.keyboard.press("Tab")
    expect(first).to_have_value("hoch")
    expect(page.locator("select[id$='-feasibility']").last).to_have_value("hoch")
    expect(page.locator("select[id$='-urgency']").last).not_to_have_value("hoch")  # Tab skipped it
    screenshot("handbuch-bewertungsworkshop", full_page=False)
    page.get_by_role("button", name="Bewertung speichern und Matrix zeigen").click()
    expect(page).to_have_url(re.compile(r"/bewertung$"))
    expect(page.get_by_text("Die Bewertung wurde gespeichert: 25 Maßnahmen geändert.")).to_be_visible()
    assert_accessible(page)


def test_status_round_errors_lead_to_the_faulty_row(page: Page, live_server, steinfurt, screenshot):
    page.goto(f"{live_server.url}/strategien/{steinfurt}/statusabfrage")
    start = page.locator("input[id$='-actual_start']").first
    start.fill("13/2023")
    field_id = start.get_attribute("id")
    page.get_by_role("button", name="Alle Änderungen speichern").click()
    # like every other form: the summary takes the focus, the title says so, a link leads to the field
    summary = page.get_by_role("alert").filter(has_text="Die Statusabfrage wurde nicht gespeichert")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Fehler: Statusabfrage"))
    page.keyboard.press("Tab")
    link = summary.get_by_role("link", name=re.compile(r"^Tatsächlicher Beginn: .+: "))
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    faulty = page.locator(f"#{field_id}")
    expect(faulty).to_be_focused()
    expect(faulty).to_have_value("13/2023")
    expect(faulty).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    screenshot("statusabfrage-fehler", full_page=False)


def test_workshop_letters_keep_a_value_they_match(page: Page, live_server, steinfurt):
    page.goto(f"{live_server.url}/strategien/{steinfurt}/bewertungsworkshop")
    selects = page.locator("select[id$='-urgency'], select[id$='-feasibility']")
    first, second, third = selects.nth(0), selects.nth(1), selects.nth(2)
    first.select_option("mittel")
    second.select_option("gering")
    third.select_option("mittel/hoch")
    first.focus()
    # one letter per field, Tab to the next field of the row (urgency → feasibility → next row's link)
    page.keyboard.press("m")
    page.keyboard.press("Tab")
    page.keyboard.press("g")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("m")
    expect(first).to_have_value("mittel")
    expect(second).to_have_value("gering")
    expect(third).to_have_value("mittel/hoch")
    # a letter that the value does not start with chooses the first value with it
    page.keyboard.press("h")
    expect(third).to_have_value("hoch")
    page.keyboard.press("g")
    expect(third).to_have_value("gering")

    # two passes over the table with the same letters: the second changes nothing
    def one_pass() -> list[str]:
        selects.first.focus()
        count = selects.count()
        for i in range(count):
            page.keyboard.press("mgh"[i % 3])
            page.keyboard.press("Tab")
            if i % 2:
                page.keyboard.press("Tab")  # the next row's title link
        return [selects.nth(i).input_value() for i in range(count)]

    after_first = one_pass()
    assert set(after_first) == {"mittel", "gering", "hoch"}, after_first
    assert one_pass() == after_first
    assert_accessible(page)


def test_inside_the_plan_period_nothing_is_overdue(page: Page, live_server, live_app, screenshot):
    live_app.config["TODAY"] = "2022-11-15"
    sid = import_file(live_app, STEINFURT)
    page.goto(live_server.url + "/")
    section = page.locator(f"section[aria-labelledby='hb-{sid}']")
    expect(section).to_be_visible()
    expect(section.get_by_role("heading", name=re.compile("Maßnahmen aktualisieren"))).to_have_count(0)
    expect(section).not_to_contain_text("überfällig")
    screenshot("lagebild-start-im-plan", full_page=False)
    assert_accessible(page)


def test_no_console_error_or_failed_request_on_the_main_pages(page: Page, live_server, steinfurt):
    """Every page of the main journeys, one per shape: no error in the console, no answer >= 400."""
    from urllib.parse import urljoin, urlparse

    from a11y import DOWNLOAD, _shape

    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    # a request the next navigation cancels (net::ERR_ABORTED, e.g. the favicon) did not fail
    page.on(
        "requestfailed",
        lambda r: errors.append(f"failed {r.url}: {r.failure}") if "ERR_ABORTED" not in (r.failure or "") else None,
    )
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    seen, shapes, visited = set(), set(), []
    queue = [live_server.url + "/", f"{live_server.url}/strategien/{steinfurt}/statusabfrage"]
    while queue and len(visited) < 60:
        url = queue.pop(0).split("#")[0]
        path = urlparse(url).path
        if url in seen or urlparse(url).netloc != urlparse(live_server.url).netloc or DOWNLOAD.search(path):
            continue
        seen.add(url)
        if _shape(path) in shapes or "abmelden" in path or "loeschen" in path or "anonymisieren" in path:
            continue
        shapes.add(_shape(path))
        response = page.goto(url)
        page.wait_for_load_state("load")
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited.append(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            if href and not href.startswith(("mailto:", "javascript:")):
                queue.append(urljoin(url, href))
    assert len(visited) >= 25, visited
    assert errors == [], errors
    icon = page.request.get(live_server.url + "/favicon.ico")
    assert icon.ok and icon.headers["content-type"] == "image/vnd.microsoft.icon"


def test_help_persons_and_verlauf_pages_pass_axe(page: Page, live_server, live_app, steinfurt, screenshot):
    """The user guide (from the app's help link, with its screenshots), the persons' pages, the Verlauf."""
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Hilfe").click()
    expect(page.get_by_role("heading", name="Handbuch", level=1)).to_be_visible()
    image = page.get_by_role("img", name="Startseite Handlungsbedarf am 30.11.2026")
    expect(image).to_be_visible()
    settled(page)  # the link's click returns before the screenshots have loaded
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) > 0
    page.get_by_role("link", name="Statusabfrage: den Stand aller Maßnahmen erfassen").click()
    expect(page).to_have_url(
        re.compile(
            "#statusabfrage-den-stand-aller-ma%C3%9Fnahmen-erfassen$|#statusabfrage-den-stand-aller-maßnahmen-erfassen$"
        )
    )
    assert_accessible(page)

    from planner import models
    from planner.extensions import db

    with live_app.app_context():
        org = db.session.get(models.Strategy, steinfurt).organisation_id
    page.goto(f"{live_server.url}/verwaltung/organisationen/{org}")
    expect(page.get_by_text("Mögliche Dubletten")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="zusammenführen („IT“ mit „IT-Service“)").click()
    expect(page.get_by_role("heading", name="„IT“ zusammenführen")).to_be_visible()
    expect(page.get_by_label("Zusammenführen mit")).to_have_value(re.compile(r"\d+"))
    assert_accessible(page)
    page.get_by_role("button", name="Zusammenführen").click()
    expect(page.get_by_text("„IT“ wurde mit „IT-Service“ zusammengeführt")).to_be_visible()
    page.get_by_role("link", name="Bearbeiten (IT-Service)", exact=True).click()
    expect(page.get_by_label("Art")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/verwaltung/verlauf/strategies/{steinfurt}")
    expect(page.get_by_text("importiert (")).to_be_visible()
    page.get_by_label("von (TT.MM.JJJJ)").fill("gestern")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_text("„gestern“ ist kein Datum")).to_be_visible()
    screenshot("verlauf")
    assert_accessible(page)
