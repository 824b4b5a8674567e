"""In a real browser: a directory user's first login, a new group, and the end of access when the
directory disables the account (issue 29; slapd from tests/ldap_support.py)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from conftest import DATA, import_file
from ldap_support import directory, map_group, password  # noqa: F401
from playwright.sync_api import Page, expect

from planner.extensions import db
from planner.models import Strategy
from planner.models.auth import User

pytestmark = pytest.mark.browser


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/anmelden")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password(username))
    page.get_by_role("button", name="Anmelden").click()


def test_directory_user_journey(anonymous_page: Page, live_server, live_app, directory, screenshot):  # noqa: F811
    page = anonymous_page
    live_app.config.update(directory.config())
    sid = import_file(live_app, DATA / "sample.yaml")
    with live_app.app_context():
        office = db.session.get(Strategy, sid).organisation_id
    map_group(live_app, "ga-team", office, "lesen")  # emil is in ga-team
    map_group(live_app, "ga-leitung", office, "bearbeiten")

    # the first login creates the account: the office's start page, read only
    _log_in(page, live_server.url, "emil")
    expect(page.get_by_role("heading", name="Handlungsbedarf")).to_be_visible()
    expect(page.get_by_text("Emil Ebert")).to_be_visible()
    screenshot("directory-first-login")
    page.goto(f"{live_server.url}/strategien/{sid}")
    expect(page.get_by_role("heading", name="Digitalisierungsstrategie Musterstadt")).to_be_visible()
    expect(page.get_by_role("link", name="Neue Maßnahme")).to_have_count(0)
    page.goto(f"{live_server.url}/passwort")
    expect(page.get_by_text("kein eigenes Passwort")).to_be_visible()

    # moved to another group in the directory: the next login brings the new role
    directory.move("emil", "ga-team", "ga-leitung")
    page.get_by_role("button", name="Abmelden").click()
    _log_in(page, live_server.url, "emil")
    expect(page.get_by_role("heading", name="Handlungsbedarf")).to_be_visible()
    page.goto(f"{live_server.url}/strategien/{sid}")
    expect(page.get_by_role("link", name="Neue Maßnahme")).to_be_visible()

    # disabled in the directory: the next request after the re-check ends the session
    directory.disable("emil")
    live_app.config["LDAP_RECHECK_MINUTES"] = 0
    page.goto(f"{live_server.url}/strategien/{sid}")
    expect(page).to_have_url(re.compile(r"/anmelden"))
    _log_in(page, live_server.url, "emil")
    expect(page.get_by_role("alert")).to_contain_text("Benutzername oder Passwort ist falsch.")
    with live_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "emil"))
        assert user.memberships == [] and user.password_hash == ""
