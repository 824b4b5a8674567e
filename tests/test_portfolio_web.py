"""Landesebene pages: the portfolio of a coordinating organisation, its filters, XLSX and PDF
export, the funding calls across offices, Landesmaßnahmen, access, and a statement count that
does not grow with the number of offices."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from conftest import PEINE, STEINFURT, form_data, import_file, run
from jobs_support import fetch_document
from pdf_a11y import assert_accessible_pdf
from test_query_counts import counted

from planner import models
from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.models import land as lm
from planner.services import land_sample, landscape
from planner.services import portfolio as service


@pytest.fixture
def land(app):
    """Peine and Steinfurt, coordinated by the sample Landesstelle (as `planner seed` loads them)."""
    import_file(app, PEINE)
    import_file(app, STEINFURT)
    with app.app_context():
        row = land_sample.seed_sample_land(
            db.session, load_strategy(land_sample.SAMPLE_FILE.read_text(encoding="utf-8"))
        )
        db.session.commit()
        orgs = dict(db.session.execute(sa.select(models.Organisation.name, models.Organisation.id)).all())
        return {"land": row.organisation_id, "strategy": row.id, **orgs}


def test_seed_loads_the_sample_landesstelle(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'seed.db'}")
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("PLANNER_INSTANCE", str(tmp_path))
    assert run("db", "upgrade").exit_code == 0
    result = run("seed")
    assert result.exit_code == 0 and "Landesstelle (Beispiel)" in result.output, result.output
    report = run("demo-land", "--offices", "3", "--seed", "7")
    assert report.exit_code == 0 and "3 fiktive Gesundheitsämter" in report.output, report.output
    assert run("demo-land", "--offices", "0").exit_code == 2
    again = run("demo-land", "--offices", "3")
    assert again.exit_code == 1 and "gibt es schon" in again.output


@pytest.mark.db
def test_portfolio_for_a_member_of_the_state_office(land, client_as):
    member = client_as({land["land"]: "lesen"})
    page = member.get(f"/landesebene/{land['land']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Landkreis Peine" in text and "Gesundheitsamt Kreis Steinfurt" in text
    # Peine's heat map row: IT-Bereitstellung 2, +3 since 2022 ("–" → 2)
    assert re.search(r'lvl-2"><a href="/strategien/\d+/reifegrad">2</a><span class="change"> \(\+3\)</span>', text)
    # Landesmaßnahmen with their dimensions and participating offices; read only for "lesen"
    assert "Clouddienst für den Austausch" in text and "IT-Bereitstellung, Zusammenarbeit" in text
    assert "teilnehmende" not in text
    # the navigation offers the Landesebene to members of a coordinating organisation
    assert 'href="/landesebene/"' in text
    index = member.get("/landesebene/").get_data(as_text=True)
    assert "Landesstelle (Beispiel)" in index
    # and the office's Fahrplan opens read-only
    with member.application.app_context():
        sid = db.session.scalar(
            sa.select(models.Strategy.id).where(models.Strategy.organisation_id == land["Landkreis Peine"])
        )
    assert f"/strategien/{sid}/fahrplan" in text
    assert member.get(f"/strategien/{sid}/fahrplan").status_code == 200


@pytest.mark.db
def test_filters_work_without_javascript(land, client_as):
    member = client_as({land["land"]: "lesen"})
    url = f"/landesebene/{land['land']}"
    both = member.get(url + "?unter=IT-Sicherheit").get_data(as_text=True)
    assert "2 von 2 Ämtern unter Stufe 3 in IT-Sicherheit" in both
    one = member.get(url + "?dimension=IT-Bereitstellung&stufe=2").get_data(as_text=True)
    assert "1 von 2 Ämtern" in one and "Landkreis Peine" in one
    # Steinfurt has no assessment: only in the table of strategies? No: the filter applies to both tables
    assert "Gesundheitsamt Kreis Steinfurt</th>" not in one
    nodata = member.get(url + "?dimension=IT-Bereitstellung&stufe=k").get_data(as_text=True)
    assert "1 von 2 Ämtern" in nodata and "Landkreis Peine</a>" not in nodata
    garbage = member.get(url + "?unter=%00&stufe=9&sortierung=x&absteigend=ja")
    assert garbage.status_code == 200 and "2 von 2 Ämtern" in garbage.get_data(as_text=True)


@pytest.mark.db
def test_xlsx_and_pdf_export(land, client_as):
    member = client_as({land["land"]: "lesen"})
    response = member.get(f"/landesebene/{land['land']}/portfolio.xlsx?unter=IT-Sicherheit")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Ämter", "Reifegrad", "Dimensionen", "Landesmaßnahmen"]
    offices = [r[0] for r in book["Ämter"].iter_rows(min_row=5, values_only=True)]
    assert offices == ["Gesundheitsamt Kreis Steinfurt", "Landkreis Peine"]
    levels = {r[0]: r for r in book["Reifegrad"].iter_rows(min_row=5, values_only=True)}
    peine = levels["Landkreis Peine"]
    assert peine[1] == "07.11.2024" and peine[2] == "09.06.2022"
    assert peine[3 + 2 * 3] == 2 and peine[4 + 2 * 3] == 3  # IT-Bereitstellung 2, +3: numbers, not text
    assert peine[3 + 2 * 2] == "–"  # Prozessdigitalisierung "–": text, below stage 0
    dims = list(book["Dimensionen"].iter_rows(min_row=5, values_only=True))
    assert dims[0] == ("Digitalisierungsstrategie", 1, 0, 1)
    pdf = fetch_document(member, f"/landesebene/{land['land']}/portfolio.pdf")
    types = assert_accessible_pdf(pdf.data, "Portfolio der Gesundheitsämter – Landesstelle (Beispiel)")
    assert types["/Table"] >= 3 and types["/TH"] >= 20


@pytest.mark.db
def test_funding_calls_across_offices_with_both_readings(land, client_as):
    member = client_as({land["land"]: "lesen"})
    text = member.get(f"/landesebene/{land['land']}/foerderaufrufe?aufruf=foerderaufruf-1").get_data(as_text=True)
    assert "1. Förderaufruf" in text
    assert "3 Dimensionen um mindestens 2 Stufen verbessert" in text
    assert "<strong>3 von 8</strong>" in text and "<strong>6 von 8</strong>" in text
    assert "Digitalisierungsbudget (0 → 3)" in text
    third = member.get(f"/landesebene/{land['land']}/foerderaufrufe?aufruf=foerderaufruf-3").get_data(as_text=True)
    assert "3. Förderaufruf (01.09.2024" in third


@pytest.mark.db
def test_participants_of_a_landesmassnahme(land, client_as):
    """Issue 27 point 7: category, lead and per office the rollout status and its date instead of a
    yes/no checkbox; the measure's own page shows the offices taking part."""
    editor = client_as({land["land"]: "bearbeiten"})
    url = f"/landesebene/strategien/{land['strategy']}/massnahmen/clouddienst/teilnehmende"
    peine, steinfurt = land["Landkreis Peine"], land["Gesundheitsamt Kreis Steinfurt"]
    page = editor.get(url).get_data(as_text=True)
    fields = form_data(page)
    # the sample seed's participations read as "Teilnahme zugesagt", without a date
    assert fields[f"status_{peine}"] == "zugesagt" and fields[f"datum_{peine}"] == ""
    version = fields["lock_version"]
    response = editor.post(
        url,
        data={
            "category": "bundesweit",
            "lead": "NLGA",
            f"status_{peine}": "im_betrieb",
            f"datum_{peine}": "01.03.2025",
            f"status_{steinfurt}": "",
            f"datum_{steinfurt}": "",
            "lock_version": version,
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#landesmassnahme-h")
    with editor.application.app_context():
        rows = db.session.execute(
            sa.select(lm.LandMeasureOffice.office_id, lm.LandMeasureOffice.status, lm.LandMeasureOffice.status_on)
        ).all()
        assert [r.office_id for r in rows].count(steinfurt) == 3  # the other three measures keep Steinfurt
        assert (peine, "im_betrieb", date(2025, 3, 1)) in rows
    measure_page = editor.get(f"/strategien/{land['strategy']}/massnahmen/clouddienst").get_data(as_text=True)
    assert "Landesmaßnahme: Einordnung und Teilnahme" in measure_page
    assert "Art: bundesweite Maßnahme (ELFA) · Federführung: NLGA" in measure_page
    assert "1 Amt nimmt teil: 1 im Betrieb." in measure_page and "01.03.2025" in measure_page
    overview = editor.get(f"/landesebene/{land['land']}").get_data(as_text=True)
    assert "1: Landkreis Peine (1 im Betrieb)" in overview
    # a date without taking part, a malformed date, an unknown status: German errors, input kept
    bad = editor.post(
        url,
        data={
            "category": "land",
            "lead": "",
            f"status_{peine}": "im_betrieb",
            f"datum_{peine}": "32.13.2025",
            f"status_{steinfurt}": "",
            f"datum_{steinfurt}": "01.01.2025",
            "lock_version": version,
        },
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "„32.13.2025“ ist kein gültiges Datum" in text and "das Amt nimmt nicht teil" in text
    assert form_data(text)[f"datum_{peine}"] == "32.13.2025"
    unknown = editor.post(url, data={f"status_{peine}": "fertig", "category": "land", "lock_version": version})
    assert unknown.status_code == 422 and "Keine gültige Auswahl" in unknown.get_data(as_text=True)
    # an older form (filled before the save above) does not overwrite it: the German conflict
    # message, the older form's choices kept (issue 23, defect 6)
    late = editor.post(
        url,
        data={"category": "land", f"status_{steinfurt}": "zugesagt", f"status_{peine}": "", "lock_version": version},
    )
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and "Jemand anderes hat diesen Datensatz inzwischen geändert" in text
    assert form_data(text)[f"status_{steinfurt}"] == "zugesagt"
    overview = editor.get(f"/landesebene/{land['land']}").get_data(as_text=True)
    assert "1: Landkreis Peine (1 im Betrieb)" in overview
    # readers see the list, no form
    reader = client_as({land["land"]: "lesen"})
    assert reader.post(url, data={"category": "land"}).status_code == 404
    read = reader.get(url).get_data(as_text=True)
    assert "Landkreis Peine" in read and "im Betrieb" in read and "<select" not in read


def test_existing_participations_migrate_to_zugesagt(tmp_path):
    """Migration 0011_h27b_land_measure_rollout: every yes of the old checkbox is kept as "Teilnahme zugesagt"."""
    from planner.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0010_h27b_document_jobs")
    upgrade(url, "0007_h12_land")  # land_measure_offices, before its rollout columns
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for sql in (
            "INSERT INTO organisations (id, name, created_at) VALUES (1, 'Land', '2026-01-01'), (2, 'Amt', '2026-01-01')",
            "INSERT INTO strategies (id, organisation_id, title, version, vision, mission, principles, created_at,"
            " lock_version) VALUES (1, 1, 'S', '', '', '', '[]', '2026-01-01', 1)",
            "INSERT INTO measures (id, strategy_id, key, position, title, description, goal, dimension,"
            " further_dimensions, subdimensions, status, second_loop, actors, requirements, examples, steps,"
            " deferrals, lock_version) VALUES (1, 1, 'm', 0, 'M', '', '', 'IT-Sicherheit', '[]', '[]', 'geplant',"
            " 0, '[]', '[]', '[]', '[]', 0, 1)",
            "INSERT INTO land_measure_offices (id, measure_id, office_id) VALUES (1, 1, 2)",
        ):
            conn.execute(sa.text(sql))
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT measure_id, office_id, status, status_on FROM land_measure_offices")).all()
    engine.dispose()
    assert rows == [(1, 2, "zugesagt", None)]


@pytest.mark.db
def test_offices_and_strangers_do_not_see_the_portfolio(land, client_as):
    office = client_as({land["Landkreis Peine"]: "verwalten"})
    for url in (
        f"/landesebene/{land['land']}",
        f"/landesebene/{land['land']}/portfolio.xlsx",
        f"/landesebene/{land['land']}/foerderaufrufe",
    ):
        assert office.get(url).status_code == 404
    assert 'href="/landesebene/"' not in office.get("/strategien").get_data(as_text=True)
    assert "Landesstelle (Beispiel)" not in office.get("/landesebene/").get_data(as_text=True)


@pytest.mark.db
def test_statements_do_not_grow_with_the_number_of_offices(app, client_as, monkeypatch):
    """Two demo Länder, of 3 and of 12 offices: the page and the computation run as many statements."""
    coordinators = []
    for n, seed in ((3, 1), (12, 2)):
        monkeypatch.setattr(land_sample, "DEMO_COORDINATOR", f"Landesstelle Demo {n} (fiktiv)")
        monkeypatch.setattr(land_sample, "DEMO_OFFICE", f"Gesundheitsamt Demo {n}-{{:03d}} (fiktiv)")
        with app.app_context():
            coordinator, ids = land_sample.demo_land(db.session, n, seed=seed, measures=10)
            db.session.commit()
        assert len(ids) == n
        coordinators.append(coordinator)
        with app.app_context():  # every demo office gets a fictitious application landscape
            for office_id in ids:
                assert landscape.rows(db.session, office_id), office_id
    pages, computations = [], []
    for org in coordinators:
        member = client_as({org: "lesen"})
        with counted(app) as statements:
            assert member.get(f"/landesebene/{org}").status_code == 200
        pages.append(len(statements))
        with app.app_context():
            coordinator = db.session.get(models.Organisation, org)
            with counted(app) as statements:
                result = service.compute(db.session, coordinator, date(2026, 12, 1))
            computations.append(len(statements))
            assert len(result.offices) in (3, 12)
    assert computations[0] == computations[1], computations
    assert pages[0] == pages[1], pages


@pytest.mark.db
def test_the_sorted_heat_map_column_says_so(land, client_as):
    member = client_as({land["land"]: "lesen"})
    url = f"/landesebene/{land['land']}"

    def sorted_columns(query: str) -> list[tuple[str, str, str]]:
        text = member.get(url + query).get_data(as_text=True)
        heat = text[text.index("portfolio-heat") : text.index("</thead>", text.index("portfolio-heat"))]
        return re.findall(r'<th [^>]*aria-sort="(\w+)"[^>]*><a [^>]*>([^<]+)</a>(.*?)</th>', heat)

    # by default by name, ascending; a dimension's link sorts descending: the arrow shows which
    assert sorted_columns("") == [
        ("ascending", "Gesundheitsamt", '<span class="sort-mark" aria-hidden="true"> ▲</span>')
    ]
    assert sorted_columns("?sortierung=IT-Sicherheit&absteigend=1") == [
        ("descending", "IT-Sicherheit", '<span class="sort-mark" aria-hidden="true"> ▼</span>')
    ]
    # a sort key without a column of the heat map marks none
    assert sorted_columns("?sortierung=massnahmen") == []
