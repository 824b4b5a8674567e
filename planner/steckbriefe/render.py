"""Steckbriefe as HTML and PDF: one Jinja template (templates/steckbriefe/), WeasyPrint.

Works without a Flask app (the CLI renders from a file); the web page imports the same macro.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from weasyprint import CSS

from ..config import ROOT
from ..documents.pdf import document_pdf, layout, stylesheet, template_environment
from ..domain.catalogue import catalogue
from .context import BundleView

if TYPE_CHECKING:
    from weasyprint import CSS, Document

STYLESHEETS = (ROOT / "static" / "steckbriefe.css", ROOT / "static" / "steckbriefe-pdf.css")
MAX_DENSITY = 3
# a sheet that still runs onto a second page is set one step smaller and the whole document
# rendered again; each pass can only shrink type, so this ends after at most MAX_DENSITY passes
MAX_PASSES = MAX_DENSITY + 1


def dimension_css() -> str:
    """The dimension colours as custom properties, as /assets/dimensionen.css serves them."""
    return "\n".join(f'[data-dim="{d.index}"] {{ --dim: {d.colour}; }}' for d in catalogue().dimensions)


def document_html(bundle: BundleView) -> str:
    """The PDF's HTML: cover and contents (bundle), then one Steckbrief per page."""
    included = {s.key for s in bundle.sheets}

    def href(key: str) -> str | None:
        return f"#m-{key}" if key in included and not bundle.single else None

    return template_environment().get_template("steckbriefe/document.html").render(b=bundle, href=href)


@cache
def _stylesheets() -> tuple[CSS, ...]:
    return (*(stylesheet(filename=str(p)) for p in STYLESHEETS), stylesheet(string=dimension_css()))


def _render(bundle: BundleView) -> Document:
    return layout(document_html(bundle), base_url=str(ROOT), stylesheets=_stylesheets())


def overflowing(document: Document, bundle: BundleView) -> list[str]:
    """Keys of the Steckbriefe whose end lands on a later page than their start."""
    page_of: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            page_of.setdefault(anchor, number)
    return [
        s.key
        for s in bundle.sheets
        if s.anchor in page_of and page_of.get(f"{s.anchor}-ende", page_of[s.anchor]) != page_of[s.anchor]
    ]


def render_document(bundle: BundleView) -> Document:
    """The laid-out document; sheets too long for one A4 page are set in smaller type."""
    document = _render(bundle)
    for _ in range(MAX_PASSES - 1):
        too_long = set(overflowing(document, bundle))
        adjustable = [s for s in bundle.sheets if s.key in too_long and s.density < MAX_DENSITY]
        if not adjustable:
            break
        for s in adjustable:
            s.density += 1
        document = _render(bundle)
    return document


def bundle_pdf(bundle: BundleView) -> bytes:
    """The PDF bytes of a bundle (or of a single Steckbrief when `bundle.single`); tagged PDF/UA-1, so
    that screen readers find headings, lists and reading order when it is attached to a committee paper."""
    return document_pdf(render_document(bundle))
