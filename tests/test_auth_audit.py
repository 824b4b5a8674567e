"""The audit trail: every kind of change named in the issue is recorded (who, when, field, old, new)
and shown as Verlauf on the object."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from auth_support import form_data

from planner import models
from planner.extensions import db
from planner.models.auth import AuditEntry
from planner.services import audit, verlauf

pytestmark = pytest.mark.db


def entries(app, **where) -> list[AuditEntry]:
    with app.app_context():
        query = sa.select(AuditEntry).order_by(AuditEntry.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEntry, name) == value)
        return list(db.session.scalars(query))


def measure_id(app, sid: int, key: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(models.Measure.id).where(models.Measure.strategy_id == sid, models.Measure.key == key)
        )


def test_strategy_edit_is_recorded_with_who_when_field_old_new(client, app, sample_id):
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    data = form_data(client.get(f"/strategien/{sample_id}/bearbeiten").get_data(as_text=True))
    data["vision"] = "Wir sind das digitalste Gesundheitsamt."
    assert client.post(f"/strategien/{sample_id}/bearbeiten", data=data).status_code == 302
    [entry] = entries(app, table_name="strategies", object_id=str(sample_id), action="update", field="vision")
    assert entry.username == "admin" and entry.user_id == 1
    assert entry.at >= before
    assert entry.old == "Wir sind ein digitales, bürgernahes Gesundheitsamt."
    assert entry.new == "Wir sind das digitalste Gesundheitsamt."
    assert entry.organisation_id is not None
    # shown as Verlauf on the strategy page
    page = client.get(f"/strategien/{sample_id}").get_data(as_text=True)
    assert "Verlauf" in page and "Wir sind das digitalste Gesundheitsamt." in page


def test_measure_edit_owner_change_and_delete_are_recorded(client, app, sample_id):
    mid = measure_id(app, sample_id, "konzept")
    url = f"/strategien/{sample_id}/massnahmen/konzept"
    data = form_data(client.get(url + "/bearbeiten").get_data(as_text=True))
    data["title"] = "Schulungskonzept 2.0"
    data["owners"] = "Annika Feldhues (Lead)\nIT-Service (Support)"
    assert client.post(url + "/bearbeiten", data=data).status_code == 302
    [title] = entries(app, table_name="measures", object_id=str(mid), field="title", action="update")
    assert (title.old, title.new) == ("Entwicklung eines Schulungskonzepts", "Schulungskonzept 2.0")
    deleted = [e for e in entries(app, table_name="measure_owners", action="delete")]
    assert deleted and all(f"|measures:{mid}|" in e.path for e in deleted)
    added = [e for e in entries(app, table_name="measure_owners", action="insert", username="admin")]
    assert added and all(f"|measures:{mid}|" in e.path for e in added)
    page = client.get(url).get_data(as_text=True)
    assert "Schulungskonzept 2.0" in page and "Verantwortliche(r)" in page
    # the Verlauf names the person, not an id
    history = client.get(f"/verwaltung/verlauf/measures/{mid}").get_data(as_text=True)
    assert "IT-Service" in history
    # deleting keeps the old values in the trail
    assert client.post(f"/strategien/{sample_id}/massnahmen/awareness/loeschen").status_code == 302
    deleted = [e for e in entries(app, table_name="measures", action="delete") if e.field == "title"]
    assert [e.old for e in deleted] == ["Entwicklung eines Awareness-Konzepts"]


def test_dependency_add_and_remove_are_recorded(client, app, sample_id):
    url = f"/strategien/{sample_id}/massnahmen/awareness"
    assert client.post(url + "/abhaengigkeiten", data={"dep-prerequisite": "schulungen"}).status_code == 302
    awareness, schulungen = measure_id(app, sample_id, "awareness"), measure_id(app, sample_id, "schulungen")
    added = entries(app, table_name="dependencies", action="insert", username="admin")
    assert {(e.field, e.new) for e in added} == {("prerequisite_id", str(schulungen)), ("dependent_id", str(awareness))}
    assert client.post(url + "/abhaengigkeiten/schulungen/entfernen").status_code == 302
    removed = entries(app, table_name="dependencies", action="delete", username="admin")
    assert {(e.field, e.old) for e in removed} == {
        ("prerequisite_id", str(schulungen)),
        ("dependent_id", str(awareness)),
    }
    history = client.get(f"/verwaltung/verlauf/measures/{awareness}").get_data(as_text=True)
    assert "Abhängigkeit" in history and "Nichttechnische und technische Schulungen" in history


def test_organisation_changes_are_recorded(app, sample_id, client):
    with app.app_context():
        org = db.session.scalar(sa.select(models.Organisation))
        org.name = "Gesundheitsamt Musterstadt-Land"
        db.session.commit()
        org_id = org.id
    [entry] = entries(app, table_name="organisations", action="update")
    assert (entry.field, entry.old, entry.new) == (
        "name",
        "Gesundheitsamt Musterstadt",
        "Gesundheitsamt Musterstadt-Land",
    )
    assert entry.username == "System"  # no request: the command line or a script
    assert client.get(f"/verwaltung/verlauf/organisations/{org_id}").status_code == 200


def _model(table: str):
    cls = audit.class_of_table().get(table)
    assert cls is not None, f"Tabelle {table} fehlt: ihr Verlauf kann nicht geprüft werden"
    return cls


def test_assessment_changes_are_recorded(app, client):
    from conftest import ROOT, import_file

    import_file(app, ROOT / "strategies" / "peine-2024.yaml")
    cls = _model("maturity_assessments")
    with app.app_context():
        assessment = db.session.scalar(sa.select(cls).order_by(cls.id))
        old_note = assessment.note
        assessment.note = "Nachgemessen"
        level = assessment.levels[0]
        old_level, level.level = level.level, 4
        db.session.commit()
        aid, lid = assessment.id, level.id
    [note] = entries(app, table_name="maturity_assessments", object_id=str(aid), field="note", action="update")
    assert (note.old or "", note.new) == (old_note or "", "Nachgemessen")
    [lvl] = entries(app, table_name="maturity_levels", object_id=str(lid), action="update")
    assert (lvl.field, lvl.old, lvl.new) == ("level", None if old_level is None else str(old_level), "4")
    assert f"|maturity_assessments:{aid}|" in lvl.path
    assert "Nachgemessen" in client.get(f"/verwaltung/verlauf/maturity_assessments/{aid}").get_data(as_text=True)


def test_evaluation_changes_are_recorded(app, client, sample_id):
    cls = _model("verstetigung_evaluations")
    table = cls.__table__
    text_columns = [c for c in table.columns if isinstance(c.type, sa.Text) and not c.foreign_keys]
    assert text_columns, "Evaluationen ohne Textfeld?"
    with app.app_context():
        evaluation = db.session.scalar(sa.select(cls))
        if evaluation is None:  # through the strategy file's evaluations section
            import yaml
            from conftest import DATA

            from planner.formats.strategy_file import load_strategy
            from planner.services.whole_strategy import import_strategy

            data = yaml.safe_load((DATA / "sample.yaml").read_text(encoding="utf-8"))
            data["organisation"]["name"] = "Gesundheitsamt Evaluation"
            data["evaluations"] = [
                {
                    "subject": "konzept",
                    "kind": "prozess",
                    "date": "2024-06-12",
                    "by": "Annika Feldhues",
                    "done": "ja",
                    "went_well": "Gute Beteiligung",
                }
            ]
            import_strategy(db.session, load_strategy(yaml.safe_dump(data, allow_unicode=True)))
            db.session.commit()
            evaluation = db.session.scalar(sa.select(cls))
        column = next(c for c in text_columns if c.name == "went_well") if "went_well" in table.c else text_columns[0]
        key = sa.inspect(cls).get_property_by_column(column).key
        old = getattr(evaluation, key)
        setattr(evaluation, key, "Nach der Änderung")
        db.session.commit()
        eid = evaluation.id
    # besides the field, the evaluation's lock_version moves on (the edit-conflict check, issue 23)
    updates = entries(app, table_name="verstetigung_evaluations", object_id=str(eid), action="update")
    [entry] = [e for e in updates if e.field != "lock_version"]
    assert (entry.field, entry.old or "", entry.new) == (column.name, old or "", "Nach der Änderung")
    assert entry.organisation_id is not None
    with app.app_context():
        db.session.delete(db.session.get(cls, eid))
        db.session.commit()
    assert entries(app, table_name="verstetigung_evaluations", object_id=str(eid), action="delete")


def test_history_of_another_organisation_is_404(client_as, app, sample_id, client):
    with app.app_context():
        org_id = db.session.scalar(sa.select(models.Organisation.id))
        other = models.Organisation(name="Anderes Amt")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    outsider = client_as({other_id: "verwalten"})
    assert outsider.get(f"/verwaltung/verlauf/strategies/{sample_id}").status_code == 404
    assert outsider.get(f"/verwaltung/verlauf/organisations/{org_id}").status_code == 404
    assert outsider.get("/verwaltung/verlauf/users/1").status_code == 404  # accounts: administrators only
    member = client_as({org_id: "lesen"})
    assert member.get(f"/verwaltung/verlauf/strategies/{sample_id}").status_code == 200
    assert client.get("/verwaltung/verlauf/strategies/999999").status_code == 404


def test_passwords_never_reach_the_trail(client, app):
    client.post(
        "/verwaltung/benutzer/neu", data={"username": "erika", "password": "ein-sehr-geheimes-passwort", "active": "y"}
    )
    values = [(e.old, e.new) for e in entries(app, table_name="users", field="password_hash")]
    assert values and all(v in (None, "***") for pair in values for v in pair)


def test_verlauf_shows_roles_and_status_with_their_german_labels(client, sample_id):
    page = client.get(f"/strategien/{sample_id}/massnahmen/awareness").text
    assert "Rolle: Lead" in page
    assert "Rolle: lead" not in page
    assert verlauf.display("in_umsetzung", "status", {}) == "in Umsetzung"
    assert verlauf.display("support", "role", {}) == "Support"
    assert verlauf.display("lesen", "role", {}) == "lesen"


def test_the_trail_of_a_flush_loads_no_second_copy_of_what_it_inserted(app):
    """The trail finds a new row's parents among the objects the same flush inserted: loading one of
    them again inside ``after_flush`` would put a second copy in the identity map (a warning that,
    on PostgreSQL, failed imports whenever the garbage collector had not yet run)."""
    import warnings

    from conftest import STEINFURT

    from planner.formats.strategy_file import load_strategy
    from planner.services.whole_strategy import import_strategy

    with app.app_context():
        loaded: list = []
        real_get = db.session.get

        def keep(*args, **kwargs):  # hold what is loaded, as an uncollected reference cycle would
            found = real_get(*args, **kwargs)
            loaded.append(found)
            return found

        with warnings.catch_warnings():
            warnings.simplefilter("error", sa.exc.SAWarning)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(db.session, "get", keep)
                row = import_strategy(db.session, load_strategy(STEINFURT.read_text(encoding="utf-8")))
        db.session.commit()
        assert db.session.get(models.Strategy, row.id).measures
