"""Stylesheet rules derived from the catalogue, so dimension colours have one source."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app

from ..domain.catalogue import catalogue

bp = Blueprint("assets", __name__)


@bp.get("/assets/dimensionen.css")
def dimension_css():
    """CSS custom property --dim per dimension index."""
    # plain text, not a Flask template: a template would load the logged-in user (a database query)
    css = "".join(f'[data-dim="{d.index}"] {{ --dim: {d.colour}; }}\n' for d in catalogue().dimensions)
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
