"""Land level tables (issue 16): which strategies an office shares with other offices, where a
measure copied from another office came from, each office's IT application landscape
(Applikationslandkarte) — migration 0007_h13_land —, and the offices taking part in a state
office's measure (a Landesmaßnahme) — migration 0007_h12_land.

A Landesmaßnahme is an ordinary measure of the state office's own strategy (its dimension and
further dimensions are the dimensions it serves); `land_measure_offices` names the coordinated
offices that take part in it. The column is `office_id`, not `organisation_id`: the row belongs
to the state office (through its measure), the office is only named.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .core import Measure, Model, Organisation, Strategy, utcnow


class SharedStrategy(Model):
    """The office's decision: this strategy is visible (read-only) to members of other offices."""

    __tablename__ = "shared_strategies"

    strategy_id: Mapped[int] = mapped_column(sa.ForeignKey("strategies.id", ondelete="CASCADE"), primary_key=True)
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)
    shared_by: Mapped[str] = mapped_column(sa.String(200), default="")

    strategy: Mapped[Strategy] = relationship()


class MeasureOrigin(Model):
    """Where a measure copied as a template came from. The source is kept as text (organisation,
    strategy, measure) and a plain id without a foreign key: the copy outlives its source, and
    an office's backup never pulls in another office's rows."""

    __tablename__ = "measure_origins"

    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True)
    source_organisation: Mapped[str] = mapped_column(sa.String(200))
    source_strategy: Mapped[str] = mapped_column(sa.String(300))
    source_version: Mapped[str] = mapped_column(sa.String(50), default="")
    source_key: Mapped[str] = mapped_column(sa.String(100))
    source_title: Mapped[str] = mapped_column(sa.String(300))
    source_strategy_id: Mapped[int | None]
    copied_at: Mapped[datetime] = mapped_column(default=utcnow)

    measure: Mapped[Measure] = relationship()


def application_key(name: str) -> str:
    """What makes two application names the same: case and surrounding spaces ignored."""
    return name.strip().lower()


def _key_default(context) -> str:
    # inserts without the key (bulk inserts of demo data, backups from before the column)
    return application_key(context.get_current_parameters()["name"])


class Application(Model):
    """One IT application (Fachverfahren) of an office's landscape."""

    __tablename__ = "applications"
    # one name per office, case ignored, as the form and the import check it: the constraint is on
    # the key (migration 0008_h23_land), the same on SQLite and PostgreSQL
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name_key", name="uq_applications_organisation_name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(400), default=_key_default)  # application_key(name)
    vendor: Mapped[str] = mapped_column(sa.String(200), default="")
    task_area: Mapped[str] = mapped_column(sa.String(200), default="")
    operation: Mapped[str] = mapped_column(sa.String(20), default="on_premise")
    interfaces: Mapped[list[Any]] = mapped_column(default=list)
    state: Mapped[str] = mapped_column(sa.String(20), default="im_einsatz")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)  # the edit-conflict check (services/locking.py)

    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}


# where an office stands with a Landesmaßnahme (its rollout there, e.g. the cloud service or the
# chatbot); rows from before migration 0011_h27b_land_measure_rollout are "zugesagt"
ROLLOUT_STATES = {
    "zugesagt": "Teilnahme zugesagt",
    "in_einfuehrung": "in Einführung",
    "im_betrieb": "im Betrieb",
    "ausgestiegen": "ausgestiegen",
}
# what kind of state measure it is (NLGA slides: Niedersachsen coordinates or joins nationwide ELFA measures)
LAND_MEASURE_CATEGORIES = {"land": "Landesmaßnahme", "bundesweit": "bundesweite Maßnahme (ELFA)"}


class LandMeasureOffice(Model):
    """An office that takes part in a measure of the state office, with its rollout status there
    and the date of that status (e.g. „im Betrieb seit 01.03.2025“)."""

    __tablename__ = "land_measure_offices"
    __table_args__ = (sa.UniqueConstraint("measure_id", "office_id", name="uq_land_measure_offices_measure_office"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="zugesagt", server_default="zugesagt")
    status_on: Mapped[date | None]

    measure: Mapped[Measure] = relationship()
    office: Mapped[Organisation] = relationship()


class LandBudget(Model):
    """The funds a Land has for the digitalisation of its offices (Lower Saxony: up to 65 M €,
    seed 004), set by its coordinating organisation; the state's funding overview sets the
    offices' granted sums against it. Migration 0010_h27b_document_jobs."""

    __tablename__ = "land_budgets"

    coordinator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class LandMeasureInfo(Model):
    """What kind of state measure a measure of the state office is (Land or nationwide/ELFA) and who
    leads it (e.g. „NLGA“, „Niedersachsen, ELFA-Koordination“). Migration 0011_h27b_land_measure_rollout."""

    __tablename__ = "land_measure_info"

    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    category: Mapped[str] = mapped_column(sa.String(20), default="land")
    lead: Mapped[str] = mapped_column(sa.String(200), default="")


# what a survey round asks the offices to bring up to date
SURVEY_SUBJECTS = {
    "landkarte": "Applikationslandkarte",
    "messung": "Reifegradmessung",
}


class SurveyRound(Model):
    """A survey round (Erhebungsrunde) of a coordinating organisation: all its offices are asked
    to bring their application landscape or their maturity assessment up to date by a date
    (NLGA: „zwei Erhebungen pro Jahr“). Closing the round keeps every office's landscape as it was
    (survey_snapshots), so that rounds can be compared year to year. Migration 0012_h27b_survey_rounds."""

    __tablename__ = "survey_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    coordinator_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    subject: Mapped[str] = mapped_column(sa.String(20), default="landkarte")
    due_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(200), default="")
    closed_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class SurveyAnswer(Model):
    """An office's answer to a round: „Angaben sind aktuell“, confirmed by a member of the office.
    (An office that changed its landscape or recorded an assessment after the round began has
    answered too; that is read from the data, not stored.)"""

    __tablename__ = "survey_answers"
    __table_args__ = (sa.UniqueConstraint("round_id", "office_id", name="uq_survey_answers_round_office"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_by: Mapped[str] = mapped_column(sa.String(200), default="")


class SurveyReminder(Model):
    """A reminder of a round sent to an office: recorded here and shown on the office's start page
    (e-mail is another part of planner)."""

    __tablename__ = "survey_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by: Mapped[str] = mapped_column(sa.String(200), default="")


class SurveySnapshot(Model):
    """One application of one office as it was when the round was closed."""

    __tablename__ = "survey_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    vendor: Mapped[str] = mapped_column(sa.String(200), default="")
    task_area: Mapped[str] = mapped_column(sa.String(200), default="")
    operation: Mapped[str] = mapped_column(sa.String(20), default="")
    state: Mapped[str] = mapped_column(sa.String(20), default="")
