"""Landesebene tables: the offices taking part in a state office's measure (a Landesmaßnahme).
Migration: 0007_h12_land.

A Landesmaßnahme is an ordinary measure of the state office's own strategy (its dimension and
further dimensions are the dimensions it serves); this table names the coordinated offices
that take part in it. The column is `office_id`, not `organisation_id`: the row belongs to the
state office (through its measure), the office is only named.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .core import Measure, Model, Organisation


class LandMeasureOffice(Model):
    """An office that takes part in a measure of the state office."""

    __tablename__ = "land_measure_offices"
    __table_args__ = (sa.UniqueConstraint("measure_id", "office_id", name="uq_land_measure_offices_measure_office"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)

    measure: Mapped[Measure] = relationship()
    office: Mapped[Organisation] = relationship()
