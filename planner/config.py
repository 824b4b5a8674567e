"""Configuration: defaults plus environment (DATABASE_URL, SECRET_KEY, PLANNER_LDAP_*, PLANNER_SMTP_URL, ...)."""

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


# the directory login (issue 29): PLANNER_LDAP_<NAME> becomes the app's LDAP_<NAME>
LDAP_SETTINGS = (
    "URL",
    "STARTTLS",
    "CA_FILE",
    "BIND_DN",
    "BIND_PASSWORD",
    "USER_DN_TEMPLATE",
    "USER_BASE",
    "USER_FILTER",
    "NAME_ATTRIBUTE",
    "MAIL_ATTRIBUTE",
    "GROUPS",
    "GROUP_BASE",
    "DISABLED_FILTER",
    "TIMEOUT",
    "RECHECK_MINUTES",
)


def directory_settings() -> dict:
    """PLANNER_LDAP_* as LDAP_* settings (services/directory.Settings reads them); nothing when
    PLANNER_LDAP_URL is unset. URLs: several separated by blanks or commas, tried in order."""
    if not os.environ.get("PLANNER_LDAP_URL"):
        return {}
    settings: dict = {}
    for name in LDAP_SETTINGS:
        value = os.environ.get(f"PLANNER_LDAP_{name}")
        if value in (None, ""):
            continue
        if name == "STARTTLS":
            settings["LDAP_STARTTLS"] = value.strip().lower() in ("1", "true", "yes", "ja", "on")
        elif name in ("TIMEOUT", "RECHECK_MINUTES"):
            settings[f"LDAP_{name}"] = float(value)
        else:
            settings[f"LDAP_{name}"] = value
    return settings


def mail_settings() -> dict:
    """PLANNER_SMTP_URL, PLANNER_MAIL_FROM and PLANNER_BASE_URL (issue 28); mail is off without the first."""
    return {
        "MAIL_SMTP_URL": os.environ.get("PLANNER_SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("PLANNER_MAIL_FROM") or None,
        "BASE_URL": (os.environ.get("PLANNER_BASE_URL") or "").rstrip("/") or None,
    }


def from_environment() -> dict:
    """The settings a deployment controls through the environment."""
    return (
        {
            "SECRET_KEY": secret_key(),
            "SQLALCHEMY_ENGINES": {"default": database_url()},
            "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
            "STRATEGIES_DIR": str(ROOT / "strategies"),
            "TODAY": today_override(),
            # a form token is valid for the whole session: pages answered 304 from the browser's cache
            # keep working forms (web/cached.py); a new login is a new session with a new token
            "WTF_CSRF_TIME_LIMIT": None,
            # where background documents are made: "thread" (in the web process) or "process" (`planner worker`)
            "JOB_WORKER": os.environ.get("PLANNER_JOB_WORKER") or "thread",
        }
        | directory_settings()
        | mail_settings()
    )
