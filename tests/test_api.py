"""The JSON API: tokens, roles, optimistic locking, validation in German, the OpenAPI document,
and a schemathesis run against the app (no 5xx, every answer as documented)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from auth_support import create_user
from conftest import STEINFURT, domain, import_file

from planner import models
from planner.domain.schedule_state import schedule_state
from planner.extensions import db
from planner.models.auth import AuditEntry
from planner.models.token import UserToken
from planner.services import tokens

pytestmark = pytest.mark.db


def api_token(app, user_id: int, name: str = "Skript") -> str:
    """A new API token of that user (as the profile page makes it)."""
    from planner.models.auth import User

    with app.app_context():
        _, secret = tokens.create(db.session, db.session.get(User, user_id), "api", name)
        db.session.commit()
    return secret


def auth(secret: str, **more) -> dict:
    return {"Authorization": f"Bearer {secret}", **more}


@pytest.fixture
def steinfurt(app, anonymous_client):
    """Kreis Steinfurt with an editor, a reader and a member of another office, each with a token."""
    sid = import_file(app, STEINFURT)
    with app.app_context():
        org = db.session.scalar(sa.text("select organisation_id from strategies where id = :i"), {"i": sid})
        other = models.Organisation(name="Amt B")
        db.session.add(other)
        db.session.commit()
        other_org = other.id
    editor = create_user(app, "redaktion", roles={org: "bearbeiten"})
    reader = create_user(app, "leser", roles={org: "lesen"})
    stranger = create_user(app, "fremd", roles={other_org: "verwalten"})
    return {
        "sid": sid,
        "org": org,
        "client": anonymous_client,
        "editor": api_token(app, editor, "Excel-Abgleich"),
        "reader": api_token(app, reader),
        "stranger": api_token(app, stranger),
    }


def _first_keys(app, sid):
    strategy = domain(app, sid)
    return strategy, [m.key for m in strategy.measures]


def test_openapi_document_is_valid_and_lists_every_api_route(app, anonymous_client):
    from openapi_spec_validator import validate

    response = anonymous_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes and routes == documented
    problem = spec["paths"]["/api/v1/strategien/{strategy_id}"]["get"]["responses"]["404"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_openapi_tags_and_operation_ids_are_ascii_names_for_generated_clients(anonymous_client):
    """Client generators build module and function names from tags and operation ids: German
    tags made `api/ma_ß_nahmen`. Tags carry the German name as their description."""
    spec = anonymous_client.get("/api/v1/openapi.json").get_json()
    operations = [op for ops in spec["paths"].values() for op in ops.values()]
    ids = [op["operationId"] for op in operations]
    assert all(re.fullmatch(r"[a-z_]+", i) for i in ids), ids
    assert len(ids) == len(set(ids))
    assert {"list_measures", "get_measure", "create_measure", "update_measure"} <= set(ids)
    names = [t["name"] for t in spec["tags"]]
    assert all(re.fullmatch(r"[a-z_]+", n) for n in names), names
    assert len(names) == len(set(names)) and "massnahmen" in names
    assert all(t.get("description") for t in spec["tags"])
    assert {t for op in operations for t in op["tags"]} == set(names)


def test_token_life_cycle_on_the_profile_page(app, client):
    page = client.get("/profil/zugaenge")
    assert page.status_code == 200 and "Meine Zugänge" in page.get_data(as_text=True)
    empty = client.post("/profil/zugaenge/api", data={"api-name": ""})
    assert empty.status_code == 422 and "Bitte ausfüllen." in empty.get_data(as_text=True)
    created = client.post("/profil/zugaenge/api", data={"api-name": "Excel-Abgleich"})
    assert created.status_code == 201
    secret = re.search(r"plapi_[\w-]+", created.get_data(as_text=True)).group(0)
    with app.app_context():
        row = db.session.scalar(sa.select(UserToken))
        assert row.name == "Excel-Abgleich" and row.kind == "api"
        assert secret not in (row.token_hash, row.hint) and len(row.token_hash) == 64
        token_id = row.id
    # shown once: the list has only its first characters
    listed = client.get("/profil/zugaenge").get_data(as_text=True)
    assert secret not in listed and secret[:10] in listed
    assert client.get("/api/v1/strategien", headers=auth(secret)).status_code == 200
    assert client.post(f"/profil/zugaenge/{token_id}/widerrufen").status_code == 302
    gone = client.get("/api/v1/strategien", headers=auth(secret))
    assert gone.status_code == 401 and gone.mimetype == "application/problem+json"
    assert "widerrufen" in gone.get_json()["detail"]


def test_someone_elses_token_cannot_be_revoked(app, client, client_as):
    secret = api_token(app, 1)
    with app.app_context():
        token_id = db.session.scalar(sa.select(UserToken.id))
    other = client_as({})
    assert other.post(f"/profil/zugaenge/{token_id}/widerrufen").status_code == 404
    assert client.get("/api/v1/strategien", headers=auth(secret)).status_code == 200


def test_the_session_cookie_does_not_open_the_api(app, client, steinfurt):
    sid = steinfurt["sid"]
    answer = client.get(f"/api/v1/strategien/{sid}")
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    assert "Bearer" in answer.get_json()["detail"]
    write = client.post(f"/api/v1/strategien/{sid}/massnahmen", json={"title": "Per Cookie", "dimension": "Personal"})
    assert write.status_code == 401
    assert all(m.title != "Per Cookie" for m in domain(app, sid).measures)


def test_reading_with_roles_and_other_organisations(app, steinfurt):
    c, sid, org = steinfurt["client"], steinfurt["sid"], steinfurt["org"]
    strategy, keys = _first_keys(app, sid)
    for who in ("reader", "editor"):
        orgs = c.get("/api/v1/organisationen", headers=auth(steinfurt[who])).get_json()
        assert [o["id"] for o in orgs] == [org]
        got = c.get(f"/api/v1/strategien/{sid}/massnahmen", headers=auth(steinfurt[who])).get_json()
        assert [m["id"] for m in got] == keys
    one = c.get(f"/api/v1/strategien/{sid}/massnahmen/{keys[0]}", headers=auth(steinfurt["reader"]))
    assert one.get_json()["title"] == strategy.measures[0].title and one.headers["ETag"]
    assert c.get("/api/v1/strategien", headers=auth(steinfurt["stranger"])).get_json() == []
    hidden = c.get(f"/api/v1/strategien/{sid}", headers=auth(steinfurt["stranger"]))
    assert hidden.status_code == 404 and hidden.get_json()["detail"].startswith("Das angeforderte Objekt")
    # a reader may not write: the same 404 as for an object not visible at all
    etag = one.headers["ETag"]
    refused = c.patch(
        f"/api/v1/strategien/{sid}/massnahmen/{keys[0]}",
        json={"title": "Vom Leser"},
        headers=auth(steinfurt["reader"], **{"If-Match": etag}),
    )
    assert refused.status_code == 404
    assert domain(app, sid).measures[0].title == strategy.measures[0].title


def test_update_with_if_match_and_the_audit_trail_names_the_token(app, steinfurt):
    c, sid = steinfurt["client"], steinfurt["sid"]
    _, keys = _first_keys(app, sid)
    url = f"/api/v1/strategien/{sid}/massnahmen/{keys[0]}"
    etag = c.get(url, headers=auth(steinfurt["editor"])).headers["ETag"]
    missing = c.patch(url, json={"start": "2027-01"}, headers=auth(steinfurt["editor"]))
    assert missing.status_code == 428 and "If-Match" in missing.get_json()["detail"]
    # months and scales as people type them (the strategy file's lenient forms) are stored canonically
    changed = c.patch(
        url,
        json={"start": "01/2027", "end": "30.06.2027", "urgency": "Hoch"},
        headers=auth(steinfurt["editor"], **{"If-Match": etag}),
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["start"] == "2027-01" and changed.get_json()["urgency"] == "hoch"
    assert changed.headers["ETag"] != etag
    measure = domain(app, sid).measures[0]
    assert (str(measure.start), str(measure.end)) == ("2027-01", "2027-06")
    with app.app_context():
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.field == "start").order_by(AuditEntry.id.desc())
        )
        assert entry.username == "redaktion (API-Zugang „Excel-Abgleich“)" and entry.new == "2027-01"
    # the old ETag is stale now: 412, naming what changed; nothing is written
    stale = c.patch(url, json={"title": "Überschrieben"}, headers=auth(steinfurt["editor"], **{"If-Match": etag}))
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert "redaktion" in stale.get_json()["detail"]
    assert domain(app, sid).measures[0].title != "Überschrieben"


def test_invalid_input_is_refused_in_german_and_nothing_changes(app, steinfurt):
    c, sid = steinfurt["client"], steinfurt["sid"]
    before, keys = _first_keys(app, sid)
    url = f"/api/v1/strategien/{sid}/massnahmen/{keys[0]}"
    etag = c.get(url, headers=auth(steinfurt["editor"])).headers["ETag"]
    headers = auth(steinfurt["editor"], **{"If-Match": etag})
    cases = [
        ({"status": "quatsch"}, "nicht erlaubt"),
        ({"start": "2027-05", "end": "2027-01"}, "liegt vor dem Beginn"),
        ({"dimension": "Raumfahrt"}, "Unbekannte Dimension"),
        ({"farbe": "blau"}, "Unbekanntes Feld"),
        ({"budget": "viel"}, "Erwartet ist eine Zahl"),
        ({"depends_on": ["gibt-es-nicht"]}, "Unbekannte Abhängigkeit"),
        ({"funding_call": "7. Förderaufruf"}, "Unbekannter Förderaufruf"),
    ]
    for body, words in cases:
        answer = c.patch(url, json=body, headers=headers)
        assert answer.status_code == 422, (body, answer.get_json())
        assert answer.mimetype == "application/problem+json" and words in answer.get_json()["detail"], body
    not_json = c.patch(url, data="title=x", headers=headers, content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 415
    broken = c.patch(url, data="{kein json", headers=headers, content_type="application/json")
    assert broken.status_code == 400 and "JSON" in broken.get_json()["detail"]
    assert domain(app, sid).measures == before.measures


def test_create_measure_and_links_refuse_a_cycle_naming_it(app, steinfurt):
    c, sid = steinfurt["client"], steinfurt["sid"]
    editor = steinfurt["editor"]
    created = c.post(
        f"/api/v1/strategien/{sid}/massnahmen",
        json={"title": "Schnittstelle zum Land", "dimension": "IT-Bereitstellung", "start": "2027-02"},
        headers=auth(editor),
    )
    assert created.status_code == 201, created.get_json()
    new = created.get_json()["id"]
    assert created.headers["Location"].endswith(f"/massnahmen/{new}")
    assert domain(app, sid).measure(new).title == "Schnittstelle zum Land"
    strategy = domain(app, sid)
    first = strategy.measures[0].key
    # new depends on first ...
    etag = created.headers["ETag"]
    linked = c.post(
        f"/api/v1/strategien/{sid}/massnahmen/{new}/abhaengigkeiten",
        json={"prerequisite": first},
        headers=auth(editor, **{"If-Match": etag}),
    )
    assert linked.status_code == 200 and first in linked.get_json()["depends_on"]
    links = c.get(f"/api/v1/strategien/{sid}/abhaengigkeiten", headers=auth(editor)).get_json()
    assert {"measure": new, "depends_on": first} in links
    # ... so first depending on new would close a cycle: refused, the cycle named
    first_etag = c.get(f"/api/v1/strategien/{sid}/massnahmen/{first}", headers=auth(editor)).headers["ETag"]
    cycle = c.post(
        f"/api/v1/strategien/{sid}/massnahmen/{first}/abhaengigkeiten",
        json={"prerequisite": new},
        headers=auth(editor, **{"If-Match": first_etag}),
    )
    assert cycle.status_code == 422
    body = cycle.get_json()
    assert set(body["cycle"]) == {first, new}
    assert "Zyklus" in body["detail"] and "Schnittstelle zum Land" in body["detail"]
    assert new not in domain(app, sid).measure(first).depends_on
    # and the link goes away again
    removed = c.delete(
        f"/api/v1/strategien/{sid}/massnahmen/{new}/abhaengigkeiten/{first}",
        headers=auth(editor, **{"If-Match": linked.headers["ETag"]}),
    )
    assert removed.status_code == 200 and removed.get_json()["depends_on"] == []


def test_analysis_uses_the_one_schedule_state(app, steinfurt):
    from datetime import date

    c, sid = steinfurt["client"], steinfurt["sid"]
    app.config["TODAY"] = "2026-11-30"
    body = c.get(f"/api/v1/strategien/{sid}/analyse", headers=auth(steinfurt["reader"])).get_json()
    strategy = domain(app, sid)
    expected = {m.key: schedule_state(m, date(2026, 11, 30)) for m in strategy.measures}
    assert {s["measure"]: s["state"] for s in body["schedule_states"]} == {
        k: v.state.value for k, v in expected.items()
    }
    assert body["critical_path"] and body["waves"] and body["today"] == "2026-11-30"
    evaluations = c.get(f"/api/v1/strategien/{sid}/evaluationen", headers=auth(steinfurt["reader"])).get_json()
    assert evaluations["calendar"]
    versions = c.get(f"/api/v1/strategien/{sid}/versionen", headers=auth(steinfurt["reader"])).get_json()
    assert [v["id"] for v in versions] == [sid]


def test_assessments_with_levels(app, anonymous_client):
    from conftest import PEINE

    sid = import_file(app, PEINE)
    with app.app_context():
        org = db.session.scalar(sa.text("select organisation_id from strategies where id = :i"), {"i": sid})
    secret = api_token(app, 1)
    body = anonymous_client.get(f"/api/v1/organisationen/{org}/erhebungen", headers=auth(secret)).get_json()
    assert len(body["assessments"]) >= 2
    first = body["assessments"][0]
    assert len(first["dimension_levels"]) == 8 and len(first["subdimension_levels"]) == 27


# --- schemathesis ------------------------------------------------------------------------------


def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(app, steinfurt):
    """Every phase of schemathesis (examples, coverage, fuzzing and the stateful one that follows
    links from answer to request) with valid and invalid input, on real objects: no 5xx, every
    answer as documented."""
    import threading
    from collections import Counter

    import schemathesis
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import Status, events
    from schemathesis.engine import from_schema as engine_for
    from werkzeug.serving import make_server

    sid, org = steinfurt["sid"], steinfurt["org"]
    config = SchemathesisConfig.from_dict(
        {
            "seed": 23,
            "suppress-health-check": ["all"],
            "headers": {"Authorization": f"Bearer {steinfurt['editor']}"},
            "parameters": {"strategy_id": sid, "organisation_id": org, "header.If-Match": "*"},
            "generation": {"max-examples": 12, "database": "none"},
            "checks": {
                # every check but this one: a schema cannot say that an id is taken, that a dependency
                # must name a measure of the strategy or would close a cycle; such requests are 422
                "positive_data_acceptance": {"enabled": False},
                # a write without If-Match is 428 Precondition Required (RFC 6585)
                "missing_required_header": {"expected-statuses": [400, 401, 403, 406, 415, 422, 428]},
            },
            "phases": {"stateful": {"max-steps": 12}},
        }
    )
    # over HTTP on 127.0.0.1: schemathesis' engine (which runs the phases) cannot call a WSGI app
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        schema = schemathesis.openapi.from_url(f"http://127.0.0.1:{server.port}/api/v1/openapi.json", config=config)
        run = list(engine_for(schema).execute())
    finally:
        server.shutdown()
        thread.join()
    failures, cases = set(), Counter()
    for event in run:
        if isinstance(event, events.ScenarioFinished):
            cases[event.phase.name.lower()] += len(event.recorder.cases)
            for case_id, nodes in event.recorder.checks.items():
                for node in nodes:
                    if node.status == Status.FAILURE:
                        label = event.recorder.cases[case_id].value.operation.label
                        failures.add((node.name, label, node.failure_info.failure.title))
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.add(("error", str(getattr(event, "label", "")), str(getattr(event, "info", event))))
    print(f"schemathesis: {cases.total()} cases, {dict(cases)}")
    assert not failures, sorted(failures)
    ran = {e.phase.name.lower() for e in run if isinstance(e, events.PhaseFinished)}
    assert {"examples", "coverage", "fuzzing", "stateful"} <= ran, ran  # examples: the document has none
    assert all(cases[phase] > 0 for phase in ("coverage", "fuzzing", "stateful_testing")), cases


def test_csrf_applies_to_cookie_sessions_but_not_to_the_token_api(app, client, steinfurt):
    app.config["WTF_CSRF_ENABLED"] = True
    sid = steinfurt["sid"]
    # a form posted with the session cookie but without the form's token is refused
    refused = client.post("/profil/zugaenge/api", data={"api-name": "ohne Token"})
    assert refused.status_code == 400 and "Sitzung abgelaufen" in refused.get_data(as_text=True)
    # the API takes the bearer token alone
    created = steinfurt["client"].post(
        f"/api/v1/strategien/{sid}/massnahmen",
        json={"title": "Per API", "dimension": "IT-Bereitstellung"},
        headers=auth(steinfurt["editor"]),
    )
    assert created.status_code == 201
