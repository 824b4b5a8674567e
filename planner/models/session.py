"""Form input kept across an expired session (WCAG 2.2.1): what a user sent after the session had
ended waits here, under a random token, until the form is shown again after the new login.
Migration: 0006_h4_kept_forms. And the one-time tokens of creating forms that were sent, so that
a second submit of the same form leads to what the first created (0008_h23_form_submissions)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .core import Model, utcnow


class KeptForm(Model):
    """The fields of one submitted form (without its security token), for one restore."""

    __tablename__ = "kept_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # the user whose session expired; rows of older versions without one are never restored
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(sa.String(500))
    data: Mapped[str] = mapped_column(sa.Text)  # JSON: [[name, value], ...] in the form's order
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class FormSubmission(Model):
    """A creating form that was sent and saved: its one-time token and the page of what it created."""

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
