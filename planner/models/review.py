"""Strategy review tables: the review meeting's record (date, participants, minutes, prepared →
finalised) and its decision per measure. Migration: 0007_h11_review."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .core import Measure, Model, Strategy, utcnow

PREPARED = "vorbereitet"
FINALISED = "abgeschlossen"


class Review(Model):
    """A biennial strategy review of one strategy version: prepared before the meeting, finalised after it."""

    __tablename__ = "strategy_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default=PREPARED)
    held_on: Mapped[date | None]
    participants: Mapped[str] = mapped_column(sa.Text, default="")
    minutes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(200), default="")
    finalised_at: Mapped[datetime | None]
    finalised_by: Mapped[str] = mapped_column(sa.String(200), default="")
    lock_version: Mapped[int] = mapped_column(default=1)  # the edit-conflict check (services/locking.py)

    strategy: Mapped[Strategy] = relationship()
    decisions: Mapped[list[ReviewDecisionRow]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewDecisionRow.position"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def finalised(self) -> bool:
        return self.state == FINALISED


class ReviewDecisionRow(Model):
    """The review's decision on one measure: what was proposed (and why), what was decided, a note."""

    __tablename__ = "strategy_review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("strategy_reviews.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    proposed: Mapped[str] = mapped_column(sa.String(20))
    proposal_reason: Mapped[str] = mapped_column(sa.Text, default="")
    decision: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    review: Mapped[Review] = relationship(back_populates="decisions")
    measure: Mapped[Measure] = relationship()
