"""Land level in a real browser: an office user finds a measure of another office's shared
strategy in the atlas, copies it into its own strategy and sees the origin; the landscape pages.
axe-core on every new page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from a11y import assert_accessible
from auth_support import create_user, login
from conftest import DATA, STEINFURT, import_file
from playwright.sync_api import Page, expect

from planner import models
from planner.extensions import db
from planner.models.auth import Coordination
from planner.models.land import Application, SharedStrategy

pytestmark = pytest.mark.browser


def _as_user(page: Page, live_app, base_url: str, user_id: int) -> None:
    cookie = login(live_app.test_client(), user_id).get_cookie("session")
    # leave the previous user's page first: a request of it still under way (the session script)
    # could otherwise set that user's cookie again after the switch
    page.goto("about:blank")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "session", "value": cookie.value, "url": base_url}])


def test_office_copies_a_shared_measure_from_the_atlas(page: Page, live_server, live_app, screenshot):
    a_sid = import_file(live_app, STEINFURT)
    b_sid = import_file(live_app, DATA / "sample.yaml")
    with live_app.app_context():
        a_org = db.session.get(models.Strategy, a_sid).organisation_id
        b_org = db.session.get(models.Strategy, b_sid).organisation_id
    manager = create_user(live_app, "steinfurt-verwaltung", roles={a_org: "verwalten"})
    _as_user(page, live_app, live_server.url, manager)
    page.goto(f"{live_server.url}/strategien/{a_sid}")
    page.get_by_label("Für andere Gesundheitsämter sichtbar (nur lesen)").check()
    page.get_by_role("button", name="Freigabe speichern").click()
    expect(page.get_by_text("Die Strategie ist jetzt für andere Gesundheitsämter sichtbar")).to_be_visible()

    office = create_user(live_app, "musterstadt", roles={b_org: "bearbeiten"})
    _as_user(page, live_app, live_server.url, office)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Maßnahmenatlas").first.click()
    assert_accessible(page)
    page.get_by_label("Suchbegriff").fill("Kommunikationskonzept")
    page.get_by_label("Dimension", exact=True).select_option("Mitarbeitende")
    page.get_by_role("button", name="Suchen").click()
    assert "q=Kommunikationskonzept" in page.url  # the search is the address: works without JavaScript
    row = page.get_by_role("row").filter(has_text="Entwicklung eines Kommunikationskonzepts")
    expect(row).to_contain_text("Gesundheitsamt Kreis Steinfurt")
    expect(row).to_contain_text("freigegeben")
    screenshot("atlas-search")
    assert_accessible(page)
    row.get_by_role("link", name="Entwicklung eines Kommunikationskonzepts als Vorlage übernehmen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("als Vorlage übernehmen")
    assert_accessible(page)
    page.get_by_label("In meine Strategie").select_option(
        label="Gesundheitsamt Musterstadt: Digitalisierungsstrategie Musterstadt (2024)"
    )
    page.get_by_role("button", name="Als Vorlage übernehmen").click()
    expect(page.get_by_text("wurde als Vorlage in „Digitalisierungsstrategie Musterstadt“ übernommen")).to_be_visible()
    expect(page.get_by_role("note").filter(has_text="Übernommen als Vorlage aus")).to_contain_text(
        "Gesundheitsamt Kreis Steinfurt, Digitalisierungsstrategie Gesundheitsamt Kreis Steinfurt"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Entwicklung eines Kommunikationskonzepts")
    screenshot("atlas-copied-measure")
    assert_accessible(page)
    with live_app.app_context():
        titles = db.session.scalars(sa.select(models.Measure.title).where(models.Measure.strategy_id == b_sid)).all()
    assert "Entwicklung eines Kommunikationskonzepts" in titles

    # the shared strategy itself: read-only for the other office
    page.goto(f"{live_server.url}/strategien/{a_sid}")
    expect(page.get_by_role("note").filter(has_text="Freigegeben von")).to_be_visible()
    expect(page.get_by_role("link", name="Strategie bearbeiten")).to_have_count(0)
    assert_accessible(page)


def test_landscape_pages_are_accessible(page: Page, live_server, live_app, screenshot):
    b_sid = import_file(live_app, DATA / "sample.yaml")
    a_sid = import_file(live_app, STEINFURT)
    with live_app.app_context():
        b_org = db.session.get(models.Strategy, b_sid).organisation_id
        a_org = db.session.get(models.Strategy, a_sid).organisation_id
        land = models.Organisation(name="Landesstelle (Test)")
        db.session.add(land)
        db.session.flush()
        db.session.add_all([Coordination(coordinator_id=land.id, organisation_id=o) for o in (a_org, b_org)])
        db.session.add(Application(organisation_id=a_org, name="InfektA", vendor="Beispiel GmbH", task_area="Infektionsschutz", interfaces=["DEMIS"]))  # fmt: skip
        db.session.add(SharedStrategy(strategy_id=a_sid))
        db.session.commit()
        land_id = land.id
    office = create_user(live_app, "musterstadt-it", roles={b_org: "bearbeiten"})
    _as_user(page, live_app, live_server.url, office)
    page.goto(f"{live_server.url}/applikationslandkarte")
    assert_accessible(page)
    page.get_by_role("link", name="Gesundheitsamt Musterstadt").click()
    page.get_by_role("link", name="Anwendung erfassen").click()
    page.get_by_label("Hersteller").fill("Muster AG")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Anwendung")
    expect(page.get_by_label("Hersteller")).to_have_value("Muster AG")
    assert_accessible(page)
    page.get_by_label("Anwendung", exact=True).fill("MeldeFix")
    page.get_by_label("Aufgabe").fill("Infektionsschutz")
    page.get_by_label("Schnittstellen zu anderen Anwendungen").fill("DEMIS")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("cell", name="MeldeFix", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Aus CSV/XLSX importieren").click()
    assert_accessible(page)

    state = create_user(live_app, "landesstelle", roles={land_id: "lesen"})
    _as_user(page, live_app, live_server.url, state)
    page.goto(f"{live_server.url}/organisationen/{land_id}/landeslandkarte")
    expect(page.get_by_text("Infektionsschutz: 2 Ämter, 2 Hersteller")).to_be_visible()
    screenshot("landscape-land")
    assert_accessible(page)
