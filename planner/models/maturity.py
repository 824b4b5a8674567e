"""Maturity tables: assessments and the criteria catalogue per organisation; targets and
funding participations per strategy. Migration: 0003_maturity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .core import Model, Organisation, utcnow


class MaturityAssessment(Model):
    """A dated assessment of an organisation: criteria answers or result-sheet levels."""

    __tablename__ = "maturity_assessments"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "assessed_on", name="uq_maturity_assessments_organisation_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[dt.date]
    kind: Mapped[str] = mapped_column(sa.String(20))
    threshold: Mapped[float | None] = mapped_column(sa.Float)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)  # the edit-conflict check (services/locking.py)

    organisation: Mapped[Organisation] = relationship()
    levels: Mapped[list[MaturityLevel]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="MaturityLevel.id"
    )
    answers: Mapped[list[MaturityAnswer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="MaturityAnswer.position"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class MaturityLevel(Model):
    """The level of one subdimension on a result sheet; NULL is "–"."""

    __tablename__ = "maturity_levels"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "subdimension", name="uq_maturity_levels_assessment_subdimension"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("maturity_assessments.id", ondelete="CASCADE"), index=True)
    subdimension: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[int | None]

    assessment: Mapped[MaturityAssessment] = relationship(back_populates="levels")


class MaturityAnswer(Model):
    """One criterion as answered in an assessment (its text copied, so later catalogue changes don't alter it)."""

    __tablename__ = "maturity_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("maturity_assessments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    subdimension: Mapped[str] = mapped_column(sa.String(100))
    stage: Mapped[int]
    criterion: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[str] = mapped_column(sa.String(20))

    assessment: Mapped[MaturityAssessment] = relationship(back_populates="answers")


class MaturityCriterion(Model):
    """A criterion of the organisation's own criteria catalogue (imported from CSV/XLSX)."""

    __tablename__ = "maturity_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    subdimension: Mapped[str] = mapped_column(sa.String(100))
    stage: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    note: Mapped[str] = mapped_column(sa.Text, default="")


class MaturityTarget(Model):
    """A strategy's target stage for one subdimension (absent: the default, stage 3)."""

    __tablename__ = "maturity_targets"
    __table_args__ = (
        sa.UniqueConstraint("strategy_id", "subdimension", name="uq_maturity_targets_strategy_subdimension"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    subdimension: Mapped[str] = mapped_column(sa.String(100))
    stage: Mapped[int]


class FundingParticipation(Model):
    """A strategy's part in a funding call (the calls themselves are data: planner/data/foerderaufrufe.yaml)."""

    __tablename__ = "funding_participations"
    __table_args__ = (sa.UniqueConstraint("strategy_id", "call", name="uq_funding_participations_strategy_call"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    call: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(20))
    granted: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    baseline: Mapped[dt.date | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    claim: Mapped[str] = mapped_column(sa.Text, default="")
    claimed_dimensions: Mapped[int | None]
