"""Backup of a whole organisation and restore into an empty database: lossless, every table covered."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from auth_support import login
from conftest import DATA, STEINFURT, _reset, import_file, run

from planner import models
from planner.extensions import db
from planner.models import Model
from planner.services import backup


def restore_into_empty(app, document: dict) -> dict[str, int]:
    """Empty the app's database and restore `document` into it; the rows per table."""
    with app.app_context():
        _reset(db.engine)
        with db.engine.begin() as conn:
            if conn.dialect.name == "sqlite":  # _reset only creates tables on SQLite: empty them
                for table in reversed(Model.metadata.sorted_tables):
                    conn.execute(table.delete())
        with db.engine.begin() as conn:
            return backup.restore(conn, document)


def test_every_table_of_the_metadata_is_covered():
    plan = backup.coverage()
    missing = [t.name for t in Model.metadata.sorted_tables if t.name not in plan]
    assert missing == [], f"Tabellen ohne Weg in die Sicherung (Fremdschlüssel zur Organisation?): {missing}"
    assert {name for name, how in plan.items() if how == "excluded"} == set(backup.EXCLUDED)
    for name in (
        "organisations",
        "strategies",
        "measures",
        "measure_owners",
        "dependencies",
        "persons",
        "memberships",
        "audit_entries",
        "maturity_assessments",
        "roadmap_baselines",
    ):
        assert plan[name] == "organisation", name
    assert plan["users"] == "referenced"
    assert all(reason for reason in backup.EXCLUDED.values())


def _organisation_a(app, client, tmp_path, make_user) -> int:
    """Steinfurt with a baseline, edits, a member, and Peine's assessments; plus a second organisation."""
    from sweep_support import rich_steinfurt

    sid = import_file(app, rich_steinfurt(tmp_path))
    import_file(app, DATA / "sample.yaml")  # organisation B: must not be in A's backup
    with app.app_context():
        org = db.session.get(models.Strategy, sid).organisation_id
    assert client.post(f"/strategien/{sid}/fahrplan/basisplaene", data={"name": "Basisplan 2023"}).status_code == 302
    make_user("steinfurt-team", roles={org: "bearbeiten"})
    # Peine's result sheets become A's: assessments with levels, funding participations
    peine = import_file(app, STEINFURT.parent / "peine-2024.yaml")
    with app.app_context():
        peine_org = db.session.get(models.Strategy, peine).organisation_id
        for table in Model.metadata.sorted_tables:
            if "organisation_id" in table.c and table.name != "memberships":
                db.session.execute(
                    sa.update(table).where(table.c.organisation_id == peine_org).values(organisation_id=org)
                )
        db.session.commit()
    return org


def _document(app, org: int) -> dict:
    with app.app_context():
        document = backup.export_organisation(db.session.connection(), org)
        db.session.rollback()
    document.pop("exported_at")
    return json.loads(backup.dumps(document))


@pytest.mark.db
def test_backup_restore_round_trip_is_lossless(app, client, tmp_path, make_user):
    org = _organisation_a(app, client, tmp_path, make_user)
    before = _document(app, org)
    tables = before["tables"]
    # everything of A is in it, nothing of B
    for name in (
        "strategies",
        "measures",
        "measure_owners",
        "dependencies",
        "persons",
        "maturity_assessments",
        "maturity_levels",
        "roadmap_baselines",
        "roadmap_baseline_entries",
        "memberships",
        "users",
        "audit_entries",
    ):
        assert tables.get(name), f"{name} fehlt in der Sicherung"
    assert "Gesundheitsamt Musterstadt" not in json.dumps(tables)
    assert {s["organisation_id"] for s in tables["strategies"]} == {org}
    assert len(tables["strategies"]) == 2  # Steinfurt and Peine's (a second strategy/version of A)
    # every table of the organisation that has rows in the database is in the backup with all of them
    with app.app_context():
        conn = db.session.connection()
        for name, rows in backup.collect(conn, org).items():
            assert len(tables[name]) == len(rows), name

    # restore into an empty database
    counts = restore_into_empty(app, before)
    assert counts["measures"] == len(tables["measures"])
    after = _document(app, org)
    assert after == before

    # the restored database goes on working: new rows get fresh ids (PostgreSQL sequences follow)
    new_sid = import_file(app, DATA / "sample.yaml")
    assert new_sid > max(s["id"] for s in tables["strategies"])


@pytest.mark.db
def test_restore_refuses_a_database_that_is_not_empty(app, client, tmp_path, make_user):
    org = _organisation_a(app, client, tmp_path, make_user)
    document = _document(app, org)
    with app.app_context(), db.engine.begin() as conn:
        try:
            backup.restore(conn, document)
        except backup.RestoreError as exc:
            assert "nicht leer" in str(exc)
        else:
            raise AssertionError("restore into a filled database must fail")
    with app.app_context(), db.engine.begin() as conn:
        try:
            backup.restore(conn, {**document, "format": "etwas-anderes"})
        except backup.RestoreError as exc:
            assert "Unbekanntes Format" in str(exc)
        else:
            raise AssertionError("an unknown format must fail")


@pytest.mark.db
def test_backup_download_and_cli_restore(app, client, tmp_path, monkeypatch, client_as):
    sid = import_file(app, DATA / "sample.yaml")
    with app.app_context():
        org = db.session.get(models.Strategy, sid).organisation_id
    response = client.get(f"/verwaltung/organisationen/{org}/sicherung.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    document = response.get_json()
    assert document["format"] == backup.FORMAT
    assert client.get(f"/verwaltung/organisationen/{org}").status_code == 200
    from planner.migrate import upgrade

    path = tmp_path / "sicherung.json"
    path.write_bytes(response.data)
    url = f"sqlite:///{tmp_path / 'wieder.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "x")
    result = run("restore", str(path))
    assert result.exit_code == 0, result.output
    assert "Wiederhergestellt: Gesundheitsamt Musterstadt" in result.output
    again = run("restore", str(path))
    assert again.exit_code == 1 and "nicht leer" in again.output
    out = tmp_path / "zweite.json"
    result = run("backup", "--organisation", str(org), "-o", str(out))
    assert result.exit_code == 0, result.output
    second = json.loads(out.read_text(encoding="utf-8"))
    for doc in (document, second):
        doc.pop("exported_at")
    assert second == document

    # the backup holds the organisation's members, not the administrators: create one after a restore
    result = run("create-admin", "--username", "root", "--password", "ein-langes-passwort")
    assert result.exit_code == 0, result.output
    from planner import create_app

    restored = create_app({"SQLALCHEMY_ENGINES": {"default": url}, "TESTING": True})
    restored_client = login(restored.test_client(), 1)
    assert restored_client.get(f"/strategien/{sid}").status_code == 200
    with restored.app_context():
        db.engine.dispose()
