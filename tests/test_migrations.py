"""Alembic migrations build exactly the schema the models describe (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import planner.models  # noqa: F401
from planner.migrate import upgrade
from planner.models import Model


@pytest.mark.db
def test_upgrade_to_heads_matches_the_models(migration_database_url):
    url = migration_database_url
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Model.metadata)
    engine.dispose()
    assert diff == [], diff


def test_upgrade_is_repeatable(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    upgrade(url)
    upgrade(url)
    engine = sa.create_engine(url)
    assert "measures" in sa.inspect(engine).get_table_names()
    engine.dispose()


@pytest.mark.db
def test_mail_migration_keeps_persons_and_users(migration_database_url):
    """0010_h28_mail: existing persons get no address and mail on; existing users get the digest on."""
    url = migration_database_url
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(url, "0009_h29_directory")
    with engine.begin() as conn:
        conn.execute(sa.text("insert into organisations (id, name, created_at) values (1, 'Amt', '2026-01-01')"))
        conn.execute(sa.text("insert into persons (organisation_id, name) values (1, 'Anna')"))
        conn.execute(
            sa.text(
                "insert into users (username, display_name, password_hash, is_admin, active, session_version, "
                "created_at, lock_version) values ('u', 'U', 'x', false, true, 1, '2026-01-01', 1)"
            )
        )
    upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select name, email, mail_off from persons")).one() == ("Anna", None, False)
        assert conn.execute(sa.text("select username, mail_digests from users")).one() == ("u", True)
    engine.dispose()


def test_the_strategy_revisions_go_on_counting_in_the_one_cache(tmp_path):
    """0010_one_cache: the strategies' counters move to `revisions` (a value kept under an old
    count stays retired); the former chart cache and its counters are gone."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0006_h3_chart_cache")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO strategy_revisions (strategy_id, revision) VALUES (7, 41)"))
    upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT revision FROM revisions WHERE scope = 's:7'")).scalar() == 41
        tables = sa.inspect(conn).get_table_names()
    engine.dispose()
    assert "chart_cache" not in tables and "strategy_revisions" not in tables and "cache_entries" in tables
