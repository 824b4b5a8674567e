"""The strategy review as PDF: the review pack (services/verstetigung_review.py) with its
pictures and tables (services/review.py `pack_extras`) and the review's decisions, from
templates/review/review_pdf.html in the documents' Jinja environment. The app's PDF route and
`planner review` both write it through `services.review.review_document`, so they print the same
pack; no Flask is needed (the charts are embedded as data URIs, the templates build no links)."""

from __future__ import annotations

import base64

from ..domain.review import ReviewDecision
from .pdf import html_pdf, template_environment


def data_uri(svg: bytes) -> str:
    """An SVG picture embedded in the document."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def review_html(row, pack, shown, review, lines, extras) -> str:
    """The review document's HTML: `row` the strategy version (title, version, adopted, its
    organisation's name), `pack` the review pack with its `shown` schedule states (the columns
    of its table by dimension), `review` the review with its `lines` (one
    decision line per measure), `extras` the pack's charts (drawn as SVG) and tables. A review not
    yet finalised adds the paper decision sheet for the meeting (the same measures, the same
    five decisions)."""
    return (
        template_environment()
        .get_template("review/review_pdf.html")
        .render(
            row=row,
            pack=pack,
            shown=shown,
            review=review,
            lines=lines,
            decisions=list(ReviewDecision),
            extras=extras,
            fahrplan_src=data_uri(extras.fahrplan_svg),
            radar_src=data_uri(extras.radar_svg) if extras.radar_svg else None,
        )
    )


def review_pdf(row, pack, shown, review, lines, extras, base_url: str | None = None) -> bytes:
    """The review document as tagged PDF (see `review_html`)."""
    return html_pdf(review_html(row, pack, shown, review, lines, extras), base_url=base_url)
