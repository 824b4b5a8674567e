"""roadmap: baselines (named frozen copies of the measures' planned months)

Revision ID: 0002_roadmap
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_roadmap"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roadmap_baselines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategies.id"],
            name=op.f("fk_roadmap_baselines_strategy_id_strategies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_baselines")),
        sa.UniqueConstraint("strategy_id", "name", name="uq_roadmap_baselines_strategy_name"),
    )
    with op.batch_alter_table("roadmap_baselines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roadmap_baselines_strategy_id"), ["strategy_id"], unique=False)

    op.create_table(
        "roadmap_baseline_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("baseline_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("measure_key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("start", sa.String(length=7), nullable=True),
        sa.Column("end", sa.String(length=7), nullable=True),
        sa.ForeignKeyConstraint(
            ["baseline_id"],
            ["roadmap_baselines.id"],
            name=op.f("fk_roadmap_baseline_entries_baseline_id_roadmap_baselines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_baseline_entries")),
        sa.UniqueConstraint("baseline_id", "measure_key", name="uq_roadmap_baseline_entries_baseline_measure"),
    )
    with op.batch_alter_table("roadmap_baseline_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roadmap_baseline_entries_baseline_id"), ["baseline_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("roadmap_baseline_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmap_baseline_entries_baseline_id"))
    op.drop_table("roadmap_baseline_entries")
    with op.batch_alter_table("roadmap_baselines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmap_baselines_strategy_id"))
    op.drop_table("roadmap_baselines")
