"""Requests authenticated by a personal token instead of the session cookie (API, calendar feed).

The token's user becomes Flask-Login's current user for this one request only: nothing is
written into the session, so access.py applies the user's roles and the audit trail names
the user together with the token (`g.audit_via`).
"""

from __future__ import annotations

from flask import current_app, g

from ..extensions import db
from ..models.auth import User
from ..models.token import UserToken
from ..services import directory

# blueprints whose requests never use the session cookie; the login requirement leaves them alone
TOKEN_BLUEPRINTS = {"api", "calendar_feed", "status_link"}


def act_as(token: UserToken, via: str) -> None:
    """Make the token's user the current user of this request."""
    g._login_user = token.user  # where Flask-Login keeps the request's user
    g.audit_via = via


def directory_settings() -> directory.Settings | None:
    """The configured directory (LDAP_* settings), or None: local accounts only."""
    return directory.Settings.from_config(current_app.config)


def still_allowed(user: User) -> bool:
    """A directory user is re-checked against the directory when due, for a session and a token
    alike; a user it no longer lets in loses sessions and tokens (committed here)."""
    if user.directory_dn is None:
        return True
    settings = directory_settings()
    if not directory.check_due(settings, user):
        return True  # checked within the interval: no transaction to end
    allowed = directory.still_allowed(db.session, settings, user)
    db.session.commit()
    return allowed
