"""Roadmap tables: baselines, a named frozen copy of every measure's planned months per strategy.
Migration: 0002_roadmap.

Entries keep the measure's key and title rather than a foreign key to the measure: a
baseline must still say what was planned after a measure is renamed or deleted.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .core import Model, Strategy, utcnow


class Baseline(Model):
    """A frozen roadmap, e.g. "Basisplan 2023"."""

    __tablename__ = "roadmap_baselines"
    __table_args__ = (sa.UniqueConstraint("strategy_id", "name", name="uq_roadmap_baselines_strategy_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    strategy: Mapped[Strategy] = relationship()
    entries: Mapped[list[BaselineEntry]] = relationship(
        back_populates="baseline", cascade="all, delete-orphan", order_by="BaselineEntry.position"
    )


class BaselineEntry(Model):
    """One measure as it was planned when the baseline was taken."""

    __tablename__ = "roadmap_baseline_entries"
    __table_args__ = (
        sa.UniqueConstraint("baseline_id", "measure_key", name="uq_roadmap_baseline_entries_baseline_measure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    baseline_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_baselines.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    measure_key: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[str] = mapped_column(sa.String(20))
    start: Mapped[str | None] = mapped_column(sa.String(7))
    end: Mapped[str | None] = mapped_column(sa.String(7))

    baseline: Mapped[Baseline] = relationship(back_populates="entries")
