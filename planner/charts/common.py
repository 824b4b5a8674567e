"""Figure → SVG, PNG or PDF bytes, with a title and a description for screen readers.

matplotlib's Figure API only (never pyplot: it keeps global figures alive in a server).
"""

from __future__ import annotations

import functools
import io
import re
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.textpath import TextToPath

from ..documents.pdf import chart_pdf
from ..domain.validation import writable

if TYPE_CHECKING:
    from ..documents.pdf import DataTable

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

TEXT_SIZES = 32768  # texts whose size is kept (remember_text_sizes)


def remember_text_sizes() -> None:
    """Keep the sizes of texts for SVG (and PDF) across charts, process-wide.

    matplotlib measures every text of a chart with FreeType when it lays it out, and keeps what
    it measured only as long as one renderer, that is one `savefig`. A Fahrplan SVG has some 190
    texts (months, legend, measure titles) and most are the same in the next chart and after a
    save: measuring a measure's title takes FreeType about half a millisecond. The size of a text
    is a function of the text, its font properties and whether it is math (TextToPath measures
    at a fixed scale), so the answers are kept in one bounded cache for every renderer and thread.

    It holds TEXT_SIZES texts: a Land instance's workers draw the Fahrplan of hundreds of offices,
    some 50 titles each, and a cache smaller than their titles measured every title of every
    chart again (a fifth of a cold Fahrplan SVG at 400 offices). The key is the font as plain
    values (family, style, variant, weight, stretch, size, file, math family), not the font
    object, so an entry costs some hundred bytes beside its text.
    """
    measure = TextToPath.get_text_width_height_descent
    if getattr(measure, "remembered", False):
        return
    one = TextToPath()

    @functools.lru_cache(maxsize=TEXT_SIZES)
    def size(text: str, font: tuple, ismath) -> tuple[float, float, float]:
        family, style, variant, weight, stretch, points, file, math = font
        prop = FontProperties(
            family=list(family),
            style=style,
            variant=variant,
            weight=weight,
            stretch=stretch,
            size=points,
            fname=file,
            math_fontfamily=math,
        )
        return measure(one, text, prop, ismath)

    def remembered(self, s, prop, ismath):
        font = (
            tuple(prop.get_family()),
            prop.get_style(),
            prop.get_variant(),
            prop.get_weight(),
            prop.get_stretch(),
            prop.get_size_in_points(),
            prop.get_file(),
            prop.get_math_fontfamily(),
        )
        return size(s, font, ismath)

    remembered.remembered = True
    remembered.original = measure
    remembered.cache_info = size.cache_info
    TextToPath.get_text_width_height_descent = remembered


remember_text_sizes()

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


def render(
    fig: Figure,
    fmt: str,
    title: str = "",
    description: str = "",
    table: DataTable | None = None,
    *,
    paper: str = "a4",
) -> bytes:
    """The figure as SVG (with <title>/<desc> and role="img"), PNG or PDF bytes. The PDF is a tagged
    PDF/UA-1 document: the chart as a figure with the description as alternative text on one
    landscape page of `paper` ("a4" or "a3"), then `table`.

    Every text of the figure loses the control characters stored before the text rule refused
    them: no font has a glyph for them, and SVG (XML) cannot hold them."""
    for text in _texts(fig):
        text.set_text(writable(text.get_text()))
    title, description = writable(title), writable(description)
    buffer = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Title": title})
        return accessible_svg(buffer.getvalue(), title, description)
    if fmt == "png":
        metadata = {"Title": title, "Description": description, "Software": "planner"}
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata=metadata)
        return buffer.getvalue()
    if fmt == "pdf":
        return chart_pdf(render(fig, "svg", title, description), title, description, table, paper=paper)
    raise ValueError(f"Unbekanntes Format „{fmt}“ (svg, png oder pdf).")


def _texts(artist):
    """Every text the figure draws. Like `findobj(Text)`, but past the axes drawn without axis
    (`set_axis_off`): asking their axes for children makes their ticks, a tenth of a Fahrplan
    chart's time, for nothing that is drawn."""
    for child in artist.get_children():
        if isinstance(child, Axis) and not child.axes.axison:
            continue
        if isinstance(child, Text):
            yield child
        yield from _texts(child)


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
