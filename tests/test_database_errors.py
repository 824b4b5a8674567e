"""Database failures end in German pages (issue 10, defects 7 and 8, database outage): error pages
render after a failed transaction, a unique clash between a view's check and its write is
answered by the view's own message, an unreachable database answers 503, and an edit without
a valid lock version is refused."""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa
from auth_support import login
from conftest import domain, version_of

from planner import create_app, models
from planner.extensions import db
from planner.services import strategies as strategy_service

ORGANISATION = "Gesundheitsamt Musterstadt"  # the sample strategy's organisation


def _break_transaction() -> None:
    """Leave the session's transaction failed, as a clash in a flush does (the next query would
    raise PendingRollbackError until someone rolls back)."""
    db.session.add(models.Organisation(name=ORGANISATION))
    with contextlib.suppress(sa.exc.IntegrityError):
        db.session.flush()


@pytest.fixture
def broken_detail(monkeypatch):
    """Make the strategy page fail after its transaction failed, with the given exception."""

    def install(error: Exception):
        def fail(*_args, **_kwargs):
            _break_transaction()
            raise error

        monkeypatch.setattr(strategy_service, "read_strategy", fail)

    return install


@pytest.mark.db
def test_an_unexpected_error_after_a_failed_transaction_renders_the_german_500_page(client, sample_id, broken_detail):
    broken_detail(RuntimeError("kaputt"))
    response = client.get(f"/strategien/{sample_id}")
    assert response.status_code == 500
    page = response.text
    assert "Interner Fehler" in page and "Ihre Eingaben wurden nicht gespeichert" in page
    assert "Abmelden" in page  # the navigation of the logged-in user needed the database again


@pytest.mark.db
def test_a_lost_database_connection_answers_503_in_german(client, sample_id, broken_detail, monkeypatch):
    broken_detail(sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly")))
    response = client.get(f"/strategien/{sample_id}")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert "Vorübergehend nicht verfügbar" in response.text and "Datenbank ist gerade nicht erreichbar" in response.text
    monkeypatch.undo()
    assert client.get(f"/strategien/{sample_id}").status_code == 200


def test_an_unreachable_database_answers_503_even_before_the_user_is_loaded(tmp_path):
    """No database at all (a file that cannot be opened): every page, the login check included, fails."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{tmp_path / 'fehlt' / 'planner.db'}"},
        }
    )
    client = login(app.test_client(), 1)
    for path in ("/", "/strategien/1", "/anmelden"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "Vorübergehend nicht verfügbar" in response.text
        assert "Traceback" not in response.text
    # the page's stylesheets need no database; an unknown address is still a German 404
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/assets/dimensionen.css").status_code == 200
    missing = client.get("/gibt-es-nicht")
    assert missing.status_code == 404 and "Nicht gefunden" in missing.text


@pytest.mark.db
def test_a_clash_that_persists_answers_409_in_german(client, monkeypatch):
    def clash(session, name):
        _break_transaction()
        session.flush()  # raises: the transaction is failed

    monkeypatch.setattr(strategy_service, "get_or_create_organisation", clash)
    form = {"organisation": "Gesundheitsamt Neustadt", "title": "Strategie", "window_start": "01/2027"}
    form["window_end"] = "12/2028"
    response = client.post("/strategien/neu", data=form)
    assert response.status_code == 409
    assert "Gleichzeitige Änderung" in response.text and "Abmelden" in response.text


@pytest.mark.db
def test_a_clash_between_check_and_write_is_answered_by_the_view_run_again(app, client):
    """Another request stores the same new organisation name just between this request's check
    and its INSERT: the view runs again, finds that organisation and uses it (no 500)."""
    with app.app_context():
        engine = db.engine
    sneaked = []

    def sneak_in(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO organisations") and not sneaked:
            sneaked.append(True)
            with engine.begin() as other:
                other.execute(sa.insert(models.Organisation).values(name="Gesundheitsamt Neustadt"))

    sa.event.listen(engine, "before_cursor_execute", sneak_in)
    try:
        form = {"organisation": "Gesundheitsamt Neustadt", "title": "Strategie 2027"}
        response = client.post("/strategien/neu", data=form | {"window_start": "01/2027", "window_end": "12/2028"})
    finally:
        sa.event.remove(engine, "before_cursor_execute", sneak_in)
    assert sneaked and response.status_code == 302
    with app.app_context():
        org = db.session.scalar(
            sa.select(models.Organisation).where(models.Organisation.name == "Gesundheitsamt Neustadt")
        )
        assert [s.title for s in org.strategies] == ["Strategie 2027"]


# --- defect 8: the lost-update check cannot be skipped -----------------------------------------


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "1.0", "²", "99999999999999999999"])
@pytest.mark.db
def test_a_measure_edit_without_a_valid_version_is_refused_and_keeps_the_input(app, client, sample_id, version):
    url = f"/strategien/{sample_id}/massnahmen/awareness/bearbeiten"
    form = {k: v for k, v in _form(client, url).items() if k != "lock_version"}
    form["title"] = "Überschrieben?"
    if version is not None:
        form["lock_version"] = version
    response = client.post(url, data=form)
    assert response.status_code == 422
    assert "keinen gültigen Bearbeitungsstand" in response.text
    assert 'value="Überschrieben?"' in response.text
    assert domain(app, sample_id).measure("awareness").title == "Entwicklung eines Awareness-Konzepts"
    # the form now carries the current version: saving again (after checking) works
    again = {**form, "lock_version": _form(client, url)["lock_version"]}
    assert client.post(url, data=again).status_code == 302


@pytest.mark.parametrize("version", [None, "abc"])
@pytest.mark.db
def test_a_strategy_edit_without_a_valid_version_is_refused_and_keeps_the_input(app, client, sample_id, version):
    url = f"/strategien/{sample_id}/bearbeiten"
    form = {k: v for k, v in _form(client, url).items() if k != "lock_version"}
    form["vision"] = "Eine neue Vision."
    if version is not None:
        form["lock_version"] = version
    response = client.post(url, data=form)
    assert response.status_code == 422
    assert "keinen gültigen Bearbeitungsstand" in response.text and "Eine neue Vision." in response.text
    assert domain(app, sample_id).vision != "Eine neue Vision."
    assert client.post(url, data={**form, "lock_version": version_of(client, url)}).status_code == 302
    assert domain(app, sample_id).vision == "Eine neue Vision."


def _form(client, url: str) -> dict:
    from auth_support import form_data

    return form_data(client.get(url).text)
