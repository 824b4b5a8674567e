"""maturity: assessments, levels, answers, criteria catalogue, targets, funding participations

Revision ID: 0003_maturity
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_maturity"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maturity_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_maturity_assessments_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_assessments")),
        sa.UniqueConstraint("organisation_id", "assessed_on", name="uq_maturity_assessments_organisation_date"),
    )
    with op.batch_alter_table("maturity_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maturity_assessments_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "maturity_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("subdimension", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["maturity_assessments.id"],
            name=op.f("fk_maturity_levels_assessment_id_maturity_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_levels")),
        sa.UniqueConstraint("assessment_id", "subdimension", name="uq_maturity_levels_assessment_subdimension"),
    )
    with op.batch_alter_table("maturity_levels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maturity_levels_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "maturity_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("subdimension", sa.String(length=100), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.Text(), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["maturity_assessments.id"],
            name=op.f("fk_maturity_answers_assessment_id_maturity_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_answers")),
    )
    with op.batch_alter_table("maturity_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maturity_answers_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "maturity_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("subdimension", sa.String(length=100), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_maturity_criteria_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_criteria")),
    )
    with op.batch_alter_table("maturity_criteria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maturity_criteria_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "maturity_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("subdimension", sa.String(length=100), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategies.id"],
            name=op.f("fk_maturity_targets_strategy_id_strategies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_targets")),
        sa.UniqueConstraint("strategy_id", "subdimension", name="uq_maturity_targets_strategy_subdimension"),
    )
    with op.batch_alter_table("maturity_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maturity_targets_strategy_id"), ["strategy_id"], unique=False)

    op.create_table(
        "funding_participations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("call", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("granted", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("baseline", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategies.id"],
            name=op.f("fk_funding_participations_strategy_id_strategies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_participations")),
        sa.UniqueConstraint("strategy_id", "call", name="uq_funding_participations_strategy_call"),
    )
    with op.batch_alter_table("funding_participations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_participations_strategy_id"), ["strategy_id"], unique=False)


def downgrade() -> None:
    for table, column in (
        ("funding_participations", "strategy_id"),
        ("maturity_targets", "strategy_id"),
        ("maturity_criteria", "organisation_id"),
        ("maturity_answers", "assessment_id"),
        ("maturity_levels", "assessment_id"),
        ("maturity_assessments", "organisation_id"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
