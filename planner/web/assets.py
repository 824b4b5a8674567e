"""Stylesheet rules derived from the catalogue, so dimension colours have one source."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template_string

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


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root, even when the page names the SVG one."""
    return Response(
        _icon(current_app.static_folder),
        mimetype="image/vnd.microsoft.icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@cache
def _icon(folder: str) -> bytes:
    return (Path(folder) / "favicon.ico").read_bytes()
