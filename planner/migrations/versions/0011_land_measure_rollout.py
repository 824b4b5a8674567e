"""Landesmaßnahmen: rollout status and date per taking-part office (existing rows: zugesagt), category and lead (issue 27)

Revision ID: 0011_h27b_land_measure_rollout
Revises: 0010_h27b_document_jobs (depends on 0007_h12_land)
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_h27b_land_measure_rollout"
down_revision = "0010_h27b_document_jobs"
branch_labels = None
depends_on = "0007_h12_land"  # land_measure_offices


def upgrade() -> None:
    # every participation recorded so far (a yes of the old checkbox) becomes "Teilnahme zugesagt", without a date
    with op.batch_alter_table("land_measure_offices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="zugesagt"))
        batch_op.add_column(sa.Column("status_on", sa.Date(), nullable=True))
    op.create_table(
        "land_measure_info",
        sa.Column("measure_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("lead", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("measure_id"),
    )


def downgrade() -> None:
    op.drop_table("land_measure_info")
    with op.batch_alter_table("land_measure_offices", schema=None) as batch_op:
        batch_op.drop_column("status_on")
        batch_op.drop_column("status")
