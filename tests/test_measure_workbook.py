"""The Maßnahmenliste as XLSX: export, reading with German errors by sheet/row/column, formulas,
`planner convert` both ways (issue 17, point 1). The web import: tests/test_measure_list_web.py."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date, datetime

import pytest
from conftest import DATA, PEINE, STEINFURT, run
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from planner.domain.months import Month
from planner.domain.schedule_state import schedule_state
from planner.domain.strategy import Status
from planner.formats.measure_workbook import (
    SHEET_HINTS,
    SHEET_MEASURES,
    SHEET_STRATEGY,
    WorkbookError,
    read_workbook,
    strategy_from_workbook,
    workbook_bytes,
    written_columns,
)
from planner.formats.strategy_file import load_strategy

TODAY = date(2026, 11, 30)
COLUMNS = written_columns(addresses=False)  # a list without the owners' addresses (see the tests at the end)
HEADERS = [c.header for c in COLUMNS]


def col(header: str) -> int:
    return HEADERS.index(header) + 1


def sample():
    return load_strategy((DATA / "sample.yaml").read_text(encoding="utf-8"))


def steinfurt():
    return load_strategy(STEINFURT.read_text(encoding="utf-8"))


def book_of(data: bytes):
    return load_workbook(io.BytesIO(data))


def saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def edited(data: bytes, *cells: tuple[int, str, object]) -> bytes:
    """The workbook with cells of the Maßnahmen sheet set: (row, column header, value)."""
    book = book_of(data)
    sheet = book[SHEET_MEASURES]
    for row, header, value in cells:
        sheet.cell(row=row, column=col(header)).value = value
    return saved(book)


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        read_and_validate(data)
    return info.value.problems


def read_and_validate(data: bytes):
    return strategy_from_workbook(data)


# --- export -------------------------------------------------------------------------------


def test_export_has_every_steckbrief_field_per_measure_with_a_frozen_header():
    s = steinfurt()
    book = book_of(workbook_bytes(s, TODAY))
    assert book.sheetnames[:3] == [SHEET_MEASURES, SHEET_STRATEGY, SHEET_HINTS]
    sheet = book[SHEET_MEASURES]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "C2"
    assert sheet.max_row == 1 + len(s.measures)
    assert [sheet.cell(row=i + 2, column=1).value for i in range(len(s.measures))] == [m.key for m in s.measures]
    m = s.measure("schulungskonzept") or next(m for m in s.measures if len(m.owners) > 1)
    row = [m.key for m in s.measures].index(m.key) + 2
    owners = sheet.cell(row=row, column=col("Verantwortliche")).value
    assert owners.splitlines() == [f"{o.name} ({o.role.label})" for o in m.owners]
    if m.start:
        assert sheet.cell(row=row, column=col("Beginn")).value == m.start.german()


def test_months_are_written_as_mm_jjjj_text_and_status_as_its_label():
    s = sample()
    sheet = book_of(workbook_bytes(s, TODAY))[SHEET_MEASURES]
    assert sheet.cell(row=2, column=col("Beginn")).value == "01/2024"
    assert sheet.cell(row=2, column=col("Beginn")).data_type == "s"
    assert sheet.cell(row=3, column=col("Status")).value == "fortlaufend"
    assert sheet.cell(row=3, column=col("Abhängig von (IDs)")).value == "konzept"
    assert sheet.cell(row=4, column=col("Zweite Schleife (*)")).value == "ja"


def test_schedule_state_column_uses_the_one_definition():
    s = steinfurt()
    sheet = book_of(workbook_bytes(s, TODAY))[SHEET_MEASURES]
    shown = [sheet.cell(row=i + 2, column=col("Stand heute (nur Anzeige)")).value for i in range(len(s.measures))]
    assert shown == [schedule_state(m, TODAY).text for m in s.measures]
    assert any(text.startswith("Abschluss überfällig seit") for text in shown)


def test_column_widths_fit_their_content():
    sheet = book_of(workbook_bytes(steinfurt(), TODAY))[SHEET_MEASURES]
    widths = {
        c.header: sheet.column_dimensions[sheet.cell(row=1, column=col(c.header)).column_letter].width for c in COLUMNS
    }
    assert widths["ID"] >= max(len(m.key) for m in steinfurt().measures)
    assert widths["Titel"] == 60  # capped: long titles wrap
    assert 8 <= widths["Zielstufe"] <= 12
    assert sheet["C3"].alignment.wrap_text and sheet["C3"].alignment.vertical == "top"
    assert sheet.cell(row=3, column=len(COLUMNS)).font.i  # the read-only state column is set apart


def test_drop_downs_for_dimension_scales_and_status():
    book = book_of(workbook_bytes(sample(), TODAY))
    sheet = book[SHEET_MEASURES]
    validations = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    letters = {
        h: sheet.cell(row=1, column=col(h)).column_letter
        for h in ("Dimension", "Dringlichkeit", "Machbarkeit", "Status")
    }
    assert set(validations) == {f"{letter}2" for letter in letters.values()}
    lists = book["Auswahllisten"]
    assert lists.sheet_state == "hidden"
    for header, letter in letters.items():
        dv = validations[f"{letter}2"]
        assert dv.type == "list" and dv.showErrorMessage
        ref = dv.formula1.split("!")[1].replace("$", "")
        values = [c.value for row in lists[ref] for c in row]
        expected = {
            "Dimension": 8,
            "Dringlichkeit": ["gering", "gering/mittel", "mittel", "mittel/hoch", "hoch"],
            "Machbarkeit": ["gering", "gering/mittel", "mittel", "mittel/hoch", "hoch"],
            "Status": [s.label for s in Status],
        }[header]
        assert values == expected if isinstance(expected, list) else len(values) == expected


def test_strategy_sheet_has_vision_mission_and_each_leitsatz():
    s = steinfurt()
    sheet = book_of(workbook_bytes(s, TODAY))[SHEET_STRATEGY]
    rows = [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=2)]
    assert ("Vision-Statement", s.vision) in rows and ("Mission-Statement", s.mission) in rows
    assert [v for k, v in rows if k == "Leitsatz"] == s.principles
    assert ("Fahrplan von (MM/JJJJ)", "01/2023") in rows


def test_hints_sheet_explains_every_column():
    sheet = book_of(workbook_bytes(sample(), TODAY))[SHEET_HINTS]
    explained = {r[0].value: r[1].value for r in sheet.iter_rows(min_row=2) if r[0].value}
    assert set(HEADERS) <= set(explained)
    assert "nicht gelesen" in explained["Stand heute (nur Anzeige)"]
    assert "Formel" in explained["Formeln"]


# --- formulas: text in both directions -----------------------------------------------------


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x.example";"klick")', "+49 2551 69", "-Schritt eins", "@SUMME(A1)"]
)
def test_text_beginning_like_a_formula_is_written_as_text_and_read_back_as_text(text):
    s = sample()
    s.measures[0] = replace(s.measures[0], title=text, steps=[text])
    data = workbook_bytes(s, TODAY)
    cell = book_of(data)[SHEET_MEASURES].cell(row=2, column=col("Titel"))
    assert cell.value == text and cell.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    back = strategy_from_workbook(data)
    assert back.measures[0].title == text and back.measures[0].steps == [text]


def test_a_formula_cell_is_refused_with_sheet_row_and_column():
    data = edited(workbook_bytes(sample(), TODAY), (3, "Titel", '=A2&" neu"'))
    [problem] = problems_of(data)
    assert problem.startswith(
        'Blatt „Maßnahmen“, Zeile 3, Spalte B (Titel): Die Zelle enthält eine Formel (=A2&" neu")'
    )


def test_a_formula_in_the_strategy_sheet_is_refused_too():
    book = book_of(workbook_bytes(sample(), TODAY))
    sheet = book[SHEET_STRATEGY]
    row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == "Vision-Statement")
    sheet.cell(row=row, column=2).value = "=1+1"
    [problem] = problems_of(saved(book))
    assert problem.startswith(f"Blatt „Strategie“, Zeile {row}, Spalte B (Wert): Die Zelle enthält eine Formel")


# --- reading ---------------------------------------------------------------------------------


def test_workbook_values_are_read_in_every_typed_form():
    data = edited(
        workbook_bytes(sample(), TODAY),
        (2, "Beginn", datetime(2024, 2, 1)),  # an Excel date cell counts as its month
        (2, "Ende", "05.2024"),
        (2, "Dringlichkeit", "Mittel"),
        (2, "Status", "In Umsetzung"),
        (2, "Verantwortliche", "Annika Feldhues (lead)\nAndreas Heeke ( Support )"),
        (2, "Budget (EUR)", "12.500,50"),
        (2, "Zielstufe", "Stufe 3"),
    )
    m = strategy_from_workbook(data).measures[0]
    assert (m.start, m.end) == (Month(2024, 2), Month(2024, 5))
    assert m.urgency.value == "mittel" and m.status is Status.IN_UMSETZUNG
    assert [o.role.value for o in m.owners] == ["lead", "support"]
    assert m.budget == 12500.5 and m.target_stage == 3


def test_errors_name_sheet_row_and_column():
    data = edited(
        workbook_bytes(sample(), TODAY),
        (2, "Dringlichkeit", "Hochh"),
        (3, "Beginn", "13/2025"),
        (4, "Dimension", "Weltraum"),
        (4, "Abhängig von (IDs)", "konzept, gibtsnicht"),
        (5, "Zielstufe", 7),
        (5, "Zweite Schleife (*)", "vielleicht"),
    )
    problems = problems_of(data)
    assert (
        "Blatt „Maßnahmen“, Zeile 2, Spalte I (Dringlichkeit): „Hochh“ ist nicht erlaubt; erlaubt sind: gering, gering/mittel, mittel, mittel/hoch, hoch oder leer."
        in problems
    )
    assert (
        "Blatt „Maßnahmen“, Zeile 3, Spalte P (Beginn): „13/2025“ ist kein Monat. Bitte als MM/JJJJ, z. B. 04/2025 (auch JJJJ-MM, M/JJJJ oder MM.JJJJ) angeben."
        in problems
    )
    assert (
        "Blatt „Maßnahmen“, Zeile 5, Spalte H (Zielstufe): „7“ ist keine Reifegradstufe (erlaubt: 0 bis 4)." in problems
    )
    assert (
        "Blatt „Maßnahmen“, Zeile 5, Spalte L (Zweite Schleife (*)): „vielleicht“ ist weder ja noch nein." in problems
    )
    assert len(problems) == 4  # cell errors first; the strategy checks run on a readable list


def test_strategy_checks_are_reported_by_row_and_column():
    data = edited(
        workbook_bytes(sample(), TODAY),
        (4, "Dimension", "Weltraum"),
        (4, "Abhängig von (IDs)", "konzept, gibtsnicht"),
    )
    problems = problems_of(data)
    assert "Blatt „Maßnahmen“, Zeile 4, Spalte E (Dimension): Unbekannte Dimension „Weltraum“." in problems
    assert any(
        p.startswith("Blatt „Maßnahmen“, Zeile 4, Spalte R (Abhängig von (IDs)):") and "gibtsnicht" in p
        for p in problems
    )
    no_title = problems_of(edited(workbook_bytes(sample(), TODAY), (2, "Titel", None)))
    assert no_title == ["Blatt „Maßnahmen“, Zeile 2, Spalte B (Titel): Die Zelle ist leer; das Feld ist Pflicht."]
    duplicate = edited(workbook_bytes(sample(), TODAY), (3, "ID", "konzept"))
    assert problems_of(duplicate) == [
        "Blatt „Maßnahmen“, Zeile 3, Spalte A (ID): Die ID „konzept“ steht schon in Zeile 2."
    ]


def test_missing_sheet_or_columns_are_named():
    book = Workbook()
    book.active.title = "Tabelle1"
    assert problems_of(saved(book)) == ["Die Arbeitsmappe hat kein Blatt „Maßnahmen“ (gefunden: Tabelle1)."]
    book.active.title = SHEET_MEASURES
    book.active.append(["ID", "Bezeichnung"])
    assert problems_of(saved(book)) == ["Blatt „Maßnahmen“, Zeile 1: Es fehlen die Spalten „Titel“, „Dimension“."]


def test_damaged_files_are_refused_in_german():
    data = workbook_bytes(sample(), TODAY)
    for broken in (data[: len(data) // 2], b"keine Arbeitsmappe", b""):
        assert problems_of(broken) == ["Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)."]


def test_xml_with_a_doctype_is_not_read():
    original = zipfile.ZipFile(io.BytesIO(workbook_bytes(sample(), TODAY)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in original.infolist():
            content = original.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + content
            z.writestr(info, content)
    assert problems_of(out.getvalue()) == ["Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)."]


def test_empty_rows_and_unknown_columns_are_ignored():
    book = book_of(workbook_bytes(sample(), TODAY))
    sheet = book[SHEET_MEASURES]
    sheet.cell(row=1, column=len(HEADERS) + 1).value = "Meine Notizen"
    sheet.cell(row=2, column=len(HEADERS) + 1).value = "nachfragen"
    sheet.insert_rows(3)
    content = read_workbook(saved(book))
    assert [m["id"] for m in content.measures] == ["konzept", "schulungen", "awareness", "chatbot"]
    assert content.rows == [2, 4, 5, 6]


# --- round trip and convert ------------------------------------------------------------------


@pytest.mark.parametrize("path", [STEINFURT, DATA / "sample.yaml"], ids=["steinfurt", "sample"])
def test_yaml_to_xlsx_to_yaml_gives_the_same_strategy(path):
    s = load_strategy(path.read_text(encoding="utf-8"))
    assert strategy_from_workbook(workbook_bytes(s, TODAY)) == s


def test_convert_both_ways_on_the_command_line(tmp_path):
    xlsx, back = tmp_path / "liste.xlsx", tmp_path / "zurueck.yaml"
    result = run("convert", STEINFURT, "-o", xlsx, "--heute", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "25 Maßnahmen" in result.output
    result = run("convert", xlsx, "-o", back)
    assert result.exit_code == 0, result.output
    assert load_strategy(back.read_text(encoding="utf-8")) == steinfurt()


def test_convert_names_what_the_workbook_does_not_carry(tmp_path):
    result = run("convert", PEINE, "-o", tmp_path / "peine.xlsx")
    assert result.exit_code == 0
    assert "nicht enthalten: Reifegradmessungen, Förderaufrufe" in result.stderr


def test_convert_refuses_a_bad_workbook_with_every_problem(tmp_path):
    bad = tmp_path / "kaputt.xlsx"
    bad.write_bytes(edited(workbook_bytes(sample(), TODAY), (2, "Dringlichkeit", "Hochh"), (3, "Beginn", "13/2025")))
    out = tmp_path / "out.yaml"
    result = run("convert", bad, "-o", out)
    assert result.exit_code == 1
    assert "Zeile 2, Spalte I (Dringlichkeit): „Hochh“" in result.stderr
    assert "Zeile 3, Spalte P (Beginn): „13/2025“" in result.stderr
    assert not out.exists()


def test_convert_needs_one_yaml_and_one_xlsx(tmp_path):
    result = run("convert", STEINFURT, "-o", tmp_path / "x.txt")
    assert result.exit_code == 2
    assert "von .yaml/.yml nach .xlsx" in result.stderr


@pytest.mark.parametrize("typed", ["nan", "inf", "zwölf"])
def test_a_budget_must_be_an_amount(typed):
    [problem] = problems_of(edited(workbook_bytes(sample(), TODAY), (2, "Budget (EUR)", typed)))
    assert (
        problem
        == f"Blatt „Maßnahmen“, Zeile 2, Spalte U (Budget (EUR)): „{typed}“ ist kein Betrag (z. B. 12500 oder 12.500,00)."
    )


def _with_libreoffice_tail(data: bytes, empty_rows: int = 1000, width: int = 1024) -> bytes:
    """The Maßnahmen sheet as LibreOffice saves it after a row was deleted: the dimension spans
    column AMJ and `empty_rows` empty rows follow, each with a formatted cell in every column."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i) for i in range(1, width + 1)]
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            xml = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = xml.decode()
                last = int(text.rsplit('<row r="', 1)[1].split('"', 1)[0])
                tail = "".join(
                    f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="1"/>' for c in letters) + "</row>"
                    for r in range(last + 1, last + 1 + empty_rows)
                )
                start = text.index("<dimension ref=")
                end = text.index("/>", start) + 2
                text = text[:start] + f'<dimension ref="A1:AMJ{last + empty_rows}"/>' + text[end:]
                xml = text.replace("</sheetData>", tail + "</sheetData>").encode()
            target.writestr(item, xml)
    return out.getvalue()


def test_trailing_empty_rows_of_libreoffice_are_never_parsed(monkeypatch):
    """Issue 23, defect 12: 1,000 formatted empty rows after the list cost nothing — not one of
    their cells is parsed, and the list reads as without them."""
    from openpyxl.worksheet._reader import WorkSheetParser

    strategy = sample()
    plain = workbook_bytes(strategy, date(2025, 1, 1))
    parsed_rows = []
    original = WorkSheetParser.parse_row

    def counting(self, row):
        parsed_rows.append(row.get("r"))
        return original(self, row)

    monkeypatch.setattr(WorkSheetParser, "parse_row", counting)
    content = read_workbook(_with_libreoffice_tail(plain))
    assert [m["id"] for m in content.measures] == [m.key for m in strategy.measures]
    # the measure rows, the Strategie sheet's rows: nothing of the 1,000 empty rows
    assert len(parsed_rows) < 50, len(parsed_rows)
    assert read_workbook(plain).measures == content.measures


def test_full_german_dates_are_read_as_their_month():
    data = edited(workbook_bytes(sample(), TODAY), (2, "Beginn", "01.09.2024"), (2, "Ende", "30.06.2027"))
    first = read_and_validate(data).measures[0]
    assert (first.start, first.end) == (Month(2024, 9), Month(2027, 6))


def test_a_month_that_became_a_number_is_read_and_noted():
    """LibreOffice turns a typed 01.2027 into the number 1.2027: read as 01/2027, and said so."""
    data = edited(workbook_bytes(sample(), TODAY), (2, "Ende", 1.2027), (3, "Beginn", 10.202))
    content = read_workbook(data)
    assert content.measures[0]["end"] == "2027-01" and content.measures[1]["start"] == "2020-10"
    assert content.notes == [
        f"Blatt „Maßnahmen“, Zeile 2, Spalte {get_column_letter(col('Ende'))} (Ende): Die Zahl 1,2027 wurde als "
        "01/2027 gelesen; bitte prüfen (ein als MM.JJJJ getippter Monat wird in der Tabellenkalkulation leicht zur Zahl).",
        f"Blatt „Maßnahmen“, Zeile 3, Spalte {get_column_letter(col('Beginn'))} (Beginn): Die Zahl 10,202 wurde als "
        "10/2020 gelesen; bitte prüfen (ein als MM.JJJJ getippter Monat wird in der Tabellenkalkulation leicht zur Zahl).",
    ]
    assert read_workbook(workbook_bytes(sample(), TODAY)).notes == []


# --- the owners' e-mail addresses (issue 28, point 2; the web import: tests/test_measure_list_web.py) --

ADDRESSES = "E-Mail der Verantwortlichen"


def test_a_list_has_the_address_column_only_when_asked():
    assert ADDRESSES not in HEADERS
    full = [c.value for c in book_of(workbook_bytes(sample(), TODAY, addresses=True))[SHEET_MEASURES][1]]
    assert full[full.index("Verantwortliche") + 1] == ADDRESSES
    hints = book_of(workbook_bytes(sample(), TODAY, addresses=True))[SHEET_HINTS]
    assert any(r[0].value == ADDRESSES for r in hints.iter_rows(min_row=2))


def test_addresses_are_read_onto_the_owners_line_by_line(tmp_path):
    text = (DATA / "sample.yaml").read_text(encoding="utf-8")
    source = tmp_path / "mit-adressen.yaml"
    source.write_text(
        text.replace(
            "{name: Andreas Heeke, role: support}", "{name: Andreas Heeke, role: support, email: h@a.example}"
        ),
        encoding="utf-8",
    )
    xlsx, back = tmp_path / "liste.xlsx", tmp_path / "zurueck.yaml"
    assert run("convert", source, "-o", xlsx, "--heute", "2026-11-30").exit_code == 0
    sheet = book_of(xlsx.read_bytes())[SHEET_MEASURES]
    headers = [c.value for c in sheet[1]]
    column = headers.index(ADDRESSES) + 1
    assert sheet.cell(row=2, column=column).value == "\nh@a.example"  # Annika Feldhues has none
    assert run("convert", xlsx, "-o", back).exit_code == 0
    owners = load_strategy(back.read_text(encoding="utf-8")).measures[0].owners
    assert [(o.name, o.email) for o in owners] == [("Annika Feldhues", None), ("Andreas Heeke", "h@a.example")]
    # an invalid address, named with row and column; nothing is read
    sheet.cell(row=2, column=column).value = "a.feldhues(at)kreis.example"
    with pytest.raises(WorkbookError) as refused:
        read_workbook(saved(sheet.parent))
    letter = get_column_letter(column)
    assert refused.value.problems == [
        f"Blatt „Maßnahmen“, Zeile 2, Spalte {letter} ({ADDRESSES}): „a.feldhues(at)kreis.example“ ist keine gültige "
        "E-Mail-Adresse (Form: name@amt.example)."
    ]
