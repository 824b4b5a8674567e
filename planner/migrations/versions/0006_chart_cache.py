"""chart cache: change counter per strategy and rendered charts

Revision ID: 0006_h3_chart_cache
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_h3_chart_cache"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "strategy_revisions",
        sa.Column("strategy_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("strategy_id", name=op.f("pk_strategy_revisions")),
    )
    op.create_table(
        "chart_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("mimetype", sa.String(length=50), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_chart_cache")),
    )
    with op.batch_alter_table("chart_cache", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chart_cache_strategy_id"), ["strategy_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chart_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chart_cache_strategy_id"))
    op.drop_table("chart_cache")
    op.drop_table("strategy_revisions")
