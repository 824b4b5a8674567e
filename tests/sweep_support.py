"""Two offices with every table filled, for the sweeps over every route (isolation, robustness,
readers' forms). The database is built once per run (conftest.Seeds) and copied for each test,
or once per module for the sweeps' cases, which only read or are refused.

A: Kreis Steinfurt (strategy, measures, persons, a baseline, a review, Peine's assessments moved
in, an application of the landscape); B: a sample office. URL parameters are filled with ids of A's
objects: the rows of A found by the backup's foreign-key walk. A parameter that cannot be filled
fails the sweep by name: no route is skipped silently. Import a fixture from here to use it:
`from sweep_support import app, two_organisations`.
"""

from __future__ import annotations

import re
import tempfile
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from auth_support import create_user, login
from conftest import DATA, PEINE, STEINFURT, _config, import_file

from planner import create_app, models
from planner.extensions import db
from planner.formats.strategy_file import StrategyFileError, load_strategy
from planner.models import Model
from planner.services import backup

# the calendar feed is opened by the secret in its address, not by a session (test_calendar_feed.py)
# so are the Statusabfrage link and the opt-out page of a mail (test_mail.py)
PUBLIC_OR_GLOBAL = {
    "static",
    "auth.login",
    "auth.logout",
    "guide.image",
    "assets.favicon",
    "calendar_feed.feed",
    "status_link.answer",
    "status_link.save_answer",
    "status_link.opt_out",
}
FORMATS = ["svg", "png", "pdf", "csv", "xlsx", "yaml", "json", "docx", "ics", "html"]
ROLES = ("lesen", "bearbeiten", "verwalten")


@cache
def rules() -> list:
    """Every route of the application (an app without a database: the routes are fixed at collection)."""
    return sorted(create_app(_config("sqlite://")).url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def endpoints_with_parameters() -> list[str]:
    return sorted({r.endpoint for r in rules() if r.arguments and r.endpoint not in PUBLIC_OR_GLOBAL})


def _plural_matches(table: str, name: str) -> bool:
    last = table.split("_")[-1]
    return last in (name + "s", name + "es", name, name[:-1] + "ies" if name.endswith("y") else name + "s")


def rich_steinfurt(directory: Path) -> Path:
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
    path = directory / "steinfurt-verstetigung.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        load_strategy(path.read_text(encoding="utf-8"))
    except StrategyFileError:
        return STEINFURT
    return path


def build_two_organisations(app) -> dict:
    """Fill an empty database with A and B (see the module's text); the ids the tests need."""
    with tempfile.TemporaryDirectory() as directory:
        directory = Path(directory)
        a_sid = import_file(app, rich_steinfurt(directory))
        text = (
            (DATA / "sample.yaml")
            .read_text(encoding="utf-8")
            .replace("Gesundheitsamt Musterstadt", "Gesundheitsamt B-Stadt")
        )
        b_file = directory / "isolation-b.yaml"
        b_file.write_text(text, encoding="utf-8")
        b_sid = import_file(app, b_file)
        peine = import_file(app, PEINE)
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
        # an application of A's landscape (Applikationslandkarte), so its routes get an id
        from planner.models.land import Application

        db.session.add(Application(organisation_id=a_org, name="InfektA", vendor="Beispiel GmbH", interfaces=["DEMIS"]))
        # a directory group mapped to a role in A (Verwaltung › Verzeichnisgruppen), so its routes get an id
        from planner.services.directory_groups import add_mapping

        mapping_id = add_mapping(db.session, "CN=GA-A,OU=Gruppen,DC=kreis,DC=de", a_org, "lesen").id
        # a Statusabfrage per Mail of A with one person's link, so its routes get ids
        from planner.services import status_links

        a_row = db.session.get(models.Strategy, a_sid)
        a_person = status_links.owners_of(a_row)[0]
        a_person.email = "a-person@kreis-a.example"
        status_links.start(db.session, a_row, by="Sweep")

        # a survey round of A (as a coordinator) and a finished document of A, so their routes get an id
        import datetime as dt

        from planner.models.jobs import DONE, DocumentJob
        from planner.models.land import SurveyRound

        db.session.add(SurveyRound(coordinator_id=a_org, title="Erhebung A", due_on=dt.date(2030, 1, 31)))
        job = DocumentJob(
            id="a" * 32,
            kind="landesbericht_pdf",
            organisation_id=a_org,
            options={},
            fingerprint="a" * 64,
            title="Landesbericht A",
            state=DONE,
            filename="a.pdf",
            mimetype="application/pdf",
            content=b"%PDF-1.7 A",
        )
        db.session.add(job)
        db.session.commit()
    a_user = create_user(app, "a-verwalten", roles={a_org: "verwalten"})
    a_token = ApiCaller(app, a_user)
    # a roadmap baseline of A, through its own page
    admin = login(app.test_client(), 1)
    assert admin.post(f"/strategien/{a_sid}/fahrplan/basisplaene", data={"name": "Basisplan 2023"}).status_code == 302
    # a strategy review of A (with its decisions), through its own page
    assert admin.post(f"/strategien/{a_sid}/strategiereviews/vorbereiten").status_code == 302
    with app.app_context():
        rows = backup.collect(db.session.connection(), a_org)
    return {
        "a_org": a_org,
        "b_org": b_org,
        "a_sid": a_sid,
        "b_sid": b_sid,
        "peine_sid": peine,
        "rows": rows,
        "a_user": a_user,
        "a_token_id": a_token.token_id,
        "mapping_id": mapping_id,
    }


@pytest.fixture
def app(seeds):
    """The application on a fresh copy of the two offices (replaces conftest's empty one)."""
    app, data = seeds.app("zwei-aemter", build_two_organisations)
    app.config["TEST_TWO_ORGANISATIONS"] = data
    yield app
    seeds.release(app)


@pytest.fixture
def two_organisations(app) -> dict:
    """The ids of the two offices in `app`'s database."""
    return app.config["TEST_TWO_ORGANISATIONS"]


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


def member(app, roles: dict[int, str], name: str):
    """A cookie client and an API caller of a new user with these roles."""
    user = create_user(app, name, roles=roles)
    return login(app.test_client(), user), ApiCaller(app, user)


def _value(param: str, data: dict) -> str | None:
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
    if param == "mapping_id":
        return str(data["mapping_id"])
    if param == "job_id":
        return "a" * 32  # the finished document of A (build_two_organisations)
    if param == "office_id":
        return str(data["a_org"])
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


def urls_of(app, data: dict, admin) -> tuple[list[tuple[str, str, set[str]]], list[str]]:
    """(endpoint, url, methods) for every rule with parameters; and the parameters nobody could fill."""
    urls, unfilled = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_OR_GLOBAL or not rule.arguments:
            continue
        values = {}
        for param in rule.arguments:
            if param == "fmt":
                continue
            value = _value(param, data)
            if value is None:
                unfilled.append(f"{rule.rule}: <{param}>")
            values[param] = value
        if any(v is None for v in values.values()):
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        if "fmt" in rule.arguments:
            for fmt in FORMATS:
                url = build_url(rule, {**values, "fmt": fmt})
                if "GET" not in methods or admin.get(url).status_code != 404:
                    break
            values["fmt"] = fmt
        urls.append((rule.endpoint, build_url(rule, values), methods))
    return urls, unfilled


def build_url(rule, values: dict) -> str:
    url = rule.rule
    for param, value in values.items():
        url = re.sub(rf"<(?:[a-z]+:)?{param}>", str(value), url)
    return url


class World:
    """The two offices on one database copy shared by the cases of a module: the URLs of every
    route filled with A's ids, and members of other offices made once per role."""

    def __init__(self, app, data: dict):
        self.app, self.data = app, data
        self.admin = login(app.test_client(), 1)
        urls, self.unfilled = urls_of(app, data, self.admin)
        self.urls = {endpoint: (url, methods) for endpoint, url, methods in urls}
        self._members: dict[str, tuple] = {}

    def member(self, name: str, roles: dict[int, str]):
        """(cookie client, API caller) of the user `name`, made on first use."""
        if name not in self._members:
            self._members[name] = member(self.app, roles, name)
        return self._members[name]
