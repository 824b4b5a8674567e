"""Issue 10, defect 4: an organisation's backup carries no password hashes."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from auth_support import ADMIN_PASSWORD, ADMIN_USERNAME, ensure_admin, login
from conftest import DATA, import_file, run

from planner import create_app, models
from planner.extensions import db
from planner.models.auth import Membership, User
from planner.services import backup

pytestmark = pytest.mark.db


def test_organisation_backup_holds_no_password_hashes(app, client_as, make_user, tmp_path, monkeypatch):
    sid = import_file(app, DATA / "sample.yaml")
    admin_id = ensure_admin(app)
    with app.app_context():
        org = db.session.get(models.Strategy, sid).organisation_id
        db.session.add(Membership(user_id=admin_id, organisation_id=org, role="lesen"))  # the admin holds a role
        db.session.commit()
    manager = make_user("leitung", roles={org: "verwalten"})
    make_user("team", roles={org: "bearbeiten"})
    response = client_as(user_id=manager).get(f"/verwaltung/organisationen/{org}/sicherung.json")
    assert response.status_code == 200
    assert "$argon2" not in response.text
    document = response.get_json()
    users = {u["username"]: u for u in document["tables"]["users"]}
    assert {ADMIN_USERNAME, "leitung", "team"} <= set(users)
    assert all(u["password_hash"] == "" for u in users.values())
    assert document["password_hashes"] is False
    assert sorted(backup.accounts_without_password(document)) == sorted(users)

    # the command line, run by the server's operator, can include them on request

    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_ENGINES"]["default"])
    monkeypatch.setenv("SECRET_KEY", "x")
    plain, with_hashes = tmp_path / "ohne.json", tmp_path / "mit.json"
    assert run("backup", "--organisation", str(org), "-o", str(plain)).exit_code == 0
    assert "$argon2" not in plain.read_text(encoding="utf-8")
    result = run("backup", "--organisation", str(org), "-o", str(with_hashes), "--password-hashes")
    assert result.exit_code == 0, result.output
    assert json.loads(with_hashes.read_text(encoding="utf-8"))["tables"]["users"][0]["password_hash"].startswith(
        "$argon2"
    )

    # restored without hashes: nobody logs in with the old password until a new one is set
    from planner.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'wieder.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    result = run("restore", str(plain))
    assert result.exit_code == 0, result.output
    assert "Konten ohne Passwort" in result.output and "planner create-admin --username NAME" in result.output
    restored = create_app({"SQLALCHEMY_ENGINES": {"default": url}, "TESTING": True, "WTF_CSRF_ENABLED": False})
    try:
        response = restored.test_client().post(
            "/anmelden", data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 422
        result = run("create-admin", "--username", ADMIN_USERNAME, "--password", ADMIN_PASSWORD)
        assert result.exit_code == 0, result.output
        response = restored.test_client().post(
            "/anmelden", data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 302
        with restored.app_context():
            team_id = db.session.scalar(sa.select(User.id).where(User.username == "team"))
        admin = login(restored.test_client(), admin_id, session_version=2)
        page = admin.get(f"/verwaltung/benutzer/{team_id}")
        assert page.status_code == 200 and "Dieses Konto hat kein Passwort" in page.text
    finally:
        with restored.app_context():
            db.engine.dispose()
