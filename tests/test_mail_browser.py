"""In a real browser (issue 28): the lead starts a Statusabfrage for Steinfurt with mail, the owner
answers through the link taken from the mail the SMTP server received, the round shows the answer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from a11y import assert_accessible, assert_fits
from auth_support import login_page
from conftest import STEINFURT, import_file
from mail_support import links_in, mail_config, smtp_server  # noqa: F401 (fixture)
from playwright.sync_api import Page, expect

from planner import models
from planner.extensions import db

pytestmark = pytest.mark.browser


def test_status_request_by_mail_journey(page: Page, live_server, live_app, smtp_server, screenshot, caplog):
    inbox, port = smtp_server
    live_app.config.update(mail_config(port, base=live_server.url), TODAY="2026-12-07")
    sid = import_file(live_app, STEINFURT)
    with live_app.app_context():
        person = db.session.scalar(sa.select(models.Person).where(models.Person.name == "Felix Marincel"))
        person.email = "felix.marincel@kreis-steinfurt.example"
        db.session.commit()

    page.goto(f"{live_server.url}/strategien/{sid}/statusabfrage")
    expect(page.get_by_role("heading", name="Statusabfrage per Mail")).to_be_visible()
    page.get_by_role("button", name="Statusabfrage per Mail starten").click()
    expect(page.get_by_text("Die Statusabfrage per Mail ist gestartet (1 Person).")).to_be_visible()
    assert_accessible(page)

    message = inbox.to("felix.marincel@kreis-steinfurt.example")[0]
    link = next(u for u in links_in(message) if "/rueckmeldung/" in u)
    assert link.startswith(live_server.url)

    page.context.clear_cookies()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(link)
    expect(page.get_by_role("heading", name="Statusabfrage für Felix Marincel")).to_be_visible()
    assert_accessible(page)
    assert_fits(page)
    screenshot("statusabfrage-link-320")
    group = page.get_by_role("group", name="Erhebung und Visualisierung von Prozessen des GA")
    group.get_by_label("Status").select_option("in_umsetzung")
    group.get_by_label("Tatsächlicher Beginn").fill("11/2026")
    group.get_by_label("Stand (kurze Notiz)").fill("Erhebung läuft in zwei Abteilungen")
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.get_by_text("Vielen Dank – Ihre Antwort ist gespeichert")).to_be_visible()
    assert_accessible(page)
    # the opt-out page of the same mail, at 320 px too
    opt_out = next(u for u in links_in(message) if "/mail/abbestellen/" in u)
    page.goto(opt_out)
    expect(page.get_by_role("button", name="Mails abbestellen")).to_be_visible()
    assert_accessible(page)
    assert "plsta_" not in caplog.text  # the secret never reaches a log, the server's access log included

    page.set_viewport_size({"width": 1280, "height": 900})
    login_page(page, live_app, live_server.url)
    page.goto(f"{live_server.url}/strategien/{sid}/statusabfrage")
    row = page.locator("#zeile-prozesserhebung")
    expect(row).to_contain_text("Erhebung läuft in zwei Abteilungen")
    expect(page.get_by_role("region", name="Antworten per Link")).to_contain_text("7 von 7")
    assert_accessible(page)
    screenshot("statusabfrage-per-mail")

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/profil/zugaenge")
    page.get_by_role("link", name="Benachrichtigungen per Mail").click()
    page.get_by_label("E-Mail-Adresse").fill("kein-at")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("keine gültige E-Mail-Adresse").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("E-Mail-Adresse").fill("leitung@kreis-steinfurt.example")
    page.get_by_label("Wochenübersicht (montags) und Erinnerungen per Mail erhalten").uncheck()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Ihre Benachrichtigungen wurden gespeichert.")).to_be_visible()
    assert_accessible(page)
