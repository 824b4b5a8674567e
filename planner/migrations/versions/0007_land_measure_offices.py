"""Landesebene: offices taking part in a state office's measure

Revision ID: 0007_h12_land
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_h12_land"
down_revision = "0001"  # measures and organisations
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "land_measure_offices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_land_measure_offices_measure_id_measures"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["organisations.id"],
            name=op.f("fk_land_measure_offices_office_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_land_measure_offices")),
        sa.UniqueConstraint("measure_id", "office_id", name="uq_land_measure_offices_measure_office"),
    )
    with op.batch_alter_table("land_measure_offices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_land_measure_offices_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_land_measure_offices_office_id"), ["office_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("land_measure_offices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_land_measure_offices_office_id"))
        batch_op.drop_index(batch_op.f("ix_land_measure_offices_measure_id"))
    op.drop_table("land_measure_offices")
