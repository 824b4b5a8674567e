"""Shared fixtures: an app on a fresh database per test (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), the Flask client, a live server and the system Chromium.

Tests by purpose (README, "Development"): a test that touches the database (through `database_url`,
`app`, `live_app`, `seeds` or `migration_database_url`) is marked `db` and runs on SQLite
and on PostgreSQL; a browser journey is marked `browser` and runs once, on PostgreSQL; every
other test is pure (domain, formats, charts, command line) and runs once. The marks are checked
at collection: a test that uses the database without `db`, or carries `db` without using it,
stops the run."""

from __future__ import annotations

import functools
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


# pytest-xdist runs the suite in several worker processes: each has its own PostgreSQL databases
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


@functools.cache
def _postgres_database(url: str, suffix: str = "") -> str:
    """The address of this worker's own database beside the one in url (created on first use)."""
    address = sa.engine.make_url(url)
    name = "_".join(part for part in (address.database, WORKER, suffix) if part)
    if name != address.database:
        server = sa.create_engine(address.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            if conn.scalar(sa.text("select 1 from pg_database where datname = :n"), {"n": name}) is None:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        server.dispose()
    return address.set(database=name).render_as_string(hide_password=False)


def _database_url(directory: Path, suffix: str = "") -> str:
    """SQLite in directory, or this worker's PostgreSQL database (suffix: a second one beside it)."""
    if base := os.environ.get("TEST_DATABASE_URL"):
        return _postgres_database(base, suffix)
    return f"sqlite:///{directory / 'test.db'}"


def _reset(engine: sa.Engine) -> None:
    """Empty every table; on PostgreSQL the schema is created once and rows are deleted."""
    if engine.dialect.name == "sqlite":
        Model.metadata.create_all(engine)
        return
    Model.metadata.create_all(engine)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Model.metadata.sorted_tables)
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _config(url: str, **config) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_ENGINES": {"default": url},
    } | config


def make_app(url: str, **config):
    """The application on an emptied database at url, with the default administrator."""
    app = create_app(_config(url, **config))
    with app.app_context():
        _reset(db.engine)
    ensure_admin(app)
    return app


def _dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The test's own empty database: the one way a test reaches the database (mark it `db`)."""
    return _database_url(tmp_path)


@pytest.fixture
def migration_database_url(tmp_path: Path) -> str:
    """An empty database for migration tests: TEST_MIGRATION_DATABASE_URL on PostgreSQL (per worker)."""
    if base := os.environ.get("TEST_MIGRATION_DATABASE_URL"):
        return _postgres_database(base)
    return f"sqlite:///{tmp_path / 'migrated.db'}"


@pytest.fixture
def app(database_url: str):
    """The application on an empty database."""
    app = make_app(database_url)
    yield app
    _dispose(app)


class Seeds:
    """Databases set up once per run (per worker) and copied for each test that uses one.

    `app(name, build)` builds the seed on first use — build(app) fills an empty database and
    returns what the tests need to know about it (ids) — and returns a new app on a fresh copy
    with that data: a SQLite file copied, or a PostgreSQL database made from the seed as template.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self.built: dict[str, tuple[str, object]] = {}
        self.copies = 0

    def _url(self, name: str) -> str:
        if base := os.environ.get("TEST_DATABASE_URL"):
            return _postgres_database(base, name)
        return f"sqlite:///{self.directory / (name + '.db')}"

    def _copy(self, seed_url: str) -> str:
        self.copies += 1
        address = sa.engine.make_url(seed_url)
        if address.get_backend_name() == "sqlite":
            target = self.directory / f"kopie-{self.copies}.db"
            shutil.copyfile(address.database, target)
            return f"sqlite:///{target}"
        name = f"{address.database}_{self.copies}"
        server = sa.create_engine(address.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{address.database}"'))
        server.dispose()
        return address.set(database=name).render_as_string(hide_password=False)

    def app(self, name: str, build, **config):
        """(a new app on a fresh copy of the seed `name`, what build returned)."""
        if name not in self.built:
            url = self._url("seed_" + name)
            seed_app = make_app(url, **config)
            data = build(seed_app)
            _dispose(seed_app)
            self.built[name] = (url, data)
        url, data = self.built[name]
        return create_app(_config(self._copy(url), **config)), data

    def release(self, app) -> None:
        """Close the app's connections and delete its copy (FORCE: a background document's
        worker may still hold its queue's connection)."""
        url = app.config["SQLALCHEMY_ENGINES"]["default"]
        _dispose(app)
        address = sa.engine.make_url(url)
        if address.get_backend_name() == "sqlite":
            Path(address.database).unlink(missing_ok=True)
            return
        server = sa.create_engine(address.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{address.database}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="session")
def seeds(tmp_path_factory) -> Seeds:
    """Seeded databases, built once per run and copied per test (see Seeds)."""
    return Seeds(tmp_path_factory.mktemp("seeds"))


class _LaidOutOnce:
    """Stands in for weasyprint.HTML in planner.documents.pdf: the same HTML (with the same base
    address and stylesheets) is laid out and written to PDF once; later requests get those bytes."""

    documents: dict = {}

    def __init__(self, string: str, base_url: str | None = None):
        self.key = (string, base_url)

    def render(self, stylesheets=()):
        key = (*self.key, tuple(id(sheet) for sheet in stylesheets))
        if key not in self.documents:
            from weasyprint import HTML

            self.documents[key] = _WrittenOnce(HTML(string=self.key[0], base_url=self.key[1]).render(stylesheets))
        return self.documents[key]


class _WrittenOnce:
    def __init__(self, document):
        self.document, self.written = document, {}

    def write_pdf(self, **options):
        key = tuple(sorted(options.items()))
        if key not in self.written:
            self.written[key] = self.document.write_pdf(**options)
        return self.written[key]

    def __getattr__(self, name):
        return getattr(self.document, name)


@pytest.fixture(scope="module")
def pdf_once():
    """For sweeps whose cases read the same documents in several roles: each distinct document is
    rendered once per module (the status and headers of every request are still checked)."""
    import planner.documents.pdf

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(planner.documents.pdf, "HTML", _LaidOutOnce)
        patch.setattr(_LaidOutOnce, "documents", {})
        yield


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


# the fixtures through which a test reaches a database; everything that opens one depends on one of them
DATABASE_FIXTURES = {"database_url", "seeds", "migration_database_url"}


def purpose_problems(items) -> list[str]:
    """Tests whose marks do not say what they use (the split into stages must not drift)."""
    problems = []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        uses_db = bool(fixtures & DATABASE_FIXTURES)
        browser = item.get_closest_marker("browser") is not None
        marked_db = item.get_closest_marker("db") is not None
        if "page" in fixtures and not browser:
            problems.append(f"{item.nodeid}: uses the browser without the mark `browser`")
        if uses_db and not (marked_db or browser):
            problems.append(f"{item.nodeid}: uses the database without the mark `db`")
        if marked_db and not uses_db:
            problems.append(f"{item.nodeid}: marked `db` but uses no database (it would run twice for nothing)")
    return problems


# modules that take minutes (sweeps over every route, crawls of every page) start first, so that the
# other worker is not left waiting for them at the end (pytest-xdist hands out files in this order)
LONGEST_FIRST = ("test_auth_isolation", "test_robustness", "test_browser_foundation", "test_reflow_browser")


def pytest_collection_modifyitems(config, items):
    """Marks must match what a test uses; browser tests need the system Chromium (in CI: an error)."""
    if problems := purpose_problems(items):
        raise pytest.UsageError("Tests nach Zweck falsch markiert:\n" + "\n".join(problems))
    items.sort(key=lambda item: item.module.__name__ not in LONGEST_FIRST if item.module else True)
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
def live_app(database_url: str):
    """Like `app`, but with CSRF protection on, as a browser sees it."""
    app = make_app(database_url, SECRET_KEY="test-live", WTF_CSRF_ENABLED=True)
    yield app
    _dispose(app)


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
