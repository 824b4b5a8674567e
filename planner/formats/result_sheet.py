"""The result sheet in the form of Peine's "Anlage 1 Ergebnis der Reifegradmessung":
subdimensions × stages 0–4 with X marks, the subdimension level and the dimension level.
Rows here; XLSX (openpyxl) and PDF (WeasyPrint) from them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..domain.catalogue import Dimension, catalogue
from ..domain.german import german_date, number
from ..domain.maturity import Assessment, AssessmentKind, Level, level_label
from .spreadsheet import text_only

TITLE = "Digitales Gesundheitsamt 2025"
SUBTITLE = "Anlage 1 Ergebnis der Reifegradmessung"


@dataclass(frozen=True)
class SheetRow:
    """One subdimension line of the sheet; the dimension cells span `span` lines from the first."""

    dimension: Dimension
    first: bool
    span: int
    subdimension: str
    marks: tuple[bool, ...]
    level: str
    dimension_level: str


def _shown(levels: dict[str, Level], name: str) -> str:
    return level_label(levels[name]) if name in levels else "k. A."


def sheet_rows(assessment: Assessment) -> list[SheetRow]:
    """Every subdimension in the model's order with its X marks and levels."""
    subs = assessment.subdimension_levels()
    dims = assessment.dimension_levels()
    marked = assessment.met_stages()
    stages = catalogue().stages
    rows = []
    for dim in catalogue().dimensions:
        for i, sub in enumerate(dim.subdimensions):
            met = marked.get(sub, frozenset())
            rows.append(
                SheetRow(
                    dimension=dim,
                    first=i == 0,
                    span=len(dim.subdimensions),
                    subdimension=sub,
                    marks=tuple(s in met for s in stages),
                    level=_shown(subs, sub),
                    dimension_level=_shown(dims, dim.name),
                )
            )
    return rows


def legend(assessment: Assessment) -> list[str]:
    """The footnotes under the table, honest about what X means for this kind of assessment."""
    percent = number(assessment.effective_threshold * 100, decimals=3)
    lines = [f"X: Mind. {percent} % der beeinflussbaren Kriterien erreicht"]
    if assessment.kind is AssessmentKind.RESULT_SHEET:
        lines.append(
            "Ergebnisblatt: erfasst ist nur die Stufe je Subdimension; X steht für die Stufen 0 bis zu dieser Stufe."
        )
    lines.append("– : Stufe 0 nicht erreicht · k. A.: keine Angabe · Dimension = niedrigste Stufe ihrer Subdimensionen")
    return lines


def footer(organisation: str, assessment: Assessment) -> str:
    return f"{organisation}, Zeitpunkt der Datenübermittlung: {german_date(assessment.date)}"


def _cell_value(label: str) -> int | str:
    """Stages as numbers, so Excel can count them; "–" and "k. A." stay text."""
    return int(label) if label.isdigit() else label


def sheet_xlsx(organisation: str, assessment: Assessment) -> bytes:
    """The sheet as an Excel workbook laid out like Peine's Anlage 1."""

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="D9E2EC")
    mark_fill = PatternFill("solid", fgColor="C8E6C9")
    stages = catalogue().stages
    book = Workbook()
    ws = book.active
    ws.title = "Anlage 1"
    last_col = 2 + len(stages) + 2
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = SUBTITLE
    ws["A2"].font = Font(bold=True, size=12)
    ws.append([])
    ws.append(["Dimension", "Subdimension", "Stufe", *[""] * (len(stages) - 1), "Subdimension", "Dimension"])
    ws.append(["", "", *stages, "", ""])
    head_top, head_bottom = 4, 5
    ws.merge_cells(start_row=head_top, start_column=3, end_row=head_top, end_column=2 + len(stages))
    for col in (1, 2, last_col - 1, last_col):
        ws.merge_cells(start_row=head_top, start_column=col, end_row=head_bottom, end_column=col)
    for row in ws.iter_rows(min_row=head_top, max_row=head_bottom, max_col=last_col):
        for cell in row:
            cell.font = Font(bold=True)
            cell.fill = head_fill
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    r = head_bottom + 1
    for row in sheet_rows(assessment):
        ws.cell(r, 1, row.dimension.name if row.first else None).font = Font(bold=True)
        ws.cell(r, 2, row.subdimension)
        for j, mark in enumerate(row.marks):
            cell = ws.cell(r, 3 + j, "X" if mark else None)
            if mark:
                cell.fill = mark_fill
        ws.cell(r, last_col - 1, _cell_value(row.level))
        ws.cell(r, last_col, _cell_value(row.dimension_level) if row.first else None)
        for col in range(1, last_col + 1):
            cell = ws.cell(r, col)
            cell.border = border
            cell.alignment = Alignment(
                horizontal="left" if col <= 2 else "center", vertical="center", wrap_text=col <= 2
            )
        if row.first and row.span > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r + row.span - 1, end_column=1)
            ws.merge_cells(start_row=r, start_column=last_col, end_row=r + row.span - 1, end_column=last_col)
        ws.cell(r, last_col).font = Font(bold=True)
        r += 1
    r += 1
    lines = [*legend(assessment), None, footer(organisation, assessment)]
    if assessment.note:
        lines.append(assessment.note)
    for line in lines:
        if line is not None:
            # across the table's width and wrapped, so long notes stay on the printed page
            ws.cell(r, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last_col)
            if len(line) > 110:
                ws.row_dimensions[r].height = 30
        r += 1
    widths = {1: 28, 2: 46, last_col - 1: 14, last_col: 12}
    for col in range(1, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(col, 6)
    ws.freeze_panes = ws.cell(head_bottom + 1, 3)
    # printed like the source: one portrait A4 page (fitToWidth alone is ignored without fitToPage)
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.print_area = f"A1:{get_column_letter(last_col)}{ws.max_row}"
    text_only(book)  # the organisation's name and the note are user text: never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
