"""strategy review: the review meeting's record and its decision per measure

Revision ID: 0007_h11_review
Revises: 0004_verstetigung
"""

from alembic import op
import sqlalchemy as sa


revision = "0007_h11_review"
down_revision = "0004_verstetigung"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "strategy_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("finalised_at", sa.DateTime(), nullable=True),
        sa.Column("finalised_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["strategy_id"], ["strategies.id"], name=op.f("fk_strategy_reviews_strategy_id_strategies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_reviews")),
    )
    with op.batch_alter_table("strategy_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_reviews_strategy_id"), ["strategy_id"], unique=False)
    op.create_table(
        "strategy_review_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("proposed", sa.String(length=20), nullable=False),
        sa.Column("proposal_reason", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["strategy_reviews.id"],
            name=op.f("fk_strategy_review_decisions_review_id_strategy_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_strategy_review_decisions_measure_id_measures"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_review_decisions")),
    )
    with op.batch_alter_table("strategy_review_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_review_decisions_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_strategy_review_decisions_measure_id"), ["measure_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("strategy_review_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_review_decisions_measure_id"))
        batch_op.drop_index(batch_op.f("ix_strategy_review_decisions_review_id"))
    op.drop_table("strategy_review_decisions")
    with op.batch_alter_table("strategy_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_reviews_strategy_id"))
    op.drop_table("strategy_reviews")
