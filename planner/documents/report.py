"""A report as plain data — sections of paragraphs, figures (PNG charts) and tables — and its
three renderings: Word (python-docx), PDF (WeasyPrint, templates/documents/report_pdf.html) and
a workbook (one sheet per table, openpyxl; figures are left out, their tables carry the figures). The Landesbericht (documents/landesbericht.py) and the exports of the Land
pages (funding, atlas, landscape) are built this way, so a table reads the same in every format.

Cells are text or numbers (int/float, shown German and kept as numbers in the workbook) or None
(empty). User text never becomes a formula in the workbook (`spreadsheet.text_only`).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..domain.german import german_date, money
from ..domain.validation import one_line, writable

Cell = str | int | float | None


@dataclass(frozen=True)
class Money:
    """An amount in euros: shown as „1.005.706 €“, a number in the workbook."""

    value: float


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Cell | Money]] = field(default_factory=list)
    empty: str = "Keine Einträge."  # shown instead of an empty table


@dataclass(frozen=True)
class Figure:
    """A chart as PNG with its caption and its alternative text (Word and PDF; the workbook has
    the table with the same figures)."""

    caption: str
    description: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Section:
    """One topic of a report: a heading, paragraphs, figures, tables."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    today: date
    sections: list[Section]


def cell_text(value: Cell | Money) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return money(value.value)
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return writable(str(value))


def is_number(value: Cell | Money) -> bool:
    return isinstance(value, (int, float, Money)) and not isinstance(value, bool)


# --- Word -------------------------------------------------------------------------------------


def _header_row(table) -> None:
    """Mark the first row as the header (repeats on every page; read as header by screen readers)."""
    row = table.rows[0]
    props = row._tr.get_or_add_trPr()
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    props.append(mark)
    for cell in row.cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True


def report_docx(report: Report) -> bytes:
    """The report as an editable Word file: real headings, tables with header rows, landscape A4."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.6))
    doc.styles["Normal"].font.size = Pt(9)
    doc.core_properties.title = one_line(report.title)
    doc.core_properties.language = "de-DE"
    doc.add_heading(one_line(report.title), level=0)
    doc.add_paragraph(writable(report.subtitle))
    footer = section.footer.paragraphs[0]
    footer.text = f"{one_line(report.title)} – Stand {german_date(report.today)}"
    footer.style.font.size = Pt(7)
    for s in report.sections:
        doc.add_heading(one_line(s.title), level=1)
        for text in s.paragraphs:
            doc.add_paragraph(writable(text))
        for f in s.figures:
            picture = doc.add_picture(io.BytesIO(f.png), width=Cm(24))
            picture._inline.docPr.set("descr", writable(f.description))  # the alternative text
            doc.add_paragraph(writable(f.caption), style="Caption")
        for t in s.tables:
            doc.add_heading(one_line(t.caption), level=2)
            if not t.rows:
                doc.add_paragraph(t.empty)
                continue
            table = doc.add_table(rows=1 + len(t.rows), cols=len(t.columns))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            cells = table._cells  # row-major; much faster than table.cell(r, c) for large tables
            width = len(t.columns)
            for c, name in enumerate(t.columns):
                cells[c].text = one_line(name)
            for r, row in enumerate(t.rows, start=1):
                for c, value in enumerate(row):
                    cells[r * width + c].text = cell_text(value)
            _header_row(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- workbook ---------------------------------------------------------------------------------

HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="D9E2EC")


def _sheet_title(text: str, taken: set[str]) -> str:
    base = "".join(ch for ch in one_line(text) if ch not in "[]:*?/\\")[:28].strip() or "Tabelle"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:25]} {n}", n + 1
    taken.add(name)
    return name


MAX_CELL = 32767  # characters a worksheet cell holds


def _safe(ws, value):
    """A value for a write-only row: text that a worksheet would read as a formula stays text; text
    longer than a cell holds is cut (with „…“)."""
    if isinstance(value, str) and len(value) > MAX_CELL:
        value = value[: MAX_CELL - 1] + "…"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and len(value) > 1:
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    return value


def tables_workbook(title: str, subtitle: str, tables: Sequence[Table]) -> bytes:
    """One sheet per table: title, subtitle, header row (filter, frozen), the rows; numbers stay
    numbers, amounts get a euro format. Written row by row (openpyxl's write-only mode): 24,000
    rows in a few seconds."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    for t in tables or [Table("Tabelle", [""])]:
        ws = book.create_sheet(_sheet_title(t.caption, taken))
        for i in range(1, len(t.columns) + 1):
            ws.column_dimensions[get_column_letter(i)].width = 34 if i == 1 else 16
        head = 4
        ws.freeze_panes = f"B{head + 1}"
        ws.auto_filter.ref = f"A{head}:{get_column_letter(max(len(t.columns), 1))}{head + len(t.rows)}"
        heading = WriteOnlyCell(ws, one_line(title))
        heading.font = Font(bold=True, size=13)
        ws.append([heading])
        ws.append([_safe(ws, writable(f"{t.caption} – {subtitle}"))])
        ws.append([])
        cells = []
        for name in t.columns:
            cell = WriteOnlyCell(ws, one_line(name))
            cell.font, cell.fill = HEAD, HEAD_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        ws.append(cells)
        for row in t.rows:
            out = []
            for v in row:
                if isinstance(v, Money):
                    cell = WriteOnlyCell(ws, v.value)
                    cell.number_format = '#,##0.00 "€"'
                    out.append(cell)
                elif is_number(v) or v is None:
                    out.append(v)
                else:
                    out.append(_safe(ws, cell_text(v)))
            ws.append(out)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
