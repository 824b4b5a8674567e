"""persons: kind (person or unit) and the link to a user account

Revision ID: 0006_h6_persons
Revises: 0005_auth
"""

from alembic import op
import sqlalchemy as sa


revision = "0006_h6_persons"
down_revision = "0005_auth"  # persons.user_id refers to users (0005_auth)
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), server_default="person", nullable=False))
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_persons_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_persons_user_id_users"), "users", ["user_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_persons_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_persons_user_id"))
        batch_op.drop_column("user_id")
        batch_op.drop_column("kind")
