"""Landesebene over time on the web: the Handlungsbedarf page, the trend page with its chart,
the readiness column of the funding calls, and an office's maturity page against its Land."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from conftest import PEINE, STEINFURT, import_file

from planner import models
from planner.domain.catalogue import catalogue
from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.models.auth import Coordination
from planner.models.maturity import MaturityAssessment, MaturityLevel
from planner.services import land_sample

pytestmark = pytest.mark.db


@pytest.fixture
def land(app):
    """Peine and Steinfurt, coordinated by the sample Landesstelle, on 07.12.2026."""
    app.config["TODAY"] = "2026-12-07"
    peine = import_file(app, PEINE)
    steinfurt = import_file(app, STEINFURT)
    with app.app_context():
        row = land_sample.seed_sample_land(
            db.session, load_strategy(land_sample.SAMPLE_FILE.read_text(encoding="utf-8"))
        )
        db.session.commit()
        orgs = dict(db.session.execute(sa.select(models.Organisation.name, models.Organisation.id)).all())
        return {"land": row.organisation_id, "peine": peine, "steinfurt": steinfurt, **orgs}


def test_handlungsbedarf_lists_offices_with_reasons_sorted_and_filtered(land, client_as):
    member = client_as({land["land"]: "lesen"})
    url = f"/landesebene/{land['land']}/handlungsbedarf"
    page = member.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Handlungsbedarf der Ämter</h1>" in text
    # Peine: last assessed 07.11.2024, more than 24 months before 07.12.2026; plan period ended
    assert "Letzte Messung am 07.11.2024, mehr als 24 Monate vor dem 07.12.2026." in text
    assert "Keine Reifegradmessung" in text  # Steinfurt
    # the office's name leads to its maturity page
    assert f'href="/strategien/{land["peine"]}/reifegrad">Landkreis Peine</a>' in text
    # sorted by name; then only the offices without an assessment
    by_name = member.get(url + "?sortierung=name").get_data(as_text=True)
    assert by_name.index("Gesundheitsamt Kreis Steinfurt") < by_name.index("Landkreis Peine")
    reversed_ = member.get(url + "?sortierung=name&umgekehrt=1").get_data(as_text=True)
    assert reversed_.index("Landkreis Peine") < reversed_.index("Gesundheitsamt Kreis Steinfurt")
    assert 'aria-sort="descending"' in reversed_
    only = member.get(url + "?grund=keine_messung").get_data(as_text=True)
    assert "1 von 2 Ämtern mit dem Grund „Keine Reifegradmessung“" in only
    assert "Landkreis Peine</a></th>" not in only
    # unknown parameters are ignored, not an error
    assert member.get(url + "?sortierung=x&grund=y").status_code == 200


def test_trend_page_table_and_chart(land, client_as):
    member = client_as({land["land"]: "lesen"})
    text = member.get(f"/landesebene/{land['land']}/entwicklung").get_data(as_text=True)
    assert "<h1>Entwicklung des Reifegrads</h1>" in text
    assert "1 von 2 Ämtern haben mindestens eine Reifegradmessung" in text
    # IT-Bereitstellung: Peine "–" in 2022 (not counted), 2 from 2024 on, carried to 2026
    row = re.search(r'data-dim="3">IT-Bereitstellung</th>(.*?)</tr>', text, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert [" ".join(c) for c in cells] == ["– 0 von 0 auf Stufe 3"] * 2 + ["Median 2 0 von 1 auf Stufe 3"] * 3
    assert '<th scope="col" class="num">2026</th>' in text
    svg = member.get(f"/landesebene/{land['land']}/entwicklung.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"IT-Bereitstellung" in svg.data
    again = member.get(f"/landesebene/{land['land']}/entwicklung.svg", headers={"If-None-Match": svg.headers["ETag"]})
    assert again.status_code == 304
    png = member.get(f"/landesebene/{land['land']}/entwicklung.png")
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG" and "attachment" in png.headers["Content-Disposition"]
    assert member.get(f"/landesebene/{land['land']}/entwicklung.pdf").data[:4] == b"%PDF"
    assert member.get(f"/landesebene/{land['land']}/entwicklung.gif").status_code == 404


def test_funding_calls_explain_not_checkable_and_forecast(land, client_as):
    member = client_as({land["land"]: "lesen"})
    # the current call (3.) is the default on 07.12.2026
    text = member.get(f"/landesebene/{land['land']}/foerderaufrufe").get_data(as_text=True)
    assert "3. Förderaufruf (01.09.2024" in text
    # Peine meets it (09.06.2022 → 07.11.2024); Steinfurt has no assessment: the reason, no forecast
    assert (
        "1 Amt erfüllt die Reifegrad-Regeln, 0 nicht; 1 nicht prüfbar – davon nach den geplanten Maßnahmen "
        "voraussichtlich erfüllt: 0, voraussichtlich nicht: 0, ohne Prognose: 1." in text
    )
    assert "Keine Reifegradmessung erfasst: Es gibt keine Ausgangsmessung." in text
    assert "keine Prognose (ohne Ausgangsmessung)" in text
    # without Peine's 2024 assessment its one sheet of 2022 is the baseline: the forecast from its measures
    with member.application.app_context():
        # through the ORM: the audit trail records it, so every kept page and portfolio is retired
        db.session.delete(db.session.scalar(sa.select(MaturityAssessment).filter_by(assessed_on=date(2024, 11, 7))))
        db.session.commit()
    text = member.get(f"/landesebene/{land['land']}/foerderaufrufe").get_data(as_text=True)
    assert "Nur eine Messung (09.06.2022): Sie ist die Ausgangsmessung" in text
    assert re.search(r"<strong>voraussichtlich (nicht )?erfüllt</strong>", text)
    assert re.search(r"\d+ Subdimensionen? durch geplante Maßnahmen gehoben", text)
    # both alternatives of the 3rd call's rule, each with its reason
    assert re.search(r"<li>(nicht )?erfüllt: (Nur )?\d+ Dimension(en)? um mindestens 2 Stufen verbessert", text)
    assert re.search(r"<li>(nicht )?erfüllt: \d+ weitere Dimension(en)? erreich", text)


def test_office_maturity_page_against_its_land(land, client_as):
    office = client_as({land["Landkreis Peine"]: "lesen"})
    text = office.get(f"/strategien/{land['peine']}/reifegrad").get_data(as_text=True)
    assert "Im Vergleich zu Landesstelle (Beispiel)" in text and "Median im Land" in text
    # Peine is the only office with an assessment: every difference is ±0
    assert "±0 (gleich)" in text and "unter dem Median" not in text
    # an office no Land coordinates shows no comparison
    with office.application.app_context():
        db.session.execute(sa.delete(Coordination).where(Coordination.organisation_id == land["Landkreis Peine"]))
        db.session.commit()
    assert "Im Vergleich zu" not in office.get(f"/strategien/{land['peine']}/reifegrad").get_data(as_text=True)


def test_offices_and_strangers_do_not_see_the_new_land_pages(land, client_as):
    office = client_as({land["Landkreis Peine"]: "verwalten"})
    for path in ("handlungsbedarf", "entwicklung", "entwicklung.svg"):
        assert office.get(f"/landesebene/{land['land']}/{path}").status_code == 404


def test_peine_seven_of_eight_beside_both_readings(land, client_as):
    """Point 10: the paper's claim, planner's reading and the subdimension reading, where the comparison is made."""
    member = client_as({land["land"]: "lesen"})
    office = client_as({land["Landkreis Peine"]: "lesen"})
    claim = "Insgesamt wurden in sieben von acht Dimensionen Sprünge von mindestens zwei Stufen erzielt!"
    for text in (
        office.get(f"/strategien/{land['peine']}/reifegrad/foerderung?aufruf=foerderaufruf-1").get_data(as_text=True),
        office.get(f"/strategien/{land['peine']}/reifegrad/vergleich").get_data(as_text=True),
    ):
        assert "Angabe des Amts (1. Förderaufruf): 7 von 8" in text and claim in text
        assert "planner, Stufe der Dimension +2: 3 von 8" in text
        assert "mindestens eine Subdimension +2: 6 von 8" in text
        assert "Digitalisierungsbudget (0 → 3)" in text
        assert "ergibt sich aus keiner der beiden Lesarten" in text
    land_page = member.get(f"/landesebene/{land['land']}/foerderaufrufe?aufruf=foerderaufruf-1").get_data(as_text=True)
    assert "<strong>7 von 8</strong>: „" + claim in land_page
    # another call: no claim of Peine's for it
    third = member.get(f"/landesebene/{land['land']}/foerderaufrufe?aufruf=foerderaufruf-3").get_data(as_text=True)
    assert claim not in third


def test_a_running_measure_without_a_status_report_is_handlungsbedarf_until_reported(app, land, client_as):
    """Steinfurt's measure runs since 01/2026 and nobody reported its status: on 07.12.2026 the
    office is listed with "Keine Statusmeldung seit 6 Monaten"; a report in 11/2026 (the status
    history) takes it off again."""
    from planner.models.verstetigung import StatusChange

    member = client_as({land["land"]: "lesen"})
    url = f"/landesebene/{land['land']}/handlungsbedarf?grund=keine_statusmeldung"

    def counted() -> int:
        text = member.get(url).get_data(as_text=True)
        found = re.search(r"(\d+) laufende Maßnahmen? seit mehr als 6 Monaten ohne Statusmeldung", text)
        return int(found.group(1)) if found else 0

    before = counted()
    with app.app_context():
        m = models.Measure.__table__
        measure_id = db.session.scalar(
            sa.select(m.c.id).where(m.c.strategy_id == land["steinfurt"]).order_by(m.c.position).limit(1)
        )
        db.session.execute(
            sa.update(models.Measure)
            .where(models.Measure.id == measure_id)
            .values(status="in_umsetzung", start="2026-01", end="2027-06", actual_start=None, actual_end=None)
        )
        db.session.commit()
    assert counted() == before + 1
    text = member.get(url).get_data(as_text=True)
    assert "Gesundheitsamt Kreis Steinfurt" in text and "Keine Statusmeldung seit 6 Monaten" in text
    with app.app_context():
        db.session.add(
            StatusChange(measure_id=measure_id, status="in_umsetzung", changed_on=date(2026, 11, 2), changed_by="Test")
        )
        db.session.commit()
    assert counted() == before


def test_the_trend_chart_is_kept_while_no_assessment_changes(app, land, client_as, monkeypatch):
    """The chart is kept under the figures it draws: a measure saved in an office (the portfolio's
    state changes) draws nothing again; a new assessment does."""
    import planner.web.portfolio as portfolio_web

    drawn: list[str] = []
    real = portfolio_web.trend_chart
    monkeypatch.setattr(
        portfolio_web, "trend_chart", lambda points, fmt, title: drawn.append(fmt) or real(points, fmt, title)
    )
    member = client_as({land["land"]: "lesen"})
    url = f"/landesebene/{land['land']}/entwicklung.svg"
    first = member.get(url)
    assert first.status_code == 200 and drawn == ["svg"]
    with app.app_context():
        m = models.Measure.__table__
        db.session.execute(sa.update(models.Measure).where(m.c.strategy_id == land["steinfurt"]).values(title="Neu"))
        db.session.commit()
    assert member.get(url).data == first.data and drawn == ["svg"]
    with app.app_context():
        sheet = MaturityAssessment(
            organisation_id=land["Gesundheitsamt Kreis Steinfurt"], assessed_on=date(2026, 6, 1), kind="result_sheet"
        )
        db.session.add(sheet)
        db.session.flush()
        subdimensions = [s for d in catalogue().dimensions for s in d.subdimensions]
        db.session.add_all(MaturityLevel(assessment_id=sheet.id, subdimension=s, level=3) for s in subdimensions)
        db.session.commit()
    changed = member.get(url)
    assert changed.data != first.data and drawn == ["svg", "svg"]
