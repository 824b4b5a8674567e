"""The bundled Kreis Steinfurt strategy (strategies/steinfurt-2023.yaml) against its document
(seed 002, Digitalisierungsstrategie Gesundheitsamt Kreis Steinfurt, März 2023)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import STEINFURT, run

from planner.domain.months import Month
from planner.domain.strategy import Owner, OwnerRole, Rating, Status
from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.services.strategies import load_strategy_row
from planner.services.whole_strategy import strategy_to_domain

LEAD, SUPPORT = OwnerRole.LEAD, OwnerRole.SUPPORT

# The Umsetzungsmaßnahmen table, in the document's order: id, dimension, Dringlichkeit.
TABLE = [
    ("externe-moderation", "Digitalisierungsstrategie", "hoch"),
    ("strategie-leitbild", "Digitalisierungsstrategie", "hoch"),
    ("kommunikationskonzept", "Mitarbeitende", "hoch"),
    ("schulungskonzept", "Mitarbeitende", "hoch"),
    ("schulungen", "Mitarbeitende", "mittel"),
    ("arbeitsmasken", "Mitarbeitende", "mittel"),
    ("onboarding", "Mitarbeitende", "gering"),
    ("dokumentationskonzept", "Prozessdigitalisierung", "hoch"),
    ("prozesserhebung", "Prozessdigitalisierung", "hoch"),
    ("prozessoptimierung-workshops", "Prozessdigitalisierung", "hoch"),
    ("prozessoptimierung-rpa", "Prozessdigitalisierung", "hoch"),
    ("evaluation-prozessmodellierung", "Prozessdigitalisierung", "hoch"),
    ("inventur-hardware", "IT-Bereitstellung", "hoch"),
    ("anforderungsprofile", "IT-Bereitstellung", "hoch"),
    ("beschaffung-hardware", "IT-Bereitstellung", "hoch"),
    ("whiteboard-tool", "IT-Bereitstellung", "gering/mittel"),
    ("awareness-konzept", "IT-Sicherheit", "hoch"),
    ("it-sicherheitskonzept", "IT-Sicherheit", "hoch"),
    ("it-notfallkonzept", "IT-Sicherheit", "hoch"),
    ("terminkalendertool", "Bürger*innenzentrierung", "mittel"),
    ("chatbot", "Bürger*innenzentrierung", "gering"),
    ("elearning-portal", "Bürger*innenzentrierung", "gering"),
    ("agora-key-users", "Zusammenarbeit", "hoch"),
    ("agora-anmeldung", "Zusammenarbeit", "hoch"),
    ("data-governance", "Software, Daten, Interoperabilität", "gering"),
]

# Checked by hand against the Steckbriefe: a measure starts before a prerequisite's last month.
SOURCE_CONFLICTS = {
    # Regelmäßige Evaluation der Prozessmodellierung 01/2023 – 04/2023
    ("evaluation-prozessmodellierung", "dokumentationskonzept", "2023-01", "2023-04"),
    ("evaluation-prozessmodellierung", "prozessoptimierung-workshops", "2023-01", "2024-04"),
    ("evaluation-prozessmodellierung", "prozessoptimierung-rpa", "2023-01", "2024-07"),
    # Awareness-Konzept 01/2023 – 05/2023
    ("awareness-konzept", "schulungskonzept", "2023-01", "2023-04"),
    ("awareness-konzept", "onboarding", "2023-01", "2023-07"),
    # Schulungen ab 04/2023; the Awareness-Konzept is their "Grundlage" and ends 05/2023
    ("schulungen", "awareness-konzept", "2023-04", "2023-05"),
    # Terminkalendertool 09/2023 – 06/2024 after Prozesserhebung 05/2023 – 12/2023
    ("terminkalendertool", "prozesserhebung", "2023-09", "2023-12"),
}


@pytest.fixture(scope="module")
def steinfurt():
    return load_strategy(STEINFURT.read_text(encoding="utf-8"))


def by_key(strategy):
    return {m.key: m for m in strategy.measures}


def test_every_measure_of_the_table_in_order(steinfurt):
    assert len(steinfurt.measures) == 25
    assert [(m.key, m.dimension, m.urgency.value) for m in steinfurt.measures] == TABLE
    assert all(m.feasibility is None for m in steinfurt.measures)  # Machbarkeit: graphic lost


def test_strategy_fields(steinfurt):
    assert steinfurt.organisation == "Gesundheitsamt Kreis Steinfurt"
    assert steinfurt.version == "2023"
    assert steinfurt.adopted == Month(2023, 3)
    assert (steinfurt.window_start, steinfurt.window_end) == (Month(2023, 1), Month(2024, 12))
    assert steinfurt.vision == "Wir sind der Dienstleister für die öffentliche Gesundheit der gesamten Bevölkerung."
    assert steinfurt.mission.startswith("Für uns stehen bürgerfreundliche, barrierefreie Dienste")
    assert steinfurt.mission.endswith("Ressourcen effektiv und effizient.")
    assert len(steinfurt.principles) == 4
    assert (
        steinfurt.principles[2]
        == "Unsere Handlungen und Entscheidungen sind hierbei unabhängig, objektiv und transparent."
    )


def test_status_second_loop_and_backlog(steinfurt):
    ms = by_key(steinfurt)
    assert [k for k, m in ms.items() if m.status is Status.BACKLOG] == [
        "chatbot",
        "elearning-portal",
        "data-governance",
    ]
    assert {k for k, m in ms.items() if m.status is Status.ABGESCHLOSSEN} == {
        "externe-moderation",
        "agora-key-users",
        "agora-anmeldung",
    }
    assert [k for k, m in ms.items() if m.second_loop] == [
        "arbeitsmasken",
        "onboarding",
        "inventur-hardware",
        "anforderungsprofile",
        "data-governance",
    ]
    for key in ("chatbot", "elearning-portal", "data-governance"):
        assert ms[key].start is None and ms[key].end is None


def test_schulungskonzept(steinfurt):
    m = by_key(steinfurt)["schulungskonzept"]
    assert m.title == "Entwicklung eines Schulungskonzepts"
    assert m.dimension == "Mitarbeitende" and m.urgency is Rating("hoch") and m.feasibility is None
    assert m.owners == [Owner("Annika Feldhues", LEAD), Owner("Andreas Heeke", SUPPORT)]
    assert m.actors == ["Haupt-/Personalamt", "IT", "IT-Sicherheitsbeauftragter", "Personalrat"]
    assert m.requirements == ["Beteiligung Personalrat", "gesetzliche Anforderungen"]
    assert (m.start, m.end) == (Month(2023, 1), Month(2023, 4))
    assert m.depends_on == [] and not m.second_loop
    assert m.goal.endswith("Kompetenzentwicklung bei den Mitarbeitenden.")


def test_schulungen_open_ended(steinfurt):
    m = by_key(steinfurt)["schulungen"]
    assert m.title == "Nichttechnische und technische Schulungen"
    assert m.urgency is Rating("mittel")
    assert (m.start, m.end) == (Month(2023, 4), None) and m.open_ended  # "ab 04/2023"
    assert m.owners == [Owner("Annika Feldhues", LEAD), Owner("Andreas Heeke", SUPPORT), Owner("Felix Marincel", LEAD)]
    assert m.depends_on == ["awareness-konzept", "schulungskonzept"]
    assert m.examples == ["d.3-Schulungen (Grundlagen, Tipps & Tricks)", "Chat Bot-Schulung"]


def test_awareness_konzept(steinfurt):
    m = by_key(steinfurt)["awareness-konzept"]
    assert m.title == "Entwicklung eines Awareness-Konzepts"
    assert m.dimension == "IT-Sicherheit" and m.urgency is Rating("hoch")
    assert m.owners == [Owner("IT-Sicherheitsbeauftragte", LEAD), Owner("Externes Dienstleistungsunternehmen", SUPPORT)]
    assert m.requirements == [
        "Beteiligung Personalrat",
        "Beteiligung Haupt- und Personalamt",
        "Beteiligung Datenschutz",
    ]
    assert (m.start, m.end) == (Month(2023, 1), Month(2023, 5))
    assert m.depends_on == ["onboarding", "schulungskonzept"]
    assert m.steps == [
        "Sensibilisierung der Leitung im Gesundheitsamt",
        "Konzeption und Planung",
        "Durchführung",
        "Messung und Auswertung des Lernerfolgs",
    ]
    assert m.goal.startswith("Erfüllung des BSI-Bausteins ORP.3")


def test_evaluation_prozessmodellierung_keeps_the_source_schedule(steinfurt):
    m = by_key(steinfurt)["evaluation-prozessmodellierung"]
    assert m.title == "Regelmäßige Evaluation der Prozessmodellierung"
    assert m.owners == [Owner("Annika Feldhues", LEAD)]
    assert (m.start, m.end) == (Month(2023, 1), Month(2023, 4))
    assert m.depends_on == ["dokumentationskonzept", "prozessoptimierung-rpa", "prozessoptimierung-workshops"]


def test_it_bereitstellung_measures(steinfurt):
    ms = by_key(steinfurt)
    inventur, hardware, whiteboard = ms["inventur-hardware"], ms["beschaffung-hardware"], ms["whiteboard-tool"]
    assert inventur.second_loop and (inventur.start, inventur.end) == (Month(2022, 11), Month(2023, 3))
    assert inventur.owners == [Owner("IT-Service (Lukas Bäumer)", LEAD)]
    assert hardware.depends_on == ["anforderungsprofile", "inventur-hardware"] and not hardware.second_loop
    assert hardware.actors == ["Annika Feldhues", "Andreas Heeke", "Siegfried Bergmann"]
    assert whiteboard.urgency is Rating("gering/mittel") and whiteboard.examples == ["Miro"]
    assert (whiteboard.start, whiteboard.end) == (Month(2024, 1), Month(2024, 2))


def test_terminkalendertool(steinfurt):
    m = by_key(steinfurt)["terminkalendertool"]
    assert m.title == "Beschaffung und Einführung eines vollumfänglichen Terminkalendertools"
    assert m.dimension == "Bürger*innenzentrierung" and m.urgency is Rating("mittel")
    assert m.requirements == ["Datenschutzkonformität"]
    assert (m.start, m.end) == (Month(2023, 9), Month(2024, 6))
    assert m.depends_on == ["prozesserhebung"]
    assert m.examples == ["Bsp. „samedi“"]


def test_agora_anmeldung_completed_and_open_ended(steinfurt):
    m = by_key(steinfurt)["agora-anmeldung"]
    assert m.status is Status.ABGESCHLOSSEN  # table: "hoch (abgeschlossen)"
    assert (m.start, m.end) == (Month(2023, 1), None)  # Steckbrief: "ab 01/2023"


def test_measures_without_steckbrief_have_only_table_data(steinfurt):
    ms = by_key(steinfurt)
    for key in ("externe-moderation", "strategie-leitbild", "agora-key-users", "data-governance"):
        m = ms[key]
        assert m.description and not m.goal and not m.owners and m.start is None, key


def test_dependency_graph_of_the_source(steinfurt):
    edges = {(m.key, d) for m in steinfurt.measures for d in m.depends_on}
    assert len(edges) == 13
    assert ("schulungskonzept", "schulungen") not in edges  # read as "Grundlage für", not a cycle


def test_check_reports_exactly_the_source_conflicts():
    result = run("check", "--json", str(STEINFURT))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["valid"] is True and report["errors"] == [] and report["measures"] == 25
    assert report["backlog"] == ["chatbot", "elearning-portal", "data-governance"]
    assert report["cycles"] == []
    found = {(c["measure"], c["depends_on"], c["starts"], c["prerequisite_ends"]) for c in report["conflicts"]}
    assert found == SOURCE_CONFLICTS
    assert len(report["conflicts"]) == 7


def test_seed_loads_steinfurt_into_a_fresh_database(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'seed.db'}")
    monkeypatch.setenv("SECRET_KEY", "x")
    directory = tmp_path / "strategies"
    directory.mkdir()
    (directory / STEINFURT.name).write_text(STEINFURT.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("db", "upgrade").exit_code == 0
    result = run("seed", "--dir", str(directory))
    assert result.exit_code == 0, result.output
    assert "steinfurt-2023.yaml" in result.output and "25 Maßnahmen" in result.output
    out = tmp_path / "export.yaml"
    assert run("export", "--strategy", "1", "-o", str(out)).exit_code == 0
    assert load_strategy(out.read_text(encoding="utf-8")) == load_strategy(STEINFURT.read_text(encoding="utf-8"))


@pytest.mark.db
def test_database_round_trip(app, steinfurt_id, steinfurt):
    with app.app_context():
        assert strategy_to_domain(load_strategy_row(db.session, steinfurt_id)) == steinfurt


@pytest.mark.db
def test_strategy_page_renders(client, steinfurt_id):
    response = client.get(f"/strategien/{steinfurt_id}")
    assert response.status_code == 200
    html = response.text
    assert "Wir sind der Dienstleister für die öffentliche Gesundheit der gesamten Bevölkerung." in html
    assert html.index("Dimension Mitarbeitende") < html.index("Entwicklung eines Schulungskonzepts")
    assert html.index("Dimension IT-Sicherheit") < html.index("Entwicklung eines Awareness-Konzepts")
    assert "Beschaffung und Einführung eines Chatbots" in html
    assert "ab 04/2023" in html and "01/2023 – 05/2023" in html


@pytest.mark.db
def test_measure_page_renders(client, steinfurt_id):
    response = client.get(f"/strategien/{steinfurt_id}/massnahmen/awareness-konzept")
    assert response.status_code == 200
    html = re.sub(r'<span lang="en">([^<]*)</span>', r"\1", response.text)  # "Lead" is marked as English
    for text in [
        "IT-Sicherheitsbeauftragte (Lead)",
        "Externes Dienstleistungsunternehmen (Support)",
        "Beteiligung Datenschutz",
        "Messung und Auswertung des Lernerfolgs",
        "01/2023 – 05/2023",
    ]:
        assert text in html, text
