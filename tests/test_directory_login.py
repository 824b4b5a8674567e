"""Login with the county's directory (issue 29) against a running slapd (tests/ldap_support.py)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from auth_support import ADMIN_PASSWORD
from ldap_support import PEOPLE, closed_port, directory, group_dn, map_group, password, silent_port, user_dn  # noqa: F401

from planner.extensions import db
from planner.models import Organisation, utcnow
from planner.models.auth import LoginAttempt, User
from planner.services import directory as service
from planner.services import tokens

pytestmark = pytest.mark.db

WRONG = "Benutzername oder Passwort ist falsch."


def organisation(app, name: str = "Kreis Beispiel") -> int:
    with app.app_context():
        row = Organisation(name=name)
        db.session.add(row)
        db.session.commit()
        return row.id


def user_row(app, username: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is not None:
            _ = [(m.organisation_id, m.role) for m in user.memberships]
            db.session.expunge(user)
        return user


def roles(app, username: str) -> dict[int, str]:
    user = user_row(app, username)
    return {m.organisation_id: m.role for m in user.memberships} if user else {}


def log_in(client, username: str, secret: str | None = None):
    return client.post("/anmelden", data={"username": username, "password": secret or password(username)})


@pytest.fixture
def county(app, directory):  # noqa: F811
    """The app with the directory configured and ga-strategie mapped to "bearbeiten" in one office."""
    app.config.update(directory.config())
    office = organisation(app)
    map_group(app, "ga-strategie", office, "bearbeiten")
    return app, office


@pytest.mark.parametrize("mode", ["memberof", "search"])
def test_first_login_creates_the_user_with_the_role_of_a_nested_group(county, directory, mode):  # noqa: F811
    app, office = county
    app.config["LDAP_GROUPS"] = mode
    response = log_in(app.test_client(), "bernd")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    user = user_row(app, "bernd")
    assert user.directory_dn == user_dn("bernd") and user.password_hash == ""
    assert user.display_name == "Bernd Becker" and user.directory_checked_at is not None
    assert user.email == "bernd@kreis.example"
    assert roles(app, "bernd") == {office: "bearbeiten"}  # bernd is in ga-team, ga-team in ga-strategie
    from auth_support import admin_client

    page = admin_client(app).get(f"/verwaltung/benutzer/{user.id}").get_data(as_text=True)
    assert "Konto aus dem Verzeichnis" in page and "bernd@kreis.example" in page


def test_direct_bind_with_a_dn_template(county):
    app, office = county
    map_group(app, "ga-lesen", office, "lesen")
    app.config.update(LDAP_BIND_DN=None, LDAP_BIND_PASSWORD=None, LDAP_USER_DN_TEMPLATE=f"uid={{username}},{PEOPLE}")
    assert log_in(app.test_client(), "anna").status_code == 302
    assert roles(app, "anna") == {office: "lesen"}
    assert log_in(app.test_client(), "anna", "falsch-falsch").status_code == 422


def test_wrong_password_answers_like_a_local_account_and_counts(county):
    app, _ = county
    client = app.test_client()
    for _ in range(5):
        response = log_in(client, "bernd", "falsches-passwort")
        assert response.status_code == 422 and WRONG in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 5
    response = log_in(client, "bernd")  # the right password, but the limit is reached
    assert response.status_code == 429 and "Zu viele fehlgeschlagene Anmeldeversuche" in response.text
    assert user_row(app, "bernd") is None


def test_a_refused_directory_login_verifies_a_dummy_hash(county, monkeypatch):
    app, _ = county
    calls = []
    original = service.accounts.check_password
    monkeypatch.setattr(service.accounts, "check_password", lambda *a: calls.append(a) or original(*a))
    log_in(app.test_client(), "niemand", "irgendein-passwort")
    assert calls and calls[0][0] is None


@pytest.mark.parametrize("username", ["*)(uid=*", "*", "bernd)(|(uid=*", "bern*", "(uid=*)"])
def test_filter_characters_in_the_username_never_log_in(county, username):
    app, _ = county
    response = log_in(app.test_client(), username, password("bernd"))
    assert response.status_code == 422 and WRONG in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # the administrator


def test_injection_in_a_dn_template_is_escaped(county):
    app, _ = county
    app.config.update(LDAP_BIND_DN=None, LDAP_BIND_PASSWORD=None, LDAP_USER_DN_TEMPLATE=f"uid={{username}},{PEOPLE}")
    settings = service.Settings.from_config(app.config)
    assert service.authenticate(settings, "bernd,ou=people", password("bernd")) is None
    assert service.authenticate(settings, "*", password("bernd")) is None


def test_disabled_and_groupless_users_cannot_log_in(county):
    app, _ = county
    for username in ("carla", "dora", "anna"):  # carla is disabled, dora in no group, anna's not mapped
        response = log_in(app.test_client(), username)
        assert response.status_code == 422 and WRONG in response.text
        assert user_row(app, username) is None


def test_each_login_resyncs_the_roles(county, directory):  # noqa: F811
    app, office = county
    other = organisation(app, "Landesstelle")
    map_group(app, "ga-leitung", other, "verwalten")
    assert log_in(app.test_client(), "frieda").status_code == 302
    assert roles(app, "frieda") == {office: "bearbeiten"}
    directory.move("frieda", "ga-team", "ga-leitung")
    assert log_in(app.test_client(), "frieda").status_code == 302
    assert roles(app, "frieda") == {other: "verwalten"}  # exactly what the groups give


def _check_is_due(app, username: str) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.username == username)
            .values(directory_checked_at=utcnow() - timedelta(minutes=16))
        )
        db.session.commit()


def test_a_disabled_user_loses_session_and_tokens_at_the_next_check(county, directory):  # noqa: F811
    app, office = county
    client = app.test_client()
    assert log_in(client, "gustav").status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "gustav"))
        _, api_secret = tokens.create(db.session, user, "api", "Skript")
        _, calendar_secret = tokens.create(db.session, user, "kalender", "Outlook")
        db.session.commit()
    api = {"Authorization": f"Bearer {api_secret}"}
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/organisationen", headers=api).status_code == 200
    directory.disable("gustav")
    assert client.get("/").status_code == 200  # checked less than 15 minutes ago
    _check_is_due(app, "gustav")
    assert app.test_client().get("/api/v1/organisationen", headers=api).status_code == 401
    assert client.get("/").status_code == 302  # the session has ended
    assert app.test_client().get(f"/kalender/{calendar_secret}.ics").status_code == 404
    with app.app_context():
        assert (
            tokens.of_user(db.session, user.id, "api") == [] and tokens.of_user(db.session, user.id, "kalender") == []
        )
    assert user_row(app, "gustav").session_version == 2 and roles(app, "gustav") == {}
    assert log_in(app.test_client(), "gustav").status_code == 422


def test_a_user_removed_from_every_mapped_group_loses_the_session(county, directory):  # noqa: F811
    app, _ = county
    client = app.test_client()
    assert log_in(client, "hanna").status_code == 302
    directory.move("hanna", "ga-team", "ga-lesen")  # ga-lesen gives nothing here
    app.config["LDAP_RECHECK_MINUTES"] = 0
    assert client.get("/").status_code == 302
    assert roles(app, "hanna") == {}
    assert log_in(app.test_client(), "hanna").status_code == 422


def test_local_accounts_come_first_and_directory_users_have_no_password_page(county):
    app, _ = county
    assert log_in(app.test_client(), "admin", ADMIN_PASSWORD).status_code == 302
    client = app.test_client()
    assert log_in(client, "bernd").status_code == 302
    page = client.get("/passwort")
    assert page.status_code == 200 and "kein eigenes Passwort" in page.text
    assert 'name="current"' not in page.text


def test_unreachable_directory_is_a_german_message_and_admins_still_log_in(app, closed_port):  # noqa: F811
    app.config.update(LDAP_URL=f"ldap://127.0.0.1:{closed_port}", LDAP_TIMEOUT=2)
    response = log_in(app.test_client(), "bernd")
    assert response.status_code == 503 and "Anmeldedienst nicht erreichbar" in response.text
    assert log_in(app.test_client(), "admin", ADMIN_PASSWORD).status_code == 302


def test_a_silent_directory_answers_within_the_timeout(app, silent_port):  # noqa: F811
    app.config.update(LDAP_URL=f"ldap://127.0.0.1:{silent_port}", LDAP_TIMEOUT=1)
    started = time.monotonic()
    response = log_in(app.test_client(), "bernd")
    assert response.status_code == 503 and "Anmeldedienst nicht erreichbar" in response.text
    assert time.monotonic() - started < 10


def test_servers_are_tried_in_order(county, directory, closed_port):  # noqa: F811
    app, office = county
    app.config["LDAP_URL"] = f"ldap://127.0.0.1:{closed_port} {directory.url}"
    assert log_in(app.test_client(), "bernd").status_code == 302


def test_ldaps_with_the_ca_and_a_wrong_ca_refused(county, directory):  # noqa: F811
    app, _ = county
    app.config.update(LDAP_URL=directory.ldaps_url, LDAP_CA_FILE=directory.ca_file)
    assert log_in(app.test_client(), "bernd").status_code == 302
    app.config["LDAP_CA_FILE"] = directory.wrong_ca_file
    response = log_in(app.test_client(), "bernd")
    assert response.status_code == 503 and "Anmeldedienst nicht erreichbar" in response.text


def test_starttls_on_plain_ldap(county, directory):  # noqa: F811
    app, _ = county
    app.config.update(LDAP_STARTTLS=True, LDAP_CA_FILE=directory.ca_file)
    assert log_in(app.test_client(), "bernd").status_code == 302
    app.config["LDAP_CA_FILE"] = directory.wrong_ca_file
    assert log_in(app.test_client(), "bernd").status_code == 503


def test_an_unreachable_directory_at_the_check_keeps_the_session(county, closed_port):  # noqa: F811
    app, office = county
    client = app.test_client()
    assert log_in(client, "bernd").status_code == 302
    app.config["LDAP_URL"] = f"ldap://127.0.0.1:{closed_port}"
    _check_is_due(app, "bernd")
    assert client.get("/").status_code == 200
    assert roles(app, "bernd") == {office: "bearbeiten"} and user_row(app, "bernd").session_version == 1


def test_nested_ad_asks_the_chain_rule_with_the_escaped_dn(county, monkeypatch):
    app, _ = county
    app.config["LDAP_GROUPS"] = "nested-ad"
    asked = []
    original = service._search
    monkeypatch.setattr(
        service, "_search", lambda conn, base, query, *a: asked.append((base, query)) or original(conn, base, query, *a)
    )
    settings = service.Settings.from_config(app.config)
    service.authenticate(settings, "bernd", password("bernd"))  # OpenLDAP has no chain rule: no groups
    assert (settings.group_base, f"(member:1.2.840.113556.1.4.1941:={user_dn('bernd')})") in asked
