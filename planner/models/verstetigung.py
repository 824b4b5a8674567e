"""Verstetigung tables: status history, evaluations, indicators with their values, the strategy
versions' history, the link from a strategy to its Fortschreibung and its Beschluss. Migration: 0004_verstetigung
(which also adds measures.actual_start / actual_end, declared in planner/models/core.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .core import Measure, Model, Strategy, utcnow


class StatusChange(Model):
    """A status a measure was given: who, when (status history)."""

    __tablename__ = "verstetigung_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    changed_on: Mapped[date]
    changed_by: Mapped[str] = mapped_column(sa.String(200), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    measure: Mapped[Measure] = relationship()


class Evaluation(Model):
    """A process or impact evaluation of a measure, or (measure_id NULL) of the strategy."""

    __tablename__ = "verstetigung_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    due: Mapped[str | None] = mapped_column(sa.String(7))
    performed_on: Mapped[date]
    evaluator: Mapped[str] = mapped_column(sa.String(200), default="")
    done: Mapped[str | None] = mapped_column(sa.String(10))
    schedule_kept: Mapped[str | None] = mapped_column(sa.String(10))
    financial: Mapped[str | None] = mapped_column(sa.String(10))
    staff: Mapped[str | None] = mapped_column(sa.String(10))
    material: Mapped[str | None] = mapped_column(sa.String(10))
    cooperation_rating: Mapped[int | None]
    cooperation_text: Mapped[str] = mapped_column(sa.Text, default="")
    participation_rating: Mapped[int | None]
    participation_text: Mapped[str] = mapped_column(sa.Text, default="")
    communication_rating: Mapped[int | None]
    communication_text: Mapped[str] = mapped_column(sa.Text, default="")
    went_well: Mapped[str] = mapped_column(sa.Text, default="")
    went_badly: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    citizen_survey: Mapped[str] = mapped_column(sa.Text, default="")
    staff_survey: Mapped[str] = mapped_column(sa.Text, default="")
    direction: Mapped[str] = mapped_column(sa.Text, default="")
    goals_reached: Mapped[str] = mapped_column(sa.Text, default="")
    decisions: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)  # the edit-conflict check of a correction

    strategy: Mapped[Strategy] = relationship()
    measure: Mapped[Measure | None] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}


class Indicator(Model):
    """An impact indicator of a measure: name, unit, baseline, target."""

    __tablename__ = "verstetigung_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(50), default="")
    baseline: Mapped[float | None]
    target: Mapped[float | None]

    measure: Mapped[Measure] = relationship()
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorValue.measured_on"
    )


class IndicatorValue(Model):
    """A measured value of an indicator on a date."""

    __tablename__ = "verstetigung_indicator_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("verstetigung_indicators.id", ondelete="CASCADE"), index=True
    )
    measured_on: Mapped[date]
    value: Mapped[float]

    indicator: Mapped[Indicator] = relationship(back_populates="values")


class HistoryEntry(Model):
    """An earlier version of a strategy and the carry-over decisions of its Fortschreibung."""

    __tablename__ = "verstetigung_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[str] = mapped_column(sa.String(50), default="")
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    adopted: Mapped[str | None] = mapped_column(sa.String(7))
    replaced_on: Mapped[date | None]
    decisions: Mapped[list[Any]] = mapped_column(default=list)
    reviewed_on: Mapped[date | None]  # the review the Fortschreibung was made from (0010_h24b_fortschreibung)


class Resolution(Model):
    """The Beschluss that adopted a strategy version (a Fortschreibung is a draft until then):
    date, body (Kreistag, Gesundheitsausschuss, …), optional reference. Migration 0010_h24b_fortschreibung."""

    __tablename__ = "strategy_resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), unique=True)
    decided_on: Mapped[date]
    body: Mapped[str] = mapped_column(sa.String(200))
    reference: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_by: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Succession(Model):
    """`successor` is the Fortschreibung of `predecessor`; a strategy with a successor is read only."""

    __tablename__ = "verstetigung_successions"

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), unique=True)
    successor_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(200), default="")

    predecessor: Mapped[Strategy] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Strategy] = relationship(foreign_keys=[successor_id])
