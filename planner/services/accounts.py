"""User accounts outside a request: the first administrator, `planner create-admin`."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from ..extensions import db
from ..models.auth import User


def create_admin(
    username: str, password: str | None, *, only_if_no_users: bool = False
) -> tuple[str, str | None] | None:
    """Create (or reset the password of) an administrator; returns (username, generated password or None).

    With only_if_no_users, nothing happens (None) once any account exists: `make run` calls
    this on every start and prints credentials only the first time.
    """
    from ..web.auth import hash_password

    if only_if_no_users and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        return None
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name="Administration", password_hash="")
        db.session.add(user)
    else:
        user.session_version += 1
    user.password_hash = hash_password(password)
    user.is_admin = True
    user.active = True
    db.session.commit()
    return username, generated
