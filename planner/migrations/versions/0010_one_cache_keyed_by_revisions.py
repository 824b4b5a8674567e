"""one cache keyed by revisions: revisions per scope and cache_entries replace strategy_revisions and chart_cache (issue 25)

Revision ID: 0010_one_cache
Revises: 0006_h3_chart_cache
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_one_cache"
down_revision = "0006_h3_chart_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revisions",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_revisions")),
    )
    op.create_table(
        "cache_entries",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.Column("mimetype", sa.String(length=10), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cache_entries")),
    )
    # the strategies' counters go on counting (a value kept anywhere under an old count stays retired)
    op.execute(
        "INSERT INTO revisions (scope, revision) "
        "SELECT 's:' || CAST(strategy_id AS VARCHAR(20)), revision FROM strategy_revisions"
    )
    op.drop_table("chart_cache")
    op.drop_table("strategy_revisions")


def downgrade() -> None:
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
    op.drop_table("revisions")
    op.drop_table("cache_entries")
