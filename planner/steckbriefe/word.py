"""Steckbriefe as an editable Word file (python-docx): the same views as the PDF.

Real headings (Überschrift 1/2 → navigation pane and Word's own table of contents), tables for
the facts and the Verantwortliche, lists for everything listed; a footer with the generation
date and page numbers as fields.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Inches, Pt, RGBColor

from ..domain.strategy import ENGLISH_TERMS
from ..domain.validation import writable
from .context import BundleView, Link, SheetView


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the page."""
    run = paragraph.add_run()
    for tag, attrs in (
        ("w:fldChar", {"w:fldCharType": "begin"}),
        ("w:instrText", None),
        ("w:fldChar", {"w:fldCharType": "separate"}),
    ):
        el = OxmlElement(tag)
        if attrs:
            for k, v in attrs.items():
                el.set(qn(k), v)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        run._r.append(el)
    run = paragraph.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _shade(cell, hex_colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), hex_colour.lstrip("#").upper())
    cell._tc.get_or_add_tcPr().append(shading)


def _setup(doc, bundle: BundleView) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(2)
    # compact headings: a Steckbrief should fit on one page in Word as well
    for name, size, before in (("Heading 1", 15, 0), ("Heading 2", 10.5, 7), ("Heading 3", 9.5, 3)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(1)
    for name in ("List Bullet", "List Number"):
        doc.styles[name].paragraph_format.space_after = Pt(0)
    # the cover page of a bundle carries no header and footer
    section.different_first_page_header_footer = not bundle.single
    # German spell checking in Word
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "de-DE")
    rpr.append(lang)
    props = doc.core_properties
    props.title = f"Maßnahmensteckbriefe – {bundle.title}" if not bundle.single else bundle.sheets[0].title
    props.author = bundle.organisation
    props.subject = bundle.title
    props.language = "de-DE"

    header = section.header.paragraphs[0]
    header.text = f"{bundle.organisation} · {bundle.title}" + (f" ({bundle.version})" if bundle.version else "")
    header.style.font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    # the Footer style's centre and right stops assume Letter margins: clear them, right-align at the margin
    for position in (Inches(3.25), Inches(6.5)):
        footer.paragraph_format.tab_stops.add_tab_stop(position, WD_TAB_ALIGNMENT.CLEAR)
    footer.paragraph_format.tab_stops.add_tab_stop(Cm(17.0), WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(f"Erstellt am {bundle.generated_text}\tSeite ")
    _field(footer, "PAGE")
    footer.add_run(" von ")
    _field(footer, "NUMPAGES")
    for p in (header, footer):
        for run in p.runs:
            run.font.size = Pt(8)


def _cover(doc, bundle: BundleView) -> None:
    doc.add_paragraph(bundle.organisation).runs[0].font.size = Pt(14)
    doc.add_heading("Maßnahmensteckbriefe", level=0)
    p = doc.add_paragraph()
    run = p.add_run(bundle.title)
    run.bold, run.font.size = True, Pt(16)
    if bundle.version:
        doc.add_paragraph(f"Version {bundle.version}")
    if bundle.selection:
        doc.add_paragraph().add_run(f"Auswahl: {bundle.selection}").bold = True
    count = len(bundle.sheets)
    doc.add_paragraph(f"{count} {'Maßnahme' if count == 1 else 'Maßnahmen'}")
    doc.add_heading("Vision-Statement", level=1)
    doc.add_paragraph(bundle.vision or "Keine Vision erfasst.")
    doc.add_heading("Mission-Statement", level=1)
    doc.add_paragraph(bundle.mission or "Keine Mission erfasst.")
    if bundle.principles:
        doc.add_heading("Leitsätze", level=1)
        for p in bundle.principles:
            doc.add_paragraph(p, style="List Bullet")
    doc.add_paragraph(f"Erstellt am {bundle.generated_text}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading("Inhalt", level=1)
    _list(doc, [f"{s.display_title} ({s.dimension})" for s in bundle.sheets], style="List Number")
    if bundle.has_second_loop:
        doc.add_paragraph("* in der zweiten Evaluationsschleife hinzugefügt")


def _restart_numbering(doc, paragraph) -> None:
    """Start a "List Number" list at 1 again: Word otherwise counts on across the document."""
    numbering = doc.part.numbering_part.element
    style_num = doc.styles["List Number"].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(style_num).abstractNumId.val
    num = numbering.add_num(abstract)
    override = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(1)
    paragraph._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = num.numId


def _list(doc, values: list[str], style: str = "List Bullet", empty: str = "keine angegeben") -> None:
    if not values:
        doc.add_paragraph(empty).runs[0].italic = True
        return
    for i, v in enumerate(values):
        p = doc.add_paragraph(v, style=style)
        if i == 0 and style == "List Number":
            _restart_numbering(doc, p)


def _links(doc, links: list[Link]) -> None:
    _list(doc, [f"{x.title} ({x.planned})" for x in links], empty="keine")


def _facts_table(doc, s: SheetView) -> None:
    rows = [
        ("Dimension", s.dimension),
        ("Status", s.status + (" · * in der zweiten Evaluationsschleife hinzugefügt" if s.second_loop else "")),
        ("Dringlichkeit", s.urgency.words),
        ("Machbarkeit", s.feasibility.words),
        ("Geplante Umsetzung", s.planned),
        *([(f"Stand am {s.schedule_date}", s.schedule)] if s.schedule else []),
        *([("Herkunft", s.origin)] if s.origin else []),
        ("Weitere Dimensionen", ", ".join(s.further_dimensions) or "–"),
        ("Subdimensionen", ", ".join(s.subdimensions) or "–"),
        ("Angestrebte Stufe", s.target_stage or "–"),
    ]
    if s.budget:
        rows.append(("Budget", s.budget))
    if s.funding_call:
        rows.append(("Förderaufruf", s.funding_call))
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _header_row(table, ("Angabe", "Wert"))
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].paragraphs[0].runs[0].bold = True
        cells[0].width, cells[1].width = Cm(4.5), Cm(12.5)
    _shade(table.rows[1].cells[0], s.dimension_colour)
    run = table.rows[1].cells[0].paragraphs[0].runs[0]
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def _header_row(table, names: tuple[str, ...]) -> None:
    """The first row as the table's header: bold, and marked (w:tblHeader) so that screen readers
    announce it with each cell and Word repeats it on the next page."""
    head = table.rows[0].cells
    for cell, name in zip(head, names, strict=True):
        cell.text = name
        cell.paragraphs[0].runs[0].bold = True
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _english(run) -> None:
    """Mark a run as English (Lead, Support, Lessons Learned) for the pronunciation of screen readers."""
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    run._r.get_or_add_rPr().append(lang)


def _owners_table(doc, s: SheetView) -> None:
    if not s.owners:
        doc.add_paragraph("keine angegeben").runs[0].italic = True
        return
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    _header_row(table, ("Name", "Rolle"))
    for o in s.owners:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = o.name, o.role
        if o.role in ENGLISH_TERMS:
            _english(cells[1].paragraphs[0].runs[0])


def _sheet(doc, s: SheetView, first: bool) -> None:
    heading = doc.add_heading(s.display_title, level=1)
    heading.paragraph_format.page_break_before = not first
    heading.runs[0].font.color.rgb = _rgb(s.dimension_colour)
    doc.add_paragraph(f"Maßnahmensteckbrief · Dimension {s.dimension}").runs[0].italic = True
    doc.add_heading("Beschreibung", level=2)
    doc.add_paragraph(s.description or "keine Beschreibung angegeben")
    doc.add_heading("Ziel", level=2)
    doc.add_paragraph(s.goal or "kein Ziel angegeben")
    doc.add_heading("Bewertung und Einordnung", level=2)
    _facts_table(doc, s)
    doc.add_heading("Verantwortliche für die Maßnahme", level=2)
    _owners_table(doc, s)
    doc.add_heading("Beteiligte Akteure", level=2)
    _list(doc, s.actors)
    doc.add_heading("Anforderungen", level=2)
    _list(doc, s.requirements)
    doc.add_heading("Geplante Umsetzung", level=2)
    doc.add_paragraph(s.planned)
    if s.actual:
        doc.add_paragraph(f"tatsächlich: {s.actual}")
    doc.add_heading("Schnittstellen zu anderen Maßnahmen", level=2)
    doc.add_heading("Grundlage für", level=3)
    _links(doc, s.basis_for)
    doc.add_heading("Abhängigkeit von", level=3)
    _links(doc, s.depends_on)
    doc.add_heading("Praxisbeispiele", level=2)
    _list(doc, s.examples)
    doc.add_heading("Operative Schritte", level=2)
    _list(doc, s.steps, style="List Number")
    if s.indicators:
        doc.add_heading("Indikatoren für die Wirkungsevaluation", level=2)
        for i in s.indicators:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(f"{i.name}: ").bold = True
            p.add_run(i.text)


def _writable(value: Any) -> Any:
    """The view model with every text as Word can hold it: control characters stored before the
    text rule refused them are left out (python-docx refuses them, the download would fail)."""
    if isinstance(value, str):
        return writable(value)
    if isinstance(value, list | tuple):
        return type(value)(_writable(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _writable(getattr(value, f.name)) for f in fields(value) if f.init})
    return value


def bundle_docx(bundle: BundleView) -> bytes:
    """The Word file of a bundle (cover, contents, one Steckbrief per page) or of one Steckbrief."""
    bundle = _writable(bundle)
    doc = Document()
    _setup(doc, bundle)
    if not bundle.single:
        _cover(doc, bundle)
    for i, s in enumerate(bundle.sheets):
        _sheet(doc, s, first=bundle.single and i == 0)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
