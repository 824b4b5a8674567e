"""Organisation isolation: every route of organisation A, tried as users of organisation B, answers 404.

The routes come from app.url_map, so routes other areas add are covered without changes here.
URL parameters are filled with ids of A's objects: the rows of A found by the backup's
foreign-key walk (strategies, measures, assessments, baselines, evaluations, indicators, ...).
A parameter that cannot be filled fails the test by name: no route is skipped silently.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
import yaml
from conftest import DATA, STEINFURT, import_file

from planner import models
from planner.extensions import db
from planner.formats.strategy_file import StrategyFileError, load_strategy
from planner.models import Model
from planner.services import backup

ROOT = DATA.parent.parent
# the calendar feed is opened by the secret in its address, not by a session (test_calendar_feed.py)
PUBLIC_OR_GLOBAL = {"static", "auth.login", "auth.logout", "guide.image", "assets.favicon", "calendar_feed.feed"}
FORMATS = ["svg", "png", "pdf", "csv", "xlsx", "yaml", "json", "docx", "ics", "html"]


def _plural_matches(table: str, name: str) -> bool:
    last = table.split("_")[-1]
    return last in (name + "s", name + "es", name, name[:-1] + "ies" if name.endswith("y") else name + "s")


def _rich_steinfurt(tmp_path):
    """Steinfurt plus an indicator, a status change and an evaluation (Verstetigung), when the format takes them."""
    data = yaml.safe_load(STEINFURT.read_text(encoding="utf-8"))
    first = data["measures"][0]
    first["status_history"] = [{"date": "2024-02-01", "status": "in_umsetzung", "by": "Annika Feldhues"}]
    first["indicators"] = [
        {
            "name": "Schulungen je Mitarbeitendem",
            "unit": "Anzahl",
            "baseline": 0.5,
            "target": 2,
            "values": [{"date": "2025-06-30", "value": 1.2}],
        }
    ]
    data["evaluations"] = [
        {
            "subject": first["id"],
            "kind": "prozess",
            "date": "2024-06-12",
            "by": "Annika Feldhues",
            "done": "ja",
            "went_well": "Gute Beteiligung",
        }
    ]
    path = tmp_path / "steinfurt-verstetigung.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        load_strategy(path.read_text(encoding="utf-8"))
    except StrategyFileError:
        return STEINFURT
    return path


@pytest.fixture
def two_organisations(app, make_user, tmp_path):
    """A: Kreis Steinfurt (strategy, measures, persons, a baseline, every table filled); B: a sample office."""
    a_sid = import_file(app, _rich_steinfurt(tmp_path))
    text = (
        (DATA / "sample.yaml")
        .read_text(encoding="utf-8")
        .replace("Gesundheitsamt Musterstadt", "Gesundheitsamt B-Stadt")
    )
    b_file = tmp_path / "isolation-b.yaml"
    b_file.write_text(text, encoding="utf-8")
    b_sid = import_file(app, b_file)
    peine = import_file(app, ROOT / "strategies" / "peine-2024.yaml")
    with app.app_context():
        a_org = db.session.scalar(sa.text("select organisation_id from strategies where id = :i"), {"i": a_sid})
        b_org = db.session.scalar(sa.text("select organisation_id from strategies where id = :i"), {"i": b_sid})
        # Peine's assessments, baselines etc. become A's: move Peine's strategy into A
        peine_org = db.session.scalar(sa.text("select organisation_id from strategies where id = :i"), {"i": peine})
        for table in Model.metadata.sorted_tables:
            if "organisation_id" in table.c and table.name not in ("memberships",):
                db.session.execute(
                    sa.update(table).where(table.c.organisation_id == peine_org).values(organisation_id=a_org)
                )
        db.session.commit()
    a_user = make_user("a-verwalten", roles={a_org: "verwalten"})
    a_token = ApiCaller(app, a_user)
    # a roadmap baseline of A, through its own page
    admin = app.test_client()
    from auth_support import login

    login(admin, 1)
    assert admin.post(f"/strategien/{a_sid}/fahrplan/basisplaene", data={"name": "Basisplan 2023"}).status_code == 302
    with app.app_context():
        rows = backup.collect(db.session.connection(), a_org)
    return {
        "a_org": a_org,
        "b_org": b_org,
        "a_sid": a_sid,
        "b_sid": b_sid,
        "rows": rows,
        "a_user": a_user,
        "a_token_id": a_token.token_id,
    }


class ApiCaller:
    """Calls /api/ routes with a personal API token of the user (the API never reads the session cookie)."""

    def __init__(self, app, user_id: int):
        from planner.models.auth import User
        from planner.services import tokens

        with app.app_context():
            row, self.secret = tokens.create(db.session, db.session.get(User, user_id), "api", "Isolation")
            db.session.commit()
            self.token_id = row.id
        self.client = app.test_client()

    def call(self, method: str, url: str):
        body = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
        headers = {"Authorization": f"Bearer {self.secret}", "If-Match": "*"}
        return self.client.open(url, method=method, headers=headers, **body)


def member(app, make_user, roles: dict[int, str], name: str):
    """A cookie client and an API caller of a new user with these roles."""
    from auth_support import login

    user = make_user(name, roles=roles)
    return login(app.test_client(), user), ApiCaller(app, user)


def _value(param: str, data: dict, rule, admin) -> str | None:
    rows = data["rows"]
    a_measures = [r for r in rows["measures"] if r["strategy_id"] == data["a_sid"]]
    if param == "strategy_id":
        return str(data["a_sid"])
    if param == "organisation_id":
        return str(data["a_org"])
    if param == "key":
        return a_measures[0]["key"]
    if param == "prerequisite":
        return a_measures[1]["key"]
    if param == "user_id":
        return str(data["a_user"])
    if param == "token_id":
        return str(data["a_token_id"])
    if param == "chart":
        return "fahrplan"
    if param == "table":
        return "strategies"
    if param == "object_id":
        return str(data["a_sid"])
    if param.endswith("_id"):
        name = param[: -len("_id")]
        for table, table_rows in rows.items():
            if _plural_matches(table, name) and table_rows:
                # prefer a row of A's main strategy when the table has one
                own = [r for r in table_rows if r.get("strategy_id") in (None, data["a_sid"])]
                return str((own or table_rows)[0]["id"])
    return None


def _urls(app, data: dict, admin) -> tuple[list[tuple[str, str, set[str]]], list[str]]:
    """(endpoint, url, methods) for every rule with parameters; and the parameters nobody could fill."""
    urls, unfilled = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_OR_GLOBAL or not rule.arguments:
            continue
        values = {}
        for param in rule.arguments:
            if param == "fmt":
                continue
            value = _value(param, data, rule, admin)
            if value is None:
                unfilled.append(f"{rule.rule}: <{param}>")
            values[param] = value
        if any(v is None for v in values.values()):
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        if "fmt" in rule.arguments:
            for fmt in FORMATS:
                url = _build(rule, {**values, "fmt": fmt})
                if "GET" not in methods or admin.get(url).status_code != 404:
                    break
            values["fmt"] = fmt
        urls.append((rule.endpoint, _build(rule, values), methods))
    return urls, unfilled


def _build(rule, values: dict) -> str:
    url = rule.rule
    for param, value in values.items():
        url = re.sub(rf"<(?:[a-z]+:)?{param}>", str(value), url)
    return url


def test_every_route_of_one_organisation_is_404_for_another(app, client, make_user, two_organisations):
    data = two_organisations
    urls, unfilled = _urls(app, data, client)
    assert unfilled == [], "URL-Parameter ohne Wert (bitte in _value ergänzen): " + ", ".join(unfilled)
    assert len(urls) >= 40
    # the URLs address real objects: the administrator reaches every page
    admin_api = ApiCaller(app, 1)
    wrong = [
        url
        for _e, url, methods in urls
        if "GET" in methods
        and (admin_api.call("GET", url) if url.startswith("/api/") else client.get(url)).status_code == 404
    ]
    assert wrong == [], wrong
    assert sum(url.startswith("/api/") for _e, url, _m in urls) >= 10
    for role in ("lesen", "bearbeiten", "verwalten"):
        other, other_api = member(app, make_user, {data["b_org"]: role}, f"b-{role}")
        leaks = []
        for endpoint, url, methods in urls:
            if url.startswith("/api/"):
                for method in sorted(methods):
                    if (status := other_api.call(method, url).status_code) != 404:
                        leaks.append(f"{method} {url} ({endpoint}) -> {status}")
                continue
            if "GET" in methods and (status := other.get(url).status_code) != 404:
                leaks.append(f"GET {url} ({endpoint}) -> {status}")
            if "POST" in methods and (status := other.post(url, data={}).status_code) != 404:
                leaks.append(f"POST {url} ({endpoint}) -> {status}")
        assert leaks == [], f"Rolle {role} in B sieht A: " + "\n".join(leaks)
    # and A's own data is still there
    assert client.get(f"/strategien/{data['a_sid']}").status_code == 200


def test_overview_lists_only_visible_organisations(app, client_as, make_user, two_organisations):
    data = two_organisations
    other = client_as({data["b_org"]: "lesen"})
    text = other.get("/").get_data(as_text=True)
    assert "B-Stadt" in text
    assert "Steinfurt" not in text and "Peine" not in text
    # and no page without parameters (overviews, knowledge base, comparisons...) shows A's data either
    pages = [
        r.rule
        for r in app.url_map.iter_rules()
        if not r.arguments and "GET" in r.methods and r.endpoint not in PUBLIC_OR_GLOBAL
    ]
    assert "/strategien/neu" in pages
    b_api = ApiCaller(app, make_user("b-api", roles={data["b_org"]: "lesen"}))
    leaks = [p for p in pages if "Steinfurt" in other.get(p).get_data(as_text=True)]
    leaks += [p for p in pages if p.startswith("/api/") and "Steinfurt" in b_api.call("GET", p).get_data(as_text=True)]
    assert leaks == []
    # the same pages do show A's data to A's members, so the check above can fail
    member = client_as({data["a_org"]: "lesen"})
    assert "Steinfurt" in member.get("/").get_data(as_text=True)
    a_api = ApiCaller(app, make_user("a-api", roles={data["a_org"]: "lesen"}))
    assert "Steinfurt" in a_api.call("GET", "/api/v1/strategien").get_data(as_text=True)
    assert other.get("/verwaltung/benutzer").status_code == 404


def test_readers_cannot_change_anything(app, client, make_user, two_organisations):
    data = two_organisations
    urls, _ = _urls(app, data, client)
    reader, reader_api = member(app, make_user, {data["a_org"]: "lesen"}, "a-leser")
    assert reader.get(f"/strategien/{data['a_sid']}").status_code == 200
    changed = [
        url
        for _e, url, methods in urls
        if "POST" in methods and not url.startswith("/api/") and reader.post(url, data={}).status_code != 404
    ]
    changed += [
        f"{method} {url}"
        for _e, url, methods in urls
        if url.startswith("/api/")
        for method in methods - {"GET"}
        if reader_api.call(method, url).status_code != 404
    ]
    assert changed == []
    assert reader.get(f"/strategien/{data['a_sid']}/bearbeiten").status_code == 404
    assert reader.get(f"/verwaltung/organisationen/{data['a_org']}").status_code == 404


def test_editors_edit_but_do_not_manage(client_as, two_organisations):
    data = two_organisations
    editor = client_as({data["a_org"]: "bearbeiten"})
    assert editor.get(f"/strategien/{data['a_sid']}/bearbeiten").status_code == 200
    assert editor.get(f"/verwaltung/organisationen/{data['a_org']}").status_code == 404
    assert editor.get(f"/verwaltung/organisationen/{data['a_org']}/sicherung.json").status_code == 404
    manager = client_as({data["a_org"]: "verwalten"})
    assert manager.get(f"/verwaltung/organisationen/{data['a_org']}").status_code == 200
    assert manager.get(f"/verwaltung/organisationen/{data['a_org']}/sicherung.json").status_code == 200


def test_state_office_reads_coordinated_organisations_only(app, client, client_as, two_organisations):
    data = two_organisations
    with app.app_context():
        row = models.Organisation(name="NLGA")
        db.session.add(row)
        db.session.commit()
        office = row.id
    response = client.post(
        f"/verwaltung/organisationen/{office}/koordination", data={"koord-organisation": str(data["a_org"])}
    )
    assert response.status_code == 302
    coordinator = client_as({office: "lesen"})
    assert coordinator.get(f"/strategien/{data['a_sid']}").status_code == 200
    assert coordinator.get(f"/strategien/{data['b_sid']}").status_code == 404
    assert coordinator.get(f"/strategien/{data['a_sid']}/bearbeiten").status_code == 404
    assert coordinator.post(f"/strategien/{data['a_sid']}/bearbeiten", data={"title": "x"}).status_code == 404
    text = coordinator.get("/").get_data(as_text=True)
    assert "Steinfurt" in text and "B-Stadt" not in text


def test_users_cannot_add_strategies_to_foreign_or_new_organisations(client_as, two_organisations, app):
    data = two_organisations
    editor = client_as({data["b_org"]: "bearbeiten"})
    with app.app_context():
        a_name = db.session.scalar(sa.text("select name from organisations where id = :i"), {"i": data["a_org"]})
    for org in (a_name, "Ganz neues Amt"):
        response = editor.post(
            "/strategien/neu",
            data={"organisation": org, "title": "Fremd", "window_start": "01/2025", "window_end": "12/2026"},
        )
        assert response.status_code == 422
    response = editor.post(
        "/strategien/neu",
        data={
            "organisation": "Gesundheitsamt B-Stadt",
            "title": "Eigen",
            "window_start": "01/2025",
            "window_end": "12/2026",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(models.Strategy).where(models.Strategy.title == "Fremd")).all() == []
        assert (
            db.session.scalar(sa.select(models.Organisation).where(models.Organisation.name == "Ganz neues Amt"))
            is None
        )


def test_users_cannot_import_into_foreign_organisations(client_as, two_organisations, app):
    import io

    data = two_organisations
    editor = client_as({data["b_org"]: "bearbeiten"})
    before = client_as({data["a_org"]: "lesen"}).get("/").get_data(as_text=True).count("/strategien/")
    response = editor.post(
        "/strategien/importieren",
        data={"file": (io.BytesIO(STEINFURT.read_bytes()), "steinfurt.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "keine Strategien anlegen" in response.get_data(as_text=True)
    after = client_as({data["a_org"]: "lesen"}).get("/").get_data(as_text=True).count("/strategien/")
    assert after == before
