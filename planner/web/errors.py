"""German error pages; nothing ends in a stack trace."""

from __future__ import annotations

from flask import Flask, Request, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .api.problems import from_http_error, is_api_request, problem_response

MESSAGES = {
    400: ("Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden."),
    403: ("Kein Zugriff", "Sie haben keinen Zugriff auf diese Seite."),
    404: ("Nicht gefunden", "Die angeforderte Seite gibt es nicht (mehr)."),
    405: ("Nicht erlaubt", "Diese Aktion ist auf dieser Seite nicht möglich."),
    413: ("Datei zu groß", "Die hochgeladene Datei ist zu groß (höchstens 16 MB)."),
    500: ("Interner Fehler", "Es ist ein unerwarteter Fehler aufgetreten. Ihre Eingaben wurden nicht gespeichert."),
}


class IdConverter(IntegerConverter):
    """`<int:…>` in addresses: a number beyond the database's integer range is not found (404)
    instead of overflowing in the query (500). At most ten digits: longer numbers match no route
    at all (rather than another method's route of the same path, which would answer 405)."""

    regex = r"\d{1,10}"

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


def register(app: Flask) -> None:
    """Error handlers for HTTP errors, CSRF failures and unexpected exceptions; ids in range;
    request parameters without NUL characters."""
    app.url_map.converters["int"] = IdConverter  # before any blueprint adds its routes
    app.request_class = PlannerRequest

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        """The form's security token is missing or expired."""
        return (
            render_template(
                "error.html",
                code=400,
                title="Sitzung abgelaufen",
                message="Das Formular war zu lange geöffnet oder wurde nicht über planner abgeschickt. "
                "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.",
            ),
            400,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Any HTTP error as a German page (in the API: as German problem details)."""
        if is_api_request():
            return from_http_error(error)
        code = error.code or 500
        title, message = MESSAGES.get(code, (error.name, error.description or ""))
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        """Log and answer with a German page instead of a stack trace."""
        app.logger.exception("Unerwarteter Fehler")
        if is_api_request():
            return problem_response(500)
        title, message = MESSAGES[500]
        return render_template("error.html", code=500, title=title, message=message), 500
