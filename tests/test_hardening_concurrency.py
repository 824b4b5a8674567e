"""Issue 23, defects 6 and 7 at the same moment, on a live PostgreSQL (READ COMMITTED, row locks):
threads send the same save to a live server, or run it in sessions of their own, all started
together. Whatever the interleaving, one save wins and every other gets the German message; no 500.

SQLite serialises every writer on its database lock, so the races cannot happen there: skipped
unless TEST_DATABASE_URL names a PostgreSQL database. One request after the other (both
databases): tests/test_hardening_conflicts.py."""

from __future__ import annotations

import http.client
import os

import pytest
import sqlalchemy as sa
from conftest import DATA, PEINE, STEINFURT, form_data, import_file
from test_concurrency import PARALLEL, Browser, at_once, no_server_errors

from planner import models
from planner.domain.landscape import Application
from planner.extensions import db
from planner.formats.landscape_file import landscape_to_csv
from planner.models.land import Application as ApplicationRow
from planner.models.maturity import MaturityAssessment
from planner.services import landscape

pytestmark = [
    pytest.mark.db,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="races of concurrent transactions: PostgreSQL only (SQLite serialises writers)",
    ),
]

CONFLICT = "Jemand anderes hat diesen Datensatz inzwischen geändert"


def _org(app) -> int:
    sid = import_file(app, DATA / "sample.yaml")
    with app.app_context():
        return db.session.get(models.Strategy, sid).organisation_id


def _names(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(ApplicationRow.name)))


def _form(browser: Browser, url: str) -> dict:
    return {k: v for k, v in form_data(browser.get(url)).items() if k != "csrf_token"}


def _one_wins(answers, message: str) -> None:
    no_server_errors(answers)
    assert sorted(a.status for a in answers) == [302] + [422] * (len(answers) - 1), [a.status for a in answers]
    assert all(message in a.text for a in answers if a.status == 422)


def test_case_variants_of_a_new_application_at_once_are_stored_once(live_app, live_server):
    """Defect 7: ten "Case-App-2", "CASE-APP-2", "case-app-2" … at once: one application, nine German form errors."""
    org = _org(live_app)
    browser = Browser(live_server, live_app)
    url = f"/organisationen/{org}/applikationslandkarte/neu"
    forms = [_form(browser, url) | {"operation": "cloud", "state": "geplant"} for _ in range(PARALLEL)]  # own tokens
    spellings = ["Case-App-2", "CASE-APP-2", "case-app-2", "cASE-aPP-2", "Case-app-2"]
    answers = at_once([lambda i=i: browser.post(url, forms[i] | {"name": spellings[i % 5]}) for i in range(PARALLEL)])
    _one_wins(answers, "ist schon erfasst.")
    assert len(_names(live_app)) == 1


def _upload(browser: Browser, path: str, filename: str, data: bytes) -> tuple[int, str]:
    """Send a file through the import form (multipart), as the browser does: (status, location)."""
    boundary = "planner-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{browser.token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection(browser.host, int(browser.port), timeout=60)
    headers = {"Cookie": browser.cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    conn.close()
    assert "Traceback" not in text
    return response.status, response.getheader("Location") or ""


def test_case_variants_imported_at_once_are_stored_once(live_app, live_server):
    """Defect 7: ten imports at once, each naming the application in another spelling: one adds
    it, the others (run again after the clash, web/errors.retry_on_conflict) update it; one row."""
    org = _org(live_app)
    browser = Browser(live_server, live_app)
    path = f"/organisationen/{org}/applikationslandkarte/importieren"
    browser.get(path)
    spellings = ["Import-App", "IMPORT-APP", "import-app", "Import-APP", "iMPORT-aPP"]
    files = [landscape_to_csv([Application(spellings[i % 5], "", "", "cloud", [], "geplant")]) for i in range(PARALLEL)]
    answers = at_once([lambda i=i: _upload(browser, path, "karte.csv", files[i]) for i in range(PARALLEL)])
    assert {status for status, _ in answers} == {302}, answers
    assert [name.lower() for name in _names(live_app)] == ["import-app"]


def test_two_saves_of_one_application_at_once(live_app, live_server):
    """Defect 6: two edits of one application from the same version at once: one saved, one refused."""
    org = _org(live_app)
    with live_app.app_context():
        app_id = landscape.save(db.session, org, Application("InfektA", "", "", "cloud", [], "geplant")).id
        db.session.commit()
    browser = Browser(live_server, live_app)
    url = f"/organisationen/{org}/applikationslandkarte/{app_id}/bearbeiten"
    form = _form(browser, url)
    answers = at_once([lambda i=i: browser.post(url, form | {"vendor": f"Hersteller {i}"}) for i in range(2)])
    _one_wins(answers, CONFLICT)


@pytest.fixture
def steinfurt(live_app, live_server):
    live_app.config["TODAY"] = "2026-11-30"
    return import_file(live_app, STEINFURT), Browser(live_server, live_app)


def test_two_saves_of_one_review_meeting_at_once(live_app, steinfurt):
    """Defect 6: the review meeting saved twice from the same form at once: one saved, one refused."""
    sid, browser = steinfurt
    browser.get(f"/strategien/{sid}/strategiereviews")
    prepared = browser.post(f"/strategien/{sid}/strategiereviews/vorbereiten", {})
    url = prepared.location.split("://", 1)[-1].partition("/")[2]
    url = "/" + url if not url.startswith("/") else url
    form = _form(browser, url)
    answers = at_once([lambda i=i: browser.post(url, form | {"minutes": f"Protokoll {i}"}) for i in range(2)])
    _one_wins(answers, CONFLICT)


def test_two_corrections_of_one_evaluation_at_once(live_app, steinfurt):
    """Defect 6: two corrections of one evaluation from the same state at once: one saved, one refused."""
    sid, browser = steinfurt
    new = f"/strategien/{sid}/massnahmen/whiteboard-tool/evaluation"
    created = browser.post(
        new, _form(browser, new) | {"performed": "01.11.2026", "by": "Annika", "outcome": "fortfuehren"}
    )
    assert created.status == 302, created.text
    ev_id = created.location.rstrip("/").split("/")[-1]
    fix = f"/strategien/{sid}/evaluationen/{ev_id}/korrektur"
    form = _form(browser, fix)
    answers = at_once([lambda i=i: browser.post(fix, form | {"went_well": f"Korrektur {i}"}) for i in range(2)])
    _one_wins(answers, CONFLICT)


# --- defect 8: the same creating form sent many times at once ---------------------------------

SENT_TWICE = "Dieses Formular wurde bereits gesendet und gespeichert"


def _sent_at_once(browser: Browser, url: str, form: dict) -> list:
    answers = at_once([lambda: browser.post(url, form) for _ in range(PARALLEL)])
    no_server_errors(answers)
    assert {a.status for a in answers} == {302}, [a.status for a in answers]
    assert sum(SENT_TWICE in a.text for a in answers) == PARALLEL - 1
    assert len({a.location for a in answers}) == 1  # all lead to what the first created
    return answers


def test_a_new_measure_sent_many_times_at_once_is_created_once(live_app, live_server):
    sid = import_file(live_app, DATA / "sample.yaml")
    browser = Browser(live_server, live_app)
    url = f"/strategien/{sid}/massnahmen/neu"
    form = _form(browser, url) | {"urgency": "", "feasibility": "", "target_stage": ""}
    _sent_at_once(browser, url, form | {"title": "Digitale Akte", "dimension": "IT-Sicherheit", "owners": "IT (Lead)"})
    with live_app.app_context():
        titles = db.session.scalars(sa.select(models.Measure.title).where(models.Measure.strategy_id == sid)).all()
    assert titles.count("Digitale Akte") == 1


def test_a_new_strategy_and_application_sent_many_times_at_once_are_created_once(live_app, live_server):
    """No strategy lock orders these: the unique one-time token does."""
    org = _org(live_app)
    browser = Browser(live_server, live_app)
    form = _form(browser, "/strategien/neu") | {"organisation": "Gesundheitsamt Neustadt", "title": "Doppelt"}
    _sent_at_once(browser, "/strategien/neu", form)
    url = f"/organisationen/{org}/applikationslandkarte/neu"
    _sent_at_once(browser, url, _form(browser, url) | {"name": "InfektA", "operation": "cloud", "state": "geplant"})
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(models.Strategy.title == "Doppelt")) == 1
    assert _names(live_app) == ["InfektA"]


def test_two_changes_of_one_maturity_assessment_at_once(live_app, live_server):
    """Defect 6: a result sheet changed twice from the same form at once: one saved, one refused."""
    sid = import_file(live_app, PEINE)
    with live_app.app_context():
        first = db.session.scalar(sa.select(MaturityAssessment.id).order_by(MaturityAssessment.assessed_on))
    browser = Browser(live_server, live_app)
    url = f"/strategien/{sid}/reifegrad/messungen/{first}/bearbeiten"
    form = _form(browser, url)
    answers = at_once([lambda i=i: browser.post(url, form | {"note": f"Notiz {i}"}) for i in range(2)])
    _one_wins(answers, CONFLICT)


def test_two_saves_of_one_person_at_once(live_app, steinfurt):
    """Defect 6: a person saved twice from the same form at once: one saved, one refused."""
    sid, browser = steinfurt
    with live_app.app_context():
        person = db.session.scalar(sa.select(models.Person).where(models.Person.name == "IT-Service"))
        url = f"/verwaltung/organisationen/{person.organisation_id}/personen/{person.id}"
    form = _form(browser, url)
    answers = at_once([lambda i=i: browser.post(url, form | {"name": f"IT-Service {i}"}) for i in range(2)])
    _one_wins(answers, CONFLICT)


def test_a_new_evaluation_sent_many_times_at_once_is_recorded_once(live_app, steinfurt):
    from planner.models.verstetigung import Evaluation

    sid, browser = steinfurt
    url = f"/strategien/{sid}/massnahmen/whiteboard-tool/evaluation"
    _sent_at_once(
        browser, url, _form(browser, url) | {"performed": "01.11.2026", "by": "Annika", "outcome": "fortfuehren"}
    )
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 1


def test_two_saves_of_the_targets_at_once(live_app, live_server):
    """Defect 6: the target stages saved twice from the same form at once: one saved, one refused."""
    sid = import_file(live_app, PEINE)
    browser = Browser(live_server, live_app)
    url = f"/strategien/{sid}/reifegrad/ziele"
    form = _form(browser, url)
    answers = at_once([lambda i=i: browser.post(url, form | {"sub_0": str(2 + i)}) for i in range(2)])
    _one_wins(answers, CONFLICT)


def test_two_saves_of_the_participants_of_a_landesmassnahme_at_once(live_app, live_server):
    """Defect 6: the offices taking part in a Landesmaßnahme saved twice from one form at once."""
    from planner.formats.strategy_file import load_strategy
    from planner.services.land_sample import SAMPLE_FILE, seed_sample_land

    import_file(live_app, PEINE)
    import_file(live_app, STEINFURT)
    with live_app.app_context():
        land = seed_sample_land(db.session, load_strategy(SAMPLE_FILE.read_text(encoding="utf-8")))
        db.session.commit()
        strategy_id = land.id
        offices = dict(db.session.execute(sa.select(models.Organisation.name, models.Organisation.id)).all())
    browser = Browser(live_server, live_app)
    url = f"/landesebene/strategien/{strategy_id}/massnahmen/clouddienst/teilnehmende"
    form = _form(browser, url)
    fields = [f"status_{offices['Landkreis Peine']}", f"status_{offices['Gesundheitsamt Kreis Steinfurt']}"]
    answers = at_once([lambda i=i: browser.post(url, form | {fields[i]: "im_betrieb"}) for i in range(2)])
    _one_wins(answers, CONFLICT)


def test_two_saves_of_one_account_at_once(live_app, live_server):
    """Defect 6: two administrators save one account from the same form at once: one saved, one refused."""
    from auth_support import create_user

    user_id = create_user(live_app, "kollegin", display_name="Kollegin")
    browser = Browser(live_server, live_app)
    url = f"/verwaltung/benutzer/{user_id}"
    form = _form(browser, url)
    answers = at_once([lambda i=i: browser.post(url, form | {"display_name": f"Kollegin {i}"}) for i in range(2)])
    _one_wins(answers, CONFLICT)
