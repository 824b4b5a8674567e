"""In a real browser: logging in and out, the administration pages, axe-core, and no CSP violations."""

from __future__ import annotations

import re

import pytest
from a11y import assert_accessible
from auth_support import ADMIN_PASSWORD, ADMIN_USERNAME
from conftest import DATA, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _csp_violations(page: Page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    return messages


def test_login_logout_journey(anonymous_page: Page, live_server, live_app, screenshot):
    page = anonymous_page
    violations = _csp_violations(page)
    sid = import_file(live_app, DATA / "sample.yaml")
    page.goto(f"{live_server.url}/strategien/{sid}")
    expect(page).to_have_url(re.compile(r"/anmelden"))
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    expect(page.get_by_text("Musterstadt")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Benutzername").fill(ADMIN_USERNAME)
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_contain_text("Benutzername oder Passwort ist falsch.")
    assert_accessible(page)
    screenshot("auth-login-refused")

    page.get_by_label("Passwort").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    # back where the user wanted to go
    expect(page.get_by_role("heading", name="Digitalisierungsstrategie Musterstadt")).to_be_visible()
    expect(page.get_by_role("heading", name="Verlauf")).to_be_visible()
    expect(page.get_by_text("Administration")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_text("Sie wurden abgemeldet.")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/anmelden"))
    assert violations == []


def test_admin_pages_pass_axe(page: Page, live_server, live_app, screenshot):
    violations = _csp_violations(page)
    sid = import_file(live_app, DATA / "sample.yaml")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Verwaltung").click()
    expect(page.get_by_role("heading", name="Benutzer und Rollen")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Neues Konto anlegen").click()
    page.get_by_label("Benutzername").fill("erika")
    page.get_by_label("Anzeigename").fill("Erika Muster")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Erstes Passwort (nur jetzt sichtbar)")).to_be_visible()
    page.get_by_label("Organisation", exact=True).select_option(label="Gesundheitsamt Musterstadt")
    page.get_by_label("Rolle", exact=True).select_option("bearbeiten")
    page.get_by_role("button", name="Rolle vergeben").click()
    expect(page.get_by_role("cell", name="Bearbeiten")).to_be_visible()
    assert_accessible(page)
    screenshot("auth-admin-user")

    page.get_by_role("link", name="Zurück zu Benutzer und Rollen").click()
    page.get_by_role("link", name="Gesundheitsamt Musterstadt").click()
    expect(page.get_by_role("heading", name="Verwaltung: Gesundheitsamt Musterstadt")).to_be_visible()
    assert_accessible(page)
    screenshot("auth-admin-organisation")

    page.get_by_role("link", name="Anonymisieren (Annika Feldhues)").click()
    expect(page.get_by_role("heading", name="„Annika Feldhues“ anonymisieren?")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/verwaltung/verlauf/strategies/{sid}")
    expect(page.get_by_role("heading", name=re.compile("Verlauf: Strategie"))).to_be_visible()
    assert_accessible(page)
    screenshot("auth-verlauf")
    assert violations == []


def test_second_save_refused_in_the_browser(page: Page, live_server, live_app, screenshot):
    sid = import_file(live_app, DATA / "sample.yaml")
    url = f"{live_server.url}/strategien/{sid}/massnahmen/konzept/bearbeiten"
    page.goto(url)
    other = page.context.new_page()
    other.goto(url)
    other.get_by_label("Titel").fill("Schulungskonzept (von nebenan)")
    other.get_by_role("button", name="Speichern").click()
    expect(other.get_by_role("heading", name="Schulungskonzept (von nebenan)")).to_be_visible()
    other.close()

    page.get_by_label("Ziel (SMART)").fill("Was ich gerade getippt habe")
    page.get_by_role("button", name="Speichern").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Jemand anderes hat diesen Datensatz inzwischen geändert")
    expect(alert).to_contain_text("Schulungskonzept (von nebenan)")
    expect(page.get_by_label("Ziel (SMART)")).to_have_value("Was ich gerade getippt habe")
    assert_accessible(page)
    screenshot("auth-conflict")


def test_no_page_breaks_the_content_security_policy(page: Page, live_server, live_app):
    """Every reachable page (one per shape) loads without a CSP violation: no inline script or style anywhere."""
    from urllib.parse import urljoin, urlparse

    from a11y import DOWNLOAD, _shape
    from conftest import STEINFURT

    import_file(live_app, STEINFURT)
    violations = _csp_violations(page)
    seen, shapes, queue, visited = set(), set(), [live_server.url + "/"], []
    while queue and len(visited) < 120:
        url = queue.pop(0).split("#")[0]
        path = urlparse(url).path
        if url in seen or urlparse(url).netloc != urlparse(live_server.url).netloc or DOWNLOAD.search(path):
            continue
        seen.add(url)
        if _shape(path) in shapes or "abmelden" in path:
            continue
        shapes.add(_shape(path))
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited.append(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            if href and not href.startswith(("mailto:", "javascript:")):
                queue.append(urljoin(url, href))
    assert len(visited) >= 15, visited
    assert violations == [], violations
