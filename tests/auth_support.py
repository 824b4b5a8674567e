"""Users for tests: every test app has an administrator; clients and pages are logged in as it by default.

Fixtures (imported into conftest.py): `anonymous_client`, `make_user`, `client_as`,
`anonymous_page`. Logging in sets the Flask-Login session directly (no password check per
test: argon2 is slow on purpose); tests of the login form itself post the form.
"""

from __future__ import annotations

import sys
import time
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from planner.extensions import db

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the form parser is shared with bench/load.py
    sys.path.insert(0, str(ROOT))
from bench._forms import Forms, largest_form  # noqa: E402, F401  (Forms: used by test_robustness)

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-passwort-123"


@cache
def password_hash(password: str) -> str:
    """argon2 is deliberately slow: hash each test password once per test run."""
    from planner.services.accounts import hash_password

    return hash_password(password)


def create_user(
    app,
    username: str,
    *,
    password: str = "geheimes-passwort",
    is_admin: bool = False,
    roles: dict[int, str] | None = None,
    display_name: str = "",
) -> int:
    """A user with roles {organisation id: role}; returns its id."""
    from planner.models.auth import Membership, User

    with app.app_context():
        user = User(
            username=username,
            display_name=display_name or username,
            password_hash=password_hash(password),
            is_admin=is_admin,
        )
        db.session.add(user)
        for org_id, role in (roles or {}).items():
            user.memberships.append(Membership(organisation_id=org_id, role=role))
        db.session.commit()
        return user.id


def ensure_admin(app) -> int:
    """The default administrator of every test app."""
    from planner.models.auth import User

    with app.app_context():
        existing = db.session.scalar(sa.select(User.id).where(User.username == ADMIN_USERNAME))
    return existing or create_user(
        app, ADMIN_USERNAME, password=ADMIN_PASSWORD, is_admin=True, display_name="Administration"
    )


def login(client, user_id: int, session_version: int = 1):
    """Put a logged-in session into a Flask test client."""
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{session_version}"
        session["_fresh"] = True
        session["seen"] = session["login_at"] = time.time()
        session.permanent = True
    return client


def admin_client(app):
    return login(app.test_client(), ensure_admin(app))


@pytest.fixture
def anonymous_client(app):
    """A client without a login."""
    return app.test_client()


@pytest.fixture
def make_user(app):
    """make_user(username, roles={org_id: 'lesen'|'bearbeiten'|'verwalten'}, is_admin=False) -> user id."""

    def make(username: str, roles: dict[int, str] | None = None, **kwargs) -> int:
        return create_user(app, username, roles=roles, **kwargs)

    return make


@pytest.fixture
def client_as(app):
    """client_as(roles={org_id: role}) or client_as(user_id=...) -> a client logged in as that user."""
    counter = iter(range(1, 10_000))

    def make(roles: dict[int, str] | None = None, *, user_id: int | None = None, is_admin: bool = False):
        if user_id is None:
            user_id = create_user(app, f"nutzer{next(counter)}", roles=roles, is_admin=is_admin)
        return login(app.test_client(), user_id)

    return make


def login_page(page, live_app, base_url: str) -> None:
    """Give the browser the session cookie of the default administrator."""
    client = admin_client(live_app)
    cookie = client.get_cookie("session")
    page.context.add_cookies([{"name": "session", "value": cookie.value, "url": base_url}])


def form_data(html: str) -> dict:
    """The submitted values of the page's largest form (multi-valued fields as lists)."""
    data: dict = {}
    for name, value in largest_form(html):
        if name in data:
            data[name] = [*data[name]] if isinstance(data[name], list) else [data[name]]
            data[name].append(value)
        else:
            data[name] = value
    return data
