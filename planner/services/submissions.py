"""Creating forms sent twice (a double click, a slow connection): each creating form carries a
one-time token; the first save records it with the page of what it created, in the same
transaction, and a second submit of that form leads there instead of creating a duplicate.

The caller commits. Tokens are kept for SUBMISSION_HOURS; a form older than that creates anew."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import utcnow
from ..models.session import FormSubmission

SUBMISSION_HOURS = 24
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def valid(token: object) -> bool:
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def sent_before(session: Session, token: str, user_id: int) -> str | None:
    """The page of what this form (token) of this user created already, or None."""
    if not valid(token):
        return None
    return session.scalar(
        sa.select(FormSubmission.target).where(FormSubmission.token == token, FormSubmission.user_id == user_id)
    )


def record(session: Session, token: str, user_id: int, target: str) -> None:
    """Note, in the transaction of the save, that the form `token` creates what `target` shows. A
    concurrent submit of the same form clashes on the unique token: the view runs again
    (web/errors.retry_on_conflict) and `sent_before` then names the first one's page. A form
    without a valid token records nothing."""
    if not valid(token):
        return
    too_old = utcnow() - timedelta(hours=SUBMISSION_HOURS)
    session.execute(sa.delete(FormSubmission).where(FormSubmission.created_at < too_old))
    session.add(FormSubmission(token=token, user_id=user_id, target=target[:500]))
    session.flush()
