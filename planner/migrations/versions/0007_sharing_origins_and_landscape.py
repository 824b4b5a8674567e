"""land: shared strategies, measure origins and the application landscape (issue 16, part B)

Revision ID: 0007_h13_land
Revises: 0006_h6_persons
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_h13_land"
down_revision = "0006_h6_persons"  # the core area (organisations, strategies, measures, persons)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_strategies",
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("shared_at", sa.DateTime(), nullable=False),
        sa.Column("shared_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategies.id"],
            name=op.f("fk_shared_strategies_strategy_id_strategies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("strategy_id", name=op.f("pk_shared_strategies")),
    )
    op.create_table(
        "measure_origins",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("source_organisation", sa.String(length=200), nullable=False),
        sa.Column("source_strategy", sa.String(length=300), nullable=False),
        sa.Column("source_version", sa.String(length=50), nullable=False),
        sa.Column("source_key", sa.String(length=100), nullable=False),
        sa.Column("source_title", sa.String(length=300), nullable=False),
        sa.Column("source_strategy_id", sa.Integer(), nullable=True),
        sa.Column("copied_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_measure_origins_measure_id_measures"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("measure_id", name=op.f("pk_measure_origins")),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=False),
        sa.Column("task_area", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False),
        sa.Column("interfaces", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_applications_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("organisation_id", "name", name="uq_applications_organisation_name"),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applications_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_organisation_id"))
    op.drop_table("applications")
    op.drop_table("measure_origins")
    op.drop_table("shared_strategies")
