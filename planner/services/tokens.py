"""Personal tokens: created for a user, shown once, stored as a SHA-256 hash, revoked by deleting them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import utcnow
from ..models.auth import User
from ..models.token import UserToken

PREFIX = {"api": "plapi_", "kalender": "plcal_", "status": "plsta_"}  # status: a Statusabfrage link
# last use is written at most this often, so reading through the API does not write on every call
TOUCH_EVERY = timedelta(minutes=5)


def _digest(secret: str) -> str:
    # the secret has 256 random bits: a plain hash cannot be brute-forced, and it is quick to look up
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret(kind: str) -> tuple[str, str]:
    """A new secret of that kind and its hash (what is stored): for tokens kept in other tables
    (the Statusabfrage links of services/status_links.py)."""
    secret = PREFIX[kind] + secrets.token_urlsafe(32)
    return secret, _digest(secret)


def digest_of(secret: str, kind: str) -> str | None:
    """The stored hash of a secret of that kind, None when it cannot be one."""
    if not secret or not secret.startswith(PREFIX[kind]) or len(secret) > 200:
        return None
    return _digest(secret)


def create(session: Session, user: User, kind: str, name: str) -> tuple[UserToken, str]:
    """A new token of that kind for the user; returns the row and the secret (never stored)."""
    secret = PREFIX[kind] + secrets.token_urlsafe(32)
    row = UserToken(user_id=user.id, kind=kind, name=name.strip()[:100], token_hash=_digest(secret), hint=secret[:10])
    session.add(row)
    session.flush()
    return row, secret


def of_user(session: Session, user_id: int, kind: str) -> list[UserToken]:
    """The user's tokens of that kind, newest first."""
    return list(
        session.scalars(
            sa.select(UserToken)
            .where(UserToken.user_id == user_id, UserToken.kind == kind)
            .order_by(UserToken.created_at.desc(), UserToken.id.desc())
        )
    )


def revoke(session: Session, user_id: int, token_id: int) -> UserToken | None:
    """Delete one of the user's tokens; None when the user has no token of that id."""
    row = session.get(UserToken, token_id)
    if row is None or row.user_id != user_id:
        return None
    session.delete(row)
    session.flush()
    return row


def revoke_all(session: Session, user_id: int) -> int:
    """Delete every token of the user (a password reset); returns how many there were. Row by
    row, so that the audit trail records each revocation as it does one revoked on the profile."""
    rows = list(session.scalars(sa.select(UserToken).where(UserToken.user_id == user_id)))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def lookup(session: Session, secret: str, kind: str) -> UserToken | None:
    """The token of that secret and kind whose user is active, or None; notes when it was used."""
    if not secret or not secret.startswith(PREFIX[kind]) or len(secret) > 200:
        return None
    row = session.scalar(sa.select(UserToken).where(UserToken.token_hash == _digest(secret), UserToken.kind == kind))
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = now
        session.commit()
    return row
