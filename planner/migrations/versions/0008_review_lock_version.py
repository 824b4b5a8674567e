"""review: the lock version of a strategy review (date, participants, minutes, decisions) for the edit-conflict check (issue 23, defect 6)

Revision ID: 0008_h23_review
Revises: 0007_h11_review
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_h23_review"
down_revision = "0007_h11_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("strategy_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lock_version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("strategy_reviews", schema=None) as batch_op:
        batch_op.alter_column("lock_version", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("strategy_reviews", schema=None) as batch_op:
        batch_op.drop_column("lock_version")
