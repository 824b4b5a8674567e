"""The Maßnahmenliste as an XLSX workbook people edit in Excel and hand back.

Sheets: „Maßnahmen“ (one row per measure, every Steckbrief field, a read-only column with
the schedule state today), „Strategie“ (organisation, title, months, vision, mission,
Leitsätze), „Hinweise“ (what each column means) and the hidden „Auswahllisten“ behind the
drop-downs.

Reading turns the workbook into strategy file data (`planner-strategy/1`), so the file's
schema and the domain checks apply unchanged; every problem is reported with sheet, row
and column. Values are read with `planner.domain.normalise` (months as MM/JJJJ, JJJJ-MM,
M/JJJJ, MM.JJJJ or an Excel date; scales and status in any case).

Formulas: every text is written as a text cell, so „=SUMME(…)“ typed into a title stays
text in Excel. A cell that holds a formula (or an error value) when read back is refused
with its sheet, row and column: planner takes no values Excel computed.
"""

from __future__ import annotations

import io
import math
import re
from copy import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain import normalise
from ..domain.catalogue import catalogue
from ..domain.german import make_key
from ..domain.months import Month
from ..domain.schedule_state import schedule_state
from ..domain.strategy import Measure, OwnerRole, Rating, Status, Strategy
from ..domain.validation import Problem, email_problem
from .schema import FORMAT_ID
from .spreadsheet import WorkbookError as UnreadableWorkbook
from .spreadsheet import last_filled_row, open_workbook, put_text
from .strategy_file import StrategyFileError, measure_to_dict, strategy_from_data

SHEET_MEASURES = "Maßnahmen"
SHEET_STRATEGY = "Strategie"
SHEET_HINTS = "Hinweise"
SHEET_LISTS = "Auswahllisten"
MAX_ROWS = 5000
VALIDATION_ROWS = 1000  # rows below the header that offer the drop-downs


@dataclass(frozen=True)
class Column:
    """One column of the Maßnahmen sheet: the file field, its heading, how cells are read, the hint."""

    key: str
    header: str
    kind: str
    hint: str


COLUMNS = [
    Column(
        "id",
        "ID",
        "code",
        "Kennung der Maßnahme; verbindet die Zeile beim Import mit der Maßnahme. Nicht ändern. Für eine neue "
        "Maßnahme leer lassen: planner bildet sie aus dem Titel.",
    ),
    Column("title", "Titel", "text", "Pflichtfeld."),
    Column("description", "Kurzbeschreibung", "text", "Freier Text."),
    Column("goal", "Ziel (SMART)", "text", "Freier Text."),
    Column("dimension", "Dimension", "code", "Pflichtfeld; eine der acht Dimensionen (Auswahlliste)."),
    Column("further_dimensions", "Weitere Dimensionen", "list", "Eine Dimension je Zeile (Alt+Eingabe)."),
    Column("subdimensions", "Subdimensionen", "list", "Eine Subdimension je Zeile (siehe Blatt Auswahllisten)."),
    Column("target_stage", "Zielstufe", "stage", "Angestrebte Reifegradstufe 0 bis 4, oder leer."),
    Column("urgency", "Dringlichkeit", "rating", "gering, gering/mittel, mittel, mittel/hoch, hoch; leer = unbekannt."),
    Column("feasibility", "Machbarkeit", "rating", "Wie Dringlichkeit; leer = unbekannt."),
    Column(
        "status",
        "Status",
        "status",
        "Backlog, geplant, in Umsetzung, abgeschlossen, fortlaufend oder verworfen (Groß-/Kleinschreibung egal).",
    ),
    Column("second_loop", "Zweite Schleife (*)", "bool", "ja, wenn in der zweiten Evaluationsschleife hinzugefügt."),
    Column(
        "owners",
        "Verantwortliche",
        "owners",
        "Eine Person oder Einheit je Zeile, Rolle in Klammern: „Annika Feldhues (Lead)“. Ohne Rolle: Lead.",
    ),
    Column(
        "owner_emails",
        "E-Mail der Verantwortlichen",
        "emails",
        "Freiwillig: je Verantwortlichem eine Zeile in derselben Reihenfolge, mit der E-Mail-Adresse für die "
        "Statusabfrage per Link und Erinnerungen (leere Zeile: keine Angabe; eine gespeicherte Adresse bleibt). "
        "Die Spalte steht nur in Listen für Personen, die die Strategie bearbeiten dürfen.",
    ),
    Column("actors", "Beteiligte Akteure", "list", "Ein Akteur je Zeile."),
    Column("requirements", "Anforderungen", "list", "Eine Anforderung je Zeile."),
    Column("start", "Beginn", "month", "Geplanter erster Monat als MM/JJJJ (auch JJJJ-MM, MM.JJJJ oder ein Datum)."),
    Column("end", "Ende", "month", "Geplanter letzter Monat; leer bei fortlaufenden Maßnahmen („ab …“)."),
    Column(
        "depends_on",
        "Abhängig von (IDs)",
        "ids",
        "IDs der Maßnahmen, die vorher umgesetzt sein müssen; eine je Zeile oder durch Komma getrennt.",
    ),
    Column("examples", "Praxisbeispiele", "list", "Ein Beispiel je Zeile."),
    Column("steps", "Operative Schritte", "list", "Ein Schritt je Zeile."),
    Column("budget", "Budget (EUR)", "number", "Betrag in Euro, z. B. 12500 oder 12.500,00; leer = keine Angabe."),
    Column("funding_call", "Förderaufruf", "code", "Z. B. „3. Förderaufruf“."),
    Column("deferrals", "Zurückgestellt (Anzahl)", "int", "Wie oft die Maßnahme in den Backlog verschoben wurde."),
    Column("actual_start", "Tatsächlicher Beginn", "month", "Monat, in dem die Maßnahme wirklich begann."),
    Column("actual_end", "Tatsächliches Ende", "month", "Monat, in dem sie wirklich endete."),
    Column(
        "schedule_state",
        "Stand heute (nur Anzeige)",
        "state",
        "Wo die Maßnahme heute steht, aus Status und Monaten berechnet. Wird beim Import nicht gelesen.",
    ),
]
BY_KEY = {c.key: c for c in COLUMNS}
ADDRESSES = "owner_emails"  # not a file field: the addresses of the owners in the column before


def written_columns(addresses: bool) -> list[Column]:
    """The columns of a written list: the owners' addresses only for who may edit (issue 28)."""
    return [c for c in COLUMNS if addresses or c.key != ADDRESSES]


STRATEGY_LABELS = [
    ("organisation", "Organisation"),
    ("title", "Titel"),
    ("version", "Version"),
    ("adopted", "Beschlossen (MM/JJJJ)"),
    ("window_from", "Fahrplan von (MM/JJJJ)"),
    ("window_to", "Fahrplan bis (MM/JJJJ)"),
    ("vision", "Vision-Statement"),
    ("mission", "Mission-Statement"),
    ("principle", "Leitsatz"),
]


class WorkbookError(ValueError):
    """A workbook that cannot be taken over; `problems` names sheet, row and column of each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _letter(index: int) -> str:
    return get_column_letter(index)


# --- writing --------------------------------------------------------------------------


def write_cell(kind: str, value: Any) -> Any:
    """The cell of one file value of the given column kind (the inverse of `read_cell`)."""
    if kind in ("list", "ids"):
        return "\n".join(value or [])
    if kind == "month":
        return Month.parse(value).german() if value else None
    if kind == "status":
        return Status(value).label
    if kind == "bool":
        return "ja" if value else "nein"
    if kind == "owners":
        return "\n".join(f"{o['name']} ({OwnerRole(o['role']).label})" for o in value or [])
    if kind == "emails":  # the owners; a line per owner, empty without an address
        return "\n".join(o.get("email") or "" for o in value or []).rstrip("\n") or None
    return value


def measure_cells(m: Measure, today: date) -> dict[str, Any]:
    """The cell values of one measure by column key."""
    data = measure_to_dict(m)
    data[ADDRESSES] = data["owners"]
    cells = {c.key: write_cell(c.kind, data.get(c.key)) for c in COLUMNS if c.kind != "state"}
    cells["schedule_state"] = schedule_state(m, today).text
    return cells


def _put(sheet, row: int, col: int, value: Any):
    """Write a value; text always as a text cell, so '=…', '+…', '-…', '@…' never become formulas."""
    cell = sheet.cell(row=row, column=col)
    if value is None or value == "":
        return cell
    return put_text(cell, value)


def _fit_widths(sheet, widths: dict[int, int], minimum: int = 8, maximum: int = 60) -> None:
    for col, width in widths.items():
        sheet.column_dimensions[_letter(col)].width = max(minimum, min(maximum, width + 2))


def _text_width(value: Any) -> int:
    return max((len(line) for line in str(value).splitlines()), default=0) if value is not None else 0


def _style_header(sheet, row: int = 1) -> None:
    for cell in sheet[row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E9EEF4")
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _lists_sheet(book) -> dict[str, str]:
    """The hidden sheet behind the drop-downs; returns the range formula of each list."""
    sheet = book.create_sheet(SHEET_LISTS)
    lists = {
        "dimension": catalogue().dimension_names,
        "rating": [r.value for r in Rating],
        "status": [s.label for s in Status],
        "subdimension": catalogue().subdimension_names,
    }
    ranges = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        sheet.cell(1, col).value = {
            "dimension": "Dimensionen",
            "rating": "Dringlichkeit / Machbarkeit",
            "status": "Status",
            "subdimension": "Subdimensionen",
        }[name]
        for row, value in enumerate(values, start=2):
            _put(sheet, row, col, value)
        letter = _letter(col)
        ranges[name] = f"'{SHEET_LISTS}'!${letter}$2:${letter}${len(values) + 1}"
    _style_header(sheet)
    _fit_widths(sheet, {c: max(_text_width(v) for v in vs) for c, vs in enumerate(lists.values(), start=1)})
    sheet.sheet_state = "hidden"
    return ranges


def _validations(sheet, ranges: dict[str, str], written: list[Column]) -> None:
    for key, list_name in (
        ("dimension", "dimension"),
        ("urgency", "rating"),
        ("feasibility", "rating"),
        ("status", "status"),
    ):
        col = _letter(written.index(BY_KEY[key]) + 1)
        dv = DataValidation(
            type="list",
            formula1=ranges[list_name],
            allow_blank=key != "dimension",
            showErrorMessage=True,
            errorTitle=BY_KEY[key].header,
            error="Bitte einen Wert aus der Liste wählen.",
        )
        dv.add(f"{col}2:{col}{VALIDATION_ROWS + 1}")
        sheet.add_data_validation(dv)


def _strategy_sheet(book, strategy: Strategy) -> None:
    sheet = book.create_sheet(SHEET_STRATEGY)
    sheet.append(["Feld", "Wert"])
    labels = dict(STRATEGY_LABELS)
    rows = [
        ("organisation", strategy.organisation),
        ("title", strategy.title),
        ("version", strategy.version),
        ("adopted", strategy.adopted.german() if strategy.adopted else None),
        ("window_from", strategy.window_start.german() if strategy.window_start else None),
        ("window_to", strategy.window_end.german() if strategy.window_end else None),
        ("vision", strategy.vision),
        ("mission", strategy.mission),
        *[("principle", p) for p in strategy.principles],
    ]
    for i, (key, value) in enumerate(rows, start=2):
        _put(sheet, i, 1, labels[key])
        _put(sheet, i, 2, value).alignment = Alignment(wrap_text=True, vertical="top")
    _style_header(sheet)
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100
    sheet.freeze_panes = "A2"


def _hints_sheet(book, written: list[Column]) -> None:
    sheet = book.create_sheet(SHEET_HINTS)
    sheet.append(["Spalte", "Bedeutung und erlaubte Werte"])
    for c in written:
        _put(sheet, sheet.max_row + 1, 1, c.header)
        _put(sheet, sheet.max_row, 2, c.hint)
    general = [
        (
            "Import",
            "Strategie › Maßnahmenliste importieren: Zeilen werden über die ID zugeordnet; vor dem Speichern "
            "zeigt planner jede Änderung Feld für Feld. Eine Datei mit Fehlern ändert nichts.",
        ),
        ("Listen", "Mehrere Einträge in einer Zelle: einer je Zeile (in Excel mit Alt+Eingabe)."),
        ("Monate", "MM/JJJJ wie 04/2025; JJJJ-MM, M/JJJJ, MM.JJJJ und Datumszellen werden ebenfalls gelesen."),
        (
            "Formeln",
            "planner liest keine Formeln: Eine Zelle mit Formel wird beim Import abgelehnt. Texte, die mit "
            "=, +, - oder @ beginnen, bleiben Text.",
        ),
        ("Blatt Strategie", "Organisation, Titel, Monate, Vision, Mission und je Leitsatz eine Zeile „Leitsatz“."),
    ]
    _put(sheet, sheet.max_row + 2, 1, "Allgemein")
    for label, text in general:
        _put(sheet, sheet.max_row + 1, 1, label)
        _put(sheet, sheet.max_row, 2, text)
    for row in sheet.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    _style_header(sheet)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100


def workbook_bytes(strategy: Strategy, today: date, addresses: bool = False) -> bytes:
    """The Maßnahmenliste of a strategy as XLSX bytes; `today` sets the schedule state column.
    `addresses`: with the column of the owners' e-mail addresses (only for who may edit; the
    owners carry them, services.strategies.with_owner_addresses)."""
    written = written_columns(addresses)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_MEASURES
    widths: dict[int, int] = {}
    for col, c in enumerate(written, start=1):
        _put(sheet, 1, col, c.header)
        widths[col] = len(c.header)
    # one styled cell per kind, copied (as openpyxl's own sheet copy does): setting a style on
    # each of 25,000 cells looks it up in the workbook's style lists every time
    plain, state = sheet.cell(row=2, column=1), sheet.cell(row=2, column=len(written))
    plain.alignment = state.alignment = Alignment(wrap_text=True, vertical="top")
    state.font = Font(italic=True, color="555555")
    styles = [copy(state._style if c.kind == "state" else plain._style) for c in written]
    for row, m in enumerate(strategy.measures, start=2):
        cells = measure_cells(m, today)
        for col, c in enumerate(written, start=1):
            cell = _put(sheet, row, col, cells[c.key])
            cell._style = copy(styles[col - 1])
            widths[col] = max(widths[col], _text_width(cells[c.key]))
    _style_header(sheet)
    _fit_widths(sheet, widths)
    sheet.freeze_panes = "C2"  # header and the id and title stay in view
    sheet.auto_filter.ref = f"A1:{_letter(len(written))}{max(2, len(strategy.measures) + 1)}"
    _validations(sheet, _lists_sheet(book), written)
    _strategy_sheet(book, strategy)
    _hints_sheet(book, written)
    book.move_sheet(SHEET_LISTS, offset=3)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading --------------------------------------------------------------------------


@dataclass
class WorkbookContent:
    """What a workbook holds, in strategy file form; `rows` maps a measure's index to its row."""

    organisation: str | None = None
    strategy: dict[str, Any] | None = None
    measures: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # column key → column number (1-based)
    strategy_rows: dict[str, int] = field(default_factory=dict)  # Strategie sheet: field → row
    # what was read but may not be what was meant (a month typed as 01.2027 that became the number 1.2027)
    notes: list[str] = field(default_factory=list)

    def file_data(self) -> dict[str, Any]:
        """The content as strategy file data (for `strategy_from_data`)."""
        return {
            "format": FORMAT_ID,
            "organisation": {"name": self.organisation or ""},
            "strategy": self.strategy or {"title": ""},
            "measures": self.measures,
        }

    def where(self, problem: Problem) -> str:
        """A file problem (measure, field) as sheet, row and column."""
        if problem.measure is None:
            return self._where_strategy(problem)
        field_name = (problem.field or "").split(".")[0]
        message = problem.message
        if not field_name and (required := re.fullmatch(r"Pflichtfeld „(\w+)“ fehlt\.", message)):
            field_name, message = required.group(1), "Die Zelle ist leer; das Feld ist Pflicht."
        index = next(
            (i for i, m in enumerate(self.measures) if problem.measure and m.get("id") == problem.measure), None
        )
        if index is None and problem.measure and problem.measure.startswith("Nr. "):
            number = problem.measure.removeprefix("Nr. ")
            index = int(number) - 1 if number.isdigit() else None
        if index is None:
            return str(problem)
        col = self.columns.get(field_name)
        place = f"Blatt „{SHEET_MEASURES}“, Zeile {self.rows[index]}"
        if col is not None:
            place += f", Spalte {_letter(col)} ({BY_KEY[field_name].header})"
        return f"{place}: {message}"

    _STRATEGY_FIELDS = {
        "organisation.name": "organisation",
        "strategy.title": "title",
        "strategy.version": "version",
        "strategy.adopted": "adopted",
        "strategy.roadmap_window": "window_from",
        "strategy.roadmap_window.from": "window_from",
        "strategy.roadmap_window.to": "window_to",
        "strategy.vision": "vision",
        "strategy.mission": "mission",
    }

    def _where_strategy(self, problem: Problem) -> str:
        key = self._STRATEGY_FIELDS.get(problem.field or "")
        if key is None:
            return str(problem)
        label = dict(STRATEGY_LABELS)[key]
        row = self.strategy_rows.get(key)
        where = f"Zeile {row}, Spalte B" if row else f"Zeile „{label}“ fehlt"
        return f"Blatt „{SHEET_STRATEGY}“, {where} ({label}): {problem.message}"


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split_lines(value: Any) -> list[str]:
    return [line.strip() for line in _cell_text(value).splitlines() if line.strip()] if value is not None else []


_YES = {"ja", "x", "true", "wahr", "1", "yes"}
_NO = {"nein", "false", "falsch", "0", "no", ""}


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace("€", "").replace("EUR", "").replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?|-?\d+(,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"„{value}“ ist kein Betrag (z. B. 12500 oder 12.500,00).")
    return number


def _whole(value: Any, low: int, high: int | None, what: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().lower().removeprefix("stufe").strip()
    if isinstance(value, bool) or not re.fullmatch(r"\d+", text) or int(text) < low or (high and int(text) > high):
        allowed = f"{low} bis {high}" if high is not None else f"eine ganze Zahl ab {low}"
        raise ValueError(f"„{value}“ ist {what} (erlaubt: {allowed}).")
    return int(text)


def number_read_as_month(value: Any, month: str | None) -> str | None:
    """The note for a month cell that holds a number: LibreOffice turns a typed 01.2027 into 1.2027."""
    if month is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return (
        f"Die Zahl {repr(value).replace('.', ',')} wurde als {Month.parse(month).german()} gelesen; "
        "bitte prüfen (ein als MM.JJJJ getippter Monat wird in der Tabellenkalkulation leicht zur Zahl)."
    )


def read_cell(kind: str, value: Any) -> Any:
    """The file form of one cell of the given column kind; ValueError in German when malformed."""
    empty = value is None or (isinstance(value, str) and not value.strip())
    if kind == "text":
        return "" if value is None else _cell_text(value)
    if kind == "code":
        return None if empty else _cell_text(value).strip()
    if kind == "list":
        return _split_lines(value)
    if kind == "ids":
        return [] if empty else [p for p in re.split(r"[\s,;]+", _cell_text(value)) if p]
    if kind == "month":
        month = normalise.month_value(None if empty else value)
        return str(month) if month else None
    if kind == "rating":
        rating = normalise.rating_value(None if empty else value)
        return rating.value if rating else None
    if kind == "status":
        return normalise.status_value(None if empty else value).value
    if kind == "bool":
        text = "" if value is None else str(value).strip().casefold()
        if value is True or text in _YES:
            return True
        if value is False or text in _NO:
            return False
        raise ValueError(f"„{value}“ ist weder ja noch nein.")
    if kind == "emails":  # a line per owner, in order; an empty line: no address given
        lines = [] if empty else [line.strip() for line in _cell_text(value).splitlines()]
        for line in lines:
            if line and (problem := email_problem(line)):
                raise ValueError(problem)
        return [line or None for line in lines]
    if kind == "owners":
        owners = []
        for line in _split_lines(value):
            name, role = normalise.owner_line(line)
            owners.append({"name": name, "role": role.value})
        return owners
    if kind == "stage":
        return None if empty else _whole(value, 0, 4, "keine Reifegradstufe")
    if kind == "int":
        return 0 if empty else _whole(value, 0, None, "keine Anzahl")
    if kind == "number":
        return None if empty else _number(value)
    raise AssertionError(kind)


def _checked_value(cell, sheet_name: str, row: int, col: int, header: str, problems: list[str]) -> Any:
    """The value of a cell, or a problem when it holds a formula or an error value."""
    if cell is None:
        return None
    place = f"Blatt „{sheet_name}“, Zeile {row}, Spalte {_letter(col)} ({header})"
    if getattr(cell, "data_type", None) == "f":
        problems.append(
            f"{place}: Die Zelle enthält eine Formel ({cell.value}); planner übernimmt keine Formeln. "
            "Bitte den Wert selbst eintragen (ein Text, der mit = beginnt, mit vorangestelltem Apostroph)."
        )
        return None
    if getattr(cell, "data_type", None) == "e":
        problems.append(f"{place}: Die Zelle enthält den Fehlerwert {cell.value}.")
        return None
    return cell.value


def _header_index(header: list[Any]) -> tuple[dict[str, int], list[str]]:
    wanted = {c.header.casefold(): c.key for c in COLUMNS}
    wanted.update({c.key.casefold(): c.key for c in COLUMNS})  # the file's field names work too
    columns: dict[str, int] = {}
    duplicates = []
    for i, text in enumerate(header, start=1):
        key = wanted.get(" ".join(str(text or "").split()).casefold())
        if key is None:
            continue
        if key in columns:
            duplicates.append(f"Blatt „{SHEET_MEASURES}“, Zeile 1: Die Spalte „{BY_KEY[key].header}“ steht zweimal da.")
        columns[key] = i
    return columns, duplicates


def _read_measures(sheet, content: WorkbookContent, problems: list[str]) -> None:
    rows = sheet.iter_rows(max_row=last_filled_row(sheet))  # trailing empty rows are never parsed
    header_cells = next(rows, None)
    if header_cells is None:
        problems.append(
            f"Blatt „{SHEET_MEASURES}“: Das Blatt ist leer; die erste Zeile muss die Spaltennamen enthalten."
        )
        return
    columns, duplicates = _header_index([c.value for c in header_cells])
    problems.extend(duplicates)
    missing = [BY_KEY[k].header for k in ("id", "title", "dimension") if k not in columns]
    if missing:
        problems.append(
            f"Blatt „{SHEET_MEASURES}“, Zeile 1: Es fehlen die Spalten {', '.join(f'„{m}“' for m in missing)}."
        )
        return
    content.columns = columns
    seen: dict[str, int] = {}
    addressed: dict[str, tuple[str, int]] = {}  # owner's name → (address, row) given first
    # read-only rows are tuples from column A, empty rows and cells filled in: count positions
    for row, cells in enumerate(rows, start=2):
        by_col = dict(enumerate(cells, start=1))
        if not any(by_col[c].value not in (None, "") for c in columns.values() if c in by_col):
            continue
        if len(content.measures) >= MAX_ROWS:
            problems.append(f"Blatt „{SHEET_MEASURES}“, Zeile {row}: Die Liste hat mehr als {MAX_ROWS} Maßnahmen.")
            break
        raw: dict[str, Any] = {}
        for key, col in columns.items():
            column = BY_KEY[key]
            if column.kind == "state":
                continue
            value = _checked_value(by_col.get(col), SHEET_MEASURES, row, col, column.header, problems)
            try:
                raw[key] = read_cell(column.kind, value)
                if column.kind == "month" and (note := number_read_as_month(value, raw[key])):
                    content.notes.append(
                        f"Blatt „{SHEET_MEASURES}“, Zeile {row}, Spalte {_letter(col)} ({column.header}): {note}"
                    )
            except ValueError as exc:
                problems.append(
                    f"Blatt „{SHEET_MEASURES}“, Zeile {row}, Spalte {_letter(col)} ({column.header}): {exc}"
                )
        if ADDRESSES in raw:
            _owner_addresses(raw, row, columns, addressed, problems)
        key = raw.get("id")
        if key:
            if key in seen:
                problems.append(
                    f"Blatt „{SHEET_MEASURES}“, Zeile {row}, Spalte {_letter(columns['id'])} (ID): Die ID „{key}“ "
                    f"steht schon in Zeile {seen[key]}."
                )
            seen.setdefault(key, row)
        for name in ("title", "dimension"):
            if raw.get(name) in (None, ""):
                raw.pop(name, None)  # reported by the schema as a missing required field, with row and column
        content.measures.append(raw)
        content.rows.append(row)


def _owner_addresses(
    raw: dict[str, Any], row: int, columns: dict[str, int], addressed: dict[str, tuple[str, int]], problems: list[str]
) -> None:
    """Move the row's addresses (a line per owner) onto its owners; a problem names row and column
    when there are more addresses than owners or one person has two addresses."""
    emails = raw.pop(ADDRESSES)
    if not any(emails):
        return
    place = f"Blatt „{SHEET_MEASURES}“, Zeile {row}, Spalte {_letter(columns[ADDRESSES])} ({BY_KEY[ADDRESSES].header})"
    owners = raw.get("owners")
    if owners is None:
        problems.append(f"{place}: Die Adressen gehören zu den Verantwortlichen; die Spalte „Verantwortliche“ fehlt.")
        return
    if any(emails[len(owners) :]):
        problems.append(
            f"{place}: {len(emails)} Zeilen, aber {len(owners)} Verantwortliche; je Verantwortlichem eine Zeile in "
            "derselben Reihenfolge."
        )
        return
    for owner, email in zip(owners, emails, strict=False):
        if not email:
            continue
        first = addressed.setdefault(owner["name"], (email, row))
        if first[0].casefold() != email.casefold():
            problems.append(
                f"{place}: „{owner['name']}“ hat in Zeile {first[1]} die Adresse „{first[0]}“; eine Person hat "
                "eine Adresse."
            )
        owner["email"] = email


def _read_strategy(sheet, content: WorkbookContent, problems: list[str]) -> None:
    by_label = {label.casefold(): key for key, label in STRATEGY_LABELS}
    by_label.update({label.split(" (")[0].casefold(): key for key, label in STRATEGY_LABELS})
    values: dict[str, Any] = {}
    principles: list[str] = []
    for row, cells in enumerate(sheet.iter_rows(min_row=2, max_row=last_filled_row(sheet)), start=2):
        if not cells or cells[0].value in (None, ""):
            continue
        label = " ".join(str(cells[0].value).split())
        key = by_label.get(label.casefold())
        if key is None:
            problems.append(f"Blatt „{SHEET_STRATEGY}“, Zeile {row}, Spalte A (Feld): Unbekanntes Feld „{label}“.")
            continue
        content.strategy_rows.setdefault(key, row)
        value = _checked_value(cells[1] if len(cells) > 1 else None, SHEET_STRATEGY, row, 2, "Wert", problems)
        try:
            if key in ("adopted", "window_from", "window_to"):
                month = normalise.month_value(value)
                values[key] = str(month) if month else None
                if note := number_read_as_month(value, values[key]):
                    content.notes.append(f"Blatt „{SHEET_STRATEGY}“, Zeile {row}, Spalte B (Wert): {note}")
            elif key == "principle":
                if value not in (None, ""):
                    principles.append(_cell_text(value))
            else:
                values[key] = "" if value is None else _cell_text(value)
        except ValueError as exc:
            problems.append(f"Blatt „{SHEET_STRATEGY}“, Zeile {row}, Spalte B (Wert): {exc}")
    content.organisation = (values.pop("organisation", "") or "").strip() or None
    strategy: dict[str, Any] = {"title": values.get("title", "")}
    strategy["version"] = values.get("version", "")
    strategy["adopted"] = values.get("adopted")
    if values.get("window_from") or values.get("window_to"):
        strategy["roadmap_window"] = {"from": values.get("window_from"), "to": values.get("window_to")}
    strategy.update(vision=values.get("vision", ""), mission=values.get("mission", ""), principles=principles)
    content.strategy = strategy


def read_workbook(data: bytes) -> WorkbookContent:
    """The measures (and the Strategie sheet) of a Maßnahmenliste; raises WorkbookError naming every problem."""
    try:
        book = open_workbook(data, formulas=True)
    except UnreadableWorkbook as exc:
        raise WorkbookError([str(exc)]) from None
    problems: list[str] = []
    content = WorkbookContent()
    try:
        names = {name.casefold(): name for name in book.sheetnames}
        if SHEET_MEASURES.casefold() not in names:
            raise WorkbookError(
                [f"Die Arbeitsmappe hat kein Blatt „{SHEET_MEASURES}“ (gefunden: {', '.join(book.sheetnames)})."]
            )
        _read_measures(book[names[SHEET_MEASURES.casefold()]], content, problems)
        if SHEET_STRATEGY.casefold() in names:
            _read_strategy(book[names[SHEET_STRATEGY.casefold()]], content, problems)
    except WorkbookError:
        raise
    except Exception:  # a damaged part found while reading rows
        raise WorkbookError(["Die Arbeitsmappe ist beschädigt und nicht lesbar."]) from None
    finally:
        book.close()
    if problems:
        raise WorkbookError(problems)
    return content


def assign_keys(content: WorkbookContent, taken: set[str]) -> None:
    """Give rows without an ID one made from their title (a new measure typed into the list)."""
    used = set(taken) | {m["id"] for m in content.measures if m.get("id")}
    for m in content.measures:
        if not m.get("id") and m.get("title"):
            m["id"] = make_key(str(m["title"]), used)
            used.add(m["id"])


def strategy_from_workbook(data: bytes) -> Strategy:
    """A whole strategy from a workbook with both sheets (for `planner convert`); raises WorkbookError."""
    content = read_workbook(data)
    if content.strategy is None:
        raise WorkbookError([f"Die Arbeitsmappe hat kein Blatt „{SHEET_STRATEGY}“ mit Organisation und Titel."])
    assign_keys(content, set())
    try:
        return strategy_from_data(content.file_data())
    except StrategyFileError as exc:
        raise WorkbookError(list(dict.fromkeys(content.where(p) for p in exc.problems))) from None
