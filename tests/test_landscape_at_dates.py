"""Issue 27 point 8: the application landscape at two dates — reconstructed from the applications
and the audit trail (services/surveys.landscapes_at) and compared by the one comparison of two
landscapes the closed rounds use too (compare_landscapes), on the comparison page."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from planner import models
from planner.domain.landscape import Application
from planner.extensions import db
from planner.models import land as lm
from planner.models.auth import AuditEntry, Coordination
from planner.services import landscape
from planner.services import surveys as service

pytestmark = pytest.mark.db

TODAY = date(2026, 12, 7)
EARLY = datetime(2025, 3, 1, 9)  # before A (31.12.2025)
BETWEEN = datetime(2026, 2, 1, 9)  # between A and B (30.11.2026)
LATE = datetime(2026, 8, 1, 9)  # also between A and B
AFTER_B = datetime(2026, 12, 3, 9)  # after B, before today


@pytest.fixture
def land(app):
    """A state office coordinating two offices (and a third office it does not coordinate)."""
    app.config["TODAY"] = TODAY.isoformat()
    with app.app_context():
        orgs = {n: models.Organisation(name=n) for n in ("Landesstelle", "Amt Nord", "Amt Süd", "Amt Fremd")}
        db.session.add_all(orgs.values())
        db.session.flush()
        for office in ("Amt Nord", "Amt Süd"):
            db.session.add(Coordination(coordinator_id=orgs["Landesstelle"].id, organisation_id=orgs[office].id))
        db.session.commit()
        ids = {"land": "Landesstelle", "nord": "Amt Nord", "sued": "Amt Süd", "fremd": "Amt Fremd"}
        return {key: orgs[name].id for key, name in ids.items()}


def _at(when: datetime, change) -> int | None:
    """Run a change through the ORM (so the audit trail records it) and date its trail back to `when`;
    a new application is dated back too. Returns what the change returned (an application's id)."""
    newest = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
    result = change()
    db.session.commit()
    db.session.execute(sa.update(AuditEntry).where(AuditEntry.id > newest).values(at=when))
    if isinstance(result, int):
        a = lm.Application.__table__
        db.session.execute(sa.update(a).where(a.c.id == result, a.c.created_at > when).values(created_at=when))
    db.session.commit()
    return result


def _add(office_id: int, name: str) -> int:
    return landscape.save(db.session, office_id, Application(name, "Hersteller", "Infektionsschutz")).id


def _rename(application_id: int, name: str) -> None:
    row = db.session.get(lm.Application, application_id)
    landscape.save(db.session, row.organisation_id, Application(name, row.vendor, row.task_area), row)


def _delete(application_id: int) -> None:
    db.session.delete(db.session.get(lm.Application, application_id))  # as the page's „Entfernen“ does


def _bulk(office_id: int, name: str, created: datetime) -> int:
    """A row written without an audit trail, as the demo data is."""
    a = lm.Application.__table__
    return db.session.execute(
        sa.insert(a).values(organisation_id=office_id, name=name, created_at=created).returning(a.c.id)
    ).scalar_one()


def _history(ids: dict) -> None:
    """Amt Nord through planner: SurvNet kept, Octoware deleted and Mikropro renamed between A and B,
    DEMIS added after A. Amt Süd as bulk rows: SurvNet kept, Altbestand deleted and Alt renamed
    through planner between A and B, Spät written after A; Amt Fremd's row is not the Land's."""
    nord, sued = ids["nord"], ids["sued"]
    _at(EARLY, lambda: _add(nord, "SurvNet"))
    octoware = _at(EARLY, lambda: _add(nord, "Octoware"))
    mikropro = _at(EARLY, lambda: _add(nord, "Mikropro"))
    _at(BETWEEN, lambda: _delete(octoware))
    _at(BETWEEN, lambda: _rename(mikropro, "Mikropro Online"))
    _at(LATE, lambda: _add(nord, "DEMIS"))
    _bulk(sued, "SurvNet", EARLY)
    altbestand = _bulk(sued, "Altbestand", EARLY)
    alt = _bulk(sued, "Alt", EARLY)
    _bulk(sued, "Spät", LATE)
    _bulk(ids["fremd"], "Fremdanwendung", EARLY)
    db.session.commit()
    _at(BETWEEN, lambda: _delete(altbestand))
    _at(BETWEEN, lambda: _rename(alt, "Alt 2"))
    _at(AFTER_B, lambda: _add(nord, "E-Akte"))  # after B: only today shows it


def test_the_landscape_at_a_date_comes_from_the_trail_and_the_rows_created_at(app, land):
    with app.app_context():
        _history(land)
        statements: list[str] = []

        def count(*args):
            statements.append(args[2])

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            at_a, at_b, now = service.landscapes_at(
                db.session,
                [land["nord"], land["sued"]],
                [datetime(2025, 12, 31, 23), datetime(2026, 11, 30, 23), None],
            )
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert service.landscapes_at(db.session, [], [None, datetime(2026, 1, 1)]) == [{}, {}]
    assert len(statements) == 2  # the applications, the trail: whatever the number of offices
    names = {office: sorted(apps.values()) for office, apps in at_a.items()}
    assert names == {land["nord"]: ["Mikropro", "Octoware", "SurvNet"], land["sued"]: ["Alt", "Altbestand", "SurvNet"]}
    names = {office: sorted(apps.values()) for office, apps in at_b.items()}
    assert names == {
        land["nord"]: ["DEMIS", "Mikropro Online", "SurvNet"],
        land["sued"]: ["Alt 2", "Spät", "SurvNet"],
    }
    assert sorted(now[land["nord"]].values()) == ["DEMIS", "E-Akte", "Mikropro Online", "SurvNet"]


def test_two_dates_compare_with_the_comparison_of_rounds(app, land):
    with app.app_context():
        _history(land)
        comp = service.compare_dates(db.session, land["land"], date(2025, 12, 31), date(2026, 11, 30), TODAY)
        today = service.compare_dates(db.session, land["land"], date(2025, 12, 31), TODAY, TODAY)
    assert (comp.earlier_label, comp.later_label) == ("31.12.2025", "30.11.2026")
    assert (comp.offices_before, comp.offices_after) == (2, 2)
    counts = {a.name: (a.before, a.after) for a in comp.applications}
    assert counts == {
        "SurvNet": (2, 2),
        "Octoware": (1, 0),
        "Mikropro": (1, 0),
        "Mikropro Online": (0, 1),
        "DEMIS": (0, 1),
        "Altbestand": (1, 0),
        "Alt": (1, 0),
        "Alt 2": (0, 1),
        "Spät": (0, 1),
    }
    offices = {o.name: (o.added, o.removed) for o in comp.offices}
    assert offices == {
        "Amt Nord": (("DEMIS", "Mikropro Online"), ("Mikropro", "Octoware")),
        "Amt Süd": (("Alt 2", "Spät"), ("Alt", "Altbestand")),
    }
    assert today.later_label == "07.12.2026 (heute)"
    assert {o.name: o.added for o in today.offices}["Amt Nord"] == ("DEMIS", "E-Akte", "Mikropro Online")
    assert "Fremdanwendung" not in {a.name for a in today.applications}  # only the coordinated offices


def test_the_page_compares_two_dates_and_keeps_bad_input(app, land, client_as):
    with app.app_context():
        _history(land)
    coordinator = client_as({land["land"]: "lesen"})
    url = f"/landesebene/{land['land']}/erhebungen/vergleich"
    # without two closed rounds: the end of last year against today
    response = coordinator.get(url)
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text[-2000:]
    assert 'value="31.12.2025"' in text and 'value="07.12.2026"' in text
    assert "31.12.2025 (2 Ämter mit Angaben) → 07.12.2026 (heute) (2 Ämter mit Angaben)" in text
    assert "zwei abgeschlossene Erhebungsrunden" in text
    text = coordinator.get(url + "?datum_von=31.12.2025&datum_bis=30.11.2026").get_data(as_text=True)
    assert "31.12.2025 (2 Ämter mit Angaben) → 30.11.2026 (2 Ämter mit Angaben)" in text
    rows = [r.replace("\n", "") for r in text.split("<tr>") if '<th scope="row">' in r]
    assert any(">Octoware<" in r and ">1<" in r and ">0<" in r and ">-1<" in r for r in rows)
    assert any(">SurvNet<" in r and ">2<" in r and "±0" in r for r in rows)
    assert any("Amt Nord" in r and "DEMIS, Mikropro Online" in r and "Mikropro, Octoware" in r for r in rows)
    assert any("Amt Süd" in r and "Alt 2, Spät" in r and "Alt, Altbestand" in r for r in rows)
    assert "E-Akte" not in text
    for query, message, kept in (
        ("datum_von=31.13.2025&datum_bis=07.12.2026", "„31.13.2025“ ist kein gültiges Datum", "31.13.2025"),
        ("datum_von=&datum_bis=07.12.2026", "Bitte ein Datum angeben (TT.MM.JJJJ).", "07.12.2026"),
        ("datum_von=31.12.2025&datum_bis=08.12.2026", "Der Stichtag liegt in der Zukunft", "08.12.2026"),
        ("datum_von=30.11.2026&datum_bis=31.12.2025", "Der spätere Stichtag liegt vor dem früheren.", "30.11.2026"),
        ("datum_von=31.12.2025&datum_bis=31.12.2025", "Bitte zwei verschiedene Stichtage wählen.", "31.12.2025"),
    ):
        response = coordinator.get(f"{url}?{query}")
        text = response.get_data(as_text=True)
        assert response.status_code == 422 and message in text, (query, text[-3000:])
        assert f'value="{kept}"' in text and "Der Vergleich ist so nicht möglich." in text
        assert "Ämter mit Angaben" not in text


def test_only_the_coordinator_compares_its_offices(app, land, client_as):
    url = f"/landesebene/{land['land']}/erhebungen/vergleich?datum_von=31.12.2025&datum_bis=07.12.2026"
    assert client_as({land["nord"]: "verwalten"}).get(url).status_code == 404
    assert client_as({land["fremd"]: "bearbeiten"}).get(url).status_code == 404
    assert client_as({land["land"]: "lesen"}).get(url).status_code == 200
