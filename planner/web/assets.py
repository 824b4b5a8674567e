"""Stylesheet rules derived from the catalogue, so dimension colours have one source."""

from __future__ import annotations

from flask import Blueprint, Response

from ..domain.catalogue import catalogue

bp = Blueprint("assets", __name__)


@bp.get("/assets/dimensionen.css")
def dimension_css():
    """CSS custom property --dim per dimension index."""
    # plain text, not a Flask template: a template would load the logged-in user (a database query)
    css = "".join(f'[data-dim="{d.index}"] {{ --dim: {d.colour}; }}\n' for d in catalogue().dimensions)
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=3600"})
