"""Errors of the JSON API as RFC 9457 problem details (`application/problem+json`), in German."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from werkzeug.exceptions import HTTPException

MIMETYPE = "application/problem+json"
PREFIX = "/api/"

TITLES = {
    400: "Ungültige Anfrage",
    401: "Nicht angemeldet",
    404: "Nicht gefunden",
    405: "Methode nicht erlaubt",
    409: "Konflikt",
    412: "Veraltete Version",
    413: "Anfrage zu groß",
    415: "Falsches Format",
    422: "Ungültige Angaben",
    428: "Version fehlt",
    500: "Interner Fehler",
}
DETAILS = {
    400: "Die Anfrage konnte nicht verarbeitet werden.",
    401: "Bitte senden Sie einen persönlichen API-Zugang als „Authorization: Bearer …“.",
    404: "Das angeforderte Objekt gibt es nicht, oder Sie haben keinen Zugriff darauf.",
    405: "Diese Methode ist für diese Adresse nicht vorgesehen.",
    413: "Die Anfrage ist zu groß (höchstens 16 MB).",
    500: "Es ist ein unerwarteter Fehler aufgetreten. Es wurde nichts gespeichert.",
}


class ApiProblem(HTTPException):
    """An API error with its German detail and optional extra members (errors, cycle, ...)."""

    def __init__(self, status: int, detail: str, **extra: Any):
        super().__init__(description=detail)
        self.code = status
        self.extra = extra


def is_api_request() -> bool:
    """Whether the request is for the API (also when no route matched)."""
    return request.path.startswith(PREFIX)


def problem_response(status: int, detail: str | None = None, headers: dict | None = None, **extra: Any) -> Response:
    """A problem-details response."""
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Fehler"),
        "status": status,
        "detail": detail or DETAILS.get(status, "Die Anfrage konnte nicht verarbeitet werden."),
        **{k: v for k, v in extra.items() if v is not None},
    }
    # a detail may quote what was sent: a lone surrogate in it cannot be UTF-8, it becomes "?"
    text = json.dumps(body, ensure_ascii=False).encode("utf-8", "replace")
    response = Response(text, status=status, mimetype=MIMETYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_error(error: HTTPException) -> Response:
    """Any HTTP error raised while serving the API, as problem details."""
    code = error.code or 500
    if isinstance(error, ApiProblem):
        return problem_response(code, error.description, **error.extra)
    headers = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="planner"'
    # werkzeug's own descriptions are English; a German one was given by planner (e.g. read-only versions)
    detail = DETAILS.get(code) if code in DETAILS else error.description
    return problem_response(code, detail, headers=headers)
