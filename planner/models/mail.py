"""Mail (issue 28): the Statusabfrage by link, the outbox and the reminders sent.
Migration: 0010_h28_mail (also persons.email, persons.mail_off and users.mail_digests).

- `status_requests`: a Statusabfrage started with mail: which strategy, when, by whom, whether the one
  reminder went out.
- `status_links`: one owner's personal link of a request; only the SHA-256 hash of its secret is
  stored (services/tokens.py), valid until `expires_at`, revoked by `revoked_at`.
- `status_link_measures`: the measures a link may answer (that owner's open measures when it was
  sent), each answerable once (`answered_at`).
- `mail_outbox`: every mail before and after it is sent; one a server refused stays unsent with the
  server's answer and goes again at the next delivery (`planner remind` or the next start). A sent
  mail's text is emptied: a status request's text holds the personal link, which is kept nowhere else.
- `mail_reminders`: what a reminder or digest already told whom (one row per item and kind), so that a
  second run of `planner remind` sends nothing new.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .core import Measure, Model, Person, Strategy, utcnow


class StatusRequest(Model):
    __tablename__ = "status_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(200), default="")
    reminded_at: Mapped[datetime | None]

    strategy: Mapped[Strategy] = relationship()
    links: Mapped[list[StatusLink]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="StatusLink.id"
    )


class StatusLink(Model):
    __tablename__ = "status_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("status_requests.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    request: Mapped[StatusRequest] = relationship(back_populates="links")
    person: Mapped[Person] = relationship()
    measures: Mapped[list[StatusLinkMeasure]] = relationship(
        back_populates="link", cascade="all, delete-orphan", order_by="StatusLinkMeasure.id"
    )


class StatusLinkMeasure(Model):
    __tablename__ = "status_link_measures"
    __table_args__ = (sa.UniqueConstraint("link_id", "measure_id", name="uq_status_link_measures_link_measure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(sa.ForeignKey("status_links.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    answered_at: Mapped[datetime | None]

    link: Mapped[StatusLink] = relationship(back_populates="measures")
    measure: Mapped[Measure] = relationship()


class OutboxMail(Model):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


class SentReminder(Model):
    __tablename__ = "mail_reminders"
    __table_args__ = (sa.UniqueConstraint("item", name="uq_mail_reminders_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # who and what: "person:12:eval:3:konzept-ende:faellig", "user:4:digest:2026-W50", ...
    item: Mapped[str] = mapped_column(sa.String(300))
    sent_on: Mapped[date]
    mail_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mail_outbox.id", ondelete="SET NULL"))
