"""Parallel requests against a live server (issue 10, defects 1, 7 and 11): dependency cycles,
uniqueness clashes and a second Fortschreibung, each sent by many threads at the same moment.

They run on SQLite and PostgreSQL (CI runs the suite on both); PostgreSQL is where the
races showed (row locks, READ COMMITTED), SQLite serialises writers on its database lock.
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from auth_support import admin_client
from conftest import DATA, domain, form_data, import_file

from planner import models
from planner.domain.schedule import analyse
from planner.extensions import db
from planner.models.maturity import MaturityAssessment
from planner.models.roadmap import Baseline
from planner.models.verstetigung import Succession

pytestmark = pytest.mark.db

PARALLEL = 10


@dataclass
class Answer:
    status: int
    location: str
    text: str  # the page, or for a redirect the page it leads to (with the flashed message)


class Browser:
    """A logged-in user without a browser: a session cookie and the CSRF token of its session."""

    def __init__(self, server, app):
        self.host, self.port = server.url.removeprefix("http://").split(":")
        self.cookie = "session=" + admin_client(app).get_cookie("session").value
        self.token = ""

    def _request(self, method: str, path: str, form: dict | list | None = None, cookie: str | None = None):
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=60)
        headers = {"Cookie": cookie or self.cookie}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        conn.close()
        set_cookie = response.getheader("Set-Cookie") or ""
        return response.status, response.getheader("Location") or "", text, set_cookie.split(";", 1)[0]

    def get(self, path: str) -> str:
        """Open a page; keeps the session cookie (it now carries the CSRF secret) and the page's token."""
        status, _, text, cookie = self._request("GET", path)
        assert status == 200, (path, status)
        if cookie:
            self.cookie = cookie
        if match := re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text):
            self.token = match.group(1)
        return text

    def post(self, path: str, form: dict) -> Answer:
        """Submit a form; a redirect is followed once with the answer's cookie, to read the flashed message."""
        status, location, text, cookie = self._request("POST", path, {**form, "csrf_token": self.token})
        if status in (302, 303):
            target = urllib.parse.urlsplit(location)
            _, _, text, _ = self._request(
                "GET", target.path + (f"?{target.query}" if target.query else ""), cookie=cookie
            )
        return Answer(status, location, text)


def at_once(jobs: list) -> list[Answer]:
    """Run the callables in parallel threads that start together; their answers in order."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait(timeout=30)
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def no_server_errors(answers: list[Answer]) -> None:
    assert [a.status for a in answers if a.status >= 500] == []
    assert not any("Internal Server Error" in a.text or "Traceback" in a.text for a in answers)


@pytest.fixture
def sample(live_app, live_server):
    """The sample strategy on the live server and a browser logged in as the administrator."""
    live_app.config["TODAY"] = "2025-03-15"
    sid = import_file(live_app, DATA / "sample.yaml")
    return sid, Browser(live_server, live_app)


def test_opposite_dependencies_added_at_once_never_make_a_cycle(live_app, sample):
    """Defect 1: "chatbot braucht awareness" and "awareness braucht chatbot", 20 requests at once:
    one direction wins, every request of the other is refused with the German cycle message."""
    sid, browser = sample
    before = domain(live_app, sid)
    assert before.measure("chatbot").depends_on == [] and "chatbot" not in before.measure("awareness").depends_on
    base = f"/strategien/{sid}/massnahmen"
    browser.get(f"{base}/chatbot")
    jobs = []
    for i in range(2 * PARALLEL):
        key, other = ("chatbot", "awareness") if i % 2 else ("awareness", "chatbot")
        jobs.append(
            lambda key=key, other=other: browser.post(f"{base}/{key}/abhaengigkeiten", {"dep-prerequisite": other})
        )
    answers = at_once(jobs)

    no_server_errors(answers)
    assert {a.status for a in answers} == {302}
    after = domain(live_app, sid)
    assert analyse(after).cycles == []
    chatbot_needs = "awareness" in after.measure("chatbot").depends_on
    awareness_needs = "chatbot" in after.measure("awareness").depends_on
    assert chatbot_needs != awareness_needs  # exactly one of the two links exists
    losers = [a for i, a in enumerate(answers) if (i % 2 == 1) != chatbot_needs]
    assert len(losers) == PARALLEL
    assert all("weil sie einen Zyklus schließen würde" in a.text for a in losers)


def test_opposite_dependencies_saved_through_the_edit_forms_at_once_never_make_a_cycle(live_app, sample):
    """Defect 1, the other way to link: both measures' edit forms saved at the same moment, each
    naming the other as prerequisite. One is stored; the other is refused with the cycle named."""
    sid, browser = sample
    base = f"/strategien/{sid}/massnahmen"
    forms = {}
    for key, other in (("chatbot", "awareness"), ("awareness", "chatbot")):
        form = {k: v for k, v in form_data(browser.get(f"{base}/{key}/bearbeiten")).items() if k != "csrf_token"}
        for select in ("urgency", "feasibility", "target_stage"):  # the parser sends no unselected select
            form.setdefault(select, "")
        depends = form.get("depends_on", [])
        form["depends_on"] = [*(depends if isinstance(depends, list) else [depends]), other]
        forms[key] = form
    answers = at_once([lambda key=key: browser.post(f"{base}/{key}/bearbeiten", forms[key]) for key in forms])
    no_server_errors(answers)
    assert sorted(a.status for a in answers) == [302, 422]
    assert "Zyklus" in next(a.text for a in answers if a.status == 422)
    assert analyse(domain(live_app, sid)).cycles == []


def test_the_same_baseline_name_at_once_is_stored_once_and_the_others_keep_their_input(live_app, sample):
    """Defect 7: ten "Basisplan anlegen" with one name: one is stored, nine get the German message
    with the name still in the form; no 500."""
    sid, browser = sample
    browser.get(f"/strategien/{sid}/fahrplan")
    answers = at_once(
        [lambda: browser.post(f"/strategien/{sid}/fahrplan/basisplaene", {"name": "Stand Q1"}) for _ in range(PARALLEL)]
    )
    no_server_errors(answers)
    assert sorted(a.status for a in answers) == [302] + [422] * (PARALLEL - 1)
    for a in answers:
        if a.status == 422:
            assert "Einen Basisplan „Stand Q1“ gibt es schon" in a.text
            assert 'value="Stand Q1"' in a.text
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Baseline)) == 1


def test_the_same_assessment_date_from_two_strategies_at_once(live_app, sample):
    """Defect 7: one assessment per organisation and date, posted ten times at once through two
    strategies of the organisation (so no strategy lock orders them): one is stored, the others
    get the German message on the date field with what they typed; no 500."""
    sid, browser = sample
    with live_app.app_context():
        first = db.session.get(models.Strategy, sid)
        second = models.Strategy(organisation_id=first.organisation_id, title="Zweite Strategie")
        db.session.add(second)
        db.session.commit()
        sids = [sid, second.id]
    path = "/strategien/{}/reifegrad/messungen/neu/ergebnisblatt"
    # ten forms, each with its one-time token (the same form sent ten times creates once: issue 23)
    forms = [{k: v for k, v in form_data(browser.get(path.format(sid))).items() if k != "csrf_token"} for _ in sids * 5]
    more = {"assessed_on": "2026-11-02", "sub_0": "2"}
    answers = at_once([lambda i=i: browser.post(path.format(sids[i % 2]), forms[i] | more) for i in range(PARALLEL)])
    no_server_errors(answers)
    assert sorted(a.status for a in answers) == [302] + [422] * (PARALLEL - 1)
    for a in answers:
        if a.status == 422:
            assert "Zum 02.11.2026 gibt es bereits eine Messung" in a.text
            assert 'value="2026-11-02"' in a.text
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MaturityAssessment)) == 1


def test_the_same_measure_title_at_once_gives_distinct_measures(live_app, sample):
    """Defect 7: ten new measures with the same title at once are stored like ten one after the
    other (each with its own key), instead of clashing on the key."""
    sid, browser = sample
    path = f"/strategien/{sid}/massnahmen/neu"
    # ten forms, each with its one-time token (the same form sent ten times creates once: issue 23)
    forms = [{k: v for k, v in form_data(browser.get(path)).items() if k != "csrf_token"} for _ in range(PARALLEL)]
    # selects without a preselected option (the parser, unlike a browser, sends nothing for them)
    more = {"urgency": "", "feasibility": "", "target_stage": ""}
    more |= {"title": "Digitale Akte", "dimension": "IT-Sicherheit", "owners": "IT-Service (Lead)"}
    answers = at_once([lambda form=form: browser.post(path, form | more) for form in forms])
    no_server_errors(answers)
    assert {a.status for a in answers} == {302}
    assert all("Die Maßnahme „Digitale Akte“ wurde angelegt." in a.text for a in answers)
    titles = [m.title for m in domain(live_app, sid).measures]
    assert titles.count("Digitale Akte") == PARALLEL


def test_a_new_organisation_named_by_many_at_once_is_created_once(live_app, sample):
    """Defect 7: ten new strategies naming the same new organisation at once: one organisation
    (unique name), ten strategies, no 500."""
    _, browser = sample
    # ten forms, each with its one-time token (the same form sent ten times creates once: issue 23)
    forms = [
        {k: v for k, v in form_data(browser.get("/strategien/neu")).items() if k != "csrf_token"}
        for _ in range(PARALLEL)
    ]
    answers = at_once(
        [
            lambda i=i: browser.post(
                "/strategien/neu", forms[i] | {"organisation": "Gesundheitsamt Neustadt", "title": f"Strategie {i}"}
            )
            for i in range(PARALLEL)
        ]
    )
    no_server_errors(answers)
    assert {a.status for a in answers} == {302}
    with live_app.app_context():
        org = db.session.scalar(
            sa.select(models.Organisation).where(models.Organisation.name == "Gesundheitsamt Neustadt")
        )
        assert len(org.strategies) == PARALLEL


def test_a_second_fortschreibung_at_once_answers_409(live_app, sample):
    """Defect 11: five Fortschreibungen of one version at once: one new version, four German 409s."""
    sid, browser = sample
    browser.get(f"/strategien/{sid}/fortschreibung")
    data = {
        "version": "2026",
        "adopted": "04/2025",
        "vision": "Neue Vision",
        "mission": "Mission bleibt",
        "by": "Strategieteam",
        "d_0": "behalten",
        "d_1": "anpassen",
        "n_1": "Termin verschieben",
        "d_2": "behalten",
        "d_3": "behalten",
    }
    answers = at_once([lambda: browser.post(f"/strategien/{sid}/fortschreibung", data) for _ in range(5)])
    no_server_errors(answers)
    assert sorted(a.status for a in answers) == [302, 409, 409, 409, 409]
    for a in answers:
        if a.status == 409:
            assert "schreibgeschützt" in a.text or "bereits fortgeschrieben" in a.text
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Succession)) == 1


def test_two_api_changes_of_one_measure_with_the_same_etag_at_once(live_app, live_server, sample):
    """Two scripts PATCH the same measure with the ETag they both read: exactly one change is
    taken (200), the other is told it came too late (412), and the stored title is the one that
    was taken. The access check before the view loads nothing; the view locks, then compares."""
    import json

    from auth_support import create_user
    from test_api import api_token

    sid, _browser = sample
    key = domain(live_app, sid).measures[0].key
    with live_app.app_context():
        org = db.session.scalar(sa.select(models.Strategy.organisation_id).where(models.Strategy.id == sid))
    secret = api_token(live_app, create_user(live_app, "skripte", roles={org: "bearbeiten"}))
    host, port = live_server.url.removeprefix("http://").split(":")
    path = f"/api/v1/strategien/{sid}/massnahmen/{key}"

    def call(method: str, body: dict | None = None, **headers) -> tuple[int, dict, dict]:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        data = json.dumps(body).encode() if body is not None else None
        kind = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=data, headers={"Authorization": f"Bearer {secret}", **kind, **headers})
        response = conn.getresponse()
        answer = json.loads(response.read() or b"{}")
        conn.close()
        return response.status, dict(response.getheaders()), answer

    status, headers, _ = call("GET")
    assert status == 200
    etag = headers["ETag"]
    titles = [f"Gleichzeitig {i}" for i in range(PARALLEL)]
    answers = at_once([lambda t=t: call("PATCH", {"title": t}, **{"If-Match": etag}) for t in titles])
    statuses = sorted(a[0] for a in answers)
    assert statuses == [200] + [412] * (PARALLEL - 1)
    taken = next(a[2]["title"] for a in answers if a[0] == 200)
    assert call("GET")[2]["title"] == taken
