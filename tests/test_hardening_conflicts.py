"""Issue 23, defects 6 and 7, one request after the other (SQLite and PostgreSQL): every edit form
carries the version it was filled from, so an older form no longer overwrites a newer save; an
application name exists once per office with case ignored, in the database too.

The same write paths at the same moment on a live PostgreSQL: tests/test_hardening_concurrency.py."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
from conftest import DATA, PEINE, STEINFURT, form_data, import_file
from sqlalchemy.exc import IntegrityError

from planner import models
from planner.domain.landscape import Application
from planner.extensions import db
from planner.formats.landscape_file import landscape_to_csv
from planner.migrate import upgrade
from planner.models.land import Application as ApplicationRow
from planner.models.maturity import MaturityAssessment
from planner.services import landscape

CONFLICT = "Jemand anderes hat diesen Datensatz inzwischen geändert"


@pytest.fixture
def steinfurt(app):
    app.config["TODAY"] = "2026-11-30"
    return import_file(app, STEINFURT)


@pytest.fixture
def peine_id(app) -> int:
    return import_file(app, PEINE)


def _form(client, url: str) -> dict:
    return form_data(client.get(url).get_data(as_text=True))


def _two_old_forms(client, url: str, first: dict, second: dict):
    """A and B open the same form; A saves `first`; B then saves `second` from the older form."""
    a, b = _form(client, url), _form(client, url)
    assert a["lock_version"] == b["lock_version"] != ""
    saved = client.post(url, data=a | first)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    return client.post(url, data=b | second)


@pytest.mark.db
def test_an_older_review_meeting_form_does_not_overwrite_a_newer_save(client, steinfurt):
    """Defect 6: date, participants and minutes saved by A stay; B gets the German conflict message
    with B's input still in the form."""
    url = client.post(f"/strategien/{steinfurt}/strategiereviews/vorbereiten").headers["Location"]
    late = _two_old_forms(
        client,
        url,
        {"held_on": "20.11.2026", "participants": "Strategieteam, Amtsleitung", "minutes": "Protokoll von A"},
        {"held_on": "21.11.2026", "participants": "nur B", "minutes": "Protokoll von B"},
    )
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and CONFLICT in text
    assert "Protokoll von B" in text and "„20.11.2026“ (von admin" in text  # B's input, and what A saved
    stored = _form(client, url)
    assert stored["minutes"] == "Protokoll von A" and stored["held_on"] == "20.11.2026"
    # B's form now carries the current version: sent again, B's input is saved deliberately
    again = form_data(text)
    assert again["minutes"] == "Protokoll von B"
    assert client.post(url, data=again).status_code == 302
    assert _form(client, url)["minutes"] == "Protokoll von B"


@pytest.mark.db
def test_an_older_review_form_with_other_decisions_only_is_refused_too(client, steinfurt):
    """Defect 6: the decisions are part of the meeting's record: a save that changed only them is a version."""
    url = client.post(f"/strategien/{steinfurt}/strategiereviews/vorbereiten").headers["Location"]
    a, b = _form(client, url), _form(client, url)
    note = next(k for k in a if k.startswith("n_"))
    assert client.post(url, data=a | {note: "Notiz von A"}).status_code == 302
    late = client.post(url, data=b | {note: "Notiz von B"})
    assert late.status_code == 422 and CONFLICT in late.get_data(as_text=True)
    assert _form(client, url)[note] == "Notiz von A"


@pytest.mark.db
def test_an_older_evaluation_correction_does_not_overwrite_a_newer_one(client, steinfurt):
    """Defect 6: two corrections of one evaluation from the same state: the second is refused."""
    base = f"/strategien/{steinfurt}"
    data = _form(client, f"{base}/massnahmen/whiteboard-tool/evaluation")
    data.update(performed="01.11.2026", by="Annika Feldhues", went_well="Schnell eingeführt", outcome="fortfuehren")
    created = client.post(f"{base}/massnahmen/whiteboard-tool/evaluation", data=data)
    ev_id = created.headers["Location"].rstrip("/").split("/")[-1]
    fix = f"{base}/evaluationen/{ev_id}/korrektur"
    late = _two_old_forms(client, fix, {"went_well": "Korrektur von A"}, {"went_well": "Korrektur von B"})
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and CONFLICT in text and "Korrektur von B" in text
    assert _form(client, fix)["went_well"] == "Korrektur von A"
    # a correction without a version is refused, never saved unchecked
    bare = {k: v for k, v in _form(client, fix).items() if k != "lock_version"}
    refused = client.post(fix, data=bare | {"went_well": "ohne Stand"})
    assert refused.status_code == 422 and "keinen gültigen Bearbeitungsstand" in refused.get_data(as_text=True)
    assert _form(client, fix)["went_well"] == "Korrektur von A"


@pytest.mark.db
def test_an_older_maturity_assessment_form_does_not_overwrite_a_newer_save(app, client, peine_id):
    """Defect 6: a change of a result sheet carries its version; a change of levels only is a version too."""
    with app.app_context():
        first_id = db.session.scalar(
            sa.select(MaturityAssessment.id).order_by(MaturityAssessment.assessed_on, MaturityAssessment.id)
        )
    url = f"/strategien/{peine_id}/reifegrad/messungen/{first_id}/bearbeiten"
    late = _two_old_forms(client, url, {"sub_16": "3"}, {"sub_16": "1", "note": "Notiz von B"})
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and CONFLICT in text and "Notiz von B" in text
    assert _form(client, url)["sub_16"] == "3"


@pytest.mark.db
def test_an_older_person_form_does_not_overwrite_a_newer_save(app, client, steinfurt):
    """Defect 6: a person's name, kind and linked login: an older form is refused."""
    with app.app_context():
        person = db.session.scalar(sa.select(models.Person).where(models.Person.name == "IT-Service"))
        url = f"/verwaltung/organisationen/{person.organisation_id}/personen/{person.id}"
    late = _two_old_forms(client, url, {"kind": "einheit"}, {"name": "IT-Service (B)"})
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and CONFLICT in text and 'value="IT-Service (B)"' in text
    assert _form(client, url)["name"] == "IT-Service" and _form(client, url)["kind"] == "einheit"


@pytest.mark.db
def test_an_older_targets_form_does_not_overwrite_newer_targets(app, client, peine_id):
    """Defect 6: the target stages are part of the strategy: an older form is refused, B's choice
    stays in the form, and the strategy's own edit form filled before sees the change too."""
    url = f"/strategien/{peine_id}/reifegrad/ziele"
    strategy_form = _form(client, f"/strategien/{peine_id}/bearbeiten")
    late = _two_old_forms(client, url, {"sub_0": "4"}, {"sub_1": "2"})
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and CONFLICT in text
    assert form_data(text)["sub_1"] == "2"  # B's choice is kept
    stored = _form(client, url)
    assert stored["sub_0"] == "4" and stored["sub_1"] == "3"
    # sent again with the current version, B's choice is saved deliberately
    assert client.post(url, data=form_data(text)).status_code == 302
    assert _form(client, url)["sub_1"] == "2"
    late_edit = client.post(f"/strategien/{peine_id}/bearbeiten", data=strategy_form | {"title": "Neu"})
    assert late_edit.status_code == 422 and CONFLICT in late_edit.get_data(as_text=True)


@pytest.mark.db
def test_an_older_account_form_does_not_overwrite_a_newer_save_but_a_login_is_no_change(app, client):
    """Defect 6: two administrators change one account; the older form is refused with B's input
    kept. The account's own login in between is not a change of the account."""
    from auth_support import create_user

    user_id = create_user(app, "kollegin", display_name="Kollegin")
    url = f"/verwaltung/benutzer/{user_id}"
    a, b = _form(client, url), _form(client, url)
    login = app.test_client().post("/anmelden", data={"username": "kollegin", "password": "geheimes-passwort"})
    assert login.status_code == 302
    assert client.post(url, data=a | {"display_name": "Kollegin A"}).status_code == 302  # the login changed nothing
    late = client.post(url, data=b | {"display_name": "Kollegin B"})
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and CONFLICT in text and 'value="Kollegin B"' in text
    assert _form(client, url)["display_name"] == "Kollegin A"
    # sent again with the current version, B's name is saved deliberately
    assert client.post(url, data=form_data(text)).status_code == 302
    assert _form(client, url)["display_name"] == "Kollegin B"


def _sample_org(app) -> int:
    sid = import_file(app, DATA / "sample.yaml")
    with app.app_context():
        return db.session.get(models.Strategy, sid).organisation_id


@pytest.mark.db
def test_an_older_application_form_does_not_overwrite_a_newer_save(app, client):
    """Defect 6: the Applikationslandkarte's edit form carries its version too."""
    org = _sample_org(app)
    base = f"/organisationen/{org}/applikationslandkarte"
    new = {"name": "InfektA", "vendor": "Muster AG", "operation": "cloud", "state": "im_einsatz"}
    assert client.post(f"{base}/neu", data=new).status_code == 302
    with app.app_context():
        app_id = db.session.scalar(sa.select(ApplicationRow.id))
    url = f"{base}/{app_id}/bearbeiten"
    late = _two_old_forms(client, url, {"vendor": "Hersteller von A"}, {"vendor": "Hersteller von B"})
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and CONFLICT in text and 'value="Hersteller von B"' in text
    assert _form(client, url)["vendor"] == "Hersteller von A"


@pytest.mark.db
def test_the_database_refuses_a_case_variant_of_an_application_name(app):
    """Defect 7: the constraint is the rule of the form and the import: case ignored."""
    org = _sample_org(app)
    with app.app_context():
        db.session.add(ApplicationRow(organisation_id=org, name="Case-App-2"))
        db.session.commit()
        db.session.add(ApplicationRow(organisation_id=org, name="CASE-APP-2"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # inserts past the ORM (demo data, backups) get the same key
        db.session.execute(sa.insert(ApplicationRow), [{"organisation_id": org, "name": "Andere-App"}])
        with pytest.raises(IntegrityError):
            db.session.execute(sa.insert(ApplicationRow), [{"organisation_id": org, "name": " andere-app"}])
        db.session.rollback()


def _stale_once(monkeypatch, name: str, stale) -> None:
    """The service function `name` answers `stale` on its first call (read before another request's
    save committed), then as usual: the race, one request after the other."""
    real, calls = getattr(landscape, name), []

    def once(*args, **kwargs):
        calls.append(1)
        return stale if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(landscape, name, once)


@pytest.mark.db
def test_a_case_variant_saved_in_between_gets_the_german_form_error(app, client, monkeypatch):
    """Defect 7: when another save took the name after the form's check (a race), the constraint
    refuses it, the view runs again (web/errors.retry_on_conflict) and its check names the clash,
    with the input kept; no 500."""
    org = _sample_org(app)
    base = f"/organisationen/{org}/applikationslandkarte"
    assert (
        client.post(f"{base}/neu", data={"name": "Case-App-2", "operation": "cloud", "state": "geplant"}).status_code
        == 302
    )
    _stale_once(monkeypatch, "name_taken", False)
    late = client.post(
        f"{base}/neu", data={"name": "case-app-2", "vendor": "Spät AG", "operation": "cloud", "state": "geplant"}
    )
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and "Die Anwendung „case-app-2“ ist schon erfasst." in text
    assert 'value="Spät AG"' in text
    with app.app_context():
        assert db.session.scalars(sa.select(ApplicationRow.name)).all() == ["Case-App-2"]
        other_id = landscape.save(db.session, org, Application("Zweite", "", "", "cloud", [], "geplant")).id
        db.session.commit()
    _stale_once(monkeypatch, "name_taken", False)
    renamed = client.post(
        f"{base}/{other_id}/bearbeiten",
        data=_form(client, f"{base}/{other_id}/bearbeiten") | {"name": "CASE-APP-2"},
    )
    assert renamed.status_code == 422 and "ist schon erfasst" in renamed.get_data(as_text=True)
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(ApplicationRow.name))) == ["Case-App-2", "Zweite"]


def test_the_migration_keeps_stored_case_variants_under_distinct_names(tmp_path):
    """Defect 7: case variants stored before the constraint are renamed, not lost."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0007_h13_land")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO organisations (id, name, created_at) VALUES (1, 'Amt', '2026-01-01')"))
        for i, name in enumerate(["Case-App-2", "CASE-APP-2", "case-app-2", "Andere"], start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO applications (id, organisation_id, name, vendor, task_area, operation, interfaces,"
                    " state, created_at) VALUES (:i, 1, :n, '', '', 'cloud', '[]', 'geplant', '2026-01-01')"
                ),
                {"i": i, "n": name},
            )
    upgrade(url)
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT name, name_key, lock_version FROM applications ORDER BY id")).all()
    engine.dispose()
    assert names == [
        ("Case-App-2", "case-app-2", 1),
        ("CASE-APP-2 (Dublette 2)", "case-app-2 (dublette 2)", 1),
        ("case-app-2 (Dublette 3)", "case-app-2 (dublette 3)", 1),
        ("Andere", "andere", 1),
    ]


@pytest.mark.db
def test_a_file_import_that_loses_a_name_race_updates_the_other_save(app, client, monkeypatch):
    """Defect 7: an import read the landscape before another save added a case variant of one of its
    names: the constraint refuses the insert, the import runs again and updates that application
    (matched with case ignored, as always) instead of adding a second one."""
    org = _sample_org(app)
    base = f"/organisationen/{org}/applikationslandkarte"
    assert (
        client.post(f"{base}/neu", data={"name": "Case-App-2", "operation": "cloud", "state": "geplant"}).status_code
        == 302
    )
    _stale_once(monkeypatch, "rows", [])
    data = landscape_to_csv(
        [
            Application("Neu-App", "", "", "cloud", [], "geplant"),
            Application("CASE-APP-2", "", "", "cloud", [], "geplant"),
        ]
    )
    answer = client.post(
        f"{base}/importieren", data={"file": (io.BytesIO(data), "karte.csv")}, content_type="multipart/form-data"
    )
    assert answer.status_code == 302
    assert "1 neu, 1 geändert" in client.get(answer.location).get_data(as_text=True)
    assert landscape.rows.__name__ == "once"  # the import did read through the stale function
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(ApplicationRow.name))) == ["CASE-APP-2", "Neu-App"]


@pytest.mark.db
def test_a_backup_from_before_the_new_columns_restores_with_their_defaults(app, client):
    """Defects 6 and 7 add columns (lock_version, name_key): a backup written before them still
    restores; the new columns take their defaults (version 1, the key made from the name)."""
    from test_auth_backup import restore_into_empty

    from planner.services import backup

    org = _sample_org(app)
    client.post(
        f"/organisationen/{org}/applikationslandkarte/neu",
        data={"name": "InfektA", "operation": "cloud", "state": "geplant"},
    )
    with app.app_context():
        document = json.loads(backup.dumps(backup.export_organisation(db.session.connection(), org)))
        db.session.rollback()
    for row in document["tables"]["applications"]:
        del row["name_key"], row["lock_version"]
    restore_into_empty(app, document)
    with app.app_context():
        row = db.session.scalar(sa.select(ApplicationRow))
        assert (row.name, row.name_key, row.lock_version) == ("InfektA", "infekta", 1)
