"""The maturity sections of the strategy file (file → DB → file), criteria CSV/XLSX, and `planner maturity`."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import DATA, PEINE, import_file, run

from planner.domain.catalogue import catalogue
from planner.extensions import db
from planner.formats.criteria import (
    CriteriaFileError,
    criteria_to_csv,
    parse_criteria_file,
    parse_csv,
    parse_xlsx,
    sample_criteria,
)
from planner.formats.strategy_file import StrategyFileError, dump_strategy, load_strategy
from planner.services.strategies import ValidationFailed, load_strategy_row
from planner.services.whole_strategy import import_strategy, strategy_to_domain

EXAMPLE = DATA / "maturity-kriterien-beispiel.yaml"
SAMPLE = (DATA / "sample.yaml").read_text(encoding="utf-8")

SECTIONS = """
assessments:
  - date: 2022-06-09
    levels: {Verantwortlichkeiten: 2, Präferenzen: null, bürgerinnen interaktion: 1}
  - date: 2024-11-07
    threshold: 0.75
    note: Selbstbewertung
    answers:
      - {subdimension: Interaktion, stage: 0, criterion: "Die Kommunikation erfolgt auch digital.", answer: trifft_zu}
      - {subdimension: Interaktion, stage: 0, criterion: "Web-Präsenz ist vorhanden.", answer: nicht_beeinflussbar}
targets: {Präferenzen: 2}
funding:
  - {call: 1. Förderaufruf, status: abgeschlossen, granted: 1005706.0, baseline: 2022-06-09, note: fertig, claim: sieben von acht, claimed_dimensions: 7}
"""


def test_sections_load_with_canonical_names():
    text = SAMPLE + SECTIONS.replace("bürgerinnen interaktion: 1", "Interaktion: 1")
    s = load_strategy(text)
    sheet, criteria = s.assessments
    assert sheet.levels == {"Verantwortlichkeiten": 2, "Präferenzen": None, "Interaktion": 1}
    assert criteria.threshold == 0.75 and criteria.note == "Selbstbewertung"
    assert [a.answer.value for a in criteria.answers] == ["trifft_zu", "nicht_beeinflussbar"]
    assert s.targets == {"Präferenzen": 2}
    assert s.funding[0].call == "foerderaufruf-1" and s.funding[0].granted == 1005706.0
    assert s.funding[0].claim == "sieben von acht" and s.funding[0].claimed_dimensions == 7


@pytest.mark.db
def test_file_to_db_to_file_is_lossless(app):
    text = SAMPLE + SECTIONS.replace("bürgerinnen interaktion: 1", "Interaktion: 1")
    original = load_strategy(text)
    with app.app_context():
        row = import_strategy(db.session, original)
        db.session.commit()
        sid = row.id
    with app.app_context():  # a fresh session: what the database holds
        back = strategy_to_domain(load_strategy_row(db.session, sid))
    assert back == original
    assert load_strategy(dump_strategy(back)) == original
    dumped = yaml.safe_load(dump_strategy(back))
    assert dumped["assessments"][0] == {
        "date": "2022-06-09",
        "levels": {"Verantwortlichkeiten": 2, "Interaktion": 1, "Präferenzen": None},
    }
    assert dumped["assessments"][1]["threshold"] == 0.75
    assert dumped["targets"] == {"Präferenzen": 2}


@pytest.mark.db
def test_peine_and_the_criteria_example_survive_the_database(app):
    for path in (PEINE, EXAMPLE):
        original = load_strategy(path.read_text(encoding="utf-8"))
        sid = import_file(app, path)
        with app.app_context():
            back = strategy_to_domain(load_strategy_row(db.session, sid))
        assert back == original, path.name


def test_a_file_without_maturity_sections_dumps_without_them():
    assert "assessments" not in dump_strategy(load_strategy(SAMPLE))


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "assessments:\n  - {date: 2022-06-09, levels: {Foo: 1}}\n",
            "Feld „assessments.0.levels“: Unbekannte Subdimension „Foo“.",
        ),
        (
            "assessments:\n  - {date: 2022-13-09, levels: {Interaktion: 1}}\n",
            "„2022-13-09“ ist kein Datum im Format JJJJ-MM-TT",
        ),
        ("assessments:\n  - {date: 2022-06-09}\n", "entweder „levels“ (Ergebnisblatt) oder „answers“ (Kriterien)"),
        (
            "assessments:\n  - {date: 2022-06-09, levels: {Interaktion: 1}, answers: []}\n",
            "entweder „levels“ (Ergebnisblatt) oder „answers“ (Kriterien)",
        ),
        (
            "assessments:\n  - {date: 2022-06-09, levels: {Interaktion: 1}}\n  - {date: 2022-06-09, levels: {Interaktion: 2}}\n",
            "Für den 09.06.2022 gibt es mehr als eine Messung.",
        ),
        (
            "assessments:\n  - {date: 2022-06-09, levels: {Interaktion: 5}}\n",
            "levels.Interaktion“: Der Wert 5 liegt außerhalb des erlaubten Bereichs.",
        ),
        (
            "assessments:\n  - {date: 2022-06-09, threshold: 0.5, levels: {Interaktion: 1}}\n",
            "Die Schwelle („threshold“) gilt nur für Kriterienbewertungen.",
        ),
        (
            "assessments:\n  - date: 2022-06-09\n    answers:\n      - {subdimension: Interaktion, stage: 0, criterion: x, answer: vielleicht}\n",
            "„vielleicht“ ist nicht erlaubt",
        ),
        ("targets: {Interaktion: 7}\n", "außerhalb des erlaubten Bereichs"),
        ("targets: {Interaktionen: 3}\n", "Unbekannte Subdimension „Interaktionen“."),
        ("funding:\n  - {call: 4. Förderaufruf}\n", "Unbekannter Förderaufruf „4. Förderaufruf“"),
        (
            "funding:\n  - {call: foerderaufruf-1, baseline: 2020-01-01}\n",
            "Ausgangsmessung 01.01.2020 für „foerderaufruf-1“: keine Messung",
        ),
    ],
)
def test_problems_are_named_in_german(section, message):
    with pytest.raises(StrategyFileError) as info:
        load_strategy(SAMPLE + section)
    assert any(message in m for m in info.value.messages), info.value.messages


@pytest.mark.db
def test_reimport_reuses_equal_assessments_and_refuses_different_ones(app):
    first = import_file(app, PEINE)
    second = import_file(app, PEINE)  # same organisation, same sheets: reused
    with app.app_context():
        a = strategy_to_domain(load_strategy_row(db.session, first))
        b = strategy_to_domain(load_strategy_row(db.session, second))
    assert a.assessments == b.assessments and len(a.assessments) == 2
    changed = PEINE.read_text(encoding="utf-8").replace(
        "      Verantwortlichkeiten: 2\n", "      Verantwortlichkeiten: 1\n"
    )
    with app.app_context():
        with pytest.raises(ValidationFailed) as info:
            import_strategy(db.session, load_strategy(changed))
        db.session.rollback()
    assert "bereits eine andere Messung gespeichert" in str(info.value)


@pytest.mark.db
def test_upload_with_conflicting_assessment_answers_422_not_500(client, app):
    import io

    import_file(app, PEINE)
    changed = PEINE.read_text(encoding="utf-8").replace(
        "      Verantwortlichkeiten: 2\n", "      Verantwortlichkeiten: 1\n"
    )
    response = client.post(
        "/strategien/importieren",
        data={"file": (io.BytesIO(changed.encode()), "peine.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "bereits eine andere Messung" in response.text


# --- criteria catalogue files ----------------------------------------------------------------------


def test_sample_criteria_are_the_fourteen_of_the_slides():
    sample = sample_criteria()
    assert len(sample) == 14
    assert {c.subdimension for c in sample} == {"Interaktion", "Präferenzen"}
    assert [c.stage for c in sample if c.subdimension == "Interaktion"] == [0, 0, 1, 1, 2, 2, 3, 3, 4]
    assert sample[10].text.startswith('Ein alternativer Kanal für "nicht-digitale Bürger*innen"')


def test_csv_all_or_nothing_with_lines_named():
    text = (
        "Subdimension;Stufe;Kriterium\n"
        "Interaktion;0;Gut\n"
        "Interaktionen;1;Tippfehler\n"
        ";;\n"
        "Präferenzen;Stufe 2;\n"
        "Präferenzen;x;Text\n"
        "interaktion;0;gut\n"
    )
    with pytest.raises(CriteriaFileError) as info:
        parse_csv(text.encode())
    assert info.value.problems == [
        "Zeile 3: Unbekannte Subdimension „Interaktionen“.",
        "Zeile 5: Der Text des Kriteriums fehlt.",
        "Zeile 6: „x“ ist keine Stufe (erlaubt: 0 bis 4).",
        "Zeile 7: Das Kriterium steht schon in Zeile 2 (Interaktion, Stufe 0).",
    ]


def test_csv_separators_encodings_header_order_and_stage_spellings():
    text = "Kriterium,Stufe,Subdimension\nÄnderungen werden dokumentiert.,Stufe 3,dokumentation\n"
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("cp1252")):
        (c,) = parse_csv(data)
        assert (c.subdimension, c.stage, c.text) == ("Dokumentation", 3, "Änderungen werden dokumentiert.")
    (c,) = parse_csv(text.replace(",", "\t").encode())
    assert c.stage == 3


def test_csv_header_and_empty_file_problems():
    with pytest.raises(CriteriaFileError) as info:
        parse_csv(b"Name;Stufe;Text\nx;1;y\n")
    assert info.value.problems[0].startswith("Zeile 1: Spalte „Subdimension“ fehlt (gefunden: „Name“, „Stufe“, „Text“)")
    with pytest.raises(CriteriaFileError, match="nur die Kopfzeile"):
        parse_csv(b"Subdimension;Stufe;Kriterium\n")
    with pytest.raises(CriteriaFileError, match="leer"):
        parse_csv(b"")
    with pytest.raises(CriteriaFileError, match="CSV- oder XLSX"):
        parse_criteria_file("katalog.ods", b"")


def test_xlsx_round_trip_and_numeric_stages():
    from planner.formats.criteria import criteria_to_xlsx

    assert parse_xlsx(criteria_to_xlsx(sample_criteria())) == list(sample_criteria())
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Subdimension", "Stufe", "Kriterium"])
    book.active.append(["Schulungen", 2.0, "Es gibt einen Schulungsplan."])
    book.active.append(["Schulungen", 2.5, "Halbe Stufe"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(CriteriaFileError) as info:
        parse_xlsx(out.getvalue())
    assert info.value.problems == ["Zeile 3: „2.5“ ist keine Stufe (erlaubt: 0 bis 4)."]


def test_csv_export_reads_back():
    assert parse_csv(criteria_to_csv(sample_criteria())) == list(sample_criteria())


# --- the command line ------------------------------------------------------------------------------


def test_cli_maturity_json_for_peine():
    result = run("maturity", str(PEINE), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["assessments"]
    first, second = data["assessments"]
    assert first["date"] == "2022-06-09" and second["date"] == "2024-11-07"
    assert list(first) == ["date", "subdimensions", "dimensions"]
    assert list(first["subdimensions"]) == catalogue().subdimension_names
    assert list(first["dimensions"]) == catalogue().dimension_names
    assert first["subdimensions"]["Identitäts- und Zugangsmanagement"] == 0
    assert first["subdimensions"]["IT-Arbeitsplatz"] is None
    assert first["dimensions"]["Digitalisierungsstrategie"] == 0 and first["dimensions"]["IT-Bereitstellung"] is None
    assert second["dimensions"]["IT-Bereitstellung"] == 2 and second["dimensions"]["Bürger*innenzentrierung"] is None


def test_cli_maturity_json_for_the_criteria_example_fills_missing_with_null():
    result = run("maturity", str(EXAMPLE), "--json")
    (only,) = json.loads(result.output)["assessments"]
    assert only["subdimensions"]["Interaktion"] == 0
    assert only["subdimensions"]["Präferenzen"] is None
    assert only["subdimensions"]["Datenschutz"] is None  # no data
    assert only["dimensions"]["Bürger*innenzentrierung"] is None
    assert len(only["subdimensions"]) == 27 and len(only["dimensions"]) == 8


def test_cli_maturity_text_and_errors(tmp_path):
    result = run("maturity", str(PEINE))
    assert "Messung vom 09.06.2022 (Ergebnisblatt)" in result.output
    assert "  IT-Bereitstellung: –" in result.output
    none = run("maturity", str(DATA / "sample.yaml"))
    assert "keine Reifegradmessungen" in none.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE + "targets: {Foo: 3}\n", encoding="utf-8")
    failed = run("maturity", str(bad), "--json")
    assert failed.exit_code == 1 and "Unbekannte Subdimension „Foo“" in failed.output


def test_planner_check_accepts_peine():
    result = run("check", str(PEINE))
    assert result.exit_code == 0, result.output
