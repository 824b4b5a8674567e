"""Roadmap pages through the Flask client: Fahrplan, charts, baselines, Backlog, Bewertung,
Abhängigkeiten with slip impact, Planungsvorschlag with take-over; other strategies' ids answer 404."""

from __future__ import annotations

import re
from datetime import date

import pytest
import yaml
from conftest import DATA, domain, import_file, version_of

from planner.extensions import db
from planner.services.strategies import load_strategy_row

pytestmark = pytest.mark.db

SAMPLE = DATA / "sample.yaml"


@pytest.fixture
def fixed_today(app):
    app.config["TODAY"] = date(2024, 3, 15)


def test_fahrplan_page_shows_chart_table_conflict_and_critical_path(client, sample_id, fixed_today):
    html = client.get(f"/strategien/{sample_id}/fahrplan").text
    assert f'src="/strategien/{sample_id}/fahrplan.svg?ansicht=1&amp;kritisch=1&amp;abhaengigkeiten=0"' in html
    assert 'aria-describedby="fahrplan-beschreibung"' in html
    assert 'alt="Umsetzungsfahrplan 01/2024 – 12/2025: Digitalisierungsstrategie Musterstadt"' in html
    # the conflict: awareness starts 02/2024, its prerequisite konzept ends 04/2024
    conflicts = html[html.index('id="konflikte-h"') : html.index('id="pfad-h"')]
    assert "Entwicklung eines Awareness-Konzepts" in conflicts and "endet 04/2024" in conflicts
    assert "2 Monate" in conflicts
    path = html[html.index('id="pfad-h"') : html.index('id="daten-h"')]
    assert "9 Monate" in path
    assert path.index("Entwicklung eines Schulungskonzepts") < path.index("Entwicklung eines Awareness-Konzepts")
    table = html[html.index('id="daten-h"') : html.index('id="basis-h"')]
    assert table.index("Mitarbeitende") < table.index("IT-Sicherheit")
    assert "fortlaufend" in table and "⚠ Zeitkonflikt" in table
    assert "Beschaffung und Einführung eines Chatbots" in table  # the backlog, named beside


def test_fahrplan_links_downloads_and_is_in_the_strategy_navigation(client, sample_id):
    html = client.get(f"/strategien/{sample_id}").text
    assert f'href="/strategien/{sample_id}/fahrplan">Fahrplan</a>' in html  # the group in the navigation
    page = client.get(f"/strategien/{sample_id}/fahrplan").text
    for label in ("Fahrplan", "Backlog", "Bewertung", "Abhängigkeiten", "Planungsvorschlag"):
        assert f">{label}</a>" in page  # the group's own pages
    assert f'href="/strategien/{sample_id}/fahrplan.pdf"' in client.get(f"/strategien/{sample_id}/ausgaben").text
    for fmt in ("svg", "png", "pdf"):
        assert f"/strategien/{sample_id}/fahrplan.{fmt}?" in page


def test_chart_downloads_have_the_right_types(client, sample_id, fixed_today):
    svg = client.get(f"/strategien/{sample_id}/fahrplan.svg")
    assert svg.mimetype == "image/svg+xml"
    text = svg.text
    assert 'role="img"' in text and '<title id="chart-title">Umsetzungsfahrplan' in text
    assert '<desc id="chart-desc">' in text and "1 Zeitkonflikt: " in text
    assert "Entwicklung eines Schulungskonzepts</text>" in text or ">Entwicklung eines Schulungskonzepts<" in text
    assert "heute 15.03.2024" in text
    png = client.get(f"/strategien/{sample_id}/fahrplan.png")
    assert png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "attachment" in png.headers["Content-Disposition"]
    pdf = client.get(f"/strategien/{sample_id}/fahrplan.pdf?abhaengigkeiten=1&ansicht=1")
    assert pdf.mimetype == "application/pdf" and pdf.data[:5] == b"%PDF-"
    for page in ("bewertung", "abhaengigkeiten"):
        for fmt, head in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF-")):
            response = client.get(f"/strategien/{sample_id}/{page}.{fmt}")
            assert response.status_code == 200 and response.data.startswith(head), (page, fmt)


def test_baseline_freeze_show_and_what_moved(client, app, sample_id, fixed_today):
    response = client.post(f"/strategien/{sample_id}/fahrplan/basisplaene", data={"name": "Basisplan 2024"})
    assert response.status_code == 302
    bid = int(re.search(r"basisplan=(\d+)", response.location).group(1))
    page = client.get(response.location).text
    assert "Nichts hat sich verschoben" in page
    # move the awareness concept two months later and end the open-ended training
    measure = client.get(f"/strategien/{sample_id}/massnahmen/awareness/bearbeiten").text
    assert "Entwicklung eines Awareness-Konzepts" in measure
    data = {
        "title": "Entwicklung eines Awareness-Konzepts",
        "dimension": "IT-Sicherheit",
        "status": "geplant",
        "urgency": "hoch",
        "feasibility": "hoch",
        "second_loop": "y",
        "owners": "IT-Sicherheitsbeauftragte (Lead)",
        "start": "04/2024",
        "end": "08/2024",
        "depends_on": ["konzept"],
        "steps": "Konzeption und Planung\nDurchführung",
    }
    url = f"/strategien/{sample_id}/massnahmen/awareness/bearbeiten"
    assert client.post(url, data={**data, "lock_version": version_of(client, url)}).status_code == 302
    page = client.get(f"/strategien/{sample_id}/fahrplan?ansicht=1&kritisch=1&basisplan={bid}").text
    moved = page[page.index("Was sich gegenüber") :]
    assert "02/2024 – 06/2024" in moved and "04/2024 – 08/2024" in moved
    assert "Beginn 2 Monate später, Ende 2 Monate später" in moved
    assert "Basisplan „Basisplan 2024“" in page  # the table's extra column
    svg = client.get(f"/strategien/{sample_id}/fahrplan.svg?ansicht=1&basisplan={bid}").text
    assert "Basisplan „Basisplan 2024“" in svg
    # a duplicate name is refused with the name kept, 422
    again = client.post(f"/strategien/{sample_id}/fahrplan/basisplaene", data={"name": "Basisplan 2024"})
    assert again.status_code == 422 and "gibt es schon" in again.text and 'value="Basisplan 2024"' in again.text
    empty = client.post(f"/strategien/{sample_id}/fahrplan/basisplaene", data={"name": ""})
    assert empty.status_code == 422 and "Bitte ausfüllen." in empty.text
    # delete
    assert client.post(f"/strategien/{sample_id}/fahrplan/basisplaene/{bid}/loeschen").status_code == 302
    assert client.get(f"/strategien/{sample_id}/fahrplan?basisplan={bid}").status_code == 404


def test_baselines_and_pages_of_another_strategy_answer_404(client, app, sample_id):
    other = import_file(app, SAMPLE.parent / "sample.yaml")
    response = client.post(f"/strategien/{other}/fahrplan/basisplaene", data={"name": "Fremd"})
    bid = int(re.search(r"basisplan=(\d+)", response.location).group(1))
    assert client.get(f"/strategien/{sample_id}/fahrplan?basisplan={bid}").status_code == 404
    assert client.get(f"/strategien/{sample_id}/fahrplan.svg?basisplan={bid}").status_code == 404
    assert client.post(f"/strategien/{sample_id}/fahrplan/basisplaene/{bid}/loeschen").status_code == 404
    for page in ("fahrplan", "fahrplan.svg", "backlog", "bewertung", "abhaengigkeiten", "planungsvorschlag"):
        assert client.get(f"/strategien/999/{page}").status_code == 404


def test_one_chart_route_serves_every_chart_and_format_and_refuses_unknown_ones_in_german(client, sample_id):
    for chart in ("fahrplan", "bewertung", "abhaengigkeiten"):
        for fmt, mimetype in (("svg", "image/svg+xml"), ("png", "image/png"), ("pdf", "application/pdf")):
            response = client.get(f"/strategien/{sample_id}/{chart}.{fmt}")
            assert response.status_code == 200 and response.mimetype == mimetype, (chart, fmt)
    for page in ("radar.svg", "fahrplan.gif", "bewertung.docx", "backlog.svg", "vorschlag.pdf"):
        response = client.get(f"/strategien/{sample_id}/{page}")
        assert response.status_code == 404 and "Nicht gefunden" in response.text, page
    # other files beside the charts keep their own routes
    assert client.get(f"/strategien/{sample_id}/fahrplan.xml").mimetype == "application/xml"
    assert client.get(f"/strategien/{sample_id}/export.yaml").status_code == 200


def test_backlog_page_shows_deferrals_and_dependents(client, app, tmp_path):
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    chatbot = data["measures"][3]
    chatbot["deferrals"] = 3
    data["measures"].append(
        {
            "id": "portal",
            "title": "Beschaffung und Einführung eines Portals",
            "dimension": "Mitarbeitende",
            "status": "backlog",
            "deferrals": 1,
        }
    )
    data["measures"].append(
        {
            "id": "faq",
            "title": "FAQ für den Chatbot",
            "dimension": "Bürgerzentrierung",
            "start": "2025-01",
            "end": "2025-03",
            "depends_on": ["chatbot"],
        }
    )
    path = tmp_path / "backlog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    sid = import_file(app, path)
    html = client.get(f"/strategien/{sid}/backlog").text
    table = html[html.index("<table") : html.index("</table>")]
    assert table.index("Chatbots") < table.index("Portals")  # most deferred first
    assert "3-mal" in table and "1-mal" in table
    assert "bisher nicht" not in table
    assert table.count("wiederholt zurückgestellt") == 1
    assert "„FAQ für den Chatbot“ (01/2025 – 03/2025) hängt von dieser Maßnahme ab." in table


def test_bewertung_page_places_each_measure_and_lists_unknown_ratings(client, sample_id):
    html = client.get(f"/strategien/{sample_id}/bewertung").text
    grid = html[html.index('id="raster-h"') : html.index('id="liste-h"')]
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', grid, re.S)}
    # numbers: Mitarbeitende 1 konzept, 2 schulungen; IT-Sicherheit 3 awareness; Bürger*innen 4 chatbot
    assert re.findall(r">(\d+)</span>", rows["hoch"]) == ["1", "3"]
    assert re.findall(r">(\d+)</span>", rows["mittel"]) == ["2"]
    assert re.findall(r">(\d+)</span>", rows["gering"]) == ["4"]
    assert "2 Maßnahmen haben keine vollständige Bewertung" in html
    assert f'src="/strategien/{sample_id}/bewertung.svg"' in html


def test_abhaengigkeiten_page_waves_and_slip_impact(client, sample_id):
    html = client.get(f"/strategien/{sample_id}/abhaengigkeiten").text
    waves = html[html.index('id="wellen-h"') : html.index('id="redundant-h"')]
    assert waves.index("Welle 1") < waves.index("Entwicklung eines Schulungskonzepts") < waves.index("Welle 2")
    assert waves.index("Welle 2") < waves.index("Awareness") < waves.index("Nichttechnische")
    assert "Chatbot" not in waves
    assert 'value="3"' in html  # a sensible default for the months
    result = client.get(f"/strategien/{sample_id}/abhaengigkeiten?massnahme=konzept&monate=3").text
    impact = result[result.index('role="status"') :]
    assert "müssen 2 weitere Maßnahmen mit" in impact
    assert "verschiebt sich von 06/2024 auf 09/2024 (+3 Monate)" in impact
    assert "05/2024 – 09/2024" in impact  # awareness, moved by 3 (its overlap kept)


def test_slip_form_errors_are_german_keep_input_and_answer_422(client, sample_id):
    response = client.get(f"/strategien/{sample_id}/abhaengigkeiten?massnahme=konzept&monate=zwei")
    assert response.status_code == 422
    assert "Keine gültige, ganze Zahl." in response.text and 'value="zwei"' in response.text
    response = client.get(f"/strategien/{sample_id}/abhaengigkeiten?massnahme=chatbot&monate=2")
    assert response.status_code == 422 and "Keine gültige Auswahl." in response.text
    response = client.get(f"/strategien/{sample_id}/abhaengigkeiten?massnahme=konzept&monate=0")
    assert response.status_code == 422 and "zwischen 1 und 60" in response.text


def test_proposal_page_and_taking_over_one_measure(client, app, sample_id):
    app.config["TODAY"] = "2024-01-15"  # before the first planned start: nothing is held back by today
    html = client.get(f"/strategien/{sample_id}/planungsvorschlag").text
    assert "1 Maßnahme bekommt neue Termine." in html
    assert "04/2024 – 08/2024" in html and "wartet auf „Entwicklung eines Schulungskonzepts“" in html
    assert "Ende des Fahrplans: 06/2024 → <strong>08/2024</strong>" in html
    assert f'src="/strategien/{sample_id}/planungsvorschlag.svg?modus=geplant"' in html
    response = client.post(
        f"/strategien/{sample_id}/planungsvorschlag/uebernehmen", data={"modus": "geplant", "massnahme": "awareness"}
    )
    assert response.status_code == 302
    awareness = domain(app, sample_id).measure("awareness")
    assert (str(awareness.start), str(awareness.end)) == ("2024-04", "2024-08")
    after = client.get(response.location).text
    assert "Keine Maßnahme muss sich verschieben." in after
    assert "Keine Zeitkonflikte" in client.get(f"/strategien/{sample_id}/fahrplan").text


def test_proposal_with_one_measure_per_lead_taken_over_all_at_once(client, app, sample_id):
    app.config["TODAY"] = "2024-01-15"  # before the first planned start: nothing is held back by today
    # from the window start: Feldhues leads konzept and the open-ended training (which does not count)
    html = client.get(f"/strategien/{sample_id}/planungsvorschlag?modus=frueh&ab=03%2F2024&k=1").text
    assert "03/2024 – 06/2024" in html  # konzept moved to the earliest month given
    response = client.post(
        f"/strategien/{sample_id}/planungsvorschlag/uebernehmen", data={"modus": "frueh", "ab": "03/2024", "k": "1"}
    )
    assert response.status_code == 302 and "k=1" in response.location
    s = domain(app, sample_id)
    assert (str(s.measure("konzept").start), str(s.measure("konzept").end)) == ("2024-03", "2024-06")
    assert (str(s.measure("awareness").start), str(s.measure("awareness").end)) == ("2024-06", "2024-10")
    assert str(s.measure("schulungen").start) == "2024-04"  # fortlaufend: begun, keeps its dates


def test_proposal_form_errors_answer_422_with_german_messages(client, sample_id):
    response = client.get(f"/strategien/{sample_id}/planungsvorschlag?modus=frueh&ab=13%2F2024&k=0")
    assert response.status_code == 422
    assert "„13/2024“ ist kein Monat" in response.text and "zwischen 1 und 50" in response.text
    assert 'value="13/2024"' in response.text
    bad = client.post(f"/strategien/{sample_id}/planungsvorschlag/uebernehmen", data={"modus": "x"})
    assert bad.status_code == 422
    unknown = client.post(
        f"/strategien/{sample_id}/planungsvorschlag/uebernehmen", data={"modus": "geplant", "massnahme": "nope"}
    )
    assert unknown.status_code == 404


def test_changing_routes_ask_for_write_access(client, app, sample_id, monkeypatch):
    from planner.web import access

    bid = int(
        re.search(
            r"basisplan=(\d+)",
            client.post(f"/strategien/{sample_id}/fahrplan/basisplaene", data={"name": "B"}).location,
        ).group(1)
    )
    monkeypatch.setattr(access, "may_write", lambda organisation_id: False)
    base = f"/strategien/{sample_id}"
    # reading stays allowed
    for page in ("fahrplan", "backlog", "bewertung", "abhaengigkeiten", "planungsvorschlag"):
        assert client.get(f"{base}/{page}").status_code == 200, page
    # every change answers 404 and changes nothing
    assert client.post(f"{base}/fahrplan/basisplaene", data={"name": "C"}).status_code == 404
    assert client.post(f"{base}/fahrplan/basisplaene/{bid}/loeschen").status_code == 404
    assert client.post(f"{base}/planungsvorschlag/uebernehmen", data={"modus": "geplant"}).status_code == 404
    s = domain(app, sample_id)
    assert str(s.measure("awareness").start) == "2024-02"
    with app.app_context():
        from planner.services.roadmap import baselines

        assert [b.name for b in baselines(db.session, load_strategy_row(db.session, sample_id))] == ["B"]


def test_months_beyond_the_calendar_answer_422_not_500(client, app, sample_id, tmp_path):
    base = f"/strategien/{sample_id}"
    response = client.get(f"{base}/planungsvorschlag?modus=frueh&ab=12%2F2200")
    assert response.status_code == 422
    assert "zwischen 01/2000 und 12/2100" in response.text and 'value="12/2200"' in response.text
    assert client.get(f"{base}/planungsvorschlag.svg?modus=frueh&ab=12%2F2200").status_code == 400
    taken = client.post(f"{base}/planungsvorschlag/uebernehmen", data={"modus": "frueh", "ab": "12/2200"})
    assert taken.status_code == 422 and "zwischen 01/2000 und 12/2100" in taken.text
    assert str(domain(app, sample_id).measure("konzept").start) == "2024-01"  # nothing written
    # a plan at the calendar's end: slipping past the year 2200 is refused in German
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["strategy"]["roadmap_window"] = {"from": "2199-01", "to": "2200-12"}
    for m in data["measures"]:
        if m.get("start"):
            m["start"] = "2200" + m["start"][4:]
        if m.get("end"):
            m["end"] = "2200" + m["end"][4:]
    path = tmp_path / "spaet.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    late = import_file(app, path)
    response = client.get(f"/strategien/{late}/abhaengigkeiten?massnahme=konzept&monate=60")
    assert response.status_code == 422
    assert "Diese Verschiebung lässt sich nicht berechnen" in response.text and 'value="60"' in response.text


def test_chart_options_in_the_address_switch_arrows_and_critical_path_off(client, sample_id, fixed_today):
    base = f"/strategien/{sample_id}/fahrplan.svg?ansicht=1"
    both = client.get(f"{base}&kritisch=1&abhaengigkeiten=1").text
    assert "Pfeil: Voraussetzung → Maßnahme" in both and "kritischer Pfad (9 Monate)" in both
    neither = client.get(f"{base}&kritisch=0&abhaengigkeiten=0").text
    assert "Pfeil: Voraussetzung" not in neither and "kritischer Pfad (" not in neither
    # the page links its chart and downloads with what the form shows
    page = client.get(f"/strategien/{sample_id}/fahrplan?ansicht=1&kritisch=0&abhaengigkeiten=0").text
    assert "fahrplan.svg?ansicht=1&amp;kritisch=0&amp;abhaengigkeiten=0" in page
    (box,) = re.findall(r'<input[^>]*id="kritisch"[^>]*>', page)
    assert "checked" not in box


def test_proposal_names_conflicts_it_cannot_resolve(client, app, tmp_path):
    app.config["TODAY"] = "2024-01-15"  # before the first planned start: nothing is held back by today
    # the Awareness-Konzept is already running: its dates stay, its conflict with the concept stays
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    next(m for m in data["measures"] if m["id"] == "awareness")["status"] = "in_umsetzung"
    path = tmp_path / "laufend.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    sid = import_file(app, path)
    response = client.get(f"/strategien/{sid}/planungsvorschlag")
    assert response.status_code == 200
    html = response.text
    assert "Keine Maßnahme muss sich verschieben." in html
    problems = html[html.index("Diese Konflikte kann der Vorschlag nicht auflösen") :]
    assert (
        "„Entwicklung eines Awareness-Konzepts“ beginnt 02/2024, „Entwicklung eines Schulungskonzepts“ endet 04/2024."
        in problems
    )


def test_backlog_page_of_a_measure_never_deferred_again(client, sample_id):
    html = client.get(f"/strategien/{sample_id}/backlog").text
    table = html[html.index("<table") : html.index("</table>")]
    assert "Beschaffung und Einführung eines Chatbots" in table and "bisher nicht" in table and "0-mal" not in table


def test_fahrplan_counts_in_german_singular(client, sample_id):
    html = client.get(f"/strategien/{sample_id}/fahrplan").text
    assert "Maßnahmen-Backlog: 1 Maßnahme (" in html  # one chatbot
    assert "<strong>2</strong> Wellen der logischen Reihenfolge" in html
