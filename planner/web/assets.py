"""Stylesheet rules derived from the catalogue, so dimension colours have one source."""

from __future__ import annotations

from flask import Blueprint, Response, render_template_string

from ..domain.catalogue import catalogue

bp = Blueprint("assets", __name__)

_CSS = """{% for d in dims %}
[data-dim="{{ d.index }}"] { --dim: {{ d.colour }}; }
{% endfor %}"""


@bp.get("/assets/dimensionen.css")
def dimension_css():
    """CSS custom property --dim per dimension index."""
    css = render_template_string(_CSS, dims=catalogue().dimensions)
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=3600"})
