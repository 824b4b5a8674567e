"""users: the lock version of an account (name, roles' holder, password, active) for the edit-conflict check of the administrator's form (issue 23, defect 6)

Revision ID: 0008_h23_users
Revises: 0005_auth
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_h23_users"
down_revision = "0005_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lock_version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("lock_version", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("lock_version")
