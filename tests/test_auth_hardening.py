"""Issue 10: login redirects, server-side logout, absolute session lifetime, own password change,
constant login time, what lesen users are shown."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from auth_support import ADMIN_PASSWORD, ADMIN_USERNAME, login

from planner.extensions import db
from planner.models.auth import User

pytestmark = pytest.mark.db


def _login(client, username, password, **kwargs):
    return client.post("/anmelden", data={"username": username, "password": password}, **kwargs)


HOSTILE_NEXT = [
    "//evil.example/",
    "/\t/evil.example/",
    "/%09/evil.example/",
    "\t//evil.example/",
    "/\r\n/x",
    "/\r\nSet-Cookie: x=1",
    "/\n/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    " /strategien",
    "/\x00/evil.example",
    "/\u2028/evil.example",
    "/\u200b/evil.example",
    "/\x0b/evil.example",
    "///evil.example",
]


def test_login_redirect_never_leaves_the_site(app):
    for target in HOSTILE_NEXT:
        response = _login(app.test_client(), ADMIN_USERNAME, ADMIN_PASSWORD, query_string={"next": target})
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/", (target, response.headers["Location"])


def test_login_redirect_with_encoded_control_characters_in_the_raw_query(app):
    # exactly what the penetration test sent: the browser-side decoding gives "/\t/evil.example/"
    for query in ("next=/%09/evil.example/", "next=/%0D%0A/x", "next=%2F%2Fevil.example", "next=/%5Cevil.example"):
        response = app.test_client().post(
            "/anmelden?" + query, data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 302, query
        assert response.headers["Location"] == "/", query


def test_login_redirect_keeps_same_site_paths(app, sample_id):
    for target, expected in (
        (f"/strategien/{sample_id}", f"/strategien/{sample_id}"),
        (f"/strategien/{sample_id}/fahrplan?abhaengigkeiten=1", f"/strategien/{sample_id}/fahrplan?abhaengigkeiten=1"),
        ("/strategien/ä", "/strategien/%C3%A4"),
    ):
        response = _login(app.test_client(), ADMIN_USERNAME, ADMIN_PASSWORD, query_string={"next": target})
        assert response.headers["Location"] == expected


def test_logout_ends_the_session_on_the_server(app, sample_id):
    client = app.test_client()
    assert _login(client, ADMIN_USERNAME, ADMIN_PASSWORD).status_code == 302
    copied = client.get_cookie("session").value
    assert client.get(f"/strategien/{sample_id}").status_code == 200
    assert client.post("/abmelden").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get(f"/strategien/{sample_id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/anmelden")
    # a new login works again
    assert _login(client, ADMIN_USERNAME, ADMIN_PASSWORD).status_code == 302
    assert client.get(f"/strategien/{sample_id}").status_code == 200


def test_session_has_an_absolute_lifetime(app, sample_id):
    client = app.test_client()
    assert _login(client, ADMIN_USERNAME, ADMIN_PASSWORD).status_code == 302
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    assert lifetime == 10 * 3600
    # active all the time (seen just now), but logged in longer ago than the lifetime
    with client.session_transaction() as session:
        session["login_at"] = time.time() - lifetime - 60
        session["seen"] = time.time()
    response = client.get(f"/strategien/{sample_id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/anmelden")
    assert client.get(f"/strategien/{sample_id}").status_code == 302


def test_session_without_login_time_is_not_accepted(app, sample_id):
    client = login(app.test_client(), 1)
    with client.session_transaction() as session:
        del session["login_at"]
    assert client.get(f"/strategien/{sample_id}").status_code == 302


def test_cookie_expiry_never_slides_past_the_login_time_plus_lifetime(app, sample_id):
    client = app.test_client()
    assert _login(client, ADMIN_USERNAME, ADMIN_PASSWORD).status_code == 302
    login_at = time.time() - 9 * 3600
    with client.session_transaction() as session:
        session["login_at"] = login_at
        session["seen"] = time.time() - 120  # so the session is written again
    response = client.get(f"/strategien/{sample_id}")
    assert response.status_code == 200
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    expires = datetime.strptime(cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
    expires = expires.replace(tzinfo=UTC).timestamp()
    assert abs(expires - (login_at + 10 * 3600)) < 5


def test_users_change_their_own_password(app, sample_id, make_user):
    uid = make_user("erika", roles={1: "lesen"}, password="altes-passwort-1")
    client = app.test_client()
    assert _login(client, "erika", "altes-passwort-1").status_code == 302
    other_device = app.test_client()
    assert _login(other_device, "erika", "altes-passwort-1").status_code == 302
    page = client.get("/passwort")
    assert page.status_code == 200
    assert "Passwort ändern" in page.get_data(as_text=True)
    # the user menu links to it
    assert 'href="/passwort"' in client.get("/").get_data(as_text=True)
    wrong = client.post(
        "/passwort", data={"current": "falsch", "password": "neues-passwort-1", "confirm": "neues-passwort-1"}
    )
    assert wrong.status_code == 422
    assert "Das bisherige Passwort ist falsch." in wrong.get_data(as_text=True)
    mismatch = client.post(
        "/passwort", data={"current": "altes-passwort-1", "password": "neues-passwort-1", "confirm": "anderes"}
    )
    assert mismatch.status_code == 422
    assert "stimmen nicht überein" in mismatch.get_data(as_text=True)
    short = client.post("/passwort", data={"current": "altes-passwort-1", "password": "kurz", "confirm": "kurz"})
    assert short.status_code == 422
    assert "mindestens 10 Zeichen" in short.get_data(as_text=True)
    done = client.post(
        "/passwort", data={"current": "altes-passwort-1", "password": "neues-passwort-1", "confirm": "neues-passwort-1"}
    )
    assert done.status_code == 302
    # this session continues, the other device's ends
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    assert _login(app.test_client(), "erika", "altes-passwort-1").status_code == 422
    assert _login(app.test_client(), "erika", "neues-passwort-1").status_code == 302
    # guessing the current password counts like failed logins
    for _ in range(5):
        client.post("/passwort", data={"current": "geraten", "password": "x" * 12, "confirm": "x" * 12})
    limited = client.post(
        "/passwort",
        data={"current": "neues-passwort-1", "password": "noch-ein-passwort", "confirm": "noch-ein-passwort"},
    )
    assert limited.status_code == 429 and "Zu viele fehlgeschlagene Versuche" in limited.text
    with app.app_context():
        from planner.models.auth import AuditEntry

        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.table_name == "users", AuditEntry.object_id == str(uid))
        ).all()
        assert any(e.field == "password_hash" for e in entries)
        assert all("argon2" not in (e.new or "") for e in entries)


def test_login_verifies_a_hash_for_unknown_and_deactivated_accounts(app, make_user, monkeypatch):
    """Same work for every refusal: the time does not tell whether an account exists or is active."""
    from planner.services import accounts as auth

    make_user("inaktiv", password="ein-passwort-123")
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "inaktiv").values(active=False))
        db.session.commit()
    calls = []
    real = auth.hasher

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, hashed, password):
            calls.append(hashed)
            return real.verify(hashed, password)

    monkeypatch.setattr(auth, "hasher", Spy())
    for username in ("inaktiv", "unbekannt", ADMIN_USERNAME):
        calls.clear()
        response = _login(app.test_client(), username, "ein-passwort-123")
        assert response.status_code == 422
        assert len(calls) == 1, username
        assert calls[0].startswith("$argon2id$")
