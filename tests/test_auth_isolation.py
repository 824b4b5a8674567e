"""Organisation isolation: every route of organisation A, tried as users of organisation B, answers 404.

The routes come from app.url_map, so routes other areas add are covered without changes here; each
route and role is a case of its own. URL parameters are filled with ids of A's objects (see
sweep_support). The sweeps' cases share one copy of the seeded offices per module: they only read,
or are refused; the tests that write get a fresh copy each.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import STEINFURT
from sweep_support import (  # noqa: F401  (app, two_organisations: fixtures)
    PUBLIC_OR_GLOBAL,
    ROLES,
    ApiCaller,
    World,
    app,
    build_two_organisations,
    endpoints_with_parameters,
    rules,
    two_organisations,
    urls_of,
)

from planner import models
from planner.extensions import db

pytestmark = pytest.mark.db

ENDPOINTS = endpoints_with_parameters()
READABLE = sorted({r.endpoint for r in rules() if r.endpoint in ENDPOINTS and "GET" in r.methods})


@pytest.fixture(scope="module")
def world(seeds, pdf_once):
    """The two offices, shared by the outsider and reader cases (nothing they do may change anything)."""
    app, data = seeds.app("zwei-aemter", build_two_organisations)
    yield World(app, data)
    seeds.release(app)


def test_every_route_parameter_is_filled_and_the_sweep_is_wide(world):
    assert world.unfilled == [], "URL-Parameter ohne Wert (bitte in sweep_support._value ergänzen): " + ", ".join(
        world.unfilled
    )
    assert sorted(world.urls) == ENDPOINTS
    assert len(world.urls) >= 40
    assert sum(url.startswith("/api/") for url, _m in world.urls.values()) >= 10


@pytest.mark.parametrize("endpoint", READABLE)
def test_the_urls_address_real_objects_the_administrator_reaches(world, endpoint):
    url, _methods = world.urls[endpoint]
    response = ApiCaller(world.app, 1).call("GET", url) if url.startswith("/api/") else world.admin.get(url)
    assert response.status_code != 404, url


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_every_route_of_one_organisation_is_404_for_another(world, role, endpoint):
    other, other_api = world.member(f"b-{role}", {world.data["b_org"]: role})
    url, methods = world.urls[endpoint]
    leaks = []
    if url.startswith("/api/"):
        for method in sorted(methods):
            if (status := other_api.call(method, url).status_code) != 404:
                leaks.append(f"{method} {url} ({endpoint}) -> {status}")
    else:
        if "GET" in methods and (status := other.get(url).status_code) != 404:
            leaks.append(f"GET {url} ({endpoint}) -> {status}")
        if "POST" in methods and (status := other.post(url, data={}).status_code) != 404:
            leaks.append(f"POST {url} ({endpoint}) -> {status}")
    assert leaks == [], f"Rolle {role} in B sieht A: " + "\n".join(leaks)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_readers_cannot_change_anything(world, endpoint):
    reader, reader_api = world.member("a-leser", {world.data["a_org"]: "lesen"})
    url, methods = world.urls[endpoint]
    if url.startswith("/api/"):
        changed = [f"{m} {url}" for m in sorted(methods - {"GET"}) if reader_api.call(m, url).status_code != 404]
    else:
        changed = [url] if "POST" in methods and reader.post(url, data={}).status_code != 404 else []
    assert changed == []


def test_a_reader_reads_but_neither_edits_nor_manages(world):
    reader, _api = world.member("a-leser", {world.data["a_org"]: "lesen"})
    assert reader.get(f"/strategien/{world.data['a_sid']}").status_code == 200
    assert reader.get(f"/strategien/{world.data['a_sid']}/bearbeiten").status_code == 404
    assert reader.get(f"/verwaltung/organisationen/{world.data['a_org']}").status_code == 404


def test_the_sweeps_changed_nothing_of_a(world):
    """Run after the cases above (same module copy): A's strategy and its measures are all still there."""
    with world.app.app_context():
        measures = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(models.Measure)
            .where(models.Measure.strategy_id == world.data["a_sid"])
        )
    assert measures == len([r for r in world.data["rows"]["measures"] if r["strategy_id"] == world.data["a_sid"]])
    assert world.admin.get(f"/strategien/{world.data['a_sid']}").status_code == 200


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
    a_member = client_as({data["a_org"]: "lesen"})
    assert "Steinfurt" in a_member.get("/").get_data(as_text=True)
    a_api = ApiCaller(app, make_user("a-api", roles={data["a_org"]: "lesen"}))
    assert "Steinfurt" in a_api.call("GET", "/api/v1/strategien").get_data(as_text=True)
    assert other.get("/verwaltung/benutzer").status_code == 404


def test_editors_edit_but_do_not_manage(client_as, two_organisations):
    data = two_organisations
    editor = client_as({data["a_org"]: "bearbeiten"})
    assert editor.get(f"/strategien/{data['a_sid']}/bearbeiten").status_code == 200
    assert editor.get(f"/verwaltung/organisationen/{data['a_org']}").status_code == 404
    assert editor.get(f"/verwaltung/organisationen/{data['a_org']}/sicherung.json").status_code == 404
    manager = client_as({data["a_org"]: "verwalten"})
    assert manager.get(f"/verwaltung/organisationen/{data['a_org']}").status_code == 200
    assert manager.get(f"/verwaltung/organisationen/{data['a_org']}/sicherung.json").status_code == 200


def test_the_navigation_offers_administration_and_new_strategies_by_role(client_as, two_organisations):
    """ "Verwaltung" leads a manager to their organisation; only editors and above are offered a new
    strategy; a reader of a coordinated office gets neither for it."""
    data = two_organisations
    pages = {
        role: client_as({data["a_org"]: role, data["b_org"]: "lesen"}).get("/").get_data(as_text=True)
        for role in ("lesen", "bearbeiten", "verwalten")
    }
    admin_link = f'href="/verwaltung/organisationen/{data["a_org"]}">Verwaltung</a>'
    assert [admin_link in pages[r] for r in ("lesen", "bearbeiten", "verwalten")] == [False, False, True]
    new = 'href="/strategien/neu"'
    assert [new in pages[r] for r in ("lesen", "bearbeiten", "verwalten")] == [False, True, True]


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


# --- a shared strategy: a third office reads it, and nothing else of A -------------------------------


@pytest.fixture(scope="module")
def shared(seeds, pdf_once):
    """A shares Steinfurt, not Peine (both A's); C is a third office with no coordination. Documents
    (PDF) are laid out once per distinct content: the three roles of C read the same pages."""
    from auth_support import login

    app, data = seeds.app("zwei-aemter", build_two_organisations)
    world = World(app, data)
    manager = login(app.test_client(), data["a_user"])
    assert manager.post(f"/strategien/{data['a_sid']}/freigabe", data={"shared": "y"}).status_code == 302
    with app.app_context():
        c_org = models.Organisation(name="Gesundheitsamt Drittstadt")
        db.session.add(c_org)
        db.session.commit()
        world.c_org = c_org.id
    unshared, unfilled = urls_of(app, {**data, "a_sid": data["peine_sid"]}, world.admin)
    assert unfilled == []
    world.unshared = {endpoint: (url, methods) for endpoint, url, methods in unshared}
    yield world
    seeds.release(app)


def _readable(data: dict, method: str, url: str) -> bool:
    return method == "GET" and (
        url.startswith(f"/strategien/{data['a_sid']}") or url.startswith(f"/api/v1/strategien/{data['a_sid']}")
    )


def _status(client, api, method: str, url: str) -> int:
    return (api.call(method, url) if url.startswith("/api/") else client.open(url, method=method, data={})).status_code


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_third_office_reads_shared_strategies_only_and_never_changes_them(shared, role, endpoint):
    """Every route of the shared strategy: C may only read its pages (GET); every other method and
    every route of the unshared strategy (Peine) answers 404."""
    other, other_api = shared.member(f"c-{role}", {shared.c_org: role})
    problems = []
    url, methods = shared.urls[endpoint]
    for method in sorted(methods):
        status = _status(other, other_api, method, url)
        if status != 404 and not _readable(shared.data, method, url):
            problems.append(f"geteilt: {method} {url} ({endpoint}) -> {status}")
    url, methods = shared.unshared[endpoint]
    for method in sorted(methods):
        if (status := _status(other, other_api, method, url)) != 404:
            problems.append(f"nicht geteilt: {method} {url} ({endpoint}) -> {status}")
    assert problems == [], f"Rolle {role} in C: " + "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_third_office_reads_the_pages_of_the_shared_strategy(shared, role):
    other, _api = shared.member(f"c-{role}", {shared.c_org: role})
    a_sid = shared.data["a_sid"]
    pages = [u for u, m in shared.urls.values() if "GET" in m and u.startswith(f"/strategien/{a_sid}")]
    assert len(pages) >= 20
    readable = [u for u in pages if other.get(u).status_code == 200]
    assert f"/strategien/{a_sid}" in readable and len(readable) >= 10


def test_pages_without_parameters_show_the_shared_strategy_never_the_unshared_one(shared):
    from auth_support import login

    reader = shared.member("c-leser-2", {shared.c_org: "lesen"})[0]
    pages = [
        r.rule
        for r in shared.app.url_map.iter_rules()
        if not r.arguments
        and "GET" in r.methods
        and r.endpoint not in PUBLIC_OR_GLOBAL
        and not r.rule.startswith("/api/")
    ]
    leaks = [p for p in pages if "Der Weg zum digitalen Gesundheitsamt" in reader.get(p).get_data(as_text=True)]
    leaks += [p for p in pages if "Schaffung einer Vollzeitstelle" in reader.get(p).get_data(as_text=True)]
    assert leaks == []
    assert "Kreis Steinfurt" in reader.get("/atlas").get_data(as_text=True)
    # the check above can fail: A's own members see Peine's measures in the atlas
    assert "Schaffung einer Vollzeitstelle" in login(shared.app.test_client(), shared.data["a_user"]).get(
        "/atlas?q=Vollzeitstelle"
    ).get_data(as_text=True)
