"""In a real browser: creating, using and revoking a personal API token and a calendar subscription."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from a11y import assert_accessible
from conftest import STEINFURT, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_token_journey(page: Page, live_server, live_app, screenshot):
    sid = import_file(live_app, STEINFURT)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Meine Zugänge").click()
    expect(page.get_by_role("heading", name="Meine Zugänge", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="API-Zugang anlegen").click()
    expect(page.locator("#api-name-fehler")).to_contain_text("Bitte ausfüllen.")
    assert_accessible(page)
    page.locator("#api-name").fill("Excel-Abgleich")
    page.get_by_role("button", name="API-Zugang anlegen").click()
    expect(page.get_by_role("heading", name="Neuer API-Zugang „Excel-Abgleich“")).to_be_visible()
    secret = page.locator("code.secret").inner_text()
    assert re.fullmatch(r"plapi_[\w-]+", secret)
    assert_accessible(page)
    screenshot("profil-api-zugang")

    request = urllib.request.Request(
        f"{live_server.url}/api/v1/strategien/{sid}", headers={"Authorization": f"Bearer {secret}"}
    )
    with urllib.request.urlopen(request) as answer:
        assert json.load(answer)["title"].startswith("Digitalisierungsstrategie")

    page.locator("#kal-name").fill("Outlook im Büro")
    page.get_by_role("button", name="Kalender-Abonnement anlegen").click()
    feed = page.locator("code.secret").inner_text()
    assert "/kalender/plcal_" in feed
    with urllib.request.urlopen(feed.replace("http://localhost", live_server.url)) as answer:
        assert b"BEGIN:VCALENDAR" in answer.read()

    page.goto(f"{live_server.url}/profil/zugaenge")
    expect(page.get_by_text(secret)).to_have_count(0)
    page.get_by_role("button", name="„Excel-Abgleich“ widerrufen").click()
    expect(page.get_by_text("API-Zugang „Excel-Abgleich“ wurde widerrufen.")).to_be_visible()
    assert_accessible(page)
    screenshot("profil-widerrufen")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 401
