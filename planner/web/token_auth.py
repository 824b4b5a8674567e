"""Requests authenticated by a personal token instead of the session cookie (API, calendar feed).

The token's user becomes Flask-Login's current user for this one request only: nothing is
written into the session, so access.py applies the user's roles and the audit trail names
the user together with the token (`g.audit_via`).
"""

from __future__ import annotations

from flask import g

from ..models.token import UserToken

# blueprints whose requests never use the session cookie; the login requirement leaves them alone
TOKEN_BLUEPRINTS = {"api", "calendar_feed"}


def act_as(token: UserToken, via: str) -> None:
    """Make the token's user the current user of this request."""
    g._login_user = token.user  # where Flask-Login keeps the request's user
    g.audit_via = via
