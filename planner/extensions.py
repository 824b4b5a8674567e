"""Flask extensions, created unbound and initialised in create_app."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, g
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session, sessionmaker

csrf = CSRFProtect()


class Database:
    """One engine per app and one session per app context, closed at teardown.

    A dozen lines instead of an extension: Flask-SQLAlchemy-Lite registers an async
    teardown that cannot run while Playwright's event loop owns the main thread.
    """

    def init_app(self, app: Flask) -> None:
        engine = create_engine(app.config["SQLALCHEMY_ENGINES"]["default"])
        app.extensions["planner.db"] = (engine, sessionmaker(engine, expire_on_commit=False))
        app.teardown_appcontext(self._close)

    @property
    def engine(self) -> sa.Engine:
        return current_app.extensions["planner.db"][0]

    @property
    def session(self) -> Session:
        """The session of the current app context."""
        if "db_session" not in g:
            g.db_session = current_app.extensions["planner.db"][1]()
        return g.db_session

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            close_or_discard(session)


def create_engine(url: str) -> sa.Engine:
    """An engine as the app uses it (also for the throwaway database of `planner review`, which
    builds no app)."""
    # After a database restart the pool holds dead connections: pre-ping replaces them at checkout,
    # so the app recovers by itself; while the server is away a request fails fast (503, see
    # web/errors.py) instead of hanging on an unreachable host.
    options = {"pool_pre_ping": True, "pool_timeout": 10}
    if url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": 5}
    if url.startswith("sqlite"):
        options = {"connect_args": {"check_same_thread": False}}
    engine = sa.create_engine(url, **options)
    if url.startswith("sqlite"):
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def close_or_discard(session: Session) -> None:
    """Close the session; when the database went away mid-transaction, the rollback that closing
    does fails: then throw the connection away instead (the pool opens a new one when needed).
    An exception here would replace the finished response (a German error page) by a bare 500."""
    try:
        session.close()
    except sa.exc.DBAPIError:
        current_app.logger.warning("Datenbankverbindung verworfen", exc_info=False)
        session.invalidate()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Enforce foreign keys (ON DELETE CASCADE) on SQLite, as PostgreSQL does."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


db = Database()
