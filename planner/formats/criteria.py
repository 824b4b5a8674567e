"""Criteria catalogue files (CSV or XLSX): import all-or-nothing, templates, the built-in sample.

Columns (first row, any order, case ignored): Subdimension, Stufe, Kriterium, optional Hinweis.
A file with any faulty line is refused whole; every problem names its line ("Zeile 7: …").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ..domain.catalogue import catalogue
from ..domain.maturity import Criterion
from ..domain.validation import MAX_TEXT
from .spreadsheet import (
    NOT_A_WORKBOOK,
    CsvFileError,
    WorkbookError,
    csv_escape,
    csv_unescape,
    open_workbook,
    read_csv,
    sheet_rows,
    text_only,
)

SAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "kriterien-beispiel.csv"
HEADERS = ("Subdimension", "Stufe", "Kriterium", "Hinweis")
REQUIRED = HEADERS[:3]
MAX_ROWS = 5000
MAX_COLUMNS = 50  # columns read of a worksheet: the four named ones stand among the first


def _text(value: object) -> object:
    """A CSV cell as read: without the apostrophe our own CSV export puts before a formula sign."""
    return csv_unescape(value) if isinstance(value, str) else value


class CriteriaFileError(ValueError):
    """A criteria file that cannot be taken over; `problems` lists every reason in German."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _stage(value: object) -> int | None:
    """3, 3.0, "3" or "Stufe 3" -> 3; None when not a stage."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        value = int(value)
    text = str(value).strip().lower().removeprefix("stufe").strip()
    if text.isdigit() and int(text) in catalogue().stages:
        return int(text)
    return None


def criteria_from_rows(rows: Iterable[tuple[int, list[object]]]) -> list[Criterion]:
    """Criteria from (line number, cells) pairs, the first pair being the header."""
    rows = iter(rows)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise CriteriaFileError(["Die Datei ist leer."]) from None
    names = [str(h or "").strip().casefold() for h in header]
    columns = {}
    for wanted in HEADERS:
        if wanted.casefold() in names:
            columns[wanted] = names.index(wanted.casefold())
    missing = [h for h in REQUIRED if h not in columns]
    if missing:
        found = ", ".join(f"„{str(h).strip()}“" for h in header if str(h or "").strip()) or "keine"
        raise CriteriaFileError(
            [
                f"Zeile {header_line}: Spalte „{m}“ fehlt (gefunden: {found}). Die erste Zeile muss die Spaltennamen "
                f"{', '.join(REQUIRED)} enthalten."
                for m in missing
            ]
        )
    cat = catalogue()
    problems: list[str] = []
    criteria: list[Criterion] = []
    seen: dict[tuple[str, int, str], int] = {}

    def cell(cells: list[object], name: str) -> object:
        i = columns.get(name)
        return cells[i] if i is not None and i < len(cells) and cells[i] is not None else ""

    for line, cells in rows:
        if not any(str(c or "").strip() for c in cells):
            continue
        if len(criteria) + len(problems) >= MAX_ROWS:
            problems.append(f"Zeile {line}: Die Datei hat mehr als {MAX_ROWS} Kriterien.")
            break
        raw_sub = str(cell(cells, "Subdimension")).strip()
        raw_stage = cell(cells, "Stufe")
        text = " ".join(str(cell(cells, "Kriterium")).split())
        note = str(cell(cells, "Hinweis")).strip()
        sub = cat.canonical_subdimension(raw_sub) if raw_sub else None
        stage = _stage(raw_stage)
        line_problems = []
        if not raw_sub:
            line_problems.append("Die Subdimension fehlt.")
        elif sub is None:
            line_problems.append(f"Unbekannte Subdimension „{raw_sub}“.")
        if stage is None:
            shown = str(raw_stage).strip()
            line_problems.append(f"„{shown}“ ist keine Stufe (erlaubt: 0 bis 4)." if shown else "Die Stufe fehlt.")
        if not text:
            line_problems.append("Der Text des Kriteriums fehlt.")
        for label, value in (("Der Text des Kriteriums", text), ("Der Hinweis", note)):
            if len(value) > MAX_TEXT:
                line_problems.append(
                    f"{label} ist zu lang: höchstens {MAX_TEXT:_} Zeichen, hier {len(value):_}.".replace("_", ".")
                )
        if line_problems:
            problems.extend(f"Zeile {line}: {p}" for p in line_problems)
            continue
        key = (sub, stage, text.casefold())
        if key in seen:
            problems.append(f"Zeile {line}: Das Kriterium steht schon in Zeile {seen[key]} ({sub}, Stufe {stage}).")
            continue
        seen[key] = line
        criteria.append(Criterion(sub, stage, text, note))
    if problems:
        raise CriteriaFileError(problems)
    if not criteria:
        raise CriteriaFileError(["Die Datei enthält keine Kriterien (nur die Kopfzeile)."])
    return criteria


def parse_csv(data: bytes) -> list[Criterion]:
    """Criteria from a CSV file (separator ; , or tab; UTF-8 or Windows-1252)."""
    try:
        return read_csv(data, criteria_from_rows)
    except CsvFileError as exc:
        raise CriteriaFileError([str(exc)]) from None


def parse_xlsx(data: bytes) -> list[Criterion]:
    """Criteria from the first worksheet of an XLSX file."""
    try:
        book = open_workbook(data)
    except WorkbookError as exc:
        raise CriteriaFileError([str(exc)]) from None
    try:
        if not book.worksheets:
            raise CriteriaFileError([NOT_A_WORKBOOK])
        rows = sheet_rows(book.worksheets[0], max_col=MAX_COLUMNS, max_row=MAX_ROWS * 20)
        return criteria_from_rows(rows)  # cells are typed: text stays text, no apostrophe to remove
    except WorkbookError as exc:
        raise CriteriaFileError([str(exc)]) from None
    finally:
        book.close()


def parse_criteria_file(filename: str, data: bytes) -> list[Criterion]:
    """CSV or XLSX by file name."""
    if filename.lower().endswith(".xlsx"):
        return parse_xlsx(data)
    if filename.lower().endswith((".csv", ".txt")):
        return parse_csv(data)
    raise CriteriaFileError(["Bitte eine CSV- oder XLSX-Datei hochladen."])


@cache
def sample_criteria() -> tuple[Criterion, ...]:
    """The built-in sample: the example criteria for Interaktion and Präferenzen from the Peine slides."""
    return tuple(parse_csv(SAMPLE_FILE.read_bytes()))


def criteria_to_csv(criteria: Iterable[Criterion]) -> bytes:
    """A catalogue as CSV (semicolons, UTF-8 with BOM so Excel shows umlauts)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for c in criteria:
        writer.writerow([csv_escape(v) for v in (c.subdimension, c.stage, c.text, c.note)])
    return out.getvalue().encode("utf-8-sig")


def criteria_to_xlsx(criteria: Iterable[Criterion]) -> bytes:
    """A catalogue as XLSX: the criteria sheet plus a sheet with the valid subdimensions."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Kriterien"
    sheet.append(list(HEADERS))
    for c in criteria:
        sheet.append([c.subdimension, c.stage, c.text, c.note])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E9EEF4")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
    for col, width in zip("ABCD", (42, 8, 100, 40), strict=True):
        sheet.column_dimensions[col].width = width
    for row in sheet.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    ref = book.create_sheet("Subdimensionen")
    ref.append(["Dimension", "Subdimension"])
    for cell in ref[1]:
        cell.font = bold
        cell.fill = fill
    for dim in catalogue().dimensions:
        for sub in dim.subdimensions:
            ref.append([dim.name, sub])
    ref.column_dimensions["A"].width = 36
    ref.column_dimensions["B"].width = 52
    ref.append([])
    ref.append(["Stufen", "0 bis 4; Stufe 3 ist die Mindestanforderung „Digitales Gesundheitsamt 2025“."])
    text_only(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
