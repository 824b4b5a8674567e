"""survey rounds of a coordinating organisation: rounds, answers, reminders, landscape snapshots (issue 27)

Revision ID: 0012_h27b_survey_rounds
Revises: 0011_h27b_land_measure_rollout
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_h27b_survey_rounds"
down_revision = "0011_h27b_land_measure_rollout"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "survey_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        _fk("survey_rounds", "coordinator_id", "organisations"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_survey_rounds_coordinator_id"), "survey_rounds", ["coordinator_id"], unique=False)
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("answered_by", sa.String(length=200), nullable=False),
        _fk("survey_answers", "round_id", "survey_rounds"),
        _fk("survey_answers", "office_id", "organisations"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "office_id", name="uq_survey_answers_round_office"),
    )
    op.create_table(
        "survey_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("sent_by", sa.String(length=200), nullable=False),
        _fk("survey_reminders", "round_id", "survey_rounds"),
        _fk("survey_reminders", "office_id", "organisations"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "survey_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=False),
        sa.Column("task_area", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        _fk("survey_snapshots", "round_id", "survey_rounds"),
        _fk("survey_snapshots", "office_id", "organisations"),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in ("survey_answers", "survey_reminders", "survey_snapshots"):
        for column in ("round_id", "office_id"):
            op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade() -> None:
    for table in ("survey_snapshots", "survey_reminders", "survey_answers", "survey_rounds"):
        op.drop_table(table)
