"""Issue 27 as a coordinator in a real browser: the funding across the state and the Land's funds,
the Landesbericht made in the background (the job page's live region announces progress and the
download), a Landesmaßnahme's rollout per office and its own page. axe-core on every new page,
at 1280 and 320 px."""

from __future__ import annotations

import io

import docx
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
def coordinator_page(page: Page, live_app, live_server):
    live_app.config["TODAY"] = "2026-12-07"
    import_file(live_app, PEINE)
    import_file(live_app, STEINFURT)
    with live_app.app_context():
        row = land_sample.seed_sample_land(
            db.session, load_strategy(land_sample.SAMPLE_FILE.read_text(encoding="utf-8"))
        )
        db.session.commit()
        land = row.organisation_id
    user = create_user(live_app, "koordination", roles={land: "bearbeiten"})
    cookie = login(live_app.test_client(), user).get_cookie("session")
    page.goto("about:blank")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server.url}])
    return page


def _both_widths(page: Page) -> None:
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 720})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def _peine_uses_survnet(live_app) -> int:
    """Landkreis Peine records SurvNet in its application landscape now; its organisation id."""
    import sqlalchemy as sa

    from planner import models
    from planner.models import land as lm

    with live_app.app_context():
        peine = db.session.scalar(
            sa.select(models.Organisation.id).where(models.Organisation.name == "Landkreis Peine")
        )
        db.session.add(
            lm.Application(organisation_id=peine, name="SurvNet", vendor="RKI", task_area="Infektionsschutz")
        )
        db.session.commit()
    return peine


def _to_the_rounds(page: Page, live_server) -> None:
    """From the Landesebene to the state office's Erhebungsrunden, by its links."""
    page.goto(live_server.url + "/landesebene/")
    page.get_by_role("link", name="Portfolio: Landesstelle (Beispiel)").click()
    page.get_by_role("link", name="Erhebungsrunden").click()


def test_coordinator_reports_to_the_ministry(coordinator_page: Page, live_server, screenshot):
    page = coordinator_page
    page.goto(live_server.url + "/landesebene/")
    page.get_by_role("link", name="Portfolio: Landesstelle (Beispiel)").click()

    # funding across the state, against the Land's funds
    page.get_by_role("link", name="Förderaufrufe und Förderung im Land").click()
    land = page.get_by_role("region", name="Förderung im Land")
    expect(land).to_contain_text("Mittel des Landes: 65.000.000 €")
    expect(land.get_by_role("row", name="1. Förderaufruf", exact=False)).to_contain_text("1.005.706 €")
    _both_widths(page)
    screenshot("landesebene-foerderung-im-land")
    page.get_by_role("link", name="Mittel des Landes ändern").click()
    expect(page.get_by_role("heading", name="Mittel des Landes", level=1)).to_be_visible()
    page.get_by_label("Mittel des Landes (€)").fill("-1")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Die Mittel dürfen nicht negativ sein.")
    _both_widths(page)
    page.get_by_label("Mittel des Landes (€)").fill("70000000")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Mittel des Landes sind gespeichert.")).to_be_visible()
    expect(page.get_by_role("region", name="Förderung im Land")).to_contain_text("Mittel des Landes: 70.000.000 €")

    # the Landesbericht, made in the background: progress in a live region, then the download
    page.goto(live_server.url + "/landesebene/")
    page.get_by_role("link", name="Portfolio: Landesstelle (Beispiel)").click()
    page.get_by_role("link", name="Landesbericht (Word)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Landesbericht")
    expect(page.get_by_role("status").filter(has_text="Fertig")).to_be_visible(timeout=120_000)
    _both_widths(page)
    screenshot("landesbericht-fertig")
    with page.expect_download() as info:
        page.get_by_role("link", name="Landesbericht Landesstelle (Beispiel) 2026-12-07.docx herunterladen").click()
    document = docx.Document(io.BytesIO(info.value.path().read_bytes()))
    assert any(
        p.text == "Mittel des Landes: 70.000.000 € (Beispielwert: Niedersachsen, bis zu 65 Mio. € "
        "(Ministeriumsseite zum Pakt für den ÖGD)). Bewilligt über alle Aufrufe: 2.477.539 € (3,5 %); "
        "verbleibend: 67.522.461 €."
        for p in document.paragraphs
    )


def test_rollout_of_a_landesmassnahme(coordinator_page: Page, live_server, screenshot):
    page = coordinator_page
    page.goto(live_server.url + "/landesebene/")
    page.get_by_role("link", name="Portfolio: Landesstelle (Beispiel)").click()
    page.get_by_role(
        "link", name="bearbeiten (Clouddienst für den Austausch von Dateien mit schutzbedürftigen Daten)"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Einordnung und Teilnahme")
    page.get_by_label("Art der Maßnahme").select_option("bundesweite Maßnahme (ELFA)")
    page.get_by_label("Federführung").fill("NLGA")
    page.get_by_label("Stand: Landkreis Peine").select_option("im Betrieb")
    page.get_by_label("Seit: Landkreis Peine").fill("31.02.2025")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("kein gültiges Datum")
    expect(page.get_by_label("Federführung")).to_have_value("NLGA")
    _both_widths(page)
    page.get_by_label("Seit: Landkreis Peine").fill("01.03.2025")
    page.get_by_role("button", name="Speichern").click()
    section = page.get_by_role("region", name="Landesmaßnahme: Einordnung und Teilnahme")
    expect(section).to_contain_text("Art: bundesweite Maßnahme (ELFA) · Federführung: NLGA")
    expect(section.get_by_role("row", name="Landkreis Peine")).to_contain_text("im Betrieb01.03.2025")
    _both_widths(page)
    screenshot("landesmassnahme-rollout")


def test_survey_round_from_request_to_comparison(coordinator_page: Page, live_app, live_server, screenshot):
    from auth_support import create_user, login

    page = coordinator_page
    peine = _peine_uses_survnet(live_app)
    _to_the_rounds(page, live_server)
    expect(page.get_by_role("heading", name="Erhebungsrunden", level=1)).to_be_visible()
    page.get_by_label("Bezeichnung").fill("Applikationslandkarte Winter 2026")
    page.get_by_label("Frist").fill("31.11.2026")
    page.get_by_role("button", name="Runde anlegen").click()
    expect(page.get_by_role("alert")).to_contain_text("kein gültiges Datum")
    expect(page.get_by_label("Bezeichnung")).to_have_value("Applikationslandkarte Winter 2026")
    _both_widths(page)
    page.get_by_label("Frist").fill("31.01.2027")
    page.get_by_role("button", name="Runde anlegen").click()
    expect(page.get_by_role("main").get_by_role("status").last).to_contain_text("0 von 2 Ämtern haben geantwortet")
    page.get_by_role("button", name="Alle 2 offenen Ämter erinnern").click()
    expect(page.get_by_text("2 Ämter wurden erinnert")).to_be_visible()
    _both_widths(page)
    screenshot("erhebungsrunde")

    # the office sees the request and the reminder on its start page, and confirms
    office = create_user(live_app, "peine", roles={peine: "bearbeiten"})
    cookie = login(live_app.test_client(), office).get_cookie("session")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server.url}])
    page.goto(live_server.url + "/")
    request = page.get_by_role("region", name="Bitte um Aktualisierung")
    expect(request).to_contain_text("Erinnert am")
    _both_widths(page)
    request.get_by_role("button", name="Angaben sind aktuell – bestätigen").click()
    expect(page.get_by_role("region", name="Bitte um Aktualisierung")).to_contain_text("Beantwortet am")
    screenshot("erhebungsrunde-startseite")


def test_landscape_compared_at_two_dates(coordinator_page: Page, live_app, live_server, screenshot):
    """The coordinator compares the offices' application landscapes at two dates: dates in the
    wrong order get a German error at the fields and keep what was typed; the right ones show the
    application an office added in between. axe-core at 1280 and 320 px on both."""
    page = coordinator_page
    _peine_uses_survnet(live_app)
    _to_the_rounds(page, live_server)
    page.get_by_role("link", name="Applikationslandkarte im Vergleich").click()
    expect(page.get_by_role("heading", name="Applikationslandkarte im Vergleich", level=1)).to_be_visible()
    page.get_by_label("Früherer Stichtag").fill("07.12.2026")
    page.get_by_label("Späterer Stichtag").fill("31.12.2025")
    page.get_by_role("button", name="Stichtage vergleichen").click()
    expect(page.get_by_role("alert").first).to_contain_text("Der Vergleich ist so nicht möglich.")
    expect(page.get_by_label("Früherer Stichtag")).to_have_value("07.12.2026")
    expect(page.get_by_label("Späterer Stichtag")).to_have_value("31.12.2025")
    _both_widths(page)
    page.get_by_label("Früherer Stichtag").fill("31.12.2025")
    page.get_by_label("Späterer Stichtag").fill("07.12.2026")
    page.get_by_role("button", name="Stichtage vergleichen").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text(
        "31.12.2025 (0 Ämter mit Angaben) → 07.12.2026 (heute) (1 Amt mit Angaben): "
        "1 Amt hat Anwendungen hinzugefügt oder entfernt."
    )
    changed = page.get_by_role("region", name="Ämter mit Veränderungen").last  # the section and its table
    expect(changed.get_by_role("row", name="Landkreis Peine")).to_contain_text("SurvNet")
    applications = page.get_by_role("region", name="Anwendungen nach Zahl der Ämter").last
    expect(applications.get_by_role("row", name="SurvNet")).to_contain_text("+1")
    _both_widths(page)
    screenshot("landschaft-stichtage")
