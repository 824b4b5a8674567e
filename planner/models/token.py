"""Personal access tokens: API tokens and calendar-feed tokens of a user. Migration: 0006_h8_tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .auth import User
from .core import Model, utcnow

# What a token opens: the JSON API (acting as its user) or only the user's calendar feed.
KINDS = ("api", "kalender")


class UserToken(Model):
    """A secret handed to a user once; only its SHA-256 hash is stored. Revoking deletes the row."""

    __tablename__ = "user_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # the first characters of the token, so its owner can tell tokens apart in the list
    hint: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
