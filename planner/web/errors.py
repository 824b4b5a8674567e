"""German error pages; nothing ends in a stack trace."""

from __future__ import annotations

import functools

from flask import Flask, Request, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from ..extensions import db
from .api.problems import from_http_error, is_api_request, problem_response

MESSAGES = {
    400: ("Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden."),
    403: ("Kein Zugriff", "Sie haben keinen Zugriff auf diese Seite."),
    404: ("Nicht gefunden", "Die angeforderte Seite gibt es nicht (mehr)."),
    405: ("Nicht erlaubt", "Diese Aktion ist auf dieser Seite nicht möglich."),
    413: ("Datei zu groß", "Die hochgeladene Datei ist zu groß (höchstens 16 MB)."),
    500: ("Interner Fehler", "Es ist ein unerwarteter Fehler aufgetreten. Ihre Eingaben wurden nicht gespeichert."),
}
UNAVAILABLE = (
    "Vorübergehend nicht verfügbar",
    "Die Datenbank ist gerade nicht erreichbar. Was Sie zuletzt abgeschickt haben, ist wahrscheinlich nicht "
    "gespeichert: bitte prüfen Sie es in einigen Augenblicken und versuchen Sie es dann noch einmal.",
)
CONCURRENT = (
    "Gleichzeitige Änderung",
    "Jemand anderes hat im selben Moment dieselben Daten gespeichert. Ihre Eingaben wurden nicht gespeichert. "
    "Bitte laden Sie die Seite neu und prüfen Sie, ob Ihre Änderung noch nötig ist.",
)
# errors of the database connection (server down or restarting, pool exhausted, lock timeouts):
# the request can succeed when repeated a little later
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def _up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 0..limit (leading zeros allowed)."""
    digits = str(limit)
    options = [rf"0*\d{{1,{len(digits) - 1}}}"]
    for i, d in enumerate(digits):
        rest = len(digits) - i - 1
        if int(d) > 0:
            options.append(rf"0*{digits[:i]}[0-{int(d) - 1}]\d{{{rest}}}")
    options.append(rf"0*{digits}")
    return "(?:" + "|".join(options) + ")"


class IdConverter(IntegerConverter):
    """`<int:…>` in addresses: a number beyond the database's integer range is not found (404)
    instead of overflowing in the query (500). The pattern itself stops at 2**31 - 1: a larger
    number matches no route at all for any method (a converter refusing it after the match would
    leave another method's route of the same path, which answers 405)."""

    regex = _up_to(2**31 - 1)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int = 2**31 - 1, signed: bool = False):
        super().__init__(map, fixed_digits, min, max, signed)


def _without_nul(text):
    return text.replace("\x00", "") if isinstance(text, str) else text


class TextParameters(ImmutableMultiDict):
    """Form fields and query parameters without NUL characters: nobody types them, and
    PostgreSQL refuses them in text (which would end in a 500)."""

    def __init__(self, mapping=None):
        if mapping is not None and not isinstance(mapping, dict):  # the parsers' (name, value) pairs
            mapping = [(_without_nul(k), _without_nul(v)) for k, v in mapping]
        super().__init__(mapping)


class PlannerRequest(Request):
    parameter_storage_class = TextParameters


def _rollback() -> None:
    """End the failed transaction, so that the error page itself can read from the database."""
    try:
        db.session.rollback()
    except sa_exc.DBAPIError:  # the connection is gone: discard it, the pool opens a new one
        current_app.logger.warning("Rollback nach Fehler nicht möglich; Verbindung verworfen")
        db.session.invalidate()


def _anonymous_page() -> None:
    """Render the page without the user's navigation: loading the user needs the database."""
    manager = getattr(current_app, "login_manager", None)
    if manager is not None:
        g._login_user = manager.anonymous_user()


def _page(code: int, title: str, message: str, headers: dict | None = None, link: tuple | None = None):
    if is_api_request():  # the JSON API answers with problem details, never a page
        return problem_response(code, message, headers=headers)
    try:
        page = render_template("error.html", code=code, title=title, message=message, link=link)
    except DATABASE_UNAVAILABLE:  # e.g. a 404 while the database is away: the page without the user's menu
        _rollback()
        _anonymous_page()
        page = render_template("error.html", code=code, title=title, message=message, link=link)
    return page, code, headers or {}


def register(app: Flask) -> None:
    """Error handlers for HTTP errors, CSRF failures, database failures and unexpected exceptions;
    ids in range; request parameters without NUL characters. Every handler first rolls the
    session back: a page rendered after a failed transaction must not fail itself."""
    app.url_map.converters["int"] = IdConverter  # before any blueprint adds its routes
    app.request_class = PlannerRequest

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        """The form's security token is missing or expired."""
        _rollback()
        return _page(
            400,
            "Sitzung abgelaufen",
            "Das Formular war zu lange geöffnet oder wurde nicht über planner abgeschickt. "
            "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Any HTTP error as a German page (in the API: as German problem details)."""
        _rollback()
        if is_api_request():
            return from_http_error(error)
        code = error.code or 500
        title, message = MESSAGES.get(code, (error.name, error.description or ""))
        return _page(code, title, message, link=getattr(error, "link", None))  # e.g. to the newer version

    def database_unavailable(error: Exception):
        """The database cannot be reached: 503, and the client may try again shortly."""
        app.logger.warning("Datenbank nicht erreichbar: %s", getattr(error, "orig", error))
        _rollback()
        _anonymous_page()
        return _page(503, *UNAVAILABLE, headers={"Retry-After": "10"})

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(sa_exc.IntegrityError)
    @app.errorhandler(StaleDataError)
    def integrity_error(error: Exception):
        """A uniqueness clash, or a versioned row changed by a save without a form's version (a
        file import), that remained after the view ran a second time (see retry_on_conflict)."""
        app.logger.warning("Gleichzeitige Änderung: %s", error)
        _rollback()
        return _page(409, *CONCURRENT)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        """Log and answer with a German page instead of a stack trace."""
        app.logger.exception("Unerwarteter Fehler")
        _rollback()
        return _page(500, *MESSAGES[500])


def retry_on_conflict(app: Flask) -> None:
    """Run a view a second time when its transaction hit a unique constraint (or a row deleted
    meanwhile, or a versioned row another request saved in between: StaleDataError; edit forms
    turn that into their conflict message themselves, services/locking.py).

    Views check names, dates and keys before they write ("Einen Basisplan „X“ gibt es schon"), but two
    requests can pass the check at the same moment; the database refuses the second write. Run
    again, the view's own check sees the other request's row and answers with its German message,
    keeping the input. A clash that persists answers 409 (integrity_error above).
    Call after every blueprint is registered."""

    def wrap(view):
        @functools.wraps(view)
        def once_more_on_conflict(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except (sa_exc.IntegrityError, StaleDataError) as error:
                app.logger.info("Gleichzeitige Änderung, Anfrage wird wiederholt: %s", getattr(error, "orig", error))
                _rollback()
                for _name, files in request.files.lists():
                    for upload in files:
                        upload.stream.seek(0)
            return view(*args, **kwargs)

        return once_more_on_conflict

    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = wrap(view)
