"""The schedule state on every page a measure appears, at a fixed today (issue 13)."""

from __future__ import annotations

from datetime import date

import pytest

from planner.web import clock

LATE = "2026-11-30"  # the Steinfurt plan (01/2023–12/2024) is long over
EARLY = "2023-02-15"  # inside the plan period


@pytest.mark.db
def test_today_comes_from_the_configuration(app):
    app.config["TODAY"] = LATE
    with app.app_context():
        assert clock.today() == date(2026, 11, 30)
    app.config["TODAY"] = date(2023, 2, 15)
    with app.app_context():
        assert clock.today() == date(2023, 2, 15)
    app.config["TODAY"] = None
    with app.app_context():
        assert clock.today() == date.today()


def test_planner_today_is_read_from_the_environment_and_checked(monkeypatch):
    from planner import config

    monkeypatch.setenv("PLANNER_TODAY", "2026-11-30")
    assert config.today_override() == "2026-11-30"
    monkeypatch.setenv("PLANNER_TODAY", "30.11.2026")
    with pytest.raises(ValueError, match="PLANNER_TODAY"):
        config.today_override()
    monkeypatch.delenv("PLANNER_TODAY")
    assert config.today_override() is None


@pytest.mark.db
def test_overview_shows_the_state_of_each_measure(app, client, steinfurt_id):
    app.config["TODAY"] = LATE
    html = client.get(f"/strategien/{steinfurt_id}").get_data(as_text=True)
    # Kommunikationskonzept was planned 01/2023–04/2023: 11/2026 − 04/2023 = 43 months
    assert "Abschluss überfällig seit 43 Monaten" in html
    assert "Beginn überfällig seit 43 Monaten" in html  # Schulungen: start 04/2023, open-ended
    assert html.count('data-state="abschluss_ueberfaellig"') == 17
    assert "Zeitstand am 30.11.2026" in html


@pytest.mark.db
def test_overview_inside_the_plan_period_shows_no_overdue_end(app, client, steinfurt_id):
    app.config["TODAY"] = EARLY
    html = client.get(f"/strategien/{steinfurt_id}").get_data(as_text=True)
    assert "Abschluss überfällig" not in html
    # started 01/2023 or 11/2022 and still "geplant": the start is overdue (6 by 1 month, Inventur by 3)
    assert html.count('data-state="beginn_ueberfaellig"') == 7
    assert "Beginn überfällig seit 3 Monaten" in html
    assert html.count('data-state="geplant"') == 11


@pytest.mark.db
def test_overview_filters_by_state(app, client, steinfurt_id):
    app.config["TODAY"] = LATE
    html = client.get(f"/strategien/{steinfurt_id}?zeitstand=beginn_ueberfaellig").get_data(as_text=True)
    assert html.count('data-state="beginn_ueberfaellig"') == 1
    assert "Schulungen" in html and "Kommunikationskonzept" not in html
    assert '<option value="abschluss_ueberfaellig">Abschluss überfällig (17)</option>' in html
    # an unknown state shows everything instead of failing
    everything = client.get(f"/strategien/{steinfurt_id}?zeitstand=unsinn")
    assert everything.status_code == 200
    assert everything.get_data(as_text=True).count('data-state="abschluss_ueberfaellig"') == 17


@pytest.mark.db
def test_measure_page_shows_the_state(app, client, steinfurt_id):
    app.config["TODAY"] = LATE
    html = client.get(f"/strategien/{steinfurt_id}/massnahmen/prozesserhebung").get_data(as_text=True)
    # planned 05/2023–12/2023: 11/2026 − 12/2023 = 35 months
    assert "Abschluss überfällig seit 35 Monaten" in html
    assert "Zeitstand am 30.11.2026" in html
    app.config["TODAY"] = "2023-06-15"
    html = client.get(f"/strategien/{steinfurt_id}/massnahmen/prozesserhebung").get_data(as_text=True)
    assert "Beginn überfällig seit 1 Monat" in html  # start 05/2023, still "geplant"


@pytest.mark.db
def test_fahrplan_table_backlog_and_calendar_show_the_state(app, client, steinfurt_id):
    app.config["TODAY"] = LATE
    base = f"/strategien/{steinfurt_id}"
    fahrplan = client.get(f"{base}/fahrplan").get_data(as_text=True)
    assert fahrplan.count('data-state="abschluss_ueberfaellig"') == 17
    assert "Beginn überfällig seit 43 Monaten" in fahrplan
    backlog = client.get(f"{base}/backlog").get_data(as_text=True)
    assert 'data-state="ohne_termin"' in backlog  # Strategie und Leitbild: planned, without dates
    calendar = client.get(f"{base}/evaluationen").get_data(as_text=True)
    assert "Abschluss überfällig seit 43 Monaten" in calendar


@pytest.mark.db
def test_steckbrief_page_pdf_and_word_say_the_state_on_the_day(app, client, steinfurt_id):
    import subprocess
    from io import BytesIO

    from docx import Document

    app.config["TODAY"] = LATE
    base = f"/strategien/{steinfurt_id}/massnahmen/kommunikationskonzept/steckbrief"
    page = client.get(base).get_data(as_text=True)
    assert "Stand am 30.11.2026: Abschluss überfällig seit 43 Monaten" in page
    pdf = client.get(f"{base}.pdf").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Stand am 30.11.2026: Abschluss überfällig seit 43 Monaten" in " ".join(text.split())
    doc = Document(BytesIO(client.get(f"{base}.docx").data))
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["Stand am 30.11.2026", "Abschluss überfällig seit 43 Monaten"] in cells


@pytest.mark.db
def test_steckbriefe_filter_by_state(app, client, steinfurt_id):
    app.config["TODAY"] = LATE
    base = f"/strategien/{steinfurt_id}/steckbriefe"
    html = client.get(f"{base}?zeitstand=beginn_ueberfaellig").get_data(as_text=True)
    assert "1 Steckbrief in der Auswahl" in html and "Nichttechnische und technische Schulungen" in html
    assert "zeitstand=beginn_ueberfaellig" in html  # the downloads keep the selection
    bundle = client.get(f"{base.replace('/steckbriefe', '/steckbriefe.docx')}?zeitstand=abschluss_ueberfaellig")
    assert bundle.status_code == 200
    unknown = client.get(f"{base}?zeitstand=irgendwann")
    assert unknown.status_code == 400 and "Unbekannter Zeitstand „irgendwann“" in unknown.get_data(as_text=True)


def _page_size(pdf: bytes) -> str:
    import subprocess

    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return next(line for line in info.splitlines() if line.startswith("Page size")).split(":", 1)[1].strip()


@pytest.mark.db
def test_fahrplan_pdf_is_one_a3_landscape_page_or_a4_on_request(app, client, steinfurt_id):
    import subprocess

    app.config["TODAY"] = LATE
    base = f"/strategien/{steinfurt_id}/fahrplan"
    a3 = client.get(f"{base}.pdf")
    assert a3.mimetype == "application/pdf"
    assert _page_size(a3.data).endswith("(A3)") and _page_size(a3.data).startswith("1190.55 x 841.89")
    text = subprocess.run(["pdftotext", "-", "-"], input=a3.data, capture_output=True, check=True).stdout.decode()
    assert "heute 30.11.2026" in text  # the whole chart is on the page, down to the today label
    a4 = client.get(f"{base}.pdf?papier=a4")
    assert _page_size(a4.data).startswith("841.89 x 595.276")
    page = client.get(base).get_data(as_text=True)
    assert "papier=a4" in page
    # the chart's text alternative stays in the page, collapsed
    assert '<details class="chart-text">' in page and 'id="fahrplan-beschreibung"' in page
    assert "Abschluss überfällig, Balken bis heute verlängert" in page


@pytest.mark.db
def test_planungsvorschlag_starts_nothing_unbegun_before_the_current_month(app, client, steinfurt_id):
    app.config["TODAY"] = LATE
    html = client.get(f"/strategien/{steinfurt_id}/planungsvorschlag").get_data(as_text=True)
    assert "frühestens im laufenden Monat (11/2026)" in html
    # Inventur Hardware (11/2022–03/2023, five months, never begun) is proposed from now on
    assert "11/2026 – 03/2027" in html
