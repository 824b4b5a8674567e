"""The user guide: docs/handbuch.md rendered as a page (the same file reads well on GitHub), with its
screenshots from docs/."""

from __future__ import annotations

import re
from functools import cache

import markdown
from flask import Blueprint, abort, render_template, send_from_directory, url_for
from markdown.extensions.toc import slugify_unicode
from markupsafe import Markup

from .. import config

bp = Blueprint("guide", __name__, url_prefix="/hilfe")

DOCS = config.ROOT / "docs"
_IMAGE = re.compile(r"^[a-z0-9-]+\.png$")


@cache
def _html() -> str:
    text = (DOCS / "handbuch.md").read_text(encoding="utf-8")
    # anchors keep umlauts and ß, as on GitHub, so the contents' links work in both places
    return markdown.markdown(
        text,
        extensions=["tables", "toc"],
        extension_configs={"toc": {"slugify": slugify_unicode}},
        output_format="html",
    )


@bp.get("/")
def manual():
    """The German user guide."""
    html = re.sub(r'src="([a-z0-9-]+\.png)"', lambda m: f'src="{url_for("guide.image", filename=m[1])}"', _html())
    return render_template("guide/handbuch.html", body=Markup(html))


@bp.get("/bilder/<filename>")
def image(filename: str):
    """A screenshot of the guide."""
    if not _IMAGE.match(filename) or not (DOCS / filename).is_file():
        abort(404)
    return send_from_directory(DOCS, filename, max_age=3600)
