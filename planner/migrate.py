"""Alembic, driven from code: `planner db upgrade` and the test that models match migrations."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config for the database at `url`, without an alembic.ini."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def schema_versions(url: str) -> tuple[str, ...]:
    """The migrations the database at `url` stands at (sorted); empty for a new database."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "heads") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Migrate the database at `url` to `revision`; returns its schema versions before and after."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    before = schema_versions(url)
    command.upgrade(alembic_config(url), revision)
    return before, schema_versions(url)


def upgrade_report(before: tuple[str, ...], after: tuple[str, ...]) -> str:
    """What `planner db upgrade` did, in German: created, updated from … to …, or already up to date."""
    if not before:
        return f"Datenbank angelegt (Schema-Version {', '.join(after)})."
    if before == after:
        return f"Datenbank ist auf dem neuesten Stand (Schema-Version {', '.join(after)})."
    return f"Datenbank aktualisiert von Schema-Version {', '.join(before)} auf {', '.join(after)}."


def revision(url: str, message: str) -> None:
    """Autogenerate a new migration from the models (developer command)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
