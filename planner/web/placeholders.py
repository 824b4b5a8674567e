"""Markers in rendered HTML for what is filled in per request (the reader's CSRF token, the
session's remaining seconds) when a page or part is kept for several readers (page_parts.py,
kept_pages.py).

A marker is derived from the secret key: no user text can contain it (a measure titled with a
fixed marker would otherwise carry every reader's CSRF token in its title), and every worker and
instance sharing the database's cached parts, and so the secret key, uses the same one."""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from flask import current_app


def placeholder(name: str) -> str:
    """The marker `name` (e.g. "csrf") of this application."""
    secret = current_app.config["SECRET_KEY"]
    return _marker(name, secret if isinstance(secret, bytes) else str(secret).encode())


@cache
def _marker(name: str, secret: bytes) -> str:
    digest = hmac.new(secret, f"planner placeholder {name}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"planner-{name}-{digest}"


def csrf_placeholder() -> str:
    return placeholder("csrf")


def timer_placeholder() -> str:
    return placeholder("remaining-seconds")
