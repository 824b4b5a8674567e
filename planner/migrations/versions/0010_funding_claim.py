"""funding: what an office's own report claims for a funding call (text and number of dimensions), shown beside both readings of "improved by two stages" (issue 27, point 10)

Revision ID: 0010_h27_funding_claim
Revises: 0008_h23_maturity
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_h27_funding_claim"
down_revision = "0008_h23_maturity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("funding_participations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("claimed_dimensions", sa.Integer(), nullable=True))
    with op.batch_alter_table("funding_participations", schema=None) as batch_op:
        batch_op.alter_column("claim", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("funding_participations", schema=None) as batch_op:
        batch_op.drop_column("claimed_dimensions")
        batch_op.drop_column("claim")
