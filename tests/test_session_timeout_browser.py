"""Time limits (WCAG 2.2.1) in a real browser: a warning before the idle session ends that
extends it, and a Fortschreibung typed into a form survives the end of the session.

The page's clock is Playwright's (page.clock): the warning comes after 55 minutes without any
real waiting; the server's idle limit is its configuration (LOGIN_IDLE_MINUTES)."""

from __future__ import annotations

import re

import pytest
from a11y import assert_accessible
from auth_support import ADMIN_PASSWORD, ADMIN_USERNAME
from conftest import DATA, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def sample(live_app):
    live_app.config.update(LOGIN_IDLE_MINUTES=60, SESSION_WARNING_MINUTES=5)
    return import_file(live_app, DATA / "sample.yaml")


def test_warning_before_the_end_extends_the_session(page: Page, live_server, live_app, sample, screenshot):
    page.clock.install()
    page.goto(f"{live_server.url}/strategien/{sample}/fortschreibung")
    warning = page.get_by_role("alert").filter(has_text="Ihre Sitzung endet")
    expect(warning).to_be_hidden()
    page.clock.run_for("54:00")
    expect(warning).to_be_hidden()
    # the page counts down from its load the idle limit less the 30 s the server's record of
    # activity may lag (web/session_timeout.py): the warning comes at 54:30, never late
    page.clock.run_for("00:45")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("in 5 Minuten")
    assert_accessible(page)
    screenshot("session-warning")

    with page.expect_response(re.compile(r"/sitzung/verlaengern$")) as answer:
        page.get_by_role("button", name="Sitzung verlängern").click()
    assert answer.value.status == 200 and answer.value.json()["remaining_seconds"] == 3600
    expect(warning).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="Die Sitzung wurde verlängert.")).to_be_attached()
    # the hour starts again from the extension: no warning 50 minutes later, one after 55
    page.clock.run_for("50:00")
    expect(warning).to_be_hidden()
    page.clock.run_for("05:30")
    expect(warning).to_be_visible()


def test_typed_fortschreibung_survives_the_end_of_the_session(page: Page, live_server, live_app, sample, screenshot):
    page.goto(f"{live_server.url}/strategien/{sample}/fortschreibung")
    vision = "Wir sind ein digitales, bürgernahes und lernendes Gesundheitsamt – getippt vor dem Ablauf."
    page.get_by_label("Bezeichnung der neuen Version").fill("2026")
    page.get_by_label("Vision-Statement").fill(vision)
    page.get_by_label("Fortgeschrieben von").fill("Strategieteam")
    page.get_by_label("Entscheidung zu „Entwicklung eines Awareness-Konzepts“").select_option("anpassen")
    page.get_by_label("Begründung zu „Entwicklung eines Awareness-Konzepts“").fill("neu terminieren")

    live_app.config["LOGIN_IDLE_MINUTES"] = 0  # the session has now been idle for too long
    page.get_by_role("button", name="Neue Version anlegen").click()
    expect(page).to_have_url(re.compile(r"/anmelden\?next="))
    expect(page.get_by_text("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.")).to_be_visible()
    live_app.config["LOGIN_IDLE_MINUTES"] = 60

    page.get_by_label("Benutzername").fill(ADMIN_USERNAME)
    page.get_by_label("Passwort").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Fortschreibung: nächste Version anlegen")).to_be_visible()
    expect(page.get_by_text("Das Formular enthält wieder Ihre Eingaben")).to_be_visible()
    expect(page.get_by_label("Bezeichnung der neuen Version")).to_have_value("2026")
    expect(page.get_by_label("Vision-Statement")).to_have_value(vision)
    expect(page.get_by_label("Fortgeschrieben von")).to_have_value("Strategieteam")
    expect(page.get_by_label("Entscheidung zu „Entwicklung eines Awareness-Konzepts“")).to_have_value("anpassen")
    expect(page.get_by_label("Begründung zu „Entwicklung eines Awareness-Konzepts“")).to_have_value("neu terminieren")
    assert_accessible(page)
    screenshot("session-form-restored")
    # nothing was saved yet; sent again (with a fresh token) it is checked like any other input
    page.get_by_role("button", name="Neue Version anlegen").click()
    expect(page.get_by_text("Bitte eine Entscheidung wählen.").first).to_be_visible()
    expect(page.get_by_label("Vision-Statement")).to_have_value(vision)
    # the kept input is handed out once
    page.goto(page.url)


def test_warning_takes_the_focus_covers_nothing_and_gives_the_focus_back(
    page: Page, live_server, live_app, sample, screenshot
):
    page.clock.install()
    page.goto(f"{live_server.url}/strategien/{sample}/statusabfrage")
    notes = page.locator("input[id$='-note']")
    note = notes.nth(notes.count() // 2)  # a row in the middle of the Statusabfrage
    note.fill("halb getippt")
    page.clock.run_for("55:30")
    warning = page.get_by_role("alert").filter(has_text="Ihre Sitzung endet")
    expect(warning).to_be_visible()
    extend = page.get_by_role("button", name="Sitzung verlängern")
    expect(extend).to_be_focused()  # no Tab needed: one key press extends the session
    # the warning covers no field, button or link of the page
    covered = page.evaluate(
        """() => {
        const box = document.querySelector('.session-box').getBoundingClientRect();
        return [...document.querySelectorAll('main input, main select, main textarea, main button, main a')]
          .filter(el => { const r = el.getBoundingClientRect();
            return r.width && r.height && r.left < box.right && box.left < r.right
              && r.top < box.bottom && box.top < r.bottom; })
          .map(el => el.id || el.textContent.trim());
        }"""
    )
    assert covered == [], covered
    assert_accessible(page)
    screenshot("session-warning-statusabfrage", full_page=False)
    with page.expect_response(re.compile(r"/sitzung/verlaengern$")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(warning).to_be_hidden()
    expect(note).to_be_focused()  # back where the typing was
    expect(note).to_have_value("halb getippt")
