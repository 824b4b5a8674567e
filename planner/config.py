"""Configuration: defaults plus environment (DATABASE_URL, SECRET_KEY)."""

from __future__ import annotations

import os
import secrets
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("PLANNER_INSTANCE", ROOT / "instance"))


def default_database_url() -> str:
    """The embedded SQLite database under instance/."""
    return f"sqlite:///{INSTANCE / 'planner.db'}"


def database_url() -> str:
    """DATABASE_URL, with postgres:// spelled the way SQLAlchemy's psycopg 3 driver wants it."""
    url = os.environ.get("DATABASE_URL") or default_database_url()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def today_override() -> str | None:
    """PLANNER_TODAY=JJJJ-MM-TT fixes the app's today (tests, screenshots, demos); checked at start."""
    text = os.environ.get("PLANNER_TODAY") or None
    if text:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"PLANNER_TODAY must be a date JJJJ-MM-TT, not {text!r}") from None
    return text


def from_environment() -> dict:
    """The settings a deployment controls through the environment."""
    return {
        "SECRET_KEY": secret_key(),
        "SQLALCHEMY_ENGINES": {"default": database_url()},
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "STRATEGIES_DIR": str(ROOT / "strategies"),
        "TODAY": today_override(),
    }
