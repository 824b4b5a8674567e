"""The Statusabfrage as a workbook for owners who answer by mail: one line per measure with what is
known and empty columns to fill in. User text is written as text, never as a formula."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.german import german_date
from ..domain.schedule_state import schedule_state
from ..domain.strategy import Measure, Status
from ..domain.verstetigung import TrackedStrategy
from .spreadsheet import put_text

HEADERS = (
    "Maßnahme",
    "Verantwortlich",
    "Geplant",
    "Zeitstand",
    "Status bisher",
    "Tatsächlicher Beginn bisher",
    "Tatsächliches Ende bisher",
    "Letzter Stand",
    "Status neu",
    "Tatsächlicher Beginn (MM/JJJJ)",
    "Tatsächliches Ende (MM/JJJJ)",
    "Stand (kurze Notiz)",
)
ANSWER_COLUMNS = 4  # the last columns are for the owner's answer


@dataclass(frozen=True)
class Line:
    """One measure of the status round as the print page and the workbook show it."""

    key: str
    title: str
    owners: str
    planned: str
    state: str
    status: str
    actual_start: str
    actual_end: str
    last_note: str


def lines(strategy: TrackedStrategy, measures: list[Measure], today: date) -> list[Line]:
    """The lines of a status round; the last "Stand" is the newest note of the status history."""
    out = []
    for m in measures:
        notes = [c for c in strategy.status_history.get(m.key, []) if c.note]
        last = notes[-1] if notes else None
        out.append(
            Line(
                m.key,
                m.title,
                ", ".join(f"{o.name} ({o.role.label})" for o in m.owners),
                m.planned_range or "ohne Termin",
                schedule_state(m, today).text,
                m.status.label,
                m.actual_start.german() if m.actual_start else "",
                m.actual_end.german() if m.actual_end else "",
                f"{german_date(last.changed)}: {last.note}" if last else "",
            )
        )
    return out


def to_xlsx(title: str, subtitle: str, rows: list[Line]) -> bytes:
    """The status round as XLSX: a heading, the lines, a status list to pick from in the answer column."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Statusabfrage"
    put_text(sheet.cell(1, 1), title)
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    put_text(sheet.cell(2, 1), subtitle)
    head = 4
    bold, grey, answer = Font(bold=True), PatternFill("solid", fgColor="E9EEF4"), PatternFill("solid", fgColor="FFF7D6")
    for col, name in enumerate(HEADERS, start=1):
        cell = sheet.cell(head, col)
        put_text(cell, name)
        cell.font = bold
        cell.fill = answer if col > len(HEADERS) - ANSWER_COLUMNS else grey
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, line in enumerate(rows, start=head + 1):
        values = (
            line.title,
            line.owners,
            line.planned,
            line.state,
            line.status,
            line.actual_start,
            line.actual_end,
            line.last_note,
        )
        for col, value in enumerate(values, start=1):
            put_text(sheet.cell(i, col), value)
            sheet.cell(i, col).alignment = Alignment(wrap_text=True, vertical="top")
        for col in range(len(values) + 1, len(HEADERS) + 1):
            sheet.cell(i, col).fill = answer
    labels = ",".join(s.label for s in Status)
    status_list = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
    status_list.error = "Bitte einen Status aus der Liste wählen."
    sheet.add_data_validation(status_list)
    if rows:
        column = get_column_letter(len(HEADERS) - ANSWER_COLUMNS + 1)
        status_list.add(f"{column}{head + 1}:{column}{head + len(rows)}")
    for col, width in enumerate((44, 30, 18, 30, 14, 12, 12, 40, 16, 14, 14, 44), start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = sheet.cell(head + 1, 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
