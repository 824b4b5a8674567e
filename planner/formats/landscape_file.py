"""Applikationslandkarte files (CSV or XLSX): import all or nothing, template and export.

Columns (first row, any order, case ignored): Anwendung, Hersteller, Aufgabe, Betrieb,
Schnittstellen (names separated by ";"), Stand. A file with any faulty line is refused
whole; every problem names its line ("Zeile 7: …"). Our own export reads back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ..domain.landscape import (
    OPERATION_LABELS,
    STATE_LABELS,
    Application,
    application_problems,
    operation_value,
    split_interfaces,
    state_value,
)
from .spreadsheet import (
    NOT_A_WORKBOOK,
    CsvFileError,
    WorkbookError,
    csv_escape,
    open_workbook,
    read_csv,
    sheet_rows,
    text_only,
    text_row,
)

HEADERS = ("Anwendung", "Hersteller", "Aufgabe", "Betrieb", "Schnittstellen", "Stand")
MAX_ROWS = 2000
MAX_COLUMNS = 30


class LandscapeFileError(ValueError):
    """A landscape file that cannot be taken over; `problems` lists every reason in German."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def applications_from_rows(rows: Iterable[tuple[int, list[object]]]) -> list[Application]:
    """Applications from (line number, cells) rows, the first being the header; all or nothing."""
    rows = iter(rows)
    header_line, header = next(rows, (0, []))
    names = [_cell(h).lower() for h in header]
    columns = {h: names.index(h.lower()) for h in HEADERS if h.lower() in names}
    if "Anwendung" not in columns:
        raise LandscapeFileError(
            [
                f"Zeile {header_line or 1}: Die Kopfzeile braucht die Spalte „Anwendung“ (erwartet: {', '.join(HEADERS)})."
            ]
        )
    problems: list[str] = []
    found: list[Application] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        if line > MAX_ROWS + 1:
            problems.append(f"Die Datei hat mehr als {MAX_ROWS} Anwendungen.")
            break

        if not any(_cell(c) for c in cells):
            continue
        values = {name: _cell(cells[i]) if i < len(cells) else "" for name, i in columns.items()}

        def get(name: str, values: dict[str, str] = values) -> str:
            return values.get(name, "")

        operation_text, state_text = get("Betrieb"), get("Stand")
        operation = operation_value(operation_text) if operation_text else "on_premise"
        state = state_value(state_text) if state_text else "im_einsatz"
        app = Application(
            get("Anwendung"),
            get("Hersteller"),
            get("Aufgabe"),
            operation or "on_premise",
            split_interfaces(get("Schnittstellen")),
            state or "im_einsatz",
        )
        here = []
        if operation is None:
            here.append(
                f"Betrieb „{operation_text[:60]}“ ist unbekannt; erlaubt: {', '.join(OPERATION_LABELS.values())}."
            )
        if state is None:
            here.append(f"Stand „{state_text[:60]}“ ist unbekannt; erlaubt: {', '.join(STATE_LABELS.values())}.")
        here += application_problems(app)
        if app.name and (first := seen.get(app.name.lower())):
            here.append(f"Die Anwendung „{app.name[:60]}“ steht schon in Zeile {first}.")
        seen.setdefault(app.name.lower(), line)
        problems += [f"Zeile {line}: {p}" for p in here]
        found.append(app)
    if problems:
        raise LandscapeFileError(problems)
    if not found:
        raise LandscapeFileError(["Die Datei enthält keine Anwendungen (nur die Kopfzeile)."])
    return found


def parse_csv(data: bytes) -> list[Application]:
    """Applications from a CSV file (separator ; , or tab; UTF-8 or Windows-1252)."""
    try:
        return read_csv(data, applications_from_rows)
    except CsvFileError as exc:
        raise LandscapeFileError([str(exc)]) from None


def parse_xlsx(data: bytes) -> list[Application]:
    """Applications from the first worksheet of an XLSX file."""
    try:
        book = open_workbook(data)
    except WorkbookError as exc:
        raise LandscapeFileError([str(exc)]) from None
    try:
        if not book.worksheets:
            raise LandscapeFileError([NOT_A_WORKBOOK])
        return applications_from_rows(sheet_rows(book.worksheets[0], max_col=MAX_COLUMNS, max_row=MAX_ROWS + 50))
    except WorkbookError as exc:
        raise LandscapeFileError([str(exc)]) from None
    finally:
        book.close()


def parse_landscape_file(filename: str, data: bytes) -> list[Application]:
    """CSV or XLSX by file name."""
    if filename.lower().endswith(".xlsx"):
        return parse_xlsx(data)
    if filename.lower().endswith((".csv", ".txt")):
        return parse_csv(data)
    raise LandscapeFileError(["Bitte eine CSV- oder XLSX-Datei hochladen."])


def _values(app: Application) -> list[str]:
    return [app.name, app.vendor, app.task_area, app.operation_label, "; ".join(app.interfaces), app.state_label]


EXAMPLE = Application(
    "Beispiel-Fachverfahren", "Beispiel Software GmbH", "Infektionsschutz", "rechenzentrum", ["DEMIS"]
)


def landscape_to_csv(apps: Iterable[Application]) -> bytes:
    """The landscape as CSV (semicolons, UTF-8 with BOM so Excel shows umlauts)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for app in apps:
        writer.writerow([csv_escape(v) for v in _values(app)])
    return out.getvalue().encode("utf-8-sig")


def landscape_to_xlsx(apps: Iterable[Application]) -> bytes:
    """The landscape as XLSX (the import template when empty: one example line), with the allowed values."""
    apps = list(apps)
    book = Workbook()
    sheet = book.active
    sheet.title = "Anwendungen"
    sheet.append(list(HEADERS))
    for app in apps or [EXAMPLE]:
        sheet.append(text_row(_values(app)))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E9EEF4")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    for col, width in zip("ABCDEF", (34, 30, 30, 18, 40, 16), strict=True):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet("Hinweise")
    help_sheet.append(["Spalte", "Erlaubte Werte"])
    help_sheet.append(["Betrieb", ", ".join(OPERATION_LABELS.values())])
    help_sheet.append(["Stand", ", ".join(STATE_LABELS.values())])
    help_sheet.append(["Schnittstellen", "Namen anderer Anwendungen, durch Semikolon getrennt"])
    help_sheet.append(["Import", "Anwendungen werden über ihren Namen zugeordnet: vorhandene geändert, neue angelegt."])
    for cell in help_sheet[1]:
        cell.font, cell.fill = bold, fill
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["B"].width = 90
    text_only(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
