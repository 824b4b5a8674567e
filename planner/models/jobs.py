"""Documents produced in the background (issue 27): one row per requested document, with its
progress and, once ready, the file. Migration: 0010_h27b_document_jobs.

The queue itself is huey's (services/jobs.py); this table is what the pages read: who asked for
which document of which organisation, how far it is, and the bytes to download. A request with
the same kind, organisation, options and state of the data finds the existing row instead of
starting the work again (`fingerprint`). Rows are left out of backups (services/backup.py
EXCLUDED): a document is made again on demand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .core import Model, utcnow

# the states of a job, in the order they are passed
WAITING, RUNNING, DONE, FAILED = "wartend", "laeuft", "fertig", "fehler"
JOB_STATES = (WAITING, RUNNING, DONE, FAILED)


class DocumentJob(Model):
    """A document asked for, being made, or ready to download."""

    __tablename__ = "document_jobs"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # a random token: the page's address
    kind: Mapped[str] = mapped_column(sa.String(50))
    # whose document: an organisation's (seen by whoever sees it) or, for a search across
    # organisations (the atlas), the user's who asked (seen only by that user)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fingerprint: Mapped[str] = mapped_column(sa.String(64), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    requested_by: Mapped[str] = mapped_column(sa.String(200), default="")
    state: Mapped[str] = mapped_column(sa.String(20), default=WAITING)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    step: Mapped[str] = mapped_column(sa.String(300), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    filename: Mapped[str] = mapped_column(sa.String(300), default="")
    mimetype: Mapped[str] = mapped_column(sa.String(100), default="")
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
