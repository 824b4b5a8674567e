"""documents made in the background (document_jobs) and each Land's funding budget (land_budgets), issue 27

Revision ID: 0010_h27b_document_jobs
Revises: 0008_h23_land (depends on 0005_auth: users)
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_h27b_document_jobs"
down_revision = "0008_h23_land"
branch_labels = None
depends_on = "0005_auth"  # document_jobs.user_id


def upgrade() -> None:
    op.create_table(
        "document_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=300), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("mimetype", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("document_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_jobs_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_jobs_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_jobs_user_id"), ["user_id"], unique=False)
    op.create_table(
        "land_budgets",
        sa.Column("coordinator_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["coordinator_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("coordinator_id"),
    )


def downgrade() -> None:
    op.drop_table("land_budgets")
    op.drop_table("document_jobs")
