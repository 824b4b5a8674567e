"""The one way planner writes a PDF: HTML → WeasyPrint as tagged PDF/UA-1.

WeasyPrint's "pdf/ua-1" variant tags the document (structure tree from the HTML: H1–H6, P, L/LI,
Table/TR/TH/TD with the header cells of each data cell, Figure with the <img> alt text), marks it (/MarkInfo), takes /Lang from
<html lang> and the title from <title> (document info and XMP dc:title, shown as window title via
/ViewerPreferences/DisplayDocTitle) and writes the PDF/UA identifier into the XMP metadata.
WeasyPrint gives no header cell its /Scope (PDF/UA-1 7.5); `header_scopes` adds it from the
cell's scope attribute as the PDF is written. Works without a Flask app: the CLI writes the same documents.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import pydyf
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from weasyprint import CSS, HTML

from ..config import ROOT
from ..domain import german
from ..domain.strategy import ENGLISH_TERMS

if TYPE_CHECKING:
    from weasyprint import Document

PDF_VARIANT = "pdf/ua-1"


def english(text: str) -> Markup:
    """An English term (Lead, Support, Lessons Learned) marked lang="en"; other text as it is."""
    if str(text) in ENGLISH_TERMS:
        return Markup('<span lang="en">{}</span>').format(text)
    return escape(text)


# the filters a document's template uses, the same in the app's templates (web/filters.py registers them)
FILTERS = {
    "en": english,
    "month": german.month,  # 04/2023 from '2023-04'
    "date_de": german.german_date,  # 09.06.2022 from a date; empty when there is none
    "counted": german.counted,
}


@cache
def template_environment() -> Environment:
    """Jinja on templates/ without Flask, with the documents' filters: the one environment every
    document is rendered in, by the app and the command line alike."""
    env = Environment(
        loader=FileSystemLoader(str(ROOT / "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


# the HTML scope of a header cell → its PDF /Scope; a header cell without one heads its column
SCOPES = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}


def header_scopes(document: Document, pdf: pydyf.PDF) -> None:
    """Give every header cell's structure element (/TH) the /Scope of its <th scope>, as PDF/UA-1
    asks: a finisher of `write_pdf`, called after WeasyPrint has tagged the boxes (each cell box
    keeps its structure element as `mark`)."""
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "mark", None)
            if getattr(box, "element_tag", None) == "th" and isinstance(element, pydyf.Dictionary):
                scope = SCOPES.get(str(box.element.get("scope", "")).lower(), "/Column")
                element["A"]["Scope"] = scope


def document_pdf(document: Document) -> bytes:
    """A laid-out WeasyPrint document as tagged PDF/UA-1 bytes."""
    return document.write_pdf(pdf_variant=PDF_VARIANT, finisher=header_scopes)


def layout(html: str, base_url: str | None = None, stylesheets: Iterable[CSS] = ()) -> Document:
    """HTML laid out on pages by WeasyPrint (to inspect the pages before writing the PDF)."""
    return HTML(string=html, base_url=base_url).render(stylesheets=list(stylesheets))


def stylesheet(filename: str | None = None, string: str | None = None) -> CSS:
    """A WeasyPrint stylesheet from a file or from CSS text."""
    return CSS(filename=filename) if filename is not None else CSS(string=string)


def html_pdf(html: str, base_url: str | None = None, stylesheets: Iterable[CSS] = ()) -> bytes:
    """HTML (with <html lang> and <title>) as tagged PDF/UA-1 bytes."""
    return document_pdf(layout(html, base_url, stylesheets))


@dataclass
class DataTable:
    """The data behind a chart, as the table printed after it: rows grouped under optional
    group headings (e.g. dimensions); the first cell of a row names it."""

    caption: str
    columns: list[str]
    groups: list[tuple[str, list[list[str]]]] = field(default_factory=list)


# landscape pages a chart PDF can be laid out on: CSS page size and the height left for the chart (mm)
PAPER = {"a4": ("A4 landscape", 170), "a3": ("A3 landscape", 257)}


def chart_pdf(svg: bytes, title: str, description: str, table: DataTable | None = None, paper: str = "a4") -> bytes:
    """A chart as an accessible PDF: heading, the chart as a figure whose alternative text is its
    description on one landscape page (A4, or A3), then the same data as a table."""
    if paper not in PAPER:
        raise ValueError(f"Unbekanntes Papierformat „{paper}“ (a4 oder a3).")
    page_size, chart_height = PAPER[paper]
    source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    html = (
        template_environment()
        .get_template("documents/chart_pdf.html")
        .render(
            title=title,
            description=description,
            source=source,
            table=table,
            page_size=page_size,
            chart_height=chart_height,
        )
    )
    return html_pdf(html)
