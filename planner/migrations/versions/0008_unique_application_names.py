"""land: application names unique per office with case ignored (issue 23, defect 7); the
applications' lock version for the edit-conflict check (defect 6)

The form and the import compare names case-insensitively; the constraint compared them exactly,
so concurrent saves stored "Case-App", "CASE-APP" and "case-app". The constraint is now on
`name_key` (the name stripped and lower-cased, models.land.application_key). Case variants
stored before are kept and renamed ("… (Dublette 7)") so that the constraint can be built.

Revision ID: 0008_h23_land
Revises: 0007_h13_land
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_h23_land"
down_revision = "0007_h13_land"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("lock_version", sa.Integer(), nullable=False, server_default="1"))
    conn = op.get_bind()
    apps = sa.table(
        "applications", sa.column("id"), sa.column("organisation_id"), sa.column("name"), sa.column("name_key")
    )
    seen: set[tuple[int, str]] = set()
    rows = conn.execute(sa.select(apps.c.id, apps.c.organisation_id, apps.c.name).order_by(apps.c.id)).all()
    for app_id, organisation_id, name in rows:
        if (organisation_id, name.strip().lower()) in seen:
            name = f"{name.strip()[:180]} (Dublette {app_id})"
        seen.add((organisation_id, name.strip().lower()))
        conn.execute(sa.update(apps).where(apps.c.id == app_id).values(name=name, name_key=name.strip().lower()))
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=400), nullable=False)
        batch_op.alter_column("lock_version", existing_type=sa.Integer(), server_default=None)
        batch_op.drop_constraint("uq_applications_organisation_name", type_="unique")
        batch_op.create_unique_constraint("uq_applications_organisation_name_key", ["organisation_id", "name_key"])


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_constraint("uq_applications_organisation_name_key", type_="unique")
        batch_op.create_unique_constraint("uq_applications_organisation_name", ["organisation_id", "name"])
        batch_op.drop_column("lock_version")
        batch_op.drop_column("name_key")
