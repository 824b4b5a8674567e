"""The Fortschreibung and the Beschluss in a real browser (Steinfurt at 07.12.2026, a finalised
review): the preview of every measure with its reason, the new version as a draft, the Beschluss
form; axe-core on each page, at 1280 and at 320 px."""

from __future__ import annotations

from datetime import date

import pytest
from a11y import assert_accessible, assert_fits
from conftest import STEINFURT, domain, import_file
from playwright.sync_api import Page, expect

from planner.domain.months import Month
from planner.domain.schedule import schedule_conflicts
from planner.domain.strategy import Status
from planner.extensions import db
from planner.services import review as reviews
from planner.services import verstetigung as records
from planner.services.strategies import load_strategy_row

pytestmark = pytest.mark.browser

DAY = date(2026, 12, 7)


@pytest.fixture
def reviewed(live_app):
    live_app.config["TODAY"] = DAY.isoformat()
    sid = import_file(live_app, STEINFURT)
    with live_app.app_context():
        row = load_strategy_row(db.session, sid)
        records.record_progress(
            db.session, row, "schulungen", status=Status.IN_UMSETZUNG, actual_start=Month(2023, 9), actual_end=None,
            on=DAY, by="Annika Feldhues",
        )  # fmt: skip
        review = reviews.prepare(db.session, row, DAY, "Annika Feldhues")
        review.held_on, review.participants = DAY, "Strategieteam, Amtsleitung"
        reviews.finalise(db.session, review, "Annika Feldhues")
        db.session.commit()
        return sid, review.id


def narrow(page: Page, screenshot, name: str) -> None:
    """At 320 px: no sideways scrolling, axe-core clean; a screenshot; back to 1280 px."""
    page.set_viewport_size({"width": 320, "height": 720})
    assert_fits(page)
    assert_accessible(page)
    screenshot(name)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_fortschreibung_preview_draft_and_beschluss(page: Page, live_server, live_app, reviewed, screenshot):
    sid, review_id = reviewed
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/strategien/{sid}/strategiereviews/{review_id}/fortschreibung")
    expect(page.get_by_label("Beginn des Zeitraums")).to_have_value("01/2027")
    page.get_by_role("button", name="Termine vorschlagen").click()
    expect(page.get_by_role("heading", name="Vorschau: jede Maßnahme", exact=False)).to_be_visible()
    expect(page.get_by_text("Die neue Version hat keinen Zeitkonflikt.")).to_be_visible()
    row = page.locator("#termine tr", has_text="Nichttechnische und technische Schulungen")
    expect(row).to_contain_text("läuft seit 09/2023, Beginn bleibt")
    assert_accessible(page)
    screenshot("fortschreibung-vorschau")
    narrow(page, screenshot, "fortschreibung-vorschau-320")
    page.get_by_role("button", name="Termine bestätigen und neue Version anlegen").click()
    expect(page.get_by_text("wurde angelegt")).to_be_visible()
    new_id = int(page.url.rstrip("/").split("/")[-1])
    new = domain(live_app, new_id)
    assert schedule_conflicts(new.measures) == [] and new.measure("schulungen").start == Month(2023, 4)
    expect(page.get_by_text("Entwurf – Beschluss ausstehend")).to_be_visible()
    screenshot("fortschreibung-entwurf")

    live_app.config["TODAY"] = "2027-02-18"
    page.get_by_role("link", name="Beschluss erfassen").click()
    assert_accessible(page)
    page.get_by_label("Datum des Beschlusses").fill("18.02.2027")
    page.get_by_role("button", name="Beschluss speichern").click()
    expect(page.get_by_text("Bitte das beschließende Gremium angeben, z. B. Kreistag.", exact=True)).to_be_visible()
    assert_accessible(page)
    narrow(page, screenshot, "beschluss-fehler-320")
    page.get_by_label("Beschlossen durch").fill("Kreistag")
    page.get_by_label("Aktenzeichen oder Vorlage (optional)").fill("Vorlage 2027/017")
    page.get_by_role("button", name="Beschluss speichern").click()
    expect(page.get_by_text("beschlossen 18.02.2027 (Kreistag, Vorlage 2027/017)").first).to_be_visible()
    expect(page.get_by_text("Entwurf – Beschluss ausstehend")).to_have_count(0)
    screenshot("fortschreibung-beschlossen")
