"""Shared fixtures: an app on a fresh database per test (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), the Flask client, a live server and the system Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from auth_support import (  # noqa: F401
    admin_client,
    anonymous_client,
    client_as,
    ensure_admin,
    form_data,
    login_page,
    make_user,
)
from click.testing import CliRunner
from werkzeug.serving import make_server

import planner.models  # noqa: F401
from planner import create_app
from planner.cli import main
from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.models import Model

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
STEINFURT = ROOT / "strategies" / "steinfurt-2023.yaml"
PEINE = ROOT / "strategies" / "peine-2024.yaml"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _database_url(tmp_path: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"


def _reset(engine: sa.Engine) -> None:
    """Empty every table; on PostgreSQL the schema is created once and rows are deleted."""
    if engine.dialect.name == "sqlite":
        Model.metadata.create_all(engine)
        return
    Model.metadata.create_all(engine)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Model.metadata.sorted_tables)
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app(tmp_path: Path):
    """The application on an empty database."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_ENGINES": {"default": _database_url(tmp_path)},
        }
    )
    with app.app_context():
        _reset(db.engine)
    ensure_admin(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A client logged in as the default administrator (anonymous_client, client_as: see auth_support)."""
    return admin_client(app)


def import_file(app, path: Path) -> int:
    """Import a strategy file into the app's database; returns the strategy id."""
    from planner.services.whole_strategy import import_strategy

    with app.app_context():
        row = import_strategy(db.session, load_strategy(path.read_text(encoding="utf-8")))
        db.session.commit()
        return row.id


def run(*args):
    """The planner command line, in-process; arguments may be paths. The one way tests call the CLI."""
    return CliRunner().invoke(main, [str(a) for a in args])


def version_of(client, edit_url: str) -> str:
    """The lock version an edit form carries (a save without it is refused)."""
    return form_data(client.get(edit_url).get_data(as_text=True))["lock_version"]


def domain(app, strategy_id: int):
    """The stored strategy as a domain object, read back from the app's database."""
    from planner.services.strategies import load_strategy_row
    from planner.services.whole_strategy import strategy_to_domain

    with app.app_context():
        return strategy_to_domain(load_strategy_row(db.session, strategy_id))


@pytest.fixture(scope="module")
def peine():
    """The bundled Peine strategy with its maturity assessments, parsed once per test module."""
    return load_strategy(PEINE.read_text(encoding="utf-8"))


@pytest.fixture
def sample_id(app) -> int:
    """A small strategy (tests/data/sample.yaml) in the database."""
    return import_file(app, DATA / "sample.yaml")


@pytest.fixture
def steinfurt_id(app) -> int:
    """The bundled Kreis Steinfurt strategy in the database."""
    return import_file(app, STEINFURT)


# --- browser -----------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    """Browser tests need the system Chromium; in CI its absence is an error, not a skip."""
    browser_items = [i for i in items if "browser" in i.keywords]
    if not browser_items or Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Browser-Tests brauchen Chromium unter {CHROMIUM} (apt-get install chromium).")
    skip = pytest.mark.skip(reason="system Chromium not installed (apt-get install chromium)")
    for item in browser_items:
        item.add_marker(skip)


# Browser waits are waits for a condition (a heading visible, a download finished), never fixed
# sleeps. Their ceilings are generous: on a shared CI machine (load 4 on 2 cores) a chart page
# or a PDF can take many times its usual second, and Playwright's defaults (5 s for `expect`,
# 30 s for actions) then fail tests that are right. A passing test waits no longer for this.
BROWSER_WAIT_MS = 60_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "timeout": 4 * BROWSER_WAIT_MS,  # starting Chromium on a busy machine can take long (default 30 s)
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "de-DE", "viewport": {"width": 1280, "height": 900}}


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_app(tmp_path: Path):
    """Like `app`, but with CSRF protection on, as a browser sees it."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-live", "SQLALCHEMY_ENGINES": {"default": _database_url(tmp_path)}}
    )
    with app.app_context():
        _reset(db.engine)
    ensure_admin(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app) -> Iterator[LiveServer]:
    """The app served on 127.0.0.1 on a free port."""
    server = LiveServer(live_app).start()
    yield server
    server.stop()


@pytest.fixture
def page(page, request):
    """Playwright's page, logged in as the default administrator when the test uses live_server."""
    from playwright.sync_api import expect

    expect.set_options(timeout=BROWSER_WAIT_MS)
    page.set_default_timeout(BROWSER_WAIT_MS)
    page.set_default_navigation_timeout(2 * BROWSER_WAIT_MS)
    if "live_server" in request.fixturenames:
        login_page(page, request.getfixturevalue("live_app"), request.getfixturevalue("live_server").url)
    return page


@pytest.fixture
def anonymous_page(page):
    """A page without a login."""
    page.context.clear_cookies()
    return page


ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def screenshot(page):
    """Save a screenshot to test-artifacts/NAME.png (for looking at what the product shows)."""

    def take(name: str, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
