"""verstetigung: the review day of a version history entry and the Beschluss of a strategy version (issue 24)

Revision ID: 0010_h24b_fortschreibung
Revises: 0008_h23_verstetigung
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_h24b_fortschreibung"
down_revision = "0008_h23_verstetigung"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verstetigung_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_on", sa.Date(), nullable=True))
    op.create_table(
        "strategy_resolutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategies.id"],
            name=op.f("fk_strategy_resolutions_strategy_id_strategies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_resolutions")),
        sa.UniqueConstraint("strategy_id", name=op.f("uq_strategy_resolutions_strategy_id")),
    )


def downgrade() -> None:
    op.drop_table("strategy_resolutions")
    with op.batch_alter_table("verstetigung_history", schema=None) as batch_op:
        batch_op.drop_column("reviewed_on")
