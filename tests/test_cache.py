"""The one cache (services/cache.py, web/cached.py): versions bumped by every write, bulk writes
included; a save in one office leaves every other office's cached values valid; pages answered
304 through ETags; the four stale or leaking defects of issue 25 (each of these failed before)."""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from dataclasses import replace
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from conftest import PEINE, STEINFURT, import_file

from planner import models
from planner.domain.strategy import Status
from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.models import maturity as mm
from planner.models.auth import AuditEntry
from planner.services import cache, land_sample
from planner.services import portfolio as portfolio_service
from planner.services import roadmap as roadmap_service
from planner.services import strategies as strategies_service


@pytest.fixture
def today(app):
    app.config["TODAY"] = date(2024, 3, 15)


def _revision(app, scope: str) -> int:
    with app.app_context():
        return cache.revisions(db.session, [scope]).get(scope, 0)


# the reader as imported: a test counting the pages' reads (monkeypatched) does not count its own edits
READ_STRATEGY = strategies_service.read_strategy


def _edit(app, strategy_id: int, key: str, **fields) -> None:
    with app.app_context():
        row = strategies_service.load_strategy_row(db.session, strategy_id)
        measure = READ_STRATEGY(db.session, row).measure(key)
        strategies_service.save_measure(db.session, row, replace(measure, **fields), existing_key=key)
        db.session.commit()


def _first_key(app, strategy_id: int) -> str:
    with app.app_context():
        return db.session.scalar(
            sa.select(models.Measure.key).where(models.Measure.strategy_id == strategy_id).order_by(models.Measure.id)
        )


def _organisation(app, strategy_id: int) -> int:
    with app.app_context():
        return db.session.get(models.Strategy, strategy_id).organisation_id


# --- versions ---------------------------------------------------------------------------------


@pytest.mark.db
def test_orm_bulk_updates_deletes_and_inserts_bump_the_revisions(app, sample_id):
    """Bulk statements pass no flush and write no audit entry; they bump what they change all the same."""
    org = _organisation(app, sample_id)
    s, o = cache.strategy(sample_id), cache.organisation(org)
    before = _revision(app, s)
    with app.app_context():
        db.session.execute(
            sa.update(models.Measure).where(models.Measure.strategy_id == sample_id).values(title="Massenänderung")
        )
        db.session.commit()
    assert _revision(app, s) == before + 1
    with app.app_context():  # measure_owners point at strategies only through their measure
        db.session.execute(sa.delete(models.MeasureOwner))
        db.session.commit()
    assert _revision(app, s) == before + 2
    with app.app_context():
        db.session.execute(sa.insert(mm.MaturityTarget), [{"strategy_id": sample_id, "subdimension": "x", "stage": 2}])
        db.session.execute(sa.delete(mm.MaturityTarget).where(mm.MaturityTarget.strategy_id == sample_id))
        db.session.commit()
    assert _revision(app, s) == before + 4
    organisation_before = _revision(app, o)
    with app.app_context():
        criterion = {"organisation_id": org, "position": 0, "subdimension": "x", "stage": 1, "text": "t", "note": ""}
        db.session.execute(sa.insert(mm.MaturityCriterion), [criterion])
        db.session.commit()
        db.session.execute(sa.delete(mm.MaturityCriterion).where(mm.MaturityCriterion.organisation_id == org))
        db.session.commit()
    assert _revision(app, o) == organisation_before + 2
    with app.app_context():  # rolled back: nothing counted
        db.session.execute(sa.update(models.Measure).values(title="verworfen"))
        db.session.rollback()
    assert _revision(app, s) == before + 4


@pytest.mark.db
def test_a_save_counts_for_its_strategy_not_for_other_offices(app, sample_id):
    peine = import_file(app, PEINE)
    mine, theirs = cache.strategy(sample_id), cache.strategy(peine)
    before = {s: _revision(app, s) for s in (mine, theirs, cache.organisation(_organisation(app, sample_id)))}
    _edit(app, peine, _first_key(app, peine), title="Geändert in Peine")
    after = {s: _revision(app, s) for s in before}
    assert after[theirs] == before[theirs] + 1 if theirs in before else after[theirs] > 0
    assert after[mine] == before[mine]
    assert (
        after[cache.organisation(_organisation(app, sample_id))]
        == before[cache.organisation(_organisation(app, sample_id))]
    )


@pytest.mark.db
def test_a_save_in_one_office_leaves_the_other_offices_pages_valid(app, client, sample_id, today, monkeypatch):
    """Strategy page, measure page, Fahrplan page and chart of one office stay cached (not
    rendered again, 304 for the browser that has them) while another office saves."""
    peine = import_file(app, PEINE)
    built: list[str] = []
    read_strategy, roadmap = strategies_service.read_strategy, roadmap_service.roadmap
    monkeypatch.setattr(
        strategies_service, "read_strategy", lambda *a, **k: built.append("read") or read_strategy(*a, **k)
    )
    monkeypatch.setattr(roadmap_service, "roadmap", lambda row: built.append("roadmap") or roadmap(row))
    pages = [
        f"/strategien/{sample_id}",
        f"/strategien/{sample_id}/massnahmen/chatbot",
        f"/strategien/{sample_id}/fahrplan",
        f"/strategien/{sample_id}/fahrplan.svg",
    ]
    etags = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200
        etags[page] = response.headers["ETag"]
    _edit(app, peine, _first_key(app, peine), title="Geändert in Peine")
    rendered = len(built)  # the save reads its own strategy: counted from here, only the pages
    for page in pages:
        assert client.get(page, headers={"If-None-Match": etags[page]}).status_code == 304, page
        assert client.get(page).headers["ETag"] == etags[page]
    assert len(built) == rendered  # nothing rendered again
    _edit(app, sample_id, "chatbot", title="Chatbot für alle")
    for page in pages:
        assert client.get(page, headers={"If-None-Match": etags[page]}).status_code == 200, page


# --- pages through HTTP -----------------------------------------------------------------------


@pytest.mark.db
def test_pages_carry_a_private_etag_per_reader_and_session(app, client, client_as, sample_id, today):
    page = f"/strategien/{sample_id}"
    first = client.get(page)
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert client.get(page, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    reader = client_as(roles={_organisation(app, sample_id): "lesen"})
    theirs = reader.get(page)
    assert theirs.headers["ETag"] != first.headers["ETag"]
    assert reader.get(page, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    # another day, another address (query): another page
    assert client.get(page + "?zeitstand=laufend").headers["ETag"] != first.headers["ETag"]
    app.config["TODAY"] = date(2024, 3, 16)
    assert client.get(page, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def _timing(response) -> dict[str, str]:
    """Server-Timing as metric -> its parameters."""
    out = {}
    for metric in response.headers["Server-Timing"].split(", "):
        name, _, params = metric.partition(";")
        out[name] = params
    return out


@pytest.mark.db
def test_answers_say_what_they_cost_and_whether_the_cache_had_them(app, client, sample_id, today):
    """Server-Timing: time and CPU time in the app; `miss` when a part or chart was made for this
    request. The second reader of a page and of its chart finds them in the cache."""
    for page in (f"/strategien/{sample_id}", f"/strategien/{sample_id}/fahrplan.svg"):
        first, again = _timing(client.get(page)), _timing(client.get(page))
        assert "miss" in first and "miss" not in again, page
        for timing in (first, again):
            app_ms = float(timing["app"].split(";")[0].removeprefix("dur="))
            cpu_ms = float(timing["cpu"].split(";")[0].removeprefix("dur="))
            assert app_ms > 0 and cpu_ms >= 0
    _edit(app, sample_id, "chatbot", title="Chatbot für alle")
    assert "miss" in _timing(client.get(f"/strategien/{sample_id}/fahrplan.svg"))
    assert "Server-Timing" in client.get("/anmelden").headers  # every answer, also without a session


@pytest.mark.db
def test_a_page_with_a_flashed_message_is_not_kept(app, client, sample_id, today):
    page = f"/strategien/{sample_id}/massnahmen/chatbot"
    etag = client.get(page).headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Gespeichert.")]
    shown = client.get(page, headers={"If-None-Match": etag})
    assert shown.status_code == 200 and "Gespeichert." in shown.text
    assert "ETag" not in shown.headers and shown.headers["Cache-Control"] == "no-store"
    assert client.get(page, headers={"If-None-Match": etag}).status_code == 304  # the message is gone


@pytest.mark.db
def test_the_session_countdown_is_the_same_on_every_page(app, client, sample_id):
    """The page carries the idle limit, not the seconds left: the browser counts down."""
    app.config["LOGIN_IDLE_MINUTES"] = 30
    one, two = client.get(f"/strategien/{sample_id}").text, client.get("/").text
    idle = re.compile(r'data-idle-seconds="(\d+)"')
    assert idle.search(one).group(1) == idle.search(two).group(1) == str(30 * 60 - 30)


@pytest.mark.db
def test_forms_in_a_cached_part_get_the_readers_own_token(app, client_as, sample_id, today):
    """A cached measure page holds no token; each form gets this session's token through a
    hidden input with its form attribute, and the token stays valid for the session."""
    app.config["WTF_CSRF_ENABLED"] = True
    org = _organisation(app, sample_id)
    first, second = client_as(roles={org: "bearbeiten"}), client_as(roles={org: "bearbeiten"})
    page = f"/strategien/{sample_id}/massnahmen/chatbot"
    token = re.compile(r'<input name="csrf_token" type="hidden" value="([^"]+)" form="abhaengigkeit-hinzufuegen">')
    html = second.get(page).text
    assert 'id="abhaengigkeit-hinzufuegen"' in html
    assert token.search(first.get(page).text).group(1) != token.search(html).group(1)
    saved = second.post(
        f"{page}/abhaengigkeiten", data={"csrf_token": token.search(html).group(1), "dep-prerequisite": "schulungen"}
    )
    assert saved.status_code == 302


# --- the four defects -------------------------------------------------------------------------


@pytest.fixture
def land(app):
    import_file(app, PEINE)
    import_file(app, STEINFURT)
    with app.app_context():
        row = land_sample.seed_sample_land(
            db.session, load_strategy(land_sample.SAMPLE_FILE.read_text(encoding="utf-8"))
        )
        db.session.commit()
        orgs = dict(db.session.execute(sa.select(models.Organisation.name, models.Organisation.id)).all())
        return {"land": row.organisation_id, **orgs}


def _peine_measures(app, land) -> int:
    with app.app_context():
        coordinator = db.session.get(models.Organisation, land["land"])
        p = portfolio_service.portfolio(db.session, coordinator, date(2024, 3, 15))
        return next(o.measures for o in p.offices if o.organisation_id == land["Landkreis Peine"])


@pytest.mark.db
def test_a_change_that_commits_late_shows_in_the_portfolio(app, land):
    """A transaction whose audit entries got lower ids and times than entries committed before
    it (it drew its ids first, committed last) changes the portfolio at once."""
    with app.app_context():
        db.session.add(
            AuditEntry(
                id=10**9,
                at=datetime(2100, 1, 1),
                change_id="frueher",
                table_name="x",
                object_id="1",
                action="update",
                field="f",
                path="",
            )
        )
        db.session.commit()
    before = _peine_measures(app, land)
    with app.app_context():
        sid = db.session.scalar(
            sa.select(models.Strategy.id).where(models.Strategy.organisation_id == land["Landkreis Peine"])
        )
        row = strategies_service.load_strategy_row(db.session, sid)
        strategy = strategies_service.read_strategy(db.session, row)
        new = replace(strategy.measures[0], key="spaet", title="Spät gespeichert", depends_on=[])
        strategies_service.save_measure(db.session, row, new)
        db.session.commit()
        # the late transaction's entries lie below the newest entry
        db.session.execute(sa.update(AuditEntry).where(AuditEntry.id > 10**9).values(id=AuditEntry.id - 5 * 10**8))
        db.session.commit()
    assert _peine_measures(app, land) == before + 1


def test_the_code_fingerprint_covers_all_code(tmp_path, monkeypatch):
    """Every file under planner/ (forms, API, sub-packages) and templates/ counts."""
    forms = tmp_path / "planner" / "web" / "forms"
    forms.mkdir(parents=True)
    (forms / "labels.py").write_text('LABEL = "Titel"\n')
    (tmp_path / "templates" / "landesebene").mkdir(parents=True)
    (tmp_path / "templates" / "landesebene" / "_part.html").write_text("<p>a</p>")
    monkeypatch.setattr(cache, "_ROOT", tmp_path / "planner")

    def fingerprint() -> str:
        cache.code_fingerprint.cache_clear()
        return cache.code_fingerprint()

    first = fingerprint()
    (forms / "labels.py").write_text('LABEL = "Bezeichnung"\n')
    second = fingerprint()
    (tmp_path / "templates" / "landesebene" / "_part.html").write_text("<p>b</p>")
    assert len({first, second, fingerprint()}) == 3
    cache.code_fingerprint.cache_clear()


@pytest.mark.db
def test_the_portfolio_parts_are_kept_per_script_root(app, land, client_as):
    """A reader sent through another script root (a proxy's prefix) gets links under it; the
    next reader without it gets their own."""
    member, second = client_as({land["land"]: "lesen"}), client_as({land["land"]: "lesen"})
    url = f"/landesebene/{land['land']}"
    evil = member.get(url, environ_overrides={"SCRIPT_NAME": "//evil.example"})
    assert evil.status_code == 200 and "//evil.example/strategien/" in evil.text
    other = second.get(url).text
    assert "evil.example" not in other and 'href="/strategien/' in other


@pytest.mark.db
def test_no_user_text_is_replaced_in_a_page(app, client_as, sample_id, today):
    """A measure titled like a marker of the former placeholders shows its title, not the
    reader's token: nothing is substituted into rendered HTML."""
    app.config["WTF_CSRF_ENABLED"] = True
    secret = str(app.config["SECRET_KEY"]).encode()
    marker = "planner-csrf-" + hmac.new(secret, b"planner placeholder csrf", hashlib.sha256).hexdigest()[:32]
    _edit(app, sample_id, "chatbot", title=f"Titel {marker}")
    reader = client_as(roles={_organisation(app, sample_id): "bearbeiten"})
    page = reader.get(f"/strategien/{sample_id}/massnahmen/chatbot").text
    assert f"Titel {marker}" in page
    with reader.session_transaction() as session:
        raw = session.get("csrf_token")
    assert raw is None or raw not in page


# --- readers do not wait ----------------------------------------------------------------------


@pytest.mark.db
def test_a_value_being_made_is_served_stale_meanwhile(app):
    """While one thread makes the current value, another gets the older one at once."""
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "neu"

    with app.app_context():
        assert cache.cached(db.session, "alt", "probe", lambda: "alt", shared=False) == "alt"

    def maker():
        with app.app_context():
            cache.cached(db.session, "neu", "probe", slow, shared=False)

    thread = threading.Thread(target=maker)
    thread.start()
    started.wait(5)
    with app.app_context():
        assert cache.cached_or_stale(db.session, "neu", "probe", lambda: "nie", shared=False) == ("alt", True)
    release.set()
    thread.join()
    with app.app_context():
        assert cache.cached_or_stale(db.session, "neu", "probe", lambda: "nie", shared=False) == ("neu", False)


@pytest.mark.db
def test_the_memory_is_bounded(app, monkeypatch):
    monkeypatch.setattr(cache, "CACHE_ITEMS", 3)
    with app.app_context():
        for i in range(10):
            cache.cached(db.session, "s", f"wert {i}", lambda i=i: f"{i}", shared=False)
        assert len(cache._memories[db.engine].values) == 3


@pytest.mark.db
def test_a_save_in_one_office_recomputes_only_that_office_of_the_portfolio(app, land, monkeypatch):
    computed: list[int] = []
    office = portfolio_service.domain.office
    monkeypatch.setattr(
        portfolio_service.domain, "office", lambda org, *a, **k: computed.append(org) or office(org, *a, **k)
    )
    before = _peine_measures(app, land)
    assert len(computed) >= 2
    computed.clear()
    assert _peine_measures(app, land) == before and computed == []  # unchanged: kept whole
    with app.app_context():
        sid = db.session.scalar(
            sa.select(models.Strategy.id).where(models.Strategy.organisation_id == land["Landkreis Peine"])
        )
    _edit(app, sid, _first_key(app, sid), title="Neu in Peine")
    _peine_measures(app, land)
    assert computed == [land["Landkreis Peine"]]


@pytest.mark.db
def test_a_save_in_one_office_renders_only_that_offices_rows_of_the_portfolio_page(app, land, client_as, monkeypatch):
    """The heat map and the offices table are made of rows kept per office under that office's
    figures: a save in Peine that changes none of them (a title) renders no row; one that does
    (a status) renders Peine's two rows, not every office's."""
    import planner.web.portfolio as portfolio_web

    rendered: list[tuple[str, str]] = []
    real = portfolio_web.get_template_attribute

    def counting(template, name):
        macro = real(template, name)
        return lambda office, *a: rendered.append((name, office.name)) or macro(office, *a)

    monkeypatch.setattr(portfolio_web, "get_template_attribute", counting)
    reader = client_as({land["land"]: "lesen"})
    url = f"/landesebene/{land['land']}"
    first = reader.get(url)
    offices = {name for _, name in rendered}
    assert first.status_code == 200 and len(offices) >= 2 and "Landkreis Peine" in offices
    assert len(rendered) == 2 * len(offices)
    rendered.clear()
    with app.app_context():
        sid = db.session.scalar(
            sa.select(models.Strategy.id).where(models.Strategy.organisation_id == land["Landkreis Peine"])
        )
    _edit(app, sid, _first_key(app, sid), title="Neu in Peine")
    again = reader.get(url)
    assert again.status_code == 200 and rendered == []
    assert all(name in again.text for name in offices)
    _edit(app, sid, _first_key(app, sid), status=Status.BACKLOG)  # a figure: one more in the backlog
    changed = reader.get(url)
    assert sorted(rendered) == [("heat_row", "Landkreis Peine"), ("office_row", "Landkreis Peine")]
    # the page still shows every office, the unchanged rows as they were
    for name in offices:
        assert name in changed.text


@pytest.mark.db
def test_the_land_pages_compute_the_portfolio_once_per_state(app, land, client_as, monkeypatch):
    """Handlungsbedarf and Entwicklung read the portfolio of the page: a second request with
    nothing changed computes nothing (the page's stamp holds the reader, the portfolio's does not)."""
    computed: list[int] = []
    compute = portfolio_service.compute
    monkeypatch.setattr(portfolio_service, "compute", lambda *a, **k: computed.append(1) or compute(*a, **k))
    # both readers first: a new member changes the state office's data, and so its portfolio
    reader, other = client_as({land["land"]: "lesen"}), client_as({land["land"]: "lesen"})
    for page in ("handlungsbedarf", "entwicklung"):
        assert reader.get(f"/landesebene/{land['land']}/{page}").status_code == 200
    assert len(computed) == 1
    for page in ("handlungsbedarf", "entwicklung", ""):
        assert other.get(f"/landesebene/{land['land']}/{page}".rstrip("/")).status_code == 200
    assert len(computed) == 1


@pytest.mark.db
def test_the_land_pages_are_kept_under_the_figures_they_show(app, land, client_as, monkeypatch):
    """Handlungsbedarf and Entwicklung are made of the offices' figures and kept under their digest:
    a save that changes no figure (a title) makes neither again, one that does (a status) makes both."""
    import planner.web.portfolio as portfolio_web

    made: list[str] = []
    for name in ("handlungsbedarf", "trend"):
        real = getattr(portfolio_web.progress_service, name)
        monkeypatch.setattr(
            portfolio_web.progress_service, name, lambda *a, _n=name, _r=real, **k: made.append(_n) or _r(*a, **k)
        )
    reader = client_as({land["land"]: "lesen"})
    pages = [f"/landesebene/{land['land']}/handlungsbedarf", f"/landesebene/{land['land']}/entwicklung"]
    first = [reader.get(url) for url in pages]
    assert [r.status_code for r in first] == [200, 200] and sorted(made) == ["handlungsbedarf", "trend"]
    with app.app_context():
        sid = db.session.scalar(
            sa.select(models.Strategy.id).where(models.Strategy.organisation_id == land["Landkreis Peine"])
        )
    made.clear()
    _edit(app, sid, _first_key(app, sid), title="Neu in Peine")
    again = [reader.get(url) for url in pages]
    assert [r.status_code for r in again] == [200, 200] and made == []
    assert "Landkreis Peine" in again[0].text and "Entwicklung des Reifegrads" in again[1].text
    _edit(app, sid, _first_key(app, sid), status=Status.BACKLOG)
    assert [reader.get(url).status_code for url in pages] == [200, 200]
    assert sorted(made) == ["handlungsbedarf", "trend"]


@pytest.mark.db
def test_the_kept_portfolio_content_shows_each_reader_their_own_rights(app, land, client_as):
    """The content is kept per right to change: an editor's links to change the Landesmaßnahmen'
    participants are not served to a reader who may only read."""
    url = f"/landesebene/{land['land']}"
    editor = client_as({land["land"]: "bearbeiten"})
    edit_link = "/teilnehmende"
    assert edit_link in editor.get(url).text
    reader = client_as({land["land"]: "lesen"})
    page = reader.get(url)
    assert page.status_code == 200 and "Landesmaßnahmen" in page.text and edit_link not in page.text
