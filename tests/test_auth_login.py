"""Login, logout, rate limiting, session expiry, security headers, cookies, CSRF, first administrator."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from auth_support import ADMIN_PASSWORD, ADMIN_USERNAME, create_user, login
from conftest import run, version_of

from planner import create_app
from planner.extensions import db
from planner.models.auth import LoginAttempt, User


def _login(client, username, password, **kwargs):
    return client.post("/anmelden", data={"username": username, "password": password}, **kwargs)


@pytest.mark.db
def test_every_page_but_login_requires_a_login(anonymous_client, sample_id):
    for path in (
        "/",
        f"/strategien/{sample_id}",
        "/strategien/neu",
        "/verwaltung/benutzer",
        f"/strategien/{sample_id}/fahrplan",
    ):
        response = anonymous_client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/anmelden"), path
    assert anonymous_client.post(f"/strategien/{sample_id}/bearbeiten", data={"title": "x"}).status_code == 302
    page = anonymous_client.get("/anmelden")
    assert page.status_code == 200
    assert "Anmelden" in page.get_data(as_text=True)
    # the login page shows no strategy data
    assert "Musterstadt" not in page.get_data(as_text=True)


@pytest.mark.db
def test_login_with_argon2_password_then_logout(anonymous_client, sample_id, app):
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash).where(User.username == ADMIN_USERNAME))
    assert stored.startswith("$argon2id$")
    response = _login(
        anonymous_client, ADMIN_USERNAME, ADMIN_PASSWORD, query_string={"next": f"/strategien/{sample_id}"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/strategien/{sample_id}"
    assert anonymous_client.get(f"/strategien/{sample_id}").status_code == 200
    assert anonymous_client.post("/abmelden").status_code == 302
    assert anonymous_client.get(f"/strategien/{sample_id}").status_code == 302


@pytest.mark.db
def test_wrong_password_is_refused_in_german(anonymous_client):
    response = _login(anonymous_client, ADMIN_USERNAME, "falsch")
    assert response.status_code == 422
    assert "Benutzername oder Passwort ist falsch." in response.get_data(as_text=True)
    assert anonymous_client.get("/").status_code == 302


@pytest.mark.db
def test_next_never_leads_to_another_site(anonymous_client):
    response = _login(anonymous_client, ADMIN_USERNAME, ADMIN_PASSWORD, query_string={"next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


@pytest.mark.db
def test_login_attempts_are_rate_limited(anonymous_client, app):
    for _ in range(5):
        assert _login(anonymous_client, ADMIN_USERNAME, "falsch").status_code == 422
    # even the right password is refused while the limit holds
    response = _login(anonymous_client, ADMIN_USERNAME, ADMIN_PASSWORD)
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.get_data(as_text=True)
    assert anonymous_client.get("/").status_code == 302
    # the window passes: attempts older than the window no longer count
    with app.app_context():
        for attempt in db.session.scalars(sa.select(LoginAttempt)):
            attempt.at = attempt.at.replace(year=attempt.at.year - 1)
        db.session.commit()
    assert _login(anonymous_client, ADMIN_USERNAME, ADMIN_PASSWORD).status_code == 302


@pytest.mark.db
def test_idle_session_expires(app, sample_id):
    client = app.test_client()
    login(client, 1)
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = time.time() - 61 * 60
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/anmelden")
    assert client.get("/").status_code == 302


@pytest.mark.db
def test_sessions_end_when_password_changes_or_user_is_deactivated(app, client, make_user):
    uid = make_user("erika")
    user_client = login(app.test_client(), uid)
    assert user_client.get("/").status_code == 200
    version = version_of(client, f"/verwaltung/benutzer/{uid}")
    response = client.post(
        f"/verwaltung/benutzer/{uid}",
        data={"username": "erika", "password": "ein-neues-passwort", "active": "y", "lock_version": version},
    )
    assert response.status_code == 302
    assert user_client.get("/").status_code == 302


@pytest.mark.db
def test_session_has_a_lifetime_and_cookie_flags(app, anonymous_client):
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 12 * 3600
    response = _login(anonymous_client, ADMIN_USERNAME, ADMIN_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # plain HTTP on the loopback
    secure = _login(app.test_client(), ADMIN_USERNAME, ADMIN_PASSWORD, base_url="https://localhost")
    assert "Secure" in secure.headers["Set-Cookie"]


@pytest.mark.db
def test_security_headers_on_every_response(client, anonymous_client, sample_id):
    for response in (
        client.get(f"/strategien/{sample_id}"),
        anonymous_client.get("/anmelden"),
        client.get("/nicht-da"),
    ):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


# rendered into PDFs by WeasyPrint, never served to a browser: the CSP does not apply
PDF_ONLY = {
    "templates/maturity/sheet_pdf.html",
    "templates/documents/chart_pdf.html",
    "templates/review/review_pdf.html",
    "templates/landesebene/portfolio_pdf.html",
    "templates/documents/report_pdf.html",
}


def test_templates_have_no_inline_script_or_style():
    from conftest import ROOT

    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if path.relative_to(ROOT).as_posix() in PDF_ONLY:
            continue
        if path.relative_to(ROOT / "templates").parts[0] == "mail":
            continue  # the HTML part of a mail: mail clients read inline styles only, no page CSP applies
        if (
            re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
            or re.search(r"<style[\s>]", text)
            or re.search(r"\sstyle=", text)
            or re.search(r"\son[a-z]+=", text)
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.db
def test_csrf_refuses_state_changes_without_token(live_app):
    """live_app (conftest) has CSRF protection on, as a browser sees it."""
    csrf_app = live_app
    from conftest import DATA, import_file

    sid = import_file(csrf_app, DATA / "sample.yaml")
    client = login(csrf_app.test_client(), 1)
    for path, data in (
        (f"/strategien/{sid}/bearbeiten", {"title": "Gekapert"}),
        (f"/strategien/{sid}/massnahmen/awareness/loeschen", {}),
        ("/verwaltung/benutzer/neu", {"username": "mallory"}),
        ("/abmelden", {}),
    ):
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "Sitzung abgelaufen" in response.get_data(as_text=True)
    assert client.get(f"/strategien/{sid}").status_code == 200  # still logged in: logout needs the token too
    with csrf_app.app_context():
        assert db.session.scalar(sa.select(User.id).where(User.username == "mallory")) is None
    # the login form itself is protected too
    assert (
        csrf_app.test_client().post("/anmelden", data={"username": "admin", "password": ADMIN_PASSWORD}).status_code
        == 400
    )


def test_create_admin_first_run_prints_credentials_once(tmp_path, monkeypatch):
    from planner.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'first.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "x")
    upgrade(url)
    first = run("create-admin", "--first-run")
    assert first.exit_code == 0, first.output
    password = re.search(r"Passwort:\s+(\S+)", first.output).group(1)
    second = run("create-admin", "--first-run")
    assert second.exit_code == 0 and "Passwort" not in second.output
    app = create_app({"SQLALCHEMY_ENGINES": {"default": url}, "WTF_CSRF_ENABLED": False, "TESTING": True})
    client = app.test_client()
    assert _login(client, "admin", password).status_code == 302
    assert client.get("/").status_code == 200
    with app.app_context():
        db.engine.dispose()


@pytest.mark.db
def test_admin_creates_user_with_generated_password_and_role(client, app, sample_id):
    with app.app_context():
        org_id = db.session.scalar(sa.text("select organisation_id from strategies where id = :i"), {"i": sample_id})
    response = client.post(
        "/verwaltung/benutzer/neu",
        data={"username": "neu", "display_name": "Neue Person", "active": "y"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    password = re.search(r"Erstes Passwort \(nur jetzt sichtbar\): ([^\s<]+)", text).group(1)
    with app.app_context():
        uid = db.session.scalar(sa.select(User.id).where(User.username == "neu"))
    response = client.post(
        f"/verwaltung/benutzer/{uid}/rollen", data={"rolle-organisation": str(org_id), "rolle-role": "lesen"}
    )
    assert response.status_code == 302
    other = app.test_client()
    assert _login(other, "neu", password).status_code == 302
    assert other.get(f"/strategien/{sample_id}").status_code == 200
    assert other.get(f"/strategien/{sample_id}/bearbeiten").status_code == 404  # lesen only
    assert other.get("/verwaltung/benutzer").status_code == 404


@pytest.mark.db
def test_user_pages_validate_in_german(client, app):
    create_user(app, "doppelt")
    response = client.post("/verwaltung/benutzer/neu", data={"username": "doppelt", "password": "kurz"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Diesen Benutzernamen gibt es schon." in text or "Mindestens 10 Zeichen." in text
    response = client.post("/verwaltung/benutzer/neu", data={"username": "mit leerzeichen"})
    assert response.status_code == 422 and "keine Leerzeichen" in response.get_data(as_text=True)
    assert client.get("/verwaltung/benutzer").status_code == 200
    assert client.get("/verwaltung/benutzer/1").status_code == 200
    # an administrator cannot lock themselves out
    version = version_of(client, "/verwaltung/benutzer/1")
    response = client.post("/verwaltung/benutzer/1", data={"username": "admin", "active": "y", "lock_version": version})
    assert response.status_code == 422 and "Administrator" in response.get_data(as_text=True)


@pytest.mark.db
def test_a_directory_account_gets_no_local_password(app, client, make_user):
    """Issue 29: a local password would come first at the login and pass the directory by."""
    from planner.extensions import db
    from planner.models.auth import User

    uid = make_user("verzeichnis-nutzerin")
    with app.app_context():
        user = db.session.get(User, uid)
        user.directory_dn, user.password_hash = "uid=verzeichnis-nutzerin,ou=people,dc=kreis,dc=example", ""
        db.session.commit()
    url = f"/verwaltung/benutzer/{uid}"
    data = {"username": "verzeichnis-nutzerin", "password": "ein-lokales-passwort", "active": "y"}
    response = client.post(url, data=data | {"lock_version": version_of(client, url)})
    assert response.status_code == 422 and "Passwort des Verzeichnisses" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, uid).password_hash == ""
