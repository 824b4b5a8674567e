"""Issue 23 ("Hardening round 2"): small defects of the command line, the bundled data and the
accounts (defects 11 and 12); the kept forms (defect 5) and double submits (defect 8)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from auth_support import form_data, login
from conftest import ROOT, domain, run, version_of

from planner import models
from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.migrate import upgrade
from planner.models.auth import User
from planner.models.session import KeptForm
from planner.services import tokens


def test_db_upgrade_says_what_it_did(tmp_path: Path, monkeypatch):
    """Defect 12: a new database is created, an old one updated, a current one left alone."""
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    created = run("db", "upgrade")
    assert created.exit_code == 0, created.output
    assert created.output.startswith("Datenbank angelegt (Schema-Version "), created.output
    assert "0005_auth" not in created.output  # the versions it stands at now, not the ones passed
    again = run("db", "upgrade")
    assert again.output.startswith("Datenbank ist auf dem neuesten Stand (Schema-Version "), again.output

    old = tmp_path / "old.db"
    upgrade(f"sqlite:///{old}", "0001")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{old}")
    updated = run("db", "upgrade")
    assert updated.output.startswith("Datenbank aktualisiert von Schema-Version 0001 auf "), updated.output


def test_no_bundled_strategy_repeats_its_version_in_its_title():
    """Defect 12: pages show „Titel (Version)“; a title that already ends with its version read
    „Landesmaßnahmen Digitalisierung ÖGD (Beispiel) (Beispiel)“."""
    files = [*(ROOT / "strategies").glob("*.yaml"), *(ROOT / "planner" / "data").glob("*.yaml")]
    assert any(f.name == "landesstelle-beispiel.yaml" for f in files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        if "format: planner-strategy/" not in text:
            continue
        strategy = load_strategy(text)
        if strategy.version:
            assert not strategy.title.endswith(f"({strategy.version})"), path.name


def _tokens_of(app, user_id: int) -> tuple[str, str]:
    """A new API token and a new calendar token of the user: (API secret, feed address)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        _, api = tokens.create(db.session, user, "api", "Skript")
        _, feed = tokens.create(db.session, user, "kalender", "Outlook")
        db.session.commit()
    return api, f"/kalender/{feed}.ics"


def _works(anonymous_client, api: str, feed: str) -> tuple[int, int]:
    by_api = anonymous_client.get("/api/v1/strategien", headers={"Authorization": f"Bearer {api}"}).status_code
    return by_api, anonymous_client.get(feed).status_code


@pytest.mark.db
def test_a_password_reset_by_an_administrator_revokes_the_tokens(app, client, anonymous_client, make_user):
    """Defect 11: API and calendar tokens no longer work after an administrator set a new password."""
    uid = make_user("erika", roles={})
    api, feed = _tokens_of(app, uid)
    assert _works(anonymous_client, api, feed) == (200, 200)
    edit = client.get(f"/verwaltung/benutzer/{uid}")
    assert "widerruft seine API- und Kalender-Tokens" in edit.text  # said before the reset
    version = version_of(client, f"/verwaltung/benutzer/{uid}")
    saved = client.post(
        f"/verwaltung/benutzer/{uid}",
        data={
            "username": "erika",
            "display_name": "Erika",
            "password": "neues-passwort-1",
            "active": "y",
            "lock_version": version,
        },
        follow_redirects=True,
    )
    assert "2 API- und Kalender-Tokens widerrufen" in saved.text, saved.text
    assert _works(anonymous_client, api, feed) == (401, 404)
    # saving without a new password leaves new tokens alone
    api, feed = _tokens_of(app, uid)
    version = version_of(client, f"/verwaltung/benutzer/{uid}")
    kept = client.post(
        f"/verwaltung/benutzer/{uid}",
        data={"username": "erika", "display_name": "E.", "active": "y", "lock_version": version},
    )
    assert kept.status_code == 302
    assert _works(anonymous_client, api, feed) == (200, 200)


@pytest.mark.db
def test_a_users_own_password_change_offers_to_revoke_the_tokens(app, make_user, anonymous_client):
    """Defect 11: a checkbox on the password page; unticked the tokens stay, ticked they go."""
    uid = make_user("erika", roles={}, password="altes-passwort-1")
    api, feed = _tokens_of(app, uid)
    own = login(app.test_client(), uid)
    assert "Auch meine API- und Kalender-Tokens widerrufen" in own.get("/passwort").text
    own.post(
        "/passwort", data={"current": "altes-passwort-1", "password": "neues-passwort-1", "confirm": "neues-passwort-1"}
    )
    assert _works(anonymous_client, api, feed) == (200, 200)
    with app.app_context():
        version = db.session.get(User, uid).session_version
    own = login(app.test_client(), uid, version)
    changed = own.post(
        "/passwort",
        data={
            "current": "neues-passwort-1",
            "password": "drittes-passwort",
            "confirm": "drittes-passwort",
            "revoke_tokens": "y",
        },
        follow_redirects=True,
    )
    assert "Widerrufene Tokens: 2." in changed.text, changed.text
    assert _works(anonymous_client, api, feed) == (401, 404)


# --- defect 5: kept forms ---------------------------------------------------------------------

SAME_SITE = {"Referer": "http://localhost/strategien/1/bearbeiten"}


def _kept(app) -> list[KeptForm]:
    with app.app_context():
        return list(db.session.scalars(sa.select(KeptForm).order_by(KeptForm.id)))


def _idle(client) -> None:
    """The client's session has been idle for longer than the limit (an hour and a minute)."""
    with client.session_transaction() as session:
        session["seen"] = time.time() - 3660


@pytest.mark.db
def test_a_request_without_a_session_keeps_nothing(app, anonymous_client, sample_id):
    """Defect 5: no cookie, a forged same-site Referer, a token and 4 MB of fields: nothing is stored."""
    big = {f"feld{i}": "x" * 400_000 for i in range(10)}
    answer = anonymous_client.post(
        f"/strategien/{sample_id}/bearbeiten", data={"csrf_token": "x", **big}, headers=SAME_SITE
    )
    assert answer.status_code == 302 and "wiederherstellen" not in answer.location
    small = anonymous_client.post(
        f"/strategien/{sample_id}/bearbeiten", data={"csrf_token": "x", "budget": "999999"}, headers=SAME_SITE
    )
    assert "wiederherstellen" not in small.location
    assert _kept(app) == []


@pytest.mark.db
def test_a_form_of_an_expired_session_is_kept_for_its_user_only(app, make_user, sample_id):
    """Defect 5: an idle session's form is kept under its user, restored for that user alone,
    and a form larger than any of planner's is not kept."""
    erika, max_ = make_user("erika", is_admin=True), make_user("max", is_admin=True)
    page = f"/strategien/{sample_id}/bearbeiten"
    own = login(app.test_client(), erika)
    _idle(own)
    sent = own.post(page, data={"csrf_token": "x", "title": "Entwurf"}, headers={"Referer": f"http://localhost{page}"})
    assert "wiederherstellen" in sent.location
    [kept] = _kept(app)
    assert kept.user_id == erika
    restore = f"{page}?wiederherstellen={kept.token}"
    assert "Entwurf" not in login(app.test_client(), max_).get(restore).text
    assert len(_kept(app)) == 1  # not handed to the wrong user, still there for the right one
    assert "Entwurf" in login(app.test_client(), erika).get(restore).text
    # a session ended on another device (its counter is old) still names its user
    ended = login(app.test_client(), erika, session_version=0)
    sent = ended.post(
        page, data={"csrf_token": "x", "title": "Zweiter"}, headers={"Referer": f"http://localhost{page}"}
    )
    assert "wiederherstellen" in sent.location
    assert [k.user_id for k in _kept(app)] == [erika]
    with app.app_context():
        db.session.execute(sa.delete(KeptForm))
        db.session.commit()

    again = login(app.test_client(), erika)
    _idle(again)
    huge = again.post(
        page, data={"csrf_token": "x", "title": "y" * 600_000}, headers={"Referer": f"http://localhost{page}"}
    )
    assert "wiederherstellen" not in huge.location
    assert _kept(app) == []


@pytest.mark.db
def test_a_kept_form_without_a_user_is_never_restored(app, client, sample_id):
    """Defect 5: rows of the old code without a user give nobody their values."""
    page = f"/strategien/{sample_id}/bearbeiten"
    with app.app_context():
        db.session.add(KeptForm(token="t" * 20, user_id=None, path=page, data=json.dumps([["budget", "999999"]])))
        db.session.commit()
    assert "999999" not in client.get(f"{page}?wiederherstellen={'t' * 20}").text


# --- defect 8: a creating form sent twice ------------------------------------------------------

SENT_TWICE = "Dieses Formular wurde bereits gesendet und gespeichert"


def _new_measure_form(client, sid: int) -> dict:
    form = form_data(client.get(f"/strategien/{sid}/massnahmen/neu").text)
    assert len(form["submission"]) >= 16  # the one-time token
    # selects without a preselected option (the parser, unlike a browser, sends nothing for them)
    return (
        form
        | {"urgency": "", "feasibility": "", "target_stage": ""}
        | {
            "title": "Digitale Akte im GA",
            "dimension": "IT-Sicherheit",
            "owners": "IT-Service (Lead)",
        }
    )


@pytest.mark.db
def test_a_new_measure_sent_twice_is_created_once(app, client, sample_id):
    """Defect 8: "Neue Maßnahme" sent twice with the same form: one measure; the second submit
    leads to it. A new form (a new token) creates a second one, as wanted."""
    form = _new_measure_form(client, sample_id)
    first = client.post(f"/strategien/{sample_id}/massnahmen/neu", data=form)
    second = client.post(f"/strategien/{sample_id}/massnahmen/neu", data=form)
    assert first.status_code == second.status_code == 302
    assert second.location == first.location
    assert SENT_TWICE in client.get(second.location).text
    titles = [m.title for m in domain(app, sample_id).measures]
    assert titles.count("Digitale Akte im GA") == 1
    again = client.post(f"/strategien/{sample_id}/massnahmen/neu", data=_new_measure_form(client, sample_id))
    assert again.status_code == 302 and again.location != first.location
    assert [m.title for m in domain(app, sample_id).measures].count("Digitale Akte im GA") == 2


@pytest.mark.db
def test_a_form_with_errors_keeps_its_token_and_creates_once_corrected(app, client, sample_id):
    """Defect 8: a refused submit records nothing; corrected and sent twice it creates one measure."""
    form = _new_measure_form(client, sample_id)
    refused = client.post(f"/strategien/{sample_id}/massnahmen/neu", data=form | {"title": ""})
    assert refused.status_code == 422
    assert form_data(refused.text)["submission"] == form["submission"]
    for _ in range(2):
        assert client.post(f"/strategien/{sample_id}/massnahmen/neu", data=form).status_code == 302
    assert [m.title for m in domain(app, sample_id).measures].count("Digitale Akte im GA") == 1


@pytest.mark.db
def test_a_new_strategy_and_a_new_application_sent_twice_are_created_once(app, client):
    """Defect 8: the other creating forms of the same kind."""
    form = form_data(client.get("/strategien/neu").text) | {"organisation": "Gesundheitsamt Neustadt", "title": "Neu"}
    first, second = (client.post("/strategien/neu", data=form) for _ in range(2))
    assert first.status_code == second.status_code == 302 and second.location == first.location
    with app.app_context():
        org = db.session.scalar(
            sa.select(models.Organisation).where(models.Organisation.name == "Gesundheitsamt Neustadt")
        )
        assert len(org.strategies) == 1
        org_id = org.id
    url = f"/organisationen/{org_id}/applikationslandkarte/neu"
    form = form_data(client.get(url).text) | {"name": "InfektA", "operation": "cloud", "state": "geplant"}
    first, second = (client.post(url, data=form) for _ in range(2))
    assert first.status_code == second.status_code == 302  # not "ist schon erfasst"
    assert SENT_TWICE in client.get(second.location).text


@pytest.mark.db
def test_a_new_evaluation_sent_twice_is_recorded_once(app, client, steinfurt_id):
    """Defect 8: the evaluation form (a creating form too) sent twice records one evaluation."""
    from planner.models.verstetigung import Evaluation

    app.config["TODAY"] = "2026-11-30"
    url = f"/strategien/{steinfurt_id}/massnahmen/whiteboard-tool/evaluation"
    form = form_data(client.get(url).text) | {"performed": "01.11.2026", "by": "Annika", "outcome": "fortfuehren"}
    first, second = (client.post(url, data=form) for _ in range(2))
    assert first.status_code == second.status_code == 302 and second.location == first.location
    assert SENT_TWICE in client.get(second.location).text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 1


@pytest.mark.db
def test_a_review_prepared_twice_is_prepared_once(app, client, steinfurt_id):
    """Defect 8: "Review vorbereiten" sent twice: one review, the second submit is led to it."""
    from planner.models.review import Review

    app.config["TODAY"] = "2026-11-30"
    url = f"/strategien/{steinfurt_id}/strategiereviews/vorbereiten"
    first, second = (client.post(url) for _ in range(2))
    assert first.status_code == second.status_code == 302
    assert "bereits ein Strategiereview in Vorbereitung" in client.get(second.location).text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1


@pytest.mark.db
def test_a_new_maturity_assessment_sent_twice_leads_to_the_first(app, client, sample_id):
    """Defect 8: a result sheet sent twice: one assessment, and the second submit shows it instead
    of "Zum … gibt es bereits eine Messung"."""
    url = f"/strategien/{sample_id}/reifegrad/messungen/neu/ergebnisblatt"
    form = form_data(client.get(url).text) | {"assessed_on": "2026-11-02", "sub_0": "2"}
    first, second = (client.post(url, data=form) for _ in range(2))
    assert first.status_code == second.status_code == 302 and second.location == first.location
    assert SENT_TWICE in client.get(second.location).text
