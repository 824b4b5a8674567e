"""SQLAlchemy 2 ORM: organisations, strategies, measures, owners and dependencies."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so Alembic migrations name things the same on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Model(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: sa.JSON, list[Any]: sa.JSON}


class Organisation(Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    strategies: Mapped[list[Strategy]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Strategy.id"
    )
    persons: Mapped[list[Person]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Person.name"
    )


PERSON_KINDS = {"person": "Person", "einheit": "Einheit"}


class Person(Model):
    """A person or unit (kind "einheit", e.g. "IT-Service") of an organisation that can own measures.

    `user_id` links the person to a login (migration 0006_h6_persons): the start page then shows
    that user's own measures first, and "erfasst von" fields prefill with the person's name."""

    __tablename__ = "persons"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name", name="uq_persons_organisation_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10), default="person", server_default="person")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    lock_version: Mapped[int] = mapped_column(default=1)  # the edit-conflict check (migration 0008_h23_persons)
    # mail (migration 0010_h28_mail): the address status requests and reminders go to, shown only to
    # those who may edit; `mail_off` when the person followed the opt-out link of a mail
    email: Mapped[str | None] = mapped_column(sa.String(320))
    mail_off: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    organisation: Mapped[Organisation] = relationship(back_populates="persons")

    __mapper_args__ = {"version_id_col": lock_version}


class Strategy(Model):
    __tablename__ = "strategies"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    version: Mapped[str] = mapped_column(sa.String(50), default="")
    adopted: Mapped[str | None] = mapped_column(sa.String(7))
    window_start: Mapped[str | None] = mapped_column(sa.String(7))
    window_end: Mapped[str | None] = mapped_column(sa.String(7))
    vision: Mapped[str] = mapped_column(sa.Text, default="")
    mission: Mapped[str] = mapped_column(sa.Text, default="")
    principles: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="strategies")
    measures: Mapped[list[Measure]] = relationship(
        back_populates="strategy", cascade="all, delete-orphan", order_by="Measure.position"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class Measure(Model):
    __tablename__ = "measures"
    __table_args__ = (sa.UniqueConstraint("strategy_id", "key", name="uq_measures_strategy_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    goal: Mapped[str] = mapped_column(sa.Text, default="")
    dimension: Mapped[str] = mapped_column(sa.String(100))
    further_dimensions: Mapped[list[Any]] = mapped_column(default=list)
    subdimensions: Mapped[list[Any]] = mapped_column(default=list)
    target_stage: Mapped[int | None]
    urgency: Mapped[str | None] = mapped_column(sa.String(20))
    feasibility: Mapped[str | None] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default="geplant")
    second_loop: Mapped[bool] = mapped_column(default=False)
    actors: Mapped[list[Any]] = mapped_column(default=list)
    requirements: Mapped[list[Any]] = mapped_column(default=list)
    start: Mapped[str | None] = mapped_column(sa.String(7))
    end: Mapped[str | None] = mapped_column(sa.String(7))
    examples: Mapped[list[Any]] = mapped_column(default=list)
    steps: Mapped[list[Any]] = mapped_column(default=list)
    budget: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    funding_call: Mapped[str | None] = mapped_column(sa.String(200))
    deferrals: Mapped[int] = mapped_column(default=0)
    # Verstetigung (migration 0004_verstetigung): the months it really started and ended
    actual_start: Mapped[str | None] = mapped_column(sa.String(7))
    actual_end: Mapped[str | None] = mapped_column(sa.String(7))
    lock_version: Mapped[int] = mapped_column(default=1)

    strategy: Mapped[Strategy] = relationship(back_populates="measures")
    owners: Mapped[list[MeasureOwner]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureOwner.position"
    )
    prerequisites: Mapped[list[Dependency]] = relationship(
        foreign_keys="Dependency.dependent_id", back_populates="dependent", cascade="all, delete-orphan"
    )
    dependents: Mapped[list[Dependency]] = relationship(
        foreign_keys="Dependency.prerequisite_id", back_populates="prerequisite", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class MeasureOwner(Model):
    """A Verantwortliche(r) of a measure: a person of the organisation as Lead or Support."""

    __tablename__ = "measure_owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(10), default="lead")
    position: Mapped[int] = mapped_column(default=0)

    measure: Mapped[Measure] = relationship(back_populates="owners")
    person: Mapped[Person] = relationship()


class Dependency(Model):
    """'dependent' needs 'prerequisite' first (Abhängigkeit von / Grundlage für)."""

    __tablename__ = "dependencies"

    prerequisite_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True)
    dependent_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True)

    prerequisite: Mapped[Measure] = relationship(foreign_keys=[prerequisite_id], back_populates="dependents")
    dependent: Mapped[Measure] = relationship(foreign_keys=[dependent_id], back_populates="prerequisites")
