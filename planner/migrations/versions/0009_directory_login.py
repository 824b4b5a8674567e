"""directory login: a user's directory DN, last check and e-mail; directory groups that give roles (issue 29)

Revision ID: 0009_h29_directory
Revises: 0008_h23_users
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_h29_directory"
down_revision = "0008_h23_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("directory_dn", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("directory_checked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
    op.create_table(
        "directory_group_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_dn", sa.String(length=500), nullable=False),
        sa.Column("group_key", sa.String(length=500), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_key", "organisation_id", name="uq_directory_group_roles_group_organisation"),
    )
    with op.batch_alter_table("directory_group_roles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_group_roles_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("directory_group_roles")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email")
        batch_op.drop_column("directory_checked_at")
        batch_op.drop_column("directory_dn")
