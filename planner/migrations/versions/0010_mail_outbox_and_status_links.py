"""mail: persons' e-mail addresses and opt-out, users' digest switch, status requests by link,
the mail outbox and the reminders sent (issue 28)

Revision ID: 0010_h28_mail
Revises: 0009_h29_directory
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_h28_mail"
down_revision = "0009_h29_directory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("mail_off", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_digests", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        "status_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["strategy_id"], ["strategies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_status_requests_strategy_id", "status_requests", ["strategy_id"])
    op.create_table(
        "status_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["status_requests.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash", name="uq_status_links_token_hash"),
    )
    op.create_index("ix_status_links_request_id", "status_links", ["request_id"])
    op.create_index("ix_status_links_person_id", "status_links", ["person_id"])
    op.create_table(
        "status_link_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["link_id"], ["status_links.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("link_id", "measure_id", name="uq_status_link_measures_link_measure"),
    )
    op.create_index("ix_status_link_measures_link_id", "status_link_measures", ["link_id"])
    op.create_index("ix_status_link_measures_measure_id", "status_link_measures", ["measure_id"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mail_outbox_organisation_id", "mail_outbox", ["organisation_id"])
    op.create_index("ix_mail_outbox_sent_at", "mail_outbox", ["sent_at"])
    op.create_table(
        "mail_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=300), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["mail_id"], ["mail_outbox.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item", name="uq_mail_reminders_item"),
    )


def downgrade() -> None:
    op.drop_table("mail_reminders")
    op.drop_table("mail_outbox")
    op.drop_table("status_link_measures")
    op.drop_table("status_links")
    op.drop_table("status_requests")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("mail_digests")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("mail_off")
        batch_op.drop_column("email")
