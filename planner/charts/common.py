"""Figure → SVG, PNG or PDF bytes, with a title and a description for screen readers.

matplotlib's Figure API only (never pyplot: it keeps global figures alive in a server).
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.figure import Figure

# Read when a chart is saved, process-wide. Set once here instead of rc_context per
# request: rc_context swaps global state and would race between threads of the server.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: searchable, selectable, read by screen readers
        "svg.hashsalt": "planner",  # stable ids: the same chart gives the same bytes
        "pdf.fonttype": 42,  # TrueType in PDF: copyable text
        "font.family": "DejaVu Sans",
        "hatch.linewidth": 0.8,
    }
)

MIMETYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
PNG_DPI = 110

INK = "#1b1f24"
MUTED = "#505a66"
GRID = "#d9dee4"


def new_figure(width: float, height: float) -> Figure:
    """A white figure of width × height inches."""
    return Figure(figsize=(width, height), facecolor="white")


def lighter(colour: str, amount: float) -> str:
    """The colour mixed with white: amount 0 keeps it, 1 gives white."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def render(fig: Figure, fmt: str, title: str = "", description: str = "") -> bytes:
    """The figure as SVG (with <title>/<desc> and role="img"), PNG or PDF bytes."""
    buffer = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Title": title})
        return accessible_svg(buffer.getvalue(), title, description)
    if fmt == "png":
        metadata = {"Title": title, "Description": description, "Software": "planner"}
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata=metadata)
        return buffer.getvalue()
    if fmt == "pdf":
        metadata = {"Title": title, "Subject": description, "Creator": "planner", "CreationDate": None}
        fig.savefig(buffer, format="pdf", metadata=metadata)
        return buffer.getvalue()
    raise ValueError(f"Unbekanntes Format „{fmt}“ (svg, png oder pdf).")


def accessible_svg(svg: bytes, title: str, description: str) -> bytes:
    """Give the SVG root role="img", a <title> and a <desc> that screen readers announce."""
    text = svg.decode("utf-8")
    match = re.search(r"<svg\b[^>]*>", text)
    if match is None:
        return svg
    opening = match.group(0)
    labelled = opening[:-1] + ' role="img" aria-labelledby="chart-title chart-desc">'
    children = (
        f'\n <title id="chart-title">{escape(title)}</title>\n <desc id="chart-desc">{escape(description)}</desc>'
    )
    text = text[: match.start()] + labelled + children + text[match.end() :]
    return text.encode("utf-8")


PAPER = {"a3": ("A3", 420, 297), "a4": ("A4", 297, 210)}  # landscape pages for chart PDFs: name, width, height in mm
MARGIN_MM = 8


def pdf_page(fig: Figure, title: str = "", description: str = "", paper: str = "a3") -> bytes:
    """The figure on one landscape page (A3 by default, A4 on request), scaled to fit, text kept as
    text: the SVG rendering placed on the page by WeasyPrint."""
    import base64

    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    if paper not in PAPER:
        raise ValueError(f"Unbekanntes Papierformat „{paper}“ (a3 oder a4).")
    size, width, height = PAPER[paper]
    box = f"max-width: {width - 2 * MARGIN_MM}mm; max-height: {height - 2 * MARGIN_MM - 1}mm;"
    svg = render(fig, "svg", title, description)
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    html = (
        f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="description" content="{escape(description, {chr(34): "&quot;"})}">'
        f"<style>@page {{ size: {size} landscape; margin: {MARGIN_MM}mm; }} html, body {{ margin: 0; }}"
        f" img {{ display: block; width: auto; height: auto; {box} }}"
        f'</style></head><body><img src="{uri}" alt="{escape(title, {chr(34): "&quot;"})}"></body></html>'
    )
    return HTML(string=html).write_pdf()
